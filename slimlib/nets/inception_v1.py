"""Inception v1 (GoogLeNet) with batch norm, as in TF-Slim.

Szegedy et al., "Going Deeper with Convolutions", https://arxiv.org/abs/1409.4842
(Table 1). A 7x7/2 convolution, a 1x1 and a 3x3 convolution with max-pools
between them, then nine Inception blocks (`Mixed_3b` ... `Mixed_5c`) of four
branches: 1x1; 1x1 -> 3x3; 1x1 -> "5x5"; 3x3 max-pool -> 1x1. As in TF-Slim (and
so in its checkpoints) the "5x5" branch is a 3x3 convolution. Every convolution
is "SAME"; a 224x224 image leaves a 7x7x1024 map, average-pooled to the logits.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import inception_v1
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(inception_v1.inception_v1_arg_scope()):
  ...         net, end_points = inception_v1.inception_v1_base(
  ...             tf.zeros([1, 224, 224, 3]), final_endpoint="Mixed_3b")
  ...     net.shape.as_list(), list(end_points)[-2:]
  ([1, 28, 28, 256], ['MaxPool_3a_3x3', 'Mixed_3b'])
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib import layers
from slimlib._src.arg_scope import arg_scope
from slimlib.nets import inception_utils
from slimlib.nets.inception_utils import Conv, Mixed, Pool, Stage

v1 = tf.compat.v1

# Initializer of the base's kernels (inside the arg_scope's), as in TF-Slim.
_WEIGHTS_STDDEV = 0.01
# A 224x224 image leaves a 7x7 map after Mixed_5c (stride 32).
_POOL_KERNEL = (7, 7)


def _block(
    scope: str,
    one: int,
    three: tuple[int, int],
    five: tuple[int, int],
    pool_proj: int,
    five_scope: str = "Conv2d_0b_3x3",
) -> Mixed:
    """An Inception block; the arguments are the columns of Table 1 of the paper.

    `three` and `five` are `(reduce, out)` depths. `five_scope` is the name of the
    second layer of Branch_2, "Conv2d_0a_3x3" in Mixed_5b of TF-Slim's checkpoints.
    """
    return Mixed(
        scope,
        (
            (Conv("Conv2d_0a_1x1", one, 1),),
            (Conv("Conv2d_0a_1x1", three[0], 1), Conv("Conv2d_0b_3x3", three[1], 3)),
            (Conv("Conv2d_0a_1x1", five[0], 1), Conv(five_scope, five[1], 3)),
            (Pool("max", "MaxPool_0a_3x3", 3), Conv("Conv2d_0b_1x1", pool_proj, 1)),
        ),
    )


# Table 1 of the paper (inception 3a ... 5b are Mixed_3b ... Mixed_5c here).
_STAGES = (
    Stage(
        "SAME",
        (
            Conv("Conv2d_1a_7x7", 64, 7, stride=2),
            Pool("max", "MaxPool_2a_3x3", 3, stride=2),
            Conv("Conv2d_2b_1x1", 64, 1),
            Conv("Conv2d_2c_3x3", 192, 3),
            Pool("max", "MaxPool_3a_3x3", 3, stride=2),
            _block("Mixed_3b", 64, (96, 128), (16, 32), 32),
            _block("Mixed_3c", 128, (128, 192), (32, 96), 64),
            Pool("max", "MaxPool_4a_3x3", 3, stride=2),
            _block("Mixed_4b", 192, (96, 208), (16, 48), 64),
            _block("Mixed_4c", 160, (112, 224), (24, 64), 64),
            _block("Mixed_4d", 128, (128, 256), (24, 64), 64),
            _block("Mixed_4e", 112, (144, 288), (32, 64), 64),
            _block("Mixed_4f", 256, (160, 320), (32, 128), 128),
            Pool("max", "MaxPool_5a_2x2", 2, stride=2),
            _block("Mixed_5b", 256, (160, 320), (32, 128), 128, five_scope="Conv2d_0a_3x3"),
            _block("Mixed_5c", 384, (192, 384), (48, 128), 128),
        ),
    ),
)


def inception_v1_base(
    inputs: tf.Tensor,
    final_endpoint: str = "Mixed_5c",
    scope: str | v1.VariableScope = "InceptionV1",
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v1 from the images up to `final_endpoint`; use it inside the arg_scope.

    Args:
      inputs: Images `[batch, height, width, channels]`.
      final_endpoint: The last end point built: "Conv2d_1a_7x7", "MaxPool_2a_3x3",
        "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3", "Mixed_3b", "Mixed_3c",
        "MaxPool_4a_3x3", "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e",
        "Mixed_4f", "MaxPool_5a_2x2", "Mixed_5b" or "Mixed_5c" (default).
      scope: Variable scope. Default "InceptionV1".

    Returns:
      `(net, end_points)`: the output of `final_endpoint` (`Mixed_5c` of a 224x224
      image is `[batch, 7, 7, 1024]`) and a dict from each end point built to its
      output, in build order.

    Raises:
      ValueError: If `final_endpoint` is not one of the end points above.
    """
    inception_utils.check_final_endpoint("inception_v1_base", final_endpoint, _STAGES)
    with v1.variable_scope(scope, "InceptionV1", [inputs]):
        with arg_scope(
            [layers.conv2d, layers.fully_connected],
            weights_initializer=v1.truncated_normal_initializer(0.0, _WEIGHTS_STDDEV),
        ):
            return inception_utils.build_base(inputs, _STAGES, final_endpoint, lambda d: d)


