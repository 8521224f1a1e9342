"""Writing image classification datasets as sharded TFRecords in TF-Slim's layout.

Each record is a `tf.train.Example` with `image/encoded` (PNG or JPEG bytes),
`image/format` (`b'png'` or `b'jpg'`), `image/class/label` (int64), `image/height` and
`image/width`, the layout of TF-Slim's `download_and_convert_*` scripts. A split is
written to `<output_dir>/[<dataset_name>_]<split>_<shard:05d>-of-<num_shards:05d>.tfrecord`;
`labels.txt` holds `<label>:<class name>` lines (TF-Slim's `dataset_utils`), and
`dataset_info.json` records each split's files, size and image shape so `get_split` can
describe the dataset without reading it.

Every file is written under a temporary name and renamed into place, so an
interrupted conversion never leaves a half-written file under a final name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data.dataset import Dataset
from slimlib._src.data.image_codec import ImageCodec
from slimlib._src.data.item_handlers import Image, Tensor
from slimlib._src.data.parallel_reader import get_data_files
from slimlib._src.data.records import count_records
from slimlib._src.data.tfexample_decoder import TFExampleDecoder

v1 = tf.compat.v1

__all__ = [
    "INFO_FILENAME",
    "LABELS_FILENAME",
    "bytes_feature",
    "float_feature",
    "get_split",
    "has_labels",
    "image_to_tfexample",
    "int64_feature",
    "read_label_file",
    "write_arrays",
    "write_image_folder",
    "write_label_file",
]

LABELS_FILENAME = "labels.txt"
INFO_FILENAME = "dataset_info.json"
_INFO_VERSION = 1
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
_ENCODE_BATCH = 256  # Images PNG-encoded per session call; keeps memory small.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Patterns tried, in order, for directories written by TF-Slim's own converters
# (flowers: `flowers_train_00000-of-00005.tfrecord`, mnist: `mnist_train.tfrecord`).
_TF_SLIM_PATTERNS = ("%s_*.tfrecord", "*_%s_*.tfrecord", "*_%s.tfrecord", "%s-*")


# --- tf.train.Feature helpers (TF-Slim's dataset_utils names) ---------------------------


def int64_feature(values: int | Sequence[int]) -> tf.train.Feature:
    """Returns an int64 `tf.train.Feature` of a scalar or a list of ints."""
    values = values if isinstance(values, (list, tuple)) else [values]
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v) for v in values]))


def bytes_feature(values: bytes) -> tf.train.Feature:
    """Returns a bytes `tf.train.Feature` holding one byte string."""
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[values]))


def float_feature(values: float | Sequence[float]) -> tf.train.Feature:
    """Returns a float `tf.train.Feature` of a scalar or a list of floats."""
    values = values if isinstance(values, (list, tuple)) else [values]
    return tf.train.Feature(float_list=tf.train.FloatList(value=[float(v) for v in values]))


def image_to_tfexample(
    image_data: bytes, image_format: bytes, height: int, width: int, class_id: int
) -> tf.train.Example:
    """Returns the `tf.train.Example` of one encoded image and its class, in TF-Slim's layout."""
    return tf.train.Example(
        features=tf.train.Features(
            feature={
                "image/encoded": bytes_feature(image_data),
                "image/format": bytes_feature(image_format),
                "image/class/label": int64_feature(class_id),
                "image/height": int64_feature(height),
                "image/width": int64_feature(width),
            }
        )
    )


# --- labels file -------------------------------------------------------------------------


def _replace_text(path: str, text: str) -> None:
    """Writes `text` to `path` through a temporary file and an atomic rename."""
    handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_label_file(
    labels_to_class_names: Mapping[int, str], dataset_dir: str, filename: str = LABELS_FILENAME
) -> None:
    """Writes `labels_to_class_names` as `<label>:<class name>` lines to `dataset_dir/filename`."""
    lines = "".join(f"{int(label)}:{name}\n" for label, name in labels_to_class_names.items())
    _replace_text(os.path.join(dataset_dir, filename), lines)


