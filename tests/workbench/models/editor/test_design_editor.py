"""`DesignEditor`: each edit on the sample design, selection, undo/redo, and every error."""

from __future__ import annotations

import copy
import doctest
import subprocess
import sys

import pytest

from tests.workbench.models.editor.editor_support import (
    SAMPLE_OUTLINE,
    layer,
    outline,
    sample_design,
)
from workbench.models.editor import NULL, DesignEditor, new_block
from workbench.models.editor import editor as editor_module


def top_labels(editor: DesignEditor) -> list[str]:
    """Labels of the top-level blocks (see `outline`)."""
    return [line.split("=")[1] for line in outline(editor.design) if "." not in line.split("=")[0]]


def test_starts_empty_or_on_a_copy_of_the_design():
    assert DesignEditor().design["blocks"] == []
    design = sample_design()
    editor = DesignEditor(design)
    design["blocks"].clear()
    assert outline(editor.design) == SAMPLE_OUTLINE
    assert (editor.selected, editor.can_undo, editor.can_redo) == (None, False, False)


def test_state_params_are_constant_and_documented():
    editor = DesignEditor()
    with pytest.raises(TypeError, match="Constant parameter 'design' cannot be modified"):
        editor.design = sample_design()
    for name, parameter in DesignEditor.param.objects().items():
        assert name == "name" or parameter.doc, f"{name} has no doc"


# ----------------------------------------------------------------------------------- insert


@pytest.mark.parametrize(
    "container, index, path",
    [
        ("blocks", None, "blocks[6]"),
        ("blocks", 0, "blocks[0]"),
        ("blocks[1].blocks", 1, "blocks[1].blocks[1]"),
        ("blocks[3].branches[1]", 0, "blocks[3].branches[1][0]"),
        ("blocks[4].shortcut", None, "blocks[4].shortcut[0]"),
    ],
    ids=["append", "first", "arg_scope", "empty-branch", "shortcut"],
)
def test_insert_puts_a_copy_in_place_and_selects_it(editor, container, index, path):
    block = layer("conv2d", "new", num_outputs=2)
    assert editor.insert(block, container, index) == path
    assert editor.block_at(path) == block
    assert editor.selected == path
    block["args"]["num_outputs"] = 99
    assert editor.block_at(path)["args"] == {"num_outputs": 2}
    assert editor.can_undo and not editor.can_redo


def test_insert_a_structure_block_then_fill_it(editor):
    path = editor.insert(new_block("arg_scope"), "blocks", 1)
    editor.set_field(path, "ops", ["conv2d", "max_pool2d"])
    editor.insert(new_block("conv2d"), "blocks[1].blocks")
    assert editor.design["blocks"][1] == {
        "kind": "arg_scope",
        "ops": ["conv2d", "max_pool2d"],
        "defaults": {},
        "blocks": [{"kind": "layer", "op": "conv2d", "args": {}}],
    }
    assert top_labels(editor) == [
        "conv1",
        "arg_scope",
        "arg_scope",
        "conv3",
        "mixed",
        "res",
        "flat",
    ]


# ------------------------------------------------------------------------------------- move


@pytest.mark.parametrize(
    "path, index, labels",
    [
        ("blocks[0]", 6, ["arg_scope", "conv3", "mixed", "res", "flat", "conv1"]),
        ("blocks[0]", 2, ["arg_scope", "conv1", "conv3", "mixed", "res", "flat"]),
        ("blocks[5]", 0, ["flat", "conv1", "arg_scope", "conv3", "mixed", "res"]),
        ("blocks[3]", 2, ["conv1", "arg_scope", "mixed", "conv3", "res", "flat"]),
    ],
    ids=["first-to-end", "first-down-one", "last-to-front", "up-one"],
)
def test_move_within_a_list_uses_the_gap_before_removal(editor, path, index, labels):
    editor.move(path, "blocks", index)
    assert top_labels(editor) == labels


@pytest.mark.parametrize("index", [2, 3], ids=["gap-before", "gap-after"])
def test_moving_next_to_itself_changes_nothing_and_adds_no_history(editor, index):
    assert editor.move("blocks[2]", "blocks", index) == "blocks[2]"
    assert outline(editor.design) == SAMPLE_OUTLINE
    assert editor.selected == "blocks[2]" and not editor.can_undo


