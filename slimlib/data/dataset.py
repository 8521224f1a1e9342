"""Dataset definitions (`slim.dataset`): `Dataset`."""

from slimlib._src.data.dataset import Dataset as Dataset

__all__ = ["Dataset"]
