"""slim.utils: output aliases and collections, shape helpers, constant_value and smart_cond."""

from collections import OrderedDict

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

utils = slim.utils


# Aliases and collections -------------------------------------------------------------------


def test_collect_named_outputs_aliases_and_collects(graph):
    first, second = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    assert utils.collect_named_outputs(["end_points"], "net/conv1/", first) is first
    utils.collect_named_outputs(["end_points", "other"], "net/fc", second)
    assert first.aliases == ["net/conv1"]  # The trailing '/' of a scope name is dropped.
    assert tf.get_collection("end_points") == [first, second]
    assert tf.get_collection("other") == [second]
    assert utils.convert_collection_to_dict("end_points") == OrderedDict(
        [("net/conv1", first), ("net/fc", second)]
    )


def test_collect_named_outputs_without_collections_does_nothing(graph):
    out = tf.constant(1.0)
    assert utils.collect_named_outputs(None, "x", out) is out
    assert utils.collect_named_outputs([], "x", out) is out
    assert not hasattr(out, "aliases")
    assert tf.get_default_graph().get_all_collection_keys() == []


def test_a_tensor_can_carry_several_aliases(graph):
    out = tf.constant(1.0)
    utils.append_tensor_alias(out, "block")
    utils.append_tensor_alias(out, "block")
    utils.append_tensor_alias(out, "block/out/")
    assert utils.get_tensor_aliases(out) == ["block", "block/out"]
    tf.add_to_collection("c", out)
    assert list(utils.convert_collection_to_dict("c")) == ["block", "block/out"]


def test_tensor_without_aliases_is_named_by_its_op(graph):
    out = tf.constant(1.0, name="plain")
    assert utils.get_tensor_aliases(out) == ["plain"]
    tf.add_to_collection("c", out)
    assert utils.convert_collection_to_dict("c") == {"plain": out}


def test_convert_collection_to_dict_can_clear_the_collection(graph):
    out = utils.collect_named_outputs(["c"], "x", tf.constant(1.0))
    assert utils.convert_collection_to_dict("c", clear_collection=True) == {"x": out}
    assert tf.get_collection("c") == []
    assert utils.convert_collection_to_dict("c") == {}


@pytest.mark.parametrize(
    "collections, name, expected",
    [
        (["a", "b"], "weights", ["a", "b"]),
        ({"weights": ["w"], "biases": ["b"]}, "weights", ["w"]),
        ({"biases": ["b"]}, "weights", None),
        (None, "weights", None),
    ],
    ids=["list", "dict-hit", "dict-miss", "none"],
)
def test_get_variable_collections(collections, name, expected):
    assert utils.get_variable_collections(collections, name) == expected


def test_scope_name_of(graph):
    with tf.variable_scope("outer") as scope:
        pass
    assert utils.scope_name_of(scope) == "outer"
    assert utils.scope_name_of("given") == "given"


# Shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, min_rank, expected",
    [(tf.TensorShape([2, 3]), 1, 3), ([None, 7], 2, 7), ([5], 1, 5)],
    ids=["tensor-shape", "list-unknown-batch", "vector"],
)
def test_last_dimension(shape, min_rank, expected):
    assert utils.last_dimension(shape, min_rank) == expected


@pytest.mark.parametrize(
    "shape, min_rank, match",
    [
        (tf.TensorShape(None), 1, "`shape` must have a known rank, got <unknown>"),
        ([4], 2, r"`shape` must have rank >= 2, got \(4,\)"),
        ([], 1, r"`shape` must have rank >= 1, got \(\)"),
        ([2, None], 1, r"the last dimension of `shape` must be known, got \(2, None\)"),
    ],
    ids=["unknown-rank", "low-rank", "scalar", "unknown-last"],
)
def test_last_dimension_errors(shape, min_rank, match):
    with pytest.raises(ValueError, match="last_dimension: " + match):
        utils.last_dimension(shape, min_rank=min_rank)


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, (3, 3)),
        ([2, 3], (2, 3)),
        ((4, 1), (4, 1)),
        (tf.TensorShape([2, 5]), (2, 5)),
        (np.int64(2), (2, 2)),
    ],
    ids=["int", "list", "tuple", "tensor-shape", "numpy-int"],
)
def test_two_element_tuple(value, expected):
    result = utils.two_element_tuple(value)
    assert result == expected
    assert all(type(v) is int for v in result)


