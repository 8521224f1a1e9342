"""Pieces shared by the plain convolutional classifiers (AlexNet, OverFeat, VGG).

Those nets are a trunk of convolutions and max-pools described by a table, followed
by the same head: the fully connected layers of the papers written as convolutions
(`fc6` with the trunk's final spatial size as kernel, then 1x1 `fc7` and `fc8`), so
the net also runs fully convolutionally on larger inputs.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from slimlib import layers, utils

v1 = tf.compat.v1


@dataclasses.dataclass(frozen=True)
class Conv:
    """One `conv2d` of a trunk; `padding=None` keeps the arg_scope's padding."""

    scope: str
    depth: int
    kernel: int
    stride: int = 1
    padding: str | None = None


@dataclasses.dataclass(frozen=True)
class Pool:
    """One `max_pool2d` of a trunk; `stride=None` keeps the layer's default (2)."""

    scope: str
    kernel: int
    stride: int | None = None


def apply_trunk(net: tf.Tensor, table: Sequence[Conv | Pool]) -> tf.Tensor:
    """Applies each layer of `table` in order and returns the last output."""
    for spec in table:
        kwargs: dict[str, Any] = {"scope": spec.scope}
        if isinstance(spec, Conv):
            if spec.padding is not None:
                kwargs["padding"] = spec.padding
            net = layers.conv2d(net, spec.depth, [spec.kernel, spec.kernel], spec.stride, **kwargs)
        else:
            if spec.stride is not None:
                kwargs["stride"] = spec.stride
            net = layers.max_pool2d(net, [spec.kernel, spec.kernel], **kwargs)
    return net


def end_points_collection(sc: v1.VariableScope, *, by_name_scope: bool = True) -> str:
    """The graph collection a net gathers its end points in.

    TF-Slim names it after the scope's name scope (`"vgg_16/_end_points"`) for most
    nets, but after the variable scope name (`"vgg_19_end_points"`) for OverFeat and
    VGG-19; the names are kept so code reading the collection still finds it.
    """
    return sc.original_name_scope + "_end_points" if by_name_scope else sc.name + "_end_points"


def conv_classifier_head(
    net: tf.Tensor,
    sc: v1.VariableScope,
    collection: str,
    *,
    fc6_depth: int,
    fc6_kernel: int,
    fc7_depth: int,
    fc_conv_padding: str,
    num_classes: int | None,
    is_training: bool | tf.Tensor,
    dropout_keep_prob: float,
    spatial_squeeze: bool,
    global_pool: bool,
    logits_kwargs: dict[str, Any] | None = None,
) -> tuple[tf.Tensor, OrderedDict]:
    """`fc6` -> dropout -> `fc7` [-> global pool] [-> dropout -> `fc8` logits].

    Returns the logits (or the `fc7` features when `num_classes` is 0 or None) and
    the end points gathered in `collection`, with `<scope>/fc8` set to the returned
    logits (squeezed to `[batch, num_classes]` when `spatial_squeeze`).
    """
    net = layers.conv2d(
        net, fc6_depth, [fc6_kernel, fc6_kernel], padding=fc_conv_padding, scope="fc6"
    )
    net = layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout6")
    net = layers.conv2d(net, fc7_depth, [1, 1], scope="fc7")
    end_points = utils.convert_collection_to_dict(collection)
    if global_pool:
        net = tf.reduce_mean(net, [1, 2], keepdims=True, name="global_pool")
        end_points["global_pool"] = net
    if not num_classes:
        return net, end_points
    net = layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout7")
    net = layers.conv2d(
        net,
        num_classes,
        [1, 1],
        activation_fn=None,
        normalizer_fn=None,
        scope="fc8",
        **(logits_kwargs or {}),
    )
    if spatial_squeeze:
        net = squeeze_spatial(net, "fc8/squeezed")
    end_points[sc.name + "/fc8"] = net
    return net, end_points


def squeeze_spatial(net: tf.Tensor, name: str) -> tf.Tensor:
    """`[batch, 1, 1, channels]` -> `[batch, channels]`.

    Raises:
      ValueError: If the spatial size is known and not 1x1 (the input was not the
        net's `default_image_size`, or the net is used fully convolutionally).
    """
    height, width = net.shape[1], net.shape[2]
    if (height is not None and height != 1) or (width is not None and width != 1):
        raise ValueError(
            "spatial_squeeze: the logits must be 1x1 to squeeze, got shape "
            f"{net.shape.as_list()}; feed the net's default_image_size or pass "
            "spatial_squeeze=False."
        )
    return tf.squeeze(net, [1, 2], name=name)
