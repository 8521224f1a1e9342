"""Summaries (`slim.summaries`): one-line helpers over `tf.compat.v1.summary`.

Each helper names its summary after the tensor's op name unless `name` is given,
with an optional `prefix/` in front. (Without `name` or `prefix`, TensorFlow finds
that name taken by the tensor's own op and makes the tag unique as `<name>_1`, as
it did in TF-Slim; give either for a clean tag.) `print_summary=True` also prints the value
(to stderr, with `tf.print`) whenever the summary is computed. Every summary lands
in the `SUMMARIES` collection, so `tf.compat.v1.summary.merge_all()` (what
`slim.learning.train` and `slim.evaluation` write by default) picks it up.
"""

from __future__ import annotations

from collections.abc import Iterable

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "add_histogram_summaries",
    "add_histogram_summary",
    "add_image_summaries",
    "add_image_summary",
    "add_scalar_summaries",
    "add_scalar_summary",
    "add_zero_fraction_summaries",
    "add_zero_fraction_summary",
]


def _summary_name(tensor, name: str | None, prefix: str | None, postfix: str | None = None):
    if not name:
        name = tensor.op.name
    if prefix:
        name = f"{prefix}/{name}"
    if postfix:
        name = f"{name}/{postfix}"
    return name


def _printing(summary_fn, tensor, summary_name: str, print_summary: bool):
    """Builds a summary; with `print_summary`, one that also prints `tensor` when run.

    The printing summary replaces the plain one in `SUMMARIES` (only one of them is
    collected, so `merge_all` does not write the value twice).
    """
    if not print_summary:
        return summary_fn(summary_name, tensor, collections=None)
    op = summary_fn(summary_name, tensor, collections=[])
    printed = tf.print(summary_name, tensor)
    with tf.control_dependencies([printed]):
        op = tf.identity(op)
    v1.add_to_collection(GraphKeys.SUMMARIES, op)
    return op


def add_histogram_summary(tensor, name: str | None = None, prefix: str | None = None):
    """Adds a histogram summary of `tensor`.

    Args:
      tensor: Tensor or variable.
      name: Summary name; default the tensor's op name.
      prefix: Prepended as `prefix/name`.

    Returns:
      The serialized `Summary` string tensor.

    Raises:
      RuntimeError: When called eagerly, outside a graph.
    """
    _checks.require_graph("add_histogram_summary")
    return v1.summary.histogram(_summary_name(tensor, name, prefix), tensor)


def add_image_summary(
    tensor, name: str | None = None, prefix: str | None = None, print_summary: bool = False
):
    """Adds an image summary of `tensor`, a batch of images `[batch, height, width, channels]`.

    Args:
      tensor: Images with 1, 3 or 4 channels (uint8, or float in `[0, 1]`).
      name: Summary name; default the tensor's op name.
      prefix: Prepended as `prefix/name`.
      print_summary: Also print the pixel values when the summary runs.

    Returns:
      The serialized `Summary` string tensor.

    Raises:
      ValueError: If `tensor` does not have rank 4.
      RuntimeError: When called eagerly, outside a graph.
    """
    fn = "add_image_summary"
    _checks.require_graph(fn)
    _checks.check_rank(fn, "tensor", tf.convert_to_tensor(tensor), 4)
    return _printing(v1.summary.image, tensor, _summary_name(tensor, name, prefix), print_summary)


def add_scalar_summary(
    tensor, name: str | None = None, prefix: str | None = None, print_summary: bool = False
):
    """Adds a scalar summary of `tensor`.

    Args:
      tensor: Scalar tensor or variable.
      name: Summary name; default the tensor's op name.
      prefix: Prepended as `prefix/name`.
      print_summary: Also print the value when the summary runs.

    Returns:
      The serialized `Summary` string tensor.

    Raises:
      RuntimeError: When called eagerly, outside a graph.

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     loss = tf.constant(0.5, name="total_loss")
      ...     op = slim.summaries.add_scalar_summary(loss, prefix="losses")
      ...     op.op.name, len(tf.get_collection(tf.GraphKeys.SUMMARIES))
      ('losses/total_loss', 1)
    """
    _checks.require_graph("add_scalar_summary")
    return _printing(v1.summary.scalar, tensor, _summary_name(tensor, name, prefix), print_summary)


