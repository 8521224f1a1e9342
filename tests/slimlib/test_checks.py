"""The shared argument checks: accepted values and the exact wording of each message."""

import re

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from slimlib._src import _checks


@pytest.mark.parametrize(
    "name, choices, expected",
    [
        ("strides", ["stride", "padding"], " Did you mean 'stride'?"),
        ("VALD", ["SAME", "VALID"], " Did you mean 'VALID'?"),
        ("zzz", ["stride", "padding"], ""),
        ("x", [], ""),
    ],
    ids=["close", "upper", "nothing-close", "no-choices"],
)
def test_did_you_mean(name, choices, expected):
    assert _checks.did_you_mean(name, choices) == expected


def test_check_positive_int_accepts():
    assert _checks.check_positive_int("fc", "num_outputs", 3) == 3
    converted = _checks.check_positive_int("fc", "num_outputs", np.int64(4))
    assert (converted, type(converted)) == (4, int)
    assert _checks.check_optional_positive_int("fc", "num_outputs", None) is None
    assert _checks.check_optional_positive_int("fc", "num_outputs", 2) == 2


@pytest.mark.parametrize(
    "value, exc, message",
    [
        (0, ValueError, "fc: `num_outputs` must be >= 1, got 0."),
        (-3, ValueError, "fc: `num_outputs` must be >= 1, got -3."),
        (2.5, TypeError, "fc: `num_outputs` must be an int, got 2.5 (float)."),
        (True, TypeError, "fc: `num_outputs` must be an int, got True (bool)."),
        ("4", TypeError, "fc: `num_outputs` must be an int, got '4' (str)."),
    ],
    ids=["zero", "negative", "float", "bool", "string"],
)
def test_check_positive_int_messages(value, exc, message):
    with pytest.raises(exc) as info:
        _checks.check_positive_int("fc", "num_outputs", value)
    assert str(info.value) == message
    with pytest.raises(exc):
        _checks.check_optional_positive_int("fc", "num_outputs", value)


@pytest.mark.parametrize(
    "value, length, expected",
    [(3, 2, (3, 3)), ([1, 2], 2, (1, 2)), ((1, 2, 3), 3, (1, 2, 3)), (np.int32(2), 2, (2, 2))],
    ids=["int", "list", "tuple-3", "numpy-int"],
)
def test_check_int_tuple_accepts(value, length, expected):
    assert _checks.check_int_tuple("conv2d", "kernel_size", value, length) == expected


EXPECTED_2 = "conv2d: `kernel_size` must be an int >= 1 or a sequence of 2 ints >= 1, got "


@pytest.mark.parametrize(
    "value, exc, tail",
    [
        ([3], ValueError, "[3] (length 1)."),
        ([3, 0], ValueError, "[3, 0]."),
        (0, ValueError, "0."),
        ([3, 2.0], TypeError, "[3, 2.0]."),
        (True, TypeError, "True."),
        ("3", TypeError, "'3'."),
        (None, TypeError, "None."),
    ],
    ids=["short", "zero-item", "zero", "float-item", "bool", "string", "none"],
)
def test_check_int_tuple_messages(value, exc, tail):
    with pytest.raises(exc) as info:
        _checks.check_int_tuple("conv2d", "kernel_size", value, 2)
    assert str(info.value) == EXPECTED_2 + tail


@pytest.mark.parametrize(
    "value, expected",
    [("same", "SAME"), ("VALID", "VALID"), ("Valid", "VALID")],
    ids=["lower", "upper", "mixed"],
)
def test_check_padding_is_case_insensitive(value, expected):
    assert _checks.check_padding("conv2d", value) == expected


def test_check_choice_keeps_case_when_choices_are_mixed():
    assert _checks.check_choice("f", "mode", "avg", ("avg", "max")) == "avg"
    with pytest.raises(ValueError, match=r"got 'AVG'\. Did you mean 'avg'\?"):
        _checks.check_choice("f", "mode", "AVG", ("avg", "max"))


@pytest.mark.parametrize(
    "value, exc, message",
    [
        (
            "VALD",
            ValueError,
            "conv2d: `padding` must be one of ['SAME', 'VALID'], got 'VALD'. Did you mean 'VALID'?",
        ),
        ("full", ValueError, "conv2d: `padding` must be one of ['SAME', 'VALID'], got 'full'."),
        (1, TypeError, "conv2d: `padding` must be one of ['SAME', 'VALID'], got 1."),
    ],
    ids=["typo", "unknown", "int"],
)
def test_check_padding_messages(value, exc, message):
    with pytest.raises(exc) as info:
        _checks.check_padding("conv2d", value)
    assert str(info.value) == message


