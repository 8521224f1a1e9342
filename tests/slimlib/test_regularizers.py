"""Regularizers: goldens against NumPy, zero scales, names, apply_regularization and errors.

W = [[1, -2], [3, -4]]: sum|W| = 10 and sum(W ** 2) = 30, so with scale 0.5
l1 = 5, l2 = 0.5 * 30 / 2 = 7.5 and l1_l2 = 12.5.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

W = np.array([[1.0, -2.0], [3.0, -4.0]], np.float32)
REG_LOSSES = tf.GraphKeys.REGULARIZATION_LOSSES


def numpy_l1(scale, w):
    return scale * np.abs(w).sum()


def numpy_l2(scale, w):
    return scale * np.square(w).sum() / 2


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: slim.l1_regularizer(0.5), 5.0),
        (lambda: slim.l2_regularizer(0.5), 7.5),
        (lambda: slim.l1_l2_regularizer(0.5, 0.5), 12.5),
        (lambda: slim.l1_l2_regularizer(0.0, 0.5), 7.5),
        (lambda: slim.l1_l2_regularizer(0.5, 0.0), 5.0),
        (lambda: slim.l1_l2_regularizer(), 10 + 15),  # Both scales default to 1.
        (
            lambda: slim.sum_regularizer(
                [slim.l1_regularizer(0.5), None, slim.l2_regularizer(0.5)]
            ),
            12.5,
        ),
        (lambda: slim.l2_regularizer(2.0), 30.0),
        (lambda: slim.l2_regularizer(np.float32(0.5)), 7.5),
        (lambda: slim.l2_regularizer(tf.constant(0.5)), 7.5),  # TF-Slim accepts a tensor scale.
    ],
    ids=[
        "l1",
        "l2",
        "l1_l2",
        "l1_l2-no-l1",
        "l1_l2-no-l2",
        "l1_l2-defaults",
        "sum",
        "float-two",
        "numpy",
        "tensor",
    ],
)
def test_golden_values(graph, run, make, expected):
    loss = make()(tf.constant(W))
    assert loss.shape.as_list() == []
    np.testing.assert_allclose(run(loss), expected, rtol=1e-6)


@pytest.mark.parametrize("scale", [0.01, 0.3, 2.5], ids=["small", "mid", "large"])
def test_against_numpy_on_random_weights(graph, run, scale):
    w = np.random.RandomState(0).randn(3, 4, 5).astype(np.float32)
    l1, l2 = slim.l1_regularizer(scale)(tf.constant(w)), slim.l2_regularizer(scale)(tf.constant(w))
    np.testing.assert_allclose(run([l1, l2]), [numpy_l1(scale, w), numpy_l2(scale, w)], rtol=1e-5)


@pytest.mark.parametrize(
    "make",
    [lambda: slim.l1_regularizer(0.0), lambda: slim.l2_regularizer(0.0)],
    ids=["l1", "l2"],
)
def test_zero_scale_gives_no_loss(graph, make):
    assert make()(tf.constant(W)) is None


def test_sum_regularizer_of_nothing(graph):
    assert slim.sum_regularizer([None, None]) is None
    assert slim.sum_regularizer([slim.l1_regularizer(0.0)])(tf.constant(W)) is None


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: slim.l1_regularizer(0.5), "l1_regularizer"),
        (lambda: slim.l2_regularizer(0.5), "l2_regularizer"),
        (lambda: slim.l2_regularizer(0.5, scope="decay"), "decay"),
        (lambda: slim.l1_l2_regularizer(0.5, 0.5), "l1_l2_regularizer"),
        (lambda: slim.sum_regularizer([slim.l1_regularizer(1.0)]), "sum_regularizer"),
    ],
    ids=["l1", "l2", "scope", "l1_l2", "sum"],
)
def test_loss_op_names(graph, make, name):
    assert make()(tf.constant(W)).op.name == name


def test_loss_has_the_dtype_of_the_weights(graph, run):
    loss = slim.l2_regularizer(0.5)(tf.constant(W, tf.float64))
    assert loss.dtype == tf.float64
    assert run(loss) == 7.5


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda: slim.l1_regularizer(-0.1),
            ValueError,
            r"l1_regularizer: `scale` must be >= 0, got -0\.1",
        ),
        (
            lambda: slim.l2_regularizer(-1),
            ValueError,
            r"l2_regularizer: `scale` must be >= 0, got -1",
        ),
        (lambda: slim.l2_regularizer(float("nan")), ValueError, "`scale` must be >= 0, got nan"),
        (
            lambda: slim.l1_regularizer("0.1"),
            TypeError,
            r"`scale` must be a float >= 0, got '0\.1'",
        ),
        (lambda: slim.l2_regularizer(None), TypeError, "`scale` must be a float >= 0, got None"),
        (lambda: slim.l2_regularizer(True), TypeError, "`scale` must be a float >= 0, got True"),
        # TF-Slim refuses an int scale too; zero included.
        (
            lambda: slim.l2_regularizer(0),
            ValueError,
            r"l2_regularizer: `scale` must be a float >= 0, got the int 0; scale cannot be an "
            r"integer \(write 0\.0\)",
        ),
        (
            lambda: slim.l1_l2_regularizer(0.5, 1),
            ValueError,
            "l1_l2_regularizer: `scale_l2` must be a float >= 0, got the int 1",
        ),
        (
            lambda: slim.l1_l2_regularizer(-1.0, 1.0),
            ValueError,
            "l1_l2_regularizer: `scale_l1` must be >= 0, got -1.0",
        ),
        (
            lambda: slim.l1_l2_regularizer(1.0, "x"),
            TypeError,
            "l1_l2_regularizer: `scale_l2` must be a float >= 0, got 'x'",
        ),
    ],
    ids=[
        "l1-negative",
        "l2-negative",
        "nan",
        "string",
        "none",
        "bool",
        "int",
        "l1_l2-int",
        "l1_l2-negative",
        "l1_l2-string",
    ],
)
def test_bad_scales(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_apply_regularization_sums_and_collects(graph, run):
    weights = [tf.constant(W), tf.constant(2 * W)]
    total = slim.apply_regularization(slim.l1_regularizer(0.5), weights)
    assert tf.get_collection(REG_LOSSES) == [total]
    assert total.op.name == "get_regularization_penalty"
    np.testing.assert_allclose(run(total), 5.0 + 10.0)


def test_apply_regularization_uses_the_weights_collection(graph, run):
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, tf.constant(W))
    total = slim.apply_regularization(slim.l2_regularizer(0.5))
    np.testing.assert_allclose(run(total), 7.5)


def test_apply_regularization_counts_a_none_loss_as_zero(graph, run):
    # TF-Slim's rule: a zero-scale regularizer gives 0, not an error.
    total = slim.apply_regularization(slim.l2_regularizer(0.0), [tf.constant(W)])
    assert run(total) == 0.0


@pytest.mark.parametrize(
    "regularizer, weights, exc, match",
    [
        (
            slim.l2_regularizer(0.5),
            None,
            ValueError,
            "`weights_list` must hold at least one tensor",
        ),
        (
            slim.l2_regularizer(0.5),
            [],
            ValueError,
            r"got none \(and the WEIGHTS collection is empty\)",
        ),
        (lambda w: w, [W], ValueError, r"`regularizer` must return a scalar, got shape \(2, 2\)"),
        (0.5, [W], TypeError, r"`regularizer` must be callable, got 0\.5"),
    ],
    ids=["no-weights", "empty-list", "non-scalar", "not-callable"],
)
def test_apply_regularization_errors(graph, regularizer, weights, exc, match):
    weights = None if weights is None else [tf.constant(w) for w in weights]
    with pytest.raises(exc, match=match):
        slim.apply_regularization(regularizer, weights)
