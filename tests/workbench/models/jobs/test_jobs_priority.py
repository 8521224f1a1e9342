"""A job lowers its CPU priority: its nice value, and its autogroup's when it leads a session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.models.jobs.priority import autogroup_nice, lower_priority

ROOT = Path(__file__).resolve().parents[4]

LOWER = """
import json, os, sys
from workbench.models.jobs.priority import lower_priority
before = os.getpriority(os.PRIO_PROCESS, 0)
kwargs = {"autogroup_file": sys.argv[2]} if len(sys.argv) > 2 else {}
result = lower_priority(int(sys.argv[1]), **kwargs)
print(json.dumps([result, os.getpriority(os.PRIO_PROCESS, 0) - before]))
"""


def _lower_in_child(amount: int, *args: str, own_session: bool) -> tuple[int | None, int]:
    """(what `lower_priority` returned, how much the nice value rose) in a child process,
    in a session of its own or in this one."""
    done = subprocess.run(
        [sys.executable, "-c", LOWER, str(amount), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=own_session,
    )
    assert done.returncode == 0, done.stderr
    return tuple(json.loads(done.stdout))


def test_a_session_leader_lowers_its_autogroup_too(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-42 nice 2\n")
    assert _lower_in_child(7, str(group), own_session=True) == (9, 7)
    assert group.read_text() == "9"


def test_the_autogroup_nice_stops_at_19(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-42 nice 15\n")
    assert _lower_in_child(10, str(group), own_session=True)[0] == 19


def test_a_process_in_a_shared_session_leaves_the_group_alone(tmp_path):
    # Its group holds the programs of the session that started it (a shell, the app).
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-42 nice 0\n")
    assert _lower_in_child(5, str(group), own_session=False) == (None, 5)
    assert group.read_text() == "/autogroup-42 nice 0\n"


def test_without_autogroups_only_the_nice_value_changes(tmp_path):
    assert _lower_in_child(3, str(tmp_path / "missing"), own_session=True) == (None, 3)
    garbled = tmp_path / "garbled"
    garbled.write_text("no value here")
    assert _lower_in_child(3, str(garbled), own_session=True) == (None, 3)


@pytest.mark.skipif(autogroup_nice() is None, reason="this process is in no scheduler autogroup")
def test_a_job_in_its_own_session_runs_in_a_lower_autogroup():
    mine = autogroup_nice()
    result, raised = _lower_in_child(4, own_session=True)
    # A new session starts a new autogroup at nice 0; this one's is unchanged.
    assert (result, raised) == (4, 4)
    assert autogroup_nice() == mine


def test_an_autogroup_file_that_names_no_group_reads_as_none(tmp_path):
    # What a process whose CPU share a cgroup sets reads (an empty file).
    empty = tmp_path / "autogroup"
    empty.write_text("")
    assert autogroup_nice(str(empty)) is None
    assert _lower_in_child(2, str(empty), own_session=True) == (None, 2)
    assert empty.read_text() == ""


@pytest.mark.parametrize("amount", [-1, 20, 2.5, True, "5"])
def test_an_amount_outside_0_to_19_is_refused(amount):
    with pytest.raises(ValueError, match=r"`amount` must be an int in 0 \.\. 19, got "):
        lower_priority(amount)


def test_zero_changes_nothing(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-42 nice 0\n")
    assert lower_priority(0, autogroup_file=str(group)) is None
    assert group.read_text() == "/autogroup-42 nice 0\n"
