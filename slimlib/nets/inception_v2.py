"""Inception v2 (BN-Inception), as in TF-Slim.

Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network Training by
Reducing Internal Covariate Shift", https://arxiv.org/abs/1502.03167 (Figure 5).
Inception v1 with batch norm, the 5x5 convolutions replaced by two 3x3 ones,
average pooling in most pool branches and two stride-2 reduction blocks
(`Mixed_4a`, `Mixed_5a`) instead of max-pools between stages. TF-Slim makes the
first 7x7 convolution depthwise separable. Every layer is "SAME"; a 224x224 image
leaves a 7x7x1024 map.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import inception_v2
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(inception_v2.inception_v2_arg_scope()):
  ...         net, end_points = inception_v2.inception_v2_base(
  ...             tf.zeros([1, 224, 224, 3]), final_endpoint="Conv2d_1a_7x7")
  ...     variables = tf.compat.v1.global_variables()
  ...     net.shape.as_list(), [v.op.name.split("/")[-1] for v in variables]
  ([1, 112, 112, 64], ['depthwise_weights', 'pointwise_weights', 'biases'])
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib import layers
from slimlib._src import _checks
from slimlib._src.arg_scope import arg_scope
from slimlib.nets import inception_utils
from slimlib.nets.inception_utils import Conv, Mixed, Pool, SeparableConv, Stage

v1 = tf.compat.v1

# Initializers of TF-Slim's inception_v2 (its checkpoints were trained with them):
# the first layer, the 1x1 reductions in front of 3x3 convolutions, the pool
# projections and Conv2d_2b_1x1.
_FIRST_STDDEV = 1.0
_REDUCE_STDDEV = 0.09
_PROJECTION_STDDEV = 0.1
# Channels of the first separable convolution's depthwise step, at most: with 3 input
# channels, 3 * 8 = 24 <= 64 outputs keeps the 1x1 step from being over-parameterized.
_MAX_DEPTHWISE_MULTIPLIER = 8
# A 224x224 image leaves a 7x7 map after Mixed_5c (stride 32).
_POOL_KERNEL = (7, 7)
_DATA_FORMATS = ("NHWC", "NCHW")

_reduced_kernel_size_for_small_input = inception_utils.reduced_kernel_size_for_small_input


def _block(
    scope: str,
    one: int,
    three: tuple[int, int],
    double_three: tuple[int, int],
    pool_proj: int,
    pool: str = "avg",
) -> Mixed:
    """An Inception block; `three` and `double_three` are `(reduce, out)` depths."""
    pool_layer = Pool(pool, "AvgPool_0a_3x3" if pool == "avg" else "MaxPool_0a_3x3", 3)
    reduce_ = {"stddev": _REDUCE_STDDEV}
    return Mixed(
        scope,
        (
            (Conv("Conv2d_0a_1x1", one, 1),),
            (
                Conv("Conv2d_0a_1x1", three[0], 1, **reduce_),
                Conv("Conv2d_0b_3x3", three[1], 3),
            ),
            (
                Conv("Conv2d_0a_1x1", double_three[0], 1, **reduce_),
                Conv("Conv2d_0b_3x3", double_three[1], 3),
                Conv("Conv2d_0c_3x3", double_three[1], 3),
            ),
            (pool_layer, Conv("Conv2d_0b_1x1", pool_proj, 1, stddev=_PROJECTION_STDDEV)),
        ),
    )


def _reduction(scope: str, three: tuple[int, int], double_three: tuple[int, int]) -> Mixed:
    """A stride-2 block: 1x1 -> 3x3/2; 1x1 -> 3x3 -> 3x3/2; 3x3/2 max-pool."""
    return Mixed(
        scope,
        (
            (
                Conv("Conv2d_0a_1x1", three[0], 1, stddev=_REDUCE_STDDEV),
                Conv("Conv2d_1a_3x3", three[1], 3, stride=2),
            ),
            (
                Conv("Conv2d_0a_1x1", double_three[0], 1, stddev=_REDUCE_STDDEV),
                Conv("Conv2d_0b_3x3", double_three[1], 3),
                Conv("Conv2d_1a_3x3", double_three[1], 3, stride=2),
            ),
            (Pool("max", "MaxPool_1a_3x3", 3, stride=2),),
        ),
    )


# Figure 5 of the paper (inception 3a ... 5b are Mixed_3b ... Mixed_5c here).
_BLOCKS = (
    _block("Mixed_3b", 64, (64, 64), (64, 96), 32),
    _block("Mixed_3c", 64, (64, 96), (64, 96), 64),
    _reduction("Mixed_4a", (128, 160), (64, 96)),
    _block("Mixed_4b", 224, (64, 96), (96, 128), 128),
    _block("Mixed_4c", 192, (96, 128), (96, 128), 128),
    _block("Mixed_4d", 160, (128, 160), (128, 160), 96),
    _block("Mixed_4e", 96, (128, 192), (160, 192), 96),
    _reduction("Mixed_5a", (128, 192), (192, 256)),
    _block("Mixed_5b", 352, (192, 320), (160, 224), 128),
    _block("Mixed_5c", 352, (192, 320), (192, 224), 128, pool="max"),
)


def _stages(
    depth: Callable[[int], int], use_separable_conv: bool, include_root_block: bool
) -> tuple[Stage, ...]:
    if not include_root_block:
        return (Stage("SAME", _BLOCKS),)
    if use_separable_conv:
        # The depthwise multiplier assumes 3 input channels (RGB).
        multiplier = min(int(depth(64) / 3), _MAX_DEPTHWISE_MULTIPLIER)
        first = SeparableConv("Conv2d_1a_7x7", 64, 7, multiplier, 2, _FIRST_STDDEV)
    else:
        first = Conv("Conv2d_1a_7x7", 64, 7, stride=2, stddev=_FIRST_STDDEV)
    root = (
        first,
        Pool("max", "MaxPool_2a_3x3", 3, stride=2),
        Conv("Conv2d_2b_1x1", 64, 1, stddev=_PROJECTION_STDDEV),
        Conv("Conv2d_2c_3x3", 192, 3),
        Pool("max", "MaxPool_3a_3x3", 3, stride=2),
    )
    return (Stage("SAME", root + _BLOCKS),)


def inception_v2_base(
    inputs: tf.Tensor,
    final_endpoint: str = "Mixed_5c",
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    use_separable_conv: bool = True,
    data_format: str = "NHWC",
    include_root_block: bool = True,
    scope: str | v1.VariableScope | None = None,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v2 from the images up to `final_endpoint`; use it inside the arg_scope.

    Args:
      inputs: Images `[batch, height, width, channels]` (`[batch, channels, height,
        width]` for "NCHW"). Every layer is "SAME", so any size works.
      final_endpoint: The last end point built: "Conv2d_1a_7x7", "MaxPool_2a_3x3",
        "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3" (these five only with
        `include_root_block`), "Mixed_3b", "Mixed_3c", "Mixed_4a", "Mixed_4b",
        "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_5a", "Mixed_5b" or "Mixed_5c"
        (default).
      min_depth: Smallest depth of any convolution once `depth_multiplier` is
        applied. Default 16.
      depth_multiplier: Factor (> 0) on every convolution's depth, e.g. 0.5 for a
        net half as wide. Default 1.0.
      use_separable_conv: Make `Conv2d_1a_7x7` depthwise separable (TF-Slim's
        checkpoints) rather than a plain convolution. Default True.
      data_format: "NHWC" (default) or "NCHW" (needs `use_separable_conv=False`).
      include_root_block: Build the layers before `Mixed_3b`; False starts at
        `Mixed_3b` with `inputs` as its input. Default True.
      scope: Variable scope. Default "InceptionV2".

    Returns:
      `(net, end_points)`: the output of `final_endpoint` (`Mixed_5c` of a 224x224
      image is `[batch, 7, 7, 1024]`) and a dict from each end point built to its
      output, in build order.

    Raises:
      TypeError: If `depth_multiplier` is not a number.
      ValueError: If `depth_multiplier <= 0`, `data_format` is unknown or "NCHW"
        with `use_separable_conv`, or `final_endpoint` is not an end point.
    """
    fn = "inception_v2_base"
    depth = inception_utils.depth_fn(fn, depth_multiplier, min_depth)
    data_format = _checks.check_choice(fn, "data_format", data_format, _DATA_FORMATS)
    if data_format == "NCHW" and use_separable_conv:
        raise ValueError(
            f"{fn}: `data_format` 'NCHW' needs `use_separable_conv=False` (separable "
            "convolutions support NHWC only), got use_separable_conv=True."
        )
    stages = _stages(depth, use_separable_conv, include_root_block)
    inception_utils.check_final_endpoint(fn, final_endpoint, stages)
    with v1.variable_scope(scope, "InceptionV2", [inputs]):
        # Batch norm too: it normalizes per channel, so it must know where they are
        # (TF-Slim leaves it NHWC, which gives NCHW nets per-column statistics).
        with arg_scope(
            [layers.conv2d, layers.max_pool2d, layers.avg_pool2d, layers.batch_norm],
            data_format=data_format,
        ):
            return inception_utils.build_base(
                inputs, stages, final_endpoint, depth, concat_axis=data_format.index("C")
            )


