"""New blocks, the structural checks of blocks and designs, and walking a design's blocks."""

from __future__ import annotations

import doctest

import pytest

from tests.workbench.models.editor.editor_support import (
    SAMPLE_OUTLINE,
    layer,
    outline,
    sample_design,
)
from workbench.models.editor import blocks, empty_design, new_block
from workbench.models.editor.blocks import check_block, check_design

NEW_BLOCKS = [
    (("conv2d",), {}, {"kind": "layer", "op": "conv2d", "args": {}}),
    (("layer",), {"op": "max_pool2d"}, {"kind": "layer", "op": "max_pool2d", "args": {}}),
    (("repeat",), {}, {"kind": "repeat", "count": 2, "block": {"kind": "layer", "op": "conv2d", "args": {}}}),
    (("repeat",), {"op": "fully_connected"},
     {"kind": "repeat", "count": 2, "block": {"kind": "layer", "op": "fully_connected", "args": {}}}),
    (("stack",), {}, {"kind": "stack", "op": "fully_connected", "args": {}, "per_layer": [{}, {}]}),
    (("arg_scope",), {}, {"kind": "arg_scope", "ops": [], "defaults": {}, "blocks": []}),
    (("residual",), {}, {"kind": "residual", "blocks": [], "shortcut": []}),
    (("branches",), {}, {"kind": "branches", "branches": [[], []], "axis": 3}),
    (("net",), {"name": "vgg_16"}, {"kind": "net", "name": "vgg_16", "options": {}}),
]  # fmt: skip


@pytest.mark.parametrize(
    "args, kwargs, expected",
    NEW_BLOCKS,
    ids=["op", "layer", "repeat", "repeat-fc", "stack", "arg_scope", "residual", "branches", "net"],
)
def test_new_block_makes_valid_empty_blocks(args, kwargs, expected):
    block = new_block(*args, **kwargs)
    assert block == expected
    check_block(block, fn="test")


