"""Streaming metrics (`slim.metrics`) built on `tf.compat.v1.metrics`.

A streaming metric returns `(value_op, update_op)`. Its state lives in local
variables (`LOCAL_VARIABLES` and `METRIC_VARIABLES`) that start at zero when
`tf.local_variables_initializer()` runs; each run of `update_op` adds one batch
and returns the updated value; `value_op` reads the current value without
changing it.

TF-Slim takes `predictions` first and `labels` second, the reverse of
`tf.compat.v1.metrics`; these wrappers keep TF-Slim's order and defaults and
check shapes and arguments before building anything. Every metric raises
`RuntimeError` when called eagerly: build it inside a graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

# What every streaming metric returns: `(value_op, update_op)`.
MetricOps = tuple[tf.Tensor, tf.Tensor | tf.Operation]

__all__ = [
    "aggregate_metric_map",
    "aggregate_metrics",
    "count",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_false_negative_rate",
    "streaming_false_negatives",
    "streaming_false_positive_rate",
    "streaming_false_positives",
    "streaming_mean",
    "streaming_mean_iou",
    "streaming_mean_tensor",
    "streaming_precision",
    "streaming_recall",
    "streaming_true_negatives",
    "streaming_true_positives",
]

# ---------------------------------------------------------------------------------------------
# Checks and helpers shared with metrics_streaming.py.


def shape_str(tensor: tf.Tensor) -> str:
    """A static shape as `[2, None]`, or `<unknown>` when even the rank is unknown."""
    shape = tensor.shape
    return "<unknown>" if shape.rank is None else str(shape.as_list())


def check_collections(fn: str, name: str, value: object) -> None:
    """`metrics_collections` / `updates_collections` must be None or a list/tuple of names.

    A bare string would otherwise be iterated character by character.
    """
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, str) for c in value):
        raise TypeError(
            f"{fn}: `{name}` must be None or a list or tuple of collection names, got {value!r}."
        )


def start(fn: str, metrics_collections, updates_collections) -> None:
    """Checks common to every metric: graph mode and the collection arguments."""
    _checks.require_graph(fn)
    check_collections(fn, "metrics_collections", metrics_collections)
    check_collections(fn, "updates_collections", updates_collections)


def tensor(fn: str, name: str, value: object) -> tf.Tensor:
    """Converts a required argument; a `SparseTensorValue` becomes a `SparseTensor`."""
    if value is None:
        raise ValueError(f"{fn}: `{name}` must be a tensor, got None.")
    if isinstance(value, tf.SparseTensor):
        return value
    if isinstance(value, v1.SparseTensorValue):
        return tf.SparseTensor.from_value(value)
    return _checks.to_tensor(fn, name, value)


def check_same_shape(fn: str, ref_name: str, ref: tf.Tensor, name: str, other: tf.Tensor):
    """Shapes must match, except that one may carry an extra trailing 1 (`[n]` vs `[n, 1]`).

    That is the squeeze `tf.compat.v1.metrics` itself applies.
    """
    a, b = ref.shape, other.shape
    if a.is_compatible_with(b):
        return
    if a.rank is not None and b.rank is not None and abs(a.rank - b.rank) == 1:
        longer, shorter = (a, b) if a.rank > b.rank else (b, a)
        if longer[-1] in (1, None) and longer[:-1].is_compatible_with(shorter):
            return
    raise ValueError(
        f"{fn}: `{name}` must have shape {shape_str(ref)} (the shape of `{ref_name}`), "
        f"got {shape_str(other)}."
    )


def squeeze_to_match(predictions: tf.Tensor, labels: tf.Tensor):
    """Drops a trailing 1 from whichever input has one dimension more (`[n, 1]` vs `[n]`)."""
    p_rank, l_rank = predictions.shape.rank, labels.shape.rank
    if p_rank is not None and l_rank is not None:
        if p_rank == l_rank + 1:
            predictions = tf.squeeze(predictions, [-1])
        elif l_rank == p_rank + 1:
            labels = tf.squeeze(labels, [-1])
    return predictions, labels


def broadcast_weights(weights: tf.Tensor, values: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    """Weights accepted by `optional_weights`, cast and broadcast to the shape of `values`.

    As in `tf.compat.v1.metrics`, a trailing 1 the weights have beyond `values` is
    dropped, and weights one dimension short get a trailing 1 (one weight per row).
    """
    weights = tf.cast(weights, dtype)
    w_rank, v_rank = weights.shape.rank, values.shape.rank
    if w_rank is not None and v_rank is not None:
        if w_rank == v_rank + 1:
            weights = tf.squeeze(weights, [-1])
        elif w_rank + 1 == v_rank and w_rank > 0:
            weights = tf.expand_dims(weights, -1)
    return tf.broadcast_to(weights, tf.shape(values))


def accumulate(variable, delta) -> tf.Tensor:
    """Adds `delta` to a metric variable; returns the new value, read after the add."""
    with tf.control_dependencies([variable.assign_add(delta, read_value=False)]):
        return variable.read_value()


def optional_weights(fn: str, weights: object, values: tf.Tensor, values_name: str):
    """None, or a tensor that `tf.compat.v1.metrics` can broadcast to `values`.

    That is a scalar, or a tensor of the same rank (give or take a trailing 1) whose
    dimensions are each 1 or the size of the matching dimension of `values`.
    """
    if weights is None:
        return None
    weights = _checks.to_tensor(fn, "weights", weights)
    w, v = weights.shape, values.shape
    if w.rank is None or v.rank is None or w.rank == 0:
        return weights
    w_dims, v_dims = w.as_list(), v.as_list()
    if len(w_dims) == len(v_dims) + 1 and w_dims[-1] in (1, None):
        w_dims = w_dims[:-1]
    elif len(w_dims) + 1 == len(v_dims):
        w_dims = w_dims + [1]
    fits = len(w_dims) == len(v_dims) and all(
        a is None or b is None or a in (1, b) for a, b in zip(w_dims, v_dims)
    )
    if not fits:
        raise ValueError(
            f"{fn}: `weights` must be a scalar or have the rank of `{values_name}` "
            f"{shape_str(values)} with each dimension 1 or equal, got shape {shape_str(weights)}."
        )
    return weights


def metric_variable(shape, dtype: tf.DType, name: str, validate_shape: bool = True):
    """A zero-initialised local variable in `LOCAL_VARIABLES` and `METRIC_VARIABLES`."""
    shape = tf.TensorShape(shape)
    initial_shape = [0 if d is None else d for d in shape.as_list()]
    return v1.Variable(
        lambda: tf.zeros(initial_shape, dtype),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
        validate_shape=validate_shape,
        shape=shape,
        synchronization=tf.VariableSynchronization.ON_READ,
        aggregation=tf.VariableAggregation.SUM,
        name=name,
    )


def add_to_collections(value, update_op, metrics_collections, updates_collections) -> None:
    if metrics_collections:
        v1.add_to_collections(metrics_collections, value)
    if updates_collections:
        v1.add_to_collections(updates_collections, update_op)


def rate_of_counts(a, b, update_a, update_b) -> MetricOps:
    """`(a / (a + b), update_a / (update_a + update_b))`, 0 while both are 0 (TF-Slim's way)."""
    value = tf.math.divide_no_nan(a, a + b, name="value")
    update_op = tf.math.divide_no_nan(update_a, update_a + update_b, name="update_op")
    return value, update_op


def check_at_least_two(fn: str, name: str, value: object) -> None:
    """An int >= 2: a count of thresholds or classes, where one alone measures nothing."""
    _checks.check_positive_int(fn, name, value)
    if value < 2:
        raise ValueError(f"{fn}: `{name}` must be >= 2, got {value}.")


def paired(fn: str, predictions, labels, weights, mc, uc, labels_dtype=None):
    """Common preparation of `(predictions, labels, weights)` for two-input metrics."""
    start(fn, mc, uc)
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    check_same_shape(fn, "predictions", predictions, "labels", labels)
    if labels_dtype is not None and labels.dtype != labels_dtype:
        labels = tf.cast(labels, labels_dtype)
    weights = optional_weights(fn, weights, labels, "labels")
    return predictions, labels, weights


# ---------------------------------------------------------------------------------------------
# Counts, means, accuracy, precision and recall.


def _confusion_count(fn, tf_metric, predictions, labels, weights, mc, uc, name):
    predictions, labels, weights = paired(fn, predictions, labels, weights, mc, uc)
    return tf_metric(labels, predictions, weights, mc, uc, name)


def streaming_true_positives(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming (weighted) count of elements where both `predictions` and `labels` are true.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"true_positives"`.

    Returns:
      `(value, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _confusion_count(
        "streaming_true_positives",
        v1.metrics.true_positives,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_false_positives(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming (weighted) count of elements predicted true whose label is false.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_positives"`.

    Returns:
      `(value, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _confusion_count(
        "streaming_false_positives",
        v1.metrics.false_positives,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_true_negatives(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming (weighted) count of elements where both `predictions` and `labels` are false.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"true_negatives"`.

    Returns:
      `(value, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _confusion_count(
        "streaming_true_negatives",
        v1.metrics.true_negatives,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_false_negatives(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming (weighted) count of elements predicted false whose label is true.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_negatives"`.

    Returns:
      `(value, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _confusion_count(
        "streaming_false_negatives",
        v1.metrics.false_negatives,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_mean(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming weighted mean of every element of `values`: `total / count`.

    Args:
      values: Numeric tensor of any shape.
      weights: Optional scalar or tensor broadcastable to `values`; 0 masks an element.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean"`.

    Returns:
      `(mean, update_op)`: float32 scalars (0 before any update).

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If `weights` does not fit `values`.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import metrics
      >>> with tf.Graph().as_default():
      ...     values = tf.compat.v1.placeholder(tf.float32, [None])
      ...     mean, update = metrics.streaming_mean(values)
      ...     with tf.compat.v1.Session() as sess:
      ...         sess.run(tf.compat.v1.local_variables_initializer())
      ...         _ = sess.run(update, {values: [1.0, 2.0]})
      ...         _ = sess.run(update, {values: [6.0]})
      ...         print(sess.run(mean))
      3.0
    """
    fn = "streaming_mean"
    start(fn, metrics_collections, updates_collections)
    values = tensor(fn, "values", values)
    weights = optional_weights(fn, weights, values, "values")
    return v1.metrics.mean(values, weights, metrics_collections, updates_collections, name)


def streaming_mean_tensor(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming element-wise weighted mean: a tensor with the shape of `values`.

    Args:
      values: Numeric tensor of a fixed shape.
      weights: Optional scalar or tensor broadcastable to `values`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean"`.

    Returns:
      `(mean, update_op)`: float32 tensors shaped like `values`.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shape of `values` is not fully known or `weights` does not fit.
    """
    fn = "streaming_mean_tensor"
    start(fn, metrics_collections, updates_collections)
    values = tensor(fn, "values", values)
    if not values.shape.is_fully_defined():
        raise ValueError(
            f"{fn}: `values` must have a fully known shape (it is the shape of the mean), "
            f"got {shape_str(values)}."
        )
    weights = optional_weights(fn, weights, values, "values")
    return v1.metrics.mean_tensor(values, weights, metrics_collections, updates_collections, name)


def count(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming (weighted) number of elements seen: each element adds its weight.

    Args:
      values: Tensor of any shape and dtype; only its shape matters.
      weights: Optional scalar or tensor broadcastable to `values`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"count"`.

    Returns:
      `(count, update_op)`: float32 scalars (float64 when `values` is float64).

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If `weights` does not fit `values`.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import metrics
      >>> with tf.Graph().as_default():
      ...     values = tf.compat.v1.placeholder(tf.float32, [None])
      ...     total, update = metrics.count(values, weights=0.5)
      ...     with tf.compat.v1.Session() as sess:
      ...         sess.run(tf.compat.v1.local_variables_initializer())
      ...         _ = sess.run(update, {values: [1.0, 2.0, 3.0]})
      ...         print(sess.run(total))
      1.5
    """
    fn = "count"
    start(fn, metrics_collections, updates_collections)
    values = tensor(fn, "values", values)
    weights = optional_weights(fn, weights, values, "values")
    dtype = tf.float64 if values.dtype == tf.float64 else tf.float32
    with v1.variable_scope(name, "count", [values, weights]):
        total = metric_variable([], dtype, name="count")
        if weights is None:
            batch = tf.cast(tf.size(values), dtype)
        else:
            batch = tf.reduce_sum(broadcast_weights(weights, values, dtype))
        value = tf.identity(total.value(), name="value")
        update_op = tf.identity(accumulate(total, batch), name="update_op")
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


def streaming_accuracy(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming fraction of elements where `predictions == labels` (weighted).

    Args:
      predictions: Tensor of any shape (class ids, or booleans).
      labels: Tensor with the shape of `predictions`; `predictions` is cast to its dtype.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"accuracy"`.

    Returns:
      `(accuracy, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    fn = "streaming_accuracy"
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    return v1.metrics.accuracy(
        labels, predictions, weights, metrics_collections, updates_collections, name
    )


def streaming_precision(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming precision `tp / (tp + fp)` of boolean predictions (0 when nothing is predicted).

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"precision"`.

    Returns:
      `(precision, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    fn = "streaming_precision"
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    return v1.metrics.precision(
        labels, predictions, weights, metrics_collections, updates_collections, name
    )


def streaming_recall(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming recall `tp / (tp + fn)` of boolean predictions (0 when no label is true).

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"recall"`.

    Returns:
      `(recall, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    fn = "streaming_recall"
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    return v1.metrics.recall(
        labels, predictions, weights, metrics_collections, updates_collections, name
    )


def _rate(
    fn, numerator_metric, other_metric, default_scope, predictions, labels, weights, mc, uc, name
):
    """`a / (a + b)` of two streaming counts, 0 while both are 0 (TF-Slim's convention)."""
    predictions, labels, weights = paired(fn, predictions, labels, weights, mc, uc)
    predictions, labels = squeeze_to_match(tf.cast(predictions, tf.bool), tf.cast(labels, tf.bool))
    with v1.variable_scope(name, default_scope, (predictions, labels, weights)):
        a, update_a = numerator_metric(labels, predictions, weights)
        b, update_b = other_metric(labels, predictions, weights)
        value, update_op = rate_of_counts(a, b, update_a, update_b)
    add_to_collections(value, update_op, mc, uc)
    return value, update_op


def streaming_false_positive_rate(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming false positive rate `fp / (fp + tn)`: the share of negatives predicted true.

    The value is 0 until a negative label was seen.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_positive_rate"` (holding the counters
        `false_positives` and `true_negatives`).

    Returns:
      `(false_positive_rate, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _rate(
        "streaming_false_positive_rate",
        v1.metrics.false_positives,
        v1.metrics.true_negatives,
        "false_positive_rate",
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_false_negative_rate(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming false negative rate `fn / (fn + tp)`: the share of positives predicted false.

    The value is 0 until a positive label was seen.

    Args:
      predictions: Tensor of any shape, cast to bool.
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_negative_rate"` (holding the counters
        `false_negatives` and `true_positives`).

    Returns:
      `(false_negative_rate, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _rate(
        "streaming_false_negative_rate",
        v1.metrics.false_negatives,
        v1.metrics.true_positives,
        "false_negative_rate",
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_auc(
    predictions,
    labels,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    curve="ROC",
    name=None,
) -> MetricOps:
    """Streaming area under the ROC or precision-recall curve, by a Riemann sum.

    The curve is sampled at `num_thresholds` evenly spaced thresholds in [0, 1];
    more thresholds approximate the exact area more closely.

    Args:
      predictions: Float tensor of any shape, values in [0, 1].
      labels: Tensor with the shape of `predictions`, cast to bool.
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Number of thresholds, int > 1; default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      curve: `"ROC"` (default) or `"PR"`.
      name: Variable scope; default `"auc"`.

    Returns:
      `(auc, update_op)`: float32 scalars.

    Raises:
      TypeError: If `num_thresholds` is not an int or a collections argument is not a list.
      ValueError: If `curve` is unknown, `num_thresholds < 2` or a shape does not fit.
    """
    fn = "streaming_auc"
    curve = _checks.check_choice(fn, "curve", curve, ("ROC", "PR"))
    check_at_least_two(fn, "num_thresholds", num_thresholds)
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    return v1.metrics.auc(
        labels,
        predictions,
        weights=weights,
        num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        curve=curve,
        name=name,
    )


# ---------------------------------------------------------------------------------------------
# Mean intersection-over-union.


def streaming_mean_iou(
    predictions,
    labels,
    num_classes,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming mean intersection-over-union over classes, from a confusion matrix.

    Each class's IoU is `tp / (tp + fp + fn)`; classes that never occur in
    `labels` or `predictions` are left out of the mean.

    Args:
      predictions: Integer class ids of any shape (flattened).
      labels: Integer class ids with the shape of `predictions`.
      num_classes: Number of classes, int >= 1 (the matrix is `[num_classes, num_classes]`).
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean_iou"`.

    Returns:
      `(mean_iou, update_op)`: the float32 scalar and the confusion-matrix update.

    Raises:
      TypeError: If `num_classes` is not an int or a collections argument is not a list.
      ValueError: If `num_classes < 1` or the shapes do not fit.
    """
    fn = "streaming_mean_iou"
    _checks.check_positive_int(fn, "num_classes", num_classes)
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, metrics_collections, updates_collections
    )
    return v1.metrics.mean_iou(
        labels, predictions, num_classes, weights, metrics_collections, updates_collections, name
    )


# ---------------------------------------------------------------------------------------------
# Aggregation, and the names the TF-Slim README uses.


def _check_pair(fn: str, what: str, pair: object) -> tuple:
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        raise ValueError(
            f"{fn}: {what} must be a (value_op, update_op) pair as a streaming metric returns "
            f"it, got {pair!r}."
        )
    return tuple(pair)


def aggregate_metrics(*value_update_tuples) -> tuple[list, list]:
    """Splits `(value_op, update_op)` pairs into a list of values and a list of updates.

    Args:
      *value_update_tuples: The results of streaming metrics.

    Returns:
      `(value_ops, update_ops)`, two lists in argument order.

    Raises:
      ValueError: If no pair is given or an argument is not a pair.
    """
    fn = "aggregate_metrics"
    if not value_update_tuples:
        raise ValueError(f"{fn}: expected at least one (value_op, update_op) pair, got none.")
    pairs = [_check_pair(fn, f"argument {i}", p) for i, p in enumerate(value_update_tuples)]
    return [value for value, _ in pairs], [update for _, update in pairs]


def aggregate_metric_map(names_to_tuples: Mapping[str, Sequence]) -> tuple[dict, dict]:
    """Splits `{name: (value_op, update_op)}` into `{name: value_op}` and `{name: update_op}`.

    Args:
      names_to_tuples: Mapping of metric names to the results of streaming metrics.

    Returns:
      `(names_to_values, names_to_updates)`, two dicts in the mapping's order.

    Raises:
      TypeError: If `names_to_tuples` is not a mapping.
      ValueError: If a value is not a pair.
    """
    fn = "aggregate_metric_map"
    if not isinstance(names_to_tuples, Mapping):
        raise TypeError(
            f"{fn}: `names_to_tuples` must be a dict of name -> (value_op, update_op), "
            f"got {names_to_tuples!r}."
        )
    pairs = {name: _check_pair(fn, f"entry {name!r}", p) for name, p in names_to_tuples.items()}
    return (
        {name: value for name, (value, _) in pairs.items()},
        {name: update for name, (_, update) in pairs.items()},
    )
