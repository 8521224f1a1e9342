"""`slim.metrics`: each streaming metric over several batches against a NumPy reference.

Also the `(value_op, update_op)` contract, local-variable reset, collections,
`aggregate_metrics` / `aggregate_metric_map` as in the TF-Slim README, and errors.
"""

import inspect

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib import metrics

RNG = np.random.default_rng(1)
NUM_BATCHES = 3


def placeholder_like(array):
    return tf.placeholder(tf.as_dtype(array.dtype), [None] + list(array.shape[1:]))


def stream(metric_fn, batches, **kwargs):
    """Builds `metric_fn` on placeholders, runs its update on every batch, returns the results.

    `batches` is a list of tuples of arrays (the metric's positional inputs, batch first).
    Returns `(value before any update, [update results], value after all updates)`.
    """
    inputs = [placeholder_like(a) for a in batches[0]]
    value, update = metric_fn(*inputs, **kwargs)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        before = sess.run(value)
        updates = [sess.run(update, dict(zip(inputs, batch))) for batch in batches]
        return before, updates, sess.run(value)


def batches_of(*arrays, sizes=(2, 3, 1)):
    """Splits arrays along axis 0 into batches of `sizes`."""
    cuts = np.cumsum(sizes)[:-1]
    return list(zip(*(np.split(a, cuts) for a in arrays)))


N = 6
P_FLOAT = RNG.uniform(0, 1, N).astype(np.float32)
L_FLOAT = (P_FLOAT + RNG.normal(0, 0.3, N)).astype(np.float32)
W = np.array([1.0, 0.0, 2.0, 1.0, 0.5, 3.0], np.float32)
P_BOOL = np.array([1, 1, 0, 1, 0, 0], bool)
L_BOOL = np.array([1, 0, 0, 1, 1, 0], bool)
P_IDS = np.array([0, 1, 2, 1, 1, 0], np.int64)
L_IDS = np.array([0, 2, 2, 1, 0, 0], np.int64)


def weighted_sum(x, w):
    return float(np.sum(x * w))


# (metric, inputs, numpy reference(inputs..., weights)); each also runs with weights.
PAIRED = [
    (metrics.streaming_accuracy, (P_IDS, L_IDS), lambda p, y, w: np.sum(w * (p == y)) / w.sum()),
    (
        metrics.streaming_precision,
        (P_BOOL, L_BOOL),
        lambda p, y, w: weighted_sum(p & y, w) / weighted_sum(p, w),
    ),
    (
        metrics.streaming_recall,
        (P_BOOL, L_BOOL),
        lambda p, y, w: weighted_sum(p & y, w) / weighted_sum(y, w),
    ),
    (metrics.streaming_true_positives, (P_BOOL, L_BOOL), lambda p, y, w: weighted_sum(p & y, w)),
    (metrics.streaming_false_positives, (P_BOOL, L_BOOL), lambda p, y, w: weighted_sum(p & ~y, w)),
    (metrics.streaming_true_negatives, (P_BOOL, L_BOOL), lambda p, y, w: weighted_sum(~p & ~y, w)),
    (metrics.streaming_false_negatives, (P_BOOL, L_BOOL), lambda p, y, w: weighted_sum(~p & y, w)),
    (
        metrics.streaming_false_positive_rate,
        (P_BOOL, L_BOOL),
        lambda p, y, w: weighted_sum(p & ~y, w) / weighted_sum(~y, w),
    ),
    (
        metrics.streaming_false_negative_rate,
        (P_BOOL, L_BOOL),
        lambda p, y, w: weighted_sum(~p & y, w) / weighted_sum(y, w),
    ),
    (
        metrics.streaming_mean_absolute_error,
        (P_FLOAT, L_FLOAT),
        lambda p, y, w: weighted_sum(np.abs(p - y), w) / w.sum(),
    ),
    (
        metrics.streaming_mean_squared_error,
        (P_FLOAT, L_FLOAT),
        lambda p, y, w: weighted_sum((p - y) ** 2, w) / w.sum(),
    ),
    (
        metrics.streaming_root_mean_squared_error,
        (P_FLOAT, L_FLOAT),
        lambda p, y, w: np.sqrt(weighted_sum((p - y) ** 2, w) / w.sum()),
    ),
    (
        metrics.streaming_mean_relative_error,
        (P_FLOAT, L_FLOAT, L_FLOAT),
        lambda p, y, n, w: weighted_sum(np.abs(p - y) / n, w) / w.sum(),
    ),
    (
        metrics.streaming_mean_iou,
        (P_IDS, L_IDS),
        lambda p, y, w: np_mean_iou(p, y, w, num_classes=3),
    ),
    (
        metrics.streaming_covariance,
        (P_FLOAT, L_FLOAT),
        lambda p, y, w: np.cov(p, y, aweights=None, fweights=w.astype(int))[0, 1],
    ),
    (
        metrics.streaming_pearson_correlation,
        (P_FLOAT, L_FLOAT),
        lambda p, y, w: np_weighted_corr(p, y, w.astype(int)),
    ),
]
PAIRED_IDS = [
    "accuracy",
    "precision",
    "recall",
    "true_positives",
    "false_positives",
    "true_negatives",
    "false_negatives",
    "false_positive_rate",
    "false_negative_rate",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_relative_error",
    "mean_iou",
    "covariance",
    "pearson_correlation",
]


