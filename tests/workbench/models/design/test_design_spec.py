"""The design format: builders, JSON round trip, the migration hook and their errors."""

from __future__ import annotations

import doctest
import json

import pytest

from workbench.models.design import spec
from workbench.models.design.spec import (
    FORMAT,
    VERSION,
    arg_scope,
    branches,
    dumps,
    iter_blocks,
    layer,
    loads,
    migrate,
    net,
    new_design,
    repeat,
    residual,
    stack,
)
from workbench.problems import DesignError, Problem, problem


def _design() -> dict:
    return new_design(
        "demo",
        (8, 8, 3),
        [
            arg_scope(
                ["conv2d"],
                [repeat(2, layer("conv2d", num_outputs=4, kernel_size=(3, 3)), "conv1")],
                padding="SAME",
            ),
            residual([layer("conv2d", num_outputs=4, kernel_size=3)], [], "res", "relu"),
            branches([[layer("conv2d", num_outputs=2, kernel_size=1)], []], scope="mix"),
            layer("flatten"),
            stack("fully_connected", [{"num_outputs": 8}, {"num_outputs": 2}], "fc"),
        ],
        description="For the spec tests.",
    )


def test_builders_write_the_documented_dicts():
    design = _design()
    assert design["format"] == FORMAT == "slim-workbench-design"
    assert design["version"] == VERSION == 1
    assert design["input"] == {"shape": [8, 8, 3], "dtype": "float32"}
    scoped = design["blocks"][0]
    assert scoped == {
        "kind": "arg_scope",
        "ops": ["conv2d"],
        "defaults": {"padding": "SAME"},
        "blocks": [
            {
                "kind": "repeat",
                "count": 2,
                "block": {
                    "kind": "layer",
                    "op": "conv2d",
                    "args": {"num_outputs": 4, "kernel_size": [3, 3]},
                },
                "scope": "conv1",
            }
        ],
    }
    assert design["blocks"][1] == {
        "kind": "residual",
        "blocks": [{"kind": "layer", "op": "conv2d", "args": {"num_outputs": 4, "kernel_size": 3}}],
        "shortcut": [],
        "activation": "relu",
        "scope": "res",
    }
    assert design["blocks"][2]["axis"] == 3
    assert net("vgg_16", num_classes=10) == {
        "kind": "net",
        "name": "vgg_16",
        "options": {"num_classes": 10},
    }


def test_dumps_then_loads_gives_the_same_design():
    design = _design()
    text = dumps(design)
    assert text.endswith("}\n")
    assert json.loads(text) == design
    assert loads(text) == design
    assert loads(text.encode("utf-8")) == design


def test_iter_blocks_visits_every_block_parents_first():
    paths = [path for path, _ in iter_blocks(_design())]
    assert paths == [
        "blocks[0]",
        "blocks[0].blocks[0]",
        "blocks[0].blocks[0].block",
        "blocks[1]",
        "blocks[1].blocks[0]",
        "blocks[2]",
        "blocks[2].branches[0][0]",
        "blocks[3]",
        "blocks[4]",
    ]


_REPEAT_OF_JUNK = {"kind": "repeat", "block": [1]}
_BRANCHES = {"kind": "branches", "branches": [[{"kind": "layer"}, 7], "x", [{"op": "relu"}]]}
_MYSTERY = {"kind": "mystery", "blocks": [{"kind": "layer"}]}


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, []),
        (3, []),
        ("x", []),
        ({"blocks": 3}, []),
        ({"blocks": [1, _REPEAT_OF_JUNK]}, [("blocks[1]", _REPEAT_OF_JUNK)]),
        (
            {"blocks": [_BRANCHES]},
            [
                ("blocks[0]", _BRANCHES),
                ("blocks[0].branches[0][0]", {"kind": "layer"}),
                ("blocks[0].branches[2][0]", {"op": "relu"}),
            ],
        ),
        # A block of an unknown kind is yielded; nothing inside it is (no field holds blocks).
        ({"blocks": [_MYSTERY]}, [("blocks[0]", _MYSTERY)]),
    ],
    ids=["none", "int", "str", "blocks-int", "junk-blocks", "junk-branches", "unknown-kind"],
)
def test_iter_blocks_skips_malformed_parts(value, expected):
    assert list(iter_blocks(value)) == expected


