"""Wrong inputs to layers get messages that name the argument at fault and what it must be."""

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


@pytest.mark.parametrize(
    "layer",
    [
        lambda x, act: slim.conv2d(x, 4, [3, 3], activation_fn=act),
        lambda x, act: slim.fully_connected(slim.flatten(x), 4, activation_fn=act),
        lambda x, act: slim.separable_conv2d(x, 4, [3, 3], 1, activation_fn=act),
    ],
    ids=["conv2d", "fully_connected", "separable_conv2d"],
)
def test_an_activation_given_by_name_asks_for_the_callable(layer):
    images = tf.zeros([1, 8, 8, 3])
    with pytest.raises(
        TypeError,
        match=r"`activation_fn` must be a callable such as tf.nn.relu, or None, got 'relu' "
        r"\(str\). Pass the function itself, e.g. tf.nn.relu, not its name.",
    ):
        layer(images, "relu")


@pytest.mark.parametrize("dtype", [tf.int32, tf.uint8, tf.string])
@pytest.mark.parametrize(
    "layer, fn",
    [
        (lambda x: slim.conv2d(x, 4, [3, 3]), "conv2d"),
        (lambda x: slim.fully_connected(x, 4), "fully_connected"),
    ],
    ids=["conv2d", "fully_connected"],
)
def test_a_non_float_input_blames_inputs(layer, fn, dtype):
    shape = [1, 8, 8, 3] if fn == "conv2d" else [1, 8]
    inputs = tf.zeros(shape, dtype=dtype)
    with pytest.raises(
        TypeError,
        match=rf"{fn}: `inputs` must be a float tensor \(float16, bfloat16, float32 or "
        rf"float64\), got dtype {dtype.name}, a non-floating point type; cast it first",
    ):
        layer(inputs)


def test_a_valid_kernel_larger_than_the_input_is_named():
    with pytest.raises(
        ValueError,
        match=r"conv2d: `kernel_size` \[50, 50\] of layer 'big' is larger than the 8x8 input "
        r"with padding 'VALID'; use a smaller kernel, padding 'SAME'",
    ):
        slim.conv2d(tf.zeros([1, 8, 8, 3]), 4, [50, 50], padding="VALID", scope="big")
    with pytest.raises(ValueError, match=r"\[3, 3\] \(spanning \[5, 5\] with `rate` \[2, 2\]\)"):
        slim.conv2d(tf.zeros([1, 4, 4, 3]), 4, [3, 3], rate=2, padding="VALID")
    # A window that just fits, or any window with 'SAME', builds.
    assert slim.conv2d(tf.zeros([1, 8, 8, 3]), 4, [8, 8], padding="VALID").shape[1:3] == [1, 1]
    assert slim.conv2d(tf.zeros([1, 8, 8, 3]), 4, [50, 50]).shape[1:3] == [8, 8]
