"""The UCI handwritten digits, bundled with slimlib: nothing is downloaded.

1797 gray images of 8 x 8 pixels, classes 0..9: the test set of E. Alpaydin and C. Kaynak's
"Optical Recognition of Handwritten Digits" (UCI Machine Learning Repository, 1998,
https://archive.ics.uci.edu/dataset/80, CC BY 4.0), the same copy scikit-learn ships as
`load_digits()`, kept in `digits.npz` next to this module (pixel counts 0..16 and labels,
in the original order). Pixels are scaled to 0..255 uint8. A fixed shuffle splits them into
1500 `train` and 297 `validation` images.

On first use the images are written as TFRecords (TF-Slim's layout, see
`slim.data.writer`) into a cache folder: `dataset_dir` when given, else
`$SLIMLIB_DATA_DIR/digits`, else `~/.cache/slimlib/digits`. The conversion writes a
temporary folder next to it and renames it into place, so an interrupted run leaves no
half-written dataset; later calls reuse the files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from typing import Any

import numpy as np

from slimlib._src import _checks
from slimlib._src.data import writer
from slimlib._src.data.dataset import Dataset

__all__ = [
    "ITEMS_TO_DESCRIPTIONS",
    "NUM_CLASSES",
    "SPLITS_TO_SIZES",
    "convert",
    "default_dataset_dir",
    "get_split",
    "load_arrays",
]

NAME = "digits"
# 1797 = images in the UCI set; 1500 train leaves 297 (about 1/6) for validation.
SPLITS_TO_SIZES = {"train": 1500, "validation": 297}
NUM_CLASSES = 10
CLASS_NAMES = [str(digit) for digit in range(NUM_CLASSES)]
ITEMS_TO_DESCRIPTIONS = {
    "image": "A [8 x 8 x 1] gray image of a handwritten digit, uint8 0..255.",
    "label": "A single integer between 0 and 9.",
}
_SPLIT_SEED = 0
# The UCI pixel values count set pixels in 4 x 4 blocks of a 32 x 32 bitmap: 0..16.
_MAX_PIXEL = 16
_ENV = "SLIMLIB_DATA_DIR"
BUNDLED_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")


def default_dataset_dir() -> str:
    """Returns the cache folder: `$SLIMLIB_DATA_DIR/digits` or `~/.cache/slimlib/digits`."""
    root = os.environ.get(_ENV)
    if not root:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(cache, "slimlib")
    return os.path.join(root, NAME)


def load_arrays() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Returns `{split: (images uint8 [n, 8, 8, 1], labels int64 [n])}` from the bundled file.

    Raises:
      OSError: If the bundled `digits.npz` is missing or damaged (a broken installation).
    """
    raw_images, raw_labels = _read_bundled()
    images = np.rint(raw_images * (255.0 / _MAX_PIXEL)).astype(np.uint8)[..., np.newaxis]
    labels = raw_labels.astype(np.int64)
    order = np.random.RandomState(_SPLIT_SEED).permutation(len(labels))
    cut = SPLITS_TO_SIZES["train"]
    return {
        "train": (images[order[:cut]], labels[order[:cut]]),
        "validation": (images[order[cut:]], labels[order[cut:]]),
    }


