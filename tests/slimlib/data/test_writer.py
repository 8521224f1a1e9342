"""slim.data.writer: TFRecords in TF-Slim's layout from arrays and image folders, and get_split."""

import json
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data as data
from slimlib.data import writer


def _examples(path):
    return [tf.train.Example.FromString(r) for r in tf.io.tf_record_iterator(path)]


def _feature(example, key):
    feature = example.features.feature[key]
    return list(feature.bytes_list.value or feature.int64_list.value)


def _decode_png(data_bytes):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(tf.io.decode_image(data_bytes, channels=0, expand_animations=False))


def _write_image(path, pixels, kind="png"):
    with tf.Graph().as_default(), tf.Session() as sess:
        encode = tf.io.encode_png if kind == "png" else tf.io.encode_jpeg
        path.write_bytes(sess.run(encode(pixels)))


def _read_split(dataset, drain):
    """Reads every (image, label) of `dataset` in file order."""
    with tf.Graph().as_default():
        provider = data.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)
        tensors = provider.get(["image", "label"])
        with tf.Session() as sess:
            return drain(sess, tensors)


# --- write_arrays -------------------------------------------------------------------------


def test_write_arrays_writes_tf_slim_examples(tmp_path, tiny_images):
    images, labels = tiny_images
    paths = writer.write_arrays(
        images,
        labels,
        tmp_path,
        "train",
        num_shards=2,
        class_names=["a", "b", "c"],
        dataset_name="tiny",
    )
    names = ["tiny_train_00000-of-00002.tfrecord", "tiny_train_00001-of-00002.tfrecord"]
    assert paths == [str(tmp_path / n) for n in names]
    assert (tmp_path / "labels.txt").read_text() == "0:a\n1:b\n2:c\n"
    first = _examples(paths[0])[0]
    assert _feature(first, "image/format") == [b"png"]
    assert _feature(first, "image/height") == [4] and _feature(first, "image/width") == [5]
    assert _feature(first, "image/class/label") == [0]
    np.testing.assert_array_equal(_decode_png(_feature(first, "image/encoded")[0]), images[0])
    assert [len(_examples(p)) for p in paths] == [3, 3]
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["splits"]["train"] == {
        "num_samples": 6,
        "files": names,
        "image_shape": [4, 5, 3],
        "channels": 3,
        "num_classes": 3,
    }


def test_write_arrays_accepts_gray_images_without_a_channel_axis(tmp_path, drain):
    gray = np.arange(2 * 3 * 3, dtype=np.uint8).reshape([2, 3, 3]) * 10
    writer.write_arrays(gray, [1, 0], tmp_path, "test")
    dataset = writer.get_split("test", tmp_path)
    assert dataset.num_classes == 2 and dataset.labels_to_names is None
    results = _read_split(dataset, drain)
    np.testing.assert_array_equal(np.stack([r[0] for r in results]), gray[..., np.newaxis])


def test_rewriting_a_split_with_fewer_shards_removes_the_old_shards(tmp_path, tiny_images):
    images, labels = tiny_images
    writer.write_arrays(images, labels, tmp_path, "train", num_shards=3)
    writer.write_arrays(images, labels, tmp_path, "train", num_shards=1)
    assert sorted(p.name for p in tmp_path.glob("*.tfrecord")) == ["train_00000-of-00001.tfrecord"]
    assert not list(tmp_path.glob(".*"))  # No temporary files left behind.


