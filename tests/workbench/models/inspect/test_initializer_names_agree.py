"""One name for an initializer (and a regularizer) on every page: the property sheet (its
picker and its JSON), Inspect's layer table and Collections tab, and the generated code all
call `truncated_normal_initializer(stddev=0.1)`, `xavier_initializer()`, ... the same."""

from __future__ import annotations

import pytest

from workbench.models.design import choices, kinds
from workbench.models.design.codegen import generate_code
from workbench.models.design.spec import dumps, loads
from workbench.models.design.templates import template
from workbench.models.design.validate import analyze
from workbench.models.editor.properties import format_value, picked_name, property_rows
from workbench.models.inspect import InspectModel
from workbench.models.session import design_input_shape, design_model_fn

_ARGUMENTS = {"weights_initializer": "weights", "biases_initializer": "biases"}


def _layer_paths(design: dict) -> list[str]:
    return [path for path, block in kinds.iter_blocks(design) if block.get("kind") == "layer"]


@pytest.mark.parametrize("name", ["lenet", "cifarnet", "resnet_small"])
def test_every_page_names_each_initializer_alike(name):
    design = template(name)
    inspected = InspectModel(
        model_fn=design_model_fn(design), input_shape=design_input_shape(design), render=False
    )
    code = generate_code(design)
    initial = {
        r["Name"]: r["Initializer"] for r in inspected.collection("GLOBAL_VARIABLES").records()
    }
    blocks = analyze(design).blocks
    seen = set()
    for path in _layer_paths(design):
        scope = blocks[path].scope
        for row in property_rows(design, path):
            if row.name not in _ARGUMENTS or f"{scope}/{_ARGUMENTS[row.name]}" not in initial:
                continue
            value, source = row.effective
            shown = choices.text("initializer", value)
            # The picker shows the function's name; the JSON field names it too when set.
            assert shown.startswith(f"{picked_name(value)}(")
            if row.is_set:
                assert f'"name": "{picked_name(value)}"' in format_value(value) or (
                    format_value(value) == f'"{picked_name(value)}"'
                )
            assert inspected.table.row(scope).argument(row.name).text == shown, (path, row.name)
            assert initial[f"{scope}/{_ARGUMENTS[row.name]}"] == shown, (path, row.name)
            if source != "default":  # Code writes what the design sets: the same call.
                function = shown.split("(")[0]
                assert f".{function}(" in code, (path, row.name)
            seen.add(shown.split("(")[0])
    assert {"zeros_initializer", "truncated_normal_initializer"} <= seen or name == "resnet_small"
    if name == "resnet_small":
        assert {"variance_scaling_initializer", "zeros_initializer"} <= seen


def test_a_design_with_the_short_names_of_before_opens_with_the_function_names():
    design = template("cifarnet")
    text = generate_code(design)  # Before: the same design written with the short names.
    old = (
        dumps(design)
        .replace('"truncated_normal_initializer"', '"truncated_normal"')
        .replace('"zeros_initializer"', '"zeros"')
        .replace('"constant_initializer"', '"constant"')
    )
    assert '"truncated_normal"' in old
    opened = loads(old)
    assert opened == design
    assert generate_code(opened) == text


def test_a_regularizer_reads_as_the_code_calls_it():
    design = template("resnet_small")
    inspected = InspectModel(
        model_fn=design_model_fn(design), input_shape=design_input_shape(design), render=False
    )
    path = _layer_paths(design)[0]
    row = next(r for r in property_rows(design, path) if r.name == "weights_regularizer")
    value, source = row.effective
    assert (source, choices.text("regularizer", value)) == ("arg_scope", "l2_regularizer(0.0001)")
    scope = analyze(design).blocks[path].scope
    assert inspected.table.row(scope).argument("weights_regularizer").text == (
        "l2_regularizer(0.0001)"
    )
    assert "slim.l2_regularizer(0.0001)" in generate_code(design)