def test_move_into_a_later_container_follows_the_shift(editor):
    # blocks[0] leaves first, so the residual at blocks[4] becomes blocks[3].
    assert editor.move("blocks[0]", "blocks[4].shortcut", 0) == "blocks[3].shortcut[0]"
    assert editor.block_at("blocks[3].shortcut[0]")["scope"] == "conv1"
    assert top_labels(editor) == ["arg_scope", "conv3", "mixed", "res", "flat"]


def test_move_out_of_a_container_and_between_branches(editor):
    assert editor.move("blocks[1].blocks[0]", "blocks", 0) == "blocks[0]"
    assert editor.design["blocks"][2]["blocks"] == []
    assert editor.move("blocks[4].branches[0][0]", "blocks[4].branches[1]", 0) == (
        "blocks[4].branches[1][0]"
    )
    assert editor.design["blocks"][4]["branches"] == [
        [],
        [layer("max_pool2d", "left", kernel_size=[2, 2])],
    ]


def test_move_a_container_with_its_children(editor):
    assert editor.move("blocks[4]", "blocks[1].blocks", 0) == "blocks[1].blocks[0]"
    assert "blocks[1].blocks[0].blocks[0]=res_a" in outline(editor.design)


# ------------------------------------------------------------------------ delete, duplicate


def test_delete_removes_the_block_and_what_it_holds(editor):
    editor.delete("blocks[4]")
    assert [line for line in outline(editor.design) if "res" in line] == []
    editor.delete("blocks[0]")
    assert top_labels(editor) == ["arg_scope", "conv3", "mixed", "flat"]


def test_duplicate_inserts_an_independent_copy_after(editor):
    assert editor.duplicate("blocks[1]") == "blocks[2]"
    original, twin = editor.design["blocks"][1], editor.design["blocks"][2]
    # The same, but for the scope of the layer inside the arg_scope (which has none).
    assert twin["blocks"][0].pop("scope") == "conv2_2"
    assert original["blocks"][0].pop("scope") == "conv2"
    assert original == twin
    editor.undo()
    editor.duplicate("blocks[1]")
    editor.update_args("blocks[2].blocks[0]", {"num_outputs": 1})
    assert editor.design["blocks"][1]["blocks"][0]["args"]["num_outputs"] == 8
    assert editor.duplicate("blocks[4].branches[0][0]") == "blocks[4].branches[0][1]"


# ---------------------------------------------------------------------- args and fields


def test_update_args_sets_replaces_and_unsets(editor):
    editor.update_args("blocks[0]", {"stride": (2, 2), "num_outputs": 16, "kernel_size": None})
    assert editor.design["blocks"][0]["args"] == {"num_outputs": 16, "stride": [2, 2]}
    editor.update_args("blocks[0]", {"padding": None})  # not set: nothing to remove
    assert editor.design["blocks"][0]["args"] == {"num_outputs": 16, "stride": [2, 2]}


def test_update_args_null_sets_none_where_none_removes(editor):
    editor.update_args("blocks[0]", {"activation_fn": NULL})
    assert editor.block_at("blocks[0]")["args"]["activation_fn"] is None
    assert repr(NULL) == "NULL"
    editor.update_args("blocks[0]", {"activation_fn": None})
    assert "activation_fn" not in editor.block_at("blocks[0]")["args"]


def test_update_args_on_a_repeats_layer_and_a_net(editor):
    editor.update_args("blocks[2].block", {"num_outputs": 32})
    assert editor.design["blocks"][2]["block"]["args"]["num_outputs"] == 32
    path = editor.insert(new_block("net", name="vgg_16"), "blocks")
    editor.update_args(path, {"num_classes": 10, "is_training": False})
    assert editor.block_at(path)["options"] == {"num_classes": 10, "is_training": False}