def np_mean_iou(p, y, w, num_classes):
    ious = []
    for c in range(num_classes):
        tp = weighted_sum((p == c) & (y == c), w)
        union = weighted_sum((p == c) | (y == c), w)
        if union > 0:
            ious.append(tp / union)
    return np.mean(ious)


def np_weighted_corr(p, y, fweights):
    cov = np.cov(p, y, fweights=fweights)
    return cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])


def with_weights(metric):
    """`metric` taking its weights as the last positional input (so `stream` can feed them)."""
    return lambda *args, **kwargs: metric(*args[:-1], weights=args[-1], **kwargs)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("metric, inputs, reference", PAIRED, ids=PAIRED_IDS)
def test_paired_metric_over_batches_matches_numpy(graph, metric, inputs, reference, weighted):
    # Integer weights so the covariance can use NumPy's frequency weights.
    weights = np.array([1, 0, 2, 1, 1, 3], np.float32) if weighted else np.ones(N, np.float32)
    kwargs = {"num_classes": 3} if metric is metrics.streaming_mean_iou else {}
    if weighted:
        fn, arrays = with_weights(metric), inputs + (weights,)
    else:
        fn, arrays = metric, inputs
    _, updates, value = stream(fn, batches_of(*arrays), **kwargs)
    expected = reference(*inputs, weights)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
    if metric is not metrics.streaming_mean_iou:  # Its update op returns the matrix.
        np.testing.assert_allclose(updates[-1], expected, rtol=1e-5, atol=1e-6)


