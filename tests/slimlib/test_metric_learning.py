"""slim.losses.metric_learning against hand-worked values and brute-force NumPy loops.

The NumPy references follow each loss's definition pair by pair (no vectorised tricks), so
they check the vectorised graph independently.
"""

import doctest
import itertools

import numpy as np
import pytest
import tensorflow as tf2
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib._src.metric_learning as metric_learning_module

ml = slim.losses.metric_learning
RNG = np.random.default_rng(0)
EMBEDDINGS = RNG.random((8, 3)).astype(np.float32)
LABELS = np.array([0, 1, 0, 2, 1, 0, 2, 1], np.int32)


def distances_np(x, squared=False):
    d = np.array([[np.sum((a - b) ** 2) for b in x] for a in x])
    return d if squared else np.sqrt(d)


def positive_pairs(labels):
    n = len(labels)
    return [(i, j) for i, j in itertools.product(range(n), range(n)) if i != j and labels[i] == labels[j]]  # fmt: skip


def triplet_np(labels, x, margin):
    d = distances_np(x, squared=True)
    total = 0.0
    pairs = positive_pairs(labels)
    for a, p in pairs:
        negatives = sorted(d[a, k] for k in range(len(labels)) if labels[k] != labels[a])
        farther = [value for value in negatives if value > d[a, p]]
        negative = farther[0] if farther else negatives[-1]
        total += max(margin + d[a, p] - negative, 0.0)
    return total / len(pairs)


def lifted_np(labels, x, margin):
    d = distances_np(x)
    total = 0.0
    pairs = positive_pairs(labels)
    for i, j in pairs:
        gaps = [margin - d[i, k] for k in range(len(labels)) if labels[k] != labels[i]]
        gaps += [margin - d[j, k] for k in range(len(labels)) if labels[k] != labels[j]]
        j_ij = np.log(np.sum(np.exp(gaps))) + d[i, j]
        total += max(j_ij, 0.0) ** 2
    return total / (2 * len(pairs))


def npairs_np(targets, anchor, positive, reg_lambda):
    logits = anchor @ positive.T
    targets = targets / targets.sum(axis=1, keepdims=True)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    xent = -(targets * log_softmax).sum(axis=1).mean()
    l2 = 0.25 * reg_lambda * ((anchor**2).sum(1).mean() + (positive**2).sum(1).mean())
    return xent + l2


def test_pairwise_distance_is_the_euclidean_distance():
    np.testing.assert_allclose(ml.pairwise_distance(EMBEDDINGS), distances_np(EMBEDDINGS), 1e-5)
    squared = ml.pairwise_distance(EMBEDDINGS, squared=True)
    np.testing.assert_allclose(squared, distances_np(EMBEDDINGS, squared=True), 1e-5, 1e-6)


def test_pairwise_distance_of_equal_points_is_zero_with_finite_gradients():
    x = tf2.Variable([[1.0, 2.0], [1.0, 2.0]])
    with tf2.GradientTape() as tape:
        distances = ml.pairwise_distance(x)
        total = tf2.reduce_sum(distances)
    assert distances.numpy().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert np.all(np.isfinite(tape.gradient(total, x)))


def test_contrastive_loss_by_hand():
    # Distances 1 (same class: 1**2) and 0.5 (different: (2 - 0.5)**2); mean (1 + 2.25) / 2.
    anchor = np.zeros((2, 2), np.float32)
    other = np.array([[0.6, 0.8], [0.3, 0.4]], np.float32)
    loss = ml.contrastive_loss(np.array([1.0, 0.0]), anchor, other, margin=2.0)
    assert float(loss) == pytest.approx(1.625)


def test_triplet_semihard_loss_by_hand():
    # 1-D points: a0 = 0, a1 = 1 (label 0), b = 3 (label 1); squared distances 1, 9, 4.
    # Pair (a0, a1): negative b is farther (9 > 1): max(1 + 1 - 9, 0) = 0.
    # Pair (a1, a0): negative b at 4 > 1: max(1 + 1 - 4, 0) = 0. Margin 10: 2 and 7 -> 4.5.
    x = np.array([[0.0], [1.0], [3.0]], np.float32)
    labels = np.array([0, 0, 1])
    assert float(ml.triplet_semihard_loss(labels, x, margin=1.0)) == 0.0
    assert float(ml.triplet_semihard_loss(labels, x, margin=10.0)) == pytest.approx(4.5)


@pytest.mark.parametrize("margin", [0.1, 1.0], ids=["small-margin", "unit-margin"])
def test_triplet_semihard_loss_matches_numpy(margin):
    loss = ml.triplet_semihard_loss(LABELS, EMBEDDINGS, margin=margin)
    assert float(loss) == pytest.approx(triplet_np(LABELS, EMBEDDINGS, margin), rel=1e-5)


