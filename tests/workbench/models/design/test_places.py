"""A problem's place said in words, as the canvas shows it next to a block."""

from __future__ import annotations

import doctest

import pytest

from workbench.models.design import places
from workbench.models.design.places import in_words, place_words
from workbench.models.design.spec import layer, new_design
from workbench.models.design.validate import block_status


def _design() -> dict:
    conv = layer("conv2d", "conv1", num_outputs=4, kernel_size=3)
    return new_design(
        "m",
        [8, 8, 1],
        [
            {"kind": "arg_scope", "ops": ["conv2d"], "defaults": {}, "blocks": [conv]},
            {"kind": "repeat", "count": 2, "block": layer("conv2d", num_outputs=4, kernel_size=1),
             "scope": "conv3"},
            {"kind": "branches", "axis": 3, "scope": "mixed",
             "branches": [[layer("max_pool2d", kernel_size=2)], [layer("flatten")]]},
            {"kind": "residual", "blocks": [layer("relu", num_outputs=4)],
             "shortcut": [layer("linear", "proj", num_outputs=4)]},
            {"kind": "stack", "op": "fully_connected", "args": {}, "per_layer": [{}]},
            {"kind": "net", "name": "lenet", "options": {}},
        ],
    )  # fmt: skip


def test_doctests() -> None:
    assert doctest.testmod(places).failed == 0


@pytest.mark.parametrize(
    "path, words",
    [
        ("blocks[0]", "arg_scope 1"),
        ("blocks[0].blocks[0]", "conv2d 'conv1' in arg_scope 1"),
        ("blocks[1].block", "conv2d in repeat 'conv3'"),
        ("blocks[2].branches[1][0]", "flatten 1 in branch 2 of branches 'mixed'"),
        ("blocks[3].blocks[0]", "relu 1 in residual 4"),
        ("blocks[3].shortcut[0]", "linear 'proj' in the shortcut of residual 4"),
        ("blocks[4]", "stack of fully_connected 5"),
        ("blocks[5]", "net lenet"),
    ],
)
def test_place_words(path: str, words: str) -> None:
    assert place_words(_design(), path) == words


@pytest.mark.parametrize("path", ["", "blocks[9]", "blocks[0].args", "name"])
def test_place_words_of_no_block_is_none(path: str) -> None:
    assert place_words(_design(), path) is None


@pytest.mark.parametrize(
    "block, message, expected",
    [
        ("blocks[0].blocks[0]", "`blocks[0].blocks[0].args.kernel_size` must be an int, got 0.",
         "conv2d 'conv1' in arg_scope 1: kernel_size must be an int, got 0."),
        ("blocks[0]", "`blocks[0].defaults.padding` must be 'SAME' or 'VALID', got 'x'.",
         "arg_scope 1: padding must be 'SAME' or 'VALID', got 'x'."),
        ("blocks[4]", "`blocks[4].per_layer[0].num_outputs` is required.",
         "stack of fully_connected 5: per_layer[0].num_outputs is required."),
        ("blocks[1].block", "`blocks[1].block` (conv2d) must get a 4-D input, got [8].",
         "conv2d in repeat 'conv3' must get a 4-D input, got [8]."),
        # Messages that do not start with the block's path stay as they are.
        ("blocks[1].block", "conv2d needs num_outputs.", "conv2d needs num_outputs."),
        ("blocks[1]", "`blocks[10].args` must be a dict.", "`blocks[10].args` must be a dict."),
    ],
)  # fmt: skip
def test_in_words(block: str, message: str, expected: str) -> None:
    assert in_words(_design(), block, message) == expected


def test_the_canvas_status_says_where_in_words() -> None:
    design = _design()
    design["blocks"][0]["blocks"][0]["args"]["kernel_size"] = [3, 3, 3]
    error = block_status(design)["blocks[0].blocks[0]"]["error"]
    assert error == (
        "conv2d 'conv1' in arg_scope 1: kernel_size must be an int >= 1 or a list of 2 ints "
        ">= 1, got [3, 3, 3]."
    )
    assert "`" not in error
