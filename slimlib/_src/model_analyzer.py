"""Sizes of a graph's variables and op outputs (`slim.model_analyzer`), as TF-Slim reports them.

`analyze_vars` counts the elements and bytes of a list of variables (the nets' tests use it
to check parameter counts); `analyze_ops` sums the elements of every op output of a graph.
A dimension that is unknown counts as zero, as in TF-Slim.
"""

from __future__ import annotations

from collections.abc import Iterable

import tensorflow as tf

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]


def tensor_description(var) -> str:
    """A short description of a tensor or variable: `(dtype d0xd1x...)`, e.g. `(float32 3x3x8)`.

    Args:
      var: A tensor or variable; unknown dimensions print as `None`.

    Returns:
      The dtype's name and the dimensions joined by `x`; a scalar gives `(float32 )`.
    """
    dims = "x".join(str(size) for size in var.get_shape().as_list())
    return f"({tf.as_dtype(var.dtype).base_dtype.name} {dims})"


def _num_elements(shape: tf.TensorShape) -> int:
    """Elements of a fully known shape; 0 when the rank or a dimension is unknown."""
    return shape.num_elements() or 0


def analyze_ops(graph: tf.Graph, print_info: bool = False) -> int:
    """Counts the elements of every output of every op in `graph`.

    Args:
      graph: The graph to measure.
      print_info: Also print one line per op: name, output descriptions, element count.

    Returns:
      The total number of output elements (outputs with unknown shapes count 0).

    Raises:
      TypeError: If `graph` is not a `tf.Graph`.
    """
    if not isinstance(graph, tf.Graph):
        raise TypeError(
            f"analyze_ops: `graph` must be a tf.Graph, got {graph!r} ({type(graph).__name__})."
        )
    if print_info:
        print("---------\nOperations: name -> (type shapes) [size]\n---------")
    total = 0
    for op in graph.get_operations():
        size = sum(_num_elements(out.get_shape()) for out in op.outputs)
        if print_info:
            # Outputs of unknown rank have no description, as in TF-Slim.
            shapes = [tensor_description(out) for out in op.outputs if out.get_shape()]
            print(op.name, "\t->", ", ".join(shapes), f"[{size}]")
        total += size
    return total


def analyze_vars(variables: Iterable, print_info: bool = False) -> tuple[int, int]:
    """Counts the elements and bytes of `variables`.

    Args:
      variables: Variables (or tensors), e.g. `tf.compat.v1.global_variables()`.
      print_info: Also print one line per variable and the two totals.

    Returns:
      `(total elements, total bytes)`; a variable with an unknown shape counts 0.

    Raises:
      TypeError: If an item has no `get_shape()` and `dtype` (not a variable or tensor).

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [3, 4])
      ...     b = tf.get_variable("b", [4], dtype=tf.float64)
      ...     slim.model_analyzer.analyze_vars([w, b])
      (16, 80)
    """
    if print_info:
        print("---------\nVariables: name (type shape) [size]\n---------")
    total_size = 0
    total_bytes = 0
    for var in variables:
        if not (hasattr(var, "get_shape") and hasattr(var, "dtype")):
            raise TypeError(
                "analyze_vars: `variables` must hold variables or tensors, got "
                f"{var!r} ({type(var).__name__})."
            )
        size = _num_elements(var.get_shape())
        nbytes = size * tf.as_dtype(var.dtype).base_dtype.size
        total_size += size
        total_bytes += nbytes
        if print_info:
            print(var.name, tensor_description(var), f"[{size}, bytes: {nbytes}]")
    if print_info:
        print(f"Total size of variables: {total_size}")
        print(f"Total bytes of variables: {total_bytes}")
    return total_size, total_bytes