def test_new_blocks_are_fresh_dicts():
    first, second = new_block("branches"), new_block("branches")
    first["branches"][0].append(new_block("conv2d"))
    assert second["branches"] == [[], []]


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (("net",), {}, ValueError, r"new_block: 'net' needs `name`, the net to call"),
        (("layer",), {}, ValueError, r"new_block: 'layer' needs `op`"),
        (("arg_scope",), {"op": "conv2d"}, ValueError, r"`op` goes with 'layer', 'repeat' or 'stack', got op='conv2d' for 'arg_scope'"),
        (("conv2d",), {"name": "vgg_16"}, ValueError, r"`name` goes with 'net', got name='vgg_16' for 'conv2d'"),
        (("conv 2d",), {}, ValueError, r"`op_or_kind` must be a name such as 'conv2d', got 'conv 2d'"),
        ((3,), {}, TypeError, r"new_block: `op_or_kind` must be a str, got 3 \(int\)"),
    ],
    ids=["net-without-name", "layer-without-op", "op-for-arg_scope", "name-for-layer", "not-identifier", "not-str"],
)  # fmt: skip
def test_new_block_rejects_bad_requests(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        new_block(*args, **kwargs)


def test_sample_design_is_valid_and_walks_in_reading_order():
    design = sample_design()
    check_design(design, fn="test")
    assert outline(design) == SAMPLE_OUTLINE


def test_empty_design():
    design = empty_design("lenet", (32, 32, 3))
    check_design(design, fn="test")
    assert design["input"] == {"shape": [32, 32, 3], "dtype": "float32"}
    assert design["blocks"] == [] and design["name"] == "lenet"


BAD_BLOCKS = [
    ("not-dict", ["conv2d"], TypeError, r"^t: `b` must be a block dict such as \{\"kind\": \"layer\", \"op\": \"conv2d\", \"args\": \{\}\}, got \['conv2d'\]\.$"),
    ("unknown-kind", {"kind": "resdual"}, ValueError, r"`b.kind` must be one of layer, repeat, .* got 'resdual'. Did you mean 'residual'\?"),
    ("missing-field", {"kind": "layer", "args": {}}, ValueError, r"`b.op` must be given \(a 'layer' block needs 'op'\), got None"),
    ("repeat-of-residual", {"kind": "repeat", "count": 2, "block": new_block("residual")}, ValueError, r"`b.block.kind` must be 'layer' \(repeat calls one layer `count` times\), got 'residual'"),
    ("zero-count", {"kind": "repeat", "count": 0, "block": new_block("conv2d")}, ValueError, r"`b.count` must be an int from 1 to 256, got 0"),
    ("bool-count", {"kind": "repeat", "count": True, "block": new_block("conv2d")}, TypeError, r"`b.count` must be an int from 1 to 256, got True"),
    ("scope-on-arg_scope", {**new_block("arg_scope"), "scope": "s"}, ValueError, r"`b.scope` must be left out: a 'arg_scope' block takes no scope, got 's'"),
    ("empty-scope", {**new_block("conv2d"), "scope": " "}, ValueError, r"`b.scope` must be a non-empty str, got ' '"),
    ("nested-bad", {"kind": "residual", "blocks": [], "shortcut": [{"kind": "layer"}]}, ValueError, r"`b.shortcut\[0\].op` must be given \(a 'layer' block needs 'op'\)"),
    ("branch-not-list", {"kind": "branches", "branches": [{}], "axis": 3}, TypeError, r"`b.branches\[0\]` must be a list of blocks, got \{\}"),
    ("arg-not-literal", {"kind": "layer", "op": "conv2d", "args": {"activation_fn": print}}, TypeError, r"`b.args.activation_fn` must be a JSON value"),
    ("arg-nan", layer("conv2d", rate=float("nan")), TypeError, r"`b.args.rate` must be a JSON value \(null, bool, finite number, .*\), got nan"),
    ("arg-name", {"kind": "layer", "op": "conv2d", "args": {"num outputs": 3}}, ValueError, r"`b.args` must be a dict whose keys are argument names .* got 'num outputs'"),
    ("ops-twice", {**new_block("arg_scope"), "ops": ["conv2d", "conv2d"]}, ValueError, r"`b.ops` must be a non-empty list of layer op names, each once"),
    ("per-layer", {**new_block("stack"), "per_layer": [3]}, TypeError, r"`b.per_layer\[0\]` must be a dict of arguments, got 3"),
    ("every-problem", {"kind": "repeat", "count": 0, "block": {"kind": "layer"}, "scope": 3}, ValueError,
     r"^t: 3 problems:\n  - `b.block.op` must be given \(a 'layer' block needs 'op'\), got None.\n"
     r"  - `b.count` must be an int from 1 to 256, got 0.\n  - `b.scope` must be a non-empty str, got 3.$"),
]  # fmt: skip


@pytest.mark.parametrize("name, block, exc, match", BAD_BLOCKS, ids=[b[0] for b in BAD_BLOCKS])
def test_check_block_names_what_is_wrong(name, block, exc, match):
    with pytest.raises(exc, match=match):
        check_block(block, fn="t", where="b")


def test_unknown_fields_are_kept_not_rejected():
    check_block({**new_block("conv2d"), "note": "from the paper"}, fn="t")


def test_optional_fields_may_be_left_out():
    # What the design format leaves optional (`args`, `shortcut`, `axis`...) the editor does
    # too: a hand-written `{"kind": "layer", "op": "flatten"}` opens.
    for block in (
        {"kind": "layer", "op": "flatten"},
        {"kind": "stack", "op": "fully_connected", "per_layer": [{}]},
        {"kind": "arg_scope", "ops": [], "blocks": []},
        {"kind": "residual", "blocks": [], "activation": None, "scope": None},
        {"kind": "branches", "branches": [[]]},
        {"kind": "net", "name": "vgg_16"},
    ):
        check_block(block, fn="t")


BAD_DESIGNS = [
    ("not-dict", [], TypeError, r"t: The design must be a design dict \(a JSON object\), got \[\]"),
    ("format", {**sample_design(), "format": "other"}, ValueError, r"`format` must be 'slim-workbench-design', got 'other'"),
    ("version", {**sample_design(), "version": 2}, ValueError, r"`version` must be 1, got 2"),
    ("name", {**sample_design(), "name": None}, TypeError, r"`name` must be a non-empty str, got None"),
    ("input", {**sample_design(), "input": [8, 8, 1]}, TypeError, r"`input` must be a dict such as \{\"shape\": \[28, 28, 1\]"),
    ("blocks", {**sample_design(), "blocks": {}}, TypeError, r"`blocks` must be a list of blocks, got \{\}"),
    ("block", {**sample_design(), "blocks": [{"kind": "conv2d"}]}, ValueError, r"`blocks\[0\].kind` must be one of layer, "),
]  # fmt: skip


@pytest.mark.parametrize("name, design, exc, match", BAD_DESIGNS, ids=[d[0] for d in BAD_DESIGNS])
def test_check_design_names_what_is_wrong(name, design, exc, match):
    with pytest.raises(exc, match=match):
        check_design(design, fn="t")


def test_docstring_examples_run():
    assert doctest.testmod(blocks).failed == 0