def test_streaming_mean_and_mean_tensor(graph):
    values = RNG.normal(size=(N, 2)).astype(np.float32)
    weights = np.repeat(W[:, None], 2, axis=1)
    _, _, mean = stream(metrics.streaming_mean, batches_of(values))
    _, _, weighted = stream(lambda v, w: metrics.streaming_mean(v, w), batches_of(values, weights))
    # The element-wise mean needs a fixed shape: one row per update.
    rows = tf.placeholder(tf.float32, [2])
    row_weights = tf.placeholder(tf.float32, [2])
    per_element_op, update = metrics.streaming_mean_tensor(rows)
    per_element_w_op, update_w = metrics.streaming_mean_tensor(rows, weights=row_weights)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for row, weight in zip(values, weights):
            sess.run([update, update_w], {rows: row, row_weights: weight})
        per_element, per_element_w = sess.run([per_element_op, per_element_w_op])
    np.testing.assert_allclose(mean, values.mean(), rtol=1e-5)
    np.testing.assert_allclose(weighted, np.sum(values * weights) / weights.sum(), rtol=1e-5)
    np.testing.assert_allclose(per_element, values.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(
        per_element_w, np.sum(values * weights, 0) / weights.sum(0), rtol=1e-5
    )
    assert per_element.shape == (2,)


@pytest.mark.parametrize("threshold", [0.3, 0.5], ids=["0.3", "0.5"])
def test_streaming_percentage_less(graph, threshold):
    _, _, plain = stream(lambda v: metrics.streaming_percentage_less(v, threshold), [(P_FLOAT,)])
    _, _, weighted = stream(
        lambda v, w: metrics.streaming_percentage_less(v, threshold, weights=w),
        batches_of(P_FLOAT, W),
    )
    np.testing.assert_allclose(plain, np.mean(P_FLOAT < threshold), rtol=1e-6)
    np.testing.assert_allclose(weighted, weighted_sum(P_FLOAT < threshold, W) / W.sum(), rtol=1e-6)


def test_streaming_auc_roc_is_exact_when_thresholds_separate_the_scores(graph):
    scores = np.array([0.1, 0.35, 0.6, 0.85, 0.35, 0.6], np.float32)
    labels = np.array([0, 1, 0, 1, 0, 1], bool)
    _, _, auc = stream(metrics.streaming_auc, batches_of(scores, labels))
    positives, negatives = scores[labels], scores[~labels]
    pairs = positives[:, None] - negatives[None, :]
    expected = np.mean((pairs > 0) + 0.5 * (pairs == 0))
    np.testing.assert_allclose(auc, expected, atol=1e-5)


def test_streaming_auc_pr_matches_the_discretised_curve(graph):
    scores = np.array([0.1, 0.35, 0.6, 0.85, 0.35, 0.6], np.float32)
    labels = np.array([0, 1, 0, 1, 0, 1], bool)
    _, _, auc = stream(
        lambda p, y: metrics.streaming_auc(p, y, num_thresholds=5, curve="PR"),
        batches_of(scores, labels),
    )
    eps = 1e-7  # TF-Slim's thresholds: -eps, 1/4, 2/4, 3/4, 1 + eps.
    thresholds = [-eps, 0.25, 0.5, 0.75, 1 + eps]
    tp = np.array([np.sum(labels & (scores > t)) for t in thresholds], np.float64)
    fp = np.array([np.sum(~labels & (scores > t)) for t in thresholds], np.float64)
    recall = tp / labels.sum()
    precision = (tp + eps) / (tp + fp + eps)
    expected = np.sum((recall[:-1] - recall[1:]) * (precision[:-1] + precision[1:]) / 2)
    np.testing.assert_allclose(auc, expected, atol=1e-5)


SCORES = RNG.permutation(np.arange(N * 4, dtype=np.float32)).reshape(N, 4)
TOP2 = np.argsort(-SCORES, axis=1)[:, :2]
TARGETS = np.array([TOP2[0, 0], TOP2[1, 1], 3, 0, TOP2[4, 0], 1], np.int64)


def test_streaming_recall_at_k(graph):
    _, updates, value = stream(
        lambda p, y: metrics.streaming_recall_at_k(p, y, 2), batches_of(SCORES, TARGETS)
    )
    expected = np.mean([t in top for t, top in zip(TARGETS, TOP2)])
    np.testing.assert_allclose([value, updates[-1]], [expected] * 2, rtol=1e-6)
    assert "recall_at_2/count" in [v.op.name for v in tf.local_variables()]


def test_streaming_sparse_precision_and_recall_at_k(graph):
    labels = np.stack([TARGETS, (TARGETS + 1) % 4], axis=1)  # Two labels per example.
    _, _, precision = stream(
        lambda p, y: metrics.streaming_sparse_precision_at_k(p, y, 2), batches_of(SCORES, labels)
    )
    _, _, recall = stream(
        lambda p, y: metrics.streaming_sparse_recall_at_k(p, y, 2), batches_of(SCORES, labels)
    )
    _, _, class_precision = stream(
        lambda p, y: metrics.streaming_sparse_precision_at_k(p, y, 2, class_id=1),
        batches_of(SCORES, labels.astype(np.int32)),
    )
    hits = np.array([len(set(top) & set(row)) for top, row in zip(TOP2, labels)])
    np.testing.assert_allclose(precision, hits.sum() / (2 * N), rtol=1e-6)
    np.testing.assert_allclose(recall, hits.sum() / labels.size, rtol=1e-6)
    predicted_1 = [1 in top for top in TOP2]
    correct_1 = [1 in top and 1 in row for top, row in zip(TOP2, labels)]
    np.testing.assert_allclose(class_precision, sum(correct_1) / sum(predicted_1), rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, -1], ids=["axis0", "axis1", "axis-1"])
