"""Designs that ask for more than can be built or checked in good time get a problem with the
numbers, quickly, instead of passing validation and failing (or hanging) later."""

from __future__ import annotations

import json
import time

import pytest

from workbench.cli import EXIT_INVALID, main
from workbench.models.design import DesignError, dumps, loads, validate
from workbench.models.design.spec import layer, new_design


def _messages(design):
    return [str(p) for p in validate(design)]


def test_an_input_too_large_for_one_tensor_is_refused():
    design = new_design("m", [10**9, 10**9, 3], [layer("conv2d", num_outputs=4, kernel_size=3)])
    assert _messages(design)[0] == (
        "`input.shape` makes an input of shape [1000000000, 1000000000, 3] of "
        "3,000,000,000,000,000,000 values; at most 268,435,456 (2**28) values fit one tensor "
        "here."
    )


def test_a_huge_kernel_is_refused_for_its_variable_and_the_parameter_total():
    design = new_design(
        "m", [28, 28, 1], [layer("conv2d", num_outputs=8, kernel_size=[100000, 100000])]
    )
    assert _messages(design) == [
        "`blocks[0]` makes a variable 'Conv/weights' of shape [100000, 100000, 1, 8] of "
        "80,000,000,000 values; at most 268,435,456 (2**28) values fit one tensor here.",
        "The design has 80,000,000,008 parameters; at most 1,000,000,000 are accepted "
        "(4 GB of float32).",
    ]


def test_the_parameter_total_is_capped_across_layers():
    # Each 16384 x 16384 kernel fits one tensor; five of them pass 10**9 parameters together.
    blocks = [layer("fully_connected", f"fc{i}", num_outputs=16384) for i in range(5)]
    problems = _messages(new_design("m", [16384], blocks))
    assert problems == [
        "The design has 1,342,259,200 parameters; at most 1,000,000,000 are accepted "
        "(4 GB of float32)."
    ]


def test_too_many_blocks_are_refused_before_anything_else_is_checked():
    blocks = [layer("fully_connected", num_outputs=4)] * 5001
    started = time.monotonic()
    problems = _messages(new_design("m", [4], blocks))
    assert time.monotonic() - started < 5
    assert problems == [
        "The design has more than 5,000 blocks; at most 5,000 can be checked and built. Use "
        "repeat blocks for long runs of the same layer."
    ]


def test_loads_refuses_deep_or_huge_text_with_the_numbers():
    with pytest.raises(DesignError, match=r"nests JSON arrays and objects 5000 levels deep; at "
                       r"most 100 are read"):  # fmt: skip
        loads("[" * 5000 + "]" * 5000)
    design = json.loads(dumps(new_design("m", [4], [])))
    design["name"] = "x" * (5 * 2**20)
    with pytest.raises(DesignError, match=r"The design text has 5,24\d,\d{3} bytes; at most "
                       r"4,194,304 are read"):  # fmt: skip
        loads(json.dumps(design))


@pytest.mark.parametrize("command", ["validate", "summary", "diagram", "restore-plan"])
def test_the_cli_refuses_a_design_that_cannot_be_built(tmp_path, capsys, command):
    design = new_design("m", [10**9, 10**9, 3], [layer("conv2d", num_outputs=4, kernel_size=3)])
    path = tmp_path / "huge.json"
    path.write_text(dumps(design))
    argv = [command, str(path)]
    if command == "restore-plan":
        argv += ["--checkpoint", str(tmp_path / "no-checkpoint")]
    if command == "diagram":
        argv += ["-o", str(tmp_path / "d.dot")]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "at most 268,435,456 (2**28) values fit one tensor" in err
    assert "Traceback" not in err


def _repeats(count: int, times: int) -> list[dict]:
    fc = layer("fully_connected", num_outputs=2)
    return [{"kind": "repeat", "count": times, "block": fc, "scope": f"r{i}"} for i in range(count)]


def test_layer_calls_are_capped_with_repeat_counts_included():
    # 8 blocks, 2,048 calls: building them would hold a server thread for minutes.
    started = time.monotonic()
    problems = _messages(new_design("m", [4], _repeats(8, 256)))
    assert time.monotonic() - started < 5
    assert problems == [
        "The design makes more than 2,000 layer calls (repeat counts and stacked layers "
        "included); at most 2,000 can be built in good time. Slim nets (a net block) count "
        "as one."
    ]
    assert _messages(new_design("m", [4], _repeats(7, 256))) == []  # 1,792 calls.


def test_blocks_in_a_residual_shortcut_count_too():
    fc = layer("fully_connected", num_outputs=4)
    residual = {"kind": "residual", "blocks": [fc], "shortcut": [fc] * 5001}
    assert _messages(new_design("m", [4], [residual]))[0].startswith(
        "The design has more than 5,000 blocks"
    )
