"""Top-k streaming metrics (`slim.metrics`): recall@k and sparse precision/recall@k."""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    accumulate,
    add_to_collections,
    metric_variable,
    shape_str,
    start,
    streaming_mean,
    tensor,
)

v1 = tf.compat.v1

__all__ = [
    "sparse_recall_at_top_k",
    "streaming_recall_at_k",
    "streaming_sparse_average_precision_at_k",
    "streaming_sparse_average_precision_at_top_k",
    "streaming_sparse_precision_at_top_k",
    "streaming_sparse_precision_at_k",
    "streaming_sparse_recall_at_k",
]


def _check_k(fn: str, k: object) -> int:
    return _checks.check_positive_int(fn, "k", k)


def streaming_recall_at_k(
    predictions,
    labels,
    k,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming fraction of examples whose label is among the `k` highest predictions.

    Args:
      predictions: Float tensor `[batch, num_classes]`.
      labels: Integer tensor `[batch]` of class ids.
      k: Number of top predictions to look at, int >= 1.
      weights: Optional scalar or `[batch]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"recall_at_<k>"`.

    Returns:
      `(recall_at_k, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If `k` is not an int, `labels` is not integer or a collections argument is
        not a list.
      ValueError: If `k < 1` or the shapes do not fit.
    """
    fn = "streaming_recall_at_k"
    _check_k(fn, k)
    start(fn, metrics_collections, updates_collections)
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    _checks.check_rank(fn, "predictions", predictions, 2)
    if not labels.dtype.is_integer:
        raise TypeError(
            f"{fn}: `labels` must be an integer tensor of class ids, got dtype {labels.dtype.name}."
        )
    if not labels.shape.is_compatible_with(predictions.shape[:1]):
        raise ValueError(
            f"{fn}: `labels` must have shape [{predictions.shape[0]}] (the batch of "
            f"`predictions`), got {shape_str(labels)}."
        )
    in_top_k = tf.cast(v1.nn.in_top_k(predictions, labels, k), tf.float32)
    return streaming_mean(
        in_top_k, weights, metrics_collections, updates_collections, name or f"recall_at_{k}"
    )


def _sparse_at_k(fn, tf_metric, predictions, labels, k, class_id, weights, mc, uc, name):
    _check_k(fn, k)
    _check_class_id(fn, class_id)
    start(fn, mc, uc)
    predictions = tensor(fn, "predictions", predictions)
    labels = _top_k_labels(fn, labels)
    if not isinstance(labels, tf.SparseTensor):
        outer = predictions.shape[:-1] if predictions.shape.rank else None
        if outer is not None and labels.shape.rank is not None:
            if not (
                labels.shape.is_compatible_with(outer)
                or labels.shape[:-1].is_compatible_with(outer)
            ):
                raise ValueError(
                    f"{fn}: `labels` must have shape {outer.as_list()} + [num_labels] (the "
                    f"leading dimensions of `predictions`), got {shape_str(labels)}."
                )
    return tf_metric(
        labels,
        predictions,
        k,
        class_id=class_id,
        weights=weights,
        metrics_collections=mc,
        updates_collections=uc,
        name=name,
    )


def streaming_sparse_precision_at_k(
    predictions,
    labels,
    k,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming precision@k: the fraction of the top-`k` predicted classes that are labels.

    With `class_id`, only examples where `class_id` is in the top `k` count, and
    the value is how often it is also a label.

    Args:
      predictions: Float tensor `[D1, ..., DN, num_classes]` (N >= 1) of scores.
      labels: Integer tensor (cast to int64) `[D1, ..., DN, num_labels]` or
        `[D1, ..., DN]`, or a `SparseTensor`; ids outside `[0, num_classes)` are ignored.
      k: Number of top predictions, int >= 1.
      class_id: Optional class to measure alone.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"precision_at_<k>"` (with `_class<id>`).

    Returns:
      `(precision, update_op)`: float64 scalars (NaN when nothing was counted).

    Raises:
      TypeError: If `k` or `class_id` is not an int, or `labels` is not integer.
      ValueError: If `k < 1` or `labels` does not fit `predictions`.
    """
    return _sparse_at_k(
        "streaming_sparse_precision_at_k",
        v1.metrics.precision_at_k,
        predictions,
        labels,
        k,
        class_id,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_sparse_recall_at_k(
    predictions,
    labels,
    k,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming recall@k: the fraction of the labels found among the top-`k` predictions.

    With `class_id`, only examples labelled `class_id` count, and the value is how
    often it is in the top `k`. Label ids outside `[0, num_classes)` count as misses.

    Args:
      predictions: Float tensor `[D1, ..., DN, num_classes]` (N >= 1) of scores.
      labels: Integer tensor (cast to int64) `[D1, ..., DN, num_labels]` or
        `[D1, ..., DN]`, or a `SparseTensor` / `SparseTensorValue`.
      k: Number of top predictions, int >= 1.
      class_id: Optional class to measure alone.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"recall_at_<k>"` (with `_class<id>`).

    Returns:
      `(recall, update_op)`: float64 scalars (NaN when nothing was counted).

    Raises:
      TypeError: If `k` or `class_id` is not an int, or `labels` is not integer.
      ValueError: If `k < 1` or `labels` does not fit `predictions`.
    """
    return _sparse_at_k(
        "streaming_sparse_recall_at_k",
        v1.metrics.recall_at_k,
        predictions,
        labels,
        k,
        class_id,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def _top_k_indices(fn: str, top_k_predictions) -> tf.Tensor:
    """int64 `[D1, ..., DN, k]` (N >= 1) with a static `k`."""
    top_k_predictions = tensor(fn, "top_k_predictions", top_k_predictions)
    if not top_k_predictions.dtype.is_integer:
        raise TypeError(
            f"{fn}: `top_k_predictions` must be integer class ids, got dtype "
            f"{top_k_predictions.dtype.name}."
        )
    shape = top_k_predictions.shape
    if shape.rank is not None and shape.rank < 2:
        raise ValueError(
            f"{fn}: `top_k_predictions` must have rank >= 2 ([batch, ..., k]), got shape "
            f"{shape_str(top_k_predictions)}."
        )
    if shape.rank is None or shape[-1] is None:
        raise ValueError(
            f"{fn}: `top_k_predictions` must have a static last dimension (k), got shape "
            f"{shape_str(top_k_predictions)}."
        )
    return tf.cast(top_k_predictions, tf.int64)


def _check_class_id(fn: str, class_id: object) -> None:
    if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, int)):
        raise TypeError(f"{fn}: `class_id` must be None or an int, got {class_id!r}.")