def has_labels(dataset_dir: str, filename: str = LABELS_FILENAME) -> bool:
    """Returns True when `dataset_dir/filename` exists."""
    return tf.io.gfile.exists(os.path.join(dataset_dir, filename))


def read_label_file(dataset_dir: str, filename: str = LABELS_FILENAME) -> dict[int, str]:
    """Reads a labels file written by `write_label_file` into a dict from label to class name.

    Raises:
      ValueError: If a non-empty line is not `<int>:<name>`.
    """
    path = os.path.join(dataset_dir, filename)
    with tf.io.gfile.GFile(path, "r") as f:
        text = f.read()
    labels: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, sep, name = line.partition(":")
        if not sep or not label.strip().lstrip("-").isdigit():
            raise ValueError(
                f"read_label_file: line {number} of {path!r} must be '<label>:<class name>', "
                f"got {line!r}."
            )
        labels[int(label)] = name
    return labels


def _sync_labels(fn: str, output_dir: str, class_names: Sequence[str] | None) -> None:
    """Writes labels.txt, or checks that an existing one lists the same classes."""
    if class_names is None:
        return
    os.makedirs(output_dir, exist_ok=True)
    wanted = dict(enumerate(str(name) for name in class_names))
    if has_labels(output_dir):
        existing = read_label_file(output_dir)
        if existing != wanted:
            raise ValueError(
                f"{fn}: {os.path.join(output_dir, LABELS_FILENAME)!r} lists classes "
                f"{list(existing.values())}, but this split has {list(wanted.values())}; "
                "write the dataset to a new `output_dir` or delete the old files."
            )
        return
    write_label_file(wanted, output_dir)


# --- dataset_info.json -------------------------------------------------------------------


def read_info(dataset_dir: str) -> dict[str, Any] | None:
    """Returns the parsed `dataset_info.json` of `dataset_dir`, or None when absent or old.

    The file may come from anywhere (a dataset folder someone shared), so its form is
    checked before any of it is used; its file names must name files inside `dataset_dir`.

    Raises:
      ValueError: If the file is not valid JSON or not in the form `write_arrays` writes.
    """
    path = os.path.join(dataset_dir, INFO_FILENAME)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        try:
            info = json.load(f)
        except ValueError as err:
            raise ValueError(
                f"read_info: {path!r} must be JSON written by slim.data.writer, got invalid "
                f"JSON ({err})."
            ) from None
    if not isinstance(info, dict):
        raise ValueError(f"read_info: {path!r} must hold a JSON object, got {type(info).__name__}.")
    if info.get("format_version") != _INFO_VERSION:
        return None
    _check_info(path, info)
    return info


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _check_info(path: str, info: dict[str, Any]) -> None:
    """Raises a ValueError naming the first part of `info` not in the form written here."""

    def bad(what: str, expected: str, value: object) -> ValueError:
        return ValueError(f"read_info: {path!r}: {what} must be {expected}, got {value!r}.")

    splits = info.get("splits")
    if not isinstance(splits, dict):
        raise bad("`splits`", "an object of split name -> split", splits)
    for name, entry in splits.items():
        if not isinstance(entry, dict):
            raise bad(
                f"split {name!r}", "an object with 'files', 'num_samples' and 'channels'", entry
            )
        for key in ("files", "num_samples", "channels"):
            if key not in entry:
                raise ValueError(
                    f"read_info: {path!r}: split {name!r} must have {key!r}, got the keys "
                    f"{sorted(entry)}."
                )
        files = entry["files"]
        if not isinstance(files, list):
            raise bad(f"'files' of split {name!r}", "a list of file names", files)
        for file_name in files:
            # A name with a folder in it could point anywhere (`/etc/...`, `../..`).
            if (
                not isinstance(file_name, str)
                or file_name in ("", ".", "..")
                or os.path.basename(file_name) != file_name
                or "/" in file_name
            ):
                raise bad(f"'files' of split {name!r}", "file names inside the folder", file_name)
        if not _is_count(entry["num_samples"], 0):
            raise bad(f"'num_samples' of split {name!r}", "an int >= 0", entry["num_samples"])
        if entry["channels"] not in (1, 3) or isinstance(entry["channels"], bool):
            raise bad(f"'channels' of split {name!r}", "1 or 3", entry["channels"])
        shape = entry.get("image_shape")
        if shape is not None and not (
            isinstance(shape, list) and len(shape) == 3 and all(_is_count(d, 1) for d in shape)
        ):
            raise bad(
                f"'image_shape' of split {name!r}",
                "null or [height, width, channels] (ints >= 1)",
                shape,
            )
        classes = entry.get("num_classes")
        if classes is not None and not _is_count(classes, 1):
            raise bad(f"'num_classes' of split {name!r}", "null or an int >= 1", classes)


