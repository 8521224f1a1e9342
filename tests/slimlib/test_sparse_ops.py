"""slim.layers.sparse_ops: dense tensors to SparseTensors, checked cell by cell."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib.layers import sparse_ops


def test_dense_to_sparse_tensor_drops_the_dtype_zero(graph, run):
    value = run(sparse_ops.dense_to_sparse_tensor(tf.constant([[0, 2], [3, 0]])))
    np.testing.assert_array_equal(value.indices, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(value.values, [2, 3])
    np.testing.assert_array_equal(value.dense_shape, [2, 2])


def test_dense_to_sparse_tensor_strings_and_ignore_value(graph, run):
    value = run(sparse_ops.dense_to_sparse_tensor(tf.constant(["a", "", "b"])))
    assert list(value.values) == [b"a", b"b"]
    value = run(sparse_ops.dense_to_sparse_tensor(tf.constant([1, -1, 2]), ignore_value=-1))
    np.testing.assert_array_equal(value.values, [1, 2])


def test_indicators_to_sparse_ids_lists_the_present_classes(graph, run):
    indicators = [[[0, 0, 1, 0], [0, 0, 0, 0]], [[1, 0, 1, 1], [0, 0, 1, 0]]]
    value = run(sparse_ops.indicators_to_sparse_ids(tf.constant(indicators), dtype=tf.int32))
    np.testing.assert_array_equal(
        value.indices, [[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 0, 2], [1, 1, 0]]
    )
    np.testing.assert_array_equal(value.values, [2, 0, 2, 3, 2])
    np.testing.assert_array_equal(value.dense_shape, [2, 2, 3])
    assert value.values.dtype == np.int32


def test_indicators_to_sparse_ids_rejects_a_float_dtype(graph):
    with pytest.raises(ValueError, match="`dtype` must be an integer type, got float32"):
        sparse_ops.indicators_to_sparse_ids(tf.constant([[1]]), dtype=tf.float32)


def test_sparse_row_envelope(graph, run):
    sparse = tf.SparseTensor([[0, 0], [2, 0], [2, 1], [2, 2]], [1, 1, 1, 1], [3, 3])
    np.testing.assert_array_equal(run(sparse_ops.sparse_row_envelope(sparse)), [1, 0, 3])


@pytest.mark.parametrize(
    "kwargs, match",
    [({"row_axis": 1.0}, "`row_axis` must be an int"), ({"col_axis": 0}, "must differ")],
    ids=["float", "same"],
)
def test_sparse_row_envelope_rejects(graph, kwargs, match):
    sparse = tf.SparseTensor([[0, 0]], [1], [1, 1])
    with pytest.raises(ValueError, match=match):
        sparse_ops.sparse_row_envelope(sparse, **kwargs)
