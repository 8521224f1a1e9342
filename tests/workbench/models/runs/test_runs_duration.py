"""A run's duration is its running time over every launch: a stopped and resumed job counts
the time before its stop too, and not the time it sat stopped."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.models.jobs import control
from workbench.models.jobs.launches import LaunchesError, earlier_launches, running_seconds
from workbench.models.jobs.status_file import StatusFile
from workbench.models.runs import read_run


def _status(logdir: str) -> dict:
    with open(os.path.join(logdir, "status.json")) as f:
        return json.load(f)


def _write_status(logdir: str, status: dict) -> None:
    with open(os.path.join(logdir, "status.json"), "w") as f:
        json.dump(status, f)


def test_a_stopped_and_resumed_run_counts_both_launches(tmp_path):
    # Launch 1 ran 100 s and was stopped; the job sat stopped 900 s; launch 2 ran 250 s.
    logdir = make_run(str(tmp_path), "jobs/resumed", started=T0 + 1000, duration=250.0)
    status = _status(logdir)
    status["launches"] = [{"started_at": T0, "ended_at": T0 + 100}]
    _write_status(logdir, status)
    run = read_run(logdir, str(tmp_path))
    assert run.duration_s == 350.0 and run.problem is None
    assert run.examples_per_sec == 800.0  # Logged by the job: not derived from the duration.


def test_three_launches_and_a_resume_still_starting(tmp_path):
    logdir = make_run(str(tmp_path), "jobs/r3", state="stopped")
    _write_status(
        logdir,
        {"state": "stopped", "started_at": T0 + 500, "ended_at": T0 + 530.5,
         "launches": [{"started_at": T0, "ended_at": T0 + 60},
                      {"started_at": T0 + 200, "ended_at": T0 + 212.25}]},
    )  # fmt: skip
    assert read_run(logdir, str(tmp_path)).duration_s == 60 + 12.25 + 30.5
    # Relaunched, its process not reporting yet: only the earlier launches count.
    status = {"state": "starting", "launches": [{"started_at": T0, "ended_at": T0 + 60}]}
    assert running_seconds(status, T0 + 9999, active=True) == 60.0


def test_a_run_that_never_started_has_no_duration(tmp_path):
    assert running_seconds({"state": "starting"}, T0, active=True) is None
    assert running_seconds({"state": "failed", "launches": []}, T0, active=False) is None


@pytest.mark.parametrize(
    "launches, match",
    [
        ("soon", r"launches is 'soon', expected a list of"),
        ([{"started_at": T0}], r"launches\[0\] is \{'started_at': 1700000000.0\}, expected"),
        ([{"started_at": 5.0, "ended_at": 2.0}], r"launches\[0\] .* ended_at >= started_at"),
    ],
)
def test_damaged_launches_are_named_in_the_problem(tmp_path, launches, match):
    logdir = make_run(str(tmp_path), "jobs/bad")
    status = {**_status(logdir), "launches": launches}
    _write_status(logdir, status)
    with pytest.raises(LaunchesError, match=match):
        running_seconds(status, T0, active=False)
    run = read_run(logdir, str(tmp_path))
    assert run.duration_s is None and re.search(match, run.problem)


def test_earlier_launches_close_a_launch_that_died_at_its_last_update():
    died = {"started_at": 10.0, "ended_at": None, "updated_at": 25.0,
            "launches": [{"started_at": 1.0, "ended_at": 4.0}]}  # fmt: skip
    assert earlier_launches(died) == [
        {"started_at": 1.0, "ended_at": 4.0},
        {"started_at": 10.0, "ended_at": 25.0},
    ]
    # A damaged record is not carried on (a relaunch must not fail on it).
    assert earlier_launches({"launches": "x", "started_at": 1.0, "ended_at": 2.0}) == [
        {"started_at": 1.0, "ended_at": 2.0}
    ]
    assert earlier_launches({"state": "failed"}) == []


def test_resume_keeps_the_earlier_launch_and_the_runner_adds_its_own(tmp_path):
    logdir = make_run(str(tmp_path), "jobs/again", state="stopped", started=T0, duration=100.0)
    # An interpreter that exits at once: the relaunch's status is what is checked.
    python = tmp_path / "exit-python"
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    control.resume(logdir, workspace=str(tmp_path), python=str(python))
    assert _status(logdir)["launches"] == [{"started_at": T0, "ended_at": T0 + 100}]
    # What the job process writes as it starts and ends (`workbench.models.jobs.runner`).
    status = StatusFile(logdir)
    status.update(state="running", started_at=T0 + 1000, ended_at=None)
    status.update(state="finished", ended_at=T0 + 1040)
    assert read_run(logdir, str(tmp_path)).duration_s == 140.0