def _read_bundled(path: str = BUNDLED_FILE) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 images (uint8 0..16, [1797, 8, 8]) and labels, checked."""
    size = sum(SPLITS_TO_SIZES.values())
    try:
        with np.load(path) as arrays:
            images, labels = arrays["images"], arrays["labels"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise OSError(
            f"slimlib.datasets.digits: cannot read the bundled digits file {path!r} "
            f"({type(err).__name__}: {err}); reinstall slimlib to restore it."
        ) from err
    if (
        images.shape != (size, 8, 8)
        or labels.shape != (size,)
        or images.max(initial=0) > _MAX_PIXEL
        or labels.max(initial=0) >= NUM_CLASSES
    ):
        raise OSError(
            f"slimlib.datasets.digits: the bundled digits file {path!r} holds images "
            f"{images.shape} up to {images.max(initial=0)} and labels {labels.shape}; "
            f"expected ({size}, 8, 8) pixel counts 0..{_MAX_PIXEL} and {size} labels "
            f"0..{NUM_CLASSES - 1}. Reinstall slimlib to restore it."
        )
    return images, labels


def _is_complete(dataset_dir: str) -> bool:
    info = writer.read_info(dataset_dir)
    if info is None or info.get("digits") != 1:
        return False
    for split, size in SPLITS_TO_SIZES.items():
        entry = info["splits"].get(split)
        if entry is None or entry["num_samples"] != size:
            return False
        for name in entry["files"]:
            if not os.path.isfile(os.path.join(dataset_dir, name)):
                return False
    return True


def convert(dataset_dir: str | os.PathLike | None = None) -> str:
    """Writes the digits TFRecords into `dataset_dir` unless a complete copy is there.

    Args:
      dataset_dir: Target folder; default `default_dataset_dir()`.

    Returns:
      The dataset folder.

    Raises:
      OSError: If the bundled digits file is missing or damaged.
    """
    target = os.path.abspath(os.fspath(dataset_dir or default_dataset_dir()))
    if _is_complete(target):
        return target
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    arrays = load_arrays()
    staging = tempfile.mkdtemp(prefix=f".{NAME}-", dir=parent)
    try:
        for split, (images, labels) in arrays.items():
            writer.write_arrays(
                images, labels, staging, split, class_names=CLASS_NAMES, dataset_name=NAME
            )
        _mark_complete(staging)
        _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _mark_complete(staging: str) -> None:
    path = os.path.join(staging, writer.INFO_FILENAME)
    with open(path, encoding="utf-8") as f:
        info = json.load(f)
    info["digits"] = 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)


def _move_into_place(staging: str, target: str) -> None:
    """Renames `staging` to `target`; replaces an incomplete `target`, keeps a complete one."""
    if os.path.exists(target):
        if _is_complete(target):
            return  # Another process finished first.
        stale = tempfile.mkdtemp(prefix=f".{NAME}-stale-", dir=os.path.dirname(target))
        os.rename(target, os.path.join(stale, NAME))
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(staging, target)
    except OSError:
        if not _is_complete(target):
            raise


def get_split(
    split_name: str,
    dataset_dir: str | os.PathLike | None = None,
    file_pattern: str | None = None,
    reader: Any = None,
) -> Dataset:
    """Returns the `Dataset` of a digits split, converting the data on first use.

    Args:
      split_name: `'train'` (1500 images) or `'validation'` (297 images).
      dataset_dir: Folder of the TFRecords; default `default_dataset_dir()`.
      file_pattern: Glob of the split's files relative to `dataset_dir` (`%s` = split).
      reader: Reader class; default `tf.compat.v1.TFRecordReader`.

    Returns:
      A `Dataset` with items `'image'` (uint8 `[8, 8, 1]`) and `'label'` (int64 scalar),
      `num_classes=10` and `labels_to_names` (`{0: '0', ..., 9: '9'}`).

    Raises:
      ValueError: If `split_name` is not `'train'` or `'validation'`.
      OSError: If the bundled digits file is missing or damaged.
    """
    if split_name not in SPLITS_TO_SIZES:
        known = list(SPLITS_TO_SIZES)
        raise ValueError(
            f"digits.get_split: `split_name` must be one of {known}, got {split_name!r}."
            + _checks.did_you_mean(str(split_name), known)
        )
    folder = convert(dataset_dir)
    dataset = writer.get_split(split_name, folder, file_pattern, reader)
    dataset.num_samples = SPLITS_TO_SIZES[split_name]
    dataset.items_to_descriptions = dict(ITEMS_TO_DESCRIPTIONS)
    dataset.num_classes = NUM_CLASSES
    return dataset
