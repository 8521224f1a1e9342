"""Building blocks shared by ResNet v1 and v2.

He et al., "Deep Residual Learning for Image Recognition",
https://arxiv.org/abs/1512.03385, and "Identity Mappings in Deep Residual
Networks", https://arxiv.org/abs/1603.05027.

A ResNet is a root (7x7/2 convolution and 3x3/2 max-pool) followed by `Block`s of
residual units. Each block downsamples in its *last* unit (not the first, as in
the papers' code): the result is the same and needs less memory. The output
stride (input size / output size) can be lowered below the nominal 32 with atrous
convolution, see `stack_blocks_dense`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import tensorflow as tf

from slimlib import initializers, layers, regularizers, utils
from slimlib._src.arg_scope import ArgScope, add_arg_scope, arg_scope
from slimlib.nets._classifier import squeeze_spatial

v1 = tf.compat.v1


class Block(NamedTuple):
    """One ResNet block: `scope`, the residual unit function and one kwargs dict per unit.

    Attributes:
      scope: Variable scope of the block, e.g. `"block1"`.
      unit_fn: The residual unit, called as `unit_fn(net, rate=..., **args[i])`.
      args: One dict per unit, e.g. `{"depth": 256, "depth_bottleneck": 64, "stride": 1}`.
    """

    scope: str
    unit_fn: Callable[..., tf.Tensor]
    args: list[dict[str, Any]]


def subsample(inputs: tf.Tensor, factor: int, scope: str | None = None) -> tf.Tensor:
    """Keeps every `factor`-th row and column (a 1x1 max-pool with stride `factor`).

    Args:
      inputs: Tensor `[batch, height, width, channels]`.
      factor: Subsampling factor, an int >= 1; 1 returns `inputs` itself.
      scope: Name scope of the pool.

    Returns:
      Tensor `[batch, ceil(height / factor), ceil(width / factor), channels]`.
    """
    if factor == 1:
        return inputs
    return layers.max_pool2d(inputs, [1, 1], stride=factor, scope=scope)


def conv2d_same(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int,
    stride: int,
    rate: int = 1,
    scope: str | None = None,
) -> tf.Tensor:
    """A "SAME" convolution whose padding does not depend on the input size.

    With stride 1 this is `conv2d(..., padding="SAME")`. With a larger stride, TF's
    "SAME" puts the extra padding row after the input when the size is even, which
    shifts the sampling grid; here the input is zero-padded explicitly by
    `pad_total = k_eff - 1` (`k_eff = kernel_size + (kernel_size - 1) * (rate - 1)`),
    `pad_total // 2` before and the rest after, then convolved with "VALID". The
    result equals a stride-1 "SAME" convolution subsampled by `stride`.

    Args:
      inputs: Tensor `[batch, height, width, channels]`.
      num_outputs: Number of output channels.
      kernel_size: Size of the square kernel, an int.
      stride: Output stride, an int.
      rate: Atrous rate, an int; default 1.
      scope: Variable scope of the convolution.

    Returns:
      Tensor `[batch, ceil(height / stride), ceil(width / stride), num_outputs]`.
    """
    if stride == 1:
        return layers.conv2d(
            inputs, num_outputs, kernel_size, stride=1, rate=rate, padding="SAME", scope=scope
        )
    effective = kernel_size + (kernel_size - 1) * (rate - 1)
    before = (effective - 1) // 2
    after = effective - 1 - before
    inputs = tf.pad(inputs, [[0, 0], [before, after], [before, after], [0, 0]])
    return layers.conv2d(
        inputs, num_outputs, kernel_size, stride=stride, rate=rate, padding="VALID", scope=scope
    )


@add_arg_scope
def stack_blocks_dense(
    net: tf.Tensor,
    blocks: Sequence[Block],
    output_stride: int | None = None,
    outputs_collections: str | list[str] | None = None,
) -> tf.Tensor:
    """Applies `blocks` in order (scopes `<block.scope>/unit_<i>`), at a chosen density.

    The product of the unit strides so far is the current stride. Once it reaches
    `output_stride`, every later unit runs with stride 1 and an atrous rate equal to
    the product of the strides it skipped, so the receptive fields stay those of
    the nominal net while the map stays `output_stride` times smaller than the input.

    Args:
      net: Tensor `[batch, height, width, channels]`.
      blocks: The `Block`s to apply.
      output_stride: None (the nominal stride, the product of all unit strides) or
        the wanted ratio of input to output size; it must be a product of the unit
        strides from the start up to some unit (for ResNets: 1, 2, 4, 8, ...).
      outputs_collections: Collections each unit's and each block's output is added to.

    Returns:
      Tensor with the output of the last block.

    Raises:
      ValueError: If `output_stride` cannot be reached.
    """
    current_stride = 1
    rate = 1
    for block in blocks:
        with v1.variable_scope(block.scope, "block", [net]) as sc:
            for i, unit in enumerate(block.args, start=1):
                if output_stride is not None and current_stride > output_stride:
                    raise ValueError(_stride_error(output_stride, blocks))
                with v1.variable_scope(f"unit_{i}", values=[net]):
                    unit_stride = unit.get("stride", 1)
                    if output_stride is not None and current_stride == output_stride:
                        # Target reached: keep the resolution, dilate instead.
                        net = block.unit_fn(net, rate=rate, **dict(unit, stride=1))
                        rate *= unit_stride
                    else:
                        net = block.unit_fn(net, rate=1, **unit)
                        current_stride *= unit_stride
            net = utils.collect_named_outputs(outputs_collections, sc.name, net)
    if output_stride is not None and current_stride != output_stride:
        raise ValueError(_stride_error(output_stride, blocks))
    return net


def _stride_error(output_stride: int, blocks: Sequence[Block]) -> str:
    reachable = [1]
    for block in blocks:
        for unit in block.args:
            if unit.get("stride", 1) != 1:
                reachable.append(reachable[-1] * unit["stride"])
    return (
        "stack_blocks_dense: `output_stride` must be a product of the unit strides "
        f"{reachable} (relative to the blocks' input), got {output_stride!r}."
    )


def resnet_arg_scope(
    weight_decay: float = 0.0001,
    batch_norm_decay: float = 0.997,
    batch_norm_epsilon: float = 1e-5,
    batch_norm_scale: bool = True,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
    use_batch_norm: bool = True,
    batch_norm_updates_collections: str | list[str] | None = v1.GraphKeys.UPDATE_OPS,
) -> ArgScope:
    """The arg_scope ResNets are trained with.

    Convolutions: He (variance scaling) initialization, L2 weight decay, ReLU, and
    batch norm in place of biases; max-pools "SAME" (so `pool1` keeps corners
    aligned, as in fb.resnet.torch). The batch-norm defaults suit the reference
    models of https://github.com/KaimingHe/deep-residual-networks.

    Args:
      weight_decay: Scale of the L2 regularizer of the kernels, >= 0. Default 0.0001.
      batch_norm_decay: Moving-average decay of batch norm. Default 0.997.
      batch_norm_epsilon: Variance epsilon of batch norm. Default 1e-5.
      batch_norm_scale: Whether batch norm has a `gamma`. Default True.
      activation_fn: Activation of the convolutions. Default ReLU.
      use_batch_norm: Whether convolutions are batch-normalized. Default True.
      batch_norm_updates_collections: Where batch norm puts its moving-average
        updates. Default `UPDATE_OPS`.

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    batch_norm_params = {
        "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "scale": batch_norm_scale,
        "updates_collections": batch_norm_updates_collections,
    }
    with arg_scope(
        [layers.conv2d],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        weights_initializer=initializers.variance_scaling_initializer(),
        activation_fn=activation_fn,
        normalizer_fn=layers.batch_norm if use_batch_norm else None,
        normalizer_params=batch_norm_params,
    ):
        with arg_scope([layers.batch_norm], **batch_norm_params):
            # "SAME" pool1 keeps features aligned with the image for dense prediction.
            with arg_scope([layers.max_pool2d], padding="SAME") as sc:
                return sc


