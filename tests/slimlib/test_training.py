"""slim.training: the hook-based create_train_op and train.

The model is one variable w = 1 with loss w**2 and plain gradient descent at rate 0.25:
the gradient is 2w, so each step halves w (1 -> 0.5 -> 0.25 -> ...) and a step returns the
loss before its update (1, 0.25, 0.0625, ...).
"""

import doctest

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib._src.training as training_module


def quadratic(learning_rate=0.25, **kwargs):
    """w = 1, loss w**2; returns (w, train_op)."""
    w = tf.get_variable("w", [], initializer=tf.ones_initializer())
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    return w, slim.training.create_train_op(tf.square(w), optimizer, **kwargs)


def train_quietly(train_op, logdir=None, steps=2, **kwargs):
    kwargs.setdefault("save_checkpoint_secs", None)
    kwargs.setdefault("save_summaries_steps", None)
    hooks = [tf.train.StopAtStepHook(num_steps=steps), *kwargs.pop("hooks", [])]
    return slim.training.train(train_op, logdir, hooks=hooks, **kwargs)


def test_create_train_op_transforms_the_gradients(graph):
    # The gradient 2w = 2 is clipped to 1: w = 1 - 0.25 * 1.
    w, train_op = quadratic(transform_grads_fn=slim.training.clip_gradient_norms_fn(1.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(train_op) == 1.0
        assert sess.run(w) == 0.75
        assert sess.run(tf.train.get_global_step()) == 1
    assert any(op is train_op for op in tf.get_collection(tf.GraphKeys.TRAIN_OP))


def test_create_train_op_without_a_global_step_increments_none(graph):
    w, train_op = quadratic(global_step=None)
    step = tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        assert sess.run([w, step]) == [0.5, 0]


def test_create_train_op_rejects_a_transform_that_is_not_callable(graph):
    with pytest.raises(TypeError, match=r"create_train_op: `transform_grads_fn` must be a func"):
        quadratic(transform_grads_fn=1.0)


def test_clip_gradient_norms_fn_clips_each_gradient(graph, run):
    x = tf.get_variable("x", [], initializer=tf.zeros_initializer())
    (grad,) = tf.gradients(x * 4.0, [x])
    clipped = slim.training.clip_gradient_norms_fn(3.0)([(grad, x)])
    assert clipped[0][1] is x
    assert run(clipped[0][0]) == 3.0


def test_train_returns_the_loss_of_the_last_step(graph):
    w, train_op = quadratic()
    assert train_quietly(train_op, steps=2) == 0.25  # the second step starts at w = 0.5


def test_train_uses_the_graph_of_the_train_op():
    with tf.Graph().as_default():
        _, train_op = quadratic()
    assert train_quietly(train_op, steps=3) == 0.0625


def test_train_saves_to_logdir_and_resumes_from_it(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        _, train_op = quadratic()
        train_quietly(train_op, logdir, steps=3, save_checkpoint_secs=600)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-3")
    with tf.Graph().as_default():
        # Restored at w = 1/8 and step 3; two more steps: the last starts at w = 1/16.
        _, train_op = quadratic()
        loss = train_quietly(train_op, logdir, steps=2, save_checkpoint_secs=600)
    assert loss == pytest.approx(1 / 256)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-5")


def test_train_runs_the_scaffold_init_fn_when_nothing_is_restored(graph):
    w, train_op = quadratic()
    assign = w.assign(2.0)  # built before the session finalizes the graph

    def init_fn(scaffold, session):
        session.run(assign)

    scaffold = tf.train.Scaffold(init_fn=init_fn)
    assert train_quietly(train_op, steps=1, scaffold=scaffold) == 4.0


@pytest.mark.parametrize("name", ["save_summaries_steps", "save_checkpoint_secs"])
def test_train_without_logdir_refuses_to_save(graph, name):
    _, train_op = quadratic()
    with pytest.raises(ValueError, match=f"train: logdir cannot be None when {name} is not None"):
        train_quietly(train_op, None, **{name: 10})


def test_train_rejects_what_is_not_a_graph_tensor():
    with pytest.raises(TypeError, match=r"train: `train_op` must be a tensor or op of a graph"):
        slim.training.train(1.0, None, save_checkpoint_secs=None, save_summaries_steps=None)


def test_training_is_tf_slims_module_layout():
    assert slim.train_eval is slim.training.evaluation
    assert slim.training.multiply_gradients is slim.learning.multiply_gradients
    assert slim.training.clip_gradient_norms is slim.learning.clip_gradient_norms


def test_docstring_examples_run():
    assert doctest.testmod(training_module).failed == 0