def test_streaming_concat(graph, axis):
    parts = [RNG.normal(size=(n, 3)).astype(np.float32) for n in (2, 5, 1, 3)]
    if axis != 0:
        parts = [p.T for p in parts]
    shape = [None, 3] if axis == 0 else [3, None]
    values = tf.placeholder(tf.float32, shape)
    value, update = metrics.streaming_concat(values, axis=axis)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(value).shape == ((0, 3) if axis == 0 else (3, 0))
        sizes = [sess.run(update, {values: p}) for p in parts]
        result = sess.run(value)
    assert sizes == [2, 7, 8, 11]
    np.testing.assert_array_equal(result, np.concatenate(parts, axis=axis))


def test_streaming_concat_stops_at_max_size(graph):
    values = tf.placeholder(tf.int32, [None])
    value, update = metrics.streaming_concat(values, max_size=4)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sizes = [sess.run(update, {values: batch}) for batch in ([1, 2, 3], [4, 5], [6])]
        np.testing.assert_array_equal(sess.run(value), [1, 2, 3, 4])
    assert sizes == [3, 4, 4]


def test_covariance_is_nan_until_two_samples(graph):
    before, updates, _ = stream(metrics.streaming_covariance, [(P_FLOAT[:1], L_FLOAT[:1])] * 2)
    assert np.isnan(before) and np.isnan(updates[0])
    np.testing.assert_allclose(updates[1], np.cov([P_FLOAT[0]] * 2, [L_FLOAT[0]] * 2)[0, 1])


# --- The value/update contract. --------------------------------------------------------------


def test_value_update_contract_and_reset(graph):
    predictions = tf.placeholder(tf.float32, [None])
    labels = tf.placeholder(tf.float32, [None])
    value, update = metrics.streaming_mean_absolute_error(predictions, labels)
    assert tf.global_variables() == []
    local_names = sorted(v.op.name for v in tf.local_variables())
    assert local_names == ["mean_absolute_error/count", "mean_absolute_error/total"]
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
    feeds = [{predictions: [1.0, 2.0], labels: [0.0, 0.0]}, {predictions: [6.0], labels: [0.0]}]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(value) == 0.0
        assert sess.run(update, feeds[0]) == 1.5  # The update returns the new value...
        assert sess.run(value) == sess.run(value) == 1.5  # ...and the value is idempotent.
        assert sess.run(update, feeds[1]) == 3.0
        sess.run(tf.local_variables_initializer())  # Resets every metric to its start.
        assert sess.run(value) == 0.0
        assert sess.run(update, feeds[1]) == 6.0


def test_metric_collections_and_scope_name(graph):
    value, update = metrics.streaming_accuracy(
        [1, 2], [1, 3], metrics_collections=["m"], updates_collections=["u"], name="eval_acc"
    )
    assert tf.get_collection("m") == [value]
    assert tf.get_collection("u") == [update]
    assert all(v.op.name.startswith("eval_acc/") for v in tf.local_variables())
    concat_value, concat_update = metrics.streaming_concat(
        tf.constant([1.0]), metrics_collections=["m"], updates_collections=["u"]
    )
    assert tf.get_collection("m") == [value, concat_value]
    assert tf.get_collection("u") == [update, concat_update]


def test_labels_with_a_trailing_one_are_squeezed(graph):
    _, _, value = stream(
        metrics.streaming_mean_squared_error,
        batches_of(P_FLOAT, L_FLOAT.reshape(N, 1)),
    )
    np.testing.assert_allclose(value, np.mean((P_FLOAT - L_FLOAT) ** 2), rtol=1e-5)


def test_readme_names_are_the_streaming_metrics():
    # `accuracy` is TF-Slim's one-batch tensor (test_metrics_classification.py); the
    # README's other names, which TF-Slim lacks, are the streaming functions.
    assert metrics.accuracy is not metrics.streaming_accuracy
    assert metrics.precision is metrics.streaming_precision
    assert metrics.recall is metrics.streaming_recall
    assert metrics.percentage_less is metrics.streaming_percentage_less


# --- README "Evaluating Models": aggregation. ----------------------------------------------


