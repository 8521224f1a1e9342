"""`tf_slim.layers.sparse_ops` of the conformance alias: forwards to slimlib (see tf_slim/_forward.py)."""

from tf_slim._forward import install as _install

_install(globals())