def inception_v2(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.8,
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    prediction_fn: Callable[..., tf.Tensor] = layers.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    scope: str = "InceptionV2",
    global_pool: bool = False,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v2 classifier; use it inside `inception_v2_arg_scope()`.

    The base, then in scope `Logits`: a "VALID" average pool of 7x7 (less for maps
    smaller than 7x7) with stride 2 (or a global one), dropout (`Dropout_1b`) and
    the 1x1 logits convolution `Conv2d_1c_1x1`.

    Args:
      inputs: Images `[batch, height, width, 3]`; `default_image_size` (224) and
        smaller sizes give 1x1 logits.
      num_classes: Number of classes; 0 or None omits dropout and the logits and
        returns the pooled features `[batch, 1, 1, 1024]` (at 224x224). Default 1000.
      is_training: Whether batch norm and dropout run in training mode (bool or
        scalar bool tensor). Default True.
      dropout_keep_prob: Probability of keeping a feature before the logits. Default 0.8.
      min_depth: Smallest depth of any convolution, see `inception_v2_base`. Default 16.
      depth_multiplier: Factor (> 0) on every convolution's depth. Default 1.0.
      prediction_fn: Maps the logits to end point "Predictions", called as
        `prediction_fn(logits, scope="Predictions")`. Default softmax.
      spatial_squeeze: Squeeze the logits from `[batch, 1, 1, num_classes]` to
        `[batch, num_classes]`. Default True.
      reuse: Whether to reuse the variables of `scope`.
      scope: Variable scope. Default "InceptionV2".
      global_pool: Average the last map over all positions (end point
        "global_pool"), so any input size gives 1x1 logits. Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and a dict
      with the base's end points, then "global_pool" (if set), "Logits" and
      "Predictions".

    Raises:
      TypeError: If `depth_multiplier` is not a number.
      ValueError: If `depth_multiplier <= 0`, or `spatial_squeeze` is set and the
        logits are not 1x1.
    """
    inception_utils.depth_fn("inception_v2", depth_multiplier, min_depth)
    with v1.variable_scope(scope, "InceptionV2", [inputs], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v2_base(
                inputs, scope=sc, min_depth=min_depth, depth_multiplier=depth_multiplier
            )
            with v1.variable_scope("Logits"):
                kernel = _reduced_kernel_size_for_small_input(net, _POOL_KERNEL)
                net = inception_utils.logits_head(
                    net,
                    end_points,
                    num_classes=num_classes,
                    dropout_keep_prob=dropout_keep_prob,
                    spatial_squeeze=spatial_squeeze,
                    global_pool=global_pool,
                    pool_kernel=kernel,
                    pool_stride=2,
                    pool_scope="AvgPool_1a_%dx%d" % tuple(kernel),
                    global_pool_name="global_pool",
                    dropout_scope="Dropout_1b",
                    logits_scope="Conv2d_1c_1x1",
                )
            if not num_classes:
                return net, end_points
            end_points["Logits"] = net
            end_points["Predictions"] = prediction_fn(net, scope="Predictions")
    return net, end_points


inception_v2.default_image_size = 224

inception_v2_arg_scope = inception_utils.inception_arg_scope

__all__ = ["inception_v2", "inception_v2_arg_scope", "inception_v2_base"]
