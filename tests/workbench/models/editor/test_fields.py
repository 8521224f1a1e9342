"""Block fields (scope, count, ops...) and an arg_scope's defaults as property rows."""

from __future__ import annotations

import pytest

from workbench.models.design import spec, template
from workbench.models.editor import DesignEditor, new_block
from workbench.models.editor.fields import arg_scope_ops, arg_scope_rows, block_fields


def _fields(design, path):
    return {row.name: row for row in block_fields(design, path)}


def _kinds_design():
    design = template("lenet")
    design["blocks"] += [
        {**new_block("repeat"), "scope": "convs"},
        new_block("stack"),
        {**new_block("residual"), "activation": "relu"},
        new_block("branches"),
        new_block("net", name="vgg_16"),
    ]
    return design


def test_the_design_fields_are_its_name_and_input():
    fields = _fields(template("lenet"), "")
    assert [(name, row.type, row.value) for name, row in fields.items()] == [
        ("name", "text", "lenet"),
        ("input.shape", "json", [28, 28, 1]),
        ("input.dtype", "choice", "float32"),
    ]
    assert fields["input.dtype"].options == spec.DTYPES
    # The generated function is `model` whatever the name: the help says what the name does.
    assert "function" not in fields["name"].doc and "training jobs" in fields["name"].doc


@pytest.mark.parametrize(
    "index, expected",
    [
        (1, [("count", "int", 2), ("scope", "text", "convs")]),
        (2, [("scope", "text", None), ("per_layer", "json", [{}, {}])]),
        (3, [("scope", "text", None), ("activation", "choice", "relu")]),
        (4, [("scope", "text", None), ("axis", "int", 3)]),
        (5, [("scope", "text", None)]),
    ],
)
def test_each_kind_has_its_fields(index, expected):
    rows = block_fields(_kinds_design(), f"blocks[{index}]")
    assert [(row.name, row.type, row.value) for row in rows] == expected


def test_a_layer_has_its_scope_and_an_arg_scope_its_ops():
    design = template("lenet")
    assert [(r.name, r.value) for r in block_fields(design, "blocks[0].blocks[0]")] == [
        ("scope", "conv1")
    ]
    (ops,) = block_fields(design, "blocks[0]")
    assert (ops.name, ops.type, ops.value) == ("ops", "ops", ["conv2d", "fully_connected"])
    assert ops.options == arg_scope_ops()


def test_residual_activation_can_be_left_out():
    (activation,) = [r for r in block_fields(_kinds_design(), "blocks[3]") if r.type == "choice"]
    assert activation.options[-1] is None
    assert "relu" in activation.options


def test_arg_scope_ops_are_those_that_take_scoped_defaults():
    ops = arg_scope_ops()
    assert {"conv2d", "fully_connected", "batch_norm", "max_pool2d"} <= set(ops)
    assert "linear" not in ops  # fully_connected with activation_fn fixed: list fully_connected


def test_block_fields_of_a_path_that_is_no_block():
    with pytest.raises(ValueError, match=r"`path` must name a block, got 'blocks\[0\]\.ops'"):
        block_fields(template("lenet"), "blocks[0].ops")


def test_arg_scope_rows_are_the_arguments_every_listed_op_takes():
    rows = {row.name: row for row in arg_scope_rows(template("lenet"), "blocks[0]")}
    # conv2d and fully_connected share these; kernel_size and padding are conv2d's alone.
    assert list(rows) == [
        "num_outputs",
        "activation_fn",
        "normalizer_fn",
        "normalizer_params",
        "weights_initializer",
        "weights_regularizer",
        "biases_initializer",
        "biases_regularizer",
        "trainable",
    ]
    activation = rows["activation_fn"]
    assert (activation.value, activation.is_set, activation.default) == ("relu", True, "relu")
    assert (rows["trainable"].is_set, rows["trainable"].default) == (False, True)
    assert rows["weights_initializer"].effective == (
        {"name": "truncated_normal_initializer", "stddev": 0.1},
        "call",
    )


def test_a_default_the_ops_disagree_on_is_shown_as_none():
    design = template("lenet")
    design["blocks"][0]["ops"] = ["conv2d", "max_pool2d"]
    rows = {row.name: row for row in arg_scope_rows(design, "blocks[0]")}
    assert list(rows) == ["kernel_size", "stride", "padding", "data_format"]
    assert rows["padding"].default is None  # conv2d pads "SAME", max_pool2d "VALID"
    assert rows["padding"].options == ("SAME", "VALID")


def test_an_inner_arg_scope_shows_what_the_outer_one_sets():
    editor = DesignEditor(template("lenet"))
    inner = editor.insert(new_block("arg_scope"), "blocks[0].blocks", 0)
    editor.set_field(inner, "ops", ["conv2d"])
    rows = {row.name: row for row in arg_scope_rows(editor.design, inner)}
    assert rows["activation_fn"].effective == ("relu", "arg_scope")
    assert rows["activation_fn"].scoped == ("relu", "blocks[0]")
    assert rows["padding"].effective == ("SAME", "default")


def test_an_arg_scope_listing_no_known_op_has_no_rows():
    editor = DesignEditor(template("lenet"))
    path = editor.insert(new_block("arg_scope"), "blocks", 0)
    assert arg_scope_rows(editor.design, path) == []


def test_arg_scope_rows_of_another_block():
    with pytest.raises(ValueError, match=r"must name an arg_scope block, got 'blocks\[0\]\.blocks"):
        arg_scope_rows(template("lenet"), "blocks[0].blocks[0]")
