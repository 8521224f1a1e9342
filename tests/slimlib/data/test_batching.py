"""slim.data.batch: tf.compat.v1.train.batch's contract, through tf.data when the input allows."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data as data


@pytest.fixture
def provider(tmp_path, tiny_images):
    images, labels = tiny_images
    out = tmp_path / "tiny"
    data.writer.write_arrays(images, labels, out, "train", num_shards=2, class_names=list("abc"))
    dataset = data.writer.get_split("train", str(out))
    return data.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)


def queue_runners():
    return tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)


def test_provider_items_batch_without_queue_runners(graph, drain, provider, tiny_images):
    images, labels = tiny_images
    image, label = provider.get(["image", "label"])
    batched_images, batched_labels = data.batch([image, label], batch_size=4, num_threads=2)
    assert queue_runners() == []
    assert batched_images.shape.as_list() == [4, 4, 5, 3]
    assert batched_labels.shape.as_list() == [4]
    with tf.Session() as sess:  # No queue runner started: none is needed.
        results = drain(sess, [batched_images, batched_labels])
    # Six examples, batches of four, no smaller final batch: one batch, as train.batch gives.
    assert len(results) == 1
    np.testing.assert_array_equal(results[0][0], images[:4])
    np.testing.assert_array_equal(results[0][1], labels[:4])


def test_smaller_final_batch_and_preprocessing_ops_are_replayed(
    graph, drain, provider, tiny_images
):
    images, labels = tiny_images
    image, label, key = provider.get(["image", "label", "record_key"])
    scaled = tf.cast(image, tf.float32) / 255.0 * 2.0 - 1.0
    flipped = tf.cond(label > 0, lambda: tf.image.flip_left_right(scaled), lambda: scaled)
    batches = data.batch(
        {"image": flipped, "label": label, "key": key}, batch_size=4, allow_smaller_final_batch=True
    )
    assert sorted(batches) == ["image", "key", "label"]
    assert batches["image"].shape.as_list() == [None, 4, 5, 3]
    with tf.Session() as sess:
        results = drain(sess, batches)
    assert [len(r["label"]) for r in results] == [4, 2]
    got = np.concatenate([r["image"] for r in results])
    expected = images.astype(np.float32) / 255.0 * 2.0 - 1.0
    expected[labels > 0] = expected[labels > 0, :, ::-1, :]
    np.testing.assert_allclose(got, expected, atol=1e-6)
    keys = [k.decode().rsplit("/", 1)[1] for r in results for k in r["key"]]
    assert keys == [f"train_0000{i // 3}-of-00002.tfrecord:{i % 3}" for i in range(6)]


@pytest.mark.parametrize("names", [["label"], ["image", "label"], {"label"}, {"image", "label"}])
def test_same_values_and_structure_as_train_batch(graph, provider, names):
    items = dict(zip(sorted(names), provider.get(sorted(names))))
    tensors = items if isinstance(names, set) else [items[name] for name in names]
    ours = data.batch(tensors, batch_size=3)
    theirs = tf.train.batch(tensors, batch_size=3)
    assert type(ours) is type(theirs)
    with tf.train.MonitoredSession() as sess:
        ours_value, theirs_value = sess.run([ours, theirs])
    for ours_item, theirs_item in zip(tf.nest.flatten(ours_value), tf.nest.flatten(theirs_value)):
        np.testing.assert_array_equal(ours_item, theirs_item)
    assert tf.nest.map_structure(np.shape, ours_value) == tf.nest.map_structure(
        np.shape, theirs_value
    )


def test_reading_the_provider_directly_does_not_take_batched_examples(graph, provider):
    image, label = provider.get(["image", "label"])
    labels = data.batch([label], batch_size=6)
    with tf.Session() as sess:
        sess.run(label)
        sess.run(label)
        np.testing.assert_array_equal(sess.run(labels), [0, 1, 2, 0, 1, 2])


def test_random_ops_are_replayed_per_example(graph, provider):
    image, label = provider.get(["image", "label"])
    noise = tf.random.uniform([], 0.0, 1.0)
    noisy = tf.cast(label, tf.float32) + noise
    batch = data.batch([noisy], batch_size=6)
    assert queue_runners() == []
    with tf.Session() as sess:
        values = sess.run(batch)
    fractions = values - np.array([0, 1, 2, 0, 1, 2])
    assert ((fractions >= 0) & (fractions < 1)).all()
    assert len(set(np.round(fractions, 6))) == 6  # A fresh draw for every example.


def test_dynamic_pad_pads_each_batch_to_its_longest_example(graph, drain, provider):
    [label] = provider.get(["label"])
    ramp = tf.range(label + 1)  # Example i has length label + 1: 1, 2, 3, 1, 2, 3.
    batch = data.batch([ramp], batch_size=3, dynamic_pad=True)
    assert queue_runners() == []
    with tf.Session() as sess:
        results = drain(sess, batch)
    expected = np.array([[0, 0, 0], [0, 1, 0], [0, 1, 2]])
    np.testing.assert_array_equal(results[0], expected)
    np.testing.assert_array_equal(results[1], expected)


def test_inputs_a_map_cannot_see_fall_back_to_train_batch(graph, provider):
    image, label = provider.get(["image", "label"])
    offset = tf.Variable(10, dtype=tf.int64)
    shifted = data.batch([label + offset], batch_size=3)
    assert len(queue_runners()) == 1
    constant = data.batch([tf.constant([1.0, 2.0])], batch_size=2)
    rows = data.batch([tf.constant([[1, 2], [3, 4]])], batch_size=2, enqueue_many=True)
    assert len(queue_runners()) == 3
    with tf.train.MonitoredSession() as sess:
        np.testing.assert_array_equal(sess.run(shifted), [10, 11, 12])
        np.testing.assert_array_equal(sess.run(constant), [[1.0, 2.0], [1.0, 2.0]])
        np.testing.assert_array_equal(sorted(sess.run(rows).tolist()), [[1, 2], [3, 4]])


def test_decoding_errors_reach_the_batch(graph, tmp_path, example):
    path = tmp_path / "bad.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        writer.write(example(image__encoded=b"not a png", image__format=b"png"))
    decoder = data.tfexample_decoder.TFExampleDecoder(
        {
            "image/encoded": tf.FixedLenFeature([], tf.string),
            "image/format": tf.FixedLenFeature([], tf.string),
        },
        {"image": data.tfexample_decoder.Image(shape=[2, 2, 1], channels=1)},
    )
    dataset = data.Dataset(
        str(path), tf.TFRecordReader, decoder, num_samples=1, items_to_descriptions={}
    )
    [image] = data.DatasetDataProvider(dataset, shuffle=False).get(["image"])
    batch = data.batch([image], batch_size=1)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(batch)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "`batch_size` must be >= 1, got 0"),
        ({"batch_size": 2, "num_threads": 0}, "`num_threads` must be >= 1, got 0"),
        ({"batch_size": 2, "capacity": -1}, "`capacity` must be >= 1, got -1"),
        ({"batch_size": 2, "shapes": [[1], [2]]}, "`shapes` has 2 entries for 1 tensors"),
    ],
)
def test_bad_arguments_are_refused(graph, provider, kwargs, message):
    [label] = provider.get(["label"])
    with pytest.raises(ValueError, match=message):
        data.batch([label], **kwargs)


def test_bad_tensors_are_refused(graph, provider):
    [label] = provider.get(["label"])
    with pytest.raises(
        ValueError,
        match=r"`tensors` must be a list or dict of tensors, got a single tensor <tf.Tensor",
    ):
        data.batch(label, batch_size=2)
    with pytest.raises(ValueError, match="`tensors` is empty"):
        data.batch([], batch_size=2)
    unknown = tf.reshape(label, [-1])[: tf.cast(label, tf.int32)]
    with pytest.raises(
        ValueError, match=r"must be fully defined, got \['\(None,\)'\]; pass `shapes="
    ):
        data.batch([unknown], batch_size=2)


def test_a_batch_size_that_is_no_int_is_refused(graph, provider):
    [label] = provider.get(["label"])
    with pytest.raises(TypeError, match=r"`batch_size` must be an int, got 2.0 \(float\)"):
        data.batch([label], batch_size=2.0)


def test_eager_call_is_refused():
    with pytest.raises(RuntimeError, match="batch"):
        data.batch([tf.constant(1)], batch_size=1)


def maps_over_batches():
    """How many `tf.data` maps of the graph take batches as their input."""
    ops = tf.get_default_graph().get_operations()
    maps = [op for op in ops if "MapDataset" in op.type]
    return sum(op.inputs[0].op.type.startswith("BatchDataset") for op in maps)


def per_batch_and_per_record(provider, build, **kwargs):
    """The batches `build(items)` gives through each map path, drained to the end."""
    tensors = build(provider)
    return (
        data.batch(tensors, map_per_batch=True, **kwargs),
        data.batch(tensors, map_per_batch=False, **kwargs),
    )


def test_map_per_batch_gives_the_examples_of_the_per_record_map(graph, drain, provider):
    def build(provider):
        image, label, key = provider.get(["image", "label", "record_key"])
        scaled = tf.cast(image, tf.float32) / 255.0
        flipped = tf.cond(label > 0, lambda: tf.image.flip_left_right(scaled), lambda: scaled)
        return {"image": tf.image.resize(flipped, [8, 10]), "label": label, "key": key}

    ours, theirs = per_batch_and_per_record(
        provider, build, batch_size=4, allow_smaller_final_batch=True
    )
    assert ours["image"].shape.as_list() == theirs["image"].shape.as_list() == [None, 8, 10, 3]
    with tf.Session() as sess:
        per_batch, per_record = drain(sess, ours), drain(sess, theirs)
    assert [len(r["label"]) for r in per_batch] == [len(r["label"]) for r in per_record] == [4, 2]
    for got, expected in zip(per_batch, per_record):
        np.testing.assert_array_equal(got["label"], expected["label"])
        np.testing.assert_array_equal(got["key"], expected["key"])
        # The division by 255 may be rewritten differently inside the loop: 1 ulp at most.
        np.testing.assert_allclose(got["image"], expected["image"], rtol=2e-7, atol=0)


def test_map_per_batch_maps_records_in_a_loop_and_drops_the_remainder(graph, drain, provider):
    ours, theirs = per_batch_and_per_record(
        provider, lambda p: p.get(["image", "label"]), batch_size=4
    )
    assert maps_over_batches() == 1
    assert queue_runners() == []
    with tf.Session() as sess:
        per_batch, per_record = drain(sess, ours), drain(sess, theirs)
    assert len(per_batch) == len(per_record) == 1  # 6 examples, no smaller final batch.
    np.testing.assert_array_equal(per_batch[0][0], per_record[0][0])
    np.testing.assert_array_equal(per_batch[0][1], [0, 1, 2, 0])


def test_map_per_batch_keeps_random_ops_per_record(graph, provider):
    image, label = provider.get(["image", "label"])
    noisy = tf.cast(label, tf.float32) + tf.random.uniform([], 0.0, 1.0)
    batch = data.batch([noisy], batch_size=6, map_per_batch=True)
    assert maps_over_batches() == 0
    with tf.Session() as sess:
        values = sess.run(batch)
    fractions = values - np.array([0, 1, 2, 0, 1, 2])
    assert ((fractions >= 0) & (fractions < 1)).all()
    assert len(set(np.round(fractions, 6))) == 6


def test_map_per_batch_that_is_no_bool_is_refused(graph, provider):
    [label] = provider.get(["label"])
    with pytest.raises(TypeError, match=r"`map_per_batch` must be True or False, got 1 \(int\)"):
        data.batch([label], batch_size=2, map_per_batch=1)
