"""`slim.losses`: every loss against a NumPy reference, the LOSSES collection and total loss.

Also runs the code of the TF-Slim README's "Losses" section on tiny tensors.
"""

import inspect

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib import losses, variables  # noqa: F401 - also sets slim.losses, slim.variables
from slimlib._src.arg_scope import arg_scope

RNG = np.random.default_rng(0)
PRED = RNG.uniform(0.05, 0.95, size=(3, 4)).astype(np.float32)
LABELS = RNG.uniform(0.0, 1.0, size=(3, 4)).astype(np.float32)
BINARY = (LABELS > 0.5).astype(np.float32)
ONEHOT = np.eye(4, dtype=np.float32)[[0, 2, 3]]
CLASS_IDS = np.array([0, 2, 3], dtype=np.int64)


def evaluate(*tensors):
    with tf.Session() as sess:
        return sess.run(list(tensors)) if len(tensors) > 1 else sess.run(tensors[0])


def np_weighted_mean(elementwise, weights):
    """TF-Slim's weighted mean: sum(w * loss) / (number of elements with a non-zero weight)."""
    w = np.asarray(weights, np.float32)
    if w.ndim > 1 and w.shape[-1] == 1:
        w = w[..., 0]
    w = np.broadcast_to(w.reshape(w.shape + (1,) * (elementwise.ndim - w.ndim)), elementwise.shape)
    present = np.count_nonzero(w)
    return 0.0 if present == 0 else float(np.sum(w * elementwise) / present)


def np_log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def np_sigmoid_xent(logits, labels):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


# Weights of every accepted form for elementwise losses of shape [3, 4].
WEIGHTS_FULL = [
    (1.0, "scalar_one"),
    (2.5, "scalar"),
    (0.0, "scalar_zero"),
    ([1.0, 0.0, 2.0], "per_example"),
    ([[1.0], [0.0], [2.0]], "per_example_column"),
    (RNG.choice([0.0, 0.5, 2.0], size=(3, 4)).astype(np.float32), "full_shape"),
    ([[1.0, 0.0, 2.0, 1.0]], "broadcast_row"),
]
# Weights for losses that are per example ([3]).
WEIGHTS_PER_EXAMPLE = [
    (1.0, "scalar_one"),
    (3.0, "scalar"),
    ([1.0, 0.0, 2.0], "per_example"),
    ([[2.0], [1.0], [0.0]], "per_example_column"),
    ([0.0, 0.0, 0.0], "all_zero"),
]


@pytest.mark.parametrize("weights", [w for w, _ in WEIGHTS_FULL], ids=[i for _, i in WEIGHTS_FULL])
@pytest.mark.parametrize(
    "loss_fn, reference",
    [
        (losses.absolute_difference, lambda p, y: np.abs(p - y)),
        (losses.mean_squared_error, lambda p, y: (p - y) ** 2),
        (losses.sum_of_squares, lambda p, y: (p - y) ** 2),
        (
            losses.log_loss,
            lambda p, y: -y * np.log(p + 1e-7) - (1 - y) * np.log(1 - p + 1e-7),
        ),
        (losses.compute_weighted_loss, lambda p, y: p),
    ],
    ids=["absolute_difference", "mean_squared_error", "sum_of_squares", "log_loss", "weighted"],
)
def test_elementwise_losses_match_numpy(graph, loss_fn, reference, weights):
    if loss_fn is losses.compute_weighted_loss:
        loss = loss_fn(PRED, weights=weights)
    else:
        loss = loss_fn(PRED, LABELS, weights=weights)
    expected = np_weighted_mean(reference(PRED, LABELS), weights)
    assert loss.shape == []
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-5, atol=1e-7)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]