def test_readme_metrics_example(graph):
    predictions = tf.constant([1.0, 2.0, 4.0])
    labels = tf.constant([1.0, 1.0, 2.0])

    mae_value_op, mae_update_op = slim.metrics.streaming_mean_absolute_error(predictions, labels)
    mre_value_op, mre_update_op = slim.metrics.streaming_mean_relative_error(
        predictions, labels, labels
    )
    mean_relative_errors = tf.abs(predictions - labels) / labels
    pl_value_op, pl_update_op = slim.metrics.percentage_less(mean_relative_errors, 0.3)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run([mae_update_op, mre_update_op, pl_update_op])
        mae, mre, pl = sess.run([mae_value_op, mre_value_op, pl_value_op])
    np.testing.assert_allclose([mae, mre, pl], [1.0, 2.0 / 3.0, 1.0 / 3.0], rtol=1e-6)


def test_readme_aggregate_metrics(graph):
    predictions = tf.constant([1.0, 2.0, 4.0])
    labels = tf.constant([1.0, 1.0, 2.0])
    value_ops, update_ops = slim.metrics.aggregate_metrics(
        slim.metrics.streaming_mean_absolute_error(predictions, labels),
        slim.metrics.streaming_mean_squared_error(predictions, labels),
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update_ops)
        np.testing.assert_allclose(sess.run(value_ops), [1.0, 5.0 / 3.0], rtol=1e-6)


def test_readme_aggregate_metric_map_evaluation_loop(graph):
    batch = tf.placeholder(tf.float32, [None, 2])
    predictions, labels = batch[:, 0], batch[:, 1]
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map(
        {
            "eval/mean_absolute_error": slim.metrics.streaming_mean_absolute_error(
                predictions, labels
            ),
            "eval/mean_squared_error": slim.metrics.streaming_mean_squared_error(
                predictions, labels
            ),
        }
    )
    assert list(names_to_values) == ["eval/mean_absolute_error", "eval/mean_squared_error"]
    data = RNG.normal(size=(3, 4, 2)).astype(np.float32)  # 3 batches of 4 examples.
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.local_variables_initializer())
        for batch_id in range(3):
            sess.run(list(names_to_updates.values()), {batch: data[batch_id]})
        metric_values = sess.run(list(names_to_values.values()))
    diffs = data[..., 0] - data[..., 1]
    expected = [np.mean(np.abs(diffs)), np.mean(diffs**2)]
    np.testing.assert_allclose(metric_values, expected, rtol=1e-5)


