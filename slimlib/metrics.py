"""Streaming metrics (`slim.metrics`): `(value_op, update_op)` pairs kept in local variables."""

from slimlib._src.metrics import accuracy as accuracy
from slimlib._src.metrics import aggregate_metric_map as aggregate_metric_map
from slimlib._src.metrics import aggregate_metrics as aggregate_metrics
from slimlib._src.metrics import percentage_less as percentage_less
from slimlib._src.metrics import precision as precision
from slimlib._src.metrics import recall as recall
from slimlib._src.metrics import streaming_accuracy as streaming_accuracy
from slimlib._src.metrics import streaming_auc as streaming_auc
from slimlib._src.metrics import streaming_false_negatives as streaming_false_negatives
from slimlib._src.metrics import streaming_false_positives as streaming_false_positives
from slimlib._src.metrics import streaming_mean as streaming_mean
from slimlib._src.metrics import streaming_mean_absolute_error as streaming_mean_absolute_error
from slimlib._src.metrics import streaming_mean_iou as streaming_mean_iou
from slimlib._src.metrics import streaming_mean_relative_error as streaming_mean_relative_error
from slimlib._src.metrics import streaming_mean_squared_error as streaming_mean_squared_error
from slimlib._src.metrics import streaming_mean_tensor as streaming_mean_tensor
from slimlib._src.metrics import streaming_percentage_less as streaming_percentage_less
from slimlib._src.metrics import streaming_precision as streaming_precision
from slimlib._src.metrics import streaming_recall as streaming_recall
from slimlib._src.metrics import (
    streaming_root_mean_squared_error as streaming_root_mean_squared_error,
)
from slimlib._src.metrics import streaming_true_negatives as streaming_true_negatives
from slimlib._src.metrics import streaming_true_positives as streaming_true_positives
from slimlib._src.metrics_streaming import streaming_concat as streaming_concat
from slimlib._src.metrics_streaming import streaming_covariance as streaming_covariance
from slimlib._src.metrics_streaming import (
    streaming_pearson_correlation as streaming_pearson_correlation,
)
from slimlib._src.metrics_top_k import streaming_recall_at_k as streaming_recall_at_k
from slimlib._src.metrics_top_k import (
    streaming_sparse_precision_at_k as streaming_sparse_precision_at_k,
)
from slimlib._src.metrics_top_k import streaming_sparse_recall_at_k as streaming_sparse_recall_at_k

__all__ = [
    "accuracy",
    "aggregate_metric_map",
    "aggregate_metrics",
    "percentage_less",
    "precision",
    "recall",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_concat",
    "streaming_covariance",
    "streaming_false_negatives",
    "streaming_false_positives",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_iou",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_mean_tensor",
    "streaming_pearson_correlation",
    "streaming_percentage_less",
    "streaming_precision",
    "streaming_recall",
    "streaming_recall_at_k",
    "streaming_root_mean_squared_error",
    "streaming_sparse_precision_at_k",
    "streaming_sparse_recall_at_k",
    "streaming_true_negatives",
    "streaming_true_positives",
]
