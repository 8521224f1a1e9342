"""The kind table is the one place that says what a block is: what the design format and its
analysis accept, the editor opens and the canvas draws, and a field added to the table
reaches the editor, the analysis, the code generator and the canvas with no other edit."""

from __future__ import annotations

import copy
import dataclasses
import doctest
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.workbench.models.design.design_support import broken_designs, random_design
from workbench.models.design import generate_code, kinds, schema, spec, template
from workbench.models.design.analysis import HANDLERS
from workbench.models.design.build import BUILD_STEPS
from workbench.models.design.codegen import WRITE_STEPS
from workbench.models.design.templates import net_design
from workbench.models.design.validate import validate
from workbench.models.editor import DesignEditor
from workbench.models.editor.fields import block_fields
from workbench.views.panel.canvas import DesignCanvas

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def hand_written(draw, design: dict) -> dict:
    """`design` as a person might write it: optional fields at their default left out at
    random, and some scopes written as null."""
    design = copy.deepcopy(design)
    for _, block in spec.iter_blocks(design):
        record = kinds.KIND_TABLE[block["kind"]]
        for field in record.fields:
            if field.required:
                continue
            if field.name in block and block[field.name] == field.default and draw(st.booleans()):
                del block[field.name]
            elif field.name == "scope" and "scope" not in block and draw(st.booleans()):
                block["scope"] = None
    return design


_TEMPLATES = ["lenet", "cifarnet", "vgg_16", "resnet_small", "inception_block"]


def _designs(data: st.DataObject) -> dict:
    """Random designs, the templates and a whole-net design, each as if written by hand."""
    source = data.draw(st.sampled_from(["random", "template", "net"]))
    if source == "random":
        base = random_design(data)
    elif source == "template":
        base = template(data.draw(st.sampled_from(_TEMPLATES)))
    else:
        base = net_design("cifarnet")
    return data.draw(hand_written(base))


@_SETTINGS
@given(st.data())
def test_every_design_validate_accepts_opens_in_the_editor_and_round_trips_the_canvas(data):
    design = _designs(data)
    assume(validate(design) == [])
    assert spec.loads(spec.dumps(design)) == design
    editor = DesignEditor(design)
    canvas = DesignCanvas(editor)
    # What the browser gets is JSON: the design comes back from it unchanged.
    assert json.loads(json.dumps(canvas.spec)) == design == editor.design
    layouts = json.loads(json.dumps(canvas._constants))["kinds"]
    for _, block in spec.iter_blocks(canvas.spec):
        layout = layouts[block["kind"]]
        drawn = {part["field"] for part in layout["body"]}
        # Every field holding blocks is drawn, so every nested block reaches the page.
        assert set(kinds.KIND_TABLE[block["kind"]].children) <= drawn
        assert set(block) - {"kind"} <= set(layout["fields"])


def test_the_disagreement_that_was_a_layer_without_args():
    design = spec.new_design("m", [4, 4, 1], [{"kind": "layer", "op": "flatten"}])
    design = spec.loads(json.dumps(design))
    assert validate(design) == []
    editor = DesignEditor(design)
    assert editor.design["blocks"] == [{"kind": "layer", "op": "flatten"}]
    editor.update_args("blocks[0]", {"outputs_collections": "ends"})
    assert editor.design["blocks"][0]["args"] == {"outputs_collections": "ends"}


def test_a_residual_without_shortcut_takes_a_block_into_its_shortcut():
    design = spec.new_design("m", [4, 4, 2], [{"kind": "residual", "blocks": [spec.layer("relu")]}])
    editor = DesignEditor(design)
    path = editor.insert(editor.new_block("relu"), "blocks[0].shortcut")
    assert path == "blocks[0].shortcut[0]"
    assert editor.design["blocks"][0]["shortcut"] == [{"kind": "layer", "op": "relu", "args": {}}]
    editor.select("blocks[0].blocks[0]")  # Looking does not add the field.
    editor.undo()
    assert "shortcut" not in editor.design["blocks"][0]


@_SETTINGS
@given(st.data())
def test_what_the_strict_schema_accepts_the_editor_accepts(data):
    design = data.draw(broken_designs(template("lenet")))
    if schema.problems(design, strict=True) == []:
        assert schema.problems(design) == []


def test_every_kind_has_an_analysis_a_build_and_a_code_step():
    assert set(HANDLERS) == set(BUILD_STEPS) == set(WRITE_STEPS) == set(kinds.KIND_TABLE)


