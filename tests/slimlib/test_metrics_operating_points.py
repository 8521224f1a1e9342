"""`slim.metrics` read at one operating point: recall at precision, precision at recall, ..."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib import metrics

# Ranked best first. Above each cut: precision 3/5, 3/4, 2/3, 1, 1, (nothing predicted)
# and recall 1, 1, 2/3, 2/3, 1/3, 0.
SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.3], np.float32)
LABELS = np.array([1, 1, 0, 1, 0], np.int64)


def value_after_one_update(metric_ops):
    value, update = metric_ops
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        updated = sess.run(update)
        return updated, sess.run(value)


@pytest.mark.parametrize(
    "target, strict, expected",
    [
        (0.75, False, 1.0),  # Exactly reached at the cut below 0.6.
        (1.0, False, 2 / 3),  # First threshold with precision 1: the lower one, more recall.
        (0.7, True, 1.0),  # 0.75 is the smallest precision that reaches 0.7.
        (0.99, True, 2 / 3),
    ],
    ids=["closest", "first_of_ties", "strict", "strict_high"],
)
def test_recall_at_precision(graph, target, strict, expected):
    updated, value = value_after_one_update(
        metrics.recall_at_precision(LABELS, SCORES, target, strict_mode=strict)
    )
    np.testing.assert_allclose([updated, value], [expected] * 2, rtol=1e-6)


def test_recall_at_precision_strict_is_zero_when_unreachable(graph):
    updated, value = value_after_one_update(
        metrics.recall_at_precision([0, 1], [0.9, 0.8], 1.0, strict_mode=True)
    )
    assert updated == value == 0.0


@pytest.mark.parametrize(
    "target, expected",
    [(0.9, 0.75), (0.5, 1.0), (0.0, 1.0)],
    ids=["high", "middle", "zero"],
)
def test_precision_at_recall(graph, target, expected):
    updated, value = value_after_one_update(metrics.precision_at_recall(LABELS, SCORES, target))
    np.testing.assert_allclose([updated, value], [expected] * 2, rtol=1e-6)


def test_precision_at_recall_weighted(graph):
    # Weight 3 on the false positive at 0.7 and 0 on the last negative: reaching
    # recall 1 then costs precision (1 + 1 + 1) / (1 + 1 + 3 + 1).
    weights = np.array([1.0, 1.0, 3.0, 1.0, 0.0], np.float32)
    updated, value = value_after_one_update(
        metrics.precision_at_recall(LABELS, SCORES, 1.0, weights=weights)
    )
    np.testing.assert_allclose([updated, value], [0.5, 0.5], rtol=1e-6)


def test_operating_point_variables(graph):
    metrics.recall_at_precision(LABELS, SCORES, 0.5)
    metrics.precision_at_recall(LABELS, SCORES, 0.5, name="p_at_r")
    names = sorted(v.op.name for v in tf.local_variables())
    assert names == sorted(
        f"{scope}/{counter}"
        for scope in ("recall_at_precision", "p_at_r")
        for counter in ("true_positives", "false_negatives", "true_negatives", "false_positives")
    )


# Separable except 0.4 (positive) below 0.6 (negative).
SEP_SCORES = np.array([0.2, 0.6, 0.4, 0.8], np.float32)
SEP_LABELS = np.array([0, 0, 1, 1], np.int64)


def test_specificity_at_sensitivity(graph):
    # Keeping every positive (sensitivity 1) allows a cut between 0.2 and 0.4.
    updated, value = value_after_one_update(
        metrics.streaming_specificity_at_sensitivity(SEP_SCORES, SEP_LABELS, 1.0)
    )
    np.testing.assert_allclose([updated, value], [0.5, 0.5])


def test_sensitivity_at_specificity(graph):
    # Rejecting every negative (specificity 1) needs a cut above 0.6.
    updated, value = value_after_one_update(
        metrics.streaming_sensitivity_at_specificity(SEP_SCORES, SEP_LABELS, 1.0)
    )
    np.testing.assert_allclose([updated, value], [0.5, 0.5])


def np_equal_thresholds(scores, labels, weights, num_thresholds):
    """Counts with TF-Slim's buckets: a score is positive from threshold `floor(s * (n-1))` down."""
    bucket = np.floor(scores * (num_thresholds - 1)).astype(int)
    above = bucket[None, :] >= np.arange(num_thresholds)[:, None]
    tp = np.sum(above * weights * labels, 1)
    fp = np.sum(above * weights * (1 - labels), 1)
    return tp, fp, fp[0] - fp, tp[0] - tp


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_precision_recall_at_equal_thresholds(graph, dtype):
    scores = np.array([0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 1.0], dtype)
    labels = np.array([1, 0, 0, 1, 1, 1, 0], bool)
    weights = np.array([0.0, 0.5, 2.0, 0.0, 0.5, 1.0, 1.0], dtype)
    result, update = metrics.precision_recall_at_equal_thresholds(
        labels, scores, weights=weights, num_thresholds=5
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        sess.run(update)  # Two identical batches: every count doubles.
        got = sess.run(result)
    tp, fp, tn, fn = (2 * x for x in np_equal_thresholds(scores, labels, weights, 5))
    np.testing.assert_allclose(got.tp, tp)
    np.testing.assert_allclose(got.fp, fp)
    np.testing.assert_allclose(got.tn, tn)
    np.testing.assert_allclose(got.fn, fn)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(got.precision, np.nan_to_num(tp / (tp + fp)), rtol=1e-6)
        np.testing.assert_allclose(got.recall, np.nan_to_num(tp / (tp + fn)), rtol=1e-6)
    np.testing.assert_allclose(got.thresholds, [0, 0.25, 0.5, 0.75, 1])
    assert {x.dtype for x in got} == {np.dtype(dtype)}
    assert sorted(v.op.name for v in tf.local_variables()) == [
        "precision_recall_at_equal_thresholds/variables/fp_buckets",
        "precision_recall_at_equal_thresholds/variables/tp_buckets",
    ]


def test_precision_recall_at_equal_thresholds_checks_the_range_when_run(graph):
    scores = tf.placeholder(tf.float32, [1])
    _, update = metrics.precision_recall_at_equal_thresholds([True], scores)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"
        ):
            sess.run(update, {scores: [1.5]})


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.recall_at_precision(LABELS, SCORES, 1.5),
            ValueError,
            r"recall_at_precision: `precision` must be in the range \[0, 1\], got 1.5",
        ),
        (
            lambda: metrics.precision_at_recall(LABELS, SCORES, "high"),
            TypeError,
            r"precision_at_recall: `target_recall` must be a number in \[0, 1\], got 'high'",
        ),
        (
            lambda: metrics.streaming_sensitivity_at_specificity(SCORES, LABELS, -0.1),
            ValueError,
            "streaming_sensitivity_at_specificity: `specificity` must be in the range",
        ),
        (
            lambda: metrics.streaming_specificity_at_sensitivity(
                SCORES, LABELS, 0.5, num_thresholds=1
            ),
            ValueError,
            "streaming_specificity_at_sensitivity: `num_thresholds` must be >= 2, got 1",
        ),
        (
            lambda: metrics.precision_recall_at_equal_thresholds(LABELS, SCORES),
            TypeError,
            "precision_recall_at_equal_thresholds: `labels` must be a bool tensor, got dtype int64",
        ),
        (
            lambda: metrics.precision_recall_at_equal_thresholds([True], [1]),
            TypeError,
            "`predictions` must be a floating point tensor, got dtype int32",
        ),
        (
            lambda: metrics.precision_recall_at_equal_thresholds([True], [0.5], num_thresholds=1),
            ValueError,
            "precision_recall_at_equal_thresholds: `num_thresholds` must be >= 2, got 1",
        ),
    ],
    ids=[
        "precision_range",
        "recall_type",
        "specificity_range",
        "num_thresholds",
        "labels_bool",
        "predictions_float",
        "equal_num_thresholds",
    ],
)
def test_operating_point_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_precision_recall_at_equal_thresholds_counts_in_float64(graph):
    # 2**25 + 1 is not a float32: float32 buckets would lose the 1.
    result, update = metrics.precision_recall_at_equal_thresholds(
        [True, True], np.array([0.5, 0.5]), weights=np.array([2.0**25, 1.0]), num_thresholds=3
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert sess.run(result.tp[0]) == 2**25 + 1
