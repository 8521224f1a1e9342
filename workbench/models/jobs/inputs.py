"""A job's data: the dataset of each split, read and batched with slimlib's data module.

`prepare` makes the data ready once per job (an image folder is converted to TFRecords in
`<logdir>/data` with `slim.data.writer.write_image_folder`; the digits are built in
slimlib's cache) and describes it: the model's input shape, the classes and the size of
each split. The description is saved as `<logdir>/model_info.json`, which evaluation and
export read back. `batch` builds the input pipeline of a split in the current graph:
`DatasetDataProvider` -> decode -> `preprocess` -> `tf.compat.v1.train.batch`.

Pixels are scaled to [0, 1] (`pixels / 255`) and resized (bilinear) to `dataset.resize`
when one is given; an exported model applies the same scaling to its float32 0..255 input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import tensorflow as tf

import slimlib as slim
from workbench.models.jobs.config import JobConfig
from workbench.models.jobs.image_limits import check_image_sizes
from workbench.models.jobs.paths import DATA_DIR, MODEL_INFO_FILE
from workbench.models.jobs.pipeline_sizes import shuffle_capacity
from workbench.models.jobs.status_file import read_json, write_json_atomic

v1 = tf.compat.v1

__all__ = [
    "PreparedData",
    "batch",
    "get_dataset",
    "load_prepared",
    "prepare",
    "scale_pixels",
]

# Largest pixel value of uint8 images; inputs are scaled by 1/255 into [0, 1].
_PIXEL_MAX = 255.0


@dataclass(frozen=True)
class PreparedData:
    """What a job's model sees of its data.

    Attributes:
      dataset_dir: Folder of the TFRecords.
      input_shape: The model's input `[height, width, channels]` (after any resize).
      source_shape: Decoded image shape; `None` for a side that varies between images.
      num_classes: Number of classes (labels are `0..num_classes - 1`).
      labels_to_names: Class name of each label.
      splits: Split name -> number of examples (`train`, and `validation` when present).
    """

    dataset_dir: str
    input_shape: tuple[int, int, int]
    source_shape: tuple[int | None, int | None, int]
    num_classes: int
    labels_to_names: dict[int, str] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The JSON of `model_info.json`."""
        return {
            "dataset_dir": self.dataset_dir,
            "input_shape": list(self.input_shape),
            "source_shape": list(self.source_shape),
            "num_classes": self.num_classes,
            "labels_to_names": {str(k): v for k, v in self.labels_to_names.items()},
            "splits": dict(self.splits),
        }

    @classmethod
    def from_json(cls, data: dict) -> PreparedData:
        """Reads back `to_json()`."""
        return cls(
            dataset_dir=data["dataset_dir"],
            input_shape=tuple(data["input_shape"]),
            source_shape=tuple(data["source_shape"]),
            num_classes=int(data["num_classes"]),
            labels_to_names={int(k): v for k, v in data["labels_to_names"].items()},
            splits={k: int(v) for k, v in data["splits"].items()},
        )


def _convert_image_folder(config: JobConfig, target: str) -> dict:
    """Converts `dataset.folder` into `target` once; returns its `dataset_info.json`."""
    info_path = os.path.join(target, slim.data.writer.INFO_FILENAME)
    wanted = {"train", "validation"} if config.dataset.validation_fraction > 0 else {"train"}
    info = read_json(info_path)
    if isinstance(info, dict) and set(info.get("splits", {})) == wanted:
        return info  # Converted by an earlier run of this job (e.g. before a resume).
    check_image_sizes(config.dataset.folder)  # No decompression bomb is decoded.
    slim.data.writer.write_image_folder(
        config.dataset.folder,
        target,
        validation_fraction=config.dataset.validation_fraction,
        seed=config.seed,
    )
    return read_json(info_path)


