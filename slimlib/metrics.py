"""Metrics (`slim.metrics`), as TF-Slim's `tf_slim.metrics` has them.

`accuracy` returns a tensor for one batch; the `streaming_*` functions (and
`count`, `cohen_kappa`, `f1_score`, ...) return `(value_op, update_op)` pairs kept in
local variables. `precision`, `recall` and `percentage_less` are the streaming
functions under the names the TF-Slim README uses (TF-Slim itself lacks them).
"""

from slimlib._src.metrics import aggregate_metric_map as aggregate_metric_map
from slimlib._src.metrics import aggregate_metrics as aggregate_metrics
from slimlib._src.metrics import count as count
from slimlib._src.metrics import streaming_accuracy as streaming_accuracy
from slimlib._src.metrics import streaming_auc as streaming_auc
from slimlib._src.metrics import streaming_false_negative_rate as streaming_false_negative_rate
from slimlib._src.metrics import streaming_false_negatives as streaming_false_negatives
from slimlib._src.metrics import streaming_false_positive_rate as streaming_false_positive_rate
from slimlib._src.metrics import streaming_false_positives as streaming_false_positives
from slimlib._src.metrics import streaming_mean as streaming_mean
from slimlib._src.metrics import streaming_mean_iou as streaming_mean_iou
from slimlib._src.metrics import streaming_mean_tensor as streaming_mean_tensor
from slimlib._src.metrics import streaming_precision as precision
from slimlib._src.metrics import streaming_precision as streaming_precision
from slimlib._src.metrics import streaming_recall as recall
from slimlib._src.metrics import streaming_recall as streaming_recall
from slimlib._src.metrics import streaming_true_negatives as streaming_true_negatives
from slimlib._src.metrics import streaming_true_positives as streaming_true_positives
from slimlib._src.metrics_auc import auc_using_histogram as auc_using_histogram
from slimlib._src.metrics_auc import auc_with_confidence_intervals as auc_with_confidence_intervals
from slimlib._src.metrics_auc import streaming_dynamic_auc as streaming_dynamic_auc
from slimlib._src.metrics_classification import accuracy as accuracy
from slimlib._src.metrics_classification import cohen_kappa as cohen_kappa
from slimlib._src.metrics_classification import f1_score as f1_score
from slimlib._src.metrics_operating_points import precision_at_recall as precision_at_recall
from slimlib._src.metrics_operating_points import (
    precision_recall_at_equal_thresholds as precision_recall_at_equal_thresholds,
)
from slimlib._src.metrics_operating_points import recall_at_precision as recall_at_precision
from slimlib._src.metrics_operating_points import (
    streaming_sensitivity_at_specificity as streaming_sensitivity_at_specificity,
)
from slimlib._src.metrics_operating_points import (
    streaming_specificity_at_sensitivity as streaming_specificity_at_sensitivity,
)
from slimlib._src.metrics_regression import (
    streaming_mean_absolute_error as streaming_mean_absolute_error,
)
from slimlib._src.metrics_regression import (
    streaming_mean_cosine_distance as streaming_mean_cosine_distance,
)
from slimlib._src.metrics_regression import (
    streaming_mean_relative_error as streaming_mean_relative_error,
)
from slimlib._src.metrics_regression import (
    streaming_mean_squared_error as streaming_mean_squared_error,
)
from slimlib._src.metrics_regression import streaming_percentage_less as percentage_less
from slimlib._src.metrics_regression import streaming_percentage_less as streaming_percentage_less
from slimlib._src.metrics_regression import (
    streaming_root_mean_squared_error as streaming_root_mean_squared_error,
)
from slimlib._src.metrics_streaming import streaming_concat as streaming_concat
from slimlib._src.metrics_streaming import streaming_covariance as streaming_covariance
from slimlib._src.metrics_streaming import (
    streaming_pearson_correlation as streaming_pearson_correlation,
)
from slimlib._src.metrics_thresholds import streaming_curve_points as streaming_curve_points
from slimlib._src.metrics_thresholds import (
    streaming_false_negative_rate_at_thresholds as streaming_false_negative_rate_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_false_negatives_at_thresholds as streaming_false_negatives_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_false_positive_rate_at_thresholds as streaming_false_positive_rate_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_false_positives_at_thresholds as streaming_false_positives_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_precision_at_thresholds as streaming_precision_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_recall_at_thresholds as streaming_recall_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_true_negatives_at_thresholds as streaming_true_negatives_at_thresholds,
)
from slimlib._src.metrics_thresholds import (
    streaming_true_positives_at_thresholds as streaming_true_positives_at_thresholds,
)
from slimlib._src.metrics_top_k import sparse_recall_at_top_k as sparse_recall_at_top_k
from slimlib._src.metrics_top_k import streaming_recall_at_k as streaming_recall_at_k
from slimlib._src.metrics_top_k import (
    streaming_sparse_average_precision_at_k as streaming_sparse_average_precision_at_k,
)
from slimlib._src.metrics_top_k import (
    streaming_sparse_average_precision_at_top_k as streaming_sparse_average_precision_at_top_k,
)
from slimlib._src.metrics_top_k import (
    streaming_sparse_precision_at_k as streaming_sparse_precision_at_k,
)
from slimlib._src.metrics_top_k import (
    streaming_sparse_precision_at_top_k as streaming_sparse_precision_at_top_k,
)
from slimlib._src.metrics_top_k import streaming_sparse_recall_at_k as streaming_sparse_recall_at_k

__all__ = [
    "accuracy",
    "aggregate_metric_map",
    "aggregate_metrics",
    "auc_using_histogram",
    "auc_with_confidence_intervals",
    "cohen_kappa",
    "count",
    "f1_score",
    "percentage_less",
    "precision",
    "precision_at_recall",
    "precision_recall_at_equal_thresholds",
    "recall",
    "recall_at_precision",
    "sparse_recall_at_top_k",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_concat",
    "streaming_covariance",
    "streaming_curve_points",
    "streaming_dynamic_auc",
    "streaming_false_negative_rate",
    "streaming_false_negative_rate_at_thresholds",
    "streaming_false_negatives",
    "streaming_false_negatives_at_thresholds",
    "streaming_false_positive_rate",
    "streaming_false_positive_rate_at_thresholds",
    "streaming_false_positives",
    "streaming_false_positives_at_thresholds",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_cosine_distance",
    "streaming_mean_iou",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_mean_tensor",
    "streaming_pearson_correlation",
    "streaming_percentage_less",
    "streaming_precision",
    "streaming_precision_at_thresholds",
    "streaming_recall",
    "streaming_recall_at_k",
    "streaming_recall_at_thresholds",
    "streaming_root_mean_squared_error",
    "streaming_sensitivity_at_specificity",
    "streaming_sparse_average_precision_at_k",
    "streaming_sparse_average_precision_at_top_k",
    "streaming_sparse_precision_at_k",
    "streaming_sparse_precision_at_top_k",
    "streaming_sparse_recall_at_k",
    "streaming_specificity_at_sensitivity",
    "streaming_true_negatives",
    "streaming_true_negatives_at_thresholds",
    "streaming_true_positives",
    "streaming_true_positives_at_thresholds",
]
