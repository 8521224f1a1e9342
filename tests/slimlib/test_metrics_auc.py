"""`slim.metrics` AUCs without fixed thresholds, against pairwise NumPy references."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib import metrics

RNG = np.random.default_rng(3)
SCORES = np.round(RNG.uniform(0, 1, 12), 1).astype(np.float32)  # Rounded: ties happen.
LABELS = (RNG.uniform(0, 1, 12) < SCORES * 0.8 + 0.1).astype(np.int64)
LABELS[:2] = [0, 1]  # Both classes in the first batch.
WEIGHTS = RNG.uniform(0.5, 2.0, 12).astype(np.float32)
BATCHES = [(LABELS[:5], SCORES[:5], WEIGHTS[:5]), (LABELS[5:], SCORES[5:], WEIGHTS[5:])]


def np_pairwise_auc(scores, labels, weights):
    """P(score of a positive > score of a negative), ties counting half, weighted by pairs."""
    pos, neg = labels == 1, labels == 0
    diff = scores[pos][:, None] - scores[neg][None, :]
    pair_weights = weights[pos][:, None] * weights[neg][None, :]
    return np.sum(pair_weights * ((diff > 0) + 0.5 * (diff == 0))) / pair_weights.sum()


def np_pr_auc(scores, labels, weights):
    """Trapezoids through the (recall, precision) points at each distinct score."""
    cuts = np.unique(scores)[::-1]
    tp = np.array([0.0] + [np.sum(weights * labels * (scores >= c)) for c in cuts])
    fp = np.array([0.0] + [np.sum(weights * (1 - labels) * (scores >= c)) for c in cuts])
    recall = tp / tp[-1]
    precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-12), 1.0)
    return np.sum((recall[1:] - recall[:-1]) * (precision[1:] + precision[:-1]) / 2)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_dynamic_auc_roc_is_the_pairwise_probability(stream, weighted):
    weights = WEIGHTS if weighted else np.ones_like(WEIGHTS)
    _, _, auc = stream(
        lambda y, p, w: metrics.streaming_dynamic_auc(y, p, weights=w if weighted else None),
        BATCHES,
    )
    np.testing.assert_allclose(auc, np_pairwise_auc(SCORES, LABELS, weights), rtol=1e-6)


def test_dynamic_auc_pr(stream):
    _, _, auc = stream(
        lambda y, p, w: metrics.streaming_dynamic_auc(y, p, curve="PR", weights=w), BATCHES
    )
    np.testing.assert_allclose(auc, np_pr_auc(SCORES, LABELS, WEIGHTS), rtol=1e-6)


def test_dynamic_auc_variables_and_one_class(graph):
    auc, update = metrics.streaming_dynamic_auc(tf.ones([3]), tf.constant([0.1, 0.5, 0.9]))
    assert sorted(v.op.name for v in tf.local_variables()) == [
        "dynamic_auc/concat_labels/array",
        "dynamic_auc/concat_labels/size",
        "dynamic_auc/concat_preds/array",
        "dynamic_auc/concat_preds/size",
    ]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert sess.run(auc) == 0.0  # Only positives: undefined, reported as 0.


@pytest.mark.parametrize(
    "labels, match",
    [([2, 1, 0], "at least one is >1"), ([1, 0, -1], "at least one is <0")],
    ids=["above_one", "negative"],
)
def test_dynamic_auc_checks_labels_when_run(graph, labels, match):
    label_input = tf.placeholder(tf.int32, [3])
    _, update = metrics.streaming_dynamic_auc(label_input, tf.constant([0.9, 0.5, 0.1]))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=match):
            sess.run(update, {label_input: labels})


def np_confidence_interval(scores, labels, weights, alpha=0.95):
    """DeLong's variance of the AUC from placement values, and the logit-normal interval."""
    from statistics import NormalDist

    pos, neg = labels == 1, labels == 0
    diff = scores[pos][:, None] - scores[neg][None, :]
    wins = (diff > 0) + 0.5 * (diff == 0)
    w_pos, w_neg = weights[pos], weights[neg]
    v_pos = wins @ w_neg / w_neg.sum()  # Share of negatives each positive beats.
    v_neg = w_pos @ wins / w_pos.sum()  # Share of positives that beat each negative.
    auc = np.sum(w_pos * v_pos) / w_pos.sum()
    var_pos = np.sum(w_pos * (v_pos - auc) ** 2) / (w_pos.sum() - 1)
    var_neg = np.sum(w_neg * (v_neg - auc) ** 2) / (w_neg.sum() - 1)
    std_err = np.sqrt(var_pos / w_pos.sum() + var_neg / w_neg.sum())
    z = NormalDist().inv_cdf((1 - alpha) / 2)
    logit, logit_err = np.log(auc / (1 - auc)), std_err / (auc * (1 - auc))
    lower, upper = (1 / (1 + np.exp(-(logit + s * z * logit_err))) for s in (1, -1))
    return auc, lower, upper


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_auc_with_confidence_intervals_matches_delong(stream, weighted):
    weights = WEIGHTS if weighted else np.ones_like(WEIGHTS)
    _, _, result = stream(
        lambda y, p, w: metrics.auc_with_confidence_intervals(
            y, p, weights=w if weighted else None
        ),
        BATCHES,
    )
    expected = np_confidence_interval(SCORES, LABELS, weights)
    np.testing.assert_allclose([result.auc, result.lower, result.upper], expected, rtol=1e-5)
    assert result.lower < result.auc < result.upper


