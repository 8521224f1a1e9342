"""Blocks of one shape share a property sheet: switching between them writes each block's
current values into it, never showing another block's, and edits go to the selected block."""

from __future__ import annotations

import panel as pn
import pytest

from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.views.panel import properties_view
from workbench.views.panel.properties_view import PropertiesView

CONV1, POOL1, CONV2 = "blocks[0].blocks[0]", "blocks[0].blocks[1]", "blocks[0].blocks[2]"


@pytest.fixture
def view():
    editor = DesignEditor(template("lenet"))
    # conv2 sets its own initializer and padding; conv1 keeps the arg_scope's and the default.
    editor.update_args(
        CONV2, {"padding": "VALID", "weights_initializer": {"name": "zeros_initializer"}}
    )
    editor.select(CONV1)
    return PropertiesView(editor=editor)


def _shown(view) -> dict[str, object]:
    """What the shown sheet says: every widget's value (text and placeholder for text), the
    heading and the hints."""
    sheet = view.shown_sheet
    values: dict[str, object] = {}
    last = ""
    for widget in sheet.select(pn.widgets.Widget):
        # The text under a name list has no label: it goes by the list's name.
        key = widget.name.split(" ")[0] or f"{last}.text"
        last = key
        if isinstance(widget, pn.widgets.TextInput):
            values[key] = (widget.value, widget.placeholder)
        else:
            values[key] = widget.value
    panes = sheet.select(pn.pane.HTML)
    values["heading"] = panes[0].object
    values["hints"] = [p.object for p in panes[1:]]
    return values


def _fresh(view) -> dict[str, object]:
    """What a sheet made anew for the selection says."""
    other = PropertiesView(editor=view.editor)
    return _shown(other)


def _text(view, name: str) -> pn.widgets.TextInput:
    sheet = view.shown_sheet
    return next(w for w in sheet.select(pn.widgets.TextInput) if w.name.split(" ")[0] == name)


def test_switching_a_to_b_to_a_shows_each_blocks_values(view):
    conv1 = _shown(view)
    assert conv1["num_outputs"] == ("32", "32") and conv1["scope"] == ("conv1", "")
    sheet = view.shown_sheet
    view.editor.select(CONV2)
    assert view.shown_sheet is sheet  # one sheet for both conv2d layers
    conv2 = _shown(view)
    assert conv2 == _fresh(view)
    assert conv2["num_outputs"] == ("64", "64") and conv2["scope"] == ("conv2", "")
    assert conv2["padding"] == "VALID" and conv2["weights_initializer"] == "zeros_initializer"
    assert CONV2 in conv2["heading"]
    view.editor.select(CONV1)
    assert _shown(view) == conv1 == _fresh(view)
    assert conv1["padding"] == "(default)"
    # conv1 sets no initializer: the list says so, the text's placeholder gives the scope's.
    assert conv1["weights_initializer"] == "(default)"
    text, placeholder = conv1["weights_initializer.text"]
    assert text == "" and "truncated_normal_initializer" in placeholder
    assert conv2["weights_initializer.text"][0] == '{"name": "zeros_initializer"}'


def test_switching_through_another_op_keeps_both_sheets_right(view):
    conv1 = _shown(view)
    for path in (POOL1, CONV2, POOL1, CONV1):
        view.editor.select(path)
        assert _shown(view) == _fresh(view), path
    assert _shown(view) == conv1
    assert len(view._holder.objects) == 2  # conv2d's sheet and max_pool2d's: no design one


