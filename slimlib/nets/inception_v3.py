"""Inception v3, as in TF-Slim.

Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
https://arxiv.org/abs/1512.00567 (Table 1 and Figures 5-7). A "VALID" stem of five
convolutions and two max-pools (299x299 -> 35x35), three 35x35 blocks
(`Mixed_5b`-`Mixed_5d`), a grid reduction (`Mixed_6a`), four 17x17 blocks with
factorized 1x7/7x1 convolutions (`Mixed_6b`-`Mixed_6e`), a second reduction
(`Mixed_7a`) and two 8x8 blocks with split 1x3/3x1 convolutions (`Mixed_7b`,
`Mixed_7c`). The classifier adds an auxiliary head on `Mixed_6e` (`AuxLogits`).

The layer names are TF-Slim's, including its slips (`Conv2d_1a_1x1` for 3x3
kernels in `Mixed_6a`, `Conv_1_0c_5x5` in `Mixed_5c`), so its checkpoints load.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import inception_v3
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(inception_v3.inception_v3_arg_scope()):
  ...         net, end_points = inception_v3.inception_v3_base(
  ...             tf.zeros([1, 299, 299, 3]), final_endpoint="MaxPool_5a_3x3")
  ...     net.shape.as_list(), len(end_points)
  ([1, 35, 35, 192], 7)
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib import layers
from slimlib._src.arg_scope import arg_scope
from slimlib.nets import inception_utils
from slimlib.nets._classifier import squeeze_spatial
from slimlib.nets.inception_utils import Conv, Mixed, Pool, Split, Stage

v1 = tf.compat.v1

# A 299x299 image leaves an 8x8 map after Mixed_7c and a 17x17 one after Mixed_6e.
_POOL_KERNEL = (8, 8)
_AUX_CONV_KERNEL = (5, 5)
# Initializers of the auxiliary head in TF-Slim's inception_v3.
_AUX_CONV_STDDEV = 0.01
_AUX_LOGITS_STDDEV = 0.001

_reduced_kernel_size_for_small_input = inception_utils.reduced_kernel_size_for_small_input


def _block_35(scope: str, pool_proj: int, five: tuple[str, str] | None = None) -> Mixed:
    """35x35 block (Figure 5): 1x1; 1x1 -> 5x5; 1x1 -> 3x3 -> 3x3; avg-pool -> 1x1.

    `five` renames the two layers of Branch_1 (TF-Slim's names in Mixed_5c).
    """
    five = five or ("Conv2d_0a_1x1", "Conv2d_0b_5x5")
    return Mixed(
        scope,
        (
            (Conv("Conv2d_0a_1x1", 64, 1),),
            (Conv(five[0], 48, 1), Conv(five[1], 64, 5)),
            (
                Conv("Conv2d_0a_1x1", 64, 1),
                Conv("Conv2d_0b_3x3", 96, 3),
                Conv("Conv2d_0c_3x3", 96, 3),
            ),
            (Pool("avg", "AvgPool_0a_3x3", 3), Conv("Conv2d_0b_1x1", pool_proj, 1)),
        ),
    )


def _block_17(scope: str, inner: int) -> Mixed:
    """17x17 block (Figure 6, n = 7): 7x7 convolutions factorized into 1x7 and 7x1."""
    return Mixed(
        scope,
        (
            (Conv("Conv2d_0a_1x1", 192, 1),),
            (
                Conv("Conv2d_0a_1x1", inner, 1),
                Conv("Conv2d_0b_1x7", inner, (1, 7)),
                Conv("Conv2d_0c_7x1", 192, (7, 1)),
            ),
            (
                Conv("Conv2d_0a_1x1", inner, 1),
                Conv("Conv2d_0b_7x1", inner, (7, 1)),
                Conv("Conv2d_0c_1x7", inner, (1, 7)),
                Conv("Conv2d_0d_7x1", inner, (7, 1)),
                Conv("Conv2d_0e_1x7", 192, (1, 7)),
            ),
            (Pool("avg", "AvgPool_0a_3x3", 3), Conv("Conv2d_0b_1x1", 192, 1)),
        ),
    )


def _block_8(scope: str, branch_1_3x1: str) -> Mixed:
    """8x8 block (Figure 7): the last 3x3 of two branches split into parallel 1x3 and 3x1."""
    return Mixed(
        scope,
        (
            (Conv("Conv2d_0a_1x1", 320, 1),),
            (
                Conv("Conv2d_0a_1x1", 384, 1),
                Split(Conv("Conv2d_0b_1x3", 384, (1, 3)), Conv(branch_1_3x1, 384, (3, 1))),
            ),
            (
                Conv("Conv2d_0a_1x1", 448, 1),
                Conv("Conv2d_0b_3x3", 384, 3),
                Split(Conv("Conv2d_0c_1x3", 384, (1, 3)), Conv("Conv2d_0d_3x1", 384, (3, 1))),
            ),
            (Pool("avg", "AvgPool_0a_3x3", 3), Conv("Conv2d_0b_1x1", 192, 1)),
        ),
    )


_STAGES = (
    Stage(
        "VALID",
        (
            Conv("Conv2d_1a_3x3", 32, 3, stride=2),
            Conv("Conv2d_2a_3x3", 32, 3),
            Conv("Conv2d_2b_3x3", 64, 3, padding="SAME"),
            Pool("max", "MaxPool_3a_3x3", 3, stride=2),
            Conv("Conv2d_3b_1x1", 80, 1),
            Conv("Conv2d_4a_3x3", 192, 3),
            Pool("max", "MaxPool_5a_3x3", 3, stride=2),
        ),
    ),
    Stage(
        "SAME",
        (
            _block_35("Mixed_5b", 32),
            _block_35("Mixed_5c", 64, five=("Conv2d_0b_1x1", "Conv_1_0c_5x5")),
            _block_35("Mixed_5d", 64),
            Mixed(
                "Mixed_6a",
                (
                    (Conv("Conv2d_1a_1x1", 384, 3, stride=2, padding="VALID"),),
                    (
                        Conv("Conv2d_0a_1x1", 64, 1),
                        Conv("Conv2d_0b_3x3", 96, 3),
                        Conv("Conv2d_1a_1x1", 96, 3, stride=2, padding="VALID"),
                    ),
                    (Pool("max", "MaxPool_1a_3x3", 3, stride=2, padding="VALID"),),
                ),
            ),
            _block_17("Mixed_6b", 128),
            _block_17("Mixed_6c", 160),
            _block_17("Mixed_6d", 160),
            _block_17("Mixed_6e", 192),
            Mixed(
                "Mixed_7a",
                (
                    (
                        Conv("Conv2d_0a_1x1", 192, 1),
                        Conv("Conv2d_1a_3x3", 320, 3, stride=2, padding="VALID"),
                    ),
                    (
                        Conv("Conv2d_0a_1x1", 192, 1),
                        Conv("Conv2d_0b_1x7", 192, (1, 7)),
                        Conv("Conv2d_0c_7x1", 192, (7, 1)),
                        Conv("Conv2d_1a_3x3", 192, 3, stride=2, padding="VALID"),
                    ),
                    (Pool("max", "MaxPool_1a_3x3", 3, stride=2, padding="VALID"),),
                ),
            ),
            _block_8("Mixed_7b", "Conv2d_0b_3x1"),
            _block_8("Mixed_7c", "Conv2d_0c_3x1"),
        ),
    ),
)


def inception_v3_base(
    inputs: tf.Tensor,
    final_endpoint: str = "Mixed_7c",
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    scope: str | v1.VariableScope | None = None,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v3 from the images up to `final_endpoint`; use it inside the arg_scope.

    Args:
      inputs: Images `[batch, height, width, channels]`, at least 75x75.
      final_endpoint: The last end point built: "Conv2d_1a_3x3", "Conv2d_2a_3x3",
        "Conv2d_2b_3x3", "MaxPool_3a_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
        "MaxPool_5a_3x3", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a",
        "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b" or
        "Mixed_7c" (default).
      min_depth: Smallest depth of any convolution once `depth_multiplier` is
        applied. Default 16.
      depth_multiplier: Factor (> 0) on every convolution's depth, e.g. 0.5 for a
        net half as wide. Default 1.0.
      scope: Variable scope. Default "InceptionV3".

    Returns:
      `(net, end_points)`: the output of `final_endpoint` (`Mixed_7c` of a 299x299
      image is `[batch, 8, 8, 2048]`) and a dict from each end point built to its
      output, in build order.

    Raises:
      TypeError: If `depth_multiplier` is not a number.
      ValueError: If `depth_multiplier <= 0` or `final_endpoint` is not an end point.
    """
    fn = "inception_v3_base"
    depth = inception_utils.depth_fn(fn, depth_multiplier, min_depth)
    inception_utils.check_final_endpoint(fn, final_endpoint, _STAGES)
    with v1.variable_scope(scope, "InceptionV3", [inputs]):
        return inception_utils.build_base(inputs, _STAGES, final_endpoint, depth)


def _aux_logits(
    net: tf.Tensor, num_classes: int, depth: Callable[[int], int], spatial_squeeze: bool
) -> tf.Tensor:
    """The auxiliary classifier on Mixed_6e: 5x5/3 avg-pool, 1x1, 5x5 "VALID", 1x1 logits."""
    with arg_scope([layers.conv2d, layers.max_pool2d, layers.avg_pool2d], stride=1, padding="SAME"):
        with v1.variable_scope("AuxLogits"):
            net = layers.avg_pool2d(net, [5, 5], stride=3, padding="VALID", scope="AvgPool_1a_5x5")
            net = layers.conv2d(net, depth(128), [1, 1], scope="Conv2d_1b_1x1")
            kernel = _reduced_kernel_size_for_small_input(net, _AUX_CONV_KERNEL)
            net = layers.conv2d(
                net,
                depth(768),
                kernel,
                padding="VALID",
                weights_initializer=v1.truncated_normal_initializer(0.0, _AUX_CONV_STDDEV),
                scope="Conv2d_2a_%dx%d" % tuple(kernel),
            )
            net = layers.conv2d(
                net,
                num_classes,
                [1, 1],
                activation_fn=None,
                normalizer_fn=None,
                weights_initializer=v1.truncated_normal_initializer(0.0, _AUX_LOGITS_STDDEV),
                scope="Conv2d_2b_1x1",
            )
            if spatial_squeeze:
                net = squeeze_spatial(net, "SpatialSqueeze")
            return net


def inception_v3(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.8,
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    prediction_fn: Callable[..., tf.Tensor] = layers.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    create_aux_logits: bool = True,
    scope: str = "InceptionV3",
    global_pool: bool = False,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v3 classifier; use it inside `inception_v3_arg_scope()`.

    The base; the auxiliary head on `Mixed_6e` (scope `AuxLogits`); then in scope
    `Logits`: a "VALID" average pool of 8x8 (less for maps smaller than 8x8) with
    stride 2 (or a global one), dropout (`Dropout_1b`, end point "PreLogits") and
    the 1x1 logits convolution `Conv2d_1c_1x1`.

    Args:
      inputs: Images `[batch, height, width, 3]`, at least 107x107 with the
        auxiliary head (75x75 without); `default_image_size` (299) and smaller
        sizes give 1x1 logits.
      num_classes: Number of classes; 0 or None omits the auxiliary head, dropout
        and the logits and returns the pooled features `[batch, 1, 1, 2048]` (at
        299x299). Default 1000.
      is_training: Whether batch norm and dropout run in training mode (bool or
        scalar bool tensor). Default True.
      dropout_keep_prob: Probability of keeping a feature before the logits. Default 0.8.
      min_depth: Smallest depth of any convolution, see `inception_v3_base`. Default 16.
      depth_multiplier: Factor (> 0) on every convolution's depth (also in the
        auxiliary head). Default 1.0.
      prediction_fn: Maps the logits to end point "Predictions", called as
        `prediction_fn(logits, scope="Predictions")`. Default softmax.
      spatial_squeeze: Squeeze the logits (and auxiliary logits) from
        `[batch, 1, 1, num_classes]` to `[batch, num_classes]`. Default True.
      reuse: Whether to reuse the variables of `scope`.
      create_aux_logits: Build the auxiliary head (end point "AuxLogits"), used as
        an extra loss in training. Default True.
      scope: Variable scope. Default "InceptionV3".
      global_pool: Average the last map over all positions (end point
        "global_pool"), so any input size gives 1x1 logits. Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and a dict
      with the base's end points, then "AuxLogits" (if built), "global_pool" (if
      set), "PreLogits", "Logits" and "Predictions".

    Raises:
      TypeError: If `depth_multiplier` is not a number.
      ValueError: If `depth_multiplier <= 0`, or `spatial_squeeze` is set and the
        logits are not 1x1.
    """
    depth = inception_utils.depth_fn("inception_v3", depth_multiplier, min_depth)
    with v1.variable_scope(scope, "InceptionV3", [inputs], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v3_base(
                inputs, scope=sc, min_depth=min_depth, depth_multiplier=depth_multiplier
            )
            if create_aux_logits and num_classes:
                end_points["AuxLogits"] = _aux_logits(
                    end_points["Mixed_6e"], num_classes, depth, spatial_squeeze
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
                    global_pool_name="GlobalPool",
                    dropout_scope="Dropout_1b",
                    logits_scope="Conv2d_1c_1x1",
                    pre_logits=True,
                )
            if not num_classes:
                return net, end_points
            end_points["Logits"] = net
            end_points["Predictions"] = prediction_fn(net, scope="Predictions")
    return net, end_points


inception_v3.default_image_size = 299

inception_v3_arg_scope = inception_utils.inception_arg_scope

__all__ = ["inception_v3", "inception_v3_arg_scope", "inception_v3_base"]
