"""Small models shared by the inspect tests; every number they give is checkable by hand."""

from __future__ import annotations

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

#: `[batch, height, width, channels]` of `small_net`'s input.
SMALL_INPUT_SHAPE = (1, 4, 4, 1)


def small_net(images: tf.Tensor) -> tuple[tf.Tensor, dict]:
    """conv 3x3 -> repeat 2x conv 1x1 -> max pool 2x2/2 -> flatten -> dense 3 (see the goldens
    in test_inspect_layer_table.py)."""
    with slim.arg_scope([slim.conv2d], padding="SAME", activation_fn=None):  # ARG_SCOPE_LINE
        net = slim.conv2d(images, 2, [3, 3], scope="conv1")
        net = slim.repeat(net, 2, slim.conv2d, 2, [1, 1], scope="conv2")
    net = slim.max_pool2d(net, [2, 2], 2, scope="pool")
    net = slim.flatten(net, scope="flatten")
    logits = slim.fully_connected(net, 3, activation_fn=None, scope="logits")
    return logits, {"logits": logits}


def branchy_net(images: tf.Tensor) -> tf.Tensor:
    """Two branches concatenated, a residual add, a final untraced squeeze."""
    net = slim.conv2d(images, 4, [3, 3], scope="stem")
    left = slim.conv2d(net, 2, [1, 1], scope="mixed/left")
    right = slim.conv2d(net, 2, [1, 1], scope="mixed/right")
    net = tf.concat([left, right], axis=3, name="mixed/concat")
    shortcut = net
    net = slim.conv2d(net, 4, [3, 3], scope="block/conv")
    net = tf.add(net, shortcut, name="block/add")
    net = slim.avg_pool2d(net, [4, 4], scope="pool")
    return tf.squeeze(net, [1, 2], name="squeeze")


def _line_of(marker: str) -> int:
    with open(__file__) as source:
        for number, line in enumerate(source, start=1):
            if line.rstrip().endswith(marker):
                return number
    raise AssertionError(f"no line ends with {marker!r}")


@pytest.fixture(scope="session")
def small_model():
    """`(model_fn, input_shape, arg_scope_location)` of `small_net`."""
    return small_net, SMALL_INPUT_SHAPE, f"conftest.py:{_line_of('# ARG_SCOPE_LINE')}"


@pytest.fixture(scope="session")
def branchy_model():
    """`(model_fn, input_shape)` of `branchy_net`."""
    return branchy_net, (1, 4, 4, 1)


@pytest.fixture
def graph():
    """A fresh default graph."""
    with tf.Graph().as_default() as g:
        yield g