@pytest.mark.parametrize("weights", [w for w, _ in WEIGHTS_FULL], ids=[i for _, i in WEIGHTS_FULL])
@pytest.mark.parametrize("smoothing", [0, 0.2], ids=["plain", "smoothed"])
def test_sigmoid_cross_entropy_matches_numpy(graph, weights, smoothing):
    logits = 4 * PRED - 2
    loss = losses.sigmoid_cross_entropy(logits, BINARY, weights=weights, label_smoothing=smoothing)
    targets = BINARY * (1 - smoothing) + 0.5 * smoothing
    expected = np_weighted_mean(np_sigmoid_xent(logits, targets), weights)
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "weights", [w for w, _ in WEIGHTS_PER_EXAMPLE], ids=[i for _, i in WEIGHTS_PER_EXAMPLE]
)
@pytest.mark.parametrize("smoothing", [0, 0.1], ids=["plain", "smoothed"])
def test_softmax_cross_entropy_matches_numpy(graph, weights, smoothing):
    logits = 3 * PRED
    loss = losses.softmax_cross_entropy(logits, ONEHOT, weights=weights, label_smoothing=smoothing)
    targets = ONEHOT * (1 - smoothing) + smoothing / 4
    expected = np_weighted_mean(-(targets * np_log_softmax(logits)).sum(-1), weights)
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "weights", [w for w, _ in WEIGHTS_PER_EXAMPLE], ids=[i for _, i in WEIGHTS_PER_EXAMPLE]
)
@pytest.mark.parametrize(
    "labels", [CLASS_IDS, CLASS_IDS.reshape(3, 1).astype(np.int32)], ids=["vector", "column"]
)
def test_sparse_softmax_cross_entropy_matches_numpy(graph, weights, labels):
    logits = 3 * PRED
    loss = losses.sparse_softmax_cross_entropy(logits, labels, weights=weights)
    per_example = -np_log_softmax(logits)[np.arange(3), CLASS_IDS]
    np.testing.assert_allclose(evaluate(loss), np_weighted_mean(per_example, weights), rtol=1e-5)


@pytest.mark.parametrize(
    "weights", [1.0, [1.0, 0.0, 2.0], [[0.5, 1.0]] * 3], ids=["scalar", "per_example", "full"]
)
def test_cosine_distance_matches_numpy(graph, weights):
    unit_p = PRED[:, :2] / np.linalg.norm(PRED[:, :2], axis=1, keepdims=True)
    unit_y = LABELS[:, :2] / np.linalg.norm(LABELS[:, :2], axis=1, keepdims=True)
    weights_for_rows = np.asarray(weights, np.float32)
    if weights_for_rows.ndim == 2:  # Weights for the losses [3] after reducing axis 1.
        weights = weights_for_rows = [[0.5], [1.0], [0.5]]
    loss = losses.cosine_distance(unit_p, unit_y, axis=1, weights=weights)
    expected = np_weighted_mean(1 - (unit_p * unit_y).sum(1), weights_for_rows)
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-5)


def test_cosine_distance_accepts_the_old_dim_name(graph):
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    loss = losses.cosine_distance(vectors, vectors[::-1], dim=1)
    np.testing.assert_allclose(evaluate(loss), 1.0)


@pytest.mark.parametrize("weights", [1.0, 2.0, [1.0, 0.0, 3.0], [[2.0], [1.0], [1.0]], 0.0])
def test_mean_pairwise_squared_error_matches_numpy(graph, weights):
    loss = losses.mean_pairwise_squared_error(PRED, LABELS, weights=weights)
    diffs = PRED - LABELS
    # Mean over all ordered pairs (i, j) of one example, summed over weighted examples.
    per_example = np.array([np.mean((d[:, None] - d[None, :]) ** 2) for d in diffs])
    w = np.broadcast_to(np.asarray(weights, np.float32).reshape(-1), [3])
    np.testing.assert_allclose(evaluate(loss), np.sum(w * per_example), rtol=1e-5, atol=1e-7)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]


def test_hinge_loss_is_elementwise_and_not_collected(graph):
    logits = np.array([[2.0, -0.5], [0.3, -3.0]], np.float32)
    labels = np.array([[1.0, 1.0], [0.0, 0.0]], np.float32)
    loss = losses.hinge_loss(logits, labels)
    np.testing.assert_allclose(evaluate(loss), [[0.0, 1.5], [1.3, 0.0]], rtol=1e-6)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == []


