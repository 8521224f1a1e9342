"""Top-k streaming metrics (`slim.metrics`): recall@k and sparse precision/recall@k."""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import MetricOps, shape_str, start, streaming_mean, tensor

v1 = tf.compat.v1

__all__ = [
    "streaming_recall_at_k",
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
    if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, int)):
        raise TypeError(f"{fn}: `class_id` must be None or an int, got {class_id!r}.")
    start(fn, mc, uc)
    predictions = tensor(fn, "predictions", predictions)
    labels = tensor(fn, "labels", labels)
    if not isinstance(labels, tf.SparseTensor):
        if not labels.dtype.is_integer:
            raise TypeError(
                f"{fn}: `labels` must be an integer tensor of class ids, got dtype "
                f"{labels.dtype.name}."
            )
        labels = tf.cast(labels, tf.int64)
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
    Arguments and errors as `streaming_sparse_precision_at_k`; default name
    `"recall_at_<k>"`.
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
