"""Layer trace: records of hand-written decorated ops, their variables, totals and exports.

`dense(x[2, 3], 4)` makes `weights [3, 4]` and `biases [4]`: 3 * 4 + 4 = 16 parameters.
`block(x[2, 4])` is `dense(., 3)` (4 * 3 + 3 = 15) then `dense(., 2)` (3 * 2 + 2 = 8): 23.
"""

import json
import threading

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib._src import trace as trace_lib

ONES = tf.ones_initializer()
VARIABLES = ("model_variables", "trainable_variables", "variables")


@slim.add_arg_scope
def dense(inputs, num_outputs, activation_fn=None, trainable=True, scope=None):
    with tf.variable_scope(scope, "dense", [inputs]):
        depth = inputs.shape[-1]
        weights = slim.model_variable(
            "weights", [depth, num_outputs], initializer=ONES, trainable=trainable
        )
        biases = slim.model_variable("biases", [num_outputs], trainable=trainable)
        outputs = tf.matmul(inputs, weights) + biases
        return activation_fn(outputs) if activation_fn else outputs


@slim.add_arg_scope
def block(inputs, scope=None):
    with tf.variable_scope(scope, "block", [inputs]):
        net = dense(inputs, 3, scope="fc1")
        return dense(net, 2, scope="fc2")


@slim.add_arg_scope
def annotated(inputs, scope=None):
    with tf.variable_scope(scope, "annotated", [inputs]) as sc:
        trace_lib.annotate(scope=sc.name + "/custom", flops=10)
        return tf.identity(inputs)


@slim.add_arg_scope
def counter(inputs):
    slim.variable("count", [], dtype=tf.int64, trainable=False)
    slim.local_variable(0, name="seen")
    return inputs, "extra"


@slim.add_arg_scope
def pool(inputs):
    return tf.identity(inputs, name="mypool/out")


def test_nested_calls_become_children(graph):
    with slim.trace_layers() as recorded:
        block(tf.ones([2, 4]), scope="blk")
    (top,) = recorded.records
    assert (top.op, top.scope, top.input_shape, top.output_shape) == (
        "block",
        "blk",
        (2, 4),
        (2, 2),
    )
    assert [(c.op, c.scope, c.input_shape, c.output_shape) for c in top.children] == [
        ("dense", "blk/fc1", (2, 4), (2, 3)),
        ("dense", "blk/fc2", (2, 3), (2, 2)),
    ]
    assert [c.children for c in top.children] == [[], []]


def test_variables_created_by_a_call(graph):
    with slim.trace_layers() as recorded:
        block(tf.ones([2, 4]), scope="blk")
    fc1 = recorded.records[0].children[0]
    assert fc1.variables == [
        slim.tracing.VariableInfo("blk/fc1/weights", (4, 3), "float32", True, VARIABLES),
        slim.tracing.VariableInfo("blk/fc1/biases", (3,), "float32", True, VARIABLES),
    ]
    assert [v.name for v in recorded.records[0].variables] == [
        "blk/fc1/weights",
        "blk/fc1/biases",
        "blk/fc2/weights",
        "blk/fc2/biases",
    ]


def test_parameter_counts(graph):
    with slim.trace_layers() as recorded:
        block(tf.ones([2, 4]), scope="blk")
        dense(tf.ones([2, 3]), 4, trainable=False, scope="frozen")
    top, frozen = recorded.records
    assert [c.params for c in top.children] == [15, 8]
    assert (top.params, top.trainable_params) == (23, 23)  # Children's variables included once.
    assert (frozen.params, frozen.trainable_params) == (16, 0)
    assert (recorded.total_params, recorded.trainable_params) == (39, 23)


def test_scalar_and_local_variables_are_recorded(graph):
    with slim.trace_layers() as recorded:
        counter(tf.ones([2, 5]))
    (record,) = recorded.records
    assert [(v.name, v.shape, v.dtype, v.trainable, v.collections) for v in record.variables] == [
        ("count", (), "int64", False, ("variables",)),
        ("seen", (), "int32", False, ("local_variables",)),
    ]
    assert record.params == 2  # A scalar holds one value.
    assert record.output_shape == (2, 5)  # The first element of a returned tuple.


def test_annotate_sets_scope_and_flops_of_the_innermost_call(graph):
    with slim.trace_layers() as recorded:
        annotated(tf.ones([1]), scope="a")
        pool(tf.ones([1]))
    first, second = recorded.records
    assert (first.scope, first.flops, first.total_flops) == ("a/custom", 10, 10)
    assert (second.scope, second.flops) == ("mypool", 0)  # Guessed from the output's op name.
    assert recorded.total_flops == 10


def test_a_call_reusing_variables_has_its_own_name_scope(graph):
    x = tf.ones([2, 3])
    with slim.trace_layers() as recorded:
        with tf.variable_scope("net"):
            slim.fully_connected(x, 4, scope="fc")
        with tf.variable_scope("net", reuse=True):
            slim.fully_connected(x, 4, scope="fc")
        pool(x)
    first, second, third = recorded.records
    assert (first.scope, first.name_scope, first.params) == ("net/fc", "net/fc", 16)
    assert (second.scope, second.name_scope, second.params) == ("net/fc", "net_1/fc", 0)
    # An op that annotates nothing: the name scope is read from its output op's name.
    assert (third.scope, third.name_scope) == ("mypool", "mypool")
    assert second.to_dict()["name_scope"] == "net_1/fc"


def test_annotate_outside_a_trace_is_a_no_op(graph):
    trace_lib.annotate(scope="nowhere", flops=3)
    assert annotated(tf.ones([1])).shape.as_list() == [1]


