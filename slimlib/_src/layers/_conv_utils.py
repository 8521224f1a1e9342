"""Pieces the convolution layers share: argument checks, layouts, output sizes, FLOP counts
and `LayerArgs`, the weights / biases / activation / collection steps of every layer."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from slimlib._src import _checks, trace, utils
from slimlib._src.layers import _common

v1 = tf.compat.v1

Activation = Callable[[tf.Tensor], tf.Tensor]
Collections = list[str] | dict | None

# TensorFlow's layout names by number of spatial dimensions.
_CHANNELS_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_CHANNELS_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}

# Every layout `convolution` accepts; like TF-Slim, only "starts with NC" matters.
CONV_DATA_FORMATS = ("NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")


def check_data_format(fn: str, value: object, choices: Sequence[str]) -> str:
    """Returns `value` upper-cased when it is one of `choices`; raises otherwise.

    `choices` is `(channels_last, channels_first)` for a layer of one dimensionality.
    """
    if len(choices) == 2:
        return _checks.check_data_format(fn, value, choices[0], choices[1])
    return _checks.check_choice(fn, "data_format", value, tuple(choices))


def is_channels_first(data_format: str | None) -> bool:
    """True for layouts with channels on axis 1 ("NCHW", "NCW", "NCDHW")."""
    return data_format is not None and data_format.startswith("NC")


def tf_data_format(num_spatial: int, channels_first: bool) -> str:
    """TensorFlow's layout name for `num_spatial` spatial dimensions."""
    return (_CHANNELS_FIRST if channels_first else _CHANNELS_LAST)[num_spatial]


def int_tuple(fn: str, name: str, value: object, length: int) -> tuple[int, ...]:
    """An int or `length` positive ints as a tuple of `length` ints.

    NumPy integers and static `TensorShape`s are accepted too, since TF-Slim code
    often derives kernel sizes from `net.get_shape()`.
    """
    if isinstance(value, tf.TensorShape):
        value = value.as_list() if value.rank is not None else value
    if isinstance(value, np.integer):
        value = int(value)
    elif isinstance(value, (list, tuple)):
        value = [int(v) if isinstance(v, np.integer) else v for v in value]
    return _checks.check_int_tuple(fn, name, value, length)


def positive_int(fn: str, name: str, value: object) -> int:
    """`value` as an int >= 1; NumPy integers (say from shape arithmetic) count as ints."""
    if isinstance(value, np.integer):
        value = int(value)
    return _checks.check_positive_int(fn, name, value)


def filter_count(fn: str, name: str, value: object) -> int:
    """A convolution's output channel count as an int >= 1.

    TF-Slim's convolutions hand `num_outputs` to layers that truncate a Python float to an
    int, so width multipliers written as `num_outputs / multiplier` (MobileNet's) build
    `int(value)` channels; a float that truncates below 1 is refused here.
    """
    if isinstance(value, float) and math.isfinite(value):
        truncated = int(value)
        if truncated < 1:
            raise ValueError(
                f"{fn}: `{name}` must be >= 1, got {value!r} (truncates to {truncated})."
            )
        return truncated
    return positive_int(fn, name, value)


def check_stride_and_rate(fn: str, strides: tuple[int, ...], rates: tuple[int, ...]) -> None:
    """Atrous (dilated) convolution in TensorFlow needs every stride to be 1."""
    if any(r > 1 for r in rates) and any(s > 1 for s in strides):
        raise ValueError(
            f"{fn}: `stride` must be 1 when `rate` > 1 (atrous convolution), got "
            f"stride={list(strides)!r} with rate={list(rates)!r}."
        )


def check_equal_strides(fn: str, strides: tuple[int, ...]) -> None:
    """TensorFlow's depthwise convolution only runs with equal height and width strides."""
    if len(set(strides)) != 1:
        raise ValueError(
            f"{fn}: `stride` must be the same along height and width for a depthwise "
            f"convolution, got {list(strides)!r}."
        )


def channel_axis(channels_first: bool) -> int:
    return 1 if channels_first else -1


def spatial_shape(shape: tf.TensorShape, channels_first: bool) -> list[int | None]:
    """The spatial sizes of a `[N, C, ...]` or `[N, ..., C]` shape (None where unknown)."""
    dims = tf.TensorShape(shape).as_list()
    return dims[2:] if channels_first else dims[1:-1]


def num_positions(shape: tf.TensorShape, channels_first: bool) -> int | None:
    """Number of spatial positions of one example, or None when a size is unknown."""
    dims = spatial_shape(shape, channels_first)
    if any(d is None for d in dims):
        return None
    return math.prod(dims)


def transpose_output_size(size, kernel: int, stride: int, padding: str):
    """Spatial size produced by a transposed convolution (int or scalar tensor `size`).

    It is the size whose forward convolution (same kernel, stride and padding)
    gives back `size`: `size * stride` for SAME, plus `max(kernel - stride, 0)`
    for VALID (the last window may overhang the input by that much).
    """
    if padding == "VALID":
        return size * stride + max(kernel - stride, 0)
    return size * stride


def causal_padding(num_spatial: int, channels_first: bool, before: int) -> list[list[int]]:
    """`tf.pad` paddings adding `before` zeros at the start of the single spatial axis."""
    paddings = [[0, 0] for _ in range(num_spatial + 2)]
    paddings[2 if channels_first else 1] = [before, 0]
    return paddings


