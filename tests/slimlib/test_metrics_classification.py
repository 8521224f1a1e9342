"""`slim.metrics` for classifiers: one-batch `accuracy`, `f1_score`, `cohen_kappa`, `count`."""

import doctest

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib import metrics

RNG = np.random.default_rng(5)


@pytest.mark.parametrize(
    "dtype, predictions, labels",
    [
        (tf.int32, [1, 0, 1, 1], [1, 1, 0, 1]),
        (tf.int64, [1, 0, 1, 1], [1, 1, 0, 1]),
        (tf.bool, [True, False, True, True], [True, True, False, True]),
        (tf.string, ["a", "b", "a", "c"], ["a", "c", "b", "c"]),
    ],
    ids=["int32", "int64", "bool", "string"],
)
def test_accuracy_is_a_tensor_for_one_batch(graph, dtype, predictions, labels):
    p = tf.placeholder(dtype, [None])
    y = tf.placeholder(dtype, [None])
    w = tf.placeholder(tf.float32, [None])
    plain = metrics.accuracy(p, y)
    weighted = metrics.accuracy(p, y, weights=w)
    assert isinstance(plain, tf.Tensor) and not tf.local_variables()
    with tf.Session() as sess:
        got = sess.run([plain, weighted], {p: predictions, y: labels, w: [3, 1, 2, 4]})
    # Elements 0 and 3 agree: 2 of 4, or (3 + 4) / 10 weighted.
    np.testing.assert_allclose(got, [0.5, 0.7], rtol=1e-6)


def test_accuracy_runs_eagerly_too():
    assert float(metrics.accuracy(tf.constant([2, 1]), tf.constant([2, 2]))) == 0.5


@pytest.mark.parametrize(
    "predictions, labels, match",
    [
        (
            tf.constant([1, 0]),
            tf.constant([1.0, 0.0]),
            "accuracy: `labels` should have bool, integer, or string dtype, got float32",
        ),
        (
            tf.constant([1, 0]),
            tf.constant([1, 0], tf.int64),
            "accuracy: dtypes of predictions and labels should match, got predictions int32 "
            "and labels int64",
        ),
    ],
    ids=["float_labels", "dtype_mismatch"],
)
def test_accuracy_errors(predictions, labels, match):
    with pytest.raises(ValueError, match=match):
        metrics.accuracy(predictions, labels)


def np_best_f1(labels, scores, weights, num_thresholds):
    eps = 1e-7
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    best = 0.0
    for t in [-eps, *inner, 1 + eps]:
        predicted = scores > t
        tp = np.sum(weights * (predicted & labels))
        fp = np.sum(weights * (predicted & ~labels))
        fn = np.sum(weights * (~predicted & labels))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        if precision + recall:
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def test_f1_score_is_the_best_over_thresholds(stream):
    labels = RNG.uniform(size=12) < 0.5
    scores = np.clip(0.3 * labels + RNG.uniform(0, 0.7, 12), 0, 1).astype(np.float32)
    weights = RNG.uniform(0.5, 2, 12).astype(np.float32)
    batches = [(labels[:7], scores[:7], weights[:7]), (labels[7:], scores[7:], weights[7:])]
    _, updates, value = stream(
        lambda y, p, w: metrics.f1_score(y, p, weights=w, num_thresholds=11), batches
    )
    expected = np_best_f1(labels, scores, weights, 11)
    np.testing.assert_allclose([value, updates[-1]], [expected] * 2, rtol=1e-5)
    assert sorted(v.op.name for v in tf.local_variables()) == [
        "f1/false_negatives",
        "f1/false_positives",
        "f1/true_positives",
    ]


def test_f1_score_by_hand(graph):
    # One threshold inside (0, 1) besides the ends: at 0.5, tp = 1, fp = 1, fn = 1.
    value, update = metrics.f1_score([0, 1, 1, 0], [1.0, 0.0, 1.0, 0.0], num_thresholds=3)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        # Best is the lowest threshold: everything predicted, P = 1/2, R = 1, F1 = 2/3.
        assert sess.run(value) == pytest.approx(2 / 3, rel=1e-6)


