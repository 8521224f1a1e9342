"""The property sheet edits the selected layer's arguments through the design editor."""

from __future__ import annotations

import panel as pn
import pytest

from workbench.models.design import template
from workbench.models.editor import DesignEditor, new_block
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
    assert "must be a JSON or Python literal" in view.message
    assert view.editor.block_at(CONV1) == before


def test_python_style_values_are_typed_as_json_would_be(view):
    _widget(view, "kernel_size", pn.widgets.TextInput).value = "(5, 5)"
    assert view.editor.block_at(CONV1)["args"]["kernel_size"] == [5, 5]
    _widget(view, "stride", pn.widgets.TextInput).value = "(2, 2)"
    assert view.editor.block_at(CONV1)["args"]["stride"] == [2, 2]
    view.editor.select(None)
    _widget(view, "input.shape", pn.widgets.TextInput).value = "(32, 32, 3)"
    assert view.editor.design["input"]["shape"] == [32, 32, 3]
    assert view.message == ""


def test_picked_values_and_back_to_default(view):
    padding = _widget(view, "padding", pn.widgets.Select)
    assert padding.value == "(default)"
    padding.value = "VALID"
    assert view.editor.block_at(CONV1)["args"]["padding"] == "VALID"
    _widget(view, "padding", pn.widgets.Select).value = "(default)"
    assert "padding" not in view.editor.block_at(CONV1)["args"]


def test_hints_show_scoped_defaults_and_required_arguments(view):
    hints = " ".join(p.object for p in view.sheet().select(pn.pane.HTML))
    assert "arg_scope (blocks[0]): &#x27;relu&#x27;" in hints  # activation_fn from the scope
    assert "required" in hints  # num_outputs, kernel_size


def test_nothing_selected_edits_the_design_name_and_input(view):
    view.editor.select(None)
    _widget(view, "input.shape", pn.widgets.TextInput).value = "[32, 32, 3]"
    _widget(view, "input.dtype", pn.widgets.Select).value = "float16"
    _widget(view, "name", pn.widgets.TextInput).value = "lenet_rgb"
    design = view.editor.design
    assert (design["name"], design["input"]) == (
        "lenet_rgb",
        {"shape": [32, 32, 3], "dtype": "float16"},
    )
    _widget(view, "input.shape", pn.widgets.TextInput).value = "[32, 32"
    assert "must be a JSON or Python literal" in view.message
    assert view.editor.design == design


def test_an_arg_scope_edits_its_ops_and_defaults_like_arguments(view):
    view.editor.select("blocks[0]")
    ops = _widget(view, "ops", pn.widgets.CheckBoxGroup)
    assert ops.value == ["conv2d", "fully_connected"]
    activation = _widget(view, "activation_fn", pn.widgets.Select)
    assert activation.value == "relu"
    activation.value = "tanh"
    assert view.editor.block_at("blocks[0]")["defaults"]["activation_fn"] == "tanh"
    _widget(view, "activation_fn", pn.widgets.Select).value = "(default)"
    assert "activation_fn" not in view.editor.block_at("blocks[0]")["defaults"]
    _widget(view, "ops", pn.widgets.CheckBoxGroup).value = ["conv2d"]
    assert view.editor.block_at("blocks[0]")["ops"] == ["conv2d"]
    # Now only conv2d's arguments, among them padding, which fully_connected lacks.
    _widget(view, "padding", pn.widgets.Select).value = "VALID"
    assert view.editor.block_at("blocks[0]")["defaults"]["padding"] == "VALID"
    view.editor.select(CONV1)
    hints = " ".join(p.object for p in view.sheet().select(pn.pane.HTML))
    assert "arg_scope (blocks[0]): &#x27;VALID&#x27;" in hints


def test_a_layer_scope_is_set_and_cleared(view):
    _widget(view, "scope", pn.widgets.TextInput).value = "first_conv"
    assert view.editor.block_at(CONV1)["scope"] == "first_conv"
    _widget(view, "scope", pn.widgets.TextInput).value = ""
    assert "scope" not in view.editor.block_at(CONV1)


def test_a_repeat_edits_its_count_and_its_layer_arguments():
    editor = DesignEditor(template("lenet"))
    path = editor.insert(new_block("repeat"), "blocks", 1)
    editor.select(path)
    view = PropertiesView(editor=editor)
    _widget(view, "count", pn.widgets.TextInput).value = "3"
    _widget(view, "num_outputs", pn.widgets.TextInput).value = "8"
    assert editor.block_at(path)["count"] == 3
    assert editor.block_at(path)["block"]["args"] == {"num_outputs": 8}
    before = editor.design
    _widget(view, "count", pn.widgets.TextInput).value = "0"
    assert "`value` must be an int from 1 to 256, got 0" in view.message
    _widget(view, "count", pn.widgets.TextInput).value = "2.5"
    assert view.message == "`count` must be a whole number such as 3, got '2.5'."
    assert editor.design == before