def test_triplet_semihard_loss_without_semi_hard_negatives_takes_the_farthest():
    # Anchor 0 and positive 1 at squared distance 4; the negatives (at 1 and 0.25) are
    # nearer, so the farthest one (1) is used: max(1 + 4 - 1, 0) = 4 for both directions.
    x = np.array([[0.0], [2.0], [1.0], [0.5]], np.float32)
    labels = np.array([0, 0, 1, 1])
    expected = triplet_np(labels, x, 1.0)
    assert float(ml.triplet_semihard_loss(labels, x)) == pytest.approx(expected)


def test_lifted_struct_loss_matches_numpy():
    loss = ml.lifted_struct_loss(LABELS, EMBEDDINGS, margin=1.0)
    assert float(loss) == pytest.approx(lifted_np(LABELS, EMBEDDINGS, 1.0), rel=1e-5)


def test_losses_of_a_batch_without_pairs_are_zero_with_finite_gradients():
    x = tf2.Variable(EMBEDDINGS[:3])
    for fn, labels in [
        (ml.triplet_semihard_loss, [0, 1, 2]),  # no positive pair
        (ml.lifted_struct_loss, [0, 1, 2]),
        (ml.lifted_struct_loss, [0, 0, 0]),  # no negative
    ]:
        with tf2.GradientTape() as tape:
            loss = fn(np.array(labels), x)
        assert np.isfinite(float(loss)), fn.__name__
        assert np.all(np.isfinite(tape.gradient(loss, x))), fn.__name__
    assert float(ml.triplet_semihard_loss(np.array([0, 1, 2]), x)) == 0.0


def test_npairs_loss_matches_numpy():
    anchor, positive = EMBEDDINGS, RNG.random((8, 3)).astype(np.float32)
    targets = (LABELS[:, None] == LABELS[None, :]).astype(np.float64)
    loss = ml.npairs_loss(LABELS, anchor, positive, reg_lambda=0.02)
    assert float(loss) == pytest.approx(npairs_np(targets, anchor, positive, 0.02), rel=1e-5)


def sparse_rows(matrix):
    return [
        tf2.sparse.SparseTensor(np.argwhere(row)[:, :1], np.ones(int(row.sum())), [len(row)])
        for row in matrix
    ]


def test_npairs_loss_multilabel_weighs_shared_labels():
    anchor, positive = EMBEDDINGS[:4], RNG.random((4, 3)).astype(np.float32)
    labels = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]])
    shared = (labels @ labels.T).astype(np.float64)  # e.g. rows 0 and 3 share 2 labels
    loss = ml.npairs_loss_multilabel(sparse_rows(labels), anchor, positive, reg_lambda=0.02)
    assert float(loss) == pytest.approx(npairs_np(shared, anchor, positive, 0.02), rel=1e-5)


def test_npairs_loss_multilabel_with_one_label_each_is_npairs_loss():
    labels = np.array([0, 2, 1, 2])
    one_hot = np.eye(3)[labels]
    anchor, positive = EMBEDDINGS[:4], EMBEDDINGS[4:]
    single = ml.npairs_loss(labels, anchor, positive)
    multi = ml.npairs_loss_multilabel(sparse_rows(one_hot), anchor, positive)
    assert float(multi) == pytest.approx(float(single), rel=1e-6)


def test_npairs_loss_multilabel_rejects_dense_labels():
    with pytest.raises(TypeError, match="sparse_labels must be a list of SparseTensors"):
        ml.npairs_loss_multilabel([np.ones(3)], EMBEDDINGS[:1], EMBEDDINGS[:1])


def test_masked_extremes_fall_back_to_the_opposite_extreme_of_an_empty_row():
    data = np.array([[1.0, 5.0, 3.0], [2.0, 4.0, 6.0]], np.float32)
    mask = np.array([[1, 0, 1], [0, 0, 0]])
    assert ml.masked_maximum(data, mask).numpy().tolist() == [[3.0], [2.0]]
    assert ml.masked_minimum(data, mask).numpy().tolist() == [[1.0], [6.0]]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ml.triplet_semihard_loss(LABELS[:, None], EMBEDDINGS), r"`labels` must be a 1-D"),
        (lambda: ml.lifted_struct_loss(LABELS, EMBEDDINGS[0]), r"`embeddings` must be a 2-D"),
        (lambda: ml.contrastive_loss([1], [[0.0]], [0.0]), r"`embeddings_positive` must be a 2"),
        (lambda: ml.pairwise_distance([1.0, 2.0]), r"pairwise_distance: `feature` must be a 2-D"),
    ],
    ids=["labels-2d", "embeddings-1d", "positive-1d", "feature-1d"],
)
def test_shapes_are_checked(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_losses_build_in_a_graph_and_stay_out_of_the_losses_collection(graph):
    loss = slim.losses.triplet_semihard_loss(tf.constant(LABELS), tf.constant(EMBEDDINGS))
    assert tf.get_collection(tf.GraphKeys.LOSSES) == []
    with tf.Session() as sess:
        assert sess.run(loss) == pytest.approx(triplet_np(LABELS, EMBEDDINGS, 1.0), rel=1e-5)


def test_docstring_examples_run():
    assert doctest.testmod(metric_learning_module).failed == 0