def test_parent_total_flops_adds_its_children(graph):
    @slim.add_arg_scope
    def wrapper(inputs):
        return annotated(annotated(inputs, scope="x"), scope="y")

    with slim.trace_layers() as recorded:
        wrapper(tf.ones([1]))
    (top,) = recorded.records
    assert (top.flops, top.total_flops, recorded.total_flops) == (0, 20, 20)


def test_summary_has_rows_and_totals(graph):
    with slim.trace_layers() as recorded:
        dense(tf.ones([2, 3]), 4, scope="fc")
    text = recorded.summary()
    lines = text.splitlines()
    assert lines[1].split() == ["Layer", "(op)", "Output", "shape", "Param", "#", "FLOPs"]
    assert lines[3].split() == ["fc", "(dense)", "[2,", "4]", "16", "0"]
    assert lines[-4:] == [
        "Total params: 16",
        "Trainable params: 16",
        "Non-trainable params: 0",
        "Total FLOPs: 0",
    ]


def test_summary_indents_children_and_formats_thousands(graph):
    with slim.trace_layers() as recorded:
        block(tf.ones([2, 4]), scope="blk")
        dense(tf.ones([1, 40]), 25, trainable=False, scope="big")  # 40 * 25 + 25 = 1,025
    lines = recorded.summary().splitlines()
    assert [line.split("(")[0].rstrip() for line in lines[3:7]] == [
        "blk",
        "  blk/fc1",
        "  blk/fc2",
        "big",
    ]
    assert "Total params: 1,048" in lines
    assert "Non-trainable params: 1,025" in lines


def test_to_dicts_is_json_serialisable(graph):
    x = tf.ones([2, 4])
    with slim.trace_layers() as recorded:
        with slim.arg_scope([dense], activation_fn=tf.nn.relu):
            block(x, scope="blk")
    dicts = recorded.to_dicts()
    assert json.loads(json.dumps(dicts)) == dicts
    (top,) = dicts
    assert (top["op"], top["scope"], top["params"], top["output_shape"]) == (
        "block",
        "blk",
        23,
        [2, 2],
    )
    assert top["arguments"]["inputs"]["value"].startswith("<tf.Tensor 'ones:0'")
    fc1 = top["children"][0]
    assert fc1["variables"][0] == {
        "name": "blk/fc1/weights",
        "shape": [4, 3],
        "dtype": "float32",
        "trainable": True,
        "collections": list(VARIABLES),
    }
    assert fc1["arguments"]["num_outputs"] == {"value": 3, "source": "call", "origin": None}
    activation = fc1["arguments"]["activation_fn"]
    assert (activation["value"], activation["source"]) == ("relu", "arg_scope")
    assert activation["origin"]["ops"] == ["dense"]


def test_walk_is_depth_first_parents_before_children(graph):
    with slim.trace_layers() as recorded:
        block(tf.ones([2, 4]), scope="blk")
        dense(tf.ones([2, 3]), 4, scope="fc")
    assert [(record.scope, depth) for record, depth in recorded.walk()] == [
        ("blk", 0),
        ("blk/fc1", 1),
        ("blk/fc2", 1),
        ("fc", 0),
    ]


def test_variable_helpers_are_never_records(graph):
    with slim.trace_layers() as recorded:
        slim.model_variable("w", [1])
        slim.variable("v", [1])
    assert recorded.records == []


def test_no_records_and_no_tracing_path_when_off(graph, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("run_traced must not be called without an active trace")

    assert not slim.tracing.is_tracing()
    monkeypatch.setattr(trace_lib, "run_traced", fail)
    out = block(tf.ones([2, 4]), scope="untraced")
    assert out.shape.as_list() == [2, 2]
    with pytest.raises(AssertionError, match="must not be called"):
        with slim.trace_layers():
            block(tf.ones([2, 4]))


def test_is_tracing_only_inside_the_block(graph):
    assert not slim.tracing.is_tracing()
    with slim.trace_layers() as recorded:
        assert slim.tracing.is_tracing()
    assert not slim.tracing.is_tracing()
    dense(tf.ones([2, 3]), 4)
    assert recorded.records == []


def test_traces_are_isolated_between_threads():
    a_tracing, b_done = threading.Event(), threading.Event()
    results = {}

    def thread_a():
        with tf.Graph().as_default(), slim.trace_layers() as recorded:
            a_tracing.set()
            b_done.wait(timeout=10)
            dense(tf.ones([2, 3]), 4, scope="in_a")
        results["a"] = [r.scope for r in recorded.records]

    def thread_b():
        a_tracing.wait(timeout=10)
        with tf.Graph().as_default():
            results["b_tracing"] = slim.tracing.is_tracing()
            dense(tf.ones([2, 3]), 4, scope="in_b")
            with slim.trace_layers() as recorded:
                dense(tf.ones([2, 3]), 4, scope="b_own")
        results["b"] = [r.scope for r in recorded.records]
        b_done.set()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {"a": ["in_a"], "b_tracing": False, "b": ["b_own"]}


def test_a_failing_call_keeps_its_record_and_variables_without_output(graph):
    @slim.add_arg_scope
    def broken(inputs, scope=None):
        with tf.variable_scope(scope, "broken"):
            slim.model_variable("half", [2])
            raise ValueError("broken op")

    with slim.trace_layers() as recorded:
        with pytest.raises(ValueError, match="broken op"):
            broken(tf.ones([2, 3]), scope="bad")
        dense(tf.ones([2, 3]), 4, scope="after")
    failed, after = recorded.records
    assert (failed.op, failed.scope, failed.input_shape, failed.output_shape) == (
        "broken",
        "bad",
        (2, 3),
        None,
    )
    assert [v.name for v in failed.variables] == ["bad/half"]
    assert (after.scope, after.children) == ("after", [])  # Not nested under the failed call.