def test_readme_classification_names(graph):
    # The TF-Slim README passes `slim.metrics.accuracy` here, which in TF-Slim returns
    # a tensor, not a pair, and fails in `aggregate_metric_map`: the streaming name works.
    predictions = tf.constant([1, 0, 1, 1])
    labels = tf.constant([1, 0, 0, 1])
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map(
        {
            "accuracy": slim.metrics.streaming_accuracy(predictions, labels),
            "precision": slim.metrics.precision(predictions, labels),
            "recall": slim.metrics.recall(predictions, labels),
        }
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(names_to_updates)
        values = sess.run(names_to_values)
    assert values == pytest.approx({"accuracy": 0.75, "precision": 2 / 3, "recall": 1.0})


def test_aggregate_metric_map_of_nothing_is_empty():
    assert metrics.aggregate_metric_map({}) == ({}, {})


# --- Errors. -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.streaming_accuracy([1, 2, 3, 4], [1, 2, 3]),
            ValueError,
            r"streaming_accuracy: `labels` must have shape \[4\] \(the shape of `predictions`\), "
            r"got \[3\]",
        ),
        (
            lambda: metrics.streaming_mean_squared_error(P_FLOAT, L_FLOAT, weights=np.ones(5)),
            ValueError,
            r"streaming_mean_squared_error: `weights` must be a scalar or have the rank of "
            r"`labels` \[6\] .*got shape \[5\]",
        ),
        (
            lambda: metrics.streaming_mean(P_FLOAT, metrics_collections="m"),
            TypeError,
            "streaming_mean: `metrics_collections` must be None or a list or tuple",
        ),
        (
            lambda: metrics.streaming_recall(P_BOOL, L_BOOL, updates_collections=[1]),
            TypeError,
            "streaming_recall: `updates_collections` must be None or a list or tuple",
        ),
        (
            lambda: metrics.streaming_auc(P_FLOAT, L_BOOL, curve="RCO"),
            ValueError,
            r"streaming_auc: `curve` must be one of \['ROC', 'PR'\], got 'RCO'. Did you mean 'ROC'",
        ),
        (
            lambda: metrics.streaming_auc(P_FLOAT, L_BOOL, num_thresholds=1),
            ValueError,
            "streaming_auc: `num_thresholds` must be >= 2, got 1",
        ),
        (
            lambda: metrics.streaming_recall_at_k(SCORES, TARGETS, 0),
            ValueError,
            "streaming_recall_at_k: `k` must be >= 1, got 0",
        ),
        (
            lambda: metrics.streaming_recall_at_k(SCORES, TARGETS.astype(np.float32), 2),
            TypeError,
            "streaming_recall_at_k: `labels` must be an integer tensor",
        ),
        (
            lambda: metrics.streaming_recall_at_k(SCORES, TARGETS[:2], 2),
            ValueError,
            r"streaming_recall_at_k: `labels` must have shape \[6\]",
        ),
        (
            lambda: metrics.streaming_recall_at_k(SCORES[0], TARGETS, 2),
            ValueError,
            "streaming_recall_at_k: `predictions` must have rank 2",
        ),
        (
            lambda: metrics.streaming_sparse_precision_at_k(SCORES, P_FLOAT, 2),
            TypeError,
            "streaming_sparse_precision_at_k: `labels` must be an integer tensor",
        ),
        (
            lambda: metrics.streaming_sparse_recall_at_k(SCORES, TARGETS, 2, class_id="1"),
            TypeError,
            "streaming_sparse_recall_at_k: `class_id` must be None or an int",
        ),
        (
            lambda: metrics.streaming_sparse_recall_at_k(SCORES, np.zeros((5, 2), np.int64), 2),
            ValueError,
            r"`labels` must have shape \[6\] \+ \[num_labels\]",
        ),
        (
            lambda: metrics.streaming_mean_iou(P_IDS, L_IDS, 0),
            ValueError,
            "streaming_mean_iou: `num_classes` must be >= 1, got 0",
        ),
        (
            lambda: metrics.streaming_percentage_less(P_FLOAT, [0.1, 0.2]),
            ValueError,
            r"streaming_percentage_less: `threshold` must be a scalar, got shape \[2\]",
        ),
        (
            lambda: metrics.streaming_mean_relative_error(P_FLOAT, L_FLOAT, L_FLOAT[:2]),
            ValueError,
            r"`normalizer` must have shape \[6\]",
        ),
        (
            lambda: metrics.streaming_mean_tensor(tf.placeholder(tf.float32, [None, 2])),
            ValueError,
            r"streaming_mean_tensor: `values` must have a fully known shape .*got \[None, 2\]",
        ),
        (
            lambda: metrics.streaming_covariance(P_FLOAT, L_FLOAT[:4]),
            ValueError,
            r"streaming_covariance: `labels` must have shape \[6\]",
        ),
        (
            lambda: metrics.streaming_concat(tf.placeholder(tf.float32)),
            ValueError,
            "streaming_concat: `values` must have a known rank",
        ),
        (
            lambda: metrics.streaming_concat(tf.zeros([2, 3]), axis=2),
            ValueError,
            r"streaming_concat: `axis` must be in \[-2, 2\), got 2",
        ),
        (
            lambda: metrics.streaming_concat(tf.placeholder(tf.float32, [None, None])),
            ValueError,
            "must have a known size on every axis but `axis`=0, got shape \\[None, None\\]",
        ),
        (
            lambda: metrics.streaming_concat(tf.zeros([2]), max_size=0),
            ValueError,
            "streaming_concat: `max_size` must be >= 1, got 0",
        ),
        (
            lambda: metrics.aggregate_metrics(),
            ValueError,
            r"aggregate_metrics: expected at least one \(value_op, update_op\) pair, got none",
        ),
        (
            lambda: metrics.aggregate_metrics((1, 2, 3)),
            ValueError,
            r"aggregate_metrics: argument 0 must be a \(value_op, update_op\) pair",
        ),
        (
            lambda: metrics.aggregate_metric_map([("a", (1, 2))]),
            TypeError,
            "aggregate_metric_map: `names_to_tuples` must be a dict",
        ),
        (
            lambda: metrics.aggregate_metric_map({"mae": 1.0}),
            ValueError,
            r"aggregate_metric_map: entry 'mae' must be a \(value_op, update_op\) pair",
        ),
    ],
    ids=[
        "shape",
        "weights_shape",
        "collections_str",
        "collections_items",
        "auc_curve",
        "auc_thresholds",
        "k_zero",
        "k_float_labels",
        "k_labels_batch",
        "k_predictions_rank",
        "sparse_float_labels",
        "sparse_class_id",
        "sparse_labels_shape",
        "iou_classes",
        "threshold_shape",
        "normalizer_shape",
        "mean_tensor_shape",
        "covariance_shape",
        "concat_rank",
        "concat_axis",
        "concat_dims",
        "concat_max_size",
        "aggregate_empty",
        "aggregate_pair",
        "map_type",
        "map_pair",
    ],
)
def test_metric_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_metrics_refuse_eager_mode():
    with pytest.raises(RuntimeError, match="streaming_mean: slimlib builds graphs"):
        metrics.streaming_mean([1.0, 2.0])


