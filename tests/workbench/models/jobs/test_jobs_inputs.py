"""A job's data: image folders converted into the job folder, TFRecord datasets, batching."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

import slimlib as slim
from workbench.models.jobs import inputs, load_config

v1 = tf.compat.v1


def _write_png(path, pixels: np.ndarray) -> None:
    path.write_bytes(tf.io.encode_png(tf.constant(pixels)).numpy())


@pytest.fixture
def image_folder(tmp_path):
    """Two classes of 4 RGB images each, 6x5 and 7x7 pixels."""
    rng = np.random.RandomState(0)
    for name, size in (("cat", (6, 5)), ("dog", (7, 7))):
        folder = tmp_path / "images" / name
        folder.mkdir(parents=True)
        for index in range(4):
            _write_png(folder / f"{index}.png", rng.randint(0, 256, [*size, 3], dtype=np.uint8))
    return tmp_path


def _first_batches(images, labels, count: int) -> list:
    with v1.train.MonitoredSession() as sess:
        return [sess.run([images, labels]) for _ in range(count)]


def test_an_image_folder_is_converted_into_the_job_folder_and_resized(image_folder):
    config = load_config(
        {
            "model": {"net": "lenet"},
            "dataset": {
                "kind": "image_folder",
                "folder": "images",
                "validation_fraction": 0.25,
                "resize": [4, 4],
            },
            "train": {"batch_size": 3},
        },
        workspace=image_folder,
    )
    logdir = image_folder / "jobs" / "pets"
    logdir.mkdir(parents=True)
    data = inputs.prepare(config, str(logdir))
    assert data.dataset_dir == str(logdir / "data")
    assert data.input_shape == (4, 4, 3)
    assert data.source_shape == (None, None, 3)  # The images differ in size.
    assert data.num_classes == 2 and data.labels_to_names == {0: "cat", 1: "dog"}
    assert data.splits == {"train": 6, "validation": 2}
    assert json.loads((logdir / "model_info.json").read_text())["input_shape"] == [4, 4, 3]
    assert inputs.load_prepared(str(logdir)) == data
    with tf.Graph().as_default():
        images, labels = inputs.batch(config, data, "train", training=True)
        assert images.shape.as_list() == [3, 4, 4, 3]
        ((pixels, classes),) = _first_batches(images, labels, 1)
    assert pixels.dtype == np.float32 and 0.0 <= pixels.min() <= pixels.max() <= 1.0
    assert set(classes.tolist()) <= {0, 1}


def test_images_of_different_sizes_need_a_resize(image_folder):
    config = load_config(
        {"model": {"net": "lenet"}, "dataset": {"kind": "image_folder", "folder": "images"}},
        workspace=image_folder,
    )
    (image_folder / "job").mkdir()
    with pytest.raises(ValueError, match=r"have different sizes; set dataset.resize"):
        inputs.prepare(config, str(image_folder / "job"))


@pytest.fixture
def records(tmp_path):
    rng = np.random.RandomState(1)
    arrays = {}
    for split, count in (("train", 20), ("validation", 6)):
        images = rng.randint(0, 256, [count, 8, 8, 1], dtype=np.uint8)
        labels = rng.randint(0, 3, [count])
        slim.data.writer.write_arrays(
            images, labels, tmp_path / "records", split, dataset_name="mini"
        )
        arrays[split] = (images, labels)
    return tmp_path, arrays


def _tfrecord_config(workspace, pattern: str = "mini_%s_*.tfrecord"):
    return load_config(
        {
            "model": {"net": "lenet"},
            "dataset": {
                "kind": "tfrecord",
                "folder": "records",
                "file_pattern": pattern,
                "num_samples": {"train": 20, "validation": 6},
                "num_classes": 3,
                "image_shape": [8, 8, 1],
            },
            "train": {"batch_size": 4},
        },
        workspace=workspace,
    )


def test_validation_batches_read_each_tfrecord_once_in_order(records):
    workspace, arrays = records
    config = _tfrecord_config(workspace)
    (workspace / "job").mkdir()
    data = inputs.prepare(config, str(workspace / "job"))
    assert data.input_shape == (8, 8, 1) and data.num_classes == 3
    assert data.splits == {"train": 20, "validation": 6}
    with tf.Graph().as_default():
        images, labels = inputs.batch(config, data, "validation", training=False)
        batches = _first_batches(images, labels, 2)  # 4 + the last 2.
    pixels = np.concatenate([b[0] for b in batches])
    classes = np.concatenate([b[1] for b in batches])
    expected_images, expected_labels = arrays["validation"]
    np.testing.assert_allclose(pixels, expected_images / 255.0, atol=1e-6)
    np.testing.assert_array_equal(classes, expected_labels)


def test_a_split_without_files_is_named_in_the_error(records):
    workspace, _ = records
    config = _tfrecord_config(workspace, "other_%s_*.tfrecord")
    (workspace / "job").mkdir()
    data = inputs.prepare(config, str(workspace / "job"))
    with pytest.raises(FileNotFoundError, match=r"no TFRecord files of split 'train' match"):
        inputs.get_dataset(config, data, "train")


def test_a_folder_slim_data_writer_wrote_needs_only_its_path(records):
    workspace, arrays = records
    config = load_config(
        {
            "model": {"net": "lenet"},
            "dataset": {"kind": "tfrecord", "folder": "records"},
            "train": {"batch_size": 4},
        },
        workspace=workspace,
    )
    assert config.dataset.file_pattern is None and config.dataset.num_samples == {}
    (workspace / "job").mkdir()
    data = inputs.prepare(config, str(workspace / "job"))
    assert data.splits == {"train": 20, "validation": 6}
    assert data.source_shape == (8, 8, 1) and data.input_shape == (8, 8, 1)
    assert data.num_classes == 3 and data.labels_to_names == {0: "0", 1: "1", 2: "2"}
    with tf.Graph().as_default():
        images, labels = inputs.batch(config, data, "validation", training=False)
        batches = _first_batches(images, labels, 2)  # 4 + the last 2.
    expected_images, expected_labels = arrays["validation"]
    np.testing.assert_allclose(np.concatenate([b[0] for b in batches]), expected_images / 255.0)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), expected_labels)


def test_a_described_folder_whose_info_went_missing_says_what_to_do(records):
    workspace, _ = records
    config = load_config(
        {"model": {"net": "lenet"}, "dataset": {"kind": "tfrecord", "folder": "records"}},
        workspace=workspace,
    )
    (workspace / "records" / slim.data.writer.INFO_FILENAME).unlink()
    (workspace / "job").mkdir()
    with pytest.raises(ValueError, match=r"has no dataset_info.json with a 'train' split; write"):
        inputs.prepare(config, str(workspace / "job"))


def test_the_config_names_the_info_file_the_writer_writes():
    from workbench.models.jobs.config import DATASET_INFO_FILE

    assert DATASET_INFO_FILE == slim.data.writer.INFO_FILENAME
