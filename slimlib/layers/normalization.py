"""TF-Slim's `layers.normalization`: `instance_norm` and `group_norm`."""

from slimlib._src.layers.group_norm import group_norm as group_norm
from slimlib._src.layers.group_norm import instance_norm as instance_norm

__all__ = ["group_norm", "instance_norm"]
