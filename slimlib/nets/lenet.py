"""A LeNet-5 style net for 28x28 digit images (MNIST).

LeCun et al., "Gradient-based learning applied to document recognition",
http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf, in TF-Slim's variant: two
5x5 "SAME" convolutions (32 and 64 channels) with 2x2/2 max-pools, a 1024-unit
fully connected layer, dropout and the logits.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import lenet
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(lenet.lenet_arg_scope()):
  ...         logits, end_points = lenet.lenet(tf.zeros([2, 28, 28, 1]))
  ...     logits.shape.as_list(), list(end_points)
  ([2, 10], ['conv1', 'pool1', 'conv2', 'pool2', 'Flatten', 'fc3', 'dropout3', 'Logits', 'Predictions'])
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib import layers, regularizers
from slimlib._src.arg_scope import ArgScope, arg_scope

v1 = tf.compat.v1

# Initializer of every kernel, as in TF-Slim's lenet_arg_scope.
_WEIGHTS_STDDEV = 0.1
# (scope, output channels) of the two convolution + max-pool stages.
_STAGES = (("1", 32), ("2", 64))
_FC_UNITS = 1024


def lenet(
    images: tf.Tensor,
    num_classes: int | None = 10,
    is_training: bool | tf.Tensor = False,
    dropout_keep_prob: float = 0.5,
    prediction_fn: Callable[..., tf.Tensor] = layers.softmax,
    scope: str = "LeNet",
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """LeNet; use it inside `lenet_arg_scope()`.

    Args:
      images: Images `[batch, 28, 28, channels]` (`default_image_size` 28; other
        sizes work, they only change the size of `fc3`'s weights).
      num_classes: Number of classes; 0 or None omits dropout and the logits and
        returns the `fc3` features `[batch, 1024]`. Default 10.
      is_training: Whether dropout is active (bool or scalar bool tensor). Default False.
      dropout_keep_prob: Probability of keeping an `fc3` activation in training.
        Default 0.5.
      prediction_fn: Maps the logits to end point `"Predictions"`, called as
        `prediction_fn(logits, scope="Predictions")`. Default softmax.
      scope: Variable scope. Default "LeNet".

    Returns:
      `(logits, end_points)`: logits `[batch, num_classes]` (or the features, see
      `num_classes`) and a dict with `"conv1"`, `"pool1"`, `"conv2"`, `"pool2"`,
      `"Flatten"`, `"fc3"`, `"dropout3"`, `"Logits"` and `"Predictions"`.
    """
    end_points: dict[str, tf.Tensor] = {}
    with v1.variable_scope(scope, "LeNet", [images]):
        net = images
        for suffix, depth in _STAGES:
            net = end_points["conv" + suffix] = layers.conv2d(
                net, depth, [5, 5], scope="conv" + suffix
            )
            net = end_points["pool" + suffix] = layers.max_pool2d(
                net, [2, 2], 2, scope="pool" + suffix
            )
        net = end_points["Flatten"] = layers.flatten(net)
        net = end_points["fc3"] = layers.fully_connected(net, _FC_UNITS, scope="fc3")
        if not num_classes:
            return net, end_points
        net = end_points["dropout3"] = layers.dropout(
            net, dropout_keep_prob, is_training=is_training, scope="dropout3"
        )
        logits = end_points["Logits"] = layers.fully_connected(
            net, num_classes, activation_fn=None, scope="fc4"
        )
    end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


lenet.default_image_size = 28


def lenet_arg_scope(weight_decay: float = 0.0) -> ArgScope:
    """LeNet's arg_scope: ReLU, truncated-normal kernels (stddev 0.1), L2 decay.

    Args:
      weight_decay: Scale of the L2 regularizer of the kernels, >= 0; the default 0
        adds no regularization losses.

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    with arg_scope(
        [layers.conv2d, layers.fully_connected],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        weights_initializer=v1.truncated_normal_initializer(stddev=_WEIGHTS_STDDEV),
        activation_fn=tf.nn.relu,
    ) as sc:
        return sc


__all__ = ["lenet", "lenet_arg_scope"]