def test_losses_keep_the_dtype_of_their_input(graph):
    logits = tf.constant(3 * PRED, tf.float64)
    loss = losses.softmax_cross_entropy(logits, ONEHOT)
    assert loss.dtype == tf.float64
    assert losses.compute_weighted_loss(tf.constant(PRED, tf.float16)).dtype == tf.float16


def test_softmax_cross_entropy_has_no_gradient_into_labels(graph):
    labels = tf.constant(ONEHOT)
    loss = losses.softmax_cross_entropy(tf.constant(PRED), labels, label_smoothing=0.1)
    assert tf.gradients(loss, labels) == [None]


@pytest.mark.parametrize(
    "loss_fn",
    [
        lambda logits, weights: losses.softmax_cross_entropy(logits, [[1, 0]] * 3, weights),
        lambda logits, weights: losses.sparse_softmax_cross_entropy(logits, [0, 1, 0], weights),
    ],
    ids=["softmax", "sparse"],
)
def test_cross_entropy_takes_weights_of_unknown_shape(graph, loss_fn):
    # Equal logits: every example costs ln 2; weights 1, 2, 3 give (1 + 2 + 3) ln 2 / 3.
    weights = tf.placeholder(tf.float32, [None, None])
    loss = loss_fn(tf.zeros([3, 2]), weights)
    with tf.Session() as sess:
        value = sess.run(loss, {weights: [[1.0], [2.0], [3.0]]})
        assert value == pytest.approx(2 * np.log(2))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"must be fed as \[batch, 1\]"):
            sess.run(loss, {weights: [[1.0, 1.0]] * 3})


def test_loss_names_follow_their_scopes(graph):
    a = losses.absolute_difference(PRED, LABELS)
    b = losses.softmax_cross_entropy(PRED, ONEHOT, scope="xent")
    c = losses.sum_of_squares(PRED, LABELS)
    assert [a.op.name, b.op.name, c.op.name] == [
        "absolute_difference/value",
        "xent/value",
        "sum_of_squares_loss/value",
    ]
    assert losses.get_losses() == [a, b, c]
    assert losses.get_losses(scope="xent") == [b]


def test_add_loss_and_get_losses_with_a_custom_collection(graph):
    custom = tf.constant(2.0)
    losses.add_loss(custom)
    losses.add_loss(tf.constant(5.0), loss_collection="my_losses")
    losses.add_loss(tf.constant(7.0), loss_collection=None)
    assert losses.get_losses() == [custom]
    assert evaluate(losses.get_losses(loss_collection="my_losses")[0]) == 5.0


def test_add_loss_takes_its_collection_from_arg_scope(graph):
    with arg_scope([losses.add_loss], loss_collection="scoped"):
        loss = losses.absolute_difference(PRED, LABELS)
    assert tf.get_collection("scoped") == [loss]
    assert losses.get_losses() == []


def test_losses_with_an_unknown_batch_size(graph):
    logits = tf.placeholder(tf.float32, [None, 4])
    onehot = tf.placeholder(tf.float32, [None, 4])
    weights = tf.placeholder(tf.float32, [None])
    xent = losses.softmax_cross_entropy(logits, onehot, weights=weights, label_smoothing=0.1)
    pairwise = losses.mean_pairwise_squared_error(logits, onehot, weights=weights)
    w = np.array([1.0, 0.0, 2.0], np.float32)
    with tf.Session() as sess:
        got = sess.run([xent, pairwise], {logits: PRED, onehot: ONEHOT, weights: w})
    targets = ONEHOT * 0.9 + 0.1 / 4
    expected = np_weighted_mean(-(targets * np_log_softmax(PRED)).sum(-1), w)
    diffs = PRED - ONEHOT
    pair_means = [np.mean((d[:, None] - d[None, :]) ** 2) for d in diffs]
    np.testing.assert_allclose(got, [expected, np.sum(w * pair_means)], rtol=1e-5)


