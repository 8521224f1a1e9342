"""slimlib.datasets: the offline digits dataset and get_dataset by name."""

import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data as data
import slimlib.datasets as datasets
from slimlib._src.data import writer as writer_src
from slimlib._src.datasets import digits as digits_src
from slimlib.datasets import digits


@pytest.fixture(scope="module")
def digits_dir(tmp_path_factory):
    """The digits TFRecords, converted once for this module into a temporary cache."""
    root = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLIMLIB_DATA_DIR", str(root))
        return digits.convert()


def _files(folder):
    return {name: os.stat(os.path.join(folder, name)).st_mtime_ns for name in os.listdir(folder)}


def test_default_dir_follows_slimlib_data_dir(tmp_path):
    assert digits.default_dataset_dir() == str(tmp_path / "cache" / "digits")


def test_splits_have_the_documented_sizes(digits_dir):
    assert digits.SPLITS_TO_SIZES == {"train": 1500, "validation": 297}
    for split, size in digits.SPLITS_TO_SIZES.items():
        dataset = datasets.get_dataset("digits", split, digits_dir)
        assert dataset.num_samples == size
        assert data.count_records(dataset.data_sources) == size
        assert dataset.num_classes == 10
        assert dataset.labels_to_names == {i: str(i) for i in range(10)}
        assert set(dataset.items_to_descriptions) == {"image", "label"}


def test_validation_images_are_the_scaled_bundled_digits(digits_dir, drain):
    images, labels = digits.load_arrays()["validation"]
    assert images.shape == (297, 8, 8, 1) and images.dtype == np.uint8 and images.max() == 255
    with tf.Graph().as_default():
        dataset = digits.get_split("validation", digits_dir)
        provider = data.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)
        image, label = provider.get(["image", "label"])
        assert image.shape.as_list() == [8, 8, 1]
        with tf.Session() as sess:
            results = drain(sess, [image, label])
    np.testing.assert_array_equal(np.stack([r[0] for r in results]), images)
    np.testing.assert_array_equal([r[1] for r in results], labels)
    assert sorted(set(labels.tolist())) == list(range(10))


def test_split_is_deterministic_and_disjoint():
    first, second = digits.load_arrays(), digits.load_arrays()
    np.testing.assert_array_equal(first["train"][1], second["train"][1])
    assert len(first["train"][1]) + len(first["validation"][1]) == 1797


def test_second_use_reuses_the_cache_without_rewriting(digits_dir):
    before = _files(digits_dir)
    assert digits.convert(digits_dir) == digits_dir
    datasets.get_dataset("digits", "train", digits_dir)
    assert _files(digits_dir) == before


def test_get_dataset_uses_the_env_cache_by_default(tmp_path, digits_dir):
    # Put the module's converted copy where SLIMLIB_DATA_DIR points, so nothing is rebuilt.
    os.symlink(os.path.dirname(digits_dir), tmp_path / "cache")
    dataset = datasets.get_dataset("digits", "train")
    assert dataset.data_sources[0].startswith(str(tmp_path / "cache" / "digits"))


