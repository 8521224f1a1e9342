"""VGG nets A (11 layers), D (16 layers) and E (19 layers).

Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", https://arxiv.org/abs/1409.1556 (Table 1, configurations A, D, E).
Five blocks of 3x3 "SAME" convolutions, each closed by a 2x2/2 max-pool, then the
three fully connected layers written as convolutions (`fc6` 7x7, `fc7` and `fc8`
1x1), so the net also runs fully convolutionally; 224x224 inputs give 1x1 logits.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import vgg
  >>> with tf.Graph().as_default():
  ...     with slim.arg_scope(vgg.vgg_arg_scope()):
  ...         logits, end_points = vgg.vgg_16(tf.zeros([1, 224, 224, 3]), num_classes=5)
  ...     logits.shape.as_list(), list(end_points)[:3]
  ([1, 5], ['vgg_16/conv1/conv1_1', 'vgg_16/conv1/conv1_2', 'vgg_16/pool1'])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import tensorflow as tf

from slimlib import layers, regularizers
from slimlib._src.arg_scope import ArgScope, arg_scope
from slimlib.nets._classifier import conv_classifier_head, end_points_collection

v1 = tf.compat.v1

# Output depth of the convolutions in each of the five blocks (Table 1 of the paper).
_BLOCK_DEPTHS = (64, 128, 256, 512, 512)
# Convolutions per block for configurations A, D and E (Table 1 of the paper).
_REPEATS = {
    "vgg_a": (1, 1, 2, 2, 2),
    "vgg_16": (2, 2, 3, 3, 3),
    "vgg_19": (2, 2, 4, 4, 4),
}
# TF-Slim names VGG-19's end-point collection after the variable scope, the others
# after the name scope (see `end_points_collection`).
_COLLECTION_BY_NAME_SCOPE = {"vgg_a": True, "vgg_16": True, "vgg_19": False}
_FC6_KERNEL = 7  # A 224x224 image leaves a 7x7 map after pool5.
_FC_DEPTH = 4096


def vgg_arg_scope(weight_decay: float = 0.0005) -> ArgScope:
    """The arg_scope VGG is trained with: ReLU, zero biases, L2 decay, "SAME" convolutions.

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
        with arg_scope([layers.conv2d], padding="SAME") as sc:
            return sc


def _vgg(
    variant: str,
    inputs: tf.Tensor,
    num_classes: int | None,
    is_training: bool | tf.Tensor,
    dropout_keep_prob: float,
    spatial_squeeze: bool,
    scope: str | None,
    fc_conv_padding: str,
    global_pool: bool,
) -> tuple[tf.Tensor, OrderedDict]:
    repeats: Sequence[int] = _REPEATS[variant]
    with v1.variable_scope(scope, variant, [inputs]) as sc:
        collection = end_points_collection(sc, by_name_scope=_COLLECTION_BY_NAME_SCOPE[variant])
        with arg_scope(
            [layers.conv2d, layers.fully_connected, layers.max_pool2d],
            outputs_collections=collection,
        ):
            net = inputs
            for block, (count, depth) in enumerate(zip(repeats, _BLOCK_DEPTHS), start=1):
                net = layers.repeat(net, count, layers.conv2d, depth, [3, 3], scope=f"conv{block}")
                net = layers.max_pool2d(net, [2, 2], scope=f"pool{block}")
            return conv_classifier_head(
                net,
                sc,
                collection,
                fc6_depth=_FC_DEPTH,
                fc6_kernel=_FC6_KERNEL,
                fc7_depth=_FC_DEPTH,
                fc_conv_padding=fc_conv_padding,
                num_classes=num_classes,
                is_training=is_training,
                dropout_keep_prob=dropout_keep_prob,
                spatial_squeeze=spatial_squeeze,
                global_pool=global_pool,
            )


_ARGS_DOC = """
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
      scope: Variable scope of the net. Default "{name}".
      fc_conv_padding: Padding of `fc6`: "VALID" (default; a 224x224 input gives a
        1x1 output) or "SAME" (a map `input / 32` wide, for dense prediction).
      global_pool: Average `fc7` over its spatial positions (to `1x1`) before the
        logits, so any input size classifies. Default False.

    Returns:
      `(logits, end_points)`: the logits (or features, see `num_classes`) and an
      ordered dict from end-point names (`"{name}/conv1/conv1_1"`, ...,
      `"{name}/fc8"`) to tensors.

    Raises:
      ValueError: If `spatial_squeeze` is set and the logits are not 1x1.
    """


def _with_doc(summary: str, name: str):
    def decorate(func):
        func.__doc__ = summary + "\n" + _ARGS_DOC.format(name=name)
        func.default_image_size = 224
        return func

    return decorate


@_with_doc("VGG configuration A (11 weight layers); use it inside `vgg_arg_scope()`.", "vgg_a")
def vgg_a(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_a",
    fc_conv_padding: str = "VALID",
    global_pool: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    return _vgg(
        "vgg_a",
        inputs,
        num_classes,
        is_training,
        dropout_keep_prob,
        spatial_squeeze,
        scope,
        fc_conv_padding,
        global_pool,
    )


@_with_doc("VGG configuration D (16 weight layers); use it inside `vgg_arg_scope()`.", "vgg_16")
def vgg_16(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_16",
    fc_conv_padding: str = "VALID",
    global_pool: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    return _vgg(
        "vgg_16",
        inputs,
        num_classes,
        is_training,
        dropout_keep_prob,
        spatial_squeeze,
        scope,
        fc_conv_padding,
        global_pool,
    )


@_with_doc("VGG configuration E (19 weight layers); use it inside `vgg_arg_scope()`.", "vgg_19")
def vgg_19(
    inputs: tf.Tensor,
    num_classes: int | None = 1000,
    is_training: bool | tf.Tensor = True,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_19",
    fc_conv_padding: str = "VALID",
    global_pool: bool = False,
) -> tuple[tf.Tensor, OrderedDict]:
    return _vgg(
        "vgg_19",
        inputs,
        num_classes,
        is_training,
        dropout_keep_prob,
        spatial_squeeze,
        scope,
        fc_conv_padding,
        global_pool,
    )


# The paper's configuration letters.
vgg_d = vgg_16
vgg_e = vgg_19

__all__ = ["vgg_16", "vgg_19", "vgg_a", "vgg_arg_scope", "vgg_d", "vgg_e"]
