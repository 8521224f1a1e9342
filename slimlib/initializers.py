"""Weight initializers (`slim.initializers`)."""

from slimlib._src.initializers import variance_scaling_initializer as variance_scaling_initializer
from slimlib._src.initializers import xavier_initializer as xavier_initializer
from slimlib._src.initializers import xavier_initializer_conv2d as xavier_initializer_conv2d

__all__ = ["variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]
