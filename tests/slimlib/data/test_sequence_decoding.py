"""slim.tfexample_decoder: TFSequenceExampleDecoder and the per-frame sequence handlers."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.data.tfexample_decoder as tfexample_decoder

VAR_FLOAT = tf.io.VarLenFeature(tf.float32)


def _frames(rows):
    """A FeatureList with one float feature per frame, holding that frame's values."""
    features = tf.train.FeatureList()
    for row in rows:
        features.feature.add().float_list.value.extend(row)
    return features


def _sequence(context=None, **feature_lists):
    example = tf.train.SequenceExample(
        feature_lists=tf.train.FeatureLists(
            feature_list={
                key.replace("__", "/"): _frames(rows) for key, rows in feature_lists.items()
            }
        )
    )
    for key, value in (context or {}).items():
        example.context.feature[key].int64_list.value.append(value)
    return example.SerializeToString()


def _decode(serialized, sequence_features, handlers, context_features=None, items=None):
    decoder = tfexample_decoder.TFSequenceExampleDecoder(
        context_features or {}, sequence_features, handlers
    )
    tensors = decoder.decode(tf.constant(serialized), items)
    with tf.Session() as sess:
        return sess.run(tensors)


def test_the_names_are_where_tf_slim_has_them():
    assert slim.tfexample_decoder.TFSequenceExampleDecoder is slim.data.TFSequenceExampleDecoder
    for name in ("BoundingBoxSequence", "NumBoxesSequence", "KeypointsSequence"):
        assert hasattr(slim.tfexample_decoder, name)


def test_bounding_box_sequence_stacks_coordinates_per_frame(graph):
    # Frame 0 has two boxes, frame 1 one: the missing box is filled with the default -1.
    serialized = _sequence(
        bbox__ymin=[[1, 2], [3]], bbox__xmin=[[4, 5], [6]], bbox__ymax=[[7, 8], [9]],
        bbox__xmax=[[10, 11], [12]],
    )  # fmt: skip
    keys = ["bbox/ymin", "bbox/xmin", "bbox/ymax", "bbox/xmax"]
    handler = tfexample_decoder.BoundingBoxSequence(prefix="bbox/")
    [boxes] = _decode(serialized, dict.fromkeys(keys, VAR_FLOAT), {"boxes": handler})
    expected = [[[1, 4, 7, 10], [2, 5, 8, 11]], [[3, 6, 9, 12], [-1, -1, -1, -1]]]
    np.testing.assert_array_equal(boxes, expected)


def test_keypoints_sequence_with_a_default_value_and_sparse_output(graph):
    serialized = _sequence(kp__y=[[1], [2, 3]], kp__x=[[4], [5, 6]])
    features = {"kp/y": VAR_FLOAT, "kp/x": VAR_FLOAT}
    dense = tfexample_decoder.KeypointsSequence(prefix="kp/", default_value=np.nan)
    sparse = tfexample_decoder.KeypointsSequence(prefix="kp/", return_dense=False)
    [points, sparse_points] = _decode(serialized, features, {"dense": dense, "sparse": sparse})
    np.testing.assert_array_equal(points, [[[1, 4], [np.nan, np.nan]], [[2, 5], [3, 6]]])
    assert list(sparse_points.dense_shape) == [2, 2, 2]
    np.testing.assert_array_equal(sparse_points.values, [1, 4, 2, 5, 3, 6])


def test_coordinate_handlers_need_their_number_of_keys():
    with pytest.raises(ValueError, match=r"BoundingBoxSequence expects 4 keys but got \['a'\]"):
        tfexample_decoder.BoundingBoxSequence(keys=["a"])
    with pytest.raises(ValueError, match="KeypointsSequence expects 2 keys but got 'yx'"):
        tfexample_decoder.KeypointsSequence(keys="yx")


def test_num_boxes_sequence_counts_boxes_per_frame(graph):
    serialized = _sequence(a=[[1, 2, 3], [], [4]], b=[[1, 2, 3], [], [5]])
    handler = tfexample_decoder.NumBoxesSequence(keys=["a", "b"])
    [counts] = _decode(serialized, {"a": VAR_FLOAT, "b": VAR_FLOAT}, {"n": handler})
    np.testing.assert_array_equal(counts, [3, 0, 1])


def test_num_boxes_sequence_checks_the_keys_agree_at_run_time(graph):
    serialized = _sequence(a=[[1, 2]], b=[[1]])
    features = {"a": VAR_FLOAT, "b": VAR_FLOAT}
    unchecked = tfexample_decoder.NumBoxesSequence(keys=("a", "b"), check_consistency=False)
    np.testing.assert_array_equal(_decode(serialized, features, {"n": unchecked})[0], [2])
    checked = tfexample_decoder.NumBoxesSequence(keys=("a", "b"))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="feature b has other box counts than feature a"
    ):
        _decode(serialized, features, {"n": checked})


def test_num_boxes_sequence_needs_keys_and_sparse_features(graph):
    with pytest.raises(ValueError, match="NumBoxesSequence: keys must not be empty, got"):
        tfexample_decoder.NumBoxesSequence(keys=[])
    decoder = tfexample_decoder.TFSequenceExampleDecoder(
        {},
        {"a": tf.io.FixedLenSequenceFeature([2], tf.float32)},
        {"n": tfexample_decoder.NumBoxesSequence(keys="a")},
    )
    with pytest.raises(ValueError, match=r"tensor must be of type tf.SparseTensor. Feature 'a'"):
        decoder.decode(tf.constant(_sequence(a=[[1, 2]])))


def test_sequence_decoder_reads_context_and_sequence_keys(graph):
    serialized = _sequence(context={"length": 2}, a=[[1.5], [2.5]])
    items = {
        "length": tfexample_decoder.Tensor("length"),
        "values": tfexample_decoder.Tensor("a"),
    }
    decoded = _decode(
        serialized,
        {"a": tf.io.FixedLenSequenceFeature([1], tf.float32)},
        items,
        context_features={"length": tf.io.FixedLenFeature([], tf.int64)},
        items=["values", "length"],
    )
    np.testing.assert_array_equal(decoded[0], [[1.5], [2.5]])
    assert decoded[1] == 2


def test_sequence_decoder_rejects_ambiguous_keys_and_unknown_items(graph):
    with pytest.raises(ValueError, match=r"Context and sequence keys are not unique: \['a'\]"):
        tfexample_decoder.TFSequenceExampleDecoder({"a": VAR_FLOAT}, {"a": VAR_FLOAT}, {})
    decoder = tfexample_decoder.TFSequenceExampleDecoder(
        {}, {"a": VAR_FLOAT}, {"n": tfexample_decoder.NumBoxesSequence(keys="b")}
    )
    assert decoder.list_items() == ["n"]
    with pytest.raises(ValueError, match="item 'm' is not decoded; the items are"):
        decoder.decode(tf.constant(b""), ["m"])
    with pytest.raises(ValueError, match="item 'n' needs feature key 'b', which is neither"):
        decoder.decode(tf.constant(b""))
    with pytest.raises(TypeError, match="`items_to_handlers` must be a dict, got"):
        tfexample_decoder.TFSequenceExampleDecoder({}, {}, [])