@pytest.mark.parametrize(
    "value, exc, match",
    [
        ([1, 2, 3], ValueError, r"got \[1, 2, 3\] \(length 3\)"),
        ("a", TypeError, "got 'a'"),
        (2.5, TypeError, "got 2.5"),
        (True, TypeError, "got True"),
        (0, ValueError, "got 0"),
        ([2, -1], ValueError, r"got \[2, -1\]"),
        (tf.TensorShape([2, None]), TypeError, r"got \[2, None\]"),
    ],
    ids=["three", "string", "float", "bool", "zero", "negative", "unknown-dim"],
)
def test_two_element_tuple_errors(value, exc, match):
    with pytest.raises(
        exc,
        match=r"two_element_tuple: `int_or_tuple` must be an int >= 1 or a sequence of 2 ints >= 1, "
        + match,
    ):
        utils.two_element_tuple(value)


@pytest.mark.parametrize(
    "n, value, expected",
    [
        (3, 2, (2, 2, 2)),
        (2, [1, 5], (1, 5)),
        (1, (7,), (7,)),
        (3, tf.TensorShape([1, 2, 3]), (1, 2, 3)),
    ],
    ids=["int", "list", "one", "tensor-shape"],
)
def test_n_positive_integers(n, value, expected):
    assert utils.n_positive_integers(n, value) == expected


@pytest.mark.parametrize(
    "n, value, exc, match",
    [
        (
            2,
            [1, 2, 3],
            ValueError,
            r"`value` must be an int >= 1 or a sequence of 2 ints >= 1, got \[1, 2, 3\] \(length 3\)",
        ),
        (
            2,
            [0, 1],
            ValueError,
            r"`value` must be an int >= 1 or a sequence of 2 ints >= 1, got \[0, 1\]",
        ),
        (2, "ab", TypeError, "`value` must be an int >= 1 or a sequence of 2 ints >= 1, got 'ab'"),
        (0, 1, ValueError, "`n` must be >= 1, got 0"),
        (2.0, 1, TypeError, r"`n` must be an int, got 2\.0 \(float\)"),
    ],
    ids=["too-long", "zero", "string", "n-zero", "n-float"],
)
def test_n_positive_integers_errors(n, value, exc, match):
    with pytest.raises(exc, match="n_positive_integers: " + match):
        utils.n_positive_integers(n, value)


@pytest.mark.parametrize(
    "n, value",
    [("3", [1]), (2, ["hello", 2]), (3, tf.TensorShape([2, None, 1])), (3, tf.TensorShape(None))],
    ids=["n-string", "value-string", "unknown-dimension", "unknown-rank"],
)
def test_n_positive_integers_type_errors_are_value_errors_too(n, value):
    # TF-Slim raises ValueError for these; slimlib's TypeError is also one.
    with pytest.raises(TypeError, match="n_positive_integers: `(n|value)` must be an int") as info:
        utils.n_positive_integers(n, value)
    assert isinstance(info.value, ValueError)


# gather_tensors_aliases, channel_dimension, static_cond ----------------------------------


def test_gather_tensors_aliases_flattens_aliases_in_order(graph):
    a, b, c = (tf.constant(float(i), name=n) for i, n in enumerate("abc"))
    utils.collect_named_outputs("end_points", "first", a)
    utils.collect_named_outputs("end_points", "second", b)
    utils.append_tensor_alias(b, "second/out")
    tf.add_to_collection("end_points", c)
    aliases = utils.gather_tensors_aliases(tf.get_collection("end_points"))
    assert aliases == ["first", "second", "second/out", "c"]
    assert utils.gather_tensors_aliases([]) == []


@pytest.mark.parametrize(
    "shape, data_format, expected",
    [
        ([8, 3, 32, 32], "channels_first", 3),
        ([8, 32, 32, 3], "channels_last", 3),
        ([8, 16, 5, 5], "NCHW", 16),
        ([8, 5, 5, 16], "NHWC", 16),
        ([2, 7], "channels_last", 7),
    ],
)
def test_channel_dimension(shape, data_format, expected):
    assert utils.channel_dimension(tf.TensorShape(shape), data_format) == expected


@pytest.mark.parametrize(
    "shape, data_format, min_rank, match",
    [
        ([8, 3], "NCWH-ish", 1, "`data_format` must be 'channels_first', .* got 'NCWH-ish'"),
        (None, "channels_last", 1, "`shape` must have a known rank, got <unknown>"),
        ([8, 3], "channels_last", 4, r"`shape` must have rank >= 4, got \(8, 3\)"),
        ([8], "channels_first", 1, r"`shape` must have rank >= 2, got \(8,\)"),
        ([8, None, 4, 4], "NCHW", 1, r"the channel dimension \(1\) of `shape` must be known"),
    ],
    ids=["format", "unknown-rank", "min-rank", "channels-first-rank-1", "unknown-channels"],
)
def test_channel_dimension_errors(shape, data_format, min_rank, match):
    with pytest.raises(ValueError, match="channel_dimension: " + match):
        utils.channel_dimension(tf.TensorShape(shape), data_format, min_rank)


