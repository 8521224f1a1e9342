"""Builds any of the nets by name, inside its own arg_scope (TF-Slim's `nets_factory`).

Example:
  >>> import tensorflow as tf
  >>> from slimlib.nets import nets_factory
  >>> network_fn = nets_factory.get_network_fn("lenet", num_classes=10)
  >>> size = network_fn.default_image_size
  >>> with tf.Graph().as_default():
  ...     logits, end_points = network_fn(tf.zeros([4, size, size, 1]))
  ...     logits.shape.as_list()
  [4, 10]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.arg_scope import arg_scope
from slimlib.nets import (
    alexnet,
    cifarnet,
    inception,
    lenet,
    overfeat,
    resnet_v1,
    resnet_v2,
    vgg,
)

NetFn = Callable[..., tuple[tf.Tensor, dict[str, tf.Tensor]]]

networks_map: dict[str, NetFn] = {
    "alexnet_v2": alexnet.alexnet_v2,
    "cifarnet": cifarnet.cifarnet,
    "overfeat": overfeat.overfeat,
    "vgg_a": vgg.vgg_a,
    "vgg_16": vgg.vgg_16,
    "vgg_19": vgg.vgg_19,
    "inception_v1": inception.inception_v1,
    "inception_v2": inception.inception_v2,
    "inception_v3": inception.inception_v3,
    "lenet": lenet.lenet,
    "resnet_v1_50": resnet_v1.resnet_v1_50,
    "resnet_v1_101": resnet_v1.resnet_v1_101,
    "resnet_v1_152": resnet_v1.resnet_v1_152,
    "resnet_v1_200": resnet_v1.resnet_v1_200,
    "resnet_v2_50": resnet_v2.resnet_v2_50,
    "resnet_v2_101": resnet_v2.resnet_v2_101,
    "resnet_v2_152": resnet_v2.resnet_v2_152,
    "resnet_v2_200": resnet_v2.resnet_v2_200,
}

arg_scopes_map: dict[str, Callable[..., Any]] = {
    "alexnet_v2": alexnet.alexnet_v2_arg_scope,
    "cifarnet": cifarnet.cifarnet_arg_scope,
    "overfeat": overfeat.overfeat_arg_scope,
    "vgg_a": vgg.vgg_arg_scope,
    "vgg_16": vgg.vgg_arg_scope,
    "vgg_19": vgg.vgg_arg_scope,
    "inception_v1": inception.inception_v1_arg_scope,
    "inception_v2": inception.inception_v2_arg_scope,
    "inception_v3": inception.inception_v3_arg_scope,
    "lenet": lenet.lenet_arg_scope,
    "resnet_v1_50": resnet_v1.resnet_arg_scope,
    "resnet_v1_101": resnet_v1.resnet_arg_scope,
    "resnet_v1_152": resnet_v1.resnet_arg_scope,
    "resnet_v1_200": resnet_v1.resnet_arg_scope,
    "resnet_v2_50": resnet_v2.resnet_arg_scope,
    "resnet_v2_101": resnet_v2.resnet_arg_scope,
    "resnet_v2_152": resnet_v2.resnet_arg_scope,
    "resnet_v2_200": resnet_v2.resnet_arg_scope,
}

# Every name `get_network_fn` accepts, sorted.
network_names: list[str] = sorted(networks_map)


def get_network_fn(
    name: str, num_classes: int | None, weight_decay: float = 0.0, is_training: bool = False
) -> NetFn:
    """Returns `network_fn(images, **kwargs) -> (logits, end_points)` for the net `name`.

    `network_fn` builds the net inside its arg_scope (made once, with
    `weight_decay`), passing `num_classes` and `is_training`; further keyword
    arguments go to the net (e.g. `spatial_squeeze=False`). It carries the net's
    `default_image_size`.

    Args:
      name: A key of `networks_map`, e.g. `"vgg_16"` (see `network_names`).
      num_classes: Number of classes; 0 or None returns the pre-logits features.
      weight_decay: Scale of the L2 regularizer of the arg_scope, >= 0; the default
        0 adds no regularization losses.
      is_training: Whether dropout and batch norm run in training mode. Default False.

    Returns:
      The function `network_fn`.

    Raises:
      TypeError: If `name` is not a string.
      ValueError: If `name` is not a known net.
    """
    _checks.check_choice("get_network_fn", "name", name, network_names)
    func = networks_map[name]
    scope_defaults = arg_scopes_map[name](weight_decay=weight_decay)

    @functools.wraps(func)
    def network_fn(images: tf.Tensor, **kwargs: Any) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        with arg_scope(scope_defaults):
            return func(images, num_classes=num_classes, is_training=is_training, **kwargs)

    if hasattr(func, "default_image_size"):
        network_fn.default_image_size = func.default_image_size
    return network_fn


__all__ = ["arg_scopes_map", "get_network_fn", "network_names", "networks_map"]
