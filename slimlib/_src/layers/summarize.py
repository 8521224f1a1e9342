"""Summaries of tensors, activations and collections (`slim.layers.summaries`).

A scalar gets a scalar summary, anything else a histogram, tagged `<op name>_summary`
unless a tag is given. `summarize_activation` adds, for ReLU-like ops, the fraction
of inputs below zero (`<op>/zeros`) and, for ReLU6, above six (`<op>/sixes`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

import tensorflow as tf

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
]


def _scalar(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor:
    tensor.shape.assert_has_rank(0)
    return v1.summary.scalar(tag or f"{tensor.op.name}_summary", tensor)


def _histogram(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor:
    return v1.summary.histogram(tag or f"{tensor.op.name}_summary", tensor)


def _fraction(condition: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.cast(condition, tf.float32))


def summarize_activation(op: tf.Tensor) -> tf.Tensor:
    """A histogram `<op>/activation` of a layer's output, plus ReLU saturation scalars.

    For `Relu`, `Relu6` and `Softplus` outputs, `<op>/zeros` is the fraction of the
    op's inputs below 0 (read from the inputs, so no float equality is needed); for
    `Relu6`, `<op>/sixes` is the fraction above 6.

    Args:
      op: The activation tensor.

    Returns:
      The histogram summary tensor.
    """
    name = op.op.name
    if op.op.type in ("Relu", "Softplus", "Relu6"):
        pre = op.op.inputs[0]
        _scalar(_fraction(tf.less(pre, tf.cast(0.0, pre.dtype))), f"{name}/zeros")
    if op.op.type == "Relu6":
        pre = op.op.inputs[0]
        _scalar(_fraction(tf.greater(pre, tf.cast(6.0, pre.dtype))), f"{name}/sixes")
    return _histogram(op, f"{name}/activation")


def summarize_tensor(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor | None:
    """A scalar summary for a scalar, else a histogram; None for string and bool tensors.

    Args:
      tensor: Tensor or variable.
      tag: Summary tag; default `"<op name>_summary"`.

    Returns:
      The summary tensor, or None when the dtype cannot be summarized.
    """
    if tensor.dtype.base_dtype in (tf.string, tf.bool):
        return None
    if tensor.shape.rank == 0:
        return _scalar(tensor, tag)
    return _histogram(tensor, tag)  # Also for an unknown rank: a histogram of a scalar works.


def summarize_tensors(
    tensors: Iterable[tf.Tensor], summarizer: Callable = summarize_tensor
) -> list:
    """Summarizes each tensor: `[summarizer(t) for t in tensors]`.

    Args:
      tensors: Tensors to summarize.
      summarizer: `fn(tensor) -> summary`; default `summarize_tensor`.

    Returns:
      The list of summaries (None for tensors that cannot be summarized).
    """
    return [summarizer(tensor) for tensor in tensors]


def summarize_collection(
    collection: str, name_filter: str | None = None, summarizer: Callable = summarize_tensor
) -> list:
    """Summarizes the members of `collection` whose op name matches `name_filter`.

    Args:
      collection: Graph collection name.
      name_filter: Regular expression matched (`re.match`) against each member's op name;
        default None keeps every member.
      summarizer: `fn(tensor) -> summary`; default `summarize_tensor`.

    Returns:
      The list of summaries, in collection order.
    """
    members = v1.get_collection(collection)
    chosen = [t for t in members if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(chosen, summarizer)


summarize_variables = functools.partial(summarize_collection, GraphKeys.GLOBAL_VARIABLES)
summarize_variables.__doc__ = "`summarize_collection` of GLOBAL_VARIABLES."
summarize_weights = functools.partial(summarize_collection, GraphKeys.WEIGHTS)
summarize_weights.__doc__ = "`summarize_collection` of WEIGHTS."
summarize_biases = functools.partial(summarize_collection, GraphKeys.BIASES)
summarize_biases.__doc__ = "`summarize_collection` of BIASES."


def summarize_activations(
    name_filter: str | None = None, summarizer: Callable = summarize_activation
) -> list:
    """Summarizes every tensor of the ACTIVATIONS collection whose op name matches `name_filter`.

    Args:
      name_filter: Regular expression matched against each op name; default None keeps all.
      summarizer: `fn(tensor) -> summary`; default `summarize_activation`.

    Returns:
      The list of summaries.
    """
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)
