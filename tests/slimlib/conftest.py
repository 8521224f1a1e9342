"""Fixtures shared by the slimlib tests."""

import pytest
import tensorflow.compat.v1 as tf


@pytest.fixture
def graph():
    """A fresh default graph: slimlib builds graphs and runs them in sessions."""
    with tf.Graph().as_default() as g:
        yield g


@pytest.fixture
def run(graph):
    """`run(fetches, feed_dict=None)`: initializes every variable, then runs `fetches` once."""

    def _run(fetches, feed_dict=None):
        with tf.Session(graph=graph) as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            return sess.run(fetches, feed_dict=feed_dict)

    return _run


@pytest.fixture
def stream(graph):
    """`stream(metric_fn, batches)`: a streaming metric's value after updating on each batch.

    Builds `metric_fn(*placeholders)` (one placeholder per array of a batch, batch axis
    free), runs its update op on every batch (a list of tuples of arrays), and returns
    `(value before any update, [update results], value after all updates)`.
    """

    def _stream(metric_fn, batches):
        inputs = [
            tf.placeholder(tf.as_dtype(a.dtype), [None] + list(a.shape[1:])) for a in batches[0]
        ]
        value, update = metric_fn(*inputs)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.local_variables_initializer())
            before = sess.run(value)
            updates = [sess.run(update, dict(zip(inputs, batch))) for batch in batches]
            return before, updates, sess.run(value)

    return _stream
