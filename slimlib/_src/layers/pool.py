"""Pooling layers: `avg_pool2d`, `max_pool2d`, `avg_pool3d`, `max_pool3d` and the N-D `pool`.

They hold no variables and open a name scope (`AvgPool2D`, `MaxPool2D`, `AvgPool3D`,
`MaxPool3D` by default), as TF-Slim does. Channels-first inputs are pooled in the
channels-last layout between two transposes, because TensorFlow's CPU pooling
kernels only accept channels last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf

from slimlib._src import _checks, trace
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers._common import (
    DATA_FORMAT_NCDHW,
    DATA_FORMAT_NCHW,
    DATA_FORMAT_NDHWC,
    DATA_FORMAT_NHWC,
)

v1 = tf.compat.v1

__all__ = ["avg_pool2d", "avg_pool3d", "max_pool2d", "max_pool3d", "pool"]

IntOrInts = int | Sequence[int]

# Transposes between channels first and channels last, by number of spatial axes.
_TO_CHANNELS_LAST = {2: [0, 2, 3, 1], 3: [0, 2, 3, 4, 1]}
_TO_CHANNELS_FIRST = {2: [0, 3, 1, 2], 3: [0, 4, 1, 2, 3]}


def _pool(
    fn: str,
    default_scope: str,
    op: Callable[..., tf.Tensor],
    op_name: str,
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    stride: IntOrInts,
    padding: str,
    data_format: str,
    outputs_collections: list[str] | str | None,
    scope: str | None,
    spatial: int,
) -> tf.Tensor:
    last, first = (
        (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
        if spatial == 2
        else (DATA_FORMAT_NDHWC, DATA_FORMAT_NCDHW)
    )
    data_format = _checks.check_data_format(fn, data_format, last, first)
    kernel = _checks.check_int_tuple(fn, "kernel_size", kernel_size, spatial)
    strides = _checks.check_int_tuple(fn, "stride", stride, spatial)
    padding = _checks.check_padding(fn, padding)
    _checks.require_graph(fn)
    with v1.name_scope(scope, default_scope, [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        _checks.check_rank(fn, "inputs", inputs, spatial + 2)
        channels_first = data_format == first
        if channels_first:
            inputs = tf.transpose(inputs, _TO_CHANNELS_LAST[spatial])
        ksize = [1, *kernel, 1]
        step = [1, *strides, 1]
        outputs = op(inputs, ksize, step, padding, data_format=last, name=op_name)
        if channels_first:
            outputs = tf.transpose(outputs, _TO_CHANNELS_FIRST[spatial])
        # One compare or add per kernel element for each output element.
        size = _common.per_example_size(outputs.shape)
        area = 1
        for k in kernel:
            area *= k
        trace.annotate(scope=sc.rstrip("/"), flops=None if size is None else size * area)
        return _common.collect(outputs_collections, sc, outputs)


@add_arg_scope
def avg_pool2d(
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    stride: IntOrInts = 2,
    padding: str = "VALID",
    data_format: str = DATA_FORMAT_NHWC,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Averages each `kernel_size` window of every channel (2-D).

    Args:
      inputs: Tensor `[batch, height, width, channels]` (`data_format="NHWC"`, default) or
        `[batch, channels, height, width]` (`"NCHW"`).
      kernel_size: Pooling window `[height, width]`, or one int for all 2 axes.
      stride: Step `[height, width]`, or one int for all 2 axes; default 2.
      padding: `"VALID"` (default) or `"SAME"`, case-insensitive.
      data_format: `"NHWC"` (channels last, default) or `"NCHW"`.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"AvgPool2D"`.

    Returns:
      The pooled tensor, in `data_format`.

    Raises:
      TypeError: If `kernel_size` or `stride` is not an int or a sequence of ints.
      ValueError: If `kernel_size` or `stride` has the wrong length or a value < 1,
        `padding` or `data_format` is unknown, or `inputs` is not of rank 4.
      RuntimeError: When called eagerly.
    """
    return _pool(
        "avg_pool2d",
        "AvgPool2D",
        tf.nn.avg_pool2d,
        "AvgPool",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        2,
    )