def _shown_widget(view, name, kind):
    """A widget of the sheet on the page (not a freshly built one)."""
    sheet = view.shown_sheet
    return next(w for w in sheet.select(kind) if w.name.split(" ")[0] == name), sheet


def test_an_edit_made_in_the_sheet_keeps_it_and_refreshes_the_hints(view):
    activation, sheet = _shown_widget(view, "activation_fn", pn.widgets.Select)
    (hint,) = [p for p in sheet.select(pn.pane.HTML) if "&#x27;relu&#x27;" in p.object]
    assert "arg_scope (blocks[0]): &#x27;relu&#x27;" in hint.object
    activation.value = "tanh"
    assert view.shown_sheet is sheet  # Not built again: no widget is replaced.
    # activation_fn is the call's own now: the hint gives the function's default instead.
    assert "default: &#x27;relu&#x27;" in hint.object
    assert "#1f5f99" in hint.object  # the colour of a value the call sets
    view.editor.undo()  # An edit from elsewhere: the sheet shows the design's value again.
    activation, _ = _shown_widget(view, "activation_fn", pn.widgets.Select)
    assert activation.value == "(default)"
    assert "arg_scope (blocks[0]): &#x27;relu&#x27;" in hint.object


def test_new_ops_rebuild_an_arg_scope_sheet(view):
    view.editor.select("blocks[0]")
    ops, sheet = _shown_widget(view, "ops", pn.widgets.CheckBoxGroup)
    ops.value = ["conv2d"]
    assert view.shown_sheet is not sheet
    _shown_widget(view, "padding", pn.widgets.Select)  # conv2d's own argument is offered


def test_none_overrides_the_arg_scope_and_default_removes_it(view):
    # The arg_scope around conv1 sets activation_fn to relu: picking None must set it to
    # None on conv1 (a linear layer), not remove it (which would leave relu).
    activation = _widget(view, "activation_fn", pn.widgets.Select)
    activation.value = "None"
    assert view.editor.block_at(CONV1)["args"]["activation_fn"] is None
    _widget(view, "activation_fn", pn.widgets.Select).value = "(default)"
    assert "activation_fn" not in view.editor.block_at(CONV1)["args"]
    # Typed `null` sets None too; empty text removes the argument.
    _, text = _named(view, "weights_regularizer")
    text.value = "null"
    assert view.editor.block_at(CONV1)["args"]["weights_regularizer"] is None
    _named(view, "weights_regularizer")[1].value = ""
    assert "weights_regularizer" not in view.editor.block_at(CONV1)["args"]


def _named(view, name):
    """The name picker and JSON field of an initializer or regularizer argument."""
    for column in view.sheet().select(pn.Column):
        first = column.objects[0] if column.objects else None
        if isinstance(first, pn.widgets.Select) and first.label == name:
            return first, column.objects[1]
    raise AssertionError(f"no named-choice field {name!r}")


def test_a_named_regularizer_is_picked_then_its_scale_edited(view):
    picker, text = _named(view, "weights_regularizer")
    assert picker.options == [
        "(default)",
        "l1_regularizer",
        "l2_regularizer",
        "l1_l2_regularizer",
        "None",
    ]
    assert picker.value == "(default)"  # conv1 itself sets none; its arg_scope does.
    picker.value = "l2_regularizer"
    assert text.value == '{"name": "l2_regularizer", "scale": 0.0005}'
    args = view.editor.block_at(CONV1)["args"]
    assert args["weights_regularizer"] == {"name": "l2_regularizer", "scale": 0.0005}
    text.value = '{"name": "l1_regularizer", "scale": 0.01}'  # The picker follows the text.
    assert picker.value == "l1_regularizer"
    assert view.editor.block_at(CONV1)["args"]["weights_regularizer"]["scale"] == 0.01
    picker.value = "None"
    assert (text.value, view.editor.block_at(CONV1)["args"]["weights_regularizer"]) == (
        "null",
        None,
    )
    picker.value = "(default)"
    assert text.value == "" and "weights_regularizer" not in view.editor.block_at(CONV1)["args"]


def test_a_named_initializer_shows_what_the_block_sets(view):
    view.editor.update_args(
        CONV1, {"weights_initializer": {"name": "truncated_normal_initializer", "stddev": 0.1}}
    )
    picker, text = _named(view, "weights_initializer")
    assert (picker.value, text.value) == (
        "truncated_normal_initializer",
        '{"name": "truncated_normal_initializer", "stddev": 0.1}',
    )
    picker.value = "zeros_initializer"
    assert view.editor.block_at(CONV1)["args"]["weights_initializer"] == "zeros_initializer"