def signature(fn):
    return ", ".join(
        p.name if p.default is p.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(fn).parameters.values()
        if p.kind is not p.VAR_POSITIONAL
    )


_TAIL = "weights=None, metrics_collections=None, updates_collections=None, name=None"
_PAIRED = f"predictions, labels, {_TAIL}"
_COLLECTIONS = "metrics_collections=None, updates_collections=None, name=None"
_COUNTS_AT = "predictions, labels, thresholds, weights=None"
# TF-Slim's signatures (tf_slim/metrics/metric_ops.py): names, order and defaults.
TF_SLIM_SIGNATURES = {
    "streaming_accuracy": _PAIRED,
    "streaming_auc": (
        "predictions, labels, weights=None, num_thresholds=200, metrics_collections=None, "
        "updates_collections=None, curve='ROC', name=None"
    ),
    "streaming_concat": f"values, axis=0, max_size=None, {_COLLECTIONS}",
    "streaming_covariance": _PAIRED,
    "streaming_false_negatives": _PAIRED,
    "streaming_false_positives": _PAIRED,
    "streaming_mean": f"values, {_TAIL}",
    "streaming_mean_absolute_error": _PAIRED,
    "streaming_mean_iou": f"predictions, labels, num_classes, {_TAIL}",
    "streaming_mean_relative_error": f"predictions, labels, normalizer, {_TAIL}",
    "streaming_mean_squared_error": _PAIRED,
    "streaming_mean_tensor": f"values, {_TAIL}",
    "streaming_pearson_correlation": _PAIRED,
    "streaming_percentage_less": f"values, threshold, {_TAIL}",
    "streaming_precision": _PAIRED,
    "streaming_recall": _PAIRED,
    "streaming_recall_at_k": f"predictions, labels, k, {_TAIL}",
    "streaming_root_mean_squared_error": _PAIRED,
    "streaming_sparse_precision_at_k": f"predictions, labels, k, class_id=None, {_TAIL}",
    "streaming_sparse_recall_at_k": f"predictions, labels, k, class_id=None, {_TAIL}",
    "streaming_true_negatives": _PAIRED,
    "streaming_true_positives": _PAIRED,
    "aggregate_metrics": "",
    "aggregate_metric_map": "names_to_tuples",
    # tf_slim/metrics/classification.py.
    "accuracy": "predictions, labels, weights=None, name=None",
    "f1_score": (
        "labels, predictions, weights=None, num_thresholds=200, metrics_collections=None, "
        "updates_collections=None, name=None"
    ),
    # tf_slim/metrics/histogram_ops.py.
    "auc_using_histogram": (
        "boolean_labels, scores, score_range, nbins=100, collections=None, check_shape=True, "
        "name=None"
    ),
    # The rest of tf_slim/metrics/metric_ops.py.
    "auc_with_confidence_intervals": (
        "labels, predictions, weights=None, alpha=0.95, logit_transformation=True, "
        "metrics_collections=(), updates_collections=(), name=None"
    ),
    "cohen_kappa": f"labels, predictions_idx, num_classes, {_TAIL}",
    "count": f"values, {_TAIL}",
    "precision_at_recall": (
        f"labels, predictions, target_recall, weights=None, num_thresholds=200, {_COLLECTIONS}"
    ),
    "precision_recall_at_equal_thresholds": (
        "labels, predictions, weights=None, num_thresholds=None, use_locking=None, name=None"
    ),
    "recall_at_precision": (
        f"labels, predictions, precision, weights=None, num_thresholds=200, {_COLLECTIONS}, "
        "strict_mode=False"
    ),
    "sparse_recall_at_top_k": f"labels, top_k_predictions, class_id=None, {_TAIL}",
    "streaming_curve_points": (
        "labels=None, predictions=None, weights=None, num_thresholds=200, "
        "metrics_collections=None, updates_collections=None, curve='ROC', name=None"
    ),
    "streaming_dynamic_auc": (
        "labels, predictions, curve='ROC', metrics_collections=(), updates_collections=(), "
        "name=None, weights=None"
    ),
    "streaming_false_negative_rate": _PAIRED,
    "streaming_false_negative_rate_at_thresholds": f"predictions, labels, thresholds, {_TAIL}",
    "streaming_false_negatives_at_thresholds": _COUNTS_AT,
    "streaming_false_positive_rate": _PAIRED,
    "streaming_false_positive_rate_at_thresholds": f"predictions, labels, thresholds, {_TAIL}",
    "streaming_false_positives_at_thresholds": _COUNTS_AT,
    "streaming_mean_cosine_distance": f"predictions, labels, dim, {_TAIL}",
    "streaming_precision_at_thresholds": f"predictions, labels, thresholds, {_TAIL}",
    "streaming_recall_at_thresholds": f"predictions, labels, thresholds, {_TAIL}",
    "streaming_sensitivity_at_specificity": (
        f"predictions, labels, specificity, weights=None, num_thresholds=200, {_COLLECTIONS}"
    ),
    "streaming_sparse_average_precision_at_k": f"predictions, labels, k, {_TAIL}",
    "streaming_sparse_average_precision_at_top_k": f"top_k_predictions, labels, {_TAIL}",
    "streaming_sparse_precision_at_top_k": f"top_k_predictions, labels, class_id=None, {_TAIL}",
    "streaming_specificity_at_sensitivity": (
        f"predictions, labels, sensitivity, weights=None, num_thresholds=200, {_COLLECTIONS}"
    ),
    "streaming_true_negatives_at_thresholds": _COUNTS_AT,
    "streaming_true_positives_at_thresholds": _COUNTS_AT,
    # The README's names; TF-Slim itself only had the `streaming_` forms.
    "precision": _PAIRED,
    "recall": _PAIRED,
    "percentage_less": f"values, threshold, {_TAIL}",
}


