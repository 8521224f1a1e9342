"""A layer dropped from the palette starts with arguments that make it valid at once."""

from __future__ import annotations

import doctest

import pytest

from workbench.models.design import starting_args as starting_module
from workbench.models.design.catalogue import catalogue, nets, palette
from workbench.models.design.starting_args import STARTING_ARGS, starting_args
from workbench.models.design.validate import validate
from workbench.models.editor import empty_design, new_block
from workbench.views.panel.canvas.component import palette_block

#: An input each op takes when it is the design's only layer; 2-D images otherwise.
_INPUTS = {
    "conv1d": ((16, 3), "float32"),
    "conv3d": ((8, 8, 8, 3), "float32"),
    "conv3d_transpose": ((8, 8, 8, 3), "float32"),
    "max_pool3d": ((8, 8, 8, 3), "float32"),
    "avg_pool3d": ((8, 8, 8, 3), "float32"),
    # One-hot encoding takes class ids, not images.
    "one_hot_encoding": ((1,), "int32"),
}
_LAYER_OPS = [entry["op"] for entry in palette() if entry.get("kind") in (None, "layer")]
#: Palette entries that cannot be valid the moment they are dropped, and why.
_NOT_VALID_AT_ONCE = {
    # Which ops it sets defaults for is the user's choice; until one is picked the
    # analysis reports the empty `ops` list, naming what to do.
    "arg_scope": "`blocks[0].ops` must be a non-empty list of layer op names",
}


def _alone(block: dict, op: str = "") -> dict:
    shape, dtype = _INPUTS.get(op, ((28, 28, 1), "float32"))
    design = empty_design(shape=shape)
    design["input"]["dtype"] = dtype
    design["blocks"] = [block]
    return design


def test_doctests() -> None:
    assert doctest.testmod(starting_module).failed == 0


@pytest.mark.parametrize("op", _LAYER_OPS)
def test_each_palette_layer_is_valid_when_dropped(op: str) -> None:
    block = palette_block({"op": op})
    assert block["args"] == starting_args(op)
    assert validate(_alone(block, op)) == []


def test_every_required_argument_of_a_palette_op_has_a_starting_value() -> None:
    for op in _LAYER_OPS:
        assert set(catalogue()[op].required) <= set(starting_args(op)), op
    # Nothing listed for an op the catalogue does not have, or for an op needing nothing.
    assert set(STARTING_ARGS) == {op for op in _LAYER_OPS if catalogue()[op].required}


def test_the_classic_starting_values() -> None:
    assert starting_args("conv2d") == {"num_outputs": 32, "kernel_size": [3, 3]}
    assert starting_args("fully_connected") == {"num_outputs": 10}
    assert starting_args("max_pool2d") == {"kernel_size": [2, 2]}
    assert starting_args("flatten") == {}


def test_starting_args_are_a_fresh_copy() -> None:
    starting_args("conv2d")["kernel_size"].append(9)
    assert starting_args("conv2d")["kernel_size"] == [3, 3]


def test_nets_need_no_arguments_to_start() -> None:
    # A net's options all have defaults; whether it fits is a matter of the input size.
    assert all(spec.required == () for spec in nets().values())


@pytest.mark.parametrize("kind", ["repeat", "stack", "residual", "branches", "arg_scope"])
def test_dropped_structures(kind: str) -> None:
    problems = [str(problem) for problem in validate(_alone(palette_block({"kind": kind})))]
    if kind in _NOT_VALID_AT_ONCE:
        assert len(problems) == 1 and _NOT_VALID_AT_ONCE[kind] in problems[0]
    else:
        assert problems == []


def test_ready_repeat_and_stack_fill_their_layers() -> None:
    assert new_block("repeat", ready=True)["block"]["args"] == {
        "num_outputs": 32,
        "kernel_size": [3, 3],
    }
    stack = new_block("stack", op="conv2d", ready=True)
    assert stack["args"] == {}
    assert stack["per_layer"] == [starting_args("conv2d")] * 2
    assert validate(_alone(stack)) == []


def test_without_ready_a_new_layer_stays_empty() -> None:
    assert new_block("conv2d")["args"] == {}
    assert new_block("repeat")["block"]["args"] == {}
