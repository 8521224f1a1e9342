"""`spatial_softmax`: the expected image position of each channel's activation.

Finn et al., "Deep Spatial Autoencoders for Visuomotor Learning",
https://arxiv.org/abs/1509.06113: a softmax over the pixels of each channel, then the
softmax-weighted mean of the pixel coordinates (scaled to [-1, 1]) as a keypoint.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from slimlib._src import _checks, trace, utils, variables
from slimlib._src.layers._common import DATA_FORMAT_NCHW, DATA_FORMAT_NHWC

v1 = tf.compat.v1

__all__ = ["spatial_softmax"]


def spatial_softmax(
    features: tf.Tensor,
    temperature: float | None = None,
    name: str | None = None,
    variables_collections: Any = None,
    trainable: bool = True,
    data_format: str = DATA_FORMAT_NHWC,
) -> tf.Tensor:
    """Keypoints `[batch, 2 * channels]`: `[i1, j1, ..., iN, jN]`, one (row, column) per channel.

    Each channel is turned into a distribution over its pixels by
    `softmax(features / temperature)`; its keypoint is the expected row and column
    coordinate, both on a `[-1, 1]` grid. `temperature` is a scalar model variable,
    learned when `trainable`.

    Args:
      features: Tensor `[batch, height, width, channels]` (`"NHWC"`, default) or
        `[batch, channels, height, width]` (`"NCHW"`); `channels` static.
      temperature: Initial value of the `temperature` variable; default None (1.0).
      name: Variable scope; default `"spatial_softmax"`.
      variables_collections: Extra collections of `temperature` (a list, or a dict
        keyed by `"temperature"`); ignored when not `trainable`, as in TF-Slim.
      trainable: Also add `temperature` to TRAINABLE_VARIABLES; default True.
      data_format: `"NHWC"` (default) or `"NCHW"`.

    Returns:
      float32 Tensor `[batch, 2 * channels]`, values in [-1, 1].

    Raises:
      ValueError: If `data_format` is unknown, `features` is not of rank 4 or its
        channel size is unknown.
      RuntimeError: When called eagerly.
    """
    fn = "spatial_softmax"
    data_format = _checks.check_data_format(fn, data_format, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
    _checks.require_graph(fn)
    with v1.variable_scope(name, "spatial_softmax") as sc:
        features = _checks.to_tensor(fn, "features", features)
        _checks.check_rank(fn, "features", features, 4)
        first = data_format == DATA_FORMAT_NCHW
        channel_axis = 1 if first else 3
        size = features.shape[channel_axis]
        if size is None:
            # TF-Slim's wording is kept in the message; code may match on it.
            raise ValueError(
                f"{fn}: `features` must have a known size on axis {channel_axis}, got shape "
                f"{features.shape} (The num_channels dimension of the inputs to "
                "`spatial_softmax` should be defined. Found `None`.)"
            )
        channels = int(size)
        dynamic = tf.shape(features)
        height, width = (dynamic[2], dynamic[3]) if first else (dynamic[1], dynamic[2])
        with tf.name_scope("spatial_softmax_op"):
            rows, cols = tf.meshgrid(
                tf.linspace(-1.0, 1.0, height), tf.linspace(-1.0, 1.0, width), indexing="ij"
            )
            rows = tf.reshape(rows, [height * width])
            cols = tf.reshape(cols, [height * width])
            collections = (
                utils.get_variable_collections(variables_collections, "temperature")
                if trainable
                else None
            )
            initial = 1.0 if temperature is None else temperature
            temp = variables.model_variable(
                "temperature",
                shape=(),
                dtype=tf.float32,
                initializer=tf.constant_initializer(initial),
                collections=collections,
                trainable=trainable,
            )
            if not first:
                features = tf.transpose(features, [0, 3, 1, 2])
            # One row per (example, channel), one column per pixel.
            flat = tf.reshape(tf.cast(features, tf.float32), [-1, height * width])
            attention = tf.nn.softmax(flat / temp)
            expected_row = tf.reduce_sum(rows * attention, [1], keepdims=True)
            expected_col = tf.reduce_sum(cols * attention, [1], keepdims=True)
            keypoints = tf.reshape(tf.concat([expected_row, expected_col], 1), [-1, channels * 2])
            keypoints.set_shape([features.shape[0], channels * 2])
        trace.annotate(scope=sc.name)
        return keypoints
