"""Starting, watching and ending job processes at the operating-system level.

A job process is started in its own session (`start_new_session=True`), so closing the
app, its terminal or the notebook kernel that launched it does not end it; its stdout and
stderr go to `<logdir>/job.log`. The launcher keeps each `Popen` it made so that a child
that ended is reaped (a zombie still answers `os.kill(pid, 0)`), and a pid is only taken
as the job's when `/proc/<pid>/cmdline` names the job's log directory (pids are reused).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from workbench.models.jobs.paths import LOG_FILE

__all__ = ["describe_exit", "exit_description", "kill", "launch", "pid_alive", "wait_for_exit"]

# Popen objects of the processes this process launched, by pid (reaped in `pid_alive`).
_CHILDREN: dict[int, subprocess.Popen] = {}
# Exit status of children seen to end, for the message of a job that never reported.
_EXIT_STATUS: dict[int, int] = {}
_POLL_SECS = 0.1
# Jobs run below the app's CPU priority: on a CPU-only machine a training job would
# otherwise take every core from the server and the pages would answer edits in seconds.
JOB_NICENESS = 10


def _import_root() -> str:
    """The folder holding the `workbench` package, so the child imports this very copy."""
    return str(Path(__file__).resolve().parents[3])


def launch(
    logdir: str,
    workspace: str,
    *,
    python: str | None = None,
    niceness: int = JOB_NICENESS,
    env: Mapping[str, str] | None = None,
) -> int:
    """Starts `python -m workbench.train --logdir LOGDIR --workspace WORKSPACE` detached.

    Args:
      logdir: The job's log directory (absolute); stdout/stderr are appended to
        `job.log` there, and it is the process's working directory.
      workspace: The workspace root (absolute).
      python: The interpreter; default the one running this code.
      niceness: How much lower than this process's the job's CPU priority is.
      env: Variables set for the job on top of this process's environment, e.g.
        `{"CUDA_VISIBLE_DEVICES": "1"}` for a job that must use one GPU of several.

    Returns:
      The pid of the job process.
    """
    env = {**os.environ, **(env or {})}
    root = _import_root()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    command = [
        python or sys.executable,
        "-m",
        "workbench.train",
        "--logdir",
        logdir,
        "--workspace",
        workspace,
        "--nice",
        str(niceness),
    ]
    with open(os.path.join(logdir, LOG_FILE), "ab") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=logdir,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc.pid


def _proc_state(pid: int) -> str | None:
    """The one-letter state from `/proc/<pid>/stat`, or None where /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat.rsplit(b")", 1)[-1].split()[0].decode()


def _cmdline_names(pid: int, logdir: str) -> bool:
    """False only when `/proc/<pid>/cmdline` is readable and does not name `logdir`."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return True
    return os.fsencode(logdir) in cmdline.split(b"\0")


def pid_alive(pid: int | None, logdir: str | None = None) -> bool:
    """Whether process `pid` is alive (and, given `logdir`, is that job's process).

    Args:
      pid: Process id; None is never alive.
      logdir: The job's log directory, to tell a reused pid from the job's process.
    """
    if not pid or _reaped(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # Exists, owned by someone else.
    if _proc_state(pid) in ("Z", "X"):
        _reaped(pid)  # It may have ended since the first look: keep its exit status.
        return False
    if pid in _CHILDREN:
        # A child not yet reaped keeps its pid, so it is the job even while its cmdline does
        # not name the log directory yet (between fork and exec, or killed there).
        return True
    return logdir is None or _cmdline_names(pid, logdir)


def _reaped(pid: int) -> bool:
    """Reaps `pid` if it is a child of this process that ended, keeping its exit status."""
    child = _CHILDREN.get(pid)
    if child is None or child.poll() is None:
        return False
    _EXIT_STATUS[pid] = child.returncode
    _CHILDREN.pop(pid, None)  # Another thread (the sweep scheduler) may have reaped it too.
    return True


def describe_exit(returncode: int) -> str:
    """`"exit status 1"`, or `"killed by signal 9 (SIGKILL)"` for a negative `returncode`."""
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        return f"killed by signal {-returncode}"
    return f"killed by signal {-returncode} ({name})"


def exit_description(pid: int | None) -> str:
    """How a job process launched from here ended (`describe_exit`); '' when not known."""
    status = _EXIT_STATUS.get(pid) if pid else None
    return "" if status is None else describe_exit(status)


def wait_for_exit(pid: int, logdir: str | None, timeout: float) -> bool:
    """Waits up to `timeout` seconds for `pid` to end; returns True when it has."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid, logdir):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECS)
    return True


def kill(pid: int, sig: int = signal.SIGTERM) -> bool:
    """Sends `sig` to `pid`; returns False when the process is already gone."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    return True