def np_kappa(labels, predictions, weights, num_classes):
    table = np.zeros((num_classes, num_classes))
    np.add.at(table, (labels, predictions), weights)
    total = table.sum()
    observed = np.trace(table) / total
    by_chance = np.sum(table.sum(0) * table.sum(1)) / total**2
    return (observed - by_chance) / (1 - by_chance)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cohen_kappa_matches_numpy(stream, weighted):
    labels = RNG.integers(0, 3, 20)
    predictions = np.where(RNG.uniform(size=20) < 0.6, labels, RNG.integers(0, 3, 20))
    weights = RNG.uniform(0, 2, 20) if weighted else np.ones(20)
    batches = [
        (labels[:12, None], predictions[:12, None].astype(np.float32), weights[:12]),
        (labels[12:, None], predictions[12:, None].astype(np.float32), weights[12:]),
    ]
    _, updates, value = stream(lambda y, p, w: metrics.cohen_kappa(y, p, 3, weights=w), batches)
    expected = np_kappa(labels, predictions, weights, 3)
    np.testing.assert_allclose([value, updates[-1]], [expected] * 2, rtol=1e-9)
    assert sorted(v.op.name for v in tf.local_variables()) == [
        "cohen_kappa/pe_col",
        "cohen_kappa/pe_row",
        "cohen_kappa/po",
    ]


def test_cohen_kappa_by_hand(graph):
    # Labels 0,0,1,1 vs predictions 0,1,1,1: p_o = 3/4, p_e = (2*1 + 2*3)/16 = 1/2.
    value, update = metrics.cohen_kappa([0, 0, 1, 1], [0, 1, 1, 1], 2)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == pytest.approx(0.5)
        assert sess.run(value) == pytest.approx(0.5)


def test_count_adds_weights(stream):
    values = RNG.normal(size=(5, 2)).astype(np.float32)
    weights = np.array([[0.5], [0.0], [0.0], [1.2], [1.0]], np.float32)
    _, updates, total = stream(
        lambda v, w: metrics.count(v, w), [(values[:3], weights[:3]), (values[3:], weights[3:])]
    )
    np.testing.assert_allclose([updates[0], total], [1.0, 1.0 + 2 * (1.2 + 1.0)], rtol=1e-6)
    _, updates, total = stream(metrics.count, [(values[:3],), (values[3:],)])
    np.testing.assert_allclose(updates + [total], [6.0, 10.0, 10.0])
    assert [v.op.name for v in tf.local_variables()][-1] == "count_1/count"


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.cohen_kappa([0, 1], [0, 1], 1),
            ValueError,
            "cohen_kappa: `num_classes` must be >= 2, got 1",
        ),
        (
            lambda: metrics.cohen_kappa(tf.zeros([4, 2], tf.int32), tf.zeros([4]), 3),
            ValueError,
            r"cohen_kappa: `labels` must have shape \[n\] or \[n, 1\], got \[4, 2\]",
        ),
        (
            lambda: metrics.cohen_kappa(tf.zeros([4], tf.int32), tf.zeros([3]), 3),
            ValueError,
            r"cohen_kappa: `predictions_idx` must have the shape of `labels` \[4\], got \[3\]",
        ),
        (
            lambda: metrics.f1_score([1, 0], [0.5, 0.5], num_thresholds=0),
            ValueError,
            "f1_score: `num_thresholds` must be >= 1, got 0",
        ),
        (
            lambda: metrics.count([1.0, 2.0], weights=[1.0, 2.0, 3.0]),
            ValueError,
            r"count: `weights` must be a scalar or have the rank of `values` \[2\]",
        ),
    ],
    ids=["kappa_classes", "kappa_rank", "kappa_shapes", "f1_thresholds", "count_weights"],
)
def test_classification_metric_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_metrics_doctests_pass():
    failures = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for name in metrics.__all__:
        for test in doctest.DocTestFinder(recurse=False).find(getattr(metrics, name), name):
            failures.append(runner.run(test).failed)
    assert sum(failures) == 0 and len(failures) >= 3
