"""OverFeat, the "fast" model.

Sermanet et al., "OverFeat: Integrated Recognition, Localization and Detection
using Convolutional Networks", https://arxiv.org/abs/1312.6229 (Table 1, fast
model). The fully connected layers are convolutions, so the net also runs fully
convolutionally; 231x231 inputs give 1x1 logits.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import overfeat
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(overfeat.overfeat_arg_scope()):
  ...         features, _ = overfeat.overfeat(tf.zeros([1, 231, 231, 3]), num_classes=None)
  ...     features.shape.as_list()
  [1, 1, 1, 4096]
"""

from __future__ import annotations

from collections import OrderedDict

import tensorflow as tf

from slimlib import layers, regularizers
from slimlib._src.arg_scope import ArgScope, arg_scope
from slimlib.nets._classifier import (
    Conv,
    Pool,
    apply_trunk,
    conv_classifier_head,
    end_points_collection,
)

v1 = tf.compat.v1

# Layers 1-5 of the fast model (Table 1 of the paper); pools are 2x2/2.
_TRUNK = (
    Conv("conv1", 64, 11, stride=4, padding="VALID"),
    Pool("pool1", 2),
    Conv("conv2", 256, 5, padding="VALID"),
    Pool("pool2", 2),
    Conv("conv3", 512, 3),
    Conv("conv4", 1024, 3),
    Conv("conv5", 1024, 3),
    Pool("pool5", 2),
)

# fc6 sees the 6x6 map a 231x231 image leaves after pool5.
_FC6_KERNEL = 6
_FC6_DEPTH = 3072
_FC7_DEPTH = 4096
# Initializer of the fully connected layers, as in TF-Slim's overfeat.
_FC_WEIGHTS_STDDEV = 0.005
_FC_BIAS_INIT = 0.1


def overfeat_arg_scope(weight_decay: float = 0.0005) -> ArgScope:
    """The arg_scope OverFeat is trained with.

    ReLU activations, zero biases, L2 weight decay on every kernel, "SAME"
    convolutions and "VALID" max-pools.

    Args:
      weight_decay: Scale of the L2 regularizer of the kernels, >= 0. Default 0.0005.

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    with arg_scope(
        [layers.conv2d, layers.fully_connected],
        activation_fn=tf.nn.relu,
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        biases_initializer=tf.zeros_initializer(),
    ):
        with arg_scope([layers.conv2d], padding="SAME"):
            with arg_scope([layers.max_pool2d], padding="VALID") as sc:
                return sc


def overfeat(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "overfeat",
    global_pool: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    """OverFeat (fast model); use it inside `overfeat_arg_scope()`.

    Args:
      inputs: Images `[batch, height, width, 3]`; `default_image_size` (231) gives
        1x1 logits.
      num_classes: Number of classes; 0 or None omits the logits layer and returns
        the `fc7` features `[batch, h, w, 4096]`. Default 1000.
      is_training: Whether dropout is active (bool or scalar bool tensor). Default True.
      dropout_keep_prob: Probability of keeping an `fc6`/`fc7` activation in
        training. Default 0.5.
      spatial_squeeze: Squeeze the logits from `[batch, 1, 1, num_classes]` to
        `[batch, num_classes]`. Default True.
      scope: Variable scope of the net. Default "overfeat".
      global_pool: Average `fc7` over its spatial positions before the logits.
        Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and an
      ordered dict from end-point names (`"overfeat/conv1"`, ..., `"overfeat/fc8"`)
      to tensors.

    Raises:
      ValueError: If `spatial_squeeze` is set and the logits are not 1x1.
    """
    with v1.variable_scope(scope, "overfeat", [inputs]) as sc:
        collection = end_points_collection(sc, by_name_scope=False)
        with arg_scope(
            [layers.conv2d, layers.fully_connected, layers.max_pool2d],
            outputs_collections=collection,
        ):
            net = apply_trunk(inputs, _TRUNK)
            with arg_scope(
                [layers.conv2d],
                weights_initializer=v1.truncated_normal_initializer(0.0, _FC_WEIGHTS_STDDEV),
                biases_initializer=tf.constant_initializer(_FC_BIAS_INIT),
            ):
                return conv_classifier_head(
                    net,
                    sc,
                    collection,
                    fc6_depth=_FC6_DEPTH,
                    fc6_kernel=_FC6_KERNEL,
                    fc7_depth=_FC7_DEPTH,
                    fc_conv_padding="VALID",
                    num_classes=num_classes,
                    is_training=is_training,
                    dropout_keep_prob=dropout_keep_prob,
                    spatial_squeeze=spatial_squeeze,
                    global_pool=global_pool,
                    logits_kwargs={"biases_initializer": tf.zeros_initializer()},
                )


overfeat.default_image_size = 231

__all__ = ["overfeat", "overfeat_arg_scope"]