FIELDS = [
    ("blocks[2]", "count", 3, ("blocks", 2, "count"), 3),
    ("blocks[2]", "block", layer("max_pool2d"), ("blocks", 2, "block", "op"), "max_pool2d"),
    ("blocks[1]", "defaults", {"stride": (1, 1)}, ("blocks", 1, "defaults"), {"stride": [1, 1]}),
    ("blocks[1]", "ops", ["conv2d", "max_pool2d"], ("blocks", 1, "ops"), ["conv2d", "max_pool2d"]),
    ("blocks[3]", "axis", 1, ("blocks", 3, "axis"), 1),
    ("blocks[4]", "scope", "block1", ("blocks", 4, "scope"), "block1"),
    ("blocks[0]", "op", "separable_conv2d", ("blocks", 0, "op"), "separable_conv2d"),
    ("", "name", "tinier", ("name",), "tinier"),
    ("", "input", {"shape": [4, 4, 3], "dtype": "float32"}, ("input", "shape"), [4, 4, 3]),
]


@pytest.mark.parametrize(
    "path, field, value, where, expected",
    FIELDS,
    ids=[f"{f[0] or 'design'}-{f[1]}" for f in FIELDS],
)
def test_set_field(editor, path, field, value, where, expected):
    editor.set_field(path, field, value)
    found = editor.design
    for step in where:
        found = found[step]
    assert found == expected


def test_set_field_scope_none_removes_the_scope(editor):
    editor.set_field("blocks[0]", "scope", None)
    assert "scope" not in editor.design["blocks"][0]


def test_residual_activation_and_net_scope(editor):
    editor.set_field("blocks[4]", "activation", "relu")
    assert editor.design["blocks"][4]["activation"] == "relu"
    editor.set_field("blocks[4]", "activation", None)
    assert "activation" not in editor.design["blocks"][4]
    path = editor.insert(new_block("net", name="vgg_16"), "blocks")
    editor.set_field(path, "scope", "tower")
    assert editor.block_at(path)["scope"] == "tower"
    with pytest.raises(
        TypeError, match=r"`value` must be an activation name such as 'relu', or null, got 3\."
    ):
        editor.set_field("blocks[4]", "activation", 3)


def test_add_and_remove_branches(editor):
    assert editor.add_branch("blocks[3]") == "blocks[3].branches[2]"
    assert editor.add_branch("blocks[3]", 0) == "blocks[3].branches[0]"
    assert [len(b) for b in editor.design["blocks"][3]["branches"]] == [0, 1, 0, 0]
    editor.remove_branch("blocks[3]", 1)
    assert editor.design["blocks"][3]["branches"] == [[], [], []]


# -------------------------------------------------------------------------------- selection


def test_selection_follows_its_block_through_edits(editor):
    editor.select("blocks[5]")
    editor.delete("blocks[0]")
    assert editor.selected == "blocks[4]"
    editor.update_args("blocks[0].blocks[0]", {"stride": 2})
    assert editor.selected == "blocks[4]"
    editor.delete("blocks[4]")
    assert editor.selected is None


def test_select_normalises_and_clears(editor):
    editor.select("blocks[03].branches[0][0]")
    assert editor.selected == "blocks[3].branches[0][0]"
    editor.select(None)
    assert editor.selected is None
    assert not editor.can_undo  # selecting is not an edit


# -------------------------------------------------------------------------------- undo/redo


def test_undo_and_redo_walk_the_history(editor):
    editor.insert(new_block("conv2d"), "blocks", 0)  # 1
    editor.update_args("blocks[0]", {"num_outputs": 3})  # 2
    editor.move("blocks[0]", "blocks", 7)  # 3
    after = copy.deepcopy(editor.design)
    editor.undo()
    assert editor.design["blocks"][0] == layer("conv2d", num_outputs=3)
    assert editor.selected == "blocks[0]" and editor.can_redo
    editor.undo()
    editor.undo()
    assert outline(editor.design) == SAMPLE_OUTLINE and editor.selected is None
    assert (editor.can_undo, editor.can_redo) == (False, True)
    editor.redo()
    editor.redo()
    editor.redo()
    assert editor.design == after and editor.selected == "blocks[6]"
    assert (editor.can_undo, editor.can_redo) == (True, False)


def test_a_new_edit_clears_redo(editor):
    editor.delete("blocks[5]")
    editor.undo()
    editor.delete("blocks[0]")
    assert not editor.can_redo
    with pytest.raises(ValueError, match=r"DesignEditor.redo: there is nothing to redo"):
        editor.redo()


