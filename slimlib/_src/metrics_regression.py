"""Streaming regression errors (`slim.metrics`): absolute, squared, relative, cosine.

Each wraps the matching `tf.compat.v1.metrics` function in TF-Slim's argument
order (`predictions` first) after checking shapes and arguments; see
`slimlib/_src/metrics.py` for the `(value_op, update_op)` contract.
"""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.metrics import (
    MetricOps,
    check_same_shape,
    optional_weights,
    paired,
    shape_str,
    start,
    tensor,
)

v1 = tf.compat.v1

__all__ = [
    "streaming_mean_absolute_error",
    "streaming_mean_cosine_distance",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_percentage_less",
    "streaming_root_mean_squared_error",
]


def _regression(fn, tf_metric, predictions, labels, weights, mc, uc, name):
    predictions = tensor(fn, "predictions", predictions)
    predictions, labels, weights = paired(
        fn, predictions, labels, weights, mc, uc, labels_dtype=predictions.dtype
    )
    return tf_metric(labels, predictions, weights, mc, uc, name)


def streaming_mean_absolute_error(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming weighted mean of `|predictions - labels|`.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions` (cast to its dtype).
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean_absolute_error"`.

    Returns:
      `(mean_absolute_error, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _regression(
        "streaming_mean_absolute_error",
        v1.metrics.mean_absolute_error,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_mean_squared_error(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming weighted mean of `(predictions - labels) ** 2`.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions` (cast to its dtype).
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean_squared_error"`.

    Returns:
      `(mean_squared_error, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _regression(
        "streaming_mean_squared_error",
        v1.metrics.mean_squared_error,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_root_mean_squared_error(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Square root of the streaming mean squared error.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions` (cast to its dtype).
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"root_mean_squared_error"`.

    Returns:
      `(root_mean_squared_error, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of `predictions`, `labels` or `weights` do not fit.
    """
    return _regression(
        "streaming_root_mean_squared_error",
        v1.metrics.root_mean_squared_error,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_mean_relative_error(
    predictions,
    labels,
    normalizer,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming weighted mean of `|predictions - labels| / normalizer` (0 where it is 0).

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions` (cast to its dtype).
      normalizer: Tensor with the shape of `predictions`, often `labels` itself.
      weights: Optional scalar or tensor broadcastable to `labels`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean_relative_error"`.

    Returns:
      `(mean_relative_error, update_op)`: float32 scalars.

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If the shapes of the inputs do not fit.
    """
    fn = "streaming_mean_relative_error"
    predictions = tensor(fn, "predictions", predictions)
    predictions, labels, weights = paired(
        fn,
        predictions,
        labels,
        weights,
        metrics_collections,
        updates_collections,
        labels_dtype=predictions.dtype,
    )
    normalizer = tf.cast(tensor(fn, "normalizer", normalizer), predictions.dtype)
    check_same_shape(fn, "predictions", predictions, "normalizer", normalizer)
    return v1.metrics.mean_relative_error(
        labels, predictions, normalizer, weights, metrics_collections, updates_collections, name
    )


def streaming_percentage_less(
    values, threshold, weights=None, metrics_collections=None, updates_collections=None, name=None
) -> MetricOps:
    """Streaming weighted fraction of `values` below `threshold`.

    Args:
      values: Numeric tensor of any shape.
      threshold: Scalar threshold.
      weights: Optional scalar or tensor broadcastable to `values`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"percentage_below_threshold"`.

    Returns:
      `(percentage, update_op)`: float32 scalars in [0, 1].

    Raises:
      TypeError: If a collections argument is not a list or tuple.
      ValueError: If `threshold` is not a scalar or `weights` does not fit `values`.
    """
    fn = "streaming_percentage_less"
    start(fn, metrics_collections, updates_collections)
    values = tensor(fn, "values", values)
    threshold = tensor(fn, "threshold", threshold)
    if threshold.shape.rank not in (None, 0):
        raise ValueError(f"{fn}: `threshold` must be a scalar, got shape {shape_str(threshold)}.")
    weights = optional_weights(fn, weights, values, "values")
    return v1.metrics.percentage_below(
        values,
        tf.cast(threshold, values.dtype),
        weights,
        metrics_collections,
        updates_collections,
        name,
    )


def streaming_mean_cosine_distance(
    predictions,
    labels,
    dim,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
) -> MetricOps:
    """Streaming weighted mean of `1 - sum(predictions * labels, dim)` (cosine distance).

    Both inputs are expected to be unit-normalised along `dim` already, as in
    TF-Slim; the distance is then 0 for equal vectors and 2 for opposite ones.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions` (cast to its dtype).
      dim: The axis holding the vectors, an int in `[-rank, rank)`.
      weights: Optional scalar or tensor broadcastable to the distances, i.e. to
        `labels` with size 1 along `dim`.
      metrics_collections: Collections to add the value to.
      updates_collections: Collections to add the update op to.
      name: Variable scope; default `"mean_cosine_distance"`.

    Returns:
      `(mean_distance, update_op)`: float32 scalars in [0, 2].

    Raises:
      TypeError: If `dim` is not an int or a collections argument is not a list.
      ValueError: If `dim` is out of range or the shapes do not fit.
    """
    fn = "streaming_mean_cosine_distance"
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{fn}: `dim` must be an int, got {dim!r}.")
    start(fn, metrics_collections, updates_collections)
    predictions = tensor(fn, "predictions", predictions)
    labels = tf.cast(tensor(fn, "labels", labels), predictions.dtype)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(
            f"{fn}: `labels` must have shape {shape_str(predictions)} (the shape of "
            f"`predictions`), got {shape_str(labels)}."
        )
    rank = predictions.shape.rank
    if rank is not None and not -rank <= dim < rank:
        raise ValueError(f"{fn}: `dim` must be in [{-rank}, {rank}), got {dim}.")
    if weights is not None:
        weights = _checks.to_tensor(fn, "weights", weights)
    return v1.metrics.mean_cosine_distance(
        labels, predictions, dim, weights, metrics_collections, updates_collections, name
    )