def test_auc_with_confidence_intervals_hand_example(graph):
    # Two positives above two negatives but one tie: AUC = (1 + 1 + 1 + 0.5) / 4.
    result, update = metrics.auc_with_confidence_intervals(
        [0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9], logit_transformation=False
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        got = sess.run(result)
    assert got.auc == pytest.approx(0.875)
    assert got.lower < 0.875 < got.upper
    assert got.upper - 0.875 == pytest.approx(0.875 - got.lower)  # Symmetric without logit.


def test_auc_with_confidence_intervals_drops_light_batches(graph):
    # Total weight 0.6 < 1: the batch is not added, so nothing is known yet.
    result, update = metrics.auc_with_confidence_intervals(
        [1, 1, 0], [0.9, 0.2, 0.1], weights=[0.2, 0.2, 0.2]
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert tuple(sess.run(result)) == (0.0, 0.0, 0.0)


def test_auc_using_histogram_converges_to_the_pairwise_auc(graph):
    scores = RNG.uniform(0, 1, 400).astype(np.float32)
    labels = RNG.uniform(0, 1, 400) < scores
    labels_in = tf.placeholder(tf.bool, [None])
    scores_in = tf.placeholder(tf.float32, [None])
    auc, update = metrics.auc_using_histogram(labels_in, scores_in, [0.0, 1.0], nbins=1000)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert np.isnan(sess.run(auc))  # Nothing seen yet.
        for half in (slice(0, 200), slice(200, 400)):
            sess.run(update, {labels_in: labels[half], scores_in: scores[half]})
        got = sess.run(auc)
    expected = np_pairwise_auc(scores, labels.astype(np.int64), np.ones(400))
    assert got == pytest.approx(expected, abs=2e-3)  # Bins of 0.001 blur a few pairs.


def test_auc_using_histogram_two_bins_by_hand(graph):
    # Negatives all in the low bin, positives split: the high-bin positive beats every
    # negative, the low-bin positive ties with them (half): AUC = (1 + 0.5) / 2.
    auc, update = metrics.auc_using_histogram(
        [True, True, False, False], [0.9, 0.1, 0.2, 0.3], [0.0, 1.0], nbins=2
    )
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert sess.run(auc) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: metrics.streaming_dynamic_auc([1, 0], [0.5, 0.2], curve="ROCK"),
            ValueError,
            "streaming_dynamic_auc: curve must be either ROC or PR, ROCK unknown",
        ),
        (
            lambda: metrics.streaming_dynamic_auc(tf.zeros([6]), tf.ones([5])),
            ValueError,
            r"streaming_dynamic_auc: `labels` must have the shape of `predictions`: "
            r"Shapes \(6,\) and \(5,\) are incompatible",
        ),
        (
            lambda: metrics.auc_with_confidence_intervals([1, 0], [0.5, 0.2], alpha=1.0),
            ValueError,
            r"auc_with_confidence_intervals: alpha must be between 0 and 1 \(exclusive\), got 1.0",
        ),
        (
            lambda: metrics.auc_with_confidence_intervals([1, 0], [0.5, 0.2], alpha="95%"),
            TypeError,
            r"auc_with_confidence_intervals: `alpha` must be a number in \(0, 1\), got '95%'",
        ),
        (
            lambda: metrics.auc_using_histogram([1, 0], [0.5, 0.2], [0.0, 1.0]),
            ValueError,
            "auc_using_histogram: `boolean_labels` must have dtype bool, got int32",
        ),
        (
            lambda: metrics.auc_using_histogram([[True]], [[0.5]], [0.0, 1.0]),
            ValueError,
            "auc_using_histogram: `boolean_labels`",
        ),
        (
            lambda: metrics.auc_using_histogram([True], [0.5], [0.0, 1.0], nbins=0),
            ValueError,
            "auc_using_histogram: `nbins` must be >= 1, got 0",
        ),
    ],
    ids=["curve", "shapes", "alpha_range", "alpha_type", "labels_dtype", "rank", "nbins"],
)
def test_auc_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_auc_with_confidence_intervals_judges_all_data_seen(graph):
    # The second batch has only positives; everything seen so far still has both
    # classes, so the AUC stays defined (TF-Slim judged only the current batch).
    labels = tf.placeholder(tf.int64, [2])
    scores = tf.placeholder(tf.float32, [2])
    result, update = metrics.auc_with_confidence_intervals(labels, scores)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {labels: [0, 1], scores: [0.2, 0.7]})
        sess.run(update, {labels: [1, 1], scores: [0.1, 0.9]})
        # Positives 0.7, 0.1, 0.9 against the negative 0.2: 2 of 3 pairs won.
        assert sess.run(result.auc) == pytest.approx(2 / 3, rel=1e-6)