def _top_k_labels(fn: str, labels):
    labels = tensor(fn, "labels", labels)
    if isinstance(labels, tf.SparseTensor):
        return labels
    if not labels.dtype.is_integer:
        raise TypeError(
            f"{fn}: `labels` must be an integer tensor of class ids, got dtype {labels.dtype.name}."
        )
    return tf.cast(labels, tf.int64)


def _sparse_at_top_k(fn, tf_metric, labels, top_k, class_id, weights, mc, uc, name):
    _check_class_id(fn, class_id)
    start(fn, mc, uc)
    top_k = _top_k_indices(fn, top_k)
    labels = _top_k_labels(fn, labels)
    return tf_metric(
        labels,
        top_k,
        class_id=class_id,
        weights=weights,
        metrics_collections=mc,
        updates_collections=uc,
        name=name,
    )


def streaming_sparse_precision_at_top_k(
    top_k_predictions,
    labels,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """`streaming_sparse_precision_at_k` for class ids already ranked, e.g. by `tf.nn.top_k`.

    Args:
      top_k_predictions: Integer tensor `[D1, ..., DN, k]` (N >= 1, `k` static) of
        predicted class ids, best first.
      labels: Integer tensor `[D1, ..., DN, num_labels]` or `[D1, ..., DN]`, or a
        `SparseTensor` / `SparseTensorValue`.
      class_id: Optional class to measure alone.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"precision_at_top_k"`.

    Returns:
      `(precision, update_op)`: float64 scalars (NaN when nothing was counted).

    Raises:
      TypeError: If `class_id` is not an int or an input is not integer.
      ValueError: If `top_k_predictions` has rank < 2 or an unknown last dimension.
    """
    return _sparse_at_top_k(
        "streaming_sparse_precision_at_top_k",
        v1.metrics.precision_at_top_k,
        labels,
        top_k_predictions,
        class_id,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def sparse_recall_at_top_k(
    labels,
    top_k_predictions,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """`streaming_sparse_recall_at_k` for class ids already ranked (note: `labels` first).

    Args:
      labels: Integer tensor `[D1, ..., DN, num_labels]` or `[D1, ..., DN]`, or a
        `SparseTensor` / `SparseTensorValue`.
      top_k_predictions: Integer tensor `[D1, ..., DN, k]` (N >= 1, `k` static) of
        predicted class ids, best first.
      class_id: Optional class to measure alone.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"recall_at_top_k"`.

    Returns:
      `(recall, update_op)`: float64 scalars (NaN when nothing was counted).

    Raises:
      TypeError: If `class_id` is not an int or an input is not integer.
      ValueError: If `top_k_predictions` has rank < 2 or an unknown last dimension.
    """
    return _sparse_at_top_k(
        "sparse_recall_at_top_k",
        v1.metrics.recall_at_top_k,
        labels,
        top_k_predictions,
        class_id,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_sparse_average_precision_at_k(
    predictions,
    labels,
    k,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming mean average precision@k of the `k` highest-scored classes.

    An example's average precision is the sum, over the ranks `i <= k` whose class
    is a label, of precision@i, divided by `min(k, number of labels)`; the metric is
    its (weighted) mean over examples. Label ids outside `[0, num_classes)` never
    match a prediction.

    Args:
      predictions: Float tensor `[D1, ..., DN, num_classes]` (N >= 1) of scores.
      labels: Integer tensor `[D1, ..., DN, num_labels]` or `[D1, ..., DN]`, or a
        `SparseTensor` / `SparseTensorValue`.
      k: Number of top predictions, int >= 1.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"average_precision_at_<k>"`.

    Returns:
      `(mean_average_precision, update_op)`: float64 scalars.

    Raises:
      TypeError: If `k` is not an int or `labels` is not integer.
      ValueError: If `k < 1`.
    """
    fn = "streaming_sparse_average_precision_at_k"
    _check_k(fn, k)
    start(fn, metrics_collections, updates_collections)
    predictions = tensor(fn, "predictions", predictions)
    labels = _top_k_labels(fn, labels)
    return v1.metrics.average_precision_at_k(
        labels,
        predictions,
        k,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def _average_precision(top_k: tf.Tensor, labels) -> tf.Tensor:
    """Average precision of each example `[D1, ..., DN]`, float64."""
    k = top_k.shape[-1]
    if isinstance(labels, tf.SparseTensor):
        if labels.shape.rank is not None and labels.shape.rank == top_k.shape.rank - 1:
            labels = tf.sparse.expand_dims(labels, -1)
        dense = tf.sparse.to_dense(tf.sparse.reorder(labels), default_value=-1)
        num_labels = tf.sets.size(labels)
    else:
        if labels.shape.rank is not None and labels.shape.rank == top_k.shape.rank - 1:
            labels = tf.expand_dims(labels, -1)
        dense = labels
        num_labels = tf.fill(tf.shape(labels)[:-1], tf.shape(labels)[-1])
    # relevant[..., i]: the class ranked i-th is one of the example's labels.
    matches = tf.equal(top_k[..., :, tf.newaxis], dense[..., tf.newaxis, :])
    relevant = tf.logical_and(tf.reduce_any(matches, -1), top_k >= 0)
    relevant = tf.cast(relevant, tf.float64)
    precision_at_rank = tf.cumsum(relevant, axis=-1) / tf.range(1, k + 1, dtype=tf.float64)
    denominator = tf.cast(tf.minimum(num_labels, k), tf.float64)
    return tf.reduce_sum(precision_at_rank * relevant, -1) / denominator


def streaming_sparse_average_precision_at_top_k(
    top_k_predictions,
    labels,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """`streaming_sparse_average_precision_at_k` for class ids already ranked.

    Args:
      top_k_predictions: Integer tensor `[D1, ..., DN, k]` (N >= 1, `k` static) of
        predicted class ids, best first.
      labels: Integer tensor `[D1, ..., DN, num_labels]` or `[D1, ..., DN]`, or a
        `SparseTensor` / `SparseTensorValue`.
      weights: Optional scalar or `[D1, ..., DN]` tensor.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Name scope; default `"average_precision_at_top_k"` (local variables
        `total` and `max`: the weighted sum of average precisions and of weights).

    Returns:
      `(mean_average_precision, update_op)`: float64 scalars (0 before any update).

    Raises:
      TypeError: If an input is not integer or a collections argument not a list.
      ValueError: If `top_k_predictions` has rank < 2 or an unknown last dimension.
    """
    fn = "streaming_sparse_average_precision_at_top_k"
    start(fn, metrics_collections, updates_collections)
    top_k = _top_k_indices(fn, top_k_predictions)
    labels = _top_k_labels(fn, labels)
    with tf.name_scope(name or "average_precision_at_top_k"):
        average_precision = _average_precision(top_k, labels)
        if weights is None:
            batch_weight = tf.cast(tf.size(average_precision), tf.float64)
        else:
            weights = tf.broadcast_to(
                tf.cast(tensor(fn, "weights", weights), tf.float64), tf.shape(average_precision)
            )
            average_precision *= weights
            batch_weight = tf.reduce_sum(weights)
        total = metric_variable([], tf.float64, name="total")
        count = metric_variable([], tf.float64, name="max")
        value = tf.math.divide_no_nan(total.value(), count.value(), name="value")
        update_op = tf.math.divide_no_nan(
            accumulate(total, tf.reduce_sum(average_precision)),
            accumulate(count, batch_weight),
            name="update_op",
        )
    add_to_collections(value, update_op, metrics_collections, updates_collections)
    return value, update_op
