"""slim.layers.rev_block_lib: reversible blocks invert exactly, and the memory-saving
gradients (rebuilt activations, recomputed functions) equal the ordinary ones."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib.layers import rev_block_lib

RNG = np.random.default_rng(5)
X = RNG.normal(size=(3, 4)).astype(np.float32)


def dense(x):
    w = tf.get_variable("w", [2, 2], initializer=tf.constant_initializer([[1.0, 0.5], [-0.5, 2.0]]))
    return tf.tanh(tf.matmul(x, w))


def test_rev_block_forward_then_backward_gives_the_inputs(graph, run):
    x1, x2 = tf.split(tf.constant(X), 2, axis=1)
    block = rev_block_lib.RevBlock(dense, dense, num_layers=3)
    y1, y2 = block.forward(x1, x2)
    back = block.backward(y1, y2)
    names = [v.op.name for v in tf.global_variables()]
    assert names[:2] == ["revblock/revlayer_0/f/w", "revblock/revlayer_0/g/w"] and len(names) == 6
    got_y, got_back = run([tf.concat([y1, y2], 1), tf.concat(back, 1)])
    np.testing.assert_allclose(got_back, X, atol=1e-5)
    # One layer by hand: y1 = x1 + f(x2), y2 = x2 + g(y1), with every w the same.
    w = np.array([[1.0, 0.5], [-0.5, 2.0]], np.float32)
    a, b = X[:, :2], X[:, 2:]
    for _ in range(3):
        a = a + np.tanh(b @ w)
        b = b + np.tanh(a @ w)
    np.testing.assert_allclose(got_y, np.concatenate([a, b], 1), rtol=1e-5)


def test_rev_block_rebuilt_gradients_equal_the_plain_ones(graph, run):
    x = tf.constant(X)
    x1, x2 = tf.split(x, 2, axis=1)
    with tf.variable_scope("rev") as scope:
        y_rev = tf.concat(rev_block_lib.rev_block(x1, x2, dense, dense, num_layers=2), 1)
        variables = scope.trainable_variables()
    with tf.variable_scope(scope, reuse=True):
        y = tf.concat(rev_block_lib.rev_block(x1, x2, dense, dense, 2, is_training=False), 1)
    assert len(tf.global_variables()) == 4  # The second block reused every variable.
    wrt = [x, *variables]
    rebuilt = tf.gradients(tf.reduce_sum(y_rev**2), wrt)
    plain = tf.gradients(tf.reduce_sum(y**2), wrt)
    for got, want in zip(*run([rebuilt, plain])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "decorate",
    [
        rev_block_lib.recompute_grad,
        rev_block_lib.recompute_grad(use_data_dep=True),
        rev_block_lib.recompute_grad(tupleize_grads=True),
        rev_block_lib.recompute_grad(True, True),  # TF-Slim's positional options.
    ],
    ids=["bare", "data-dep", "tuple", "positional"],
)
def test_recompute_grad_gives_the_ordinary_gradient(graph, run, decorate):
    def fn(x):
        return dense(x) * 3.0

    wrapped = decorate(fn)
    x = tf.constant(X[:, :2])
    with tf.variable_scope("recomputed") as scope:
        out = tf.reduce_sum(wrapped(x))
        recomputed = tf.gradients(out, [x, *scope.trainable_variables()])
    with tf.variable_scope("plain") as scope:
        out = tf.reduce_sum(fn(x))
        plain = tf.gradients(out, [x, *scope.trainable_variables()])
    for got, want in zip(*run([recomputed, plain])):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_recompute_grad_tells_the_function_it_is_recomputing(graph):
    seen = []

    @rev_block_lib.recompute_grad
    def fn(x, is_recomputing=False):
        seen.append(is_recomputing)
        return x * 2.0

    x = tf.constant([1.0])
    tf.gradients(fn(x), [x])
    assert seen == [False, True]


def test_recompute_grad_rejects_a_closed_over_tensor(graph):
    z = tf.ones([2])
    with pytest.raises(ValueError, match="closes over tensor .*local name 'z'"):

        @rev_block_lib.recompute_grad
        def fn(a):
            return a * z


def test_rev_block_rejects_a_list_of_the_wrong_length():
    with pytest.raises(ValueError, match="list of num_layers=2, got a list of 1"):
        rev_block_lib.RevBlock([dense], dense, num_layers=2)