@pytest.mark.parametrize(
    "text, path, match",
    [
        ("{", "", r"not valid JSON: Expecting property name .* at line 1, column 2"),
        ('{"a": NaN}', "", r"not valid JSON: NaN is not a JSON number"),
        ("[1, 2]", "", r"The design must be a JSON object \(a dict\), got \[1, 2\]"),
        ('{"format": "other"}', "format", r"`format` must be 'slim-workbench-design', got 'other'"),
        (
            '{"format": "slim-workbench-design", "version": "1"}',
            "version",
            r"`version` must be an int, got '1'",
        ),
        (
            '{"format": "slim-workbench-design", "version": 7}',
            "version",
            r"`version` must be at most 1, got 7. The design was written by a newer",
        ),
        (
            '{"format": "slim-workbench-design", "version": 0}',
            "version",
            r"`version` must be a version with a migration to 1 \(known: \[1\]\), got 0",
        ),
    ],
    ids=["syntax", "nan", "not-object", "format", "version-type", "newer", "no-migration"],
)
def test_loads_rejects_with_a_located_problem(text, path, match):
    with pytest.raises(DesignError, match=match) as caught:
        loads(text)
    assert [p.path for p in caught.value.problems] == [path]
    assert str(caught.value).startswith("loads: the design has 1 problem:") or str(
        caught.value
    ).startswith("migrate: the design has 1 problem:")


def test_loads_rejects_bytes_that_are_not_utf8():
    with pytest.raises(DesignError, match=r"must be UTF-8 encoded JSON"):
        loads(b"\xff\xfe{}")


def test_loads_rejects_a_non_text_value():
    with pytest.raises(DesignError, match=r"must be JSON text \(a str\), got 3"):
        loads(3)


def test_migration_hook_upgrades_older_versions(monkeypatch):
    def rename_layers(design):
        design["blocks"] = design.pop("layers")
        return design

    monkeypatch.setitem(spec.MIGRATIONS, 0, rename_layers)
    old = {"format": FORMAT, "version": 0, "name": "old", "input": {"shape": [4]}, "layers": []}
    upgraded = migrate(old)
    assert upgraded == {
        "format": FORMAT,
        "version": 1,
        "name": "old",
        "input": {"shape": [4]},
        "blocks": [],
    }
    assert "layers" in old  # The caller's dict is left alone.
    assert loads(json.dumps(old))["blocks"] == []


def test_register_migration_records_the_step(monkeypatch):
    monkeypatch.setattr(spec, "MIGRATIONS", {})

    @spec.register_migration(0)
    def upgrade(design):
        return design

    assert spec.MIGRATIONS == {0: upgrade}


@pytest.mark.parametrize(
    "design, match",
    [
        ([], r"dumps: the design has 1 problem:\n  - The design must be a design dict, got \[\]"),
        ({"x": float("nan")}, r"cannot be written as JSON: Out of range float values"),
        ({"x": {1, 2}}, r"cannot be written as JSON: Object of type set is not JSON serializable"),
    ],
    ids=["not-dict", "nan", "set"],
)
def test_dumps_rejects_what_json_cannot_hold(design, match):
    with pytest.raises(DesignError, match=match):
        dumps(design)


def test_problem_message_form_and_plain_data():
    found = problem("blocks[0].args.num_outputs", "an int >= 1", 0, hint="Set it.")
    assert str(found) == "`blocks[0].args.num_outputs` must be an int >= 1, got 0. Set it."
    assert found.to_dict() == {
        "path": "blocks[0].args.num_outputs",
        "message": str(found),
        "value": 0,
        "expected": "an int >= 1",
        "kind": "value",
    }
    odd = Problem("", "m", value=float("inf"))
    assert odd.to_dict()["value"] == "inf"


def test_design_error_lists_every_problem():
    error = DesignError("build_design", [problem(f"p{i}", "x", i) for i in range(22)])
    text = str(error)
    assert text.startswith("build_design: the design has 22 problems:\n  - `p0` must be x, got 0.")
    assert text.endswith("  ... and 2 more")
    assert len(error.problems) == 22


def test_doctests():
    from workbench import problems

    for module in (spec, problems):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
