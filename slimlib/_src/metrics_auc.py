"""Streaming AUC metrics without fixed thresholds (`slim.metrics`).

`streaming_dynamic_auc` and `auc_with_confidence_intervals` keep every label and
prediction seen (with `streaming_concat`) and compute the exact area from them,
using each distinct prediction as a threshold. `auc_using_histogram` keeps two
score histograms instead: constant memory, with an error set by the bin width.
"""

from __future__ import annotations

import collections

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    add_to_collections,
    broadcast_weights,
    optional_weights,
    shape_str,
    start,
    tensor,
)
from slimlib._src.metrics_streaming import streaming_concat

v1 = tf.compat.v1

__all__ = [
    "AucData",
    "auc_using_histogram",
    "auc_with_confidence_intervals",
    "streaming_dynamic_auc",
]


def _binary_inputs(fn: str, labels, predictions, weights):
    """Flat float64 predictions, int64 labels checked to be 0 or 1 when run, float64 weights."""
    labels = tensor(fn, "labels", labels)
    predictions = tensor(fn, "predictions", predictions)
    try:
        labels.shape.assert_is_compatible_with(predictions.shape)
    except ValueError as err:
        raise ValueError(
            f"{fn}: `labels` must have the shape of `predictions`: {err} "
            f"(labels {shape_str(labels)}, predictions {shape_str(predictions)})."
        ) from None
    weights = optional_weights(fn, weights, labels, "labels")
    flat_labels = tf.reshape(tf.cast(labels, tf.int64), [-1])
    checks = [
        tf.debugging.assert_greater_equal(
            flat_labels,
            tf.constant(0, tf.int64),
            message="labels must be 0 or 1, at least one is <0",
        ),
        tf.debugging.assert_less_equal(
            flat_labels,
            tf.constant(1, tf.int64),
            message="labels must be 0 or 1, at least one is >1",
        ),
    ]
    with tf.control_dependencies(checks):
        flat_labels = tf.identity(flat_labels)
    flat_predictions = tf.reshape(tf.cast(predictions, tf.float64), [-1])
    if weights is not None:
        weights = tf.reshape(broadcast_weights(weights, labels, tf.float64), [-1])
    return flat_labels, flat_predictions, weights


def _tie_groups(predictions, labels, weights, direction: str):
    """Positive and negative weight per distinct prediction, in `direction` order."""
    order = tf.argsort(predictions, direction=direction, stable=True)
    sorted_predictions = tf.gather(predictions, order)
    positive = tf.cast(tf.gather(labels, order) > 0, tf.float64)
    sorted_weights = tf.gather(weights, order)
    starts_group = tf.concat(
        [
            tf.zeros([1], tf.int32),
            tf.cast(tf.not_equal(sorted_predictions[1:], sorted_predictions[:-1]), tf.int32),
        ],
        0,
    )[: tf.size(sorted_predictions)]
    group = tf.cumsum(starts_group)
    positive_weight = tf.math.segment_sum(sorted_weights * positive, group)
    negative_weight = tf.math.segment_sum(sorted_weights * (1.0 - positive), group)
    return positive_weight, negative_weight, group


def _trapezoid(x, y):
    return tf.reduce_sum((y[1:] + y[:-1]) / 2.0 * tf.abs(x[1:] - x[:-1]))


def _dynamic_auc(labels, predictions, weights, curve: str):
    """Area under the curve through every distinct prediction used as a threshold."""
    if weights is None:
        weights = tf.ones_like(predictions)
    positive_weight, negative_weight, _ = _tie_groups(predictions, labels, weights, "DESCENDING")
    zero = tf.zeros([1], tf.float64)
    # Counts at each threshold, from "nothing predicted positive" down to "everything".
    tp = tf.concat([zero, tf.cumsum(positive_weight)], 0)
    fp = tf.concat([zero, tf.cumsum(negative_weight)], 0)
    total_positive, total_negative = tp[-1], fp[-1]
    recall = tf.math.divide_no_nan(tp, total_positive)
    if curve == "ROC":
        area = _trapezoid(tf.math.divide_no_nan(fp, total_negative), recall)
    else:  # Precision is 1 while nothing is predicted positive.
        precision = tf.where(tp + fp > 0, tf.math.divide_no_nan(tp, tp + fp), 1.0)
        area = _trapezoid(recall, precision)
    # With a single class the curve is undefined; TF-Slim reports 0 rather than fail.
    one_class = tf.logical_or(total_positive <= 0, total_negative <= 0)
    return tf.where(one_class, tf.constant(0.0, tf.float64), area)


