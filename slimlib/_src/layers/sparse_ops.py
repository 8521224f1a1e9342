"""Dense-to-sparse conversions: `dense_to_sparse`, `dense_to_sparse_tensor`,
`indicators_to_sparse_ids` and `sparse_row_envelope`.

A dense tensor becomes a `tf.SparseTensor` holding every cell that differs from an
"ignored" value (zero, `""` or `False` by default), e.g. dense labels for `ctc_loss`.
"""

from __future__ import annotations

import numbers
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.layers import _common

v1 = tf.compat.v1

__all__ = [
    "dense_to_sparse",
    "dense_to_sparse_tensor",
    "indicators_to_sparse_ids",
    "sparse_row_envelope",
]


def _ignored(dtype: tf.DType, ignore_value: Any) -> tf.Tensor:
    """`ignore_value` as a scalar of `dtype`; None means the dtype's zero (`""` for strings)."""
    if ignore_value is None:
        ignore_value = "" if dtype == tf.string else dtype.as_numpy_dtype()
    return tf.cast(ignore_value, dtype, name="ignore_value")


def _sparse_without(dense: tf.Tensor, ignored: tf.Tensor) -> tf.SparseTensor:
    indices = tf.where(tf.not_equal(dense, ignored), name="indices")
    return tf.SparseTensor(
        indices=indices,
        values=tf.gather_nd(dense, indices, name="values"),
        dense_shape=tf.shape(dense, out_type=tf.int64, name="dense_shape"),
    )


def dense_to_sparse(
    tensor: tf.Tensor,
    eos_token: Any = 0,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.SparseTensor:
    """The cells of `tensor` that differ from `eos_token`, as a `SparseTensor` of its shape.

    Args:
      tensor: Tensor of any rank (typically int labels padded with `eos_token`).
      eos_token: The padding value left out; default 0.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Variable scope; default `"dense_to_sparse"`.

    Returns:
      `tf.SparseTensor` with the dtype and shape of `tensor`.

    Raises:
      RuntimeError: When called eagerly.
    """
    _checks.require_graph("dense_to_sparse")
    with v1.variable_scope(scope, "dense_to_sparse", [tensor]) as sc:
        tensor = tf.convert_to_tensor(tensor)
        outputs = _sparse_without(tensor, tf.constant(eos_token, tensor.dtype))
        return _common.collect(outputs_collections, sc.name, outputs)


def dense_to_sparse_tensor(dense_tensor: tf.Tensor, ignore_value: Any = None) -> tf.SparseTensor:
    """The cells of `dense_tensor` that differ from `ignore_value`, as a `SparseTensor`.

    Args:
      dense_tensor: Tensor of any rank and dtype.
      ignore_value: Value left out; default None: the dtype's zero (`""` for strings,
        False for bools).

    Returns:
      `tf.SparseTensor` with the dtype and (run-time) shape of `dense_tensor`.
    """
    with tf.name_scope("DenseToSparseTensor"):
        dense_tensor = tf.convert_to_tensor(dense_tensor)
        return _sparse_without(dense_tensor, _ignored(dense_tensor.dtype, ignore_value))


def indicators_to_sparse_ids(
    indicators: tf.Tensor, ignore_value: Any = None, dtype: tf.DType = tf.int64
) -> tf.SparseTensor:
    """Sparse class ids from indicators `[d0, ..., dn, num_classes]`.

    Row `(i0, ..., in)` of the result lists, in order, the last-axis positions of
    `indicators` that are not `ignore_value`. For
    `[[0, 0, 1, 0], [1, 0, 1, 1]]` the ids are `[[2], [0, 2, 3]]`: indices
    `[[0, 0], [1, 0], [1, 1], [1, 2]]`, values `[2, 0, 2, 3]`, shape `[2, 3]`.

    Args:
      indicators: Tensor `[d0, ..., dn, num_classes]`.
      ignore_value: Value meaning "absent"; default None: the dtype's zero.
      dtype: Integer dtype of the ids; default int64.

    Returns:
      `tf.SparseTensor` `[d0, ..., dn, max_ids]` of `dtype`, `max_ids` the largest
      number of ids in a row.

    Raises:
      ValueError: If `dtype` is not an integer type.
    """
    dtype = tf.as_dtype(dtype)
    if not dtype.is_integer:
        # "not integer" is TF-Slim's wording; code may match on it.
        raise ValueError(
            f"indicators_to_sparse_ids: `dtype` must be an integer type, got {dtype.name} "
            f"(Invalid dtype {dtype!r} not integer)."
        )
    with tf.name_scope("indicators_to_sparse_ids"):
        indicators = tf.convert_to_tensor(indicators, name="indicators")
        missing = tf.equal(indicators, _ignored(indicators.dtype, ignore_value), name="missing")
        zeros = tf.zeros_like(indicators, dtype=tf.int64, name="zeros")
        present = tf.where(missing, zeros, tf.ones_like(indicators, dtype=tf.int64))
        # 1-based position of each present cell among the present cells of its row.
        rank_in_row = tf.where(missing, zeros, tf.cumsum(present, axis=-1), name="rank_in_row")
        last_dim = tf.reshape(tf.reduce_max(rank_in_row), (1,), name="result_last_dim")
        ranks = _sparse_without(rank_in_row, tf.constant(0, tf.int64))
        # Swap: the rank in the row becomes the last index, the class becomes the value.
        return tf.SparseTensor(
            indices=tf.concat(
                (ranks.indices[:, :-1], tf.reshape(ranks.values - 1, (-1, 1))),
                axis=1,
                name="indices",
            ),
            values=tf.cast(ranks.indices[:, -1], dtype, name="values"),
            dense_shape=tf.concat((ranks.dense_shape[:-1], last_dim), axis=0, name="dense_shape"),
        )


def sparse_row_envelope(
    sparse_input: tf.SparseTensor, row_axis: int = 0, col_axis: int = 1, name: str | None = None
) -> tf.Tensor:
    """The length of each row of `sparse_input`: one past its last present column (0 if empty).

    For indices `[[0, 0], [2, 0], [2, 1], [2, 2]]` and shape `[3, 3]`: `[1, 0, 3]`.

    Args:
      sparse_input: `tf.SparseTensor` of rank >= 2.
      row_axis: Axis of the rows; default 0.
      col_axis: Axis of the columns; default 1.
      name: Name scope; default `"sparse_row_envelope"`.

    Returns:
      int64 Tensor `[num_rows]`.

    Raises:
      ValueError: If an axis is not an int, or both axes are the same.
    """
    fn = "sparse_row_envelope"
    for key, value in (("row_axis", row_axis), ("col_axis", col_axis)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            # TF-Slim raises ValueError here (not TypeError), with this wording.
            raise ValueError(
                f"{fn}: `{key}` must be an int, got {value!r} "
                "(`row_axis` and `col_axis` must be integers)."
            )
    if row_axis == col_axis:
        raise ValueError(
            f"{fn}: `row_axis` and `col_axis` must differ, got {row_axis} for both "
            "(Row and column can not be the same axis)."
        )
    with tf.name_scope(name or "sparse_row_envelope"):
        indices = sparse_input.indices
        num_rows = tf.cast(sparse_input.dense_shape[row_axis], tf.int32)
        envelope = tf.math.unsorted_segment_max(
            indices[:, col_axis] + 1, indices[:, row_axis], num_rows
        )
        # Empty rows get the dtype's lowest value from the segment max: clamp to 0.
        return tf.maximum(envelope, tf.zeros_like(envelope))