def mac_flops(positions: int | None, window: int, out_channels: int) -> int | None:
    """FLOPs of the multiply-adds of one example of a convolution (None if unknown).

    Each of the `positions` output positions (input positions, for a transposed
    convolution) computes `out_channels` dot products of length `window` (kernel
    volume times the input channels each output sees): `window` multiplies and
    `window` adds each, so `2 * positions * window * out_channels`. SAME padding
    is counted as if the zeros were multiplied too, as profilers usually count it.
    """
    return None if positions is None else 2 * positions * window * out_channels


def bias_flops(out_positions: int | None, channels: int, with_biases: bool) -> int | None:
    """One addition per output element when biases are added, else 0."""
    if not with_biases:
        return 0
    return None if out_positions is None else out_positions * channels


def total_flops(*parts: int | None) -> int | None:
    """The sum of `parts`, or None when any part is unknown."""
    return None if any(p is None for p in parts) else sum(parts)


@dataclasses.dataclass(frozen=True)
class LayerArgs:
    """The arguments every layer here shares, and the steps that use them."""

    activation_fn: Activation | None
    normalizer_fn: Callable | None
    normalizer_params: dict | None
    weights_initializer: Any
    weights_regularizer: Callable | None
    biases_initializer: Any
    biases_regularizer: Callable | None
    reuse: bool | None
    variables_collections: Collections
    outputs_collections: Collections
    trainable: bool
    scope: str | None

    @classmethod
    def pick(cls, arguments: dict[str, Any]) -> LayerArgs:
        """The shared arguments out of a public function's `locals()`."""
        return cls(**{f.name: arguments[f.name] for f in dataclasses.fields(cls)})

    def variable_scope(self, default_name: str, inputs: tf.Tensor):
        return v1.variable_scope(self.scope, default_name, [inputs], reuse=self.reuse)

    def weights(
        self,
        name: str,
        shape: list[int],
        dtype: tf.DType,
        initializer: Any = None,
        loss_name: str | None = None,
    ) -> tf.Variable:
        """A kernel variable; its collections come from the `"weights"` key, as in TF-Slim.

        `loss_name` names its regularization loss (see `_common.make_variable`).
        """
        collections = utils.get_variable_collections(self.variables_collections, "weights")
        initializer = self.weights_initializer if initializer is None else initializer
        return _common.make_variable(
            name,
            shape,
            dtype,
            initializer,
            self.weights_regularizer,
            self.trainable,
            collections,
            loss_name,
        )

    def finish(
        self,
        sc: v1.VariableScope,
        outputs: tf.Tensor,
        channels: int,
        macs: int | None,
        layout: str,
        bias_loss_name: str | None = None,
    ) -> tf.Tensor:
        """Biases or normalizer, activation, trace annotation and output collection."""
        with_biases = self.normalizer_fn is None and self.biases_initializer is not None
        positions = num_positions(outputs.shape, is_channels_first(layout))
        outputs = _common.bias_or_normalize(
            outputs,
            channels,
            normalizer_fn=self.normalizer_fn,
            normalizer_params=self.normalizer_params,
            biases_initializer=self.biases_initializer,
            biases_regularizer=self.biases_regularizer,
            variables_collections=self.variables_collections,
            trainable=self.trainable,
            data_format=layout,
            loss_name=bias_loss_name,
        )
        outputs = _common.activate(outputs, self.activation_fn)
        flops = total_flops(macs, bias_flops(positions, channels, with_biases))
        trace.annotate(scope=sc.name, flops=flops)
        return _common.collect(self.outputs_collections, sc.name, outputs)


def check_conv_dims(fn: str, conv_dims: object) -> int | None:
    """`conv_dims` of `convolution`: None, or 1, 2 or 3 spatial dimensions."""
    if conv_dims is None:
        return None
    _checks.check_positive_int(fn, "conv_dims", conv_dims)
    if conv_dims > 3:
        raise ValueError(f"{fn}: `conv_dims` must be 1, 2, 3 or None, got {conv_dims!r}.")
    return conv_dims


def check_window_fits(
    fn: str,
    scope: str,
    inputs: tf.Tensor,
    kernel: Sequence[int],
    rates: Sequence[int],
    first: bool,
) -> None:
    """Raises when a 'VALID' window (with its dilation) is larger than a static input side.

    TensorFlow would report a negative output dimension, naming neither the layer nor the
    argument.
    """
    dims = inputs.shape.as_list()
    spatial = dims[2:] if first else dims[1:-1]
    spans = [(k - 1) * r + 1 for k, r in zip(kernel, rates)]
    if any(side is not None and span > side for side, span in zip(spatial, spans)):
        sides = "x".join("?" if side is None else str(side) for side in spatial)
        dilated = f" (spanning {list(spans)} with `rate` {list(rates)})" if max(rates) > 1 else ""
        raise ValueError(
            f"{fn}: `kernel_size` {list(kernel)}{dilated} of layer '{scope}' is larger than "
            f"the {sides} input "
            "with padding 'VALID'; use a smaller kernel, padding 'SAME', or less "
            "downsampling before this layer."
        )