@pytest.mark.parametrize(
    "images, labels, kwargs, exc, match",
    [
        (np.zeros([2, 3, 3], np.float32), [0, 1], {}, TypeError, "`images` must be uint8.*float32"),
        (np.zeros([2, 3], np.uint8), [0, 1], {}, ValueError, r"got shape \(2, 3\)"),
        (np.zeros([2, 3, 3, 2], np.uint8), [0, 1], {}, ValueError, r"got shape \(2, 3, 3, 2\)"),
        (np.zeros([2, 3, 3], np.uint8), [0], {}, ValueError, r"`labels` must have shape \[2\]"),
        (np.zeros([2, 3, 3], np.uint8), [0, -1], {}, ValueError, "`labels` must be >= 0, got -1"),
        (np.zeros([2, 3, 3], np.uint8), [0.5, 1], {}, TypeError, "`labels` must be integers"),
        (np.zeros([2, 3, 3], np.uint8), [0, 2], {"class_names": ["a", "b"]}, ValueError,
         "every label must be < len\\(class_names\\) = 2, got label 2"),
        (np.zeros([2, 3, 3], np.uint8), [0, 1], {"class_names": "ab"}, TypeError,
         "`class_names` must be a list of str"),
        (np.zeros([2, 3, 3], np.uint8), [0, 1], {"num_shards": 0}, ValueError,
         "`num_shards` must be >= 1, got 0"),
    ],
    ids=["float", "rank2", "two-channels", "label-count", "negative", "float-labels",
         "label-too-big", "class-names-str", "no-shards"],
)  # fmt: skip
def test_write_arrays_rejects_bad_input(tmp_path, images, labels, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        writer.write_arrays(images, np.asarray(labels), tmp_path, "train", **kwargs)


def test_write_arrays_rejects_a_bad_split_name(tmp_path):
    with pytest.raises(ValueError, match="`split_name` must be a name of letters"):
        writer.write_arrays(np.zeros([1, 2, 2], np.uint8), [0], tmp_path, "../train")


def test_write_arrays_refuses_classes_that_disagree_with_labels_txt(tmp_path):
    one = np.zeros([1, 2, 2], np.uint8)
    writer.write_arrays(one, [0], tmp_path, "train", class_names=["cat", "dog"])
    with pytest.raises(ValueError, match=r"lists classes \['cat', 'dog'\].*\['dog', 'cat'\]"):
        writer.write_arrays(one, [0], tmp_path, "validation", class_names=["dog", "cat"])


# --- labels file --------------------------------------------------------------------------


def test_label_file_round_trip(tmp_path):
    writer.write_label_file({0: "zero", 1: "a:b"}, str(tmp_path))
    assert writer.has_labels(str(tmp_path))
    assert writer.read_label_file(str(tmp_path)) == {0: "zero", 1: "a:b"}


def test_read_label_file_names_a_bad_line(tmp_path):
    (tmp_path / "labels.txt").write_text("0:cat\ndog\n")
    with pytest.raises(ValueError, match="line 2 of .* must be '<label>:<class name>', got 'dog'"):
        writer.read_label_file(str(tmp_path))


# --- write_image_folder -------------------------------------------------------------------


@pytest.fixture
def image_folder(tmp_path):
    """cat/ holds two 3 x 2 PNGs (values 10, 20); dog/ one PNG (30) and one flat JPEG (200)."""
    root = tmp_path / "pets"
    for name, value, kind in [
        ("cat/1.png", 10, "png"),
        ("cat/2.PNG", 20, "png"),
        ("dog/1.png", 30, "png"),
        ("dog/2.jpg", 200, "jpeg"),
    ]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_image(path, np.full([3, 2, 3], value, np.uint8), kind)
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


def test_write_image_folder_reads_back_through_get_split(tmp_path, image_folder, drain):
    out = tmp_path / "out"
    written = writer.write_image_folder(image_folder, out, num_shards=2)
    assert list(written) == ["train"] and len(written["train"]) == 2
    assert (out / "labels.txt").read_text() == "0:cat\n1:dog\n"
    dataset = writer.get_split("train", out)
    assert dataset.num_samples == 4 and dataset.num_classes == 2
    assert dataset.labels_to_names == {0: "cat", 1: "dog"}
    results = _read_split(dataset, drain)
    by_value = sorted((int(image[0, 0, 0]), int(label)) for image, label in results)
    assert [label for _, label in by_value] == [0, 0, 1, 1]
    assert [value for value, _ in by_value][:3] == [10, 20, 30]
    assert abs(by_value[3][0] - 200) <= 1  # JPEG stays within one level on a flat image.
    assert {r[0].shape for r in results} == {(3, 2, 3)}
    formats = [_feature(e, "image/format")[0] for p in written["train"] for e in _examples(p)]
    assert sorted(formats) == [b"jpg", b"png", b"png", b"png"]


def test_write_image_folder_splits_off_validation(tmp_path, image_folder):
    written = writer.write_image_folder(image_folder, tmp_path / "out", validation_fraction=0.25)
    assert sorted(written) == ["train", "validation"]
    assert writer.get_split("validation", tmp_path / "out").num_samples == 1
    assert writer.get_split("train", tmp_path / "out").num_samples == 3


def test_write_image_folder_keeps_gray_images_single_channel(tmp_path):
    path = tmp_path / "in" / "only" / "g.png"
    path.parent.mkdir(parents=True)
    _write_image(path, np.full([2, 2, 1], 7, np.uint8))
    writer.write_image_folder(tmp_path / "in", tmp_path / "out")
    dataset = writer.get_split("train", tmp_path / "out")
    assert dataset.items_to_descriptions["image"] == "A [2 x 2 x 1] uint8 image."


def test_write_image_folder_needs_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="`folder` '.*missing' is not a directory"):
        writer.write_image_folder(tmp_path / "missing", tmp_path / "out")


