"""Datasets by name (`slimlib.datasets`), as TF-Slim's image classification `dataset_factory`.

`get_dataset('digits', 'train')` works offline (built from the copy bundled with slimlib on first
use); `'mnist'`, `'cifar10'`, `'flowers'` and `'imagenet'` read TFRecords converted into
`dataset_dir` beforehand, with `slim.data.writer` or TF-Slim's scripts.
"""

from slimlib._src.datasets.factory import BUNDLED as BUNDLED
from slimlib._src.datasets.factory import NAMES as NAMES
from slimlib._src.datasets.factory import get_dataset as get_dataset
from slimlib.datasets import digits as digits

__all__ = ["BUNDLED", "NAMES", "digits", "get_dataset"]
