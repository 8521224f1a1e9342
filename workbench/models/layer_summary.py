"""Layer-by-layer summary of a slimlib model: one row per layer call, totals and a text table.

The model is built in a fresh `tf.Graph` under `slim.trace_layers()`, so the rows come from
what each slimlib layer recorded (scope, shapes, variables, FLOPs), not from TensorFlow op
names. Nothing here knows about widgets; the web app and notebooks only display the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

import slimlib as slim

BuildFn = Callable[[tf.Tensor], Any]

#: MNIST-sized input, `[batch, height, width, channels]`, as in TF-Slim's `nets/lenet.py`.
LENET_INPUT_SHAPE: tuple[int, ...] = (1, 28, 28, 1)


@dataclasses.dataclass(frozen=True)
class LayerSummary:
    """What a model's layer calls did, as plain data.

    Attributes:
      rows: One dict per layer call, parents before their children, with keys `scope` (str),
        `op` (str, the slimlib function), `depth` (int, 0 for top-level calls),
        `input_shape` and `output_shape` (tuples; `None` for an unknown dimension, or the
        whole entry `None` when the call had no tensor), `params` and `trainable_params`
        (ints, scalars in the variables the call created) and `flops` (int).
      total_params: Scalars in every variable the model created.
      trainable_params: Scalars in its trainable variables.
      total_flops: FLOPs of one forward pass, as slimlib's trace counts them.
      text: The trace's text table (`LayerTrace.summary()`), for a monospace display.
    """

    rows: list[dict[str, Any]]
    total_params: int
    trainable_params: int
    total_flops: int
    text: str


def summarize(build_fn: BuildFn, input_shape: Sequence[int]) -> LayerSummary:
    """Builds `build_fn` on a float32 input of `input_shape` and summarises its layer calls.

    Args:
      build_fn: Called once with the input tensor; adds slimlib layers to the default graph.
        Its return value is ignored.
      input_shape: Static input shape, e.g. `[batch, height, width, channels]`.

    Returns:
      A `LayerSummary` of every slimlib layer call `build_fn` made.

    Example:
      >>> def model(inputs):
      ...     return slim.fully_connected(inputs, 4, scope="fc")
      >>> summary = summarize(model, [2, 3])
      >>> [(row["scope"], row["params"]) for row in summary.rows]
      [('fc', 16)]
    """
    with tf.Graph().as_default():
        inputs = tf.compat.v1.placeholder(tf.float32, list(input_shape), name="inputs")
        with slim.trace_layers() as trace:
            build_fn(inputs)
    rows = [
        {
            "scope": record.scope,
            "op": record.op,
            "depth": depth,
            "input_shape": record.input_shape,
            "output_shape": record.output_shape,
            "params": record.params,
            "trainable_params": record.trainable_params,
            "flops": record.total_flops,
        }
        for record, depth in trace.walk()
    ]
    return LayerSummary(
        rows=rows,
        total_params=trace.total_params,
        trainable_params=trace.trainable_params,
        total_flops=trace.total_flops,
        text=trace.summary(),
    )


def lenet(
    images: tf.Tensor,
    num_classes: int = 10,
    *,
    is_training: bool = True,
    dropout_keep_prob: float = 0.5,
) -> tf.Tensor:
    """LeNet as TF-Slim's `nets/lenet.py` builds it: two conv/pool blocks and two dense layers.

    Args:
      images: Tensor `[batch, 28, 28, channels]`.
      num_classes: Number of logits, int >= 1. Default 10 (digits).
      is_training: Whether dropout is active. Default True.
      dropout_keep_prob: Probability of keeping an activation in dropout, in (0, 1]. Default 0.5.

    Returns:
      Logits, Tensor `[batch, num_classes]` (no activation).
    """
    net = slim.conv2d(images, 32, [5, 5], scope="conv1")
    net = slim.max_pool2d(net, [2, 2], 2, scope="pool1")
    net = slim.conv2d(net, 64, [5, 5], scope="conv2")
    net = slim.max_pool2d(net, [2, 2], 2, scope="pool2")
    net = slim.flatten(net)
    net = slim.fully_connected(net, 1024, scope="fc3")
    net = slim.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout3")
    return slim.fully_connected(net, num_classes, activation_fn=None, scope="fc4")