def test_write_image_folder_needs_class_sub_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="'.*empty' has no class sub-folders"):
        writer.write_image_folder(tmp_path / "empty", tmp_path / "out")


def test_write_image_folder_names_a_class_folder_without_images(tmp_path, image_folder):
    (image_folder / "bird").mkdir()
    (image_folder / "bird" / "readme.txt").write_text("no pictures yet")
    with pytest.raises(ValueError, match="class folder '.*pets/bird' has no images"):
        writer.write_image_folder(image_folder, tmp_path / "out")


def test_write_image_folder_names_an_undecodable_image(tmp_path, image_folder):
    (image_folder / "cat" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot decode image '.*cat/broken.png'"):
        writer.write_image_folder(image_folder, tmp_path / "out")


def test_write_image_folder_rejects_a_bad_validation_fraction(tmp_path, image_folder):
    with pytest.raises(ValueError, match=r"`validation_fraction` must be in \[0, 1\), got 1.0"):
        writer.write_image_folder(image_folder, tmp_path / "out", validation_fraction=1.0)


# --- get_split ----------------------------------------------------------------------------


def test_get_split_reads_a_tf_slim_directory_without_dataset_info(tmp_path, tiny_images):
    images, labels = tiny_images
    writer.write_arrays(images, labels, tmp_path, "train", dataset_name="flowers")
    (tmp_path / "dataset_info.json").unlink()
    dataset = writer.get_split("train", tmp_path)
    assert dataset.data_sources == str(tmp_path / "*_train_*.tfrecord")
    assert dataset.num_samples == 6  # Counted from the files.
    assert dataset.reader is tf.TFRecordReader


def test_get_split_takes_a_file_pattern(tmp_path, tiny_images):
    images, labels = tiny_images
    writer.write_arrays(images, labels, tmp_path, "train")
    dataset = writer.get_split("train", tmp_path, file_pattern="%s_*.tfrecord")
    assert dataset.data_sources == str(tmp_path / "train_*.tfrecord")
    assert dataset.num_samples == 6


def test_get_split_names_the_known_splits(tmp_path, tiny_images):
    images, labels = tiny_images
    writer.write_arrays(images, labels, tmp_path, "train")
    with pytest.raises(
        ValueError, match=r"one of \['train'\], got 'trian'. Did you mean 'train'\?"
    ):
        writer.get_split("trian", tmp_path)


def test_get_split_without_files(tmp_path):
    with pytest.raises(ValueError, match="no files of split 'train' in"):
        writer.get_split("train", tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        writer.get_split("train", tmp_path / "missing")


def test_features_helpers_build_tf_slim_examples():
    example = writer.image_to_tfexample(b"img", b"png", 2, 3, 1)
    assert _feature(example, "image/encoded") == [b"img"]
    assert _feature(example, "image/width") == [3]
    assert list(writer.float_feature([0.5]).float_list.value) == [0.5]
    assert os.path.basename(writer.LABELS_FILENAME) == "labels.txt"
