"""Graph helpers of TF-Slim's `ops.framework_ops`: which graph inputs live in, the name scope."""

from __future__ import annotations

import tensorflow as tf

v1 = tf.compat.v1


def _graph_of(value):
    """The graph a tensor, operation or graph variable belongs to; None for other values."""
    if isinstance(value, (tf.Tensor, tf.Operation)) or hasattr(value, "graph"):
        graph = getattr(value, "graph", None)
        return graph if isinstance(graph, tf.Graph) else None
    return None


def get_graph_from_inputs(op_input_list, graph=None):
    """The graph to build an op on from `op_input_list` in: `graph` when given, else the one
    the inputs' tensors and operations share, else the default graph.

    Raises:
      TypeError: If `op_input_list` is not a list or tuple, or `graph` is not a `tf.Graph`.
      ValueError: If an input is not from `graph` ("not from the passed-in graph"), or the
        inputs come from different graphs ("must be from the same graph").
    """
    if not isinstance(op_input_list, (list, tuple)):
        raise TypeError(
            "get_graph_from_inputs: `op_input_list` must be a list or tuple, "
            f"got {op_input_list!r} ({type(op_input_list).__name__})."
        )
    if graph is not None and not isinstance(graph, tf.Graph):
        raise TypeError(f"get_graph_from_inputs: `graph` must be a tf.Graph, got {graph!r}.")
    found = graph
    first = None
    for value in op_input_list:
        value_graph = _graph_of(value)
        if value_graph is None:
            continue
        if graph is not None and value_graph is not graph:
            raise ValueError(
                f"get_graph_from_inputs: {value!r} is not from the passed-in graph; every "
                "tensor and operation in `op_input_list` must be from `graph`."
            )
        if found is None:
            found, first = value_graph, value
        elif value_graph is not found:
            raise ValueError(
                f"get_graph_from_inputs: {value!r} must be from the same graph as {first!r}; "
                "the inputs come from two different graphs."
            )
    return found if found is not None else v1.get_default_graph()


def get_name_scope() -> str:
    """The default graph's current name scope, e.g. "scope1/scope2" ("" at the top level)."""
    return v1.get_default_graph().get_name_scope()
