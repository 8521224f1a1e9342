"""The login throttle's count, shared through a file by the serving processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.server.login_throttle import LoginThrottle

ROOT = Path(__file__).resolve().parents[3]
NOW = time.time()


@pytest.fixture
def state(tmp_path):
    return str(tmp_path / "failures.json")


def test_three_free_failures_then_waits_that_double(state):
    throttle = LoginThrottle(state)
    assert [throttle.attempt("1.2.3.4", now=NOW) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert throttle.attempt("1.2.3.4", now=NOW + 0.25) == 0.75  # 1 s after the last.
    assert throttle.attempt("1.2.3.4", now=NOW + 1.0) == 0.0  # The 4th: counted.
    assert throttle.attempt("1.2.3.4", now=NOW + 2.0) == 1.0  # Now 2 s after it.
    assert throttle.attempt("5.6.7.8", now=NOW + 2.0) == 0.0  # Another address is free.
    assert throttle.failures("1.2.3.4") == 4


def test_a_right_password_clears_the_count(state):
    throttle = LoginThrottle(state)
    for _ in range(3):
        throttle.attempt("1.2.3.4", now=NOW)
    throttle.succeeded("1.2.3.4")
    assert throttle.failures("1.2.3.4") == 0 and throttle.attempt("1.2.3.4", now=NOW) == 0.0


def test_the_wait_is_capped(state):
    throttle = LoginThrottle(state, max_wait=5.0)
    for i in range(20):  # Each comes long after the one before: all are checked.
        assert throttle.attempt("a", now=NOW + 100 * i) == 0.0
    assert throttle.failures("a") == 20
    assert throttle.attempt("a", now=NOW + 1900) == 5.0


def test_two_throttles_on_one_file_share_the_count(state):
    first, second = LoginThrottle(state), LoginThrottle(state)
    first.attempt("a", now=NOW)
    second.attempt("a", now=NOW)
    first.attempt("a", now=NOW)
    assert second.attempt("a", now=NOW) == 1.0 and first.attempt("a", now=NOW) == 1.0
    assert json.loads(Path(state).read_text())["a"] == [3, NOW]


_HAMMER = """
import sys, time
from workbench.server.login_throttle import LoginThrottle
path, now, start = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
throttle = LoginThrottle(path)
while time.time() < start:
    pass
print(sum(throttle.attempt("attacker", now=now) == 0.0 for _ in range(40)))
"""


def test_two_processes_at_once_let_through_only_the_free_attempts(state):
    # Both processes start hammering at the same instant; every attempt carries the same
    # clock, so only the 3 free attempts may pass, whichever process checks them.
    start = time.time() + 3
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _HAMMER, state, str(NOW), str(start)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    admitted = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sum(admitted) == 3
    assert LoginThrottle(state).failures("attacker") == 3


def test_an_unreadable_file_starts_from_no_failures(state):
    Path(state).write_text("{not json")
    throttle = LoginThrottle(state)
    assert throttle.attempt("a", now=NOW) == 0.0
    assert json.loads(Path(state).read_text()) == {"a": [1, NOW]}


def test_an_unwritable_workspace_still_throttles_in_memory(tmp_path, caplog):
    throttle = LoginThrottle(str(tmp_path / "missing" / "failures.json"))
    assert [throttle.attempt("a", now=NOW) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert "counting failed logins in this process only" in caplog.text


def test_a_full_disk_keeps_the_saved_count(state, monkeypatch, caplog):
    throttle = LoginThrottle(state)
    throttle.attempt("a", now=NOW)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("workbench.server.login_throttle.atomic_write", disk_full)
    assert throttle.attempt("a", now=NOW) == 0.0
    assert "No space left on device" in caplog.text
    assert json.loads(Path(state).read_text()) == {"a": [1, NOW]}


def test_a_disk_without_file_locks_still_throttles_in_memory(state, monkeypatch, caplog):
    import errno
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    throttle = LoginThrottle(state)
    assert [throttle.attempt("a", now=NOW) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert "No locks available" in caplog.text
