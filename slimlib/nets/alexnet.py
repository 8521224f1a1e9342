"""AlexNet v2: the single-tower "one weird trick" variant of AlexNet.

Krizhevsky, "One weird trick for parallelizing convolutional neural networks",
https://arxiv.org/abs/1404.5997 (layer sizes as in cuda-convnet2's
`layers-imagenet-1gpu.cfg`). As in TF-Slim, there are no LRN layers and the fully
connected layers are convolutions, so the net also runs fully convolutionally.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import alexnet
  >>> with tf.Graph().as_default():
  ...     images = tf.zeros([1, 224, 224, 3])
  ...     with slim.arg_scope(alexnet.alexnet_v2_arg_scope()):
  ...         logits, end_points = alexnet.alexnet_v2(images, num_classes=10)
  ...     logits.shape.as_list(), list(end_points)[:2]
  ([1, 10], ['alexnet_v2/conv1', 'alexnet_v2/pool1'])
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

# The five convolutions and three overlapping 3x3/2 max-pools of AlexNet v2.
_TRUNK = (
    Conv("conv1", 64, 11, stride=4, padding="VALID"),
    Pool("pool1", 3, stride=2),
    Conv("conv2", 192, 5),
    Pool("pool2", 3, stride=2),
    Conv("conv3", 384, 3),
    Conv("conv4", 384, 3),
    Conv("conv5", 256, 3),
    Pool("pool5", 3, stride=2),
)

# fc6 sees the 5x5 map a 224x224 image leaves after pool5.
_FC6_KERNEL = 5
_FC_DEPTH = 4096
# Initializer of the fully connected layers, as in TF-Slim's alexnet_v2.
_FC_WEIGHTS_STDDEV = 0.005
_BIAS_INIT = 0.1


def alexnet_v2_arg_scope(weight_decay: float = 0.0005) -> ArgScope:
    """The arg_scope AlexNet v2 is trained with.

    ReLU activations, biases starting at 0.1, L2 weight decay on every kernel,
    "SAME" convolutions and "VALID" max-pools.

    Args:
      weight_decay: Scale of the L2 regularizer of the kernels, >= 0 (0 adds no
        regularization losses). Default 0.0005.

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    with arg_scope(
        [layers.conv2d, layers.fully_connected],
        activation_fn=tf.nn.relu,
        biases_initializer=tf.constant_initializer(_BIAS_INIT),
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
    ):
        with arg_scope([layers.conv2d], padding="SAME"):
            with arg_scope([layers.max_pool2d], padding="VALID") as sc:
                return sc


def alexnet_v2(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "alexnet_v2",
    global_pool: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    """AlexNet v2; use it inside `alexnet_v2_arg_scope()`.

    Args:
      inputs: Images `[batch, height, width, 3]`; `default_image_size` (224) gives
        1x1 logits.
      num_classes: Number of classes; 0 or None omits the logits layer and returns
        the `fc7` features `[batch, h, w, 4096]`. Default 1000.
      is_training: Whether dropout is active (bool or scalar bool tensor). Default True.
      dropout_keep_prob: Probability of keeping an `fc6`/`fc7` activation in
        training. Default 0.5.
      spatial_squeeze: Squeeze the logits from `[batch, 1, 1, num_classes]` to
        `[batch, num_classes]`. Default True.
      scope: Variable scope of the net. Default "alexnet_v2".
      global_pool: Average `fc7` over its spatial positions (to `1x1`) before the
        logits, so any input size of at least 224 classifies. Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and an
      ordered dict from end-point names (`"alexnet_v2/conv1"`, ...,
      `"alexnet_v2/fc8"`) to tensors.

    Raises:
      ValueError: If `spatial_squeeze` is set and the logits are not 1x1.
    """
    with v1.variable_scope(scope, "alexnet_v2", [inputs]) as sc:
        collection = end_points_collection(sc)
        with arg_scope(
            [layers.conv2d, layers.fully_connected, layers.max_pool2d],
            outputs_collections=[collection],
        ):
            net = apply_trunk(inputs, _TRUNK)
            with arg_scope(
                [layers.conv2d],
                weights_initializer=v1.truncated_normal_initializer(0.0, _FC_WEIGHTS_STDDEV),
                biases_initializer=tf.constant_initializer(_BIAS_INIT),
            ):
                return conv_classifier_head(
                    net,
                    sc,
                    collection,
                    fc6_depth=_FC_DEPTH,
                    fc6_kernel=_FC6_KERNEL,
                    fc7_depth=_FC_DEPTH,
                    fc_conv_padding="VALID",
                    num_classes=num_classes,
                    is_training=is_training,
                    dropout_keep_prob=dropout_keep_prob,
                    spatial_squeeze=spatial_squeeze,
                    global_pool=global_pool,
                    logits_kwargs={"biases_initializer": tf.zeros_initializer()},
                )


alexnet_v2.default_image_size = 224

__all__ = ["alexnet_v2", "alexnet_v2_arg_scope"]
