"""`slim.metrics` at a list of thresholds: counters, rates and curve points against NumPy."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib import metrics

SCORES = np.array([0.9, 0.2, 0.8, 0.1, 0.6, 0.35], np.float32)
LABELS = np.array([1, 0, 1, 1, 0, 0], np.int64)
WEIGHTS = np.array([1.0, 2.0, 0.5, 3.0, 1.0, 0.0], np.float32)
THRESHOLDS = (0.15, 0.5, 0.85)
BATCHES = [(SCORES[:4], LABELS[:4], WEIGHTS[:4]), (SCORES[4:], LABELS[4:], WEIGHTS[4:])]


def np_counts(scores, labels, weights, thresholds):
    """Weighted tp, fn, tn, fp per threshold; positive means `score > threshold`."""
    predicted = scores[None, :] > np.asarray(thresholds)[:, None]
    actual = labels[None, :].astype(bool)
    return {
        "tp": np.sum(weights * (predicted & actual), 1),
        "fn": np.sum(weights * (~predicted & actual), 1),
        "tn": np.sum(weights * (~predicted & ~actual), 1),
        "fp": np.sum(weights * (predicted & ~actual), 1),
    }


EXPECTED = np_counts(SCORES, LABELS, WEIGHTS, THRESHOLDS)
COUNTERS = {
    "tp": (metrics.streaming_true_positives_at_thresholds, "true_positives"),
    "fn": (metrics.streaming_false_negatives_at_thresholds, "false_negatives"),
    "tn": (metrics.streaming_true_negatives_at_thresholds, "true_negatives"),
    "fp": (metrics.streaming_false_positives_at_thresholds, "false_positives"),
}


@pytest.mark.parametrize("key", list(COUNTERS), ids=list(COUNTERS))
def test_counts_at_thresholds_match_numpy(stream, key):
    metric, variable_name = COUNTERS[key]
    before, updates, value = stream(lambda p, y, w: metric(p, y, THRESHOLDS, weights=w), BATCHES)
    np.testing.assert_array_equal(before, [0, 0, 0])
    np.testing.assert_allclose(value, EXPECTED[key])
    np.testing.assert_allclose(updates[-1], EXPECTED[key])
    # TF-Slim creates the counter in the caller's scope, under its plain name.
    assert [v.op.name for v in tf.local_variables()] == [variable_name]


@pytest.mark.parametrize("row_shape", [(3, 1), (3,)], ids=["column", "vector"])
def test_counts_at_thresholds_broadcast_row_weights(stream, row_shape):
    # `[3, 1]` weights broadcast over each row; so do `[3]` ones, as in tf.metrics.
    scores, labels = SCORES.reshape(3, 2), LABELS.reshape(3, 2)
    row_weights = np.array([3.0, 5.0, 7.0], np.float32).reshape(row_shape)
    _, _, value = stream(
        lambda p, y, w: metrics.streaming_false_negatives_at_thresholds(p, y, THRESHOLDS, w),
        [(scores, labels, row_weights)],
    )
    expected = np_counts(SCORES, LABELS, np.repeat([3.0, 5.0, 7.0], 2), THRESHOLDS)["fn"]
    np.testing.assert_allclose(value, expected)


@pytest.mark.parametrize(
    "metric, reference",
    [
        (metrics.streaming_precision_at_thresholds, lambda c: c["tp"] / (c["tp"] + c["fp"])),
        (metrics.streaming_recall_at_thresholds, lambda c: c["tp"] / (c["tp"] + c["fn"])),
        (
            metrics.streaming_false_positive_rate_at_thresholds,
            lambda c: c["fp"] / (c["fp"] + c["tn"]),
        ),
        (
            metrics.streaming_false_negative_rate_at_thresholds,
            lambda c: c["fn"] / (c["fn"] + c["tp"]),
        ),
    ],
    ids=["precision", "recall", "false_positive_rate", "false_negative_rate"],
)
def test_rates_at_thresholds_match_numpy(stream, metric, reference):
    _, updates, value = stream(lambda p, y, w: metric(p, y, THRESHOLDS, weights=w), BATCHES)
    np.testing.assert_allclose(value, reference(EXPECTED), rtol=1e-5)
    np.testing.assert_allclose(updates[-1], reference(EXPECTED), rtol=1e-5)


def test_rate_at_thresholds_is_zero_with_nothing_to_count(stream):
    # No negative label at all: fp + tn is 0 at every threshold.
    _, _, value = stream(
        lambda p, y: metrics.streaming_false_positive_rate_at_thresholds(p, y, [0.5]),
        [(np.array([0.7, 0.2], np.float32), np.array([1, 1], np.int64))],
    )
    np.testing.assert_array_equal(value, [0.0])


def test_rate_at_thresholds_variables_and_collections(graph):
    value, update = metrics.streaming_false_positive_rate_at_thresholds(
        SCORES, LABELS, THRESHOLDS, metrics_collections=["m"], updates_collections=["u"]
    )
    assert sorted(v.op.name for v in tf.local_variables()) == [
        "false_positive_rate_at_thresholds/false_positives",
        "false_positive_rate_at_thresholds/true_negatives",
    ]
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]


def np_curve(scores, labels, num_thresholds, curve):
    eps = 1e-7
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    c = np_counts(scores, labels, np.ones_like(scores), [-eps, *inner, 1 + eps])
    with np.errstate(invalid="ignore"):
        recall = np.where(c["tp"] + c["fn"] > 0, c["tp"] / (c["tp"] + c["fn"]), 1.0)
        if curve == "ROC":
            fpr = np.where(c["fp"] + c["tn"] > 0, c["fp"] / (c["fp"] + c["tn"]), 0.0)
            return np.stack([fpr, recall], 1)
        precision = np.where(c["tp"] + c["fp"] > 0, c["tp"] / (c["tp"] + c["fp"]), 1.0)
        return np.stack([recall, precision], 1)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_curve_points_match_numpy(graph, curve):
    points, update = metrics.streaming_curve_points(LABELS, SCORES, num_thresholds=5, curve=curve)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        got = sess.run(points)
    np.testing.assert_allclose(got, np_curve(SCORES, LABELS, 5, curve), atol=1e-6)
    assert got.shape == (5, 2)


def test_curve_points_of_a_single_positive(graph):
    # Hand-checked: at the top threshold nothing is predicted, so recall is 0 and the
    # precision of no claim at all is 1.
    points, update = metrics.streaming_curve_points([[1]], [[1.0]], num_thresholds=3, curve="PR")
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        np.testing.assert_allclose(sess.run(points), [[1, 1], [1, 1], [0, 1]])


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.streaming_true_positives_at_thresholds(SCORES, LABELS, 0.5),
            TypeError,
            r"streaming_true_positives_at_thresholds: `thresholds` must be a non-empty list or "
            r"tuple of numbers, got 0.5",
        ),
        (
            lambda: metrics.streaming_precision_at_thresholds(SCORES, LABELS, []),
            TypeError,
            "streaming_precision_at_thresholds: `thresholds` must be a non-empty list",
        ),
        (
            lambda: metrics.streaming_false_negative_rate_at_thresholds(SCORES, LABELS[:2], [0.5]),
            ValueError,
            r"streaming_false_negative_rate_at_thresholds: `labels` must have shape \[6\]",
        ),
        (
            lambda: metrics.streaming_curve_points(LABELS, SCORES, curve="AUC"),
            ValueError,
            "streaming_curve_points: curve must be either ROC or PR, AUC unknown",
        ),
        (
            lambda: metrics.streaming_curve_points(LABELS, SCORES, num_thresholds=0),
            ValueError,
            "streaming_curve_points: `num_thresholds` must be >= 1, got 0",
        ),
    ],
    ids=["thresholds_scalar", "thresholds_empty", "shape", "curve", "num_thresholds"],
)
def test_threshold_metric_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()