def test_history_is_bounded(editor):
    editor.history_limit = 3
    for count in range(2, 7):
        editor.set_field("blocks[2]", "count", count)
    for expected in (5, 4, 3):
        editor.undo()
        assert editor.design["blocks"][2]["count"] == expected
    assert not editor.can_undo


def test_load_clears_history_and_selection(editor):
    editor.delete("blocks[0]")
    editor.select("blocks[0]")
    editor.load(sample_design())
    assert outline(editor.design) == SAMPLE_OUTLINE
    assert (editor.selected, editor.can_undo, editor.can_redo) == (None, False, False)


def test_each_edit_replaces_the_design_dict_so_watchers_fire(editor):
    seen = []
    editor.param.watch(
        lambda *events: seen.append([e.name for e in events]), ["design", "selected"]
    )
    editor.update_args("blocks[0]", {"stride": 2})
    editor.select("blocks[1]")
    editor.undo()
    # One batch per edit: watchers never see a design with a stale selection.
    assert seen == [["design"], ["selected"], ["design", "selected"]]


# ----------------------------------------------------------------------------------- errors

ERRORS = [
    ("insert-into-block", lambda e: e.insert(new_block("conv2d"), "blocks[0]"), ValueError,
     r"DesignEditor.insert: `container_path` must be the path of a list of blocks, such as `blocks`, .* got 'blocks\[0\]', which is a block"),
    ("insert-into-branches", lambda e: e.insert(new_block("conv2d"), "blocks[3].branches"), ValueError,
     r"got 'blocks\[3\].branches', which is the list of branches of a 'branches' block"),
    ("insert-unknown-path", lambda e: e.insert(new_block("conv2d"), "blocks[9].blocks"), ValueError,
     r"DesignEditor.insert: `container_path` 'blocks\[9\].blocks' does not exist: index 9 is out of range, 'blocks' holds 6 blocks"),
    ("insert-into-layer", lambda e: e.insert(new_block("conv2d"), "blocks[0].blocks"), ValueError,
     r"'blocks\[0\]' \(a 'layer' block\) has no `blocks`; it holds no other blocks"),
    ("insert-index-range", lambda e: e.insert(new_block("conv2d"), "blocks[1].blocks", 2), ValueError,
     r"DesignEditor.insert: `index` must be between 0 and 1 \('blocks\[1\].blocks' holds 1\), got 2"),
    ("insert-index-negative", lambda e: e.insert(new_block("conv2d"), "blocks", -1), ValueError,
     r"`index` must be between 0 and 6 \('blocks' holds 6\), got -1"),
    ("insert-index-type", lambda e: e.insert(new_block("conv2d"), "blocks", "0"), TypeError,
     r"DesignEditor.insert: `index` must be an int, got '0' \(str\)"),
    ("insert-bad-block", lambda e: e.insert({"kind": "lyer"}, "blocks"), ValueError,
     r"DesignEditor.insert: `block.kind` must be one of layer, repeat, .* got 'lyer'. Did you mean 'layer'\?"),
    ("insert-repeat-of-stack", lambda e: e.insert({**new_block("repeat"), "block": new_block("stack")}, "blocks"), ValueError,
     r"`block.block.kind` must be 'layer' \(repeat calls one layer `count` times\), got 'stack'"),
    ("move-into-itself", lambda e: e.move("blocks[4]", "blocks[4].shortcut", 0), ValueError,
     r"DesignEditor.move: cannot move 'blocks\[4\]' into itself: `container_path` 'blocks\[4\].shortcut' lies inside it"),
    ("move-into-own-branch", lambda e: e.move("blocks[3]", "blocks[03].branches[1]", 0), ValueError,
     r"cannot move 'blocks\[3\]' into itself"),
    ("move-repeat-layer", lambda e: e.move("blocks[2].block", "blocks", 0), ValueError,
     r"DesignEditor.move: cannot move 'blocks\[2\].block', the layer of the repeat 'blocks\[2\]' \(a repeat holds exactly one layer\)"),
    ("move-container-path", lambda e: e.move("blocks", "blocks", 0), ValueError,
     r"DesignEditor.move: `path` must be the path of a block, such as .* got 'blocks', which is a list of blocks"),
    ("move-index-range", lambda e: e.move("blocks[0]", "blocks[4].blocks", 3), ValueError,
     r"`index` must be between 0 and 1 \('blocks\[4\].blocks' holds 1\), got 3"),
    ("move-index-missing", lambda e: e.move("blocks[0]", "blocks", None), TypeError,
     r"DesignEditor.move: `index` must be an int, got None"),
    ("delete-unknown", lambda e: e.delete("blocks[6]"), ValueError,
     r"DesignEditor.delete: `path` 'blocks\[6\]' does not exist: index 6 is out of range, 'blocks' holds 6 blocks"),
    ("delete-repeat-layer", lambda e: e.delete("blocks[2].block"), ValueError,
     r"cannot delete 'blocks\[2\].block', the layer of the repeat 'blocks\[2\]'.*delete the repeat"),
    ("delete-design", lambda e: e.delete(""), ValueError,
     r"DesignEditor.delete: `path` must be the path of a block, .* got '', which is the design itself"),
    ("delete-malformed", lambda e: e.delete("blocks[0"), ValueError,
     r"DesignEditor.delete: `path` must be field names and \[index\]es joined by dots"),
    ("delete-not-str", lambda e: e.delete(0), TypeError,
     r"DesignEditor.delete: `path` must be a str, got 0 \(int\)"),
    ("duplicate-repeat-layer", lambda e: e.duplicate("blocks[2].block"), ValueError,
     r"cannot duplicate 'blocks\[2\].block'"),
    ("args-on-arg_scope", lambda e: e.update_args("blocks[1]", {"padding": "VALID"}), ValueError,
     r"DesignEditor.update_args: `path` must be the path of a layer, stack or net block, got 'blocks\[1\]', a 'arg_scope' block, which takes no arguments. An arg_scope's are its `defaults`"),
    ("args-on-repeat", lambda e: e.update_args("blocks[2]", {"num_outputs": 3}), ValueError,
     r"a 'repeat' block, which takes no arguments. A repeat's arguments are on its layer, 'blocks\[2\].block'"),
    ("args-not-mapping", lambda e: e.update_args("blocks[0]", [("stride", 2)]), TypeError,
     r"DesignEditor.update_args: `changes` must be a mapping of argument names to values, got \[\('stride', 2\)\] \(list\)"),
    ("args-not-literal", lambda e: e.update_args("blocks[0]", {"activation_fn": max}), TypeError,
     r"`changes.activation_fn` must be a JSON value \(null, bool, finite number, str, list or dict\), got <built-in function max>"),
    ("args-bad-name", lambda e: e.update_args("blocks[0]", {"num-outputs": 3}), ValueError,
     r"`changes` must be a dict whose keys are argument names such as 'num_outputs', got 'num-outputs'"),
    ("unset-bad-name", lambda e: e.update_args("blocks[0]", {"num-outputs": None}), ValueError,
     r"`changes name 'num-outputs'` must be a name"),
    ("field-unknown", lambda e: e.set_field("blocks[2]", "cont", 3), ValueError,
     r"DesignEditor.set_field: `field` must be one of count, block, scope for 'blocks\[2\]' \(a 'repeat' block\), got 'cont'. Did you mean 'count'\?"),
    ("field-design", lambda e: e.set_field("", "blocks", []), ValueError,
     r"`field` must be one of name, input for the design, got 'blocks'"),
    ("field-count-zero", lambda e: e.set_field("blocks[2]", "count", 0), ValueError,
     r"DesignEditor.set_field: `value` must be an int from 1 to 256, got 0"),
    ("field-count-str", lambda e: e.set_field("blocks[2]", "count", "3"), TypeError,
     r"`value` must be an int from 1 to 256, got '3'"),
    ("field-repeat-block", lambda e: e.set_field("blocks[2]", "block", new_block("arg_scope")), ValueError,
     r"`value.kind` must be 'layer' \(repeat calls one layer `count` times\), got 'arg_scope'"),
    ("field-axis-none", lambda e: e.set_field("blocks[3]", "axis", None), TypeError,
     r"`value` must be an int \(3: channels of a `\[batch, h, w, c\]` tensor\), got None"),
    ("field-ops", lambda e: e.set_field("blocks[1]", "ops", "conv2d"), TypeError,
     r"`value` must be a non-empty list of layer op names, each once, got 'conv2d'"),
    ("field-input", lambda e: e.set_field("", "input", {"shape": [0, 4, 1]}), ValueError,
     r"the design's `input` must be a dict with a `shape` list of ints >= 1"),
    ("add-branch-to-residual", lambda e: e.add_branch("blocks[4]"), ValueError,
     r"DesignEditor.add_branch: `path` must be the path of a 'branches' block, got 'blocks\[4\]', a 'residual' block"),
    ("add-branch-index", lambda e: e.add_branch("blocks[3]", 3), ValueError,
     r"`index` must be between 0 and 2 \('blocks\[3\].branches' holds 2\), got 3"),
    ("remove-branch-range", lambda e: e.remove_branch("blocks[3]", 2), ValueError,
     r"DesignEditor.remove_branch: `branch` must be between 0 and 1 \('blocks\[3\]' has 2 branches\), got 2"),
    ("select-container", lambda e: e.select("blocks[1].blocks"), ValueError,
     r"DesignEditor.select: `path` must be the path of a block, .* got 'blocks\[1\].blocks', which is a list of blocks"),
    ("undo-nothing", lambda e: e.undo(), ValueError,
     r"DesignEditor.undo: there is nothing to undo \(`can_undo` is False\)"),
    ("load-bad", lambda e: e.load({**sample_design(), "version": 3}), ValueError,
     r"DesignEditor.load: `version` must be 1, got 3"),
]  # fmt: skip