# Units per block for each depth (block1..block4); the blocks are 64, 128, 256 and
# 512 wide inside with strides 2, 2, 2, 1 (He et al. 2015, Table 1; depth 200 from
# He et al. 2016, Table 2).
_UNITS = {
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
    200: (3, 24, 36, 3),
}
_BASE_DEPTHS = (64, 128, 256, 512)
_BLOCK_STRIDES = (2, 2, 2, 1)
# Stride of the root: conv1 (2) times pool1 (2).
_ROOT_STRIDE = 4


def _standard_blocks(block_fn: Callable[..., Block], depth: int) -> list[Block]:
    """The four blocks of the ResNet of `depth` (50, 101, 152 or 200), made by `block_fn`."""
    return [
        block_fn(f"block{i}", base_depth=base, num_units=units, stride=stride)
        for i, (base, units, stride) in enumerate(
            zip(_BASE_DEPTHS, _UNITS[depth], _BLOCK_STRIDES), start=1
        )
    ]


def _resnet(
    inputs: tf.Tensor,
    blocks: Sequence[Block],
    unit_fn: Callable[..., tf.Tensor],
    *,
    default_scope: str,
    preactivation: bool,
    num_classes: int | None,
    is_training: bool | tf.Tensor,
    global_pool: bool,
    output_stride: int | None,
    include_root_block: bool,
    reuse: bool | None,
    scope: str | None,
    spatial_squeeze: bool,
) -> tuple[tf.Tensor, OrderedDict]:
    """The body of `resnet_v1` and `resnet_v2`.

    Root (`conv1` 7x7/2 via `conv2d_same`, `pool1` 3x3/2), the blocks, for the
    pre-activation form a final batch norm + ReLU (`postnorm`, since its units end
    in a bare sum), then the optional global average pool (`pool5`), 1x1 `logits`,
    squeeze and softmax `predictions`.
    """
    with v1.variable_scope(scope, default_scope, [inputs], reuse=reuse) as sc:
        collection = sc.original_name_scope + "_end_points"
        with arg_scope(
            [layers.conv2d, unit_fn, stack_blocks_dense], outputs_collections=collection
        ):
            with arg_scope([layers.batch_norm], is_training=is_training):
                net = inputs
                if include_root_block:
                    if output_stride is not None:
                        if output_stride % _ROOT_STRIDE != 0:
                            raise ValueError(
                                f"{default_scope}: `output_stride` must be a multiple of "
                                f"{_ROOT_STRIDE} (the root's stride), got {output_stride!r}."
                            )
                        output_stride //= _ROOT_STRIDE
                    # Pre-activation units normalize their own inputs, so the v2 root
                    # convolution is linear (He et al. 2016, appendix).
                    linear = {"activation_fn": None, "normalizer_fn": None}
                    with arg_scope([layers.conv2d], **(linear if preactivation else {})):
                        net = conv2d_same(net, 64, 7, stride=2, scope="conv1")
                    net = layers.max_pool2d(net, [3, 3], stride=2, scope="pool1")
                net = stack_blocks_dense(net, blocks, output_stride)
                if preactivation:
                    net = layers.batch_norm(net, activation_fn=tf.nn.relu, scope="postnorm")
                if global_pool:
                    net = tf.reduce_mean(net, [1, 2], name="pool5", keepdims=True)
                if num_classes:
                    net = layers.conv2d(
                        net,
                        num_classes,
                        [1, 1],
                        activation_fn=None,
                        normalizer_fn=None,
                        scope="logits",
                    )
                end_points = utils.convert_collection_to_dict(collection)
                if num_classes:
                    if spatial_squeeze:
                        net = squeeze_spatial(net, "SpatialSqueeze")
                        end_points[sc.name + "/spatial_squeeze"] = net
                    end_points["predictions"] = layers.softmax(net, scope="predictions")
                return net, end_points


__all__ = ["Block", "conv2d_same", "resnet_arg_scope", "stack_blocks_dense", "subsample"]
