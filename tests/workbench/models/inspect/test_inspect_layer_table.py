"""Layer table of a small net: params, FLOPs and argument provenance, every number by hand."""

from __future__ import annotations

import doctest
import json

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.inspect import build_traced, formatting, layer_table, tabulate_layers
from workbench.models.inspect.layer_table import LayerTable

# small_net on a [1, 4, 4, 1] input (SAME padding, stride 1 keeps 4x4):
#   conv1 3x3, 1 -> 2 channels:   params 3*3*1*2 + 2 = 20
#                                 FLOPs  (4*4*2 outputs) * (2*3*3*1 + 1) = 32 * 19 = 608
#   conv2/conv2_{1,2} 1x1, 2 -> 2: params 1*1*2*2 + 2 = 6 each
#                                 FLOPs  32 * (2*1*1*2 + 1) = 160 each
#   conv2 (repeat) = both:        params 12, FLOPs 320
#   pool 2x2 stride 2 -> [1, 2, 2, 2]: FLOPs 8 outputs * 4 comparisons = 32
#   flatten -> [1, 8]:            FLOPs 0
#   logits dense 8 -> 3:          params 8*3 + 3 = 27, FLOPs 3 * (2*8 + 1) = 51
GOLDEN = [
    # (depth, scope, op, input shape, output shape, params, FLOPs)
    (0, "conv1", "convolution2d", (1, 4, 4, 1), (1, 4, 4, 2), 20, 608),
    (0, "conv2", "repeat", (1, 4, 4, 2), (1, 4, 4, 2), 12, 320),
    (1, "conv2/conv2_1", "convolution2d", (1, 4, 4, 2), (1, 4, 4, 2), 6, 160),
    (1, "conv2/conv2_2", "convolution2d", (1, 4, 4, 2), (1, 4, 4, 2), 6, 160),
    (0, "pool", "max_pool2d", (1, 4, 4, 2), (1, 2, 2, 2), 0, 32),
    (0, "flatten", "flatten", (1, 2, 2, 2), (1, 8), 0, 0),
    (0, "logits", "fully_connected", (1, 8), (1, 3), 27, 51),
]
TOTAL_PARAMS = 20 + 12 + 27  # 59
TOTAL_FLOPS = 608 + 320 + 32 + 51  # 1,011


@pytest.fixture(scope="module")
def small(small_model):
    model_fn, input_shape, location = small_model
    return tabulate_layers(build_traced(model_fn, input_shape).trace), location


def test_rows_match_hand_computed_goldens(small):
    table, _ = small
    got = [
        (r.depth, r.scope, r.op, r.input_shape, r.output_shape, r.params, r.flops)
        for r in table.rows
    ]
    assert got == GOLDEN


def test_totals_count_each_variable_once(small):
    table, _ = small
    assert table.total_params == TOTAL_PARAMS == 59
    assert table.trainable_params == 59 and table.non_trainable_params == 0
    assert table.total_flops == TOTAL_FLOPS == 1011
    assert table.totals == {
        "params": 59,
        "trainable_params": 59,
        "non_trainable_params": 0,
        "flops": 1011,
        "layers": 7,
    }


def test_repeat_children_point_at_their_parent(small):
    table, _ = small
    assert [(r.index, r.parent, r.num_children) for r in table.rows] == [
        (0, None, 0),
        (1, None, 2),
        (2, 1, 0),
        (3, 1, 0),
        (4, None, 0),
        (5, None, 0),
        (6, None, 0),
    ]
    assert table.row("conv2").variables == (
        "conv2/conv2_1/weights",
        "conv2/conv2_1/biases",
        "conv2/conv2_2/weights",
        "conv2/conv2_2/biases",
    )


def test_arguments_say_where_each_value_came_from(small):
    table, location = small
    conv1 = table.row("conv1")
    kernel, padding, stride = (conv1.argument(n) for n in ("kernel_size", "padding", "stride"))
    assert (kernel.value, kernel.source, kernel.location) == ([3, 3], "call", "")
    assert (padding.value, padding.source, padding.location) == ("SAME", "arg_scope", location)
    assert padding.scope_ops == ("convolution2d",) and padding.scope_depth == 1
    assert padding.describe() == f"arg_scope([convolution2d]) at {location}"
    assert (stride.value, stride.source, stride.describe()) == (1, "default", "default")
    assert conv1.argument("activation_fn").text == "None"
    # Inside `repeat`, the arg_scope still reaches each conv2d call.
    assert table.row("conv2/conv2_1").argument("padding").source == "arg_scope"
    assert table.row("logits").argument("activation_fn").source == "call"


