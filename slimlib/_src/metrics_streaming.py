"""Streaming metrics that keep their own state: concatenation, covariance, correlation.

`tf.compat.v1.metrics` has no counterpart for these TF-Slim metrics, so they are
built here from local metric variables, with the same `(value_op, update_op)`
contract as the rest of `slim.metrics`.
"""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    add_to_collections,
    broadcast_weights,
    check_same_shape,
    metric_variable,
    optional_weights,
    shape_str,
    squeeze_to_match,
    start,
    tensor,
)

v1 = tf.compat.v1

__all__ = ["streaming_concat", "streaming_covariance", "streaming_pearson_correlation"]


def streaming_concat(
    values,
    axis: int = 0,
    max_size: int | None = None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Concatenates `values` along `axis` across batches.

    For metrics that need every prediction at once (e.g. an exact AUC). The rows
    are kept in a local variable whose capacity doubles when full, so an update
    costs amortized time proportional to the batch, not to everything stored.

    Args:
      values: Tensor with a static rank and static sizes on every axis but `axis`.
      axis: Axis to concatenate along; negative counts from the end. Default 0.
      max_size: Optional int >= 1; once that many entries along `axis` are stored,
        further updates add nothing. Default: no limit.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"streaming_concat"`.

    Returns:
      `(value, update_op)`: everything concatenated so far (size 0 along `axis`
      before any update), and an op returning the number of entries stored.

    Raises:
      TypeError: If `axis` or `max_size` is not an int.
      ValueError: If the rank of `values` is unknown, `axis` is out of range, a size
        other than along `axis` is unknown, or `max_size < 1`.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import metrics
      >>> with tf.Graph().as_default():
      ...     batch = tf.compat.v1.placeholder(tf.int32, [None])
      ...     value, update = metrics.streaming_concat(batch)
      ...     with tf.compat.v1.Session() as sess:
      ...         sess.run(tf.compat.v1.local_variables_initializer())
      ...         _ = sess.run(update, {batch: [1, 2]})
      ...         _ = sess.run(update, {batch: [3]})
      ...         print(sess.run(value))
      [1 2 3]
    """
    fn = "streaming_concat"
    start(fn, metrics_collections, updates_collections)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{fn}: `axis` must be an int, got {axis!r}.")
    _checks.check_optional_positive_int(fn, "max_size", max_size)
    values = tensor(fn, "values", values)
    rank = values.shape.rank
    if rank is None:
        raise ValueError(f"{fn}: `values` must have a known rank, got shape <unknown>.")
    if not -rank <= axis < rank:
        raise ValueError(f"{fn}: `axis` must be in [{-rank}, {rank}), got {axis}.")
    axis %= rank
    fixed = [d for i, d in enumerate(values.shape.as_list()) if i != axis]
    if None in fixed:
        raise ValueError(
            f"{fn}: `values` must have a known size on every axis but `axis`={axis}, "
            f"got shape {shape_str(values)}."
        )
    with v1.variable_scope(name, "streaming_concat", [values]):
        # Rows are stored with `axis` moved to the front, so appending is a slice assign.
        to_rows = [axis] + [i for i in range(rank) if i != axis]
        from_rows = [to_rows.index(i) for i in range(rank)]
        array = metric_variable(
            [None] + fixed if max_size is None else [max_size] + fixed,
            values.dtype,
            name="array",
            validate_shape=False,
        )
        size = metric_variable([], tf.int32, name="size")

        stored = size.read_value()
        value = tf.transpose(array.value()[:stored], from_rows, name="concat")

        rows = tf.transpose(values, to_rows)
        batch = tf.shape(rows)[0]
        if max_size is not None:
            batch = tf.minimum(batch, max_size - stored)
        new_size = stored + batch

        def grow():
            old = array.value()
            capacity = tf.maximum(new_size, 2 * tf.shape(old)[0])
            padding = tf.zeros([capacity - tf.shape(old)[0]] + fixed, values.dtype)
            return array.assign(tf.concat([old, padding], 0), read_value=False)

        if max_size is None:
            grown = tf.cond(new_size > tf.shape(array.value())[0], grow, tf.no_op)
        else:  # The array was allocated at its full size.
            grown = tf.no_op()
        with tf.control_dependencies([grown]):
            appended = array[stored:new_size].assign(rows[:batch])
        with tf.control_dependencies([appended]):
            update_op = size.assign(new_size, read_value=False)
        with tf.control_dependencies([update_op]):
            update_op = tf.identity(new_size, name="update_op")
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


def _covariance_parts(fn, predictions, labels, weights, mc, uc):
    start(fn, mc, uc)
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    check_same_shape(fn, "predictions", predictions, "labels", labels)
    weights = optional_weights(fn, weights, labels, "labels")
    predictions, labels = squeeze_to_match(
        tf.cast(predictions, tf.float32), tf.cast(labels, tf.float32)
    )
    if weights is not None:
        weights = broadcast_weights(weights, labels, tf.float32)
    return predictions, labels, weights


def _sample_covariance(comoment: tf.Tensor, count: tf.Tensor, name: str) -> tf.Tensor:
    """`comoment / (count - 1)`, NaN until more than one (weighted) sample was seen."""
    return tf.where(
        count <= 1.0, float("nan"), tf.math.divide_no_nan(comoment, count - 1.0), name=name
    )


def _streaming_covariance(predictions, labels, weights, name):
    """The covariance metric on prepared float32 inputs (weights already broadcast)."""
    with v1.variable_scope(name, "covariance", [predictions, labels, weights]):
        count = metric_variable([], tf.float32, name="count")
        mean_prediction = metric_variable([], tf.float32, name="mean_prediction")
        mean_label = metric_variable([], tf.float32, name="mean_label")
        comoment = metric_variable([], tf.float32, name="comoment")
        value = _sample_covariance(comoment.value(), count.value(), name="covariance")

        # Merges the running statistics (A) with the batch's (B) by the pairwise update
        # of Chan, Golub and LeVeque (1979), in its weighted form:
        # https://en.wikipedia.org/wiki/Algorithms_for_calculating_variance#Parallel_algorithm
        # Weights are frequency weights (a weight of 2 counts an example twice).
        if weights is None:
            batch_count = tf.cast(tf.size(labels), tf.float32)
            weights = tf.ones_like(labels)
        else:
            batch_count = tf.reduce_sum(weights)
        batch_mean_x = tf.math.divide_no_nan(tf.reduce_sum(weights * predictions), batch_count)
        batch_mean_y = tf.math.divide_no_nan(tf.reduce_sum(weights * labels), batch_count)
        batch_comoment = tf.reduce_sum(
            weights * (predictions - batch_mean_x) * (labels - batch_mean_y)
        )
        old_count, old_mean_x = count.read_value(), mean_prediction.read_value()
        old_mean_y, old_comoment = mean_label.read_value(), comoment.read_value()
        new_count = old_count + batch_count
        new_mean_x = old_mean_x + tf.math.divide_no_nan(
            (batch_mean_x - old_mean_x) * batch_count, new_count
        )
        new_mean_y = old_mean_y + tf.math.divide_no_nan(
            (batch_mean_y - old_mean_y) * batch_count, new_count
        )
        new_comoment = (
            old_comoment
            + batch_comoment
            + (old_mean_x - batch_mean_x)
            * (old_mean_y - batch_mean_y)
            * tf.math.divide_no_nan(old_count * batch_count, new_count)
        )
        assigns = tf.group(
            count.assign(new_count, read_value=False),
            mean_prediction.assign(new_mean_x, read_value=False),
            mean_label.assign(new_mean_y, read_value=False),
            comoment.assign(new_comoment, read_value=False),
        )
        with tf.control_dependencies([assigns]):
            update_op = _sample_covariance(new_comoment, new_count, name="update_op")
    return value, update_op


def streaming_covariance(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming unbiased sample covariance of `predictions` and `labels`.

    The value is `comoment / (count - 1)`, NaN until more than one sample (or a
    total weight above 1) was seen. Batches are merged exactly, so the result
    equals the covariance of all samples at once.

    Args:
      predictions: Numeric tensor of any shape (cast to float32).
      labels: Tensor with the shape of `predictions`.
      weights: Optional frequency weights: a scalar or broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"covariance"`.

    Returns:
      `(covariance, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    fn = "streaming_covariance"
    predictions, labels, weights = _covariance_parts(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    value, update_op = _streaming_covariance(predictions, labels, weights, name)
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


def streaming_pearson_correlation(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming Pearson correlation `cov(p, l) / sqrt(var(p) * var(l))`.

    Keeps three streaming covariances (named `covariance`, `variance_predictions`
    and `variance_labels` inside the scope).

    Args:
      predictions: Numeric tensor of any shape (cast to float32).
      labels: Tensor with the shape of `predictions`.
      weights: Optional frequency weights: a scalar or broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"pearson_r"`.

    Returns:
      `(pearson_r, update_op)`: float32 scalars in [-1, 1] (NaN until two samples).

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    fn = "streaming_pearson_correlation"
    predictions, labels, weights = _covariance_parts(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    with v1.variable_scope(name, "pearson_r", [predictions, labels, weights]):
        cov, update_cov = _streaming_covariance(predictions, labels, weights, "covariance")
        var_p, update_var_p = _streaming_covariance(
            predictions, predictions, weights, "variance_predictions"
        )
        var_l, update_var_l = _streaming_covariance(labels, labels, weights, "variance_labels")
        value = tf.truediv(cov, tf.sqrt(var_p) * tf.sqrt(var_l), name="pearson_r")
        update_op = tf.truediv(
            update_cov, tf.sqrt(update_var_p) * tf.sqrt(update_var_l), name="update_op"
        )
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op
