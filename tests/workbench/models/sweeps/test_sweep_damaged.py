"""A sweep queue whose files were damaged (truncated by a kill or a full disk, or edited by
hand): each says which file, what is wrong and what was expected, and the other sweeps go on.

The job process is `fake_job.py` (see `test_sweep_queue`)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from workbench.models.design import template
from workbench.models.sweeps import (
    Sweep,
    SweepDamagedError,
    damaged_sweeps,
    define_sweep,
    list_sweeps,
    schedule_all,
)

BASE = {
    "model": {"design": template("lenet")},
    "dataset": {"kind": "digits", "resize": [28, 28]},
    "train": {"steps": 2},
}


def _define(workspace, name: str, now: float = 0) -> Sweep:
    spec = {"name": name, "parameters": {"learning_rate": [0.1, 0.01]}, "base": BASE}
    return define_sweep(spec, workspace=workspace, now=now)


def _truncate(path: str) -> None:
    """Cuts the file in half, as a write ended by a kill would leave it."""
    text = Path(path).read_text()
    Path(path).write_text(text[: len(text) // 2])


def test_a_truncated_plan_names_the_file_and_the_other_sweeps_go_on(tmp_path, fake_python):
    good = _define(tmp_path, "good")
    bad = _define(tmp_path, "bad", now=60)
    _truncate(os.path.join(bad.folder, "sweep.json"))
    with pytest.raises(
        SweepDamagedError,
        match=rf"sweep '{bad.id}': sweeps/{bad.id}/sweep.json is not valid JSON \(line \d+, "
        r"column \d+: .*\); expected the plan `define_sweep` writes: .* The sweep cannot be "
        r"read: define it again from its spec.",
    ):
        Sweep(bad.id, workspace=tmp_path)
    assert [s.id for s in list_sweeps(tmp_path)] == [good.id]
    assert list(damaged_sweeps(tmp_path)) == [bad.id]
    assert damaged_sweeps(tmp_path)[bad.id].startswith(f"sweep '{bad.id}': sweeps/{bad.id}/")
    good.start()
    assert schedule_all(tmp_path, python=fake_python) == [f"{tmp_path}/jobs/{good.id}/run-001"]
    good.stop(grace_secs=10)
    # An unknown id still lists the known ones, the damaged one too.
    with pytest.raises(FileNotFoundError, match=r"Known sweeps: \['bad-19700101-000100', "):
        Sweep("nope", workspace=tmp_path)


@pytest.mark.parametrize(
    "plan, problem",
    [
        ([1, 2], r"holds list, not a JSON object"),
        ({"spec": {}, "runs": []}, r"has the spec \{\}"),
        ("keep-spec:runs=[]", r"has the runs \[\]"),
        ("keep-spec:runs=[{'name': '../x'}]", r"has the run \{'name': '../x'\} at runs\[0\]"),
        (
            "keep-spec:logdir=../../etc",
            r"has the run log folder '../../etc' at runs\[1\], "
            r"outside the workspace",
        ),
    ],
)
def test_a_plan_that_is_json_but_no_plan_is_damaged(tmp_path, plan, problem):
    sweep = _define(tmp_path, "s")
    path = os.path.join(sweep.folder, "sweep.json")
    if isinstance(plan, str):
        data = json.loads(Path(path).read_text())
        if plan.endswith("../../etc"):
            data["runs"][1]["logdir"] = "../../etc"
        else:
            data["runs"] = [] if plan.endswith("[]") else [{"name": "../x"}]
        plan = data
    Path(path).write_text(json.dumps(plan))
    with pytest.raises(SweepDamagedError, match=rf"sweep.json {problem}; expected the plan"):
        Sweep(sweep.id, workspace=tmp_path)


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"state": "sta', r"is not valid JSON \(line 1, column 11: .*\)"),
        ('{"state": "paused"}', r"has the state 'paused'"),
        ("[]", r"holds list, not a JSON object"),
    ],
)
def test_a_damaged_control_file_stops_nothing_silently(tmp_path, fake_python, text, problem):
    sweep = _define(tmp_path, "s")
    sweep.start()
    Path(sweep.folder, "control.json").write_text(text)
    expected = (
        rf"sweep '{sweep.id}': sweeps/{sweep.id}/control.json {problem}; expected "
        r'\{"state": "defined" \| "started" \| "stopped"\}. Whether the sweep was started is '
        rf"unknown: stop it \(`slim-workbench sweep stop {sweep.id}`"
    )
    for action in (sweep.status, sweep.start, sweep.control_state):
        with pytest.raises(SweepDamagedError, match=expected):
            action()
    assert sweep.recorded_state() == "damaged"
    assert schedule_all(tmp_path, python=fake_python) == []  # Skipped, not crashed.
    # A stop rewrites the file: the runs are cancelled and the sweep reads again.
    status = sweep.stop(grace_secs=5)
    assert status["state"] == "stopped" and status["counts"] == {"cancelled": 2}


def test_a_truncated_run_state_is_rewritten_from_the_run(tmp_path):
    sweep = _define(tmp_path, "s")
    path = Path(sweep.folder, "runs", "run-001.json")
    path.write_text('{"state": "pen')
    assert [run["state"] for run in sweep.run_states()] == ["pending", "pending"]
    assert json.loads(path.read_text())["state"] == "pending"


def test_a_damaged_claim_is_still_a_claim_and_the_run_says_why(tmp_path, fake_python):
    sweep = _define(tmp_path, "s")
    Path(sweep.folder, "runs", "run-001.claim").write_text('{"by": "lau')
    sweep.start()
    # run-001 is never launched (who claimed it is unknown); run-002 goes on.
    assert schedule_all(tmp_path, python=fake_python) == [f"{tmp_path}/jobs/{sweep.id}/run-002"]
    first = sweep.run_states()[0]
    assert first["state"] == "failed"
    assert first["error"].startswith(
        f"sweep '{sweep.id}': sweeps/{sweep.id}/runs/run-001.claim is not valid JSON (line 1"
    )
    assert "it is not launched (a claimed run is never launched twice)" in first["error"]
    sweep.stop(grace_secs=10)


def test_a_damaged_job_status_still_gives_the_sweeps_state(tmp_path, fake_python):
    sweep = _define(tmp_path, "s")
    sweep.start()
    sweep.schedule(python=fake_python)
    sweep.stop(grace_secs=10)
    logdir = Path(tmp_path, "jobs", sweep.id, "run-001")
    (logdir / "status.json").write_text(
        json.dumps({"state": "finished", "step": "many", "eval": ["x"]})
    )
    first = sweep.run_states()[0]
    assert (first["state"], first["step"], first["accuracy"]) == ("finished", 0, None)


def test_a_sweep_that_cannot_be_scheduled_does_not_stop_the_others(tmp_path, fake_python, caplog):
    good = _define(tmp_path, "good")
    broken = _define(tmp_path, "broken", now=60)  # Newer: scheduled first.
    for sweep in (broken, good):
        sweep.start()
    shutil.rmtree(os.path.join(broken.folder, "runs"))  # Its claims cannot be written.
    launched = schedule_all(tmp_path, python=fake_python)
    assert launched == [f"{tmp_path}/jobs/{good.id}/run-001"]
    assert f"scheduling the sweep '{broken.id}' failed" in caplog.text
    good.stop(grace_secs=10)