def test_check_rank(graph):
    images = tf.ones([2, 3, 3, 1])
    assert _checks.check_rank("conv2d", "inputs", images, 4) == 4
    assert _checks.check_rank("pool", "inputs", images, (3, 4)) == 4
    with pytest.raises(ValueError) as info:
        _checks.check_rank("conv2d", "inputs", tf.ones([2, 3]), (3, 4, 5))
    assert (
        str(info.value) == "conv2d: `inputs` must have rank 3 or 4 or 5, got shape (2, 3) (rank 2)."
    )
    with pytest.raises(ValueError, match=r"must have rank 4, got shape <unknown> \(rank None\)\."):
        _checks.check_rank("conv2d", "inputs", tf.placeholder(tf.float32), 4)


def test_check_known_dim(graph):
    x = tf.placeholder(tf.float32, [None, 5])
    assert _checks.check_known_dim("fc", "inputs", x, -1) == 5
    with pytest.raises(ValueError) as info:
        _checks.check_known_dim("fc", "inputs", x, 0)
    assert str(info.value) == "fc: `inputs` must have a known size on axis 0, got shape (None, 5)."


@pytest.mark.parametrize(
    "value", [0.5, 1, 1.0, np.float32(0.25)], ids=["half", "int-one", "one", "numpy"]
)
def test_check_probability_accepts(value):
    assert _checks.check_probability("dropout", "keep_prob", value) == value


def test_check_probability_passes_tensors_through(graph):
    keep = tf.placeholder(tf.float32, [])
    assert _checks.check_probability("dropout", "keep_prob", keep) is keep


@pytest.mark.parametrize(
    "value, exc, message",
    [
        (0, ValueError, "dropout: `keep_prob` must be in (0, 1], got 0."),
        (1.5, ValueError, "dropout: `keep_prob` must be in (0, 1], got 1.5."),
        (float("nan"), ValueError, "dropout: `keep_prob` must be in (0, 1], got nan."),
        ("0.5", TypeError, "dropout: `keep_prob` must be a number in (0, 1], got '0.5'."),
        (True, TypeError, "dropout: `keep_prob` must be a number in (0, 1], got True."),
        (None, TypeError, "dropout: `keep_prob` must be a number in (0, 1], got None."),
    ],
    ids=["zero", "above-one", "nan", "string", "bool", "none"],
)
def test_check_probability_messages(value, exc, message):
    with pytest.raises(exc) as info:
        _checks.check_probability("dropout", "keep_prob", value)
    assert str(info.value) == message


def test_require_graph_refuses_eager_and_allows_graphs():
    with pytest.raises(RuntimeError) as info:
        _checks.require_graph("conv2d")
    assert str(info.value) == (
        "conv2d: slimlib builds graphs and cannot run eagerly. Build inside a graph: "
        "`with tf.Graph().as_default(): ...` (or in a tf.function)."
    )
    with tf.Graph().as_default():
        assert _checks.require_graph("conv2d") is None


def test_to_tensor(graph):
    assert _checks.to_tensor("fc", "inputs", [[1.0, 2.0]]).shape.as_list() == [1, 2]
    with pytest.raises(
        TypeError, match=r"^fc: `inputs` must be a tensor or convertible to one, got \{'a': 1\}\.$"
    ):
        _checks.to_tensor("fc", "inputs", {"a": 1})
    with pytest.raises(TypeError, match=r"got \[\[1\.0\], \[1\.0, 2\.0\]\]\.$"):
        _checks.to_tensor("fc", "inputs", [[1.0], [1.0, 2.0]])  # Ragged lists fail too.


@pytest.mark.parametrize(
    "value, exc", [("CHWN", ValueError), (4, TypeError)], ids=["unknown", "not-a-string"]
)
def test_check_data_format_keeps_tf_slims_wording(value, exc):
    # TF-Slim's tests match "data_format has to be either NCHW or NHWC."; the message
    # still names the call, the accepted values and the value received.
    with pytest.raises(exc) as info:
        _checks.check_data_format("pool", value, "NHWC", "NCHW")
    message = str(info.value)
    assert message.startswith(f"pool: `data_format` must be one of ['NHWC', 'NCHW'], got {value!r}")
    assert re.search("data_format has to be either NCHW or NHWC.", message)


def test_check_data_format_upper_cases():
    assert _checks.check_data_format("pool", "ncdhw", "NDHWC", "NCDHW") == "NCDHW"
