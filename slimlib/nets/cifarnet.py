"""CifarNet: the small CIFAR-10 net of TensorFlow's CIFAR-10 tutorial.

Two 5x5 convolutions (64 channels) with 2x2/2 max-pools and local response
normalization, fully connected layers of 384 and 192 units, and linear logits;
the layout of cuda-convnet's CIFAR-10 model
(https://code.google.com/archive/p/cuda-convnet/, `layers-18pct.cfg`).

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import cifarnet
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(cifarnet.cifarnet_arg_scope()):
  ...         logits, end_points = cifarnet.cifarnet(tf.zeros([2, 32, 32, 3]))
  ...     logits.shape.as_list(), end_points["fc4"].shape.as_list()
  ([2, 10], [2, 192])
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib import layers, regularizers
from slimlib._src.arg_scope import ArgScope, arg_scope

v1 = tf.compat.v1

# Local response normalization of the TensorFlow CIFAR-10 tutorial (cifar10.py):
# radius 4, bias 1, alpha 0.001 / 9, beta 0.75.
_LRN = {"depth_radius": 4, "bias": 1.0, "alpha": 0.001 / 9.0, "beta": 0.75}
# Initializer scales of the tutorial: conv 5e-2, fully connected 0.04, logits 1/192.
_CONV_STDDEV = 5e-2
_FC_STDDEV = 0.04
_FC_BIAS_INIT = 0.1
_FC_UNITS = (384, 192)


def cifarnet(
    images: tf.Tensor,
    num_classes: int | None = 10,
    is_training: bool | tf.Tensor = False,
    dropout_keep_prob: float = 0.5,
    prediction_fn: Callable[..., tf.Tensor] = layers.softmax,
    scope: str = "CifarNet",
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """CifarNet; use it inside `cifarnet_arg_scope()`.

    conv1 -> pool1 -> norm1 -> conv2 -> norm2 -> pool2 -> fc3 -> dropout -> fc4 -> logits.

    Args:
      images: Images `[batch, 32, 32, 3]` (`default_image_size` 32; other sizes
        only change the size of `fc3`'s weights).
      num_classes: Number of classes; 0 or None omits the logits and returns the
        `fc4` features `[batch, 192]`. Default 10.
      is_training: Whether dropout is active (bool or scalar bool tensor). Default False.
      dropout_keep_prob: Probability of keeping an `fc3` activation in training.
        Default 0.5.
      prediction_fn: Maps the logits to end point `"Predictions"`, called as
        `prediction_fn(logits, scope="Predictions")`. Default softmax.
      scope: Variable scope. Default "CifarNet".

    Returns:
      `(logits, end_points)`: logits `[batch, num_classes]` (or the features, see
      `num_classes`) and a dict with `"conv1"`, `"pool1"`, `"conv2"`, `"pool2"`,
      `"Flatten"`, `"fc3"`, `"fc4"`, `"Logits"` and `"Predictions"`.
    """
    end_points: dict[str, tf.Tensor] = {}
    with v1.variable_scope(scope, "CifarNet", [images]):
        net = end_points["conv1"] = layers.conv2d(images, 64, [5, 5], scope="conv1")
        net = end_points["pool1"] = layers.max_pool2d(net, [2, 2], 2, scope="pool1")
        net = tf.nn.local_response_normalization(net, name="norm1", **_LRN)
        net = end_points["conv2"] = layers.conv2d(net, 64, [5, 5], scope="conv2")
        net = tf.nn.local_response_normalization(net, name="norm2", **_LRN)
        net = end_points["pool2"] = layers.max_pool2d(net, [2, 2], 2, scope="pool2")
        net = end_points["Flatten"] = layers.flatten(net)
        net = end_points["fc3"] = layers.fully_connected(net, _FC_UNITS[0], scope="fc3")
        net = layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout3")
        net = end_points["fc4"] = layers.fully_connected(net, _FC_UNITS[1], scope="fc4")
        if not num_classes:
            return net, end_points
        logits = end_points["Logits"] = layers.fully_connected(
            net,
            num_classes,
            biases_initializer=tf.zeros_initializer(),
            weights_initializer=v1.truncated_normal_initializer(stddev=1 / _FC_UNITS[1]),
            weights_regularizer=None,
            activation_fn=None,
            scope="logits",
        )
        end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


cifarnet.default_image_size = 32


def cifarnet_arg_scope(weight_decay: float = 0.004) -> ArgScope:
    """CifarNet's arg_scope: ReLU everywhere; L2 decay on the fully connected kernels only.

    Args:
      weight_decay: Scale of the L2 regularizer of `fc3` and `fc4`, >= 0. Default 0.004.

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    with arg_scope(
        [layers.conv2d],
        weights_initializer=v1.truncated_normal_initializer(stddev=_CONV_STDDEV),
        activation_fn=tf.nn.relu,
    ):
        with arg_scope(
            [layers.fully_connected],
            biases_initializer=tf.constant_initializer(_FC_BIAS_INIT),
            weights_initializer=v1.truncated_normal_initializer(stddev=_FC_STDDEV),
            weights_regularizer=regularizers.l2_regularizer(weight_decay),
            activation_fn=tf.nn.relu,
        ) as sc:
            return sc


__all__ = ["cifarnet", "cifarnet_arg_scope"]
