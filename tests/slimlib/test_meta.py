"""repeat and stack: unrolled scope names, arguments passed to every call, tracing, errors."""

import functools

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

ONES = tf.ones_initializer()


def weight_names():
    return [v.op.name for v in slim.get_variables_by_name("weights")]


def test_repeat_unrolls_scopes(graph):
    out = slim.repeat(tf.ones([2, 4]), 3, slim.fully_connected, 4, scope="conv3")
    assert out.shape.as_list() == [2, 4]
    assert weight_names() == [
        "conv3/conv3_1/weights",
        "conv3/conv3_2/weights",
        "conv3/conv3_3/weights",
    ]


def test_repeat_without_scope_uses_the_function_name(graph):
    slim.repeat(tf.ones([2, 4]), 2, slim.fully_connected, 4)
    slim.repeat(tf.ones([2, 4]), 1, slim.fully_connected, 4)
    assert weight_names() == [
        "Repeat/fully_connected_1/weights",
        "Repeat/fully_connected_2/weights",
        "Repeat_1/fully_connected_1/weights",
    ]


def test_repeat_of_a_partial_uses_the_wrapped_function_name(graph):
    slim.repeat(tf.ones([2, 4]), 2, slim.linear, 4)
    assert weight_names() == [
        "Repeat/fully_connected_1/weights",
        "Repeat/fully_connected_2/weights",
    ]


def test_repeat_of_an_unnamed_callable_falls_back_to_repeat(graph):
    class Layer:
        def __call__(self, inputs, num_outputs, scope=None):
            return slim.fully_connected(inputs, num_outputs, scope=scope)

    slim.repeat(tf.ones([2, 4]), 2, Layer(), 3)
    assert weight_names() == ["Repeat/repeat_1/weights", "Repeat/repeat_2/weights"]


def test_repeat_passes_args_and_kwargs_to_every_call(graph, run):
    out = slim.repeat(
        tf.ones([1, 2]), 3, slim.fully_connected, 2, activation_fn=None, weights_initializer=ONES
    )
    # Each call sums two inputs: 1 -> 2 -> 4 -> 8.
    np.testing.assert_allclose(run(out), [[8.0, 8.0]])


def test_repeat_with_arg_scope_defaults(graph, run):
    with slim.arg_scope([slim.fully_connected], activation_fn=None, weights_initializer=ONES):
        out = slim.repeat(tf.ones([1, 2]), 2, slim.fully_connected, 2, scope="fc")
    np.testing.assert_allclose(run(out), [[4.0, 4.0]])


def test_repeat_accepts_a_variable_scope(graph):
    with tf.variable_scope("block") as block:
        pass
    slim.repeat(tf.ones([2, 4]), 2, slim.fully_connected, 3, scope=block)
    assert weight_names() == ["block/block_1/weights", "block/block_2/weights"]


def test_stack_unrolls_scopes(graph):
    out = slim.stack(tf.ones([2, 16]), slim.fully_connected, [32, 64, 128], scope="fc")
    assert out.shape.as_list() == [2, 128]
    assert [(v.op.name, v.shape.as_list()) for v in slim.get_variables_by_name("weights")] == [
        ("fc/fc_1/weights", [16, 32]),
        ("fc/fc_2/weights", [32, 64]),
        ("fc/fc_3/weights", [64, 128]),
    ]


def test_stack_spreads_tuples(graph, run):
    out = slim.stack(
        tf.ones([1, 2]),
        slim.fully_connected,
        [(3, None), (3,), [4, tf.nn.relu], 2],
        weights_initializer=ONES,
        scope="core",
    )
    assert weight_names() == [f"core/core_{i}/weights" for i in range(1, 5)]
    # 1 -> 2 (3 outputs) -> 6 (3 outputs) -> 18 (4 outputs) -> 72 (2 outputs).
    np.testing.assert_allclose(run(out), [[72.0, 72.0]])


def test_stack_without_scope(graph):
    slim.stack(tf.ones([2, 4]), slim.fully_connected, (3, 2))
    assert weight_names() == ["Stack/fully_connected_1/weights", "Stack/fully_connected_2/weights"]


def test_stack_of_a_partial(graph):
    slim.stack(tf.ones([2, 4]), functools.partial(slim.fully_connected, activation_fn=None), [3])
    assert weight_names() == ["Stack/fully_connected_1/weights"]


