"""Streaming metrics read at one operating point of a classifier (`slim.metrics`).

Sensitivity at a given specificity, recall at a given precision and the like:
each keeps the four confusion counters at evenly spaced thresholds (see
`metrics_thresholds.py`) and reads the wanted rate at the threshold that meets
the target. `precision_recall_at_equal_thresholds` keeps histograms instead, so
its cost grows with the batch plus the thresholds, not their product.
"""

from __future__ import annotations

import collections

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    add_to_collections,
    broadcast_weights,
    check_at_least_two,
    check_same_shape,
    metric_variable,
    optional_weights,
    squeeze_to_match,
    start,
    tensor,
)
from slimlib._src.metrics_thresholds import (
    confusion_at_thresholds,
    even_thresholds,
    precision_and_recall,
    share,
    v1_scored_metric,
)

v1 = tf.compat.v1

__all__ = [
    "PrecisionRecallData",
    "precision_at_recall",
    "precision_recall_at_equal_thresholds",
    "recall_at_precision",
    "streaming_sensitivity_at_specificity",
    "streaming_specificity_at_sensitivity",
]


def check_fraction(fn: str, name: str, value: object) -> float:
    """A Python number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}: `{name}` must be a number in [0, 1], got {value!r}.")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{fn}: `{name}` must be in the range [0, 1], got {value!r}.")
    return float(value)


def _v1_rate_at_rate(fn, tf_metric, target_name, predictions, labels, target, weights,
                     num_thresholds, mc, uc, name):  # fmt: skip
    check_fraction(fn, target_name, target)
    check_at_least_two(fn, "num_thresholds", num_thresholds)
    return v1_scored_metric(
        fn,
        tf_metric,
        predictions,
        labels,
        weights,
        mc,
        uc,
        name,
        target,
        num_thresholds=num_thresholds,
    )


def streaming_specificity_at_sensitivity(
    predictions,
    labels,
    sensitivity,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming specificity at the threshold whose sensitivity is closest to `sensitivity`.

    Args:
      predictions: Float tensor of any shape, values in [0, 1] (checked when run).
      labels: Tensor with the shape of `predictions`, cast to bool.
      sensitivity: Target sensitivity (recall), a number in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Evenly spaced thresholds to try, int >= 2; default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"specificity_at_sensitivity"`.

    Returns:
      `(specificity, update_op)`: float32 scalars.

    Raises:
      TypeError: If `sensitivity` is not a number, `num_thresholds` not an int or a
        collections argument not a list.
      ValueError: If `sensitivity` is outside [0, 1], `num_thresholds < 2` or the
        shapes do not fit.
    """
    return _v1_rate_at_rate(
        "streaming_specificity_at_sensitivity",
        v1.metrics.specificity_at_sensitivity,
        "sensitivity",
        predictions,
        labels,
        sensitivity,
        weights,
        num_thresholds,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_sensitivity_at_specificity(
    predictions,
    labels,
    specificity,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming sensitivity at the threshold whose specificity is closest to `specificity`.

    Args:
      predictions: Float tensor of any shape, values in [0, 1] (checked when run).
      labels: Tensor with the shape of `predictions`, cast to bool.
      specificity: Target specificity (true negative rate), a number in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Evenly spaced thresholds to try, int >= 2; default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"sensitivity_at_specificity"`.

    Returns:
      `(sensitivity, update_op)`: float32 scalars.

    Raises:
      TypeError: If `specificity` is not a number, `num_thresholds` not an int or a
        collections argument not a list.
      ValueError: If `specificity` is outside [0, 1], `num_thresholds < 2` or the
        shapes do not fit.
    """
    return _v1_rate_at_rate(
        "streaming_sensitivity_at_specificity",
        v1.metrics.sensitivity_at_specificity,
        "specificity",
        predictions,
        labels,
        specificity,
        weights,
        num_thresholds,
        metrics_collections,
        updates_collections,
        name,
    )


def _four_counters(fn, predictions, labels, weights, num_thresholds, mc, uc):
    start(fn, mc, uc)
    thresholds = even_thresholds(fn, num_thresholds)
    return confusion_at_thresholds(fn, predictions, labels, thresholds, weights)


def _recall_at_precision(counts: dict, target: float, strict_mode: bool, name: str):
    precisions, recalls = precision_and_recall(counts)
    if not strict_mode:
        index = tf.argmin(tf.abs(precisions - target), output_type=tf.int32)
        return tf.identity(recalls[index], name=name)
    # Strict: the threshold whose precision reaches the target by the smallest margin
    # (the first such, so the one with the highest recall); 0 if none reaches it.
    reached = precisions >= target
    margin = tf.where(reached, precisions - target, float("inf"))
    index = tf.argmin(margin, output_type=tf.int32)
    return tf.where(tf.reduce_any(reached), recalls[index], 0.0, name=name)


def recall_at_precision(
    labels,
    predictions,
    precision,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
    strict_mode=False,
) -> MetricOps:
    """Streaming recall at the threshold whose precision is closest to `precision`.

    Note that `labels` comes first here, as in TF-Slim.

    Args:
      labels: Tensor with the shape of `predictions`, cast to bool.
      predictions: Float tensor of any shape, values in [0, 1].
      precision: Target precision, a number in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Evenly spaced thresholds to try, int >= 1; default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"recall_at_precision"`.
      strict_mode: If True, only thresholds whose precision is at least `precision`
        qualify (the one that exceeds it least is used) and the value is 0 when
        none does. Default False.

    Returns:
      `(recall, update_op)`: float32 scalars.

    Raises:
      TypeError: If `precision` is not a number, `num_thresholds` not an int or a
        collections argument not a list.
      ValueError: If `precision` is outside [0, 1] or the shapes do not fit.
    """
    fn = "recall_at_precision"
    precision = check_fraction(fn, "precision", precision)
    with v1.variable_scope(name, "recall_at_precision", (predictions, labels, weights)):
        values, updates = _four_counters(
            fn, predictions, labels, weights, num_thresholds, metrics_collections,
            updates_collections,
        )  # fmt: skip
        value = _recall_at_precision(values, precision, strict_mode, "value")
        update_op = _recall_at_precision(updates, precision, strict_mode, "update_op")
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


def _precision_at_recall(counts: dict, target: float, name: str):
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    recalls = share(tp, tp + fn, 1.0)
    # Recall falls as the threshold rises: use the last threshold that still reaches
    # the target (the most precise one that does).
    reaching = tf.reduce_sum(tf.cast(recalls >= target, tf.int32))
    index = tf.maximum(reaching - 1, 0)
    return tf.identity(share(tp[index], tp[index] + fp[index], 1.0), name=name)


def precision_at_recall(
    labels,
    predictions,
    target_recall,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming precision at the highest threshold whose recall is at least `target_recall`.

    Note that `labels` comes first here, as in TF-Slim. Where nothing is predicted
    positive the precision is 1 (nothing was wrongly claimed).

    Args:
      labels: Tensor with the shape of `predictions`, cast to bool.
      predictions: Float tensor of any shape, values in [0, 1].
      target_recall: A number in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Evenly spaced thresholds to try, int >= 1; default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"precision_at_recall"`.

    Returns:
      `(precision, update_op)`: float32 scalars.

    Raises:
      TypeError: If `target_recall` is not a number, `num_thresholds` not an int or a
        collections argument not a list.
      ValueError: If `target_recall` is outside [0, 1] or the shapes do not fit.
    """
    fn = "precision_at_recall"
    target_recall = check_fraction(fn, "target_recall", target_recall)
    with v1.variable_scope(name, "precision_at_recall", (predictions, labels, weights)):
        values, updates = _four_counters(
            fn, predictions, labels, weights, num_thresholds, metrics_collections,
            updates_collections,
        )  # fmt: skip
        value = _precision_at_recall(values, target_recall, "value")
        update_op = _precision_at_recall(updates, target_recall, "update_op")
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


PrecisionRecallData = collections.namedtuple(
    "PrecisionRecallData", ["tp", "fp", "tn", "fn", "precision", "recall", "thresholds"]
)
PrecisionRecallData.__doc__ = """Result of `precision_recall_at_equal_thresholds`.

Every field is a tensor `[num_thresholds]` with the dtype of `predictions`.
"""


def precision_recall_at_equal_thresholds(
    labels, predictions, weights=None, num_thresholds=None, use_locking=None, name=None
) -> tuple[PrecisionRecallData, tf.Operation]:
    """Streaming confusion counts, precision and recall at evenly spaced thresholds in [0, 1].

    A prediction `p` counts as positive at threshold `t` when `p >= t`, up to the
    bucket width: each prediction is added to the histogram bucket
    `floor(p * (num_thresholds - 1))`, and the counts at a threshold are the sum
    of the buckets from there up. That costs `O(batch + num_thresholds)` per
    update instead of their product, worth it for per-pixel predictions. The
    buckets are float64 local variables `variables/tp_buckets` and
    `variables/fp_buckets`.

    Args:
      labels: Bool tensor with the shape of `predictions`.
      predictions: Float tensor of any shape, values in [0, 1] (checked when run).
      weights: Optional scalar or tensor broadcastable to `predictions`.
      num_thresholds: Number of thresholds, int >= 2; default 201.
      use_locking: Accepted for TF-Slim compatibility; every update adds whole
        histograms with one `assign_add` per variable, so there is nothing to lock.
      name: Variable scope; default `"precision_recall_at_equal_thresholds"`.

    Returns:
      `(result, update_op)`: a `PrecisionRecallData` of `tp, fp, tn, fn, precision,
      recall, thresholds`, and the op that adds one batch. Precision (recall) is 0
      where nothing is predicted (labelled) positive.

    Raises:
      TypeError: If `labels` is not bool or `predictions` is not floating point.
      ValueError: If `num_thresholds < 2` or the shapes do not fit.
    """
    fn = "precision_recall_at_equal_thresholds"
    _checks.require_graph(fn)
    del use_locking  # See the docstring.
    num_thresholds = 201 if num_thresholds is None else num_thresholds
    check_at_least_two(fn, "num_thresholds", num_thresholds)
    labels = tensor(fn, "labels", labels)
    predictions = tensor(fn, "predictions", predictions)
    if labels.dtype != tf.bool:
        raise TypeError(f"{fn}: `labels` must be a bool tensor, got dtype {labels.dtype.name}.")
    if not predictions.dtype.is_floating:
        raise TypeError(
            f"{fn}: `predictions` must be a floating point tensor, got dtype "
            f"{predictions.dtype.name}."
        )
    check_same_shape(fn, "predictions", predictions, "labels", labels)
    weights = optional_weights(fn, weights, predictions, "predictions")
    with v1.variable_scope(name, "precision_recall_at_equal_thresholds", (labels, predictions)):
        in_range = [
            tf.debugging.assert_greater_equal(
                predictions,
                tf.cast(0.0, predictions.dtype),
                message="predictions must be in [0, 1]",
            ),
            tf.debugging.assert_less_equal(
                predictions,
                tf.cast(1.0, predictions.dtype),
                message="predictions must be in [0, 1]",
            ),
        ]
        with tf.control_dependencies(in_range):
            predictions, labels = squeeze_to_match(tf.identity(predictions), labels)
        # One histogram pass: negatives fill bins [0, n), positives bins [n, 2n).
        buckets = tf.cast(tf.floor(predictions * (num_thresholds - 1)), tf.int32)
        bins = tf.reshape(buckets + num_thresholds * tf.cast(labels, tf.int32), [-1])
        if weights is not None:
            weights = tf.reshape(broadcast_weights(weights, labels, tf.float64), [-1])
        # float64: float32 sums of many 1.0s stop counting exactly after 2**24.
        histogram = tf.math.bincount(
            bins,
            weights=weights,
            minlength=2 * num_thresholds,
            maxlength=2 * num_thresholds,
            dtype=tf.float64,
        )
        with tf.name_scope("variables"):
            tp_buckets = metric_variable([num_thresholds], tf.float64, name="tp_buckets")
            fp_buckets = metric_variable([num_thresholds], tf.float64, name="fp_buckets")
        with tf.name_scope("update_op"):
            update_op = tf.group(
                tp_buckets.assign_add(histogram[num_thresholds:], read_value=False),
                fp_buckets.assign_add(histogram[:num_thresholds], read_value=False),
            )
        tp = tf.cumsum(tp_buckets.value(), reverse=True, name="tp")
        fp = tf.cumsum(fp_buckets.value(), reverse=True, name="fp")
        fn_ = tp[0] - tp  # All positives minus those predicted positive.
        tn = fp[0] - fp

        def out(x):
            return tf.cast(x, predictions.dtype)

        result = PrecisionRecallData(
            tp=out(tp),
            fp=out(fp),
            tn=out(tn),
            fn=out(fn_),
            precision=out(tf.math.divide_no_nan(tp, tp + fp)),
            recall=out(tf.math.divide_no_nan(tp, tp + fn_)),
            thresholds=out(tf.linspace(0.0, 1.0, num_thresholds)),
        )
    return result, update_op
