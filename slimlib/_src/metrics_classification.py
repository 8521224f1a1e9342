"""Classification metrics (`slim.metrics`): accuracy as a tensor, best F1, Cohen's kappa.

`accuracy` is TF-Slim's `metrics.accuracy`: a plain tensor for one batch, not a
streaming pair (that is `streaming_accuracy`).
"""

from __future__ import annotations

import tensorflow as tf

from slimlib._src.metrics import (
    MetricOps,
    accumulate,
    add_to_collections,
    broadcast_weights,
    check_at_least_two,
    metric_variable,
    optional_weights,
    shape_str,
    start,
    tensor,
)
from slimlib._src.metrics_thresholds import (
    confusion_at_thresholds,
    even_thresholds,
    precision_and_recall,
)

v1 = tf.compat.v1

__all__ = ["accuracy", "cohen_kappa", "f1_score"]


def accuracy(predictions, labels, weights=None, name=None) -> tf.Tensor:
    """The (weighted) fraction of elements where `predictions == labels`, for one batch.

    Unlike `streaming_accuracy` this keeps no state: it returns one tensor.

    Args:
      predictions: Tensor with the dtype and shape of `labels`.
      labels: Bool, integer or string tensor of any shape.
      weights: Optional float tensor broadcastable to `labels`; the result is
        `sum(weights * correct) / sum(weights)`.
      name: Name scope; default `"accuracy"`.

    Returns:
      A float32 scalar tensor in [0, 1].

    Raises:
      ValueError: If `labels` is not bool, integer or string (float labels usually
        mean probabilities were passed: take `argmax` first), or if the dtypes of
        `predictions` and `labels` differ.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import metrics
      >>> print(float(metrics.accuracy(tf.constant([1, 0, 1, 0]), tf.constant([1, 1, 0, 0]))))
      0.5
    """
    fn = "accuracy"
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    if not (labels.dtype.is_integer or labels.dtype in (tf.bool, tf.string)):
        raise ValueError(
            f"{fn}: `labels` should have bool, integer, or string dtype, got "
            f"{labels.dtype.name}. For class scores, compare `tf.argmax(logits, -1)` instead."
        )
    if labels.dtype != predictions.dtype:
        raise ValueError(
            f"{fn}: dtypes of predictions and labels should match, got predictions "
            f"{predictions.dtype.name} and labels {labels.dtype.name}."
        )
    with tf.name_scope(name or "accuracy"):
        correct = tf.cast(tf.equal(predictions, labels), tf.float32)
        if weights is None:
            return tf.reduce_mean(correct)
        weights = tf.cast(tensor(fn, "weights", weights), tf.float32)
        return tf.math.divide(
            tf.reduce_sum(correct * weights), tf.reduce_sum(weights * tf.ones_like(correct))
        )


def _best_f1(counts: dict, name: str) -> tf.Tensor:
    precision, recall = precision_and_recall(counts)
    f1 = tf.math.divide_no_nan(2.0 * precision * recall, precision + recall)
    return tf.reduce_max(f1, name=name)