def test_a_default_an_added_op_does_not_take_is_shown_and_cleared(view):
    # padding set for conv2d alone, then fully_connected listed too: padding has no field.
    view.editor.select("blocks[0]")
    _shown_widget(view, "ops", pn.widgets.CheckBoxGroup)[0].value = ["conv2d"]
    _shown_widget(view, "padding", pn.widgets.Select)[0].value = "VALID"
    _shown_widget(view, "ops", pn.widgets.CheckBoxGroup)[0].value = ["conv2d", "fully_connected"]
    sheet = view.shown_sheet
    assert not [w for w in sheet.select(pn.widgets.Select) if w.name == "padding"]
    notes = " ".join(p.object for p in sheet.select(pn.pane.HTML))
    assert "<b>padding</b> = &quot;VALID&quot;" in notes
    assert "fully_connected takes no &#x27;padding&#x27;, so this default no longer fits" in notes
    (clear,) = [b for b in sheet.select(pn.widgets.Button) if b.label == "Clear padding"]
    clear.clicks += 1
    assert "padding" not in view.editor.block_at("blocks[0]")["defaults"]
    # Only padding went; the sheet is made again without its note.
    assert view.editor.block_at("blocks[0]")["defaults"]["activation_fn"] == "relu"
    sheet = view.shown_sheet
    assert not [b for b in sheet.select(pn.widgets.Button) if b.label.startswith("Clear")]
    view.editor.undo()
    assert view.editor.block_at("blocks[0]")["defaults"]["padding"] == "VALID"


def test_the_designs_sheet_is_kept_while_a_block_is_selected_and_shown_again(view):
    view.editor.select(None)
    design_sheet = view.shown_sheet
    name = next(w for w in design_sheet.select(pn.widgets.TextInput) if w.name == "name")
    name.value = "mine"  # edited in the sheet: it shows the edit already
    assert view.editor.design["name"] == "mine"
    view.editor.select(CONV1)
    assert view.shown_sheet is not design_sheet and not design_sheet.visible
    view.editor.select(None)  # back to the design: its sheet is not built again
    assert view.shown_sheet is design_sheet and design_sheet.visible
    view.editor.select(CONV1)
    view.editor.undo()  # the name changed elsewhere: the design's sheet is made again
    view.editor.select(None)
    assert view.shown_sheet is not design_sheet
    name = next(w for w in view.shown_sheet.select(pn.widgets.TextInput) if w.name == "name")
    assert name.value == "lenet"


def test_a_refused_value_in_the_designs_sheet_is_not_shown_again(view):
    view.editor.select(None)
    design_sheet = view.shown_sheet
    shape = next(w for w in design_sheet.select(pn.widgets.TextInput) if w.name == "input.shape")
    shape.value = "[28, 28"
    assert view.message != "" and view.editor.design["input"]["shape"] == [28, 28, 1]
    view.editor.select(CONV1)
    view.editor.select(None)  # the sheet showing the refused text is not reused
    assert view.shown_sheet is not design_sheet
    shape = next(
        w for w in view.shown_sheet.select(pn.widgets.TextInput) if w.name == "input.shape"
    )
    assert shape.value == "[28, 28, 1]"


def test_a_blocks_sheet_comes_back_with_the_blocks_current_values(view):
    conv_sheet = view.shown_sheet
    view.editor.select(None)
    view.editor.select(CONV1)  # the same block, unchanged: its sheet comes back
    assert view.shown_sheet is conv_sheet
    _shown_widget(view, "num_outputs", pn.widgets.TextInput)[0].value = "48"
    assert view.shown_sheet is conv_sheet  # edited in place
    view.editor.select(None)
    view.editor.select(CONV1)
    assert view.shown_sheet is conv_sheet
    assert _shown_widget(view, "num_outputs", pn.widgets.TextInput)[0].value == "48"
    view.editor.undo()  # changed elsewhere: the same sheet shows the design's value
    assert _shown_widget(view, "num_outputs", pn.widgets.TextInput)[0].value == "32"
    view.editor.select("blocks[0].blocks[1]")  # another op: a sheet of its own
    assert view.shown_sheet is not conv_sheet
    assert "blocks[0].blocks[1]" in view.shown_sheet.select(pn.pane.HTML)[0].object


def test_hints_and_placeholders_write_values_as_python_does(view):
    # conv1's normalizer_fn defaults to None: said `None`, as the code and the canvas say it.
    sheet = view.sheet()
    hints = [p.object for p in sheet.select(pn.pane.HTML)]
    assert any("default: None" in hint for hint in hints)
    assert not any("null" in hint for hint in hints)
    params = _widget(view, "normalizer_params", pn.widgets.TextInput)
    assert params.placeholder == "None"
    params.value = params.placeholder  # What the field shows as a hint, it reads back.
    assert view.editor.design["blocks"][0]["blocks"][0]["args"]["normalizer_params"] is None
