"""The property sheet: each argument's value, scoped default and default, and typed parsing."""

from __future__ import annotations

import json
import re

import pytest

from workbench.models.design import template
from workbench.models.editor.properties import (
    format_value,
    parse_value,
    property_rows,
    scoped_defaults,
)


@pytest.fixture
def lenet():
    design = template("lenet")
    # An inner scope inside the template's outer one: it overrides activation_fn for conv2d.
    inner = {"kind": "arg_scope", "ops": ["conv2d"], "defaults": {"activation_fn": "tanh"},
             "blocks": [{"kind": "layer", "op": "conv2d", "scope": "conv9",
                         "args": {"num_outputs": 8, "kernel_size": 3, "padding": "VALID"}}]}  # fmt: skip
    design["blocks"][0]["blocks"].insert(1, inner)
    return design


def _rows(design, path):
    return {row.name: row for row in property_rows(design, path)}


def test_a_layer_shows_call_scope_and_default_sources(lenet):
    rows = _rows(lenet, "blocks[0].blocks[0]")  # conv1 in the template's arg_scope
    assert rows["num_outputs"].effective == (32, "call")
    assert rows["weights_initializer"].effective == (
        {"name": "truncated_normal_initializer", "stddev": 0.1},
        "arg_scope",
    )
    assert rows["weights_initializer"].scoped[1] == "blocks[0]"
    assert rows["padding"].effective == ("SAME", "default")
    assert rows["padding"].options == ("SAME", "VALID")
    assert "scope" not in rows and "inputs" not in rows  # not hyper-parameters


def test_the_innermost_scope_wins(lenet):
    found = scoped_defaults(lenet, "blocks[0].blocks[1].blocks[0]", "conv2d")
    assert found["activation_fn"] == ("tanh", "blocks[0].blocks[1]")
    assert found["weights_initializer"][1] == "blocks[0]"
    rows = _rows(lenet, "blocks[0].blocks[1].blocks[0]")
    assert rows["padding"].effective == ("VALID", "call")
    assert None in rows["activation_fn"].options  # linear is a choice


def test_a_structure_block_has_no_property_sheet(lenet):
    with pytest.raises(
        ValueError, match=r"`path` must name a layer, stack or net block, got 'blocks\[0\]'"
    ):
        property_rows(lenet, "blocks[0]")


@pytest.mark.parametrize(
    "text, value",
    [("64", 64), ("[3, 3]", [3, 3]), ("0.5", 0.5), ("null", None), ("SAME", "SAME"),
     ('{"name": "l2_regularizer", "scale": 0.1}', {"name": "l2_regularizer", "scale": 0.1})],
)  # fmt: skip
def test_parse_value_reads_json_and_bare_words(text, value):
    assert parse_value(text) == value
    assert parse_value(format_value(value)) == value


@pytest.mark.parametrize(
    "text, why",
    [("[3, 3", "Expecting ',' delimiter"), ("{'a': 1", "Expecting property name"),
     ("1.2.3", "Extra data"), ("", "Expecting value"), ("(3, 3", r"'\(' was never closed"),
     ("'abc", "unterminated string literal"),
     ("(1, 2) + (3,)", "only literals are read; an expression is not computed"),
     ("[__import__('os')]", "only literals are read")],
)  # fmt: skip
def test_parse_value_rejects_broken_literals_with_the_text(text, why):
    with pytest.raises(ValueError, match="must be a JSON or Python literal") as caught:
        parse_value(text)
    assert repr(text) in str(caught.value)
    assert re.search(why, str(caught.value))


@pytest.mark.parametrize(
    "text, value",
    [("(3, 3)", [3, 3]), ("(3,)", [3]), ("None", None), ("True", True), ("False", False),
     ("'VALID'", "VALID"), ("[(1, 2), None]", [[1, 2], None]),
     ("{'name': 'l2_regularizer', 'scale': 0.1}", {"name": "l2_regularizer", "scale": 0.1}),
     ("-2.5", -2.5)],
)  # fmt: skip
def test_parse_value_reads_python_literals_as_json_data(text, value):
    parsed = parse_value(text)
    assert parsed == value
    assert json.loads(format_value(parsed)) == value  # no tuples left over


@pytest.mark.parametrize(
    "text, holds",
    [("{1, 2}", "a set"), ("b'x'", "a bytes"), ("1j", "a complex"),
     ("{1: 2}", "a dict whose keys are not all strings"), ("[1e999j]", "a complex")],
)  # fmt: skip
def test_parse_value_refuses_python_literals_a_design_cannot_hold(text, holds):
    with pytest.raises(ValueError, match="must be a literal a design can hold") as caught:
        parse_value(text)
    assert f"got {text!r}, which holds {holds}." in str(caught.value)


def test_parse_value_never_runs_code():
    # A call is not a literal: the text stays a bare string, which no argument accepts.
    assert parse_value("exit()") == "exit()"