@pytest.mark.parametrize("name, call, exc, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_raises_and_changes_nothing(editor, name, call, exc, match):
    editor.select("blocks[5]")
    with pytest.raises(exc, match=match):
        call(editor)
    assert outline(editor.design) == SAMPLE_OUTLINE
    assert editor.design == sample_design()
    assert (editor.selected, editor.can_undo, editor.can_redo) == ("blocks[5]", False, False)


def test_a_failed_edit_keeps_the_history(editor):
    editor.delete("blocks[5]")
    with pytest.raises(ValueError):
        editor.delete("blocks[5]")
    editor.undo()
    assert outline(editor.design) == SAMPLE_OUTLINE


def test_remove_the_last_branch_is_refused(editor):
    editor.remove_branch("blocks[3]", 1)
    with pytest.raises(
        ValueError, match=r"'blocks\[3\]' has one branch left; delete the block instead"
    ):
        editor.remove_branch("blocks[3]", 0)
    assert len(editor.design["blocks"][3]["branches"]) == 1


def test_history_limit_must_be_positive():
    with pytest.raises(ValueError, match="history_limit"):
        DesignEditor(history_limit=0)


def test_docstring_examples_run():
    assert doctest.testmod(editor_module).failed == 0


def test_importing_the_editor_loads_no_ui_package():
    # STYLE.md: workbench/models never imports panel or ipywidgets (param is its only UI tie).
    code = "import sys, workbench.models.editor; print(sorted({'panel', 'ipywidgets', 'bokeh'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_replace_is_one_change_that_undo_takes_back(editor):
    editor.delete("blocks[0]")
    edited = copy.deepcopy(editor.design)
    editor.select("blocks[0]")
    other = {**sample_design(), "name": "other"}
    editor.replace(other)
    assert editor.design == other and editor.selected is None
    assert (editor.can_undo, editor.can_redo) == (True, False)
    editor.undo()
    assert editor.design == edited and editor.selected == "blocks[0]"
    editor.redo()
    assert editor.design == other
    editor.undo()
    editor.undo()  # the earlier edits are still there
    assert outline(editor.design) == SAMPLE_OUTLINE


def test_replace_with_the_same_design_adds_no_undo_step():
    editor = DesignEditor(sample_design())
    editor.replace(sample_design())
    assert not editor.can_undo


def test_replace_refuses_a_bad_design_and_keeps_everything(editor):
    editor.delete("blocks[0]")
    before = editor.design
    with pytest.raises(ValueError, match="DesignEditor.replace"):
        editor.replace({**sample_design(), "format": "other"})
    assert editor.design is before and editor.can_undo
