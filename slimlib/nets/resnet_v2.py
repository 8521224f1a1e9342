"""ResNet v2: full pre-activation bottleneck units (batch norm and ReLU before each conv).

He et al., "Identity Mappings in Deep Residual Networks",
https://arxiv.org/abs/1603.05027 (Fig. 1b and the appendix). Each unit ends in a
bare sum; the net therefore applies one last batch norm + ReLU (`postnorm`) after
the blocks, and its root convolution `conv1` has neither (the first unit
normalizes it). For the original form see `resnet_v1`.

Example (`resnet_v2_50(images, 1001)` builds the full net the same way; two narrow
blocks keep this one small):
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import resnet_v2
  >>> blocks = [resnet_v2.resnet_v2_block("block1", base_depth=4, num_units=2, stride=2),
  ...           resnet_v2.resnet_v2_block("block2", base_depth=8, num_units=2, stride=1)]
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(resnet_v2.resnet_arg_scope()):
  ...         logits, end_points = resnet_v2.resnet_v2(tf.zeros([1, 64, 64, 3]), blocks, 10)
  ...     logits.shape.as_list(), list(end_points)[-2:]
  ([1, 1, 1, 10], ['resnet_v2/logits', 'predictions'])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import tensorflow as tf

from slimlib import layers, utils
from slimlib._src.arg_scope import add_arg_scope
from slimlib.nets import resnet_utils

v1 = tf.compat.v1

resnet_arg_scope = resnet_utils.resnet_arg_scope


@add_arg_scope
def bottleneck(
    inputs: tf.Tensor,
    depth: int,
    depth_bottleneck: int,
    stride: int,
    rate: int = 1,
    outputs_collections: str | list[str] | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """A v2 (pre-activation) bottleneck unit: `shortcut + conv3(conv2(conv1(preact)))`.

    `preact = relu(batch_norm(inputs))` feeds the residual branch and, when the
    depth changes, the 1x1 strided projection shortcut (otherwise the shortcut is
    `inputs` subsampled by `stride`). `conv1` (1x1) and `conv2` (3x3, `stride`,
    `rate`) are batch-normalized by the arg_scope; `conv3` (1x1 to `depth`) and the
    projection are linear with biases.

    Args:
      inputs: Tensor `[batch, height, width, channels]`.
      depth: Output depth of the unit.
      depth_bottleneck: Depth of the two inner convolutions.
      stride: Downsampling factor of the unit.
      rate: Atrous rate of `conv2`. Default 1.
      outputs_collections: Collections the unit's output is added to.
      scope: Variable scope; default `"bottleneck_v2"`.

    Returns:
      Tensor `[batch, ceil(height / stride), ceil(width / stride), depth]`.
    """
    with v1.variable_scope(scope, "bottleneck_v2", [inputs]) as sc:
        depth_in = utils.last_dimension(inputs.shape, min_rank=4)
        preact = layers.batch_norm(inputs, activation_fn=tf.nn.relu, scope="preact")
        linear = {"activation_fn": None, "normalizer_fn": None}
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = layers.conv2d(
                preact, depth, [1, 1], stride=stride, scope="shortcut", **linear
            )
        residual = layers.conv2d(preact, depth_bottleneck, [1, 1], stride=1, scope="conv1")
        residual = resnet_utils.conv2d_same(
            residual, depth_bottleneck, 3, stride, rate=rate, scope="conv2"
        )
        residual = layers.conv2d(residual, depth, [1, 1], stride=1, scope="conv3", **linear)
        output = shortcut + residual
        return utils.collect_named_outputs(outputs_collections, sc.name, output)


def resnet_v2(
    inputs: tf.Tensor,
    blocks: Sequence[resnet_utils.Block],
    num_classes: int | None = None,
    is_training: bool | tf.Tensor = True,
    global_pool: bool = True,
    output_stride: int | None = None,
    include_root_block: bool = True,
    reuse: bool | None = None,
    scope: str | None = None,
    *,
    spatial_squeeze: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    """Builds a v2 (pre-activation) ResNet from `blocks`; use it inside `resnet_arg_scope()`.

    Root (`conv1` 7x7/2 with `conv2d_same`, linear; `pool1` 3x3/2), the blocks,
    `postnorm` (batch norm + ReLU), then optionally a global average pool (`pool5`)
    and a 1x1 `logits` convolution.

    Args:
      inputs: Images `[batch, height, width, channels]`. For dense prediction,
        sizes of `32 * k + 1` (e.g. 321) keep the corners of the output aligned
        with those of the input: the output is `(size - 1) / output_stride + 1` wide.
      blocks: The `resnet_utils.Block`s.
      num_classes: Number of classes; 0 or None returns the features (after the
        global pool, if any) without logits or predictions. Default None.
      is_training: Batch-norm mode (bool or scalar bool tensor). Default True.
      global_pool: Average the last block over space (`[batch, 1, 1, channels]`)
        for classification; False for dense prediction. Default True.
      output_stride: None (32) or a multiple of 4 that the unit strides can reach
        (4, 8, 16, 32); below 32 the later units use atrous convolution.
      include_root_block: Whether to apply `conv1` and `pool1`. Default True; without
        it `inputs` should come from a convolution with no activation.
      reuse: Whether to reuse the variables of `scope`.
      scope: Variable scope; default `"resnet_v2"`.
      spatial_squeeze: Squeeze the logits to `[batch, num_classes]` (they must be
        1x1), adding end point `<scope>/spatial_squeeze`. TF-Slim's ResNets never
        squeeze, hence the default False.

    Returns:
      `(net, end_points)`: the logits `[batch, h, w, num_classes]` (or the features,
      see `num_classes`) and an ordered dict of end points: each convolution, unit
      and block by scope name, `<scope>/logits` and `"predictions"` (the softmax).

    Raises:
      ValueError: If `output_stride` is not a multiple of 4 (with the root block) or
        cannot be reached.
    """
    return resnet_utils._resnet(
        inputs,
        blocks,
        bottleneck,
        default_scope="resnet_v2",
        preactivation=True,
        num_classes=num_classes,
        is_training=is_training,
        global_pool=global_pool,
        output_stride=output_stride,
        include_root_block=include_root_block,
        reuse=reuse,
        scope=scope,
        spatial_squeeze=spatial_squeeze,
    )


resnet_v2.default_image_size = 224


def resnet_v2_block(scope: str, base_depth: int, num_units: int, stride: int) -> resnet_utils.Block:
    """A block of `num_units` v2 bottlenecks, `base_depth` wide inside, `4 * base_depth` out.

    Args:
      scope: Variable scope of the block, e.g. `"block1"`.
      base_depth: Depth of the bottleneck convolutions.
      num_units: Number of units.
      stride: Stride of the last unit (the others have stride 1).

    Returns:
      A `resnet_utils.Block`.
    """
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    args = [dict(unit, stride=1) for _ in range(num_units - 1)] + [dict(unit, stride=stride)]
    return resnet_utils.Block(scope, bottleneck, args)


def _make_resnet_v2(depth: int):
    name = f"resnet_v2_{depth}"

    def net_fn(
        inputs: tf.Tensor,
        num_classes: int | None = None,
        is_training: bool | tf.Tensor = True,
        global_pool: bool = True,
        output_stride: int | None = None,
        reuse: bool | None = None,
        scope: str = name,
        *,
        spatial_squeeze: bool = False,
    ) -> tuple[tf.Tensor, OrderedDict]:
        return resnet_v2(
            inputs,
            resnet_utils._standard_blocks(resnet_v2_block, depth),
            num_classes,
            is_training,
            global_pool,
            output_stride,
            include_root_block=True,
            reuse=reuse,
            scope=scope,
            spatial_squeeze=spatial_squeeze,
        )

    net_fn.__name__ = net_fn.__qualname__ = name
    net_fn.__doc__ = (
        f"ResNet-{depth} v2 (blocks of {', '.join(map(str, resnet_utils._UNITS[depth]))} units); "
        "see `resnet_v2` for the arguments.\n\n"
        "    Returns:\n      `(net, end_points)`, see `resnet_v2`.\n"
    )
    net_fn.default_image_size = resnet_v2.default_image_size
    return net_fn


resnet_v2_50 = _make_resnet_v2(50)
resnet_v2_101 = _make_resnet_v2(101)
resnet_v2_152 = _make_resnet_v2(152)
resnet_v2_200 = _make_resnet_v2(200)

__all__ = [
    "bottleneck",
    "resnet_arg_scope",
    "resnet_v2",
    "resnet_v2_101",
    "resnet_v2_152",
    "resnet_v2_200",
    "resnet_v2_50",
    "resnet_v2_block",
]
