"""Per-example normalizations: `instance_norm` and `group_norm` (`slim.layers.normalization`).

Instance norm (Ulyanov et al., https://arxiv.org/abs/1607.08022) normalizes each
channel of each example over its spatial axes; group norm (Wu & He,
https://arxiv.org/abs/1803.08494) normalizes groups of channels together. Neither
depends on the batch, so training and inference compute the same thing. Both make
`beta` / `gamma` model variables of shape `[channels]`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, trace
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers._common import DATA_FORMAT_NCHW, DATA_FORMAT_NHWC

v1 = tf.compat.v1

__all__ = ["group_norm", "instance_norm"]


def _check_initializers(fn: str, value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(
            f"{fn}: `param_initializers` must be a dict keyed by 'beta' / 'gamma', got {value!r}."
        )
    for key in value:
        if key not in ("beta", "gamma"):
            raise ValueError(
                f"{fn}: `param_initializers` keys must be among ['beta', 'gamma'], got {key!r}."
                + _checks.did_you_mean(str(key), ("beta", "gamma"))
            )
    return value


def _known_rank(fn: str, inputs: tf.Tensor) -> int:
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(
            f"{fn}: `inputs` has undefined rank; it must have a known rank, got shape "
            f"{inputs.shape}."
        )
    return rank


def _params(
    channels: int,
    dtype: tf.DType,
    *,
    center: bool,
    scale: bool,
    initializers: dict,
    trainable: bool,
    variables_collections: Any,
) -> tuple[tf.Variable | None, tf.Variable | None]:
    """`beta` (zeros) and `gamma` (ones) of shape `[channels]`, as asked."""
    beta = gamma = None
    if center:
        beta = _common.make_variable(
            "beta",
            [channels],
            dtype,
            initializers.get("beta", tf.zeros_initializer()),
            None,
            trainable,
            variables_collections,
        )
    if scale:
        gamma = _common.make_variable(
            "gamma",
            [channels],
            dtype,
            initializers.get("gamma", tf.ones_initializer()),
            None,
            trainable,
            variables_collections,
        )
    return beta, gamma


@add_arg_scope
def instance_norm(
    inputs: tf.Tensor,
    center: bool = True,
    scale: bool = True,
    epsilon: float = 1e-6,
    activation_fn: Callable | None = None,
    param_initializers: dict | None = None,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    data_format: str = DATA_FORMAT_NHWC,
    scope: str | None = None,
) -> tf.Tensor:
    """Instance normalization: each channel of each example over its spatial axes.

    `outputs = gamma * (x - mean) / sqrt(variance + epsilon) + beta`, the moments taken
    per example and per channel over every axis but the batch and channel axes.

    Args:
      inputs: Tensor `[batch, ..., channels]` (`"NHWC"`, default) or
        `[batch, channels, ...]` (`"NCHW"`) of known rank, static channel size.
      center: Add a learned offset `beta`; default True.
      scale: Multiply by a learned `gamma`; default True.
      epsilon: Added to the variance; default 1e-6.
      activation_fn: Applied last; default None.
      param_initializers: Initializers keyed by `"beta"` / `"gamma"` (default zeros / ones).
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections (a list, or a dict keyed by `"beta"` /
        `"gamma"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to TRAINABLE_VARIABLES.
      data_format: `"NHWC"` (channels last, default) or `"NCHW"` (channels on axis 1).
      scope: Variable scope; default `"InstanceNorm"`.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If `param_initializers` is not a dict.
      ValueError: If the rank or the channel size is unknown, `data_format` is
        unknown, or `param_initializers` has an unknown key.
      RuntimeError: When called eagerly.
    """
    fn = "instance_norm"
    _checks.require_graph(fn)
    inputs = _checks.to_tensor(fn, "inputs", inputs)
    rank = _known_rank(fn, inputs)
    data_format = _checks.check_data_format(fn, data_format, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
    initializers = _check_initializers(fn, param_initializers)
    with v1.variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = inputs.shape[channel_axis]
        if channels is None:
            raise ValueError(
                f"{fn}: `inputs` has undefined channels dimension (axis {channel_axis}); it "
                f"must be known, got shape {inputs.shape}."
            )
        beta, gamma = _params(
            int(channels),
            inputs.dtype.base_dtype,
            center=center,
            scale=scale,
            initializers=initializers,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        if channel_axis == 1:  # Broadcast [C] parameters against [N, C, ...] explicitly.
            shape = [1, int(channels)] + [1] * (rank - 2)
            beta = None if beta is None else tf.reshape(beta, shape)
            gamma = None if gamma is None else tf.reshape(gamma, shape)
        axes = [axis for axis in range(1, rank) if axis != channel_axis]
        mean, variance = tf.nn.moments(inputs, axes, keepdims=True)
        outputs = tf.nn.batch_normalization(
            inputs, mean, variance, beta, gamma, epsilon, name="instancenorm"
        )
        outputs = _common.activate(outputs, activation_fn)
        trace.annotate(scope=sc.name)
        return _common.collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(
    inputs: tf.Tensor,
    groups: int = 32,
    channels_axis: int = -1,
    reduction_axes: Sequence[int] = (-3, -2),
    center: bool = True,
    scale: bool = True,
    epsilon: float = 1e-6,
    activation_fn: Callable | None = None,
    param_initializers: dict | None = None,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    scope: str | None = None,
    mean_close_to_zero: bool = False,
) -> tf.Tensor:
    """Group normalization: channels split into `groups`, each normalized per example.

    The moments of a group are taken over its `channels // groups` channels and the
    `reduction_axes` (the spatial axes, by default `(-3, -2)` of an NHWC image); then
    `gamma` and `beta` of shape `[channels]` scale and shift each channel.

    Args:
      inputs: Tensor of known rank with static sizes on `channels_axis` and
        `reduction_axes`.
      groups: Number of channel groups, int >= 1 dividing the channels; default 32.
      channels_axis: The channel axis; default -1.
      reduction_axes: Axes normalized over besides the group's channels; default (-3, -2).
      center: Add a learned offset `beta`; default True.
      scale: Multiply by a learned `gamma`; default True.
      epsilon: Added to the variance; default 1e-6.
      activation_fn: Applied last; default None.
      param_initializers: Initializers keyed by `"beta"` / `"gamma"` (default zeros / ones).
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections (a list, or a dict keyed by `"beta"` /
        `"gamma"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to TRAINABLE_VARIABLES.
      scope: Variable scope; default `"GroupNorm"`.
      mean_close_to_zero: Use the one-pass moments (`tf.nn.sufficient_statistics`),
        more accurate when the mean is near zero; default False.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If `groups` is not an int or `param_initializers` not a dict.
      ValueError: If the rank or a needed size is unknown, an axis is out of range,
        a reduction axis is the channel axis, or `groups` exceeds or does not divide
        the channels.
      RuntimeError: When called eagerly.
    """
    fn = "group_norm"
    groups = _checks.check_positive_int(fn, "groups", groups)
    _checks.require_graph(fn)
    inputs = _checks.to_tensor(fn, "inputs", inputs)
    rank = _known_rank(fn, inputs)
    initializers = _check_initializers(fn, param_initializers)
    # "Axis is out of bounds." and the phrases below are TF-Slim's wording.
    if not -rank <= channels_axis < rank:
        raise ValueError(
            f"{fn}: `channels_axis` must be in [{-rank}, {rank}), got {channels_axis} "
            f"(Axis is out of bounds.)"
        )
    channels_axis %= rank
    channels = inputs.shape[channels_axis]
    if channels is None:
        raise ValueError(
            f"{fn}: `inputs` has undefined channel dimension: {channels_axis}; it must be "
            f"known, got shape {inputs.shape}."
        )
    channels = int(channels)
    axes = []
    for axis in reduction_axes:
        if not -rank <= axis < rank:
            raise ValueError(
                f"{fn}: `reduction_axes` must be in [{-rank}, {rank}), got {list(reduction_axes)} "
                f"(Axis is out of bounds.)"
            )
        axis %= rank
        if inputs.shape[axis] is None:
            raise ValueError(
                f"{fn}: `inputs` has undefined dimensions {axis}; the reduction axes must be "
                f"known, got shape {inputs.shape}."
            )
        if axis == channels_axis:
            raise ValueError(
                f"{fn}: `reduction_axes` {list(reduction_axes)} must be mutually exclusive "
                f"with `channels_axis` {channels_axis}."
            )
        axes.append(axis)
    if groups > channels:
        raise ValueError(
            f"{fn}: `groups` must be <= the channels, got Invalid groups {groups} for "
            f"{channels} channels."
        )
    if channels % groups:
        raise ValueError(
            f"{fn}: `groups` must divide the channels: {channels} channels is not "
            f"commensurate with {groups} groups."
        )
    dynamic = tf.shape(inputs)
    shape = [dynamic[i] if d is None else d for i, d in enumerate(inputs.shape.as_list())]
    per_group = channels // groups
    # [..., C, ...] -> [..., groups, C // groups, ...]; moments over the group's channels
    # and the reduction axes (shifted by one when after the channel axis).
    grouped_shape = shape[:channels_axis] + [groups, per_group] + shape[channels_axis + 1 :]
    broadcast = [1] * channels_axis + [groups, per_group] + [1] * (rank - channels_axis - 1)
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in axes]
    with v1.variable_scope(scope, "GroupNorm", [inputs], reuse=reuse) as sc:
        beta, gamma = _params(
            channels,
            inputs.dtype.base_dtype,
            center=center,
            scale=scale,
            initializers=initializers,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        grouped = tf.reshape(inputs, tf.stack(grouped_shape))
        if mean_close_to_zero:
            counts, mean_ss, variance_ss, _ = tf.nn.sufficient_statistics(
                grouped, moments_axes, keepdims=True
            )
            mean, variance = tf.nn.normalize_moments(counts, mean_ss, variance_ss, shift=None)
        else:
            mean, variance = tf.nn.moments(grouped, moments_axes, keepdims=True)
        gain = tf.math.rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gamma = tf.reshape(gamma, broadcast)
            gain, offset = gain * gamma, offset * gamma
        if beta is not None:
            offset += tf.reshape(beta, broadcast)
        outputs = tf.reshape(grouped * gain + offset, tf.stack(shape))
        outputs.set_shape(inputs.shape)
        outputs = _common.activate(outputs, activation_fn)
        trace.annotate(scope=sc.name)
        return _common.collect(outputs_collections, sc.name, outputs)
