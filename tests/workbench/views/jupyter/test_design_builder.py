"""The compact design builder edits the design through its editor and shows shapes and code."""

from __future__ import annotations

from workbench.models.design import new_design
from workbench.models.editor import DesignEditor
from workbench.views.jupyter.design_builder import DesignBuilder


def _builder():
    return DesignBuilder(DesignEditor(new_design("tiny", [8, 8, 1], [])))


def test_adding_layers_shows_their_output_shapes_and_code():
    builder = _builder()
    assert builder.add_layer("conv2d", '{"num_outputs": 4, "kernel_size": [3, 3]}')
    assert builder.add_layer("max_pool2d", '{"kernel_size": [2, 2]}')
    assert "[8, 8, 4]" in builder.blocks.value and "[4, 4, 4]" in builder.blocks.value
    assert "40 params" in builder.blocks.value  # 3*3*1*4 + 4, by hand
    assert "slim.conv2d" in builder.code.value


def test_a_layer_missing_arguments_is_marked_and_undo_removes_it():
    builder = _builder()
    builder.add_layer("conv2d", "{}")
    assert "num_outputs" in builder.blocks.value and "#b3261e" in builder.blocks.value
    builder.undo.click()
    assert builder.editor.design["blocks"] == []


def test_bad_argument_text_is_refused_with_a_message_and_nothing_changes():
    builder = _builder()
    assert not builder.add_layer("conv2d", "[1, 2")
    assert "JSON" in builder.message.value
    assert not builder.add_layer("conv2d", "[1, 2]")
    assert "must be a JSON object" in builder.message.value
    assert builder.editor.design["blocks"] == []


def test_a_change_made_in_code_shows_in_the_widget():
    builder = _builder()
    builder.editor.insert({"kind": "layer", "op": "flatten", "args": {}}, "blocks")
    assert "flatten" in builder.blocks.value
    builder.delete_last.click()
    assert "flatten" not in builder.blocks.value
