"""Streaming metrics at a list of thresholds (`slim.metrics`): counts, rates, curve points.

A prediction counts as positive at threshold `t` when `prediction > t`. The
counters are float32 local variables of shape `[num_thresholds]` named
`true_positives`, `false_negatives`, `true_negatives` and `false_positives`,
created in the metric's variable scope as TF-Slim names them (checkpoints and
code that looks variables up by name keep working).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    accumulate,
    add_to_collections,
    broadcast_weights,
    check_same_shape,
    metric_variable,
    optional_weights,
    paired,
    rate_of_counts,
    squeeze_to_match,
    start,
    tensor,
)

v1 = tf.compat.v1

__all__ = [
    "streaming_curve_points",
    "streaming_false_negative_rate_at_thresholds",
    "streaming_false_negatives_at_thresholds",
    "streaming_false_positive_rate_at_thresholds",
    "streaming_false_positives_at_thresholds",
    "streaming_precision_at_thresholds",
    "streaming_recall_at_thresholds",
    "streaming_true_negatives_at_thresholds",
    "streaming_true_positives_at_thresholds",
]

# Pushes the first and last of the evenly spaced thresholds just outside [0, 1], so a
# prediction of exactly 0 is positive at the first one and 1 is negative at the last
# (TF-Slim's and tf.compat.v1.metrics.auc's choice).
EPSILON = 1e-7

COUNTERS = {
    "tp": "true_positives",
    "fn": "false_negatives",
    "tn": "true_negatives",
    "fp": "false_positives",
}


def check_thresholds(fn: str, thresholds: object) -> list[float]:
    """`thresholds` must be a non-empty list or tuple of numbers."""
    ok = isinstance(thresholds, (list, tuple)) and len(thresholds) > 0
    if ok:
        ok = all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in thresholds)
    if not ok:
        raise TypeError(
            f"{fn}: `thresholds` must be a non-empty list or tuple of numbers, got {thresholds!r}."
        )
    return [float(t) for t in thresholds]


def even_thresholds(fn: str, num_thresholds: object) -> list[float]:
    """`num_thresholds` evenly spaced thresholds over [0, 1], the ends nudged outside.

    `num_thresholds` must be an int >= 1; fewer than 2 still gives the two ends,
    as in TF-Slim.
    """
    _checks.check_positive_int(fn, "num_thresholds", num_thresholds)
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [-EPSILON, *inner, 1.0 + EPSILON]


def confusion_at_thresholds(
    fn: str,
    predictions,
    labels,
    thresholds: Sequence[float],
    weights=None,
    includes: Sequence[str] = ("tp", "fn", "tn", "fp"),
) -> tuple[dict, dict]:
    """Creates the requested counters in the current variable scope.

    Args:
      fn: Name of the public function, for error messages.
      predictions: Numeric tensor of any shape.
      labels: Tensor with the shape of `predictions` (give or take a trailing 1), cast
        to bool.
      thresholds: Python floats.
      weights: Optional scalar or tensor broadcastable to `labels`.
      includes: Which of `"tp"`, `"fn"`, `"tn"`, `"fp"` to count.

    Returns:
      `(values, updates)`: dicts from the keys of `includes` to the counters'
      current values and to ops that add one batch and return the new values.
    """
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    check_same_shape(fn, "predictions", predictions, "labels", labels)
    weights = optional_weights(fn, weights, labels, "labels")
    if not predictions.dtype.is_floating:
        predictions = tf.cast(predictions, tf.float32)
    predictions, labels = squeeze_to_match(predictions, tf.cast(labels, tf.bool))
    flat_predictions = tf.reshape(predictions, [1, -1])
    flat_labels = tf.reshape(labels, [1, -1])
    column = tf.constant(thresholds, predictions.dtype, shape=[len(thresholds), 1])
    predicted = flat_predictions > column  # [num_thresholds, num_predictions]
    if weights is None:
        flat_weights = None
    else:
        flat_weights = tf.reshape(broadcast_weights(weights, predictions, tf.float32), [1, -1])
    cases = {
        "tp": lambda: tf.logical_and(predicted, flat_labels),
        "fn": lambda: tf.logical_and(tf.logical_not(predicted), flat_labels),
        "tn": lambda: tf.logical_not(tf.logical_or(predicted, flat_labels)),
        "fp": lambda: tf.logical_and(predicted, tf.logical_not(flat_labels)),
    }
    values, updates = {}, {}
    for key in includes:
        counter = metric_variable([len(thresholds)], tf.float32, name=COUNTERS[key])
        hits = tf.cast(cases[key](), tf.float32)
        if flat_weights is not None:
            hits *= flat_weights
        values[key] = counter.value()
        updates[key] = accumulate(counter, tf.reduce_sum(hits, 1))
    return values, updates


def _one_counter(fn, key, predictions, labels, thresholds, weights) -> MetricOps:
    _checks.require_graph(fn)
    thresholds = check_thresholds(fn, thresholds)
    values, updates = confusion_at_thresholds(
        fn, predictions, labels, thresholds, weights, includes=(key,)
    )
    return values[key], updates[key]


def streaming_true_positives_at_thresholds(
    predictions, labels, thresholds, weights=None
) -> MetricOps:
    """Streaming (weighted) true positive counts, one per threshold.

    Creates the local variable `true_positives` `[len(thresholds)]` in the current
    variable scope, as TF-Slim does (there is no `name` argument).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.

    Returns:
      `(counts, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _one_counter(
        "streaming_true_positives_at_thresholds", "tp", predictions, labels, thresholds, weights
    )


def streaming_false_negatives_at_thresholds(
    predictions, labels, thresholds, weights=None
) -> MetricOps:
    """Streaming (weighted) false negative counts, one per threshold.

    Creates the local variable `false_negatives` `[len(thresholds)]` in the current variable
    scope, as TF-Slim does (there is no `name` argument).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.

    Returns:
      `(counts, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _one_counter(
        "streaming_false_negatives_at_thresholds", "fn", predictions, labels, thresholds, weights
    )


def streaming_false_positives_at_thresholds(
    predictions, labels, thresholds, weights=None
) -> MetricOps:
    """Streaming (weighted) false positive counts, one per threshold.

    Creates the local variable `false_positives` `[len(thresholds)]` in the current variable
    scope, as TF-Slim does (there is no `name` argument).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.

    Returns:
      `(counts, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _one_counter(
        "streaming_false_positives_at_thresholds", "fp", predictions, labels, thresholds, weights
    )


def streaming_true_negatives_at_thresholds(
    predictions, labels, thresholds, weights=None
) -> MetricOps:
    """Streaming (weighted) true negative counts, one per threshold.

    Creates the local variable `true_negatives` `[len(thresholds)]` in the current variable
    scope, as TF-Slim does (there is no `name` argument).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.

    Returns:
      `(counts, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _one_counter(
        "streaming_true_negatives_at_thresholds", "tn", predictions, labels, thresholds, weights
    )


def v1_scored_metric(fn, tf_metric, predictions, labels, weights, mc, uc, name, arg, **options):
    """Checks the inputs, then calls a `tf.compat.v1.metrics` function on float32 scores.

    `arg` is the function's third positional argument (thresholds, a target rate);
    `options` are passed on by keyword.
    """
    predictions, labels, weights = paired(fn, predictions, labels, weights, mc, uc)
    return tf_metric(
        labels,
        tf.cast(predictions, tf.float32),
        arg,
        weights=weights,
        metrics_collections=mc,
        updates_collections=uc,
        name=name,
        **options,
    )


def _v1_at_thresholds(fn, tf_metric, predictions, labels, thresholds, weights, mc, uc, name):
    thresholds = check_thresholds(fn, thresholds)
    return v1_scored_metric(fn, tf_metric, predictions, labels, weights, mc, uc, name, thresholds)


def streaming_precision_at_thresholds(
    predictions,
    labels,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming precision `tp / (tp + fp)` at each threshold.

    Args:
      predictions: Float tensor of any shape, values in [0, 1] (checked when run).
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"precision_at_thresholds"`.

    Returns:
      `(precision, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers or a collections argument
        is not a list.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _v1_at_thresholds(
        "streaming_precision_at_thresholds",
        v1.metrics.precision_at_thresholds,
        predictions,
        labels,
        thresholds,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_recall_at_thresholds(
    predictions,
    labels,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming recall `tp / (tp + fn)` at each threshold.

    Args:
      predictions: Float tensor of any shape, values in [0, 1] (checked when run).
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"recall_at_thresholds"`.

    Returns:
      `(recall, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers or a collections argument
        is not a list.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _v1_at_thresholds(
        "streaming_recall_at_thresholds",
        v1.metrics.recall_at_thresholds,
        predictions,
        labels,
        thresholds,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def _rate_at_thresholds(fn, keys, default_scope, predictions, labels, thresholds, weights,
                        mc, uc, name):  # fmt: skip
    """`a / (a + b)` per threshold for the counters `keys = (a, b)`; 0 where both are 0."""
    start(fn, mc, uc)
    thresholds = check_thresholds(fn, thresholds)
    with v1.variable_scope(name, default_scope, (predictions, labels, weights)):
        values, updates = confusion_at_thresholds(
            fn, predictions, labels, thresholds, weights, includes=keys
        )
        a, b = keys
        value, update_op = rate_of_counts(values[a], values[b], updates[a], updates[b])
    add_to_collections(value, update_op, mc, uc)
    return value, update_op


def streaming_false_positive_rate_at_thresholds(
    predictions,
    labels,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming false positive rate `fp / (fp + tn)` at each threshold (0 while both are 0).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_positive_rate_at_thresholds"` (holding
        the counters `false_positives` and `true_negatives`).

    Returns:
      `(false_positive_rate, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers or a collections argument
        is not a list.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _rate_at_thresholds(
        "streaming_false_positive_rate_at_thresholds",
        ("fp", "tn"),
        "false_positive_rate_at_thresholds",
        predictions,
        labels,
        thresholds,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_false_negative_rate_at_thresholds(
    predictions,
    labels,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming false negative rate `fn / (fn + tp)` at each threshold (0 while both are 0).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`, cast to bool.
      thresholds: List or tuple of floats; positive means `predictions > threshold`.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"false_negative_rate_at_thresholds"` (holding
        the counters `false_negatives` and `true_positives`).

    Returns:
      `(false_negative_rate, update_op)`: float32 tensors `[len(thresholds)]`.

    Raises:
      TypeError: If `thresholds` is not a list of numbers or a collections argument
        is not a list.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _rate_at_thresholds(
        "streaming_false_negative_rate_at_thresholds",
        ("fn", "tp"),
        "false_negative_rate_at_thresholds",
        predictions,
        labels,
        thresholds,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def precision_and_recall(counts: dict) -> tuple[tf.Tensor, tf.Tensor]:
    """`tp / (tp + fp)` and `tp / (tp + fn)` from the counters, 0 where nothing was counted."""
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return tf.math.divide_no_nan(tp, tp + fp), tf.math.divide_no_nan(tp, tp + fn)


def share(part: tf.Tensor, whole: tf.Tensor, if_empty: float) -> tf.Tensor:
    """`part / whole`, or `if_empty` where `whole` is 0."""
    return tf.where(whole > 0, tf.math.divide_no_nan(part, whole), if_empty)


def streaming_curve_points(
    labels=None,
    predictions=None,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    curve="ROC",
    name=None,
) -> MetricOps:
    """Streaming points of the ROC or precision-recall curve at evenly spaced thresholds.

    ROC points are `(false positive rate, recall)`, PR points `(recall, precision)`.
    Where a rate has nothing to count it takes its limit: recall and precision are 1
    (nothing was missed, nothing wrongly claimed), the false positive rate is 0.

    Note that `labels` comes first here, as in TF-Slim.

    Args:
      labels: Tensor with the shape of `predictions`, cast to bool.
      predictions: Float tensor of any shape, values in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Number of thresholds, int >= 1 (at least the two ends are
        used); default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      curve: `"ROC"` (default) or `"PR"`.
      name: Variable scope; default `"curve_points"`.

    Returns:
      `(points, update_op)`: float32 `[num_thresholds, 2]` points, and the op that
      updates the four counters.

    Raises:
      TypeError: If `num_thresholds` is not an int or a collections argument is not
        a list.
      ValueError: If `curve` is unknown or the shapes do not fit.
    """
    fn = "streaming_curve_points"
    if curve not in ("ROC", "PR"):
        raise ValueError(f"{fn}: curve must be either ROC or PR, {curve} unknown.")
    start(fn, metrics_collections, updates_collections)
    thresholds = even_thresholds(fn, num_thresholds)
    with v1.variable_scope(name, "curve_points", (labels, predictions, weights)):
        values, updates = confusion_at_thresholds(fn, predictions, labels, thresholds, weights)
        tp, fn_, tn, fp = (values[k] for k in ("tp", "fn", "tn", "fp"))
        recall = share(tp, tp + fn_, 1.0)
        if curve == "ROC":
            points = tf.stack([share(fp, fp + tn, 0.0), recall], axis=1)
        else:
            points = tf.stack([recall, share(tp, tp + fp, 1.0)], axis=1)
        update_op = tf.group(*updates.values())
    add_to_collections(points, update_op, metrics_collections, updates_collections)
    return points, update_op
