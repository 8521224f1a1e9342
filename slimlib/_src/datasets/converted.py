"""TF-Slim's definitions of datasets that must be downloaded and converted first.

mnist, cifar10, flowers and imagenet are read from TFRecords a user has made: with TF-Slim's
own `download_and_convert_data.py` (its file names and features are described here) or
with `slim.data.writer` (then `dataset_info.json` describes them). slimlib downloads
nothing at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data import writer
from slimlib._src.data.dataset import Dataset
from slimlib._src.data.item_handlers import BoundingBox, Image, Tensor
from slimlib._src.data.tfexample_decoder import TFExampleDecoder

v1 = tf.compat.v1

__all__ = ["CONVERTED", "get_split", "not_bundled_message"]


@dataclass(frozen=True)
class _Layout:
    """File names, split sizes and features of one TF-Slim dataset (models/research/slim)."""

    file_pattern: str
    splits_to_sizes: dict[str, int]
    num_classes: int
    image: dict[str, Any]
    descriptions: dict[str, str]
    label_shape: tuple[int, ...] = ()
    image_format: str = "png"
    extra: bool = False  # imagenet's text labels and boxes


# Sizes and shapes as in TF-Slim's dataset definitions:
# https://github.com/tensorflow/models/tree/master/research/slim/datasets
CONVERTED: dict[str, _Layout] = {
    "mnist": _Layout(
        "mnist_%s.tfrecord", {"train": 60000, "test": 10000}, 10,
        {"shape": [28, 28, 1], "channels": 1},
        {"image": "A [28 x 28 x 1] grayscale image.", "label": "A single integer between 0 and 9"},
        label_shape=(1,), image_format="raw",
    ),
    "cifar10": _Layout(
        "cifar10_%s.tfrecord", {"train": 50000, "test": 10000}, 10, {"shape": [32, 32, 3]},
        {"image": "A [32 x 32 x 3] color image.", "label": "A single integer between 0 and 9"},
    ),
    "flowers": _Layout(
        "flowers_%s_*.tfrecord", {"train": 3320, "validation": 350}, 5, {},
        {"image": "A color image of varying size.", "label": "A single integer between 0 and 4"},
    ),
    "imagenet": _Layout(
        "%s-*", {"train": 1281167, "validation": 50000}, 1001, {},
        {
            "image": "A color image of varying height and width.",
            "label": "The label id of the image, integer between 0 and 1000",
            "label_text": "The text of the label.",
            "object/bbox": "A list of bounding boxes.",
            "object/label": "A list of labels, one per each object.",
        },
        image_format="jpeg", extra=True,
    ),
}  # fmt: skip


def not_bundled_message(name: str, split_name: str) -> str:
    """Explains that `name` is not bundled and how to convert it with `slim.data.writer`."""
    return (
        f"{name!r} is not bundled with slimlib, and slimlib downloads nothing at run time. "
        "Convert it yourself, then pass `dataset_dir`: load each split as uint8 images and "
        "int labels and call slim.data.writer.write_arrays(images, labels, dataset_dir, "
        f"{split_name!r}, class_names=...), or slim.data.writer.write_image_folder(folder, "
        "dataset_dir) for a folder with one sub-folder per class (TFRecords made by TF-Slim's "
        "download_and_convert_data.py work too)."
    )


def _decoder(layout: _Layout) -> TFExampleDecoder:
    # TF-Slim's imagenet marks a missing label -1, the others 0.
    missing = -1 if layout.extra else 0
    default = [missing] * layout.label_shape[0] if layout.label_shape else missing
    keys_to_features: dict[str, Any] = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
        "image/format": tf.io.FixedLenFeature((), tf.string, default_value=layout.image_format),
        "image/class/label": tf.io.FixedLenFeature(layout.label_shape, tf.int64, default),
    }
    items: dict[str, Any] = {
        "image": Image(**layout.image),
        "label": Tensor("image/class/label", shape=[] if layout.label_shape else None),
    }
    if layout.extra:
        keys_to_features["image/class/text"] = tf.io.FixedLenFeature((), tf.string, "")
        for side in ("xmin", "ymin", "xmax", "ymax"):
            keys_to_features[f"image/object/bbox/{side}"] = tf.io.VarLenFeature(tf.float32)
        keys_to_features["image/object/class/label"] = tf.io.VarLenFeature(tf.int64)
        items["label_text"] = Tensor("image/class/text")
        items["object/bbox"] = BoundingBox(["ymin", "xmin", "ymax", "xmax"], "image/object/bbox/")
        items["object/label"] = Tensor("image/object/class/label")
    return TFExampleDecoder(keys_to_features, items)


def get_split(
    name: str,
    split_name: str,
    dataset_dir: str | os.PathLike | None,
    file_pattern: str | None = None,
    reader: Any = None,
) -> Dataset:
    """Returns the `Dataset` of a split of a converted TF-Slim dataset in `dataset_dir`.

    Raises:
      ValueError: If `dataset_dir` is None or `split_name` is not a split of `name`.
      FileNotFoundError: If `dataset_dir` holds no files of the split.
    """
    layout = CONVERTED[name]
    if split_name not in layout.splits_to_sizes:
        known = list(layout.splits_to_sizes)
        raise ValueError(
            f"get_dataset: `split_name` of {name!r} must be one of {known}, got "
            f"{split_name!r}." + _checks.did_you_mean(str(split_name), known)
        )
    if dataset_dir is None:
        raise ValueError(
            f"get_dataset: `dataset_dir` is required: {not_bundled_message(name, split_name)}"
        )
    dataset_dir = os.fspath(dataset_dir)
    if writer.read_info(dataset_dir) is not None:
        return writer.get_split(split_name, dataset_dir, file_pattern, reader)
    pattern = os.path.join(dataset_dir, (file_pattern or layout.file_pattern) % split_name)
    if not tf.io.gfile.glob(pattern):
        raise FileNotFoundError(
            f"get_dataset: no files match {pattern!r}. " + not_bundled_message(name, split_name)
        )
    has_labels = writer.has_labels(dataset_dir)
    return Dataset(
        data_sources=pattern,
        reader=reader if reader is not None else v1.TFRecordReader,
        decoder=_decoder(layout),
        num_samples=layout.splits_to_sizes[split_name],
        items_to_descriptions=dict(layout.descriptions),
        num_classes=layout.num_classes,
        labels_to_names=writer.read_label_file(dataset_dir) if has_labels else None,
    )