def _record_split(output_dir: str, split_name: str, entry: dict[str, Any]) -> None:
    info = read_info(output_dir) or {"format_version": _INFO_VERSION, "splits": {}}
    info["splits"][split_name] = entry
    _replace_text(os.path.join(output_dir, INFO_FILENAME), json.dumps(info, indent=2) + "\n")


# --- shards ------------------------------------------------------------------------------


def _check_name(fn: str, arg: str, value: object) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(
            f"{fn}: `{arg}` must be a name of letters, digits, '_', '.' and '-' (e.g. 'train'), "
            f"got {value!r}."
        )
    return value


def _write_shards(
    output_dir: str,
    prefix: str,
    split_name: str,
    num_shards: int,
    num_examples: int,
    example: Callable[[int], bytes],
) -> list[str]:
    """Writes examples `0..num_examples-1` into `num_shards` files; returns their paths."""
    os.makedirs(output_dir, exist_ok=True)
    stem = f"{prefix}{split_name}"
    stale = re.compile(rf"^{re.escape(stem)}_\d{{5}}-of-\d{{5}}\.tfrecord$")
    names = [f"{stem}_{i:05d}-of-{num_shards:05d}.tfrecord" for i in range(num_shards)]
    bounds = np.linspace(0, num_examples, num_shards + 1).round().astype(int)
    for shard, name in enumerate(names):
        handle, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=output_dir)
        os.close(handle)
        try:
            with tf.io.TFRecordWriter(tmp) as writer:
                for index in range(bounds[shard], bounds[shard + 1]):
                    writer.write(example(int(index)))
            os.replace(tmp, os.path.join(output_dir, name))
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
    # Shards of an earlier write of this split with another shard count would match
    # the split's glob pattern; remove them.
    for old in os.listdir(output_dir):
        if stale.match(old) and old not in names:
            os.remove(os.path.join(output_dir, old))
    return [os.path.join(output_dir, name) for name in names]