def _described(dataset_dir: str) -> tuple[tuple, dict[int, str], dict[str, int]]:
    """`(source shape, labels to names, split sizes)` from a folder slim.data.writer wrote.

    Raises:
      ValueError: If the folder has no `dataset_info.json` or no `train` split.
    """
    info = slim.data.writer.read_info(dataset_dir)
    if info is None or "train" not in info.get("splits", {}):
        raise ValueError(
            f"prepare: {dataset_dir!r} has no {slim.data.writer.INFO_FILENAME} with a 'train' "
            "split; write the TFRecords with slim.data.writer, or give dataset.file_pattern, "
            "num_samples, num_classes and image_shape."
        )
    train = info["splits"]["train"]
    shape = train.get("image_shape")
    source = tuple(shape) if shape else (None, None, int(train["channels"]))
    if slim.data.writer.has_labels(dataset_dir):
        labels = slim.data.writer.read_label_file(dataset_dir)
    else:
        count = max(int(entry.get("num_classes") or 0) for entry in info["splits"].values())
        labels = {i: str(i) for i in range(count)}
    splits = {name: int(entry["num_samples"]) for name, entry in info["splits"].items()}
    return source, labels, splits


def prepare(config: JobConfig, logdir: str) -> PreparedData:
    """Makes the job's data ready to read and writes `<logdir>/model_info.json`.

    Args:
      config: The job config.
      logdir: The job's log directory (an image folder is converted into `<logdir>/data`).

    Returns:
      The `PreparedData`.

    Raises:
      ValueError: If an image folder has no classes or images, or images of different
        sizes come without `dataset.resize`.
      FileNotFoundError: If an image folder does not exist.
    """
    spec = config.dataset
    if spec.kind == "digits":
        dataset_dir = slim.datasets.digits.convert()
        source: tuple = (8, 8, 1)  # UCI digits: 8 x 8 gray images.
        labels = {i: str(i) for i in range(slim.datasets.digits.NUM_CLASSES)}
        splits = dict(slim.datasets.digits.SPLITS_TO_SIZES)
    elif spec.kind == "tfrecord" and spec.file_pattern is None:
        dataset_dir = spec.folder
        source, labels, splits = _described(dataset_dir)
    elif spec.kind == "tfrecord":
        dataset_dir = spec.folder
        source = tuple(spec.image_shape)
        if slim.data.writer.has_labels(dataset_dir):
            labels = slim.data.writer.read_label_file(dataset_dir)
        else:
            labels = {i: str(i) for i in range(spec.num_classes)}
        splits = dict(spec.num_samples)
    else:
        dataset_dir = os.path.join(logdir, DATA_DIR)
        _convert_image_folder(config, dataset_dir)
        source, labels, splits = _described(dataset_dir)
    num_classes = config.num_classes or len(labels)
    if spec.resize:
        input_shape = (*spec.resize, source[2])
    elif source[0] is None or source[1] is None:
        raise ValueError(
            f"prepare: the images of dataset.folder {spec.folder!r} have different sizes; "
            'set dataset.resize to [height, width], e.g. "resize": [64, 64].'
        )
    else:
        input_shape = source
    data = PreparedData(dataset_dir, input_shape, source, num_classes, labels, splits)
    write_json_atomic(os.path.join(logdir, MODEL_INFO_FILE), data.to_json())
    return data


def load_prepared(logdir: str) -> PreparedData:
    """Reads the `PreparedData` a job saved in `<logdir>/model_info.json`.

    Raises:
      FileNotFoundError: If the job has not prepared its data yet.
    """
    data = read_json(os.path.join(logdir, MODEL_INFO_FILE))
    if not isinstance(data, dict):
        raise FileNotFoundError(
            f"load_prepared: {os.path.join(logdir, MODEL_INFO_FILE)!r} is missing; the job "
            "has not prepared its data yet (start it first)."
        )
    return PreparedData.from_json(data)


