"""`get_dataset`: a dataset's `Dataset` by name, as TF-Slim's `dataset_factory`."""

from __future__ import annotations

import os
from typing import Any

from slimlib._src import _checks
from slimlib._src.data.dataset import Dataset
from slimlib._src.datasets import converted, digits

__all__ = ["BUNDLED", "NAMES", "get_dataset"]

BUNDLED = ("digits",)
NAMES = (*BUNDLED, *converted.CONVERTED)


def get_dataset(
    name: str,
    split_name: str,
    dataset_dir: str | os.PathLike | None = None,
    file_pattern: str | None = None,
    reader: Any = None,
) -> Dataset:
    """Returns the `Dataset` of split `split_name` of dataset `name`.

    `'digits'` is bundled: it is built offline on first use (see `slimlib.datasets.digits`)
    and `dataset_dir` is optional. `'mnist'`, `'cifar10'`, `'flowers'` and `'imagenet'`
    are read from TFRecords you converted into `dataset_dir` yourself; slimlib downloads
    nothing at run time.

    Args:
      name: Dataset name, one of `slimlib.datasets.NAMES`.
      split_name: Split, e.g. `'train'`, `'validation'` or `'test'`.
      dataset_dir: Folder of the TFRecords (optional for `'digits'`).
      file_pattern: Glob of the split's files relative to `dataset_dir` (`%s` = split).
      reader: Reader class; default `tf.compat.v1.TFRecordReader`.

    Returns:
      A `Dataset` with `num_classes` and `labels_to_names` fields.

    Raises:
      ValueError: If `name` or `split_name` is unknown, or a dataset that is not bundled
        is asked for without `dataset_dir`.
      FileNotFoundError: If `dataset_dir` holds no files of the split.
      OSError: If `'digits'` must be built and slimlib's bundled copy is damaged.

    Example:
      dataset = slimlib.datasets.get_dataset('digits', 'train')
      provider = slim.dataset_data_provider.DatasetDataProvider(dataset)
    """
    if name == "digits":
        return digits.get_split(split_name, dataset_dir, file_pattern, reader)
    if name in converted.CONVERTED:
        return converted.get_split(name, split_name, dataset_dir, file_pattern, reader)
    raise ValueError(
        f"get_dataset: `name` must be one of {list(NAMES)}, got {name!r}."
        + _checks.did_you_mean(str(name), NAMES)
    )