def test_get_total_loss_with_and_without_regularization(graph):
    losses.absolute_difference(PRED, LABELS)
    losses.add_loss(tf.constant(1.0))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.25, name="reg"))
    total = losses.get_total_loss()
    without = losses.get_total_loss(add_regularization_losses=False, name="data_loss")
    assert total.op.name == "total_loss"
    assert without.op.name == "data_loss"
    assert [v.op.name for v in losses.get_regularization_losses()] == ["reg"]
    expected = float(np.mean(np.abs(PRED - LABELS))) + 1.0
    np.testing.assert_allclose(evaluate(total, without), [expected + 0.25, expected], rtol=1e-6)


def test_get_total_loss_may_be_only_regularization(graph):
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    assert evaluate(losses.get_total_loss()) == 0.5


@pytest.mark.parametrize("add_reg", [True, False], ids=["with_reg", "without_reg"])
def test_get_total_loss_without_losses_raises(graph, add_reg):
    if not add_reg:  # A regularization loss alone does not count then.
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    with pytest.raises(ValueError, match="get_total_loss: there must be at least one loss"):
        losses.get_total_loss(add_regularization_losses=add_reg)


# --- README "Losses" section, with tiny tensors in place of the networks. --------------------


def test_readme_single_classification_loss(graph):
    predictions = tf.constant(3 * PRED)
    labels = tf.constant(ONEHOT)
    loss = slim.losses.softmax_cross_entropy(predictions, labels)
    assert slim.losses.get_losses() == [loss]
    expected = -(ONEHOT * np_log_softmax(3 * PRED)).sum(-1).mean()
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-5)


def test_readme_multi_task_total_loss(graph):
    scene_predictions, scene_labels = tf.constant(3 * PRED), tf.constant(ONEHOT)
    depth_predictions, depth_labels = tf.constant(PRED), tf.constant(LABELS)
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(10.0))

    classification_loss = slim.losses.softmax_cross_entropy(scene_predictions, scene_labels)
    sum_of_squares_loss = slim.losses.sum_of_squares(depth_predictions, depth_labels)

    # The following two lines have the same effect:
    total_loss_a = classification_loss + sum_of_squares_loss
    total_loss_b = slim.losses.get_total_loss(add_regularization_losses=False)
    a, b, mse = evaluate(total_loss_a, total_loss_b, sum_of_squares_loss)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(mse, np.mean((PRED - LABELS) ** 2), rtol=1e-6)


def test_readme_custom_loss_and_regularization(graph):
    scene_predictions, scene_labels = tf.constant(3 * PRED), tf.constant(ONEHOT)
    depth_predictions, depth_labels = tf.constant(PRED), tf.constant(LABELS)
    pose_predictions, pose_labels = tf.constant([0.5, 1.5]), tf.constant([1.0, 1.0])
    weights = slim.variables.model_variable(
        "weights",
        shape=[2],
        initializer=tf.ones_initializer(),
        regularizer=lambda w: tf.multiply(0.1, tf.reduce_sum(w), name="l1"),
    )

    def my_custom_loss_function(predictions, labels):
        return tf.reduce_sum(tf.abs(predictions - labels) * weights)

    classification_loss = slim.losses.softmax_cross_entropy(scene_predictions, scene_labels)
    sum_of_squares_loss = slim.losses.sum_of_squares(depth_predictions, depth_labels)
    pose_loss = my_custom_loss_function(pose_predictions, pose_labels)
    slim.losses.add_loss(pose_loss)  # Letting TF-Slim know about the additional loss.

    # The following two ways to compute the total loss are equivalent:
    regularization_loss = tf.add_n(slim.losses.get_regularization_losses())
    total_loss1 = classification_loss + sum_of_squares_loss + pose_loss + regularization_loss

    # (Regularization Loss is included in the total loss by default).
    total_loss2 = slim.losses.get_total_loss()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        one, two, reg, pose = sess.run([total_loss1, total_loss2, regularization_loss, pose_loss])
    np.testing.assert_allclose(one, two, rtol=1e-6)
    np.testing.assert_allclose([reg, pose], [0.2, 1.0], rtol=1e-6)


