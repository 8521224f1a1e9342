"""slim.dataset_data_provider: NumPy -> TFRecords -> DatasetDataProvider -> the same arrays."""

import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data as data
import slimlib.queues as queues


@pytest.fixture
def dataset_dir(tmp_path, tiny_images):
    images, labels = tiny_images
    out = tmp_path / "tiny"
    data.writer.write_arrays(
        images, labels, out, "train", num_shards=2, class_names=["a", "b", "c"]
    )
    return str(out)


def test_round_trip_gives_identical_images_and_labels(graph, drain, dataset_dir, tiny_images):
    images, labels = tiny_images
    dataset = data.writer.get_split("train", dataset_dir)
    provider = data.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)
    image, label, key = provider.get(["image", "label", "record_key"])
    assert image.shape.as_list() == [4, 5, 3] and image.dtype == tf.uint8
    assert provider.num_samples() == 6
    with tf.Session() as sess:
        results = drain(sess, [image, label, key])
    np.testing.assert_array_equal(np.stack([r[0] for r in results]), images)
    np.testing.assert_array_equal([r[1] for r in results], labels)
    first_shard = os.path.join(dataset_dir, "train_00000-of-00002.tfrecord")
    assert results[0][2].decode() == f"{first_shard}:0"


def test_items_can_be_asked_for_separately(graph, dataset_dir):
    provider = data.DatasetDataProvider(data.writer.get_split("train", dataset_dir), shuffle=False)
    [label] = provider.get(["label"])
    [image] = provider.get(["image"])
    with tf.Session() as sess:
        first_image, first_label = sess.run([image, label])
    assert first_label == 0 and first_image[1, 1, 0] == 0


def test_train_batch_with_start_queue_runners(graph, dataset_dir, tiny_images):
    images, labels = tiny_images
    provider = data.DatasetDataProvider(
        data.writer.get_split("train", dataset_dir), shuffle=False, num_epochs=1
    )
    image, label = provider.get(["image", "label"])
    batch = tf.train.batch([image, label], batch_size=4, allow_smaller_final_batch=True)
    sizes, got_labels = [], []
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())  # TF-Slim's habit; harmless here.
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord=coord)
        try:
            while True:
                batch_images, batch_labels = sess.run(batch)
                sizes.append(len(batch_images))
                got_labels.extend(batch_labels)
        except tf.errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads)
    assert sizes == [4, 2]
    np.testing.assert_array_equal(got_labels, labels)


def test_shuffled_batches_in_a_monitored_session_with_queue_runners(graph, dataset_dir):
    provider = data.DatasetDataProvider(
        data.writer.get_split("train", dataset_dir), num_readers=2, num_epochs=1, seed=3
    )
    image, label = provider.get(["image", "label"])
    batch = tf.train.batch([image, label], batch_size=2, num_threads=2)
    seen = []
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            seen.extend(sess.run(batch)[1])
    assert sorted(seen) == [0, 0, 1, 1, 2, 2]


def test_batches_with_slim_queue_runners(graph, dataset_dir):
    provider = data.DatasetDataProvider(data.writer.get_split("train", dataset_dir), seed=1)
    image, _ = provider.get(["image", "label"])
    images = tf.train.shuffle_batch([image], 3, capacity=8, min_after_dequeue=2, seed=1)
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            assert sess.run(images).shape == (3, 4, 5, 3)


def test_record_key_must_not_be_an_item(graph, dataset_dir):
    with pytest.raises(ValueError, match="`record_key` 'label' is also a dataset item"):
        data.DatasetDataProvider(data.writer.get_split("train", dataset_dir), record_key="label")


def test_get_names_an_unknown_item(graph, dataset_dir):
    provider = data.DatasetDataProvider(data.writer.get_split("train", dataset_dir))
    with pytest.raises(ValueError, match=r"item 'labels' is not provided.*Did you mean 'label'\?"):
        provider.get(["labels"])


@pytest.mark.parametrize(
    "damage, match",
    [("truncate", "truncated record"), ("corrupt", "corrupted record")],
    ids=["truncated", "corrupt"],
)
def test_damaged_tfrecords_raise_data_loss(graph, drain, dataset_dir, damage, match):
    shard = os.path.join(dataset_dir, "train_00001-of-00002.tfrecord")
    raw = open(shard, "rb").read()
    if damage == "truncate":
        raw = raw[:-10]
    else:  # Flip bytes in the length header of the second record.
        second = len(raw) // 3 + 1
        raw = raw[:second] + bytes(b ^ 0xFF for b in raw[second : second + 4]) + raw[second + 4 :]
    with open(shard, "wb") as f:
        f.write(raw)
    provider = data.DatasetDataProvider(
        data.writer.get_split("train", dataset_dir), shuffle=False, num_epochs=1
    )
    [label] = provider.get(["label"])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DataLossError, match=match):
            drain(sess, label)
    # verify_tfrecords names the damaged file.
    with pytest.raises(
        tf.errors.DataLossError, match=r"'.*train_00001-of-00002.tfrecord' is corrupt"
    ):
        data.verify_tfrecords(os.path.join(dataset_dir, "*.tfrecord"))


def test_verify_tfrecords_counts_records_per_file(dataset_dir):
    counts = data.verify_tfrecords(os.path.join(dataset_dir, "*.tfrecord"))
    assert list(counts.values()) == [3, 3]
    assert data.count_records(os.path.join(dataset_dir, "*.tfrecord")) == 6


def test_verify_tfrecords_counts_intact_records_before_the_damage(tmp_path):
    path = str(tmp_path / "d.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for record in (b"one", b"two", b"three"):
            writer.write(record)
    raw = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(raw[:-3])
    with pytest.raises(tf.errors.DataLossError, match="after 2 intact records"):
        data.verify_tfrecords(path)