def get_dataset(config: JobConfig, data: PreparedData, split: str) -> slim.data.Dataset:
    """The `slim.data.Dataset` of one split (`'train'` or `'validation'`).

    Raises:
      FileNotFoundError: If no TFRecord file of the split is found.
    """
    spec = config.dataset
    if spec.kind == "digits":
        return slim.datasets.get_dataset("digits", split, data.dataset_dir)
    if spec.kind == "image_folder" or spec.file_pattern is None:
        return slim.data.writer.get_split(split, data.dataset_dir)
    pattern = os.path.join(data.dataset_dir, spec.file_pattern % split)
    if not tf.io.gfile.glob(pattern):
        raise FileNotFoundError(
            f"get_dataset: no TFRecord files of split {split!r} match {pattern!r} "
            "(dataset.folder + dataset.file_pattern)."
        )
    height, width, channels = spec.image_shape
    decoder = slim.tfexample_decoder.TFExampleDecoder(
        {
            "image/encoded": tf.io.FixedLenFeature((), tf.string),
            "image/format": tf.io.FixedLenFeature((), tf.string, default_value="png"),
            "image/class/label": tf.io.FixedLenFeature((), tf.int64),
        },
        {
            "image": slim.tfexample_decoder.Image(
                shape=[height, width, channels], channels=channels
            ),
            "label": slim.tfexample_decoder.Tensor("image/class/label"),
        },
    )
    return slim.data.Dataset(
        data_sources=pattern,
        reader=v1.TFRecordReader,
        decoder=decoder,
        num_samples=spec.num_samples[split],
        items_to_descriptions={
            "image": f"A [{height} x {width} x {channels}] uint8 image.",
            "label": f"A single integer between 0 and {spec.num_classes - 1}.",
        },
        num_classes=spec.num_classes,
    )


def scale_pixels(images: tf.Tensor) -> tf.Tensor:
    """Pixel values 0..255 (any numeric dtype) as float32 in [0, 1]."""
    return tf.cast(images, tf.float32) * (1.0 / _PIXEL_MAX)


def preprocess(image: tf.Tensor, data: PreparedData) -> tf.Tensor:
    """One decoded uint8 image -> float32 `input_shape`, scaled to [0, 1] and resized."""
    height, width, channels = data.input_shape
    image = scale_pixels(image)
    image.set_shape([data.source_shape[0], data.source_shape[1], channels])
    if tuple(data.source_shape[:2]) != (height, width):
        image = tf.image.resize(image, [height, width])
    image.set_shape([height, width, channels])
    return image


def batch(
    config: JobConfig,
    data: PreparedData,
    split: str,
    *,
    training: bool,
    num_threads: int = 2,
    prefetch_batches: int = 5,
    map_per_batch: bool = False,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Builds the input pipeline of `split` in the current graph.

    Training reads shuffled records forever; evaluation reads each record once, in order,
    and its last batch may be smaller.

    Args:
      config: The job config (batch size and seed).
      data: The prepared data.
      split: `'train'` or `'validation'`.
      training: Whether this is the training pipeline.
      num_threads: Records (or batches, with `map_per_batch`) decoded at once.
      prefetch_batches: Batches kept ready ahead of the training step.
      map_per_batch: Decode a batch of records per map call (see `slim.data.batch`).

    Returns:
      `(images, labels)`: float32 `[batch, height, width, channels]` and int64 `[batch]`.
    """
    batch_size = config.train.batch_size
    dataset = get_dataset(config, data, split)
    capacity = shuffle_capacity(batch_size)
    with tf.device("/cpu:0"), v1.name_scope(f"{split}_inputs"):
        provider = slim.dataset_data_provider.DatasetDataProvider(
            dataset,
            shuffle=training,
            num_epochs=None if training else 1,
            common_queue_capacity=capacity,
            common_queue_min=capacity // 2,
            seed=config.seed if training else None,
        )
        image, label = provider.get(["image", "label"])
        image = preprocess(image, data)
        # Decoding and preprocessing run in tf.data's threads, not in a queue runner.
        images, labels = slim.data.batch(
            [image, label],
            batch_size=batch_size,
            num_threads=num_threads,
            capacity=prefetch_batches * batch_size,
            allow_smaller_final_batch=not training,
            map_per_batch=map_per_batch,
        )
    return images, tf.cast(labels, tf.int64)