# --- Errors. -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: losses.softmax_cross_entropy(PRED, ONEHOT[:, :3]),
            ValueError,
            r"softmax_cross_entropy: `onehot_labels` must have shape \[3, 4\] \(the shape of "
            r"`logits`\), got \[3, 3\]",
        ),
        (
            lambda: losses.sigmoid_cross_entropy(PRED, BINARY[:2]),
            ValueError,
            r"sigmoid_cross_entropy: `multi_class_labels` must have shape \[3, 4\]",
        ),
        (
            lambda: losses.absolute_difference(PRED, LABELS.T),
            ValueError,
            r"absolute_difference: `labels` must have shape \[3, 4\] .*got \[4, 3\]",
        ),
        (
            lambda: losses.mean_squared_error(PRED),
            ValueError,
            "mean_squared_error: `labels` must be a tensor, got None",
        ),
        (
            lambda: losses.softmax_cross_entropy(PRED, ONEHOT, label_smoothing=1.5),
            ValueError,
            r"softmax_cross_entropy: `label_smoothing` must be in \[0, 1\], got 1.5",
        ),
        (
            lambda: losses.sigmoid_cross_entropy(PRED, BINARY, label_smoothing=-0.1),
            ValueError,
            r"sigmoid_cross_entropy: `label_smoothing` must be in \[0, 1\], got -0.1",
        ),
        (
            lambda: losses.softmax_cross_entropy(PRED, ONEHOT, label_smoothing="0.1"),
            TypeError,
            "`label_smoothing` must be a number in",
        ),
        (
            lambda: losses.log_loss(PRED, LABELS, weights=None),
            ValueError,
            "log_loss: `weights` must be a number or a tensor, got None",
        ),
        (
            lambda: losses.absolute_difference(PRED, LABELS, weights=[1.0, 2.0]),
            ValueError,
            r"absolute_difference: `weights` must be a scalar, `\[batch\]`, `\[batch, 1\]` or a "
            r"prefix of the losses' shape \[3, 4\] .*got \[2\]",
        ),
        (
            lambda: losses.softmax_cross_entropy(PRED, ONEHOT, weights=np.ones((3, 4))),
            ValueError,
            r"softmax_cross_entropy: `weights` must be .* losses' shape \[3\].*got \[3, 4\]",
        ),
        (
            lambda: losses.sparse_softmax_cross_entropy(PRED, ONEHOT),
            TypeError,
            "sparse_softmax_cross_entropy: `labels` must be an integer tensor of class indices",
        ),
        (
            lambda: losses.sparse_softmax_cross_entropy(PRED, CLASS_IDS[:2]),
            ValueError,
            r"sparse_softmax_cross_entropy: `labels` must have shape \[3\] or \[3, 1\] .*got \[2\]",
        ),
        (
            lambda: losses.sparse_softmax_cross_entropy(PRED[0], CLASS_IDS),
            ValueError,
            r"`logits` must have shape \[batch, num_classes\], got \[4\]",
        ),
        (
            lambda: losses.cosine_distance(PRED, LABELS),
            ValueError,
            "cosine_distance: `axis` must be the dimension of the vectors, got None",
        ),
        (
            lambda: losses.cosine_distance(PRED, LABELS, axis=1, dim=0),
            ValueError,
            "`axis` and its old name `dim` must agree",
        ),
        (
            lambda: losses.mean_pairwise_squared_error(PRED, LABELS, weights=np.ones((3, 4))),
            ValueError,
            r"mean_pairwise_squared_error: `weights` must be a scalar, `\[batch\]` or "
            r"`\[batch, 1\]` with batch 3, got \[3, 4\]",
        ),
        (
            lambda: losses.mean_pairwise_squared_error(1.0, 2.0),
            ValueError,
            r"`predictions` must have shape \[batch, \.\.\.\], got \[\]",
        ),
    ],
    ids=[
        "softmax_shape",
        "sigmoid_shape",
        "labels_shape",
        "labels_none",
        "smoothing_high",
        "smoothing_negative",
        "smoothing_type",
        "weights_none",
        "weights_shape",
        "weights_full_for_per_example",
        "sparse_float_labels",
        "sparse_labels_batch",
        "sparse_logits_rank",
        "cosine_no_axis",
        "cosine_axis_dim",
        "pairwise_weights",
        "pairwise_scalar",
    ],
)
def test_loss_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()
    assert tf.get_collection(tf.GraphKeys.LOSSES) == []


