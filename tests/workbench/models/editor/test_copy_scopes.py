"""Duplicate gives the copy scope names of its own."""

from __future__ import annotations

import doctest

import pytest

from tests.workbench.models.editor.editor_support import layer, sample_design
from workbench.models.design.validate import validate
from workbench.models.editor import DesignEditor, copy_scopes, empty_design
from workbench.models.editor.copy_scopes import next_free_scope


def test_doctests() -> None:
    assert doctest.testmod(copy_scopes).failed == 0


@pytest.mark.parametrize(
    "scope, used, expected",
    [
        ("conv1", {"conv1"}, "conv1_2"),
        ("conv1", {"conv1", "conv1_2", "conv1_3"}, "conv1_4"),
        ("conv1_2", {"conv1", "conv1_2"}, "conv1_3"),
        ("Conv1", {"conv1", "conv1_2"}, "Conv1_3"),  # name scopes ignore case
        ("block_9", {"block_9", "block_10"}, "block_11"),
        ("_", {"_"}, "__2"),
    ],
)
def test_next_free_scope(scope: str, used: set[str], expected: str) -> None:
    assert next_free_scope(scope, used) == expected


def _editor(*blocks: dict) -> DesignEditor:
    design = empty_design()
    design["blocks"] = list(blocks)
    return DesignEditor(design)


def test_a_duplicated_layer_gets_the_next_free_scope_and_the_design_stays_valid() -> None:
    editor = _editor(
        layer("conv2d", "conv1", num_outputs=4, kernel_size=[3, 3]),
        layer("conv2d", "conv1_2", num_outputs=4, kernel_size=[3, 3]),
    )
    assert editor.duplicate("blocks[0]") == "blocks[1]"
    assert [block["scope"] for block in editor.design["blocks"]] == ["conv1", "conv1_3", "conv1_2"]
    assert editor.design["blocks"][1]["args"] == editor.design["blocks"][0]["args"]
    assert validate(editor.design) == []
    editor.duplicate("blocks[1]")
    assert editor.design["blocks"][2]["scope"] == "conv1_4"


def test_the_original_without_a_new_scope_would_clash() -> None:
    # What the renaming prevents: the analysis refuses two layers in one scope.
    conv = layer("conv2d", "conv1", num_outputs=4, kernel_size=[3, 3])
    design = empty_design()
    design["blocks"] = [conv, conv]
    assert validate(design) != []


def test_a_block_without_scope_keeps_none() -> None:
    editor = _editor(layer("flatten"))
    editor.duplicate("blocks[0]")
    assert editor.design["blocks"] == [layer("flatten"), layer("flatten")]


def test_inside_a_scoped_copy_nothing_else_is_renamed() -> None:
    editor = DesignEditor(sample_design())
    residual = editor.design["blocks"][4]
    path = editor.duplicate("blocks[4]")
    twin = editor.block_at(path)
    assert twin["scope"] == residual["scope"] + "_2"
    assert twin["blocks"] == residual["blocks"]


def test_a_repeats_scope_is_renamed_not_its_layers() -> None:
    editor = DesignEditor(sample_design())
    twin = editor.block_at(editor.duplicate("blocks[2]"))
    assert (twin["scope"], twin["block"].get("scope")) == ("conv3_2", None)


def test_undo_takes_the_copy_back_with_its_name() -> None:
    editor = _editor(layer("conv2d", "conv1", num_outputs=4, kernel_size=[3, 3]))
    editor.duplicate("blocks[0]")
    editor.undo()
    assert [block["scope"] for block in editor.design["blocks"]] == ["conv1"]
    editor.duplicate("blocks[0]")
    assert editor.design["blocks"][1]["scope"] == "conv1_2"
