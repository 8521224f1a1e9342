"""`slim.metrics` top-k metrics: sparse labels, ranked ids and average precision vs NumPy."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib import metrics

# Two examples over 7 classes; ids ranked best first by `SCORES`.
SCORES = np.array(
    [[0.2, 0.1, 0.0, 0.4, 0.0, 0.5, 0.3], [0.3, 0.5, 0.0, 0.4, 0.0, 0.1, 0.2]], np.float32
)
RANKED = np.argsort(-SCORES, axis=1, kind="stable")
LABELS = [[0, 1, 2, 3, 4], [0, 2, 4, 5, 6]]


def sparse_labels():
    """`LABELS` as a `SparseTensorValue`, the form TF-Slim's tests feed."""
    indices = [[row, i] for row, ids in enumerate(LABELS) for i in range(len(ids))]
    values = [label for ids in LABELS for label in ids]
    return tf.SparseTensorValue(np.array(indices), np.array(values, np.int64), [2, 5])


def np_average_precision(ranked, labels, k):
    hits = np.array([c in labels for c in ranked[:k]], float)
    precision_at = np.cumsum(hits) / np.arange(1, k + 1)
    return np.sum(precision_at * hits) / min(k, len(labels))


def evaluate(metric_ops):
    value, update = metric_ops
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        updated = sess.run(update)
        return updated, sess.run(value)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_sparse_tensor_value_labels_match_dense(graph, k):
    dense = np.array(LABELS, np.int64)
    for metric in (metrics.streaming_sparse_precision_at_k, metrics.streaming_sparse_recall_at_k):
        from_sparse = evaluate(metric(SCORES, sparse_labels(), k))
        from_dense = evaluate(metric(SCORES, dense, k))
        np.testing.assert_allclose(from_sparse, from_dense)
    hits = [sum(c in labels for c in RANKED[i, :k]) for i, labels in enumerate(LABELS)]
    precision = evaluate(metrics.streaming_sparse_precision_at_k(SCORES, sparse_labels(), k))
    np.testing.assert_allclose(precision, [sum(hits) / (2 * k)] * 2)


@pytest.mark.parametrize("k", [1, 3])
def test_ranked_ids_give_the_same_precision_and_recall(graph, k):
    labels = np.array(LABELS, np.int64)
    np.testing.assert_allclose(
        evaluate(metrics.streaming_sparse_precision_at_top_k(RANKED[:, :k], labels)),
        evaluate(metrics.streaming_sparse_precision_at_k(SCORES, labels, k)),
    )
    np.testing.assert_allclose(
        evaluate(metrics.sparse_recall_at_top_k(labels, RANKED[:, :k])),
        evaluate(metrics.streaming_sparse_recall_at_k(SCORES, labels, k)),
    )


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_average_precision_matches_numpy(graph, k):
    expected = np.mean([np_average_precision(RANKED[i], LABELS[i], k) for i in range(2)])
    at_k = evaluate(metrics.streaming_sparse_average_precision_at_k(SCORES, sparse_labels(), k))
    at_top_k = evaluate(
        metrics.streaming_sparse_average_precision_at_top_k(RANKED[:, :k], sparse_labels())
    )
    dense = evaluate(
        metrics.streaming_sparse_average_precision_at_top_k(
            RANKED[:, :k], np.array(LABELS, np.int64)
        )
    )
    np.testing.assert_allclose([*at_k, *at_top_k, *dense], [expected] * 6, rtol=1e-9)


def test_average_precision_at_top_k_weighted(graph):
    weights = [0.3, 0.6]
    per_example = [np_average_precision(RANKED[i], LABELS[i], 4) for i in range(2)]
    expected = np.dot(weights, per_example) / sum(weights)
    got = evaluate(
        metrics.streaming_sparse_average_precision_at_top_k(
            RANKED[:, :4], sparse_labels(), weights=weights
        )
    )
    np.testing.assert_allclose(got, [expected] * 2, rtol=1e-9)


def test_average_precision_at_top_k_by_hand(graph):
    # Ranked 5, 3, 6, 0 against labels {0..4}: hits at ranks 2 and 4, so
    # (1/2 + 2/4) / min(4, 5) = 0.25.
    got = evaluate(
        metrics.streaming_sparse_average_precision_at_top_k([[5, 3, 6, 0]], [[0, 1, 2, 3, 4]])
    )
    np.testing.assert_allclose(got, [0.25, 0.25])


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.streaming_sparse_precision_at_top_k([9, 4, 6], [[1]]),
            ValueError,
            r"streaming_sparse_precision_at_top_k: `top_k_predictions` must have rank >= 2 "
            r"\(\[batch, ..., k\]\), got shape \[3\]",
        ),
        (
            lambda: metrics.streaming_sparse_average_precision_at_top_k(
                tf.placeholder(tf.int64, [2, None]), [[1], [2]]
            ),
            ValueError,
            r"`top_k_predictions` must have a static last dimension \(k\), got shape \[2, None\]",
        ),
        (
            lambda: metrics.sparse_recall_at_top_k([[1]], [[0.5, 0.2]]),
            TypeError,
            "sparse_recall_at_top_k: `top_k_predictions` must be integer class ids, got dtype "
            "float32",
        ),
        (
            lambda: metrics.streaming_sparse_precision_at_top_k([[1]], [[1]], class_id=1.0),
            TypeError,
            "streaming_sparse_precision_at_top_k: `class_id` must be None or an int",
        ),
        (
            lambda: metrics.streaming_sparse_average_precision_at_k(SCORES, [[0.5], [1.0]], 2),
            TypeError,
            "streaming_sparse_average_precision_at_k: `labels` must be an integer tensor",
        ),
        (
            lambda: metrics.streaming_sparse_average_precision_at_k(SCORES, LABELS, 0),
            ValueError,
            "streaming_sparse_average_precision_at_k: `k` must be >= 1, got 0",
        ),
    ],
    ids=["rank", "static_k", "float_ids", "class_id", "float_labels", "k_zero"],
)
def test_top_k_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()
