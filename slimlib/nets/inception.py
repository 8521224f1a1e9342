"""Inception v1, v2 and v3 under one name, as TF-Slim's `nets.inception` has them.

Example:
  >>> from slimlib.nets import inception
  >>> inception.inception_v3.default_image_size, inception.inception_v1_arg_scope is (
  ...     inception.inception_v2_arg_scope)
  (299, True)
"""

from slimlib.nets.inception_utils import inception_arg_scope as inception_arg_scope
from slimlib.nets.inception_v1 import inception_v1 as inception_v1
from slimlib.nets.inception_v1 import inception_v1_arg_scope as inception_v1_arg_scope
from slimlib.nets.inception_v1 import inception_v1_base as inception_v1_base
from slimlib.nets.inception_v2 import inception_v2 as inception_v2
from slimlib.nets.inception_v2 import inception_v2_arg_scope as inception_v2_arg_scope
from slimlib.nets.inception_v2 import inception_v2_base as inception_v2_base
from slimlib.nets.inception_v3 import inception_v3 as inception_v3
from slimlib.nets.inception_v3 import inception_v3_arg_scope as inception_v3_arg_scope
from slimlib.nets.inception_v3 import inception_v3_base as inception_v3_base

__all__ = [
    "inception_arg_scope",
    "inception_v1",
    "inception_v1_arg_scope",
    "inception_v1_base",
    "inception_v2",
    "inception_v2_arg_scope",
    "inception_v2_base",
    "inception_v3",
    "inception_v3_arg_scope",
    "inception_v3_base",
]