def test_interrupted_conversion_leaves_no_dataset(tmp_path, monkeypatch):
    calls = []

    def fail_on_second_split(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    real = writer_src.write_arrays
    monkeypatch.setattr(writer_src, "write_arrays", fail_on_second_split)
    target = tmp_path / "partial" / "digits"
    with pytest.raises(KeyboardInterrupt):
        digits.convert(target)
    assert calls == ["train", "validation"]
    assert os.listdir(tmp_path / "partial") == []  # Neither the dataset nor a temporary folder.


def test_an_incomplete_cache_is_rebuilt(tmp_path):
    target = tmp_path / "digits"
    target.mkdir()
    (target / "digits_train_00000-of-00001.tfrecord").write_bytes(b"half")
    assert digits.convert(target) == str(target)
    assert data.count_records(str(target / "*_train_*.tfrecord")) == 1500
    assert sorted(os.listdir(tmp_path)) == ["digits"]  # The stale copy is gone.


def test_bundled_digits_are_the_uci_test_set():
    images, labels = digits_src._read_bundled()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    # Images per class in the UCI set's test part (optdigits.tes).
    counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(labels).tolist() == counts
    # Its first record: a 0, pixel counts 0..16 row by row.
    assert labels[0] == 0
    assert images[0, :2].tolist() == [[0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0]]
    assert int(images.sum(dtype=np.int64)) == 561_718


def test_scaling_and_split_follow_the_bundled_counts():
    raw_images, raw_labels = digits_src._read_bundled()
    order = np.random.RandomState(0).permutation(1797)
    images, labels = digits.load_arrays()["train"]
    np.testing.assert_array_equal(labels, raw_labels[order[:1500]])
    first = raw_images[order[0]].astype(np.float64)
    np.testing.assert_array_equal(images[0, ..., 0], np.rint(first * 255 / 16).astype(np.uint8))


def test_a_missing_bundled_file_is_named(tmp_path):
    missing = str(tmp_path / "digits.npz")
    with pytest.raises(
        OSError, match=r"cannot read the bundled digits file .*digits\.npz.*reinstall"
    ):
        digits_src._read_bundled(missing)


def test_a_damaged_bundled_file_is_named(tmp_path):
    truncated = tmp_path / "digits.npz"
    np.savez(truncated, images=np.zeros((10, 8, 8), np.uint8), labels=np.zeros(10, np.uint8))
    with pytest.raises(OSError, match=r"holds images \(10, 8, 8\) up to 0 and labels \(10,\)"):
        digits_src._read_bundled(str(truncated))
    truncated.write_bytes(b"PK not a zip")
    with pytest.raises(OSError, match="BadZipFile|cannot read the bundled digits file"):
        digits_src._read_bundled(str(truncated))


def test_digits_rejects_an_unknown_split():
    with pytest.raises(ValueError, match=r"one of \['train', 'validation'\], got 'test'"):
        digits.get_split("test")


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(
        ValueError, match=r"must be one of \['digits', 'mnist'.*Did you mean 'digits'"
    ):
        datasets.get_dataset("digit", "train")


@pytest.mark.parametrize("name", ["mnist", "cifar10", "flowers", "imagenet"])
def test_datasets_that_need_a_download_explain_how_to_convert(name):
    split = "validation" if name in ("flowers", "imagenet") else "test"
    with pytest.raises(ValueError, match="downloads nothing at run time.*write_arrays"):
        datasets.get_dataset(name, split)


def test_converted_dataset_without_files_names_the_pattern(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no files match '.*mnist_train.tfrecord'"):
        datasets.get_dataset("mnist", "train", tmp_path)


def test_a_dataset_written_with_the_writer_is_found_by_name(tmp_path, tiny_images):
    images, labels = tiny_images
    data.writer.write_arrays(images, labels, tmp_path, "test", dataset_name="cifar10")
    dataset = datasets.get_dataset("cifar10", "test", tmp_path)
    assert dataset.num_samples == 6


def test_tf_slim_cifar10_layout_is_read_with_tf_slim_definitions(tmp_path, tiny_images, drain):
    big = np.full([1, 32, 32, 3], 9, np.uint8)
    data.writer.write_arrays(big, [4], tmp_path, "test")
    os.rename(tmp_path / "test_00000-of-00001.tfrecord", tmp_path / "cifar10_test.tfrecord")
    (tmp_path / "dataset_info.json").unlink()
    dataset = datasets.get_dataset("cifar10", "test", tmp_path)
    assert dataset.num_samples == 10000 and dataset.num_classes == 10
    with tf.Graph().as_default():
        provider = data.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)
        with tf.Session() as sess:
            [(image, label)] = drain(sess, provider.get(["image", "label"]))
    assert image.shape == (32, 32, 3) and image[0, 0, 0] == 9 and label == 4