def test_repeat_is_traced_with_unrolled_children(graph):
    with slim.trace_layers() as trace:
        slim.repeat(tf.ones([2, 4]), 3, slim.fully_connected, 4, scope="conv3")
    (record,) = trace.records
    assert (record.op, record.scope) == ("repeat", "conv3")
    assert [c.scope for c in record.children] == ["conv3/conv3_1", "conv3/conv3_2", "conv3/conv3_3"]
    assert {c.op for c in record.children} == {"fully_connected"}
    assert record.arguments["repetitions"].value == 3
    assert record.arguments["repetitions"].source == "call"
    assert record.arguments["layer"].value == "fully_connected"
    assert record.params == 3 * (4 * 4 + 4)
    assert record.total_flops == 3 * (2 * 4 * 4 + 4)
    assert (record.input_shape, record.output_shape) == ((2, 4), (2, 4))


def test_stack_is_traced_with_unrolled_children(graph):
    with slim.trace_layers() as trace:
        slim.stack(tf.ones([2, 4]), slim.fully_connected, [8, 3], scope="fc")
    (record,) = trace.records
    assert (record.op, record.scope) == ("stack", "fc")
    assert [(c.scope, c.output_shape) for c in record.children] == [
        ("fc/fc_1", (2, 8)),
        ("fc/fc_2", (2, 3)),
    ]
    assert record.arguments["stack_args"].value == [8, 3]


@pytest.mark.parametrize(
    "repetitions, layer, exc, match",
    [
        (0, slim.fully_connected, ValueError, "repeat: `repetitions` must be >= 1, got 0"),
        (1.5, slim.fully_connected, TypeError, "`repetitions` must be an int, got 1.5"),
        (True, slim.fully_connected, TypeError, "`repetitions` must be an int, got True"),
        (2, "fully_connected", TypeError, "repeat: `layer` must be a callable layer"),
    ],
    ids=["zero", "float", "bool", "not-callable"],
)
def test_repeat_rejects(graph, repetitions, layer, exc, match):
    with pytest.raises(exc, match=match):
        slim.repeat(tf.ones([2, 4]), repetitions, layer, 3)


@pytest.mark.parametrize(
    "layer, stack_args, exc, match",
    [
        (slim.fully_connected, 32, TypeError, r"stack: `stack_args` must be a list or tuple"),
        (slim.fully_connected, [], ValueError, "`stack_args` must have at least one entry"),
        (None, [32], TypeError, "stack: `layer` must be a callable layer"),
    ],
    ids=["not-a-list", "empty", "not-callable"],
)
def test_stack_rejects(graph, layer, stack_args, exc, match):
    with pytest.raises(exc, match=match):
        slim.stack(tf.ones([2, 4]), layer, stack_args)


@pytest.mark.parametrize(
    "call",
    [
        lambda: slim.repeat(tf.ones([2, 4]), 2, slim.fully_connected, 3),
        lambda: slim.stack(tf.ones([2, 4]), slim.fully_connected, [3]),
    ],
    ids=["repeat", "stack"],
)
def test_eager_call_raises(call):
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        call()


def test_repeat_conv2d_without_scope_uses_convolution2d(graph):
    # slim.conv2d is TF-Slim's alias of convolution2d, whose real name names the scopes.
    slim.repeat(tf.ones([1, 4, 4, 3]), 2, slim.conv2d, 4, [3, 3])
    assert weight_names() == ["Repeat/convolution2d_1/weights", "Repeat/convolution2d_2/weights"]


def test_stack_conv2d_tuples(graph):
    out = slim.stack(
        tf.ones([1, 6, 6, 3]),
        slim.conv2d,
        [(32, [3, 3]), (32, [1, 1]), (64, [3, 3]), (64, [1, 1])],
        scope="core",
    )
    assert out.shape.as_list() == [1, 6, 6, 64]
    assert [(v.op.name, v.shape.as_list()) for v in slim.get_variables_by_name("weights")] == [
        ("core/core_1/weights", [3, 3, 3, 32]),
        ("core/core_2/weights", [1, 1, 32, 32]),
        ("core/core_3/weights", [3, 3, 32, 64]),
        ("core/core_4/weights", [1, 1, 64, 64]),
    ]
