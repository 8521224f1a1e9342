"""Building a model function in its own traced graph.

A model function is `fn(inputs) -> logits` or `fn(inputs) -> (logits, end_points)`, as TF-Slim's
nets are. It is called once on a float32 placeholder in a fresh `tf.Graph` under
`slim.trace_layers()`, so the graph, the layer trace and the output tensors can be inspected
together without touching the caller's default graph.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

import slimlib as slim

ModelFn = Callable[[tf.Tensor], Any]


@dataclasses.dataclass(frozen=True)
class TracedModel:
    """A model function built once in its own graph.

    Attributes:
      graph: The graph holding the model's ops, variables and collections.
      trace: What every slimlib layer call recorded while the model was built.
      inputs: The float32 placeholder the model was called on, shape `input_shape`.
      logits: The model's first (or only) output tensor.
      end_points: The model's end points (`{}` when it returned only logits).
    """

    graph: tf.Graph
    trace: slim.tracing.LayerTrace
    inputs: tf.Tensor
    logits: tf.Tensor | None
    end_points: dict[str, Any]


def check_input_shape(fn: str, input_shape: object) -> tuple[int | None, ...]:
    """Returns `input_shape` as a tuple when it is a sequence of ints >= 1 (or `None`).

    Raises:
      TypeError: If `input_shape` is not a list or tuple of ints (or `None`).
      ValueError: If it is empty or has a dimension < 1.
    """
    expected = "a list or tuple of ints >= 1 (None for an unknown dimension)"
    if not isinstance(input_shape, (list, tuple)):
        raise TypeError(f"{fn}: `input_shape` must be {expected}, got {input_shape!r}.")
    if not input_shape:
        raise ValueError(f"{fn}: `input_shape` must be {expected}, got an empty shape.")
    dims: list[int | None] = []
    for dim in input_shape:
        if dim is None:
            dims.append(None)
            continue
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"{fn}: `input_shape` must be {expected}, got {input_shape!r}.")
        if dim < 1:
            raise ValueError(f"{fn}: `input_shape` must be {expected}, got {list(input_shape)}.")
        dims.append(int(dim))
    return tuple(dims)


def build_traced(model_fn: ModelFn, input_shape: Sequence[int | None]) -> TracedModel:
    """Calls `model_fn` on a float32 placeholder of `input_shape` in a fresh traced graph.

    Args:
      model_fn: `fn(inputs) -> logits` or `fn(inputs) -> (logits, end_points)`; adds slimlib
        layers to the default graph.
      input_shape: Static input shape, e.g. `[batch, height, width, channels]`; `None` marks
        an unknown dimension.

    Returns:
      A `TracedModel`; the caller's default graph is left untouched.

    Raises:
      TypeError: If `model_fn` is not callable or `input_shape` is not a list of ints.
      ValueError: If `input_shape` is empty or has a dimension < 1.

    Example:
      >>> model = build_traced(lambda x: slim.fully_connected(x, 4, scope="fc"), [2, 3])
      >>> [r.scope for r in model.trace.records], model.logits.shape.as_list()
      (['fc'], [2, 4])
    """
    fn = "build_traced"
    if not callable(model_fn):
        raise TypeError(
            f"{fn}: `model_fn` must be a callable `fn(inputs) -> logits or (logits, end_points)`,"
            f" got {model_fn!r} ({type(model_fn).__name__})."
        )
    shape = check_input_shape(fn, input_shape)
    graph = tf.Graph()
    with graph.as_default():
        inputs = tf.compat.v1.placeholder(tf.float32, list(shape), name="inputs")
        with slim.trace_layers() as trace:
            result = model_fn(inputs)
    logits, end_points = _split_result(result)
    return TracedModel(graph, trace, inputs, logits, end_points)


def _split_result(result: Any) -> tuple[tf.Tensor | None, dict[str, Any]]:
    """`(logits, end_points)` from what a model function returned."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], Mapping):
        logits, end_points = result
        return (logits if isinstance(logits, tf.Tensor) else None), dict(end_points)
    return (result if isinstance(result, tf.Tensor) else None), {}