def streaming_dynamic_auc(
    labels,
    predictions,
    curve="ROC",
    metrics_collections=(),
    updates_collections=(),
    name=None,
    weights=None,
) -> MetricOps:
    """Streaming exact area under the ROC or PR curve, every prediction a threshold.

    Keeps all labels and predictions seen (memory grows with the evaluation set)
    and computes the area by the trapezoidal rule through the points at each
    distinct prediction, so it does not depend on a choice of thresholds. Tied
    predictions form one point. The value is 0 while only one class was seen.

    Note that `labels` comes first here, as in TF-Slim.

    Args:
      labels: Tensor of 0s and 1s (checked when run) with the shape of `predictions`.
      predictions: Numeric tensor of any shape (any range: only the order matters).
      curve: `"ROC"` (default) or `"PR"` (precision-recall).
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"dynamic_auc"` (holding `concat_labels`,
        `concat_preds` and, with weights, `concat_weights`).
      weights: Optional non-negative scalar or tensor broadcastable to `labels`.

    Returns:
      `(auc, update_op)`: a float64 scalar and the op that appends one batch.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If `curve` is unknown or the shapes do not fit.
      tf.errors.InvalidArgumentError: When run with a label other than 0 or 1.
    """
    fn = "streaming_dynamic_auc"
    if curve not in ("ROC", "PR"):
        raise ValueError(f"{fn}: curve must be either ROC or PR, {curve} unknown.")
    start(fn, metrics_collections, updates_collections)
    with v1.variable_scope(name, default_name="dynamic_auc"):
        labels, predictions, weights = _binary_inputs(fn, labels, predictions, weights)
        all_predictions, update_predictions = streaming_concat(predictions, name="concat_preds")
        all_labels, update_labels = streaming_concat(labels, name="concat_labels")
        updates = [update_labels, update_predictions]
        all_weights = None
        if weights is not None:
            all_weights, update_weights = streaming_concat(weights, name="concat_weights")
            updates.append(update_weights)
        update_op = tf.group(*updates)
        auc = _dynamic_auc(all_labels, all_predictions, all_weights, curve)
    add_to_collections(auc, update_op, metrics_collections, updates_collections)
    return auc, update_op


AucData = collections.namedtuple("AucData", ["auc", "lower", "upper"])
AucData.__doc__ = "Result of `auc_with_confidence_intervals`: float32 scalars."