def test_static_cond_calls_one_branch_by_python_truth():
    calls = []
    branches = (lambda: calls.append(1) or "fn1", lambda: calls.append(2) or "fn2")
    assert [utils.static_cond(v, *branches) for v in (True, False, 1, 0)] == [
        "fn1",
        "fn2",
        "fn1",
        "fn2",
    ]
    assert calls == [1, 2, 1, 2]
    with pytest.raises(TypeError, match="static_cond: `fn2` must be callable, got 'x'"):
        utils.static_cond(True, lambda: 1, "x")


# constant_value ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: True, True),
        (lambda: 0.5, 0.5),
        (lambda: tf.constant(True), True),
        (lambda: tf.constant([1, 2]), [1, 2]),
        (lambda: tf.placeholder(tf.bool, []), None),  # Known only at run time.
        (lambda: tf.Variable(True), None),  # A variable can change.
    ],
    ids=["python-bool", "python-float", "constant", "constant-vector", "placeholder", "variable"],
)
def test_constant_value(graph, make, expected):
    value = utils.constant_value(make())
    if expected is None:
        assert value is None
    else:
        np.testing.assert_array_equal(value, expected)


def test_constant_value_with_a_matching_dtype(graph):
    assert utils.constant_value(tf.constant(3), dtype=tf.int32) == 3


@pytest.mark.parametrize(
    "make, dtype, match",
    [
        (lambda: None, None, "`value_or_tensor_or_var` must not be None"),
        (
            lambda: tf.constant(1),
            tf.float32,
            "`dtype` must match the tensor's dtype int32, got float32",
        ),
    ],
    ids=["none", "dtype-mismatch"],
)
def test_constant_value_errors(graph, make, dtype, match):
    with pytest.raises(ValueError, match="constant_value: " + match):
        utils.constant_value(make(), dtype=dtype)


# smart_cond --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_pred, expected",
    [
        (lambda: True, "yes"),
        (lambda: False, "no"),
        (lambda: 1, "yes"),
        (lambda: 0, "no"),
        (lambda: np.bool_(True), "yes"),
        (lambda: tf.constant(False), "no"),
    ],
    ids=["true", "false", "one", "zero", "numpy-bool", "constant"],
)
def test_smart_cond_decides_in_python_when_static(graph, make_pred, expected):
    assert utils.smart_cond(make_pred(), lambda: "yes", lambda: "no") == expected


def test_smart_cond_static_tensor_builds_no_cond(graph):
    out = utils.smart_cond(tf.constant(True), lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    assert "cond" not in out.name.lower()


def test_smart_cond_uses_tf_cond_for_a_placeholder(graph):
    pred = tf.placeholder(tf.bool, [])
    out = utils.smart_cond(pred, lambda: tf.constant(1.0), lambda: tf.constant(2.0), name="choose")
    assert out.op.name.startswith("choose")
    with tf.Session() as sess:
        assert (sess.run(out, {pred: True}), sess.run(out, {pred: False})) == (1.0, 2.0)


def test_smart_cond_uses_tf_cond_for_a_variable(graph, run):
    flag = tf.Variable(False)
    out = utils.smart_cond(flag, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    assert run(out) == 2.0


@pytest.mark.parametrize(
    "pred, fn1, fn2, match",
    [
        (True, None, lambda: 1, "`fn1` must be callable, got None"),
        (True, lambda: 1, 2, "`fn2` must be callable, got 2"),
        (
            "yes",
            lambda: 1,
            lambda: 2,
            r"`pred` must be a bool, 0, 1 or a bool tensor, got 'yes' \(str\)",
        ),
        (None, lambda: 1, lambda: 2, r"`pred` must be .*, got None \(NoneType\)"),
        (2, lambda: 1, lambda: 2, r"`pred` must be .*, got 2 \(int\)"),
    ],
    ids=["fn1", "fn2", "string", "none", "two"],
)
def test_smart_cond_errors(pred, fn1, fn2, match):
    with pytest.raises(TypeError, match="smart_cond: " + match):
        utils.smart_cond(pred, fn1, fn2)


def test_static_or_dynamic_map_fn(graph, run):
    out = utils.static_or_dynamic_map_fn(
        lambda row: tf.reduce_sum(row), tf.constant([[1, 2], [3, 4]])
    )
    np.testing.assert_array_equal(run(out), [3, 7])