def write_arrays(
    images: Any,
    labels: Any,
    output_dir: str | os.PathLike,
    split_name: str,
    *,
    num_shards: int = 1,
    class_names: Sequence[str] | None = None,
    dataset_name: str | None = None,
) -> list[str]:
    """Writes uint8 images and int labels as PNG-encoded sharded TFRecords of one split.

    Args:
      images: uint8 array `[num_images, height, width]` (gray) or
        `[num_images, height, width, channels]` with 1, 3 or 4 channels.
      labels: Int array `[num_images]`, each label >= 0 (and < `len(class_names)`).
      output_dir: Directory to write into (created when missing).
      split_name: Split name such as `'train'` or `'validation'`.
      num_shards: Files to spread the split over, an int >= 1 (at most one per image).
        Default 1.
      class_names: Class name of each label; written to `labels.txt`. Default: none.
      dataset_name: Prefix of the file names (`<dataset_name>_<split>_...`). Default: none.

    Returns:
      The paths of the written shard files.

    Raises:
      TypeError: If `images` is not uint8, `labels` not integer or `class_names` not a
        list of str.
      ValueError: If shapes or labels are wrong, or `labels.txt` lists other classes.
    """
    fn = "write_arrays"
    output_dir = os.fspath(output_dir)
    _check_name(fn, "split_name", split_name)
    prefix = "" if dataset_name is None else _check_name(fn, "dataset_name", dataset_name) + "_"
    num_shards = _checks.check_positive_int(fn, "num_shards", num_shards)
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.dtype != np.uint8:
        raise TypeError(
            f"{fn}: `images` must be uint8 (values 0..255), got dtype {images.dtype}; scale "
            "them and convert with `.astype(np.uint8)`."
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4) or images.shape[0] == 0:
        raise ValueError(
            f"{fn}: `images` must have shape [num_images >= 1, height, width] or "
            f"[num_images, height, width, 1|3|4], got shape {images.shape}."
        )
    if class_names is not None and (
        isinstance(class_names, (str, bytes)) or not all(isinstance(n, str) for n in class_names)
    ):
        raise TypeError(f"{fn}: `class_names` must be a list of str, got {class_names!r}.")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{fn}: `labels` must be integers, got dtype {labels.dtype}.")
    if labels.shape != (images.shape[0],):
        raise ValueError(
            f"{fn}: `labels` must have shape [{images.shape[0]}] (one per image), got shape "
            f"{labels.shape}."
        )
    if labels.min() < 0:
        raise ValueError(f"{fn}: `labels` must be >= 0, got {int(labels.min())}.")
    if class_names is not None and labels.max() >= len(class_names):
        raise ValueError(
            f"{fn}: every label must be < len(class_names) = {len(class_names)}, got label "
            f"{int(labels.max())}."
        )
    _sync_labels(fn, output_dir, class_names)
    count, height, width, channels = images.shape
    chunk: dict[int, bytes] = {}
    with ImageCodec() as codec:

        def example(index: int) -> bytes:
            if index not in chunk:
                # Examples are asked for in order: encode the next batch of images at once.
                chunk.clear()
                stop = min(index + _ENCODE_BATCH, count)
                chunk.update(zip(range(index, stop), codec.encode_png_batch(images[index:stop])))
            proto = image_to_tfexample(chunk[index], b"png", height, width, int(labels[index]))
            return proto.SerializeToString()

        paths = _write_shards(
            output_dir, prefix, split_name, min(num_shards, count), count, example
        )
    _record_split(
        output_dir,
        split_name,
        {
            "num_samples": int(count),
            "files": [os.path.basename(p) for p in paths],
            "image_shape": [int(height), int(width), int(channels)],
            "channels": int(channels),
            "num_classes": len(class_names) if class_names else int(labels.max()) + 1,
        },
    )
    return paths


