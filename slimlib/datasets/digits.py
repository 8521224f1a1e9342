"""The UCI handwritten digits (`slimlib.datasets.digits`), bundled with slimlib: no download."""

from slimlib._src.datasets.digits import ITEMS_TO_DESCRIPTIONS as ITEMS_TO_DESCRIPTIONS
from slimlib._src.datasets.digits import NUM_CLASSES as NUM_CLASSES
from slimlib._src.datasets.digits import SPLITS_TO_SIZES as SPLITS_TO_SIZES
from slimlib._src.datasets.digits import convert as convert
from slimlib._src.datasets.digits import default_dataset_dir as default_dataset_dir
from slimlib._src.datasets.digits import get_split as get_split
from slimlib._src.datasets.digits import load_arrays as load_arrays

__all__ = [
    "ITEMS_TO_DESCRIPTIONS",
    "NUM_CLASSES",
    "SPLITS_TO_SIZES",
    "convert",
    "default_dataset_dir",
    "get_split",
    "load_arrays",
]