def f1_score(
    labels,
    predictions,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming best F1 score `2PR / (P + R)` over evenly spaced thresholds in [0, 1].

    The best threshold is chosen on the data being scored, so the value is
    optimistic; to report a score, pick the threshold on validation data.
    Note that `labels` comes first here, as in TF-Slim.

    Args:
      labels: Tensor with the shape of `predictions`, cast to bool.
      predictions: Float tensor of any shape, values in [0, 1].
      weights: Optional scalar or tensor broadcastable to `labels`.
      num_thresholds: Thresholds to try, int >= 1 (the two ends just outside [0, 1]
        are always used); default 200.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"f1"` (holding `true_positives`,
        `false_positives` and `false_negatives`).

    Returns:
      `(f1, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If `num_thresholds` is not an int or a collections argument not a list.
      ValueError: If `num_thresholds < 1` or the shapes do not fit.
    """
    fn = "f1_score"
    start(fn, metrics_collections, updates_collections)
    thresholds = even_thresholds(fn, num_thresholds)
    with v1.variable_scope(name, "f1", (labels, predictions, weights)):
        values, updates = confusion_at_thresholds(
            fn, predictions, labels, thresholds, weights, includes=("tp", "fp", "fn")
        )
        value = _best_f1(values, "value")
        update_op = _best_f1(updates, "update_op")
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op


def _class_ids(fn: str, name: str, value) -> tf.Tensor:
    """Rank 1, or rank 2 with a trailing 1 (squeezed)."""
    value = tensor(fn, name, value)
    rank = value.shape.rank
    if rank is not None and (rank > 2 or (rank == 2 and value.shape[-1] not in (1, None))):
        raise ValueError(f"{fn}: `{name}` must have shape [n] or [n, 1], got {shape_str(value)}.")
    if rank == 2:
        value = tf.squeeze(value, [-1])
    return value


def _kappa(agree, row, col, name: str) -> tf.Tensor:
    """`(p_o - p_e) / (1 - p_e)` in counts: observed minus chance agreement."""
    total = tf.reduce_sum(row)
    observed = tf.reduce_sum(agree)
    by_chance = tf.reduce_sum(tf.math.divide_no_nan(row * col, total))
    return tf.math.divide_no_nan(observed - by_chance, total - by_chance, name=name)


def cohen_kappa(
    labels,
    predictions_idx,
    num_classes,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming Cohen's kappa: agreement of class ids beyond what chance would give.

    Kappa is `(p_o - p_e) / (1 - p_e)` where `p_o` is the share of examples whose
    predicted class equals the label and `p_e` the share expected by chance from
    the two marginal distributions (Cohen 1960, https://doi.org/10.1177/001316446002000104).
    1 is perfect agreement, 0 chance level, negative worse than chance. The
    counters are float64 local variables `po` (agreements per class), `pe_row`
    and `pe_col` (the two marginals).

    Args:
      labels: Integer class ids in `[0, num_classes)`, shape `[n]` or `[n, 1]`.
      predictions_idx: Predicted class ids with the shape of `labels` (cast to int).
      num_classes: Number of classes, int >= 2.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"cohen_kappa"`.

    Returns:
      `(kappa, update_op)`: float64 scalars in [-1, 1] (0 before any update).

    Raises:
      TypeError: If `num_classes` is not an int or a collections argument not a list.
      ValueError: If `num_classes < 2` or an input is not `[n]` / `[n, 1]` or the
        shapes differ.
    """
    fn = "cohen_kappa"
    check_at_least_two(fn, "num_classes", num_classes)
    start(fn, metrics_collections, updates_collections)
    with v1.variable_scope(name, "cohen_kappa", (labels, predictions_idx, weights)):
        labels = _class_ids(fn, "labels", labels)
        predictions_idx = _class_ids(fn, "predictions_idx", predictions_idx)
        if not labels.shape.is_compatible_with(predictions_idx.shape):
            raise ValueError(
                f"{fn}: `predictions_idx` must have the shape of `labels` "
                f"{shape_str(labels)}, got {shape_str(predictions_idx)}."
            )
        weights = optional_weights(fn, weights, labels, "labels")
        if weights is not None:
            weights = broadcast_weights(weights, labels, tf.float64)
        table = tf.math.confusion_matrix(
            tf.cast(labels, tf.int64),
            tf.cast(predictions_idx, tf.int64),
            num_classes=num_classes,
            weights=weights,
            dtype=tf.float64,
        )
        agree = metric_variable([num_classes], tf.float64, name="po")
        row = metric_variable([num_classes], tf.float64, name="pe_row")
        col = metric_variable([num_classes], tf.float64, name="pe_col")
        value = _kappa(agree.value(), row.value(), col.value(), "value")
        update_op = _kappa(
            accumulate(agree, tf.linalg.diag_part(table)),
            accumulate(row, tf.reduce_sum(table, axis=0)),
            accumulate(col, tf.reduce_sum(table, axis=1)),
            "update_op",
        )
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op
