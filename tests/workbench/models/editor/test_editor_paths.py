"""Paths into a design: parse/format round trips, get/set, and where `locate` ends up."""

from __future__ import annotations

import doctest

import pytest

from tests.workbench.models.editor.editor_support import sample_design
from workbench.models.editor import paths
from workbench.models.editor.paths import format_path, get_at, is_within, locate, parse_path, set_at

ROUND_TRIPS = [
    ("", ()),
    ("blocks", ("blocks",)),
    ("blocks[2]", ("blocks", 2)),
    ("blocks[2].blocks[0]", ("blocks", 2, "blocks", 0)),
    ("blocks[1].branches[0][2]", ("blocks", 1, "branches", 0, 2)),
    ("blocks[3].block", ("blocks", 3, "block")),
    ("blocks[0].shortcut[1]", ("blocks", 0, "shortcut", 1)),
]


@pytest.mark.parametrize("text, steps", ROUND_TRIPS, ids=[t or "empty" for t, _ in ROUND_TRIPS])
def test_parse_and_format_are_inverse(text, steps):
    assert parse_path(text) == steps
    assert format_path(steps) == text


def test_parse_reads_leading_zeros_as_the_same_index():
    assert format_path(parse_path("blocks[02]")) == "blocks[2]"


@pytest.mark.parametrize(
    "bad", ["blocks[", "blocks[-1]", "[0]", "blocks..x", "blocks[a]", "blocks.0", " blocks"]
)
def test_parse_rejects_malformed_paths(bad):
    with pytest.raises(ValueError, match=r"parse_path: `path` must be field names and \[index\]es"):
        parse_path(bad)


def test_parse_rejects_non_str():
    with pytest.raises(TypeError, match=r"parse_path: `path` must be a str, got 3 \(int\)"):
        parse_path(3)


@pytest.mark.parametrize("bad", [-1, True, "a b", 1.0])
def test_format_rejects_bad_steps(bad):
    with pytest.raises(ValueError, match="format_path: each step must be a field name or an int"):
        format_path(["blocks", bad])


def test_get_at_reads_nested_values():
    design = sample_design()
    assert get_at(design, "blocks[3].branches[0][0].scope") == "left"
    assert get_at(design, ("blocks", 2, "count")) == 2
    assert get_at(design, "") is design


@pytest.mark.parametrize("bad", ["blocks[6]", "blocks[0].nothing", "name[0]"])
def test_get_at_names_the_missing_step(bad):
    with pytest.raises(ValueError, match=r"get_at: '.*' does not exist"):
        get_at(sample_design(), bad)


def test_set_at_replaces_adds_and_appends():
    design = sample_design()
    set_at(design, "blocks[2].count", 5)
    set_at(design, "blocks[0].args.stride", 2)
    set_at(design, "blocks[4].shortcut[0]", {"kind": "layer", "op": "conv2d", "args": {}})
    assert design["blocks"][2]["count"] == 5
    assert design["blocks"][0]["args"] == {"num_outputs": 4, "kernel_size": [3, 3], "stride": 2}
    assert design["blocks"][4]["shortcut"] == [{"kind": "layer", "op": "conv2d", "args": {}}]


@pytest.mark.parametrize(
    "bad, match",
    [
        ("", r"set_at: `path` must name a place inside `root`, got ''"),
        ("blocks[7]", r"'blocks\[7\]' is not in `root`: 'blocks' holds 6 list items"),
        ("blocks.kind", r"'blocks.kind' is not in `root`: 'blocks' is not a dict"),
        ("blocks[9].scope", r"get_at: 'blocks\[9\]' does not exist"),
    ],
    ids=["empty", "past-end", "list-as-dict", "missing-parent"],
)
def test_set_at_rejects_places_that_do_not_exist(bad, match):
    design = sample_design()
    with pytest.raises(ValueError, match=match):
        set_at(design, bad, 1)
    assert design == sample_design()


PLACES = [
    ("", "design"),
    ("blocks", "blocks"),
    ("blocks[1]", "block"),
    ("blocks[1].blocks", "blocks"),
    ("blocks[2].block", "block"),
    ("blocks[3].branches", "branches"),
    ("blocks[3].branches[1]", "blocks"),
    ("blocks[3].branches[0][0]", "block"),
    ("blocks[4].shortcut", "blocks"),
]


@pytest.mark.parametrize("path, place", PLACES, ids=[p or "design" for p, _ in PLACES])
def test_locate_knows_what_each_place_is(path, place):
    design = sample_design()
    found, value = locate(design, path, fn="f")
    assert found == place
    assert value is get_at(design, path)


LOCATE_ERRORS = [
    ("blocks[6]", r"f: `path` 'blocks\[6\]' does not exist: index 6 is out of range, 'blocks' holds 6 blocks"),
    ("blocks[3].branches[2]", r"index 2 is out of range, 'blocks\[3\].branches' holds 2 branches"),
    ("blocks[0].blocks", r"'blocks\[0\]' \(a 'layer' block\) has no `blocks`; it holds no other blocks"),
    ("blocks[4].block", r"'blocks\[4\]' \(a 'residual' block\) has no `block`; it holds `blocks`, `shortcut`"),
    ("blocks.scope", r"'blocks' is a list of blocks, so an index like `blocks\[0\]` must follow it"),
    ("shortcut", r"the design has no `shortcut`; it holds `blocks`"),
    ("blocks[x]", r"f: `path` must be field names and \[index\]es joined by dots"),
]  # fmt: skip


@pytest.mark.parametrize("path, match", LOCATE_ERRORS, ids=[p for p, _ in LOCATE_ERRORS])
def test_locate_says_which_step_is_wrong(path, match):
    with pytest.raises(ValueError, match=match):
        locate(sample_design(), path, fn="f")


def test_locate_rejects_a_non_str_path():
    with pytest.raises(TypeError, match=r"f: `where` must be a str, got None \(NoneType\)"):
        locate(sample_design(), None, fn="f", name="where")


def test_is_within():
    assert is_within("blocks[2]", "blocks[2]")
    assert is_within("blocks[2].blocks[0]", "blocks[2]")
    assert is_within("blocks[1].branches[0][2]", "blocks[1].branches[0]")
    assert not is_within("blocks[20]", "blocks[2]")
    assert not is_within("blocks[1].branches[01]", "blocks[1].branches[0]")


def test_docstring_examples_run():
    assert doctest.testmod(paths).failed == 0