def add_zero_fraction_summary(
    tensor, name: str | None = None, prefix: str | None = None, print_summary: bool = False
):
    """Adds a scalar summary `<name>/Fraction_of_Zero_Values` (e.g. dead ReLUs).

    Args:
      tensor: Tensor or variable.
      name: Summary name before the postfix; default the tensor's op name.
      prefix: Prepended as `prefix/name`.
      print_summary: Also print the fraction when the summary runs.

    Returns:
      The serialized `Summary` string tensor.

    Raises:
      RuntimeError: When called eagerly, outside a graph.
    """
    _checks.require_graph("add_zero_fraction_summary")
    summary_name = _summary_name(tensor, name, prefix, "Fraction_of_Zero_Values")
    return add_scalar_summary(
        tf.math.zero_fraction(tensor), summary_name, print_summary=print_summary
    )


def _each(fn_name: str, tensors: Iterable) -> list:
    if tensors is None or isinstance(tensors, (tf.Tensor, tf.Variable, str)):
        raise TypeError(f"{fn_name}: `tensors` must be a list of tensors, got {tensors!r}.")
    return list(tensors)


def add_histogram_summaries(tensors: Iterable, prefix: str | None = None) -> list:
    """Adds a histogram summary (`add_histogram_summary`) for each of `tensors`.

    Args:
      tensors: List of tensors or variables, named after their op names.
      prefix: Prepended to every name as `prefix/name`.

    Returns:
      The summary tensors, in the order of `tensors`.

    Raises:
      TypeError: If `tensors` is a single tensor instead of a list.
    """
    return [
        add_histogram_summary(t, prefix=prefix) for t in _each("add_histogram_summaries", tensors)
    ]


def add_image_summaries(tensors: Iterable, prefix: str | None = None) -> list:
    """Adds an image summary (`add_image_summary`) for each of `tensors`.

    Args:
      tensors: List of image batches `[batch, height, width, channels]`.
      prefix: Prepended to every name as `prefix/name`.

    Returns:
      The summary tensors, in the order of `tensors`.

    Raises:
      TypeError: If `tensors` is a single tensor instead of a list.
      ValueError: If a tensor does not have rank 4.
    """
    return [add_image_summary(t, prefix=prefix) for t in _each("add_image_summaries", tensors)]


def add_scalar_summaries(
    tensors: Iterable, prefix: str | None = None, print_summary: bool = False
) -> list:
    """Adds a scalar summary (`add_scalar_summary`) for each of `tensors`.

    Args:
      tensors: List of scalar tensors or variables.
      prefix: Prepended to every name as `prefix/name`.
      print_summary: Also print each value when its summary runs.

    Returns:
      The summary tensors, in the order of `tensors`.

    Raises:
      TypeError: If `tensors` is a single tensor instead of a list.
    """
    return [
        add_scalar_summary(t, prefix=prefix, print_summary=print_summary)
        for t in _each("add_scalar_summaries", tensors)
    ]


def add_zero_fraction_summaries(tensors: Iterable, prefix: str | None = None) -> list:
    """Adds a zero-fraction summary (`add_zero_fraction_summary`) for each of `tensors`.

    Args:
      tensors: List of tensors or variables.
      prefix: Prepended to every name as `prefix/name`.

    Returns:
      The summary tensors, in the order of `tensors`.

    Raises:
      TypeError: If `tensors` is a single tensor instead of a list.
    """
    return [
        add_zero_fraction_summary(t, prefix=prefix)
        for t in _each("add_zero_fraction_summaries", tensors)
    ]