def test_public_names_are_exactly_the_table():
    assert sorted(metrics.__all__) == sorted(TF_SLIM_SIGNATURES)


@pytest.mark.parametrize("name", sorted(TF_SLIM_SIGNATURES))
def test_signature_matches_tf_slim(name):
    assert signature(getattr(metrics, name)) == TF_SLIM_SIGNATURES[name]


def test_streaming_mean_cosine_distance(stream):
    # Unit vectors: equal (distance 0), opposite (2) and orthogonal (1).
    predictions = np.array([[1, 0, 0], [0, 0, -1], [1, 0, 0]], np.float32)
    labels = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]], np.float32)
    weights = np.array([[0.0], [1.0], [3.0]], np.float32)
    _, _, plain = stream(
        lambda p, y: metrics.streaming_mean_cosine_distance(p, y, dim=1),
        [(predictions[:1], labels[:1]), (predictions[1:], labels[1:])],
    )
    _, _, weighted = stream(
        lambda p, y, w: metrics.streaming_mean_cosine_distance(p, y, 1, weights=w),
        [(predictions, labels, weights)],
    )
    np.testing.assert_allclose([plain, weighted], [1.0, (2.0 + 3.0) / 4.0], rtol=1e-6)


@pytest.mark.parametrize(
    "dim, exc, match",
    [
        (1.0, TypeError, "streaming_mean_cosine_distance: `dim` must be an int, got 1.0"),
        (2, ValueError, r"streaming_mean_cosine_distance: `dim` must be in \[-2, 2\), got 2"),
    ],
    ids=["type", "range"],
)
def test_streaming_mean_cosine_distance_errors(graph, dim, exc, match):
    with pytest.raises(exc, match=match):
        metrics.streaming_mean_cosine_distance(tf.ones([2, 3]), tf.ones([2, 3]), dim)
