"""Convolution layers: `convolution` (1-D, 2-D, 3-D), `conv2d_in_plane`, the transposed
`conv2d_transpose` / `conv3d_transpose`, and `separable_conv2d`.

Each keeps TF-Slim's signature, default scope and variable names (`weights`,
`biases`, `depthwise_weights`, `pointwise_weights`) and shapes, so TF-Slim code and
checkpoints work unchanged. TF-Slim delegated to `tf.compat.v1.layers`, which Keras 3
no longer offers; these layers call `tf.nn` directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import tensorflow as tf

from slimlib._src import _checks, initializers
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers import _conv_utils as cu
from slimlib._src.layers._common import (
    DATA_FORMAT_NCDHW,
    DATA_FORMAT_NCHW,
    DATA_FORMAT_NDHWC,
    DATA_FORMAT_NHWC,
)

v1 = tf.compat.v1

__all__ = [
    "conv1d",
    "conv2d",
    "conv2d_in_plane",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution2d_in_plane",
    "convolution2d_transpose",
    "convolution3d",
    "convolution3d_transpose",
    "separable_conv2d",
    "separable_convolution2d",
]

Activation = cu.Activation
Collections = cu.Collections
F = TypeVar("F", bound=Callable[..., Any])

# TF-Slim's default initializers (stateless, so one of each serves every layer).
_XAVIER = initializers.xavier_initializer()
_ZEROS = tf.zeros_initializer()

# Argument descriptions every layer here shares (indented for an `Args:` section).
_COMMON_ARGS = """\
      activation_fn: Applied last; `None` keeps the layer linear. Default ReLU.
      normalizer_fn: Used instead of biases, e.g. `batch_norm`; default None.
      normalizer_params: Keyword arguments of `normalizer_fn`.
      weights_initializer: Default Glorot uniform (`xavier_initializer()`).
      weights_regularizer: `fn(weights) -> loss`, added to `REGULARIZATION_LOSSES`.
      biases_initializer: Default zeros; `None` creates no biases.
      biases_regularizer: `fn(biases) -> loss`.
      reuse: Reuse the variables of `scope` (which must then be given).
      variables_collections: Extra collections for every variable (a list), or per
        variable name (a dict keyed by `"weights"` / `"biases"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to `TRAINABLE_VARIABLES`. Default True."""


def _doc(template: str, **values: str) -> Callable[[F], F]:
    """Sets a function's docstring from a template shared by several layers."""

    def decorate(func: F) -> F:
        func.__doc__ = template.format(common=_COMMON_ARGS, **values)
        return func

    return decorate


def _convolution(
    fn: str,
    inputs: Any,
    num_outputs: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    data_format: Any,
    rate: Any,
    conv_dims: Any,
    layer: cu.LayerArgs,
) -> tf.Tensor:
    """The N-D convolution behind `convolution` and `conv1d` / `conv2d` / `conv3d`."""
    num_outputs = cu.filter_count(fn, "num_outputs", num_outputs)
    _common.check_activation_fn(fn, layer.activation_fn)
    conv_dims = cu.check_conv_dims(fn, conv_dims)
    if data_format is not None:
        data_format = cu.check_data_format(fn, data_format, cu.CONV_DATA_FORMATS)
    inputs = _common.to_tensor_input(fn, inputs)
    ranks = (3, 4, 5) if conv_dims is None else conv_dims + 2
    rank = inputs.shape.rank
    if conv_dims is not None and rank is not None and rank != ranks:
        # TF-Slim's wording, which code written for it may match on.
        raise ValueError(
            f"{fn}: `inputs` must have rank {ranks}, got shape {inputs.shape} "
            f"(Convolution expects input with rank {ranks}, got {rank})."
        )
    n = _checks.check_rank(fn, "inputs", inputs, ranks) - 2
    kernel = cu.int_tuple(fn, "kernel_size", kernel_size, n)
    strides = cu.int_tuple(fn, "stride", stride, n)
    rates = cu.int_tuple(fn, "rate", rate, n)
    cu.check_stride_and_rate(fn, strides, rates)
    # Keras' Conv1D, which TF-Slim's 1-D convolution used, also offers causal padding.
    paddings = ("SAME", "VALID", "CAUSAL") if n == 1 else ("SAME", "VALID")
    padding = _checks.check_choice(fn, "padding", padding, paddings)
    first = cu.is_channels_first(data_format)
    layout = cu.tf_data_format(n, first)
    in_channels = _checks.check_known_dim(fn, "inputs", inputs, cu.channel_axis(first))
    with layer.variable_scope("Conv", inputs) as sc:
        if padding == "VALID":
            cu.check_window_fits(fn, sc.name, inputs, kernel, rates, first)
        # TF-Slim's convolution is a Keras layer: its losses say "kernel" and "bias".
        weights = layer.weights(
            "weights", [*kernel, in_channels, num_outputs], inputs.dtype, loss_name="kernel"
        )
        if padding == "CAUSAL":
            # Output t sees inputs t - rate * (kernel - 1) .. t: zeros before, none after.
            inputs = tf.pad(inputs, cu.causal_padding(n, first, rates[0] * (kernel[0] - 1)))
            padding = "VALID"
        outputs = tf.nn.convolution(
            inputs, weights, strides=strides, padding=padding, data_format=layout, dilations=rates
        )
        positions = cu.num_positions(outputs.shape, first)
        macs = cu.mac_flops(positions, math.prod(kernel) * in_channels, num_outputs)
        return layer.finish(sc, outputs, num_outputs, macs, layout, bias_loss_name="bias")


_CONVOLUTION_DOC = """Adds a {what} convolution, then biases or `normalizer_fn`, then `activation_fn`.

    Creates `weights` of shape
    `{weights_shape}`
    and cross-correlates them with `inputs`; then applies `normalizer_fn` (and
    creates no biases) or adds `biases` `[num_outputs]` (none when
    `biases_initializer` is None); then `activation_fn`. A `rate` above 1 makes the
    convolution atrous (dilated): the kernel taps are `rate` apart, and every
    stride must then be 1.

    Args:
      inputs: {inputs};
        `in_channels` must be static.
      num_outputs: Number of output channels, an int >= 1 (a float is truncated, as TF-Slim
        does: MobileNet's width multipliers divide channel counts).
      kernel_size: Kernel size {sizes}, or one int for every axis.
      stride: Step between windows {sizes}, or one int. Default 1.
      padding: "SAME" (output size `ceil(in / stride)`) or "VALID" (windows
        inside the input only){causal}.
        Case-insensitive; default "SAME".
      data_format: {formats}
        Channels first runs on GPU only; as in TF-Slim, only whether the name
        starts with "NC" matters.
      rate: Dilation {sizes}, or one int. Default 1.
{{common}}
      scope: Variable scope; default `"Conv"` (then `"Conv_1"`, ...).{conv_dims}

    Returns:
      {returns} with the dtype of `inputs`.

    Raises:
      TypeError: If `num_outputs`, `kernel_size`, `stride` or `rate` is not an int
        (or a sequence of ints), or `inputs` is not convertible to a tensor.
      ValueError: If `num_outputs < 1`, `inputs` {bad_rank}, a size is < 1 or
        has the wrong length, `stride` > 1 is combined with `rate` > 1, `padding`
        or `data_format` is unknown, or `in_channels` is unknown.
      RuntimeError: When called eagerly, outside a graph.{{example}}
    """

_CAUSAL = """, or "CAUSAL" (zeros before the
        sequence only, so output `t` sees no input after `t`)"""

_CONV_DOC_VALUES = {
    None: dict(
        what="1-D, 2-D or 3-D",
        weights_shape="kernel_size + [in_channels, num_outputs]",
        inputs="Tensor `[batch, *spatial, in_channels]` or, channels first,\n"
        "        `[batch, in_channels, *spatial]`, with 1, 2 or 3 spatial axes",
        sizes="(one int per spatial axis)",
        causal=', or "CAUSAL" (1-D only: zeros\n'
        "        before the sequence, so output `t` sees no input after `t`)",
        formats='None (channels last) or one of "NWC", "NCW", "NHWC", "NCHW",\n'
        '        "NDHWC", "NCDHW".',
        returns="Tensor of the rank of `inputs` with `num_outputs` channels,",
        bad_rank="is not of rank 3, 4 or 5 (`conv_dims + 2` if given)",
    ),
    1: dict(
        what="1-D",
        weights_shape="[kernel_width, in_channels, num_outputs]",
        inputs='Tensor `[batch, width, in_channels]` ("NWC") or\n'
        '        `[batch, in_channels, width]` ("NCW")',
        sizes="`[width]`",
        causal=_CAUSAL,
        formats='None or "NWC" (channels last, default), or "NCW".',
        returns='Tensor `[batch, out_width, num_outputs]` (channels first for "NCW")',
        bad_rank="is not of rank 3",
    ),
    2: dict(
        what="2-D",
        weights_shape="[kernel_height, kernel_width, in_channels, num_outputs]",
        inputs='Tensor `[batch, height, width, in_channels]` ("NHWC") or\n'
        '        `[batch, in_channels, height, width]` ("NCHW")',
        sizes="`[height, width]`",
        causal="",
        formats='None or "NHWC" (channels last, default), or "NCHW".',
        returns="Tensor `[batch, out_height, out_width, num_outputs]` (channels first\n"
        '      for "NCHW")',
        bad_rank="is not of rank 4",
    ),
    3: dict(
        what="3-D",
        weights_shape="[kernel_depth, kernel_height, kernel_width, in_channels,\n    num_outputs]",
        inputs='Tensor `[batch, depth, height, width, in_channels]` ("NDHWC") or\n'
        '        `[batch, in_channels, depth, height, width]` ("NCDHW")',
        sizes="`[depth, height, width]`",
        causal="",
        formats='None or "NDHWC" (channels last, default), or "NCDHW".',
        returns="Tensor `[batch, out_depth, out_height, out_width, num_outputs]`\n"
        '      (channels first for "NCDHW")',
        bad_rank="is not of rank 5",
    ),
}


def _convolution_doc(conv_dims: int | None, example: str = "") -> Callable[[F], F]:
    conv_dims_doc = (
        "\n      conv_dims: 1, 2 or 3 to require that many spatial axes; default None"
        "\n        (taken from the rank of `inputs`)."
        if conv_dims is None
        else ""
    )
    template = _CONVOLUTION_DOC.format(**_CONV_DOC_VALUES[conv_dims], conv_dims=conv_dims_doc)
    return _doc(template, example=example)


_CONV2D_EXAMPLE = """

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.conv2d(tf.ones([1, 8, 8, 3]), 16, [3, 3], stride=2, scope="conv1")
      ...     net.shape.as_list(), [v.op.name for v in slim.get_model_variables()]
      ([1, 4, 4, 16], ['conv1/weights', 'conv1/biases'])"""


@add_arg_scope
@_convolution_doc(None)
def convolution(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | list[int] = 1,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
    conv_dims: int | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution(
        "convolution",
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        rate,
        conv_dims,
        layer,
    )


@add_arg_scope
@_convolution_doc(1)
def convolution1d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | list[int] = 1,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution(
        "conv1d", inputs, num_outputs, kernel_size, stride, padding, data_format, rate, 1, layer
    )


@add_arg_scope
@_convolution_doc(2, _CONV2D_EXAMPLE)
def convolution2d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | list[int] = 1,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution(
        "conv2d", inputs, num_outputs, kernel_size, stride, padding, data_format, rate, 2, layer
    )


@add_arg_scope
@_convolution_doc(3)
def convolution3d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | list[int] = 1,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution(
        "conv3d", inputs, num_outputs, kernel_size, stride, padding, data_format, rate, 3, layer
    )


@add_arg_scope
def convolution2d_in_plane(
    inputs: tf.Tensor,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    """Convolves every channel with the same single-channel kernel, independently.

    Creates `weights` of shape `[kernel_height, kernel_width, 1, 1]`, shared by all
    channels (a depthwise convolution with the kernel repeated per channel), then
    biases `[channels]` or `normalizer_fn`, then `activation_fn`. Useful for fixed
    per-channel filters such as image gradients (`kernel_size=[1, 2]` with weights
    `[1, -1]`).

    Args:
      inputs: Tensor `[batch, height, width, channels]`; `channels` must be static.
      kernel_size: `[kernel_height, kernel_width]`, or an int for both.
      stride: `[stride_height, stride_width]` (equal values: TensorFlow's
        depthwise convolution needs them so), or an int. Default 1.
      padding: "SAME" or "VALID" (case-insensitive). Default "SAME".
      activation_fn: Applied last; `None` keeps the layer linear. Default ReLU.
      normalizer_fn: Used instead of biases, e.g. `batch_norm`; default None.
      normalizer_params: Keyword arguments of `normalizer_fn`.
      weights_initializer: Initializer of the shared kernel; default Glorot uniform.
      weights_regularizer: `fn(weights) -> loss`, added to `REGULARIZATION_LOSSES`.
      biases_initializer: Default zeros; `None` creates no biases.
      biases_regularizer: `fn(biases) -> loss`.
      reuse: Reuse the variables of `scope` (which must then be given).
      variables_collections: Extra collections for every variable (a list), or per
        variable name (a dict keyed by `"weights"` / `"biases"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to `TRAINABLE_VARIABLES`. Default True.
      scope: Variable scope; default `"ConvInPlane"`.

    Returns:
      Tensor `[batch, out_height, out_width, channels]` with the dtype of `inputs`.

    Raises:
      TypeError: If `kernel_size` or `stride` is not an int or a sequence of ints.
      ValueError: If the rank of `inputs` is not 4, `channels` is unknown, a size
        is < 1 or has the wrong length, the strides differ, or `padding` is unknown.
      RuntimeError: When called eagerly, outside a graph.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.conv2d_in_plane(tf.ones([1, 5, 5, 3]), [2, 2], padding="VALID")
      ...     net.shape.as_list(), slim.get_model_variables()[0].shape.as_list()
      ([1, 4, 4, 3], [2, 2, 1, 1])
    """
    fn = "conv2d_in_plane"
    layer = cu.LayerArgs.pick(locals())
    inputs = _common.to_tensor_input(fn, inputs)
    _checks.check_rank(fn, "inputs", inputs, 4)
    kernel_h, kernel_w = cu.int_tuple(fn, "kernel_size", kernel_size, 2)
    strides = cu.int_tuple(fn, "stride", stride, 2)
    cu.check_equal_strides(fn, strides)
    padding = _checks.check_padding(fn, padding)
    channels = _checks.check_known_dim(fn, "inputs", inputs, -1)
    with layer.variable_scope("ConvInPlane", inputs) as sc:
        weights = layer.weights("weights", [kernel_h, kernel_w, 1, 1], inputs.dtype)
        depthwise = tf.tile(weights, [1, 1, channels, 1])
        outputs = tf.nn.depthwise_conv2d(inputs, depthwise, [1, *strides, 1], padding)
        # Each output element is one dot product over the kernel window.
        positions = cu.num_positions(outputs.shape, False)
        macs = cu.mac_flops(positions, kernel_h * kernel_w, channels)
        return layer.finish(sc, outputs, channels, macs, DATA_FORMAT_NHWC)


def _convolution_transpose(
    fn: str,
    n: int,
    default_scope: str,
    inputs: Any,
    num_outputs: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    data_format: Any,
    layer: cu.LayerArgs,
) -> tf.Tensor:
    """The transposed convolution behind `conv2d_transpose` and `conv3d_transpose`."""
    num_outputs = cu.filter_count(fn, "num_outputs", num_outputs)
    formats = (cu.tf_data_format(n, False), cu.tf_data_format(n, True))
    data_format = cu.check_data_format(fn, data_format, formats)
    inputs = _common.to_tensor_input(fn, inputs)
    _checks.check_rank(fn, "inputs", inputs, n + 2)
    kernel = cu.int_tuple(fn, "kernel_size", kernel_size, n)
    strides = cu.int_tuple(fn, "stride", stride, n)
    padding = _checks.check_padding(fn, padding)
    first = cu.is_channels_first(data_format)
    in_channels = _checks.check_known_dim(fn, "inputs", inputs, cu.channel_axis(first))
    with layer.variable_scope(default_scope, inputs) as sc:
        # Transposed kernels hold output channels before input channels.
        weights = layer.weights(
            "weights", [*kernel, num_outputs, in_channels], inputs.dtype, loss_name="kernel"
        )
        dynamic = tf.shape(inputs)
        batch = dynamic[0] if inputs.shape[0] is None else inputs.shape[0]
        offset = 2 if first else 1
        sizes = [
            cu.transpose_output_size(dynamic[offset + i] if size is None else size, k, s, padding)
            for i, (size, k, s) in enumerate(
                zip(cu.spatial_shape(inputs.shape, first), kernel, strides)
            )
        ]
        channels_and_sizes = [num_outputs, *sizes] if first else [*sizes, num_outputs]
        full_strides = [1, 1, *strides] if first else [1, *strides, 1]
        conv_transpose = tf.nn.conv2d_transpose if n == 2 else tf.nn.conv3d_transpose
        outputs = conv_transpose(
            inputs,
            weights,
            tf.stack([batch, *channels_and_sizes]),
            full_strides,
            padding,
            data_format=data_format,
        )
        known = [d if isinstance(d, int) else None for d in channels_and_sizes]
        outputs.set_shape([inputs.shape[0], *known])
        # Every input position scatters `kernel volume * in_channels * num_outputs`
        # multiply-adds into the output.
        in_positions = cu.num_positions(inputs.shape, first)
        macs = cu.mac_flops(in_positions, math.prod(kernel) * in_channels, num_outputs)
        return layer.finish(sc, outputs, num_outputs, macs, data_format, bias_loss_name="bias")


_TRANSPOSE_DOC = """Adds a {what} transposed convolution ("deconvolution"), then biases and activation.

    Creates `weights` of shape
    `{weights_shape}`
    (output channels before input channels) and applies the gradient of a
    convolution with them; then biases `[num_outputs]` or `normalizer_fn`, then
    `activation_fn`. Each output size is `in * stride` for "SAME" and
    `in * stride + max(kernel - stride, 0)` for "VALID": the input size of a
    convolution with this kernel, stride and padding that gives `inputs`' size.

    Args:
      inputs: Tensor `{shape_last}` ("{format_last}", the default) or
        `{shape_first}` ("{format_first}"); `in_channels` must be static.
      num_outputs: Number of output channels, an int >= 1 (a float is truncated, as TF-Slim
        does: MobileNet's width multipliers divide channel counts).
      kernel_size: {size_text} of the kernel, or an int for every axis.
      stride: {size_text} of the upsampling step, or an int. Default 1.
      padding: "SAME" or "VALID" (case-insensitive). Default "SAME".
      data_format: "{format_last}" (default) or "{format_first}" (GPU only).
{common}
      scope: Variable scope; default `"{scope}"`.

    Returns:
      Tensor of rank {rank} with `num_outputs` channels and the dtype of `inputs`.

    Raises:
      TypeError: If `num_outputs`, `kernel_size` or `stride` is not an int (or a
        sequence of ints).
      ValueError: If `num_outputs < 1`, the rank of `inputs` is not {rank}, a size
        is < 1 or has the wrong length, `padding` or `data_format` is unknown, or
        `in_channels` is unknown.
      RuntimeError: When called eagerly, outside a graph.{example}
    """

_TRANSPOSE_EXAMPLE = """

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.conv2d_transpose(tf.ones([1, 4, 4, 8]), 3, [3, 3], stride=2)
      ...     net.shape.as_list(), slim.get_model_variables()[0].shape.as_list()
      ([1, 8, 8, 3], [3, 3, 3, 8])"""


@add_arg_scope
@_doc(
    _TRANSPOSE_DOC,
    what="2-D",
    weights_shape="[kernel_height, kernel_width, num_outputs, in_channels]",
    shape_last="[batch, height, width, in_channels]",
    shape_first="[batch, in_channels, height, width]",
    format_last=DATA_FORMAT_NHWC,
    format_first=DATA_FORMAT_NCHW,
    size_text="`[height, width]`",
    scope="Conv2d_transpose",
    rank="4",
    example=_TRANSPOSE_EXAMPLE,
)
def convolution2d_transpose(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str = DATA_FORMAT_NHWC,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution_transpose(
        "conv2d_transpose",
        2,
        "Conv2d_transpose",
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        layer,
    )


@add_arg_scope
@_doc(
    _TRANSPOSE_DOC,
    what="3-D",
    weights_shape="[kernel_depth, kernel_height, kernel_width, num_outputs, in_channels]",
    shape_last="[batch, depth, height, width, in_channels]",
    shape_first="[batch, in_channels, depth, height, width]",
    format_last=DATA_FORMAT_NDHWC,
    format_first=DATA_FORMAT_NCDHW,
    size_text="`[depth, height, width]`",
    scope="Conv3d_transpose",
    rank="5",
    example="",
)
def convolution3d_transpose(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | list[int],
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str = DATA_FORMAT_NDHWC,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    layer = cu.LayerArgs.pick(locals())
    return _convolution_transpose(
        "conv3d_transpose",
        3,
        "Conv3d_transpose",
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        layer,
    )


@add_arg_scope
def separable_convolution2d(
    inputs: tf.Tensor,
    num_outputs: int | None,
    kernel_size: int | list[int],
    depth_multiplier: int = 1,
    stride: int | list[int] = 1,
    padding: str = "SAME",
    data_format: str = DATA_FORMAT_NHWC,
    rate: int | list[int] = 1,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    pointwise_initializer: Any = None,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections = None,
    outputs_collections: Collections = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    """Adds a depthwise-separable 2-D convolution (a depthwise, then a 1x1 convolution).

    The depthwise step filters each input channel on its own with
    `depth_multiplier` kernels, `depthwise_weights` of shape
    `[kernel_height, kernel_width, in_channels, depth_multiplier]`. When
    `num_outputs` is not None, a pointwise step mixes the
    `in_channels * depth_multiplier` results with `pointwise_weights` of shape
    `[1, 1, in_channels * depth_multiplier, num_outputs]`; when it is None the
    layer stops after the depthwise step. Then biases (over the output channels)
    or `normalizer_fn`, then `activation_fn`.

    Args:
      inputs: Tensor `[batch, height, width, in_channels]` ("NHWC", the default) or
        `[batch, in_channels, height, width]` ("NCHW"); `in_channels` must be static.
      num_outputs: Output channels of the pointwise step, an int >= 1 (a float is
        truncated), or None for a depthwise convolution only (`in_channels * depth_multiplier` outputs).
      kernel_size: `[kernel_height, kernel_width]` of the depthwise kernel, or an int.
      depth_multiplier: Depthwise outputs per input channel, an int >= 1. Default 1.
      stride: `[stride_height, stride_width]` of the depthwise step (equal values:
        TensorFlow's depthwise convolution needs them so), or an int. Default 1.
      padding: "SAME" or "VALID" (case-insensitive). Default "SAME".
      data_format: "NHWC" (default) or "NCHW" (GPU only).
      rate: Dilation of the depthwise kernel, an int or 2 ints; with a rate > 1
        the strides must be 1. Default 1.
      activation_fn: Applied last; `None` keeps the layer linear. Default ReLU.
      normalizer_fn: Used instead of biases, e.g. `batch_norm`; default None.
      normalizer_params: Keyword arguments of `normalizer_fn`.
      weights_initializer: Initializer of `depthwise_weights` (and of
        `pointwise_weights` when `pointwise_initializer` is None). Default Glorot
        uniform.
      pointwise_initializer: Initializer of `pointwise_weights`; default None
        (use `weights_initializer`).
      weights_regularizer: `fn(weights) -> loss` for both weights.
      biases_initializer: Default zeros; `None` creates no biases.
      biases_regularizer: `fn(biases) -> loss`.
      reuse: Reuse the variables of `scope` (which must then be given).
      variables_collections: Extra collections for every variable (a list), or per
        variable kind (a dict keyed by `"weights"`, for both weights, / `"biases"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to `TRAINABLE_VARIABLES`. Default True.
      scope: Variable scope; default `"SeparableConv2d"`.

    Returns:
      Tensor of rank 4 with `num_outputs` (or `in_channels * depth_multiplier`)
      channels and the dtype of `inputs`.

    Raises:
      TypeError: If `num_outputs` (when not None), `depth_multiplier`,
        `kernel_size`, `stride` or `rate` is not an int (or a sequence of ints).
      ValueError: If a count or size is < 1 or has the wrong length, the strides
        differ, `stride` > 1 is combined with `rate` > 1, `padding` or
        `data_format` is unknown, the rank of `inputs` is not 4, or `in_channels`
        is unknown.
      RuntimeError: When called eagerly, outside a graph.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.separable_conv2d(tf.ones([1, 6, 6, 4]), 8, [3, 3], depth_multiplier=2)
      ...     [v.shape.as_list() for v in slim.get_model_variables()]
      [[3, 3, 4, 2], [1, 1, 8, 8], [8]]
    """
    fn = "separable_conv2d"
    layer = cu.LayerArgs.pick(locals())
    if num_outputs is not None:
        num_outputs = cu.filter_count(fn, "num_outputs", num_outputs)
    depth_multiplier = cu.positive_int(fn, "depth_multiplier", depth_multiplier)
    data_format = cu.check_data_format(fn, data_format, (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW))
    inputs = _common.to_tensor_input(fn, inputs)
    _checks.check_rank(fn, "inputs", inputs, 4)
    kernel_h, kernel_w = cu.int_tuple(fn, "kernel_size", kernel_size, 2)
    strides = cu.int_tuple(fn, "stride", stride, 2)
    rates = cu.int_tuple(fn, "rate", rate, 2)
    cu.check_stride_and_rate(fn, strides, rates)
    cu.check_equal_strides(fn, strides)
    padding = _checks.check_padding(fn, padding)
    first = cu.is_channels_first(data_format)
    in_channels = _checks.check_known_dim(fn, "inputs", inputs, cu.channel_axis(first))
    depthwise_channels = in_channels * depth_multiplier
    full_strides = [1, 1, *strides] if first else [1, *strides, 1]
    with layer.variable_scope("SeparableConv2d", inputs) as sc:
        depthwise_shape = [kernel_h, kernel_w, in_channels, depth_multiplier]
        # With `num_outputs`, TF-Slim uses a Keras layer, whose losses name its weights
        # `depthwise_kernel`, `pointwise_kernel` and `bias`.
        keras = num_outputs is not None
        depthwise = layer.weights(
            "depthwise_weights",
            depthwise_shape,
            inputs.dtype,
            loss_name="depthwise_kernel" if keras else None,
        )
        if num_outputs is None:
            outputs = tf.nn.depthwise_conv2d(
                inputs, depthwise, full_strides, padding, data_format=data_format, dilations=rates
            )
            channels = depthwise_channels
        else:
            pointwise = layer.weights(
                "pointwise_weights",
                [1, 1, depthwise_channels, num_outputs],
                inputs.dtype,
                initializer=pointwise_initializer,
                loss_name="pointwise_kernel",
            )
            outputs = tf.nn.separable_conv2d(
                inputs, depthwise, pointwise, full_strides, padding, data_format, dilations=rates
            )
            channels = num_outputs
        # Depthwise: one dot product over the window per depthwise output element;
        # pointwise: a dot product over the depthwise channels per output element.
        positions = cu.num_positions(outputs.shape, first)
        macs = cu.mac_flops(positions, kernel_h * kernel_w, depthwise_channels)
        if num_outputs is not None:
            macs = cu.total_flops(macs, cu.mac_flops(positions, depthwise_channels, num_outputs))
        return layer.finish(
            sc, outputs, channels, macs, data_format, bias_loss_name="bias" if keras else None
        )


# TF-Slim's short names are the same function objects (so `repeat` still names its
# scopes after `convolution2d`, and arg_scope keys are shared).
conv1d = convolution1d
conv2d = convolution2d
conv3d = convolution3d
conv2d_in_plane = convolution2d_in_plane
conv2d_transpose = convolution2d_transpose
conv3d_transpose = convolution3d_transpose
separable_conv2d = separable_convolution2d
