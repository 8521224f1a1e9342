"""A tiny net and checkpoints written by the tests, for the restore-plan tests."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

#: `[batch, height, width, channels]` of `tiny_net`'s input.
TINY_INPUT_SHAPE = (1, 2, 2, 1)


def tiny_net(images: tf.Tensor) -> tf.Tensor:
    """conv1 1x1 (1 -> 2) -> flatten (8) -> fc (8 -> 3). Variables: conv1/weights [1, 1, 1, 2],
    conv1/biases [2], fc/weights [8, 3], fc/biases [3]."""
    net = slim.conv2d(images, 2, [1, 1], scope="conv1")
    net = slim.flatten(net)
    return slim.fully_connected(net, 3, activation_fn=None, scope="fc")


def pattern(shape, offset: float = 0.0) -> np.ndarray:
    """Distinct values `offset + 0, 1/n, 2/n, ...` no initializer produces."""
    size = int(np.prod(shape)) if shape else 1
    values = offset + np.arange(size, dtype=np.float32) / size
    return values.reshape(shape).astype(np.float32)


def write_checkpoint(prefix: str, entries: dict[str, np.ndarray]) -> str:
    """Saves `{entry name: value}` as a checkpoint at `prefix` (from plain variables)."""
    with tf.Graph().as_default():
        to_save = {
            name: tf.Variable(value, name=f"v{i}")
            for i, (name, value) in enumerate(entries.items())
        }
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver(to_save).save(sess, prefix, write_meta_graph=False)
    return prefix


#: The checkpoint of `renamed_checkpoint`: `conv1/biases` saved as `conv1/bias`, `fc/weights`
#: with 5 outputs instead of 3, and the leftovers of training.
RENAMED_ENTRIES = {
    "conv1/weights": pattern([1, 1, 1, 2], 1.0),
    "conv1/bias": pattern([2], 2.0),
    "fc/weights": pattern([8, 5], 3.0),
    "fc/biases": pattern([3], 4.0),
    "global_step": np.int64(7),
    "conv1/weights/Momentum": pattern([1, 1, 1, 2], 5.0),
}


@pytest.fixture
def renamed_checkpoint(tmp_path) -> str:
    """Prefix of a checkpoint holding `RENAMED_ENTRIES`."""
    return write_checkpoint(str(tmp_path / "ckpt" / "model.ckpt"), RENAMED_ENTRIES)


@pytest.fixture
def tiny():
    """`(model_fn, input_shape, entries)` of `tiny_net` and `RENAMED_ENTRIES`."""
    return tiny_net, TINY_INPUT_SHAPE, RENAMED_ENTRIES


@pytest.fixture
def graph():
    """A fresh default graph."""
    with tf.Graph().as_default() as g:
        yield g