def test_collecting_losses_refuse_eager_mode():
    with pytest.raises(RuntimeError, match="absolute_difference: slimlib builds graphs"):
        losses.absolute_difference(PRED, LABELS)


def signature(fn):
    return ", ".join(
        p.name if p.default is p.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(fn).parameters.values()
    )


_PRED_LOSS = "predictions, labels=None, weights=1.0, scope=None"
# TF-Slim's signatures (tf_slim/losses/loss_ops.py): names, order and defaults.
TF_SLIM_SIGNATURES = {
    "absolute_difference": _PRED_LOSS,
    "add_loss": "loss, loss_collection='losses'",
    "compute_weighted_loss": "losses, weights=1.0, scope=None",
    "cosine_distance": "predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None",
    "get_losses": "scope=None, loss_collection='losses'",
    "get_regularization_losses": "scope=None",
    "get_total_loss": "add_regularization_losses=True, name='total_loss'",
    "hinge_loss": "logits, labels=None, scope=None",
    "log_loss": "predictions, labels=None, weights=1.0, epsilon=1e-07, scope=None",
    "mean_pairwise_squared_error": _PRED_LOSS,
    "mean_squared_error": _PRED_LOSS,
    "sigmoid_cross_entropy": (
        "logits, multi_class_labels, weights=1.0, label_smoothing=0, scope=None"
    ),
    "softmax_cross_entropy": "logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None",
    "sparse_softmax_cross_entropy": "logits, labels, weights=1.0, scope=None",
    "sum_of_squares": _PRED_LOSS,  # The README's name; TF-Slim itself lacked it.
    # tf_slim/losses/metric_learning.py, also exported by tf_slim.losses.
    "contrastive_loss": "labels, embeddings_anchor, embeddings_positive, margin=1.0",
    "triplet_semihard_loss": "labels, embeddings, margin=1.0",
    "lifted_struct_loss": "labels, embeddings, margin=1.0",
    "npairs_loss": (
        "labels, embeddings_anchor, embeddings_positive, reg_lambda=0.002, print_losses=False"
    ),
    "npairs_loss_multilabel": (
        "sparse_labels, embeddings_anchor, embeddings_positive, reg_lambda=0.002, "
        "print_losses=False"
    ),
}
# The helpers only tf_slim.losses.metric_learning exports.
TF_SLIM_METRIC_LEARNING_HELPERS = {
    "pairwise_distance": "feature, squared=False",
    "masked_maximum": "data, mask, dim=1",
    "masked_minimum": "data, mask, dim=1",
}


def test_public_names_are_exactly_the_table():
    assert sorted(losses.__all__) == sorted([*TF_SLIM_SIGNATURES, "metric_learning"])
    metric_learning_losses = ["contrastive_loss", "lifted_struct_loss", "npairs_loss",
                              "npairs_loss_multilabel", "triplet_semihard_loss"]  # fmt: skip
    assert sorted(losses.metric_learning.__all__) == sorted(
        [*TF_SLIM_METRIC_LEARNING_HELPERS, *metric_learning_losses]
    )
    for name in metric_learning_losses:
        assert getattr(losses, name) is getattr(losses.metric_learning, name)


@pytest.mark.parametrize("name", sorted(TF_SLIM_METRIC_LEARNING_HELPERS))
def test_metric_learning_helper_signature_matches_tf_slim(name):
    fn = getattr(losses.metric_learning, name)
    assert signature(fn) == TF_SLIM_METRIC_LEARNING_HELPERS[name]


@pytest.mark.parametrize("name", sorted(TF_SLIM_SIGNATURES))
def test_signature_matches_tf_slim(name):
    assert signature(getattr(losses, name)) == TF_SLIM_SIGNATURES[name]