def test_records_give_text_rows_for_a_data_frame(small):
    table, location = small
    records = table.records()
    assert [r["Layer"] for r in records][:3] == ["conv1", "conv2", "\u2003conv2/conv2_1"]
    assert records[0]["Output shape"] == "[1, 4, 4, 2]"
    assert f"padding=SAME (arg_scope([convolution2d]) at {location})" in records[0]["Arguments set"]
    assert "stride" not in records[0]["Arguments set"]  # Defaults are left out.
    args = table.argument_records(0)
    assert args[0] == {
        "Argument": "inputs",
        "Value": "Tensor[1, 4, 4, 1]",
        "Source": "call",
        "Set at": "",
        "Scope ops": "",
    }


def test_to_dicts_is_json_ready(small):
    table, _ = small
    data = json.loads(json.dumps(table.to_dicts()))
    assert data[0]["output_shape"] == [1, 4, 4, 2]
    padding = next(arg for arg in data[0]["arguments"] if arg["name"] == "padding")
    assert (padding["value"], padding["source"], padding["scope_ops"]) == (
        "SAME",
        "arg_scope",
        ["convolution2d"],
    )


def test_batch_norm_statistics_are_non_trainable_params():
    def model(x):
        return slim.conv2d(x, 2, [1, 1], normalizer_fn=slim.batch_norm, scope="conv")

    table = tabulate_layers(build_traced(model, [1, 2, 2, 3]).trace)
    # weights 1*1*3*2 = 6 (no biases with a normalizer); batch norm: beta, moving mean and
    # variance of 2 each = 6, of which the 4 moving statistics are not trainable.
    assert [(r.scope, r.params, r.trainable_params) for r in table.rows] == [
        ("conv", 12, 8),
        ("conv/BatchNorm", 6, 2),
    ]
    assert (table.total_params, table.non_trainable_params) == (12, 4)


def test_errors_name_the_argument():
    with pytest.raises(
        TypeError, match=r"tabulate_layers: `trace` must be a slim.tracing.LayerTrace"
    ):
        tabulate_layers([])
    table = LayerTable(rows=(), total_params=0, trainable_params=0, total_flops=0)
    with pytest.raises(KeyError, match=r"LayerTable.row: `scope` must be a traced scope"):
        table.row("conv1")
    with pytest.raises(IndexError, match=r"`index` must be in \[0, 0\), got 3"):
        table.argument_records(3)


def test_unknown_names_get_a_hint(small):
    table, _ = small
    with pytest.raises(KeyError, match="Did you mean 'conv1'"):
        table.row("conv_1")
    with pytest.raises(KeyError, match=r"`name` must be one of \['inputs'"):
        table.rows[0].argument("strides")


@pytest.mark.parametrize(
    "value, plain",
    [
        (tf.nn.relu, "relu"),
        ({"is_training": True}, {"is_training": True}),
        ((3, 3), [3, 3]),
        (
            tf.truncated_normal_initializer(stddev=0.5),
            "truncated_normal_initializer(stddev=0.5)",
        ),
        (object(), "object"),
        (slim.l2_regularizer(0.0005), "l2_regularizer(0.0005)"),
        (slim.l1_l2_regularizer(0.1, 0.2), "l1_l2_regularizer(scale_l1=0.1, scale_l2=0.2)"),
        (slim.l1_regularizer(0.0), "no loss (zero scale)"),
        (slim.batch_norm, "batch_norm"),  # A slimlib function that is no regularizer.
    ],
    ids=["function", "dict", "tuple", "initializer", "object", "l2", "l1_l2", "zero", "layer"],
)
def test_plain_values(value, plain):
    assert formatting.plain_value(value) == plain


@pytest.mark.parametrize("module", [layer_table, formatting], ids=["table", "formatting"])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "filename, location",
    [("model.py", "model.py:12"), ("166767018.py", "notebook cell, line 12")],
    ids=["file", "notebook-cell"],
)
def test_locations_name_the_file_or_the_notebook_cell(filename, location):
    assert layer_table._location(filename, 12) == location
