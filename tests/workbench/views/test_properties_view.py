"""The property sheet edits the selected layer's arguments through the design editor."""

from __future__ import annotations

import panel as pn
import pytest

from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.views.panel.properties_view import PropertiesView

CONV1 = "blocks[0].blocks[0]"


@pytest.fixture
def view():
    editor = DesignEditor(template("lenet"))
    editor.select(CONV1)
    return PropertiesView(editor=editor)


def _widget(view, name, kind):
    return next(w for w in view.sheet().select(kind) if w.name.split(" ")[0] == name)


def test_typed_json_sets_the_argument_and_empty_text_removes_it(view):
    field = _widget(view, "num_outputs", pn.widgets.TextInput)
    assert field.value == "32"
    field.value = "48"
    assert view.editor.block_at(CONV1)["args"]["num_outputs"] == 48
    stride = _widget(view, "stride", pn.widgets.TextInput)
    stride.value = "[2, 2]"
    assert view.editor.block_at(CONV1)["args"]["stride"] == [2, 2]
    stride.value = ""
    assert "stride" not in view.editor.block_at(CONV1)["args"]


def test_broken_json_is_refused_with_a_message_and_changes_nothing(view):
    before = view.editor.block_at(CONV1)
    _widget(view, "kernel_size", pn.widgets.TextInput).value = "[5, 5"
    assert "must be a JSON literal" in view.message
    assert view.editor.block_at(CONV1) == before


def test_picked_values_and_back_to_default(view):
    padding = _widget(view, "padding", pn.widgets.Select)
    assert padding.value == "(default)"
    padding.value = "VALID"
    assert view.editor.block_at(CONV1)["args"]["padding"] == "VALID"
    _widget(view, "padding", pn.widgets.Select).value = "(default)"
    assert "padding" not in view.editor.block_at(CONV1)["args"]


def test_hints_show_scoped_defaults_and_required_arguments(view):
    hints = " ".join(p.object for p in view.sheet().select(pn.pane.HTML))
    assert "arg_scope (blocks[0]): &quot;relu&quot;" in hints  # activation_fn from the scope
    assert "required" in hints  # num_outputs, kernel_size
    view.editor.select("blocks[0]")
    assert "arg_scope" in view.sheet().object  # a structure block has no property sheet
