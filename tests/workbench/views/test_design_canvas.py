"""The canvas's Python side: browser messages -> `DesignEditor` calls, and editor -> canvas.

No browser here; tests/ui/test_canvas_browser.py drags and drops in a real one.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from workbench.models.design import kinds, template
from workbench.models.editor import DesignEditor, empty_design, new_block
from workbench.views.panel.canvas import (
    ACTIONS,
    STRUCTURE_PALETTE,
    DesignCanvas,
    component,
    editor_view,
    palette_block,
)

CANVAS_DIR = Path(component.__file__).parent
PALETTE = [
    {"group": "convolution", "op": "conv2d", "doc": "2-D convolution."},
    {"group": "core", "op": "flatten", "doc": "Flatten."},
]


def small_design() -> dict:
    """conv1, an arg_scope holding conv2, a repeat, then flat (paths blocks[0..3])."""
    design = empty_design("small", (8, 8, 1))
    design["blocks"] = [
        {**new_block("conv2d"), "scope": "conv1"},
        {**new_block("arg_scope"), "ops": ["conv2d"], "blocks": [{**new_block("conv2d"), "scope": "conv2"}]},
        {**new_block("repeat"), "scope": "conv3"},
        {**new_block("flatten"), "scope": "flat"},
    ]  # fmt: skip
    return design


def top(canvas: DesignCanvas) -> list[str]:
    return [b.get("scope") or b.get("op") or b["kind"] for b in canvas.spec["blocks"]]


@pytest.fixture
def canvas() -> DesignCanvas:
    return DesignCanvas(DesignEditor(small_design()), palette=PALETTE)


def test_starts_showing_the_editor_state(canvas):
    assert canvas.spec == small_design()
    assert (canvas.selected, canvas.can_undo, canvas.can_redo, canvas.message) == (
        None,
        False,
        False,
        "",
    )
    assert canvas.editor.design is canvas.spec


def test_a_canvas_without_editor_makes_an_empty_one():
    canvas = DesignCanvas()
    assert canvas.spec["blocks"] == [] and isinstance(canvas.editor, DesignEditor)


INSERTS = [
    (
        {"op": "conv2d"},
        "blocks",
        1,
        "blocks[1]",
        {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 32, "kernel_size": [3, 3]}},
    ),
    ({"kind": "residual"}, "blocks[1].blocks", 0, "blocks[1].blocks[0]", new_block("residual")),
    ({"kind": "net", "op": "vgg_16"}, "blocks", 4, "blocks[4]", new_block("net", name="vgg_16")),
    ({"kind": "layer", "op": "flatten"}, "blocks", 0, "blocks[0]", new_block("flatten")),
]


@pytest.mark.parametrize(
    "entry, container, index, path, block", INSERTS, ids=["op", "structure", "net", "layer-kind"]
)
def test_insert_message_inserts_the_palette_block(canvas, entry, container, index, path, block):
    assert canvas.apply({"action": "insert", **entry, "container": container, "index": index})
    assert canvas.editor.block_at(path) == block
    assert canvas.selected == path and canvas.can_undo


def test_move_message_moves_and_selects(canvas):
    assert canvas.apply({"action": "move", "path": "blocks[3]", "container": "blocks", "index": 0})
    assert top(canvas) == ["flat", "conv1", "arg_scope", "conv3"]
    assert canvas.apply(
        {"action": "move", "path": "blocks[1]", "container": "blocks[2].blocks", "index": 1}
    )
    assert canvas.selected == "blocks[1].blocks[1]"
    assert [b["scope"] for b in canvas.spec["blocks"][1]["blocks"]] == ["conv2", "conv1"]


def test_replace_layer_message_puts_a_new_layer_in_a_repeat(canvas):
    assert canvas.apply({"action": "replace_layer", "path": "blocks[2]", "op": "max_pool2d"})
    assert canvas.spec["blocks"][2]["block"] == {
        "kind": "layer",
        "op": "max_pool2d",
        "args": {"kernel_size": [2, 2]},
    }
    assert canvas.selected == "blocks[2].block"


def test_select_delete_duplicate_undo_redo_messages(canvas):
    assert canvas.apply({"action": "select", "path": "blocks[1].blocks[0]"})
    assert canvas.selected == "blocks[1].blocks[0]"
    assert canvas.apply({"action": "duplicate", "path": "blocks[0]"})
    assert top(canvas) == ["conv1", "conv1_2", "arg_scope", "conv3", "flat"]
    assert canvas.apply({"action": "delete", "path": "blocks[4]"})
    assert top(canvas) == ["conv1", "conv1_2", "arg_scope", "conv3"]
    assert canvas.apply({"action": "undo"})
    assert top(canvas)[-1] == "flat" and canvas.can_redo
    assert canvas.apply({"action": "redo"})
    assert top(canvas)[-1] == "conv3" and not canvas.can_redo
    assert canvas.apply({"action": "select", "path": None})
    assert canvas.selected is None


def test_branch_messages(canvas):
    canvas.apply({"action": "insert", "kind": "branches", "container": "blocks", "index": 0})
    assert canvas.apply({"action": "add_branch", "path": "blocks[0]"})
    assert canvas.spec["blocks"][0]["branches"] == [[], [], []]
    assert canvas.apply({"action": "remove_branch", "path": "blocks[0]", "branch": 0})
    assert canvas.spec["blocks"][0]["branches"] == [[], []]


REFUSED = [
    ({"action": "move", "path": "blocks[1]", "container": "blocks[1].blocks", "index": 0},
     r"DesignEditor.move: cannot move 'blocks\[1\]' into itself"),
    ({"action": "insert", "op": "conv2d", "container": "blocks[0]", "index": 0},
     r"`container_path` must be the path of a list of blocks"),
    ({"action": "insert", "kind": "stak", "container": "blocks", "index": 0},
     r"DesignCanvas: a palette entry must have an `op` or a `kind` among repeat, stack, arg_scope, residual, branches, net, got \{'kind': 'stak'\}. Did you mean 'stack'\?"),
    ({"action": "delete", "path": "blocks[2].block"}, r"cannot delete 'blocks\[2\].block'"),
    ({"action": "undo"}, r"DesignEditor.undo: there is nothing to undo"),
    ({"action": "explode"}, r"DesignCanvas: `action` must be one of insert, move, .*got 'explode'"),
    ({"action": "move", "path": "blocks[0]"}, r"DesignCanvas: a 'move' message needs container, index"),
    (["delete", "blocks[0]"], r"DesignCanvas: a message must be a dict"),
    ({"action": "insert", "op": "conv2d", "container": "blocks", "index": "1"}, r"`index` must be an int, got '1'"),
]  # fmt: skip


@pytest.mark.parametrize(
    "msg, match", REFUSED, ids=lambda v: None if isinstance(v, str) else str(v)[:40]
)
def test_a_refused_message_changes_nothing_and_says_why(canvas, msg, match):
    assert canvas.apply(msg) is False
    assert re.search(match, canvas.message), canvas.message
    assert canvas.spec == small_design() and not canvas.can_undo


def test_the_next_accepted_message_clears_the_reason(canvas):
    canvas.apply({"action": "undo"})
    assert canvas.message
    canvas.apply({"action": "select", "path": "blocks[0]"})
    assert canvas.message == ""


def test_browser_messages_arrive_through_handle_msg(canvas):
    canvas._handle_msg({"action": "delete", "path": "blocks[0]"})
    assert top(canvas) == ["arg_scope", "conv3", "flat"]


def test_edits_made_elsewhere_reach_the_canvas(canvas):
    canvas.editor.update_args("blocks[0]", {"num_outputs": 4})
    canvas.editor.select("blocks[3]")
    assert canvas.spec["blocks"][0]["args"] == {"num_outputs": 4}
    assert canvas.selected == "blocks[3]" and canvas.can_undo


def test_validate_sends_status_with_the_design_in_one_update():
    seen = []
    canvas = DesignCanvas(
        DesignEditor(small_design()), validate=lambda d: {"count": len(d["blocks"])}
    )
    assert canvas.status == {"count": 4}
    canvas.param.watch(
        lambda *events: seen.append(sorted(e.name for e in events)), ["spec", "status"]
    )
    canvas.apply({"action": "delete", "path": "blocks[0]"})
    assert canvas.status == {"count": 3}
    assert seen == [["spec", "status"]]
    canvas.apply({"action": "select", "path": "blocks[0]"})  # no design change: no revalidation
    assert seen == [["spec", "status"]]


def test_inherited_arguments_follow_the_design_in_the_same_update():
    editor = DesignEditor(template("lenet"))
    canvas = DesignCanvas(editor)
    conv1 = "blocks[0].blocks[0]"
    assert canvas.inherited[conv1]["activation_fn"] == {"value": "relu", "from": "blocks[0]"}
    seen = []
    canvas.param.watch(
        lambda *events: seen.append(sorted(e.name for e in events)), ["spec", "inherited"]
    )
    editor.update_args(conv1, {"activation_fn": "tanh"})  # Set by the layer: not inherited.
    assert "activation_fn" not in canvas.inherited[conv1]
    assert seen == [["inherited", "spec"]]


def test_editor_view_takes_a_mapping_a_function_or_nothing():
    editor = DesignEditor(small_design())
    fixed = editor_view(editor, PALETTE, {"blocks[0]": {"error": "bad"}}, height=500)
    assert fixed.status == {"blocks[0]": {"error": "bad"}} and fixed.height == 500
    assert fixed.palette == PALETTE and fixed.palette[0] is not PALETTE[0]
    live = editor_view(
        editor, PALETTE, lambda d: {f"blocks[{i}]": {} for i in range(len(d["blocks"]))}
    )
    editor.delete("blocks[0]")
    assert sorted(live.status) == ["blocks[0]", "blocks[1]", "blocks[2]"]
    assert editor_view(editor, PALETTE).status == {}
    assert fixed.spec == live.spec == editor.design


def test_palette_block_and_structure_palette():
    assert [entry["kind"] for entry in STRUCTURE_PALETTE] == [
        "repeat", "stack", "arg_scope", "residual", "branches"
    ]  # fmt: skip
    for entry in STRUCTURE_PALETTE:
        assert palette_block(entry)["kind"] == entry["kind"]
        assert entry["doc"]
    constants = DesignCanvas(DesignEditor())._constants
    assert constants["structure"] == STRUCTURE_PALETTE
    # How each kind is drawn comes from the kind table, not from canvas.js.
    assert list(constants["kinds"]) == list(kinds.KIND_TABLE)
    assert constants["kinds"]["residual"]["body"] == [
        {"field": "blocks", "type": "blocks", "title": "main path", "hint": "Drop layers here"},
        {
            "field": "shortcut",
            "type": "blocks",
            "title": "shortcut",
            "hint": "Identity shortcut: drop layers here to project it",
        },
    ]
    assert constants["kinds"]["net"]["chips"] == "options"
    assert constants["kinds"]["arg_scope"]["chips"] == "defaults"
    with pytest.raises(ValueError, match="a palette entry must have an `op` or a `kind`"):
        palette_block({"group": "core"})


def test_every_message_action_is_handled(canvas):
    assert set(ACTIONS) == {
        "insert", "move", "replace_layer", "select", "delete", "duplicate",
        "add_branch", "remove_branch", "undo", "redo",
    }  # fmt: skip
    source = (CANVAS_DIR / "canvas.js").read_text()
    for action in ACTIONS:
        assert f'action: "{action}"' in source, f"canvas.js never sends {action!r}"


def test_renders_a_bokeh_model_with_the_design_and_the_browser_code(canvas):
    model = canvas.get_root()
    assert "export function render" in model.esm
    assert model.data.spec == canvas.spec
    assert model.data.palette == PALETTE
    assert canvas.height == 640 and canvas.sizing_mode == "stretch_width"


def test_browser_code_loads_nothing_from_elsewhere():
    # The page must work offline: no imports (which would go to a CDN), no URLs.
    for name in ("canvas.js", "canvas.css"):
        text = (CANVAS_DIR / name).read_text()
        assert not re.search(r"^\s*import\b|\bimport\(|@import|https?://|url\(", text, re.M), name


def test_params_have_docs():
    own = set(DesignCanvas.param) - set(component.JSComponent.param)
    assert own == {
        *("spec", "selected", "can_undo", "can_redo", "palette", "status", "message"),
        "inherited",
    }
    for name in own:
        assert DesignCanvas.param[name].doc, name


def test_docstring_examples_run():
    assert doctest.testmod(component).failed == 0