def test_structure_problems_list_every_error_with_its_path():
    design = spec.new_design(
        "m",
        [4, 4, 1],
        [
            {"kind": "layer"},
            {"kind": "repeat", "count": "2", "block": {"kind": "stack", "op": "relu"}},
            {"kind": "branches", "branches": [[3]], "axis": 3, "extra": 1},
        ],
    )
    found = [(p.path, p.message) for p in validate(design)]
    assert found == [
        ("blocks[0].op", "`blocks[0].op` must be given (a 'layer' block needs 'op'), got None."),
        ("blocks[1].block.per_layer",
         "`blocks[1].block.per_layer` must be given (a 'stack' block needs 'op', 'per_layer'), "
         "got None."),
        ("blocks[1].block.kind",
         "`blocks[1].block.kind` must be 'layer' (repeat calls one layer `count` times), got "
         "'stack'."),
        ("blocks[1].count", "`blocks[1].count` must be an int from 1 to 256, got '2'."),
        ("blocks[2].extra",
         "`blocks[2].extra` must be one of the fields of a 'branches' block (branches, scope, "
         "axis), got 'extra'."),
        ("blocks[2].branches[0][0]",
         '`blocks[2].branches[0][0]` must be a block dict such as {"kind": "layer", "op": '
         '"conv2d", "args": {}}, got 3.'),
    ]  # fmt: skip


def _with_field(table: dict, kind_name: str, field: kinds.Field) -> dict:
    record = table[kind_name]
    return {**table, kind_name: dataclasses.replace(record, fields=(*record.fields, field))}


def test_a_field_added_to_the_table_reaches_editor_analysis_code_and_canvas(monkeypatch):
    design = spec.new_design(
        "m", [6, 6, 1], [spec.layer("conv2d", "conv", num_outputs=2, kernel_size=3)]
    )
    # Without it in the table, the field is unknown everywhere.
    assert [
        p.path for p in validate({**design, "blocks": [{**design["blocks"][0], "ends": 1}]})
    ] == ["blocks[0].ends"]
    with pytest.raises(ValueError, match="`field` must be one of op, scope"):
        DesignEditor(design).set_field("blocks[0]", "ends", "my_ends")

    added = kinds.Field(
        "outputs_collections", "text", settable=True, call_keyword=True, head="value"
    )
    monkeypatch.setattr(kinds, "KIND_TABLE", _with_field(kinds.KIND_TABLE, "layer", added))

    editor = DesignEditor(design)  # The editor: settable, and checked as the table says.
    editor.set_field("blocks[0]", "outputs_collections", "my_ends")
    assert editor.design["blocks"][0]["outputs_collections"] == "my_ends"
    with pytest.raises(TypeError, match=r"`value` must be a str, got 3"):
        editor.set_field("blocks[0]", "outputs_collections", 3)

    assert validate(editor.design) == []  # The analysis knows the field.
    bad = copy.deepcopy(editor.design)
    bad["blocks"][0]["outputs_collections"] = ["a"]
    assert [p.message for p in validate(bad)] == [
        "`blocks[0].outputs_collections` must be a str, got ['a']."
    ]

    code = generate_code(editor.design)  # The code generator passes it to the call.
    assert 'scope="conv", outputs_collections="my_ends")' in code
    from tests.workbench.models.design.design_support import run_generated

    graph, net, _ = run_generated(code, [6, 6, 1])
    assert [t.name for t in graph.get_collection("my_ends")] == [net.name]

    rows = [(row.name, row.type, row.value) for row in block_fields(editor.design, "blocks[0]")]
    assert rows == [("scope", "text", "conv"), ("outputs_collections", "text", "my_ends")]

    layout = DesignCanvas(editor)._constants["kinds"]["layer"]  # The canvas draws it.
    assert "outputs_collections" in layout["fields"]
    assert layout["head"][-1] == {
        "field": "outputs_collections",
        "show": "value",
        "style": "op",
        "template": "{}",
        "empty": "",
    }


def test_new_block_follows_the_table():
    assert kinds.new_block("residual") == {"kind": "residual", "blocks": [], "shortcut": []}
    with pytest.raises(ValueError, match="new_block: a 'layer' block needs `op`"):
        kinds.new_block("layer")
    with pytest.raises(ValueError, match="a 'layer' block has no field 'count'; its fields are op"):
        kinds.new_block("layer", op="relu", count=2)
    with pytest.raises(ValueError, match=r"`name` must be one of layer, .* got 'resdual'. Did you"):
        kinds.kind("resdual")


def test_doctests():
    assert doctest.testmod(kinds).failed == 0
    assert doctest.testmod(schema).failed == 0
