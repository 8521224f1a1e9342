"""The layer table of a built design names the design's blocks as the places arguments were
set (`arg_scope 2 in arg_scope 1`), never the builder's own file and line."""

from __future__ import annotations

import pytest

from workbench.models.design.build import build_graph
from workbench.models.design.provenance import DesignPlaces
from workbench.models.design.spec import arg_scope, layer, new_design, repeat
from workbench.models.inspect import tabulate_layers


def _design() -> dict:
    """Two sibling arg_scopes (same ops, same depth) and one nested in the second: each
    must be told apart though the builder opens all of them at the same line."""
    first = arg_scope(
        ["conv2d"],
        [layer("conv2d", "conv1", num_outputs=2, kernel_size=3)],
        padding="VALID",
    )
    inner = arg_scope(
        ["conv2d"],
        [repeat(2, layer("conv2d", None, num_outputs=2, kernel_size=1), "conv3")],
        stride=1,
    )
    second = arg_scope(
        ["conv2d"],
        [layer("conv2d", "conv2", num_outputs=2, kernel_size=3), inner],
        padding="SAME",
    )
    return new_design("m", [8, 8, 1], [first, second, layer("dropout", "drop")])


@pytest.fixture(scope="module")
def table():
    design = _design()
    places = DesignPlaces(design)
    built = build_graph(design, is_training=False, places=places)
    return tabulate_layers(built.trace, places=places)


def test_arg_scope_defaults_name_the_arg_scope_block_that_set_them(table):
    assert table.row("conv1").argument("padding").set_at == "arg_scope 1"
    assert table.row("conv2").argument("padding").set_at == "arg_scope 2"
    padding = table.row("conv3/conv3_1").argument("padding")
    stride = table.row("conv3/conv3_1").argument("stride")
    assert (padding.set_at, padding.value) == ("arg_scope 2", "SAME")
    assert (stride.set_at, stride.value) == ("arg_scope 2 in arg_scope 2", 1)
    shown = [table.records(), *(table.argument_records(r.index) for r in table.rows)]
    assert "build.py" not in str(shown)


def test_a_value_the_block_gives_names_the_block(table):
    kernel = table.row("conv1").argument("kernel_size")
    assert (kernel.source, kernel.set_at) == ("call", "conv2d 'conv1' in arg_scope 1")
    # A repeat's layers are made by the repeat block.
    inner = table.row("conv3/conv3_2").argument("kernel_size")
    assert inner.set_at == "repeat 'conv3' in arg_scope 2 in arg_scope 2"


def test_the_training_switch_and_defaults_say_so(table):
    is_training = table.row("drop").argument("is_training")
    assert (is_training.value, is_training.source) == (False, "arg_scope")
    assert is_training.set_at == "the build's inference mode (is_training=False)"
    rate = table.row("drop").argument("keep_prob")
    assert (rate.source, rate.set_at) == ("default", "")
    records = table.argument_records(table.row("conv2").index)
    assert {r["Argument"]: r["Set at"] for r in records}["padding"] == "arg_scope 2"
    assert "padding=SAME (arg_scope 2)" in table.records()[1]["Arguments set"]


def test_without_places_the_file_and_line_stay():
    design = _design()
    table = tabulate_layers(build_graph(design).trace)
    padding = table.row("conv1").argument("padding")
    assert padding.set_at.startswith("build.py:")
    assert padding.describe().startswith("arg_scope([convolution2d]) at build.py:")
