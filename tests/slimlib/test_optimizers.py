"""slim.layers.optimizers: optimize_loss and adaptive_clipping_fn, with values checked by hand."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib.layers import optimizers


def model():
    """`loss = |var * x|`, var = 10: d loss / d var = |x| for x > 0."""
    x = tf.placeholder(tf.float32, [])
    var = tf.get_variable("test", [], initializer=tf.constant_initializer(10.0))
    return x, var, tf.abs(var * x), tf.train.create_global_step()


def run_step(train, var, step, feed):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        loss = sess.run(train, feed)
        return loss, sess.run(var), sess.run(step)


@pytest.mark.parametrize(
    "optimizer",
    ["SGD", tf.train.GradientDescentOptimizer, lambda lr: tf.train.GradientDescentOptimizer(lr)],
    ids=["name", "class", "factory"],
)
def test_optimize_loss_takes_one_sgd_step(graph, optimizer):
    x, var, loss, step = model()
    train = optimizers.optimize_loss(loss, step, learning_rate=0.1, optimizer=optimizer)
    # The loss of this step, |10 * 5| = 50; then var = 10 - 0.1 * 5 and the step counts 1.
    assert run_step(train, var, step, {x: 5.0}) == pytest.approx((50.0, 9.5, 1))


def test_optimize_loss_multiplies_and_clips_gradients(graph):
    x, var, loss, step = model()
    train = optimizers.optimize_loss(
        loss,
        step,
        learning_rate=0.1,
        optimizer="SGD",
        gradient_multipliers={var: 7.0},
        clip_gradients=2.0,
        increment_global_step=False,
    )
    # Gradient 5 * 7 = 35, clipped to norm 2: var = 10 - 0.1 * 2.
    _, value, global_step = run_step(train, var, step, {x: 5.0})
    assert value == pytest.approx(9.8) and global_step == 0


def test_optimize_loss_runs_update_ops_first(graph):
    x, var, loss, step = model()
    counter = tf.get_variable("counter", [], initializer=tf.zeros_initializer(), trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1.0))
    train = optimizers.optimize_loss(loss, step, learning_rate=0.1, optimizer="SGD")
    assert run_step(train, counter, step, {x: 1.0})[1] == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"learning_rate": -0.1}, r"`learning_rate` must be >= 0, got -0.1"),
        ({"optimizer": "Sgd"}, r"Did you mean 'SGD'"),
        ({"summaries": ["los"]}, r"`summaries` must be among .*Did you mean 'loss'"),
        ({"learning_rate": None}, "a `learning_rate` is needed"),
        ({"clip_gradients": 1}, "`clip_gradients` must be a float or a function, got 1"),
        (
            {"global_step": None, "learning_rate_decay_fn": lambda lr, s: lr},
            "global_step is required for learning_rate_decay_fn",
        ),
    ],
    ids=["negative-lr", "name", "summary", "no-lr", "clip", "decay-without-step"],
)
def test_optimize_loss_rejects(graph, kwargs, match):
    x = tf.placeholder(tf.float32, [])
    var = tf.get_variable("test", [], initializer=tf.constant_initializer(10.0))
    args = {"global_step": None, "learning_rate": 0.1, "optimizer": "SGD", **kwargs}
    with pytest.raises(ValueError, match=match):
        optimizers.optimize_loss(tf.abs(var * x), **args)


def test_optimize_loss_rejects_a_non_scalar_loss(graph):
    with pytest.raises(ValueError, match=r"`loss` must be a scalar, got shape \(1, 1\)"):
        optimizers.optimize_loss([[1.0]], None, learning_rate=0.1, optimizer="SGD")


def test_adaptive_clipping_tracks_the_log_norm(graph):
    # A constant gradient of norm 2 * sqrt(12): with decay 0.5 the averages converge to
    # log(norm) and log(norm)**2, and an unexceptional gradient passes unchanged.
    grad = tf.ones([3, 4]) * 2.0
    clipped = optimizers.adaptive_clipping_fn(decay=0.5)([(grad, grad)])
    mean, sq_mean = tf.global_variables()
    assert [mean.op.name, sq_mean.op.name] == ["AdaptiveMaxNorm/mean", "AdaptiveMaxNorm/sq_mean"]
    log_norm = np.log(2.0 * np.sqrt(12.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(30):
            value = sess.run(clipped[0][0])
        np.testing.assert_allclose(sess.run([mean, sq_mean]), [log_norm, log_norm**2], rtol=1e-4)
    np.testing.assert_allclose(value, np.full([3, 4], 2.0), rtol=1e-4)