@add_arg_scope
def max_pool2d(
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    stride: IntOrInts = 2,
    padding: str = "VALID",
    data_format: str = DATA_FORMAT_NHWC,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Takes the maximum of each `kernel_size` window of every channel (2-D).

    Args:
      inputs: Tensor `[batch, height, width, channels]` (`data_format="NHWC"`, default) or
        `[batch, channels, height, width]` (`"NCHW"`).
      kernel_size: Pooling window `[height, width]`, or one int for all 2 axes.
      stride: Step `[height, width]`, or one int for all 2 axes; default 2.
      padding: `"VALID"` (default) or `"SAME"`, case-insensitive.
      data_format: `"NHWC"` (channels last, default) or `"NCHW"`.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"MaxPool2D"`.

    Returns:
      The pooled tensor, in `data_format`.

    Raises:
      TypeError: If `kernel_size` or `stride` is not an int or a sequence of ints.
      ValueError: If `kernel_size` or `stride` has the wrong length or a value < 1,
        `padding` or `data_format` is unknown, or `inputs` is not of rank 4.
      RuntimeError: When called eagerly.
    """
    return _pool(
        "max_pool2d",
        "MaxPool2D",
        tf.nn.max_pool2d,
        "MaxPool",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        2,
    )


@add_arg_scope
def avg_pool3d(
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    stride: IntOrInts = 2,
    padding: str = "VALID",
    data_format: str = DATA_FORMAT_NDHWC,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Averages each `kernel_size` window of every channel (3-D).

    Args:
      inputs: Tensor `[batch, depth, height, width, channels]` (`data_format="NDHWC"`, default) or
        `[batch, channels, depth, height, width]` (`"NCDHW"`).
      kernel_size: Pooling window `[depth, height, width]`, or one int for all 3 axes.
      stride: Step `[depth, height, width]`, or one int for all 3 axes; default 2.
      padding: `"VALID"` (default) or `"SAME"`, case-insensitive.
      data_format: `"NDHWC"` (channels last, default) or `"NCDHW"`.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"AvgPool3D"`.

    Returns:
      The pooled tensor, in `data_format`.

    Raises:
      TypeError: If `kernel_size` or `stride` is not an int or a sequence of ints.
      ValueError: If `kernel_size` or `stride` has the wrong length or a value < 1,
        `padding` or `data_format` is unknown, or `inputs` is not of rank 5.
      RuntimeError: When called eagerly.
    """
    return _pool(
        "avg_pool3d",
        "AvgPool3D",
        tf.nn.avg_pool3d,
        "AvgPool3D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        3,
    )


@add_arg_scope
def max_pool3d(
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    stride: IntOrInts = 2,
    padding: str = "VALID",
    data_format: str = DATA_FORMAT_NDHWC,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Takes the maximum of each `kernel_size` window of every channel (3-D).

    Args:
      inputs: Tensor `[batch, depth, height, width, channels]` (`data_format="NDHWC"`, default) or
        `[batch, channels, depth, height, width]` (`"NCDHW"`).
      kernel_size: Pooling window `[depth, height, width]`, or one int for all 3 axes.
      stride: Step `[depth, height, width]`, or one int for all 3 axes; default 2.
      padding: `"VALID"` (default) or `"SAME"`, case-insensitive.
      data_format: `"NDHWC"` (channels last, default) or `"NCDHW"`.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"MaxPool3D"`.

    Returns:
      The pooled tensor, in `data_format`.

    Raises:
      TypeError: If `kernel_size` or `stride` is not an int or a sequence of ints.
      ValueError: If `kernel_size` or `stride` has the wrong length or a value < 1,
        `padding` or `data_format` is unknown, or `inputs` is not of rank 5.
      RuntimeError: When called eagerly.
    """
    return _pool(
        "max_pool3d",
        "MaxPool3D",
        tf.nn.max_pool3d,
        "MaxPool3D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        3,
    )


_POOLING_TYPES = ("AVG", "MAX")


@add_arg_scope
def pool(
    inputs: tf.Tensor,
    kernel_size: IntOrInts,
    pooling_type: str,
    padding: str = "VALID",
    data_format: str | None = None,
    dilation_rate: IntOrInts = 1,
    stride: IntOrInts = 1,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Average or max pooling over the 1, 2 or 3 spatial axes of `inputs` (`tf.nn.pool`).

    Unlike `avg_pool2d` / `max_pool2d`, the number of spatial axes follows the rank of
    `inputs`, the stride defaults to 1 and the window may be dilated.

    Args:
      inputs: Tensor `[batch, *spatial, channels]`, or `[batch, channels, *spatial]`
        when `data_format` starts with `"NC"`; rank 3, 4 or 5.
      kernel_size: Window per spatial axis, or one int for all of them.
      pooling_type: `"AVG"` or `"MAX"` (case-insensitive).
      padding: `"VALID"` (default) or `"SAME"`, case-insensitive.
      data_format: None or a channels-last name (`"NWC"`, `"NHWC"`, `"NDHWC"`) for
        channels last (default); `"NCW"`, `"NCHW"` or `"NCDHW"` for channels first.
      dilation_rate: Window dilation per spatial axis, or one int; default 1. A rate
        above 1 needs every stride to be 1.
      stride: Step per spatial axis, or one int; default 1.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope, also the output op's name; default `"avg_pool"` / `"max_pool"`.

    Returns:
      The pooled tensor, in `data_format`.

    Raises:
      TypeError: If a size is not an int or a sequence of ints.
      ValueError: If `pooling_type`, `padding` or `data_format` is unknown, the rank of
        `inputs` is unknown or not 3 to 5, a size has the wrong length or a value < 1,
        or both a stride and a dilation rate exceed 1.
      RuntimeError: When called eagerly.
    """
    fn = "pool"
    pooling_type = _checks.check_choice(fn, "pooling_type", pooling_type, _POOLING_TYPES)
    padding = _checks.check_padding(fn, padding)
    if data_format is not None:
        data_format = _checks.check_choice(
            fn, "data_format", data_format, ("NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")
        )
    _checks.require_graph(fn)
    with v1.name_scope(scope, f"{pooling_type.lower()}_pool", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(
                f"{fn}: `inputs` must have a known rank of 3 to 5, got shape <unknown>."
            )
        _checks.check_rank(fn, "inputs", inputs, (3, 4, 5))
        spatial = rank - 2
        kernel = _checks.check_int_tuple(fn, "kernel_size", kernel_size, spatial)
        rates = _checks.check_int_tuple(fn, "dilation_rate", dilation_rate, spatial)
        strides = _checks.check_int_tuple(fn, "stride", stride, spatial)
        if max(rates) > 1 and max(strides) > 1:
            raise ValueError(
                f"{fn}: `stride` must be 1 when `dilation_rate` > 1, got stride {strides} "
                f"and dilation_rate {rates}."
            )
        if data_format is not None and len(data_format) != rank:
            raise ValueError(
                f"{fn}: `data_format` {data_format!r} is for rank {len(data_format)}, got "
                f"`inputs` of shape {inputs.shape} (rank {rank})."
            )
        channels_first = data_format is not None and data_format.startswith("NC")
        # TensorFlow's CPU pooling kernels take channels last only: pool in that layout.
        if channels_first:
            inputs = tf.transpose(inputs, [0, *range(2, rank), 1])
        outputs = tf.nn.pool(
            inputs,
            window_shape=kernel,
            pooling_type=pooling_type,
            strides=strides,
            padding=padding,
            dilations=rates,
        )
        if channels_first:
            outputs = tf.transpose(outputs, [0, rank - 1, *range(1, rank - 1)])
        outputs = tf.identity(outputs, name=sc)  # The output op carries the scope's name.
        size = _common.per_example_size(outputs.shape)
        area = 1
        for k in kernel:
            area *= k
        trace.annotate(scope=sc.rstrip("/"), flops=None if size is None else size * area)
        return _common.collect(outputs_collections, sc, outputs)
