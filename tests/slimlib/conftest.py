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