def test_an_edit_goes_to_the_selected_block_only(view):
    view.editor.select(CONV2)
    _text(view, "num_outputs").value = "50"
    assert view.editor.block_at(CONV2)["args"]["num_outputs"] == 50
    assert view.editor.block_at(CONV1)["args"]["num_outputs"] == 32
    view.editor.select(CONV1)
    _text(view, "num_outputs").value = "20"
    _text(view, "scope").value = "first"
    assert view.editor.block_at(CONV1)["args"]["num_outputs"] == 20
    assert view.editor.block_at(CONV1)["scope"] == "first"
    assert view.editor.block_at(CONV2)["args"]["num_outputs"] == 50
    assert view.editor.block_at(CONV2)["scope"] == "conv2"
    view.editor.select(CONV2)
    assert _text(view, "num_outputs").value == "50" and _text(view, "scope").value == "conv2"


def test_switching_blocks_changes_nothing_in_the_design(view):
    design, undo = view.editor.design, view.editor.can_undo
    for path in (CONV2, POOL1, CONV1, CONV2, None, CONV1):
        view.editor.select(path)
    assert view.editor.design == design and view.editor.can_undo == undo
    assert view.message == ""


def test_a_change_made_elsewhere_shows_in_a_kept_sheet(view):
    view.editor.select(CONV2)
    view.editor.update_args(CONV1, {"num_outputs": 7})  # not through the sheet
    view.editor.select(CONV1)
    assert _text(view, "num_outputs").value == "7"
    view.editor.undo()  # while conv1 is shown (undo may select the block it changes)
    assert _shown(view) == _fresh(view)
    view.editor.select(CONV1)
    assert _text(view, "num_outputs").value == "32"


def test_a_refused_value_is_not_shown_for_another_block(view):
    _text(view, "kernel_size").value = "[5, 5"
    assert "must be a JSON or Python literal" in view.message
    view.editor.select(CONV2)
    assert _text(view, "kernel_size").value == "[5, 5]"
    view.editor.select(CONV1)
    assert _text(view, "kernel_size").value == "[5, 5]"
    assert view.editor.block_at(CONV1)["args"]["kernel_size"] == [5, 5]


def test_kept_sheets_are_bounded_least_recently_shown_first(view):
    assert view.kept_sheets == properties_view.MAX_KEPT_SHEETS == 8
    view.kept_sheets = 2
    flatten, fc3 = "blocks[0].blocks[4]", "blocks[0].blocks[5]"
    conv_sheet = view.shown_sheet
    view.editor.select(POOL1)
    view.editor.select(CONV2)  # conv2d shown again: max_pool2d is now the oldest
    view.editor.select(flatten)
    kept = view._holder.objects
    assert len(kept) == 2 and conv_sheet in kept
    view.editor.select(fc3)
    assert len(view._holder.objects) == 2 and conv_sheet not in view._holder.objects
    view.editor.select(CONV1)
    assert _shown(view) == _fresh(view)


def test_with_no_sheets_kept_every_selection_gets_a_new_sheet(view):
    view.kept_sheets = 0
    first = view.shown_sheet
    view.editor.select(CONV2)
    assert view.shown_sheet is not first and len(view._holder.objects) == 1
    assert _shown(view) == _fresh(view)


def test_sheets_keep_their_place_and_hidden_ones_name_no_block(view):
    view.editor.select(POOL1)
    view.editor.select(CONV2)
    shown, hidden = view._holder.objects  # conv2d's sheet was made first
    assert shown is view.shown_sheet and shown.visible and not hidden.visible
    assert CONV2 in shown.select(pn.pane.HTML)[0].object
    assert hidden.select(pn.pane.HTML)[0].object == ""  # was max_pool2d's, at POOL1


def test_one_arg_scope_sheet_is_kept_whatever_its_edits(view):
    for padding in ("VALID", "SAME", None):
        view.editor.select("blocks[0]")
        defaults = dict(view.editor.block_at("blocks[0]")["defaults"])
        defaults.pop("padding", None)
        if padding:
            defaults["padding"] = padding
        view.editor.set_field("blocks[0]", "defaults", defaults)  # from elsewhere
        view.editor.select(CONV1)
    scopes = [s for s in view._blocks if s.shape[0] == "arg_scope"]
    assert len(scopes) == 1 and len(view._holder.objects) == 2
