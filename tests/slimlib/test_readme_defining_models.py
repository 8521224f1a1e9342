"""Every code example of the TF-Slim README's "Defining Models" part, run as written.

The examples use `import slimlib as slim` and `import tensorflow.compat.v1 as tf`.
Where the README itself has a Python mistake (a missing comma, `'conv3_' % (i+1)`),
the test says so and runs the evident intent.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def names_and_shapes(variables):
    return [(v.op.name, v.shape.as_list()) for v in variables]


def test_variables_example_creates_regularized_weights_on_cpu(graph):
    weights = slim.variable(
        "weights",
        shape=[10, 10, 3, 3],
        initializer=tf.truncated_normal_initializer(stddev=0.1),
        regularizer=slim.l2_regularizer(0.05),
        device="/CPU:0",
    )
    assert names_and_shapes([weights]) == [("weights", [10, 10, 3, 3])]
    assert weights.device == "/device:CPU:0"
    assert slim.get_model_variables() == []
    (reg_loss,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, loss = sess.run([weights, reg_loss])
    np.testing.assert_allclose(loss, 0.05 * np.sum(w**2) / 2, rtol=1e-5)


def test_model_and_regular_variables_example(graph):
    weights = slim.model_variable(
        "weights",
        shape=[10, 10, 3, 3],
        initializer=tf.truncated_normal_initializer(stddev=0.1),
        regularizer=slim.l2_regularizer(0.05),
        device="/CPU:0",
    )
    model_variables = slim.get_model_variables()
    my_var = slim.variable("my_var", shape=[20, 1], initializer=tf.zeros_initializer())
    regular_variables_and_model_variables = slim.get_variables()
    assert model_variables == [weights]
    assert regular_variables_and_model_variables == [weights, my_var]
    assert my_var not in slim.get_model_variables()


def test_add_model_variable_example(graph):
    def CreateViaCustomCode():  # noqa: N802 - the README's name
        return tf.Variable(tf.zeros([3]), name="custom")

    my_model_variable = CreateViaCustomCode()
    slim.add_model_variable(my_model_variable)
    slim.add_model_variable(my_model_variable)  # Adding twice keeps one entry.
    assert slim.get_model_variables() == [my_model_variable]


def test_single_conv_layer_example(graph):
    input = tf.ones([1, 8, 8, 64])  # noqa: A001 - the README's name
    net = slim.conv2d(input, 128, [3, 3], scope="conv1_1")
    assert net.shape.as_list() == [1, 8, 8, 128]
    assert names_and_shapes(slim.get_model_variables()) == [
        ("conv1_1/weights", [3, 3, 64, 128]),
        ("conv1_1/biases", [128]),
    ]


def test_repeat_example_unrolls_scopes(graph):
    net = tf.ones([1, 8, 8, 3])
    net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope="conv3")
    net = slim.max_pool(net, [2, 2], scope="pool2")
    assert net.shape.as_list() == [1, 4, 4, 256]
    assert [v.op.name for v in slim.get_model_variables()] == [
        "conv3/conv3_1/weights",
        "conv3/conv3_1/biases",
        "conv3/conv3_2/weights",
        "conv3/conv3_2/biases",
        "conv3/conv3_3/weights",
        "conv3/conv3_3/biases",
    ]


def test_for_loop_example_has_a_python_typo_and_works_once_fixed(graph):
    net = tf.ones([1, 8, 8, 3])
    with pytest.raises(TypeError, match="not all arguments converted"):
        for i in range(3):
            net = slim.conv2d(net, 256, [3, 3], scope="conv3_" % (i + 1))  # noqa: F507
    for i in range(3):
        net = slim.conv2d(net, 256, [3, 3], scope="conv3_%d" % (i + 1))
    assert [v.op.name for v in slim.get_variables_by_name("weights")] == [
        "conv3_1/weights",
        "conv3_2/weights",
        "conv3_3/weights",
    ]


@pytest.mark.parametrize("way", ["verbose", "stack"])
def test_stack_mlp_example(graph, way):
    x = tf.ones([2, 16])
    if way == "verbose":
        x = slim.fully_connected(x, 32, scope="fc/fc_1")
        x = slim.fully_connected(x, 64, scope="fc/fc_2")
        x = slim.fully_connected(x, 128, scope="fc/fc_3")
    else:
        x = slim.stack(x, slim.fully_connected, [32, 64, 128], scope="fc")
    assert x.shape.as_list() == [2, 128]
    assert names_and_shapes(slim.get_variables_by_name("weights")) == [
        ("fc/fc_1/weights", [16, 32]),
        ("fc/fc_2/weights", [32, 64]),
        ("fc/fc_3/weights", [64, 128]),
    ]


@pytest.mark.parametrize("way", ["verbose", "stack"])
def test_stack_conv_tower_example(graph, way):
    x = tf.ones([1, 6, 6, 3])
    if way == "verbose":
        x = slim.conv2d(x, 32, [3, 3], scope="core/core_1")
        x = slim.conv2d(x, 32, [1, 1], scope="core/core_2")
        x = slim.conv2d(x, 64, [3, 3], scope="core/core_3")
        x = slim.conv2d(x, 64, [1, 1], scope="core/core_4")
    else:
        x = slim.stack(
            x, slim.conv2d, [(32, [3, 3]), (32, [1, 1]), (64, [3, 3]), (64, [1, 1])], scope="core"
        )
    assert names_and_shapes(slim.get_variables_by_name("weights")) == [
        ("core/core_1/weights", [3, 3, 3, 32]),
        ("core/core_2/weights", [1, 1, 32, 32]),
        ("core/core_3/weights", [3, 3, 32, 64]),
        ("core/core_4/weights", [1, 1, 64, 64]),
    ]


def _three_convs_expected():
    return [
        ("conv1/weights", [11, 11, 3, 64]),
        ("conv2/weights", [11, 11, 64, 128]),
        ("conv3/weights", [11, 11, 128, 256]),
    ]


def test_scopes_verbose_example(graph):
    inputs = tf.ones([1, 48, 48, 3])
    net = slim.conv2d(
        inputs, 64, [11, 11], 4, padding="SAME",
        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
        weights_regularizer=slim.l2_regularizer(0.0005), scope="conv1",
    )  # fmt: skip
    net = slim.conv2d(
        net, 128, [11, 11], padding="VALID",
        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
        weights_regularizer=slim.l2_regularizer(0.0005), scope="conv2",
    )  # fmt: skip
    net = slim.conv2d(
        net, 256, [11, 11], padding="SAME",
        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
        weights_regularizer=slim.l2_regularizer(0.0005), scope="conv3",
    )  # fmt: skip
    assert net.shape.as_list() == [1, 2, 2, 256]
    assert names_and_shapes(slim.get_variables_by_name("weights")) == _three_convs_expected()
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 3


def test_scopes_shared_values_example(graph):
    inputs = tf.ones([1, 48, 48, 3])
    padding = "SAME"
    initializer = tf.truncated_normal_initializer(stddev=0.01)
    regularizer = slim.l2_regularizer(0.0005)
    net = slim.conv2d(inputs, 64, [11, 11], 4, padding=padding,
                      weights_initializer=initializer, weights_regularizer=regularizer,
                      scope="conv1")  # fmt: skip
    net = slim.conv2d(net, 128, [11, 11], padding="VALID",
                      weights_initializer=initializer, weights_regularizer=regularizer,
                      scope="conv2")  # fmt: skip
    net = slim.conv2d(net, 256, [11, 11], padding=padding,
                      weights_initializer=initializer, weights_regularizer=regularizer,
                      scope="conv3")  # fmt: skip
    assert net.shape.as_list() == [1, 2, 2, 256]
    assert names_and_shapes(slim.get_variables_by_name("weights")) == _three_convs_expected()


def test_arg_scope_example_with_local_override(graph):
    # The README's snippet lacks a comma after the initializer; otherwise as written.
    inputs = tf.ones([1, 12, 12, 3])
    with slim.arg_scope([slim.conv2d], padding='SAME',
                        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                        weights_regularizer=slim.l2_regularizer(0.0005)):  # fmt: skip
        net = slim.conv2d(inputs, 64, [11, 11], scope="conv1")
        net = slim.conv2d(net, 128, [11, 11], padding="VALID", scope="conv2")
        net = slim.conv2d(net, 256, [11, 11], scope="conv3")
    # SAME keeps 12x12, the VALID override shrinks it to 12 - 11 + 1 = 2, SAME keeps 2.
    assert net.shape.as_list() == [1, 2, 2, 256]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 3


def test_nested_arg_scope_example_runs_despite_positional_stride(graph):
    inputs = tf.ones([1, 48, 48, 3])
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=tf.nn.relu,
                        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                        weights_regularizer=slim.l2_regularizer(0.0005)):  # fmt: skip
        with slim.arg_scope([slim.conv2d], stride=1, padding="SAME"):
            net = slim.conv2d(inputs, 64, [11, 11], 4, padding="VALID", scope="conv1")
            net = slim.conv2d(net, 256, [5, 5],
                              weights_initializer=tf.truncated_normal_initializer(stddev=0.03),
                              scope="conv2")  # fmt: skip
            net = slim.fully_connected(net, 1000, activation_fn=None, scope="fc")
    # conv1: VALID, stride 4 (positional): ceil((48 - 11 + 1) / 4) = 10; conv2: SAME, stride 1.
    assert net.shape.as_list() == [1, 10, 10, 1000]
    assert names_and_shapes(slim.get_variables_by_name("weights")) == [
        ("conv1/weights", [11, 11, 3, 64]),
        ("conv2/weights", [5, 5, 64, 256]),
        ("fc/weights", [256, 1000]),
    ]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 3


def vgg16(inputs):
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=tf.nn.relu,
                        weights_initializer=tf.truncated_normal_initializer(0.0, 0.01),
                        weights_regularizer=slim.l2_regularizer(0.0005)):  # fmt: skip
        net = slim.repeat(inputs, 2, slim.conv2d, 64, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.repeat(net, 2, slim.conv2d, 128, [3, 3], scope="conv2")
        net = slim.max_pool2d(net, [2, 2], scope="pool2")
        net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope="conv3")
        net = slim.max_pool2d(net, [2, 2], scope="pool3")
        net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope="conv4")
        net = slim.max_pool2d(net, [2, 2], scope="pool4")
        net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope="conv5")
        net = slim.max_pool2d(net, [2, 2], scope="pool5")
        net = slim.fully_connected(net, 4096, scope="fc6")
        net = slim.dropout(net, 0.5, scope="dropout6")
        net = slim.fully_connected(net, 4096, scope="fc7")
        net = slim.dropout(net, 0.5, scope="dropout7")
        net = slim.fully_connected(net, 1000, activation_fn=None, scope="fc8")
    return net


def test_vgg16_working_example(graph):
    # 32x32 is the smallest input that survives five 2x2 poolings; fully_connected acts on
    # the last axis of the 1x1x512 map, as in TF-Slim.
    net = vgg16(tf.ones([1, 32, 32, 3]))
    assert net.shape.as_list() == [1, 1, 1, 1000]
    expected = []
    blocks = [("conv1", 2, 3, 64), ("conv2", 2, 64, 128), ("conv3", 3, 128, 256),
              ("conv4", 3, 256, 512), ("conv5", 3, 512, 512)]  # fmt: skip
    for scope, count, first_in, depth in blocks:
        for i in range(count):
            depth_in = first_in if i == 0 else depth
            expected += [
                (f"{scope}/{scope}_{i + 1}/weights", [3, 3, depth_in, depth]),
                (f"{scope}/{scope}_{i + 1}/biases", [depth]),
            ]
    for scope, n_in, n_out in [("fc6", 512, 4096), ("fc7", 4096, 4096), ("fc8", 4096, 1000)]:
        expected += [(f"{scope}/weights", [n_in, n_out]), (f"{scope}/biases", [n_out])]
    assert names_and_shapes(slim.get_model_variables()) == expected
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 16