def _placement_auc(labels, predictions, weights, alpha: float, logit_transformation: bool):
    """ROC AUC and its normal confidence interval from placement values.

    The placement value of a positive example is the (weighted) share of negatives
    scored below it, ties counting half; of a negative, the share of positives
    below it. The AUC is the mean placement of the positives, and its variance
    follows from the variances of the placements of each class: DeLong, DeLong and
    Clarke-Pearson (1988), https://doi.org/10.2307/2531595, computed in one sort as
    in Sun and Xu (2014), https://doi.org/10.1109/LSP.2014.2337313.
    """
    positive_weight, negative_weight, group = _tie_groups(predictions, labels, weights, "ASCENDING")
    total_positive = tf.reduce_sum(positive_weight)
    total_negative = tf.reduce_sum(negative_weight)
    below_positive = tf.cumsum(positive_weight, exclusive=True) + positive_weight / 2.0
    below_negative = tf.cumsum(negative_weight, exclusive=True) + negative_weight / 2.0
    # Per group: placement of the positives in it, and of the negatives (as 1 - share).
    placement_positive = tf.math.divide_no_nan(below_negative, total_negative)
    placement_negative = 1.0 - tf.math.divide_no_nan(below_positive, total_positive)
    auc = tf.math.divide_no_nan(tf.reduce_sum(positive_weight * placement_positive), total_positive)
    # Weighted sample variances of the placements, each class on its own.
    order = tf.argsort(predictions, stable=True)
    sorted_labels = tf.cast(tf.gather(labels, order) > 0, tf.float64)
    sorted_weights = tf.gather(weights, order)
    per_example_positive = tf.gather(placement_positive, group)
    per_example_negative = tf.gather(placement_negative, group)
    var_positive = tf.math.divide_no_nan(
        tf.reduce_sum(sorted_weights * sorted_labels * tf.square(per_example_positive - auc)),
        total_positive - 1.0,
    )
    var_negative = tf.math.divide_no_nan(
        tf.reduce_sum(
            sorted_weights * (1.0 - sorted_labels) * tf.square(per_example_negative - auc)
        ),
        total_negative - 1.0,
    )
    std_err = tf.sqrt(
        tf.math.divide_no_nan(var_negative, total_negative)
        + tf.math.divide_no_nan(var_positive, total_positive)
    )
    z = tf.math.ndtri(tf.constant((1.0 - alpha) / 2.0, tf.float64))  # Negative.
    if logit_transformation:
        # Work on log(auc / (1 - auc)) so the interval stays inside (0, 1).
        estimate = tf.math.log(auc / (1.0 - auc))
        logit_err = std_err / (auc * (1.0 - auc))
        lower = tf.sigmoid(estimate + z * logit_err)
        upper = tf.sigmoid(estimate - z * logit_err)
    else:
        lower, upper = auc + z * std_err, auc - z * std_err
    # An AUC of exactly 0 or 1 has no spread to estimate: the interval is the point.
    certain = tf.logical_or(tf.equal(auc, 0.0), tf.equal(auc, 1.0))
    lower = tf.where(certain, auc, lower)
    upper = tf.where(certain, auc, upper)
    both_classes = tf.logical_and(total_positive > 0, total_negative > 0)
    return [tf.cast(tf.where(both_classes, x, 0.0), tf.float32) for x in (auc, lower, upper)]


def auc_with_confidence_intervals(
    labels,
    predictions,
    weights=None,
    alpha=0.95,
    logit_transformation=True,
    metrics_collections=(),
    updates_collections=(),
    name=None,
) -> tuple[AucData, tf.Operation]:
    """Streaming exact ROC AUC with an asymptotically normal confidence interval.

    Keeps all labels, predictions and weights seen. The interval comes from the
    variance of the placement values (DeLong et al. 1988). A batch whose weights
    sum to less than 1 is not added (as in TF-Slim), and all three values are 0
    while only one class was seen.

    Note that `labels` comes first here, as in TF-Slim.

    Args:
      labels: Tensor of 0s and 1s (checked when run) with the shape of `predictions`.
      predictions: Numeric tensor of any shape.
      weights: Optional scalar or tensor broadcastable to `labels`; default 1 each.
      alpha: Confidence level, a number in (0, 1); default 0.95.
      logit_transformation: If True (default), build the interval on the logit of
        the AUC, which keeps it inside [0, 1].
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"auc_with_confidence_intervals"`.

    Returns:
      `(AucData(auc, lower, upper), update_op)`: float32 scalars, and the op that
      appends one batch.

    Raises:
      TypeError: If `alpha` is not a number or a collections argument not a list.
      ValueError: If `alpha` is not in (0, 1) or the shapes do not fit.
      tf.errors.InvalidArgumentError: When run with a label other than 0 or 1.
    """
    fn = "auc_with_confidence_intervals"
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise TypeError(f"{fn}: `alpha` must be a number in (0, 1), got {alpha!r}.")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"{fn}: alpha must be between 0 and 1 (exclusive), got {alpha!r}.")
    start(fn, metrics_collections, updates_collections)
    with v1.variable_scope(name, default_name="auc_with_confidence_intervals"):
        labels, predictions, weights = _binary_inputs(fn, labels, predictions, weights)
        if weights is None:
            weights = tf.ones_like(predictions)
        # A batch of total weight below 1 is dropped: it adds zero rows.
        kept = tf.where(tf.reduce_sum(weights) >= 1.0, tf.size(predictions), 0)
        labels, predictions, weights = labels[:kept], predictions[:kept], weights[:kept]
        all_predictions, update_predictions = streaming_concat(predictions, name="concat_preds")
        all_labels, update_labels = streaming_concat(labels, name="concat_labels")
        all_weights, update_weights = streaming_concat(weights, name="concat_weights")
        update_op = tf.group(update_labels, update_predictions, update_weights)
        result = AucData(
            *_placement_auc(
                all_labels, all_predictions, all_weights, float(alpha), logit_transformation
            )
        )
    add_to_collections(result, update_op, metrics_collections, updates_collections)
    return result, update_op