def inception_v1(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.8,
    prediction_fn: Callable[..., tf.Tensor] = layers.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    scope: str = "InceptionV1",
    global_pool: bool = False,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Inception v1 classifier; use it inside `inception_v1_arg_scope()`.

    The base, then in scope `Logits`: a 7x7/1 "VALID" average pool (or a global
    one), dropout (`Dropout_0b`) and the 1x1 logits convolution `Conv2d_0c_1x1`.

    Args:
      inputs: Images `[batch, height, width, 3]`; `default_image_size` (224) gives
        1x1 logits. Without `global_pool` the input must be at least 193x193.
      num_classes: Number of classes; 0 or None omits dropout and the logits and
        returns the pooled features `[batch, 1, 1, 1024]` (at 224x224). Default 1000.
      is_training: Whether batch norm and dropout run in training mode (bool or
        scalar bool tensor). Default True.
      dropout_keep_prob: Probability of keeping a feature before the logits. Default 0.8.
      prediction_fn: Maps the logits to end point "Predictions", called as
        `prediction_fn(logits, scope="Predictions")`. Default softmax.
      spatial_squeeze: Squeeze the logits from `[batch, 1, 1, num_classes]` to
        `[batch, num_classes]`. Default True.
      reuse: Whether to reuse the variables of `scope`.
      scope: Variable scope. Default "InceptionV1".
      global_pool: Average the last map over all positions (end point
        "global_pool"), so any input size gives 1x1 logits. Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and a dict
      with the base's end points, then "global_pool" (if set), "Logits" and
      "Predictions".

    Raises:
      ValueError: If `spatial_squeeze` is set and the logits are not 1x1.
    """
    with v1.variable_scope(scope, "InceptionV1", [inputs], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v1_base(inputs, scope=sc)
            with v1.variable_scope("Logits"):
                net = inception_utils.logits_head(
                    net,
                    end_points,
                    num_classes=num_classes,
                    dropout_keep_prob=dropout_keep_prob,
                    spatial_squeeze=spatial_squeeze,
                    global_pool=global_pool,
                    pool_kernel=_POOL_KERNEL,
                    pool_stride=1,
                    pool_scope="AvgPool_0a_7x7",
                    global_pool_name="global_pool",
                    dropout_scope="Dropout_0b",
                    logits_scope="Conv2d_0c_1x1",
                )
                if not num_classes:
                    return net, end_points
                end_points["Logits"] = net
                end_points["Predictions"] = prediction_fn(net, scope="Predictions")
    return net, end_points


inception_v1.default_image_size = 224

inception_v1_arg_scope = inception_utils.inception_arg_scope

__all__ = ["inception_v1", "inception_v1_arg_scope", "inception_v1_base"]
