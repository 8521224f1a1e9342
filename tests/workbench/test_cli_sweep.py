"""`slim-workbench sweep`: define, status, start and stop on a workspace; bad specs exit 2.

The runs' job process is the sweep tests' `fake_job.py` (no training): the command line is
tested here, the training by the sweep's browser test.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from workbench.cli import EXIT_INVALID, main
from workbench.models.design import template
from workbench.models.sweeps import Sweep

FAKE_JOB = Path(__file__).parent / "models" / "sweeps" / "fake_job.py"
SPEC = {
    "name": "lr",
    "parameters": {"learning_rate": [0.1, 0.01]},
    "base": {
        "model": {"design": template("lenet")},
        "dataset": {"kind": "digits", "resize": [28, 28]},
        "train": {"steps": 2},
    },
}


@pytest.fixture(autouse=True)
def no_gpus(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")


def _define(workspace: Path, capsys, spec=SPEC) -> str:
    path = workspace / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["--workspace", str(workspace), "sweep", "define", str(path)]) == 0
    return json.loads(capsys.readouterr().out)["id"]


def test_define_then_status_lists_the_pending_runs(tmp_path, capsys):
    sweep_id = _define(tmp_path, capsys)
    assert main(["--workspace", str(tmp_path), "sweep", "status", sweep_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"sweep {sweep_id}: defined (2 pending)"
    assert lines[1].split() == ["best", "run", "state", "learning_rate", "val_accuracy", "logdir"]
    assert lines[3].split() == ["run-001", "pending", "0.1", f"{tmp_path}/jobs/{sweep_id}/run-001"]
    assert main(["--workspace", str(tmp_path), "sweep", "status"]) == 0
    assert capsys.readouterr().out == f"sweep {sweep_id}: defined (2 pending)\n"


def test_status_json_and_stop(tmp_path, capsys):
    sweep_id = _define(tmp_path, capsys)
    assert main(["--workspace", str(tmp_path), "sweep", "start", sweep_id, "--detach"]) == 0
    capsys.readouterr()
    assert main(["--workspace", str(tmp_path), "sweep", "stop", sweep_id]) == 0
    assert capsys.readouterr().out.startswith(f"sweep {sweep_id}: stopped (2 cancelled)")
    assert main(["--workspace", str(tmp_path), "sweep", "status", sweep_id, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["state"] == "stopped" and status["best"] is None
    assert main(["--workspace", str(tmp_path), "sweep", "start", sweep_id]) == EXIT_INVALID
    assert "sweep start: the sweep" in capsys.readouterr().err


def test_start_runs_every_run_in_the_foreground_and_marks_the_best(tmp_path, capsys, monkeypatch):
    sweep_id = _define(tmp_path, capsys)
    fake = tmp_path / "fake-python"
    fake.write_text(f'#!/bin/sh\ntouch "$4/release"\nexec {sys.executable} {FAKE_JOB} "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    original = Sweep.schedule
    monkeypatch.setattr(Sweep, "schedule", lambda self: original(self, python=str(fake)))
    assert main(["--workspace", str(tmp_path), "sweep", "start", sweep_id]) == 0
    out, err = capsys.readouterr()
    assert f"sweep {sweep_id}: finished (2 finished)" in err
    best = [line for line in out.splitlines() if line.startswith("*")]
    assert best and best[0].split()[1:5] == ["run-002", "finished", "0.01", "1.0000"]


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            {**SPEC, "parameters": {"learning_rate": [0.1, -0.5]}},
            "parameters.learning_rate[1]: must be a number > 0, got -0.5.",
        ),
        ({**SPEC, "method": "bayes"}, "method: must be one of ['grid', 'random'], got 'bayes'."),
        ([1], "spec: must be an object (a JSON dict), got [1]."),
    ],
    ids=["negative-rate", "method", "not-an-object"],
)
def test_a_bad_spec_exits_2_with_its_problems(tmp_path, capsys, spec, message):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["--workspace", str(tmp_path), "sweep", "define", str(path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("slim-workbench sweep: sweep spec has 1 problem:") and message in err
    assert not (tmp_path / "sweeps").exists()


def test_an_unknown_sweep_exits_2_naming_the_known_ones(tmp_path, capsys):
    sweep_id = _define(tmp_path, capsys)
    assert main(["--workspace", str(tmp_path), "sweep", "status", "nope"]) == EXIT_INVALID
    assert f"got 'nope'. Known sweeps: ['{sweep_id}']" in capsys.readouterr().err


def test_a_damaged_sweep_is_listed_with_its_problem_and_its_status_exits_2(tmp_path, capsys):
    sweep_id = _define(tmp_path, capsys)
    plan = tmp_path / "sweeps" / sweep_id / "sweep.json"
    plan.write_text(plan.read_text()[:40])  # Cut short, as by a kill mid-write.
    assert main(["--workspace", str(tmp_path), "sweep", "status"]) == 0
    line = capsys.readouterr().out
    assert line.startswith(
        f"sweep {sweep_id}: damaged: sweep '{sweep_id}': sweeps/{sweep_id}/sweep.json is not "
        "valid JSON (line "
    )
    assert main(["--workspace", str(tmp_path), "sweep", "status", sweep_id]) == EXIT_INVALID
    assert "expected the plan `define_sweep` writes" in capsys.readouterr().err
    plan.unlink()
    sweep_id = _define(tmp_path, capsys)
    control = tmp_path / "sweeps" / sweep_id / "control.json"
    control.write_text('{"sta')
    assert main(["--workspace", str(tmp_path), "sweep", "start", sweep_id]) == EXIT_INVALID
    assert "control.json is not valid JSON" in capsys.readouterr().err
    assert main(["--workspace", str(tmp_path), "sweep", "status"]) == 0
    assert f"sweep {sweep_id}: damaged: sweep '{sweep_id}': sweeps/{sweep_id}/control.json" in (
        capsys.readouterr().out
    )