def _list_image_folder(fn: str, folder: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Returns the class names and `(file, label)` pairs of a one-folder-per-class tree."""
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{fn}: `folder` {folder!r} is not a directory.")
    classes = sorted(
        d
        for d in os.listdir(folder)
        if not d.startswith(".") and os.path.isdir(os.path.join(folder, d))
    )
    if not classes:
        raise ValueError(
            f"{fn}: `folder` {folder!r} has no class sub-folders; it must hold one sub-folder "
            "per class, e.g. folder/cat/001.png and folder/dog/001.jpg."
        )
    files = []
    for label, name in enumerate(classes):
        class_dir = os.path.join(folder, name)
        found = sorted(
            f
            for f in os.listdir(class_dir)
            if f.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(class_dir, f))
        )
        if not found:
            raise ValueError(
                f"{fn}: class folder {class_dir!r} has no images (files ending in "
                f"{', '.join(IMAGE_EXTENSIONS)}); add images or remove the folder."
            )
        files.extend((os.path.join(class_dir, f), label) for f in found)
    return classes, files


def write_image_folder(
    folder: str | os.PathLike,
    output_dir: str | os.PathLike,
    *,
    split_name: str = "train",
    num_shards: int = 1,
    validation_fraction: float = 0.0,
    seed: int = 0,
    dataset_name: str | None = None,
) -> dict[str, list[str]]:
    """Converts a folder with one sub-folder of PNG/JPEG images per class into TFRecords.

    Classes are the sub-folder names in sorted order (label 0 is the first); they are
    written to `labels.txt`. Images are shuffled with `seed` so every shard mixes classes;
    PNG and JPEG bytes are stored unchanged, other content is re-encoded as PNG.

    Args:
      folder: Directory holding one sub-folder per class.
      output_dir: Directory to write into (created when missing).
      split_name: Split of the images (all of them unless `validation_fraction` > 0).
        Default `'train'`.
      num_shards: Files per split, an int >= 1 (at most one per image). Default 1.
      validation_fraction: Fraction in [0, 1) of the images written to a second split
        `'validation'` instead. Default 0.
      seed: Seed of the shuffle. Default 0.
      dataset_name: Prefix of the file names. Default: none.

    Returns:
      A dict from each written split name to its shard paths.

    Raises:
      FileNotFoundError: If `folder` does not exist.
      ValueError: If `folder` has no class sub-folders, a class folder has no images, an
        image cannot be decoded, or `validation_fraction` is not in [0, 1).
    """
    fn = "write_image_folder"
    folder, output_dir = os.fspath(folder), os.fspath(output_dir)
    _check_name(fn, "split_name", split_name)
    prefix = "" if dataset_name is None else _check_name(fn, "dataset_name", dataset_name) + "_"
    num_shards = _checks.check_positive_int(fn, "num_shards", num_shards)
    if isinstance(validation_fraction, bool) or not 0.0 <= validation_fraction < 1.0:
        raise ValueError(
            f"{fn}: `validation_fraction` must be in [0, 1), got {validation_fraction!r}."
        )
    classes, files = _list_image_folder(fn, folder)
    order = np.random.RandomState(seed).permutation(len(files))
    files = [files[i] for i in order]
    num_validation = 0
    if validation_fraction > 0:
        num_validation = max(1, int(round(len(files) * validation_fraction)))
        if num_validation >= len(files):
            raise ValueError(
                f"{fn}: `validation_fraction` {validation_fraction} leaves no training images "
                f"out of {len(files)}."
            )
    splits = {split_name: files[num_validation:]}
    if num_validation:
        splits["validation"] = files[:num_validation]
    _sync_labels(fn, output_dir, classes)
    written = {}
    with ImageCodec() as codec:
        for name, entries in splits.items():
            written[name] = _write_image_split(
                fn, codec, entries, output_dir, prefix, name, num_shards, len(classes)
            )
    return written


def _write_image_split(
    fn: str,
    codec: ImageCodec,
    entries: list[tuple[str, int]],
    output_dir: str,
    prefix: str,
    split_name: str,
    num_shards: int,
    num_classes: int,
) -> list[str]:
    sizes: set[tuple[int, int]] = set()
    max_channels = 0

    def example(index: int) -> bytes:
        nonlocal max_channels
        path, label = entries[index]
        with open(path, "rb") as f:
            data = f.read()
        try:
            pixels, is_jpeg = codec.decode(data)
        except tf.errors.InvalidArgumentError as err:
            raise ValueError(f"{fn}: cannot decode image {path!r}: {err.message}") from err
        height, width, channels = pixels.shape
        sizes.add((height, width))
        max_channels = max(max_channels, channels)
        if is_jpeg:
            image_format = b"jpg"
        elif data.startswith(b"\x89PNG"):
            image_format = b"png"
        else:
            data, image_format = codec.encode_png(pixels), b"png"
        return image_to_tfexample(data, image_format, height, width, label).SerializeToString()

    paths = _write_shards(
        output_dir, prefix, split_name, min(num_shards, len(entries)), len(entries), example
    )
    # Gray images (with or without alpha) decode to 1 channel, everything else to RGB.
    channels = 1 if max_channels <= 2 else 3
    shape = [*next(iter(sizes)), channels] if len(sizes) == 1 else None
    _record_split(
        output_dir,
        split_name,
        {
            "num_samples": len(entries),
            "files": [os.path.basename(p) for p in paths],
            "image_shape": [int(d) for d in shape] if shape else None,
            "channels": channels,
            "num_classes": num_classes,
        },
    )
    return paths


# --- reading back ------------------------------------------------------------------------


def _find_tf_slim_files(dataset_dir: str, split_name: str) -> str | None:
    for pattern in _TF_SLIM_PATTERNS:
        candidate = os.path.join(dataset_dir, pattern % split_name)
        if tf.io.gfile.glob(candidate):
            return candidate
    return None


def get_split(
    split_name: str,
    dataset_dir: str | os.PathLike,
    file_pattern: str | None = None,
    reader: Any = None,
) -> Dataset:
    """Describes one split of an image classification dataset written in TF-Slim's layout.

    Reads `dataset_info.json` (written by `write_arrays` / `write_image_folder`) for the
    split's files, size and image shape; without it, the files are found with TF-Slim's
    usual names and counted. Items: `'image'` (uint8 `[height, width, channels]`) and
    `'label'` (int64 scalar).

    Args:
      split_name: Split to read, e.g. `'train'`.
      dataset_dir: Directory holding the TFRecords.
      file_pattern: Glob of the split's files relative to `dataset_dir`; `%s` is replaced
        by `split_name`. Default: from `dataset_info.json`.
      reader: Reader class; default `tf.compat.v1.TFRecordReader`.

    Returns:
      A `Dataset` with the extra fields `num_classes` (or None when unknown) and
      `labels_to_names` (from `labels.txt`, or None).

    Raises:
      FileNotFoundError: If `dataset_dir` does not exist.
      ValueError: If the split is unknown or has no files.
    """
    fn = "get_split"
    dataset_dir = os.fspath(dataset_dir)
    if not os.path.isdir(dataset_dir):
        raise FileNotFoundError(f"{fn}: `dataset_dir` {dataset_dir!r} is not a directory.")
    info = read_info(dataset_dir)
    entry = (info or {}).get("splits", {}).get(split_name)
    if file_pattern:
        pattern = file_pattern % split_name if "%s" in file_pattern else file_pattern
        data_sources: str | list[str] = os.path.join(dataset_dir, pattern)
    elif entry is not None:
        data_sources = [os.path.join(dataset_dir, name) for name in entry["files"]]
    elif info is not None:
        known = sorted(info["splits"])
        raise ValueError(
            f"{fn}: `split_name` must be one of {known}, got {split_name!r}."
            + _checks.did_you_mean(str(split_name), known)
        )
    else:
        found = _find_tf_slim_files(dataset_dir, split_name)
        if found is None:
            tried = [p % split_name for p in _TF_SLIM_PATTERNS]
            raise ValueError(
                f"{fn}: no files of split {split_name!r} in {dataset_dir!r} (tried {tried}); "
                "pass `file_pattern`."
            )
        data_sources = found
    get_data_files(data_sources)  # Fails now, naming the pattern, when nothing matches.
    if entry is not None and not file_pattern:
        num_samples = int(entry["num_samples"])
    else:
        num_samples = count_records(data_sources)
    shape = entry.get("image_shape") if entry else None
    channels = int(entry["channels"]) if entry else 3
    labels_to_names = read_label_file(dataset_dir) if has_labels(dataset_dir) else None
    if labels_to_names:
        num_classes: int | None = len(labels_to_names)
    elif info is not None:
        num_classes = max(s.get("num_classes") or 0 for s in info["splits"].values()) or None
    else:
        num_classes = None
    decoder = TFExampleDecoder(
        {
            "image/encoded": tf.io.FixedLenFeature((), tf.string),
            "image/format": tf.io.FixedLenFeature((), tf.string, default_value="png"),
            "image/class/label": tf.io.FixedLenFeature((), tf.int64),
        },
        {
            "image": Image(shape=shape, channels=channels),
            "label": Tensor("image/class/label"),
        },
    )
    if shape:
        image_text = f"A [{shape[0]} x {shape[1]} x {shape[2]}] uint8 image."
    else:
        image_text = f"A uint8 image of varying size with {channels} channel(s)."
    label_text = (
        f"A single integer between 0 and {num_classes - 1}." if num_classes else "An integer."
    )
    return Dataset(
        data_sources=data_sources,
        reader=reader if reader is not None else v1.TFRecordReader,
        decoder=decoder,
        num_samples=num_samples,
        items_to_descriptions={"image": image_text, "label": label_text},
        num_classes=num_classes,
        labels_to_names=labels_to_names,
    )