def auc_using_histogram(
    boolean_labels,
    scores,
    score_range,
    nbins=100,
    collections=None,
    check_shape=True,
    name=None,
) -> MetricOps:
    """Streaming approximate ROC AUC from histograms of the scores of each class.

    Scores are binned into `nbins` equal bins over `score_range` (scores outside
    are clipped into the end bins); the AUC is read from the two cumulative
    histograms by the trapezoidal rule (Bouckaert, "Efficient AUC learning curve
    calculation", 2006). Memory is `O(nbins)` whatever the number of examples; the
    error shrinks with narrower bins. The value is NaN until both classes were seen.

    Args:
      boolean_labels: Bool tensor `[n]`.
      scores: Numeric tensor `[n]`.
      score_range: `[low, high]` of the expected scores, with the dtype of `scores`.
      nbins: Number of bins, int >= 1; default 100.
      collections: Collections for the two histogram variables; default
        `[LOCAL_VARIABLES]`.
      check_shape: If True (default), check that both inputs have rank 1.
      name: Variable scope; default `"auc_using_histogram"`.

    Returns:
      `(auc, update_op)`: a float32 scalar, and the op that adds one batch.

    Raises:
      TypeError: If `nbins` is not an int.
      ValueError: If `boolean_labels` is not bool, `nbins < 1`, or with `check_shape`
        an input of known rank is not rank 1 (unknown ranks are checked when run).
    """
    fn = "auc_using_histogram"
    _checks.require_graph(fn)
    _checks.check_positive_int(fn, "nbins", nbins)
    if collections is None:
        collections = [v1.GraphKeys.LOCAL_VARIABLES]
    with v1.variable_scope(name, "auc_using_histogram", [boolean_labels, scores, score_range]):
        boolean_labels = tensor(fn, "boolean_labels", boolean_labels)
        scores = tensor(fn, "scores", scores)
        if boolean_labels.dtype != tf.bool:
            raise ValueError(
                f"{fn}: `boolean_labels` must have dtype bool, got {boolean_labels.dtype.name}."
            )
        if check_shape:
            rank_checks = [
                tf.debugging.assert_rank(boolean_labels, 1, message=f"{fn}: `boolean_labels`"),
                tf.debugging.assert_rank(scores, 1, message=f"{fn}: `scores`"),
            ]
            with tf.control_dependencies(rank_checks):
                boolean_labels, scores = tf.identity(boolean_labels), tf.identity(scores)
        score_range = tf.cast(tensor(fn, "score_range", score_range), scores.dtype)

        def histogram(selected):
            return tf.histogram_fixed_width(
                tf.boolean_mask(scores, selected), score_range, nbins=nbins, dtype=tf.int64
            )

        with v1.variable_scope(None, "hist_accumulate"):
            hist_true, hist_false = (
                v1.Variable(
                    lambda: tf.zeros([nbins], tf.int64),
                    trainable=False,
                    collections=collections,
                    name=var_name,
                )
                for var_name in ("hist_true_acc", "hist_false_acc")
            )
        update_op = tf.group(
            hist_true.assign_add(histogram(boolean_labels), read_value=False),
            hist_false.assign_add(histogram(tf.logical_not(boolean_labels)), read_value=False),
            name="update_op",
        )
        # Highest scores first: each bin moves the ROC curve right by its share of
        # negatives and up by its share of positives.
        true_share = tf.reverse(_normalized(hist_true.value()), [0])
        false_share = tf.reverse(_normalized(hist_false.value()), [0])
        tpr = tf.cumsum(true_share)
        tpr_before = tf.concat([tf.zeros([1]), tpr[:-1]], 0)
        auc = tf.reduce_sum(false_share * (tpr + tpr_before) / 2.0, name="auc")
    return auc, update_op


def _normalized(histogram: tf.Tensor) -> tf.Tensor:
    """Counts divided by their total (NaN when empty, so the AUC says "not yet known")."""
    counts = tf.cast(histogram, tf.float32)
    return counts / tf.reduce_sum(counts)
