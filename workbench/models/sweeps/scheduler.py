"""The scheduler: a thread of the app's process that keeps every started sweep going.

Every `interval` seconds it calls `Sweep.schedule` on each sweep of the workspace that is
started, so a sweep goes on after a page is closed, and a restarted server picks up the
sweeps it finds started (their jobs that died meanwhile are recorded as failed when their
state is read). One scheduler per workspace and process (`ensure_scheduler`); several
processes on one workspace are safe (runs are claimed before they are launched).
"""

from __future__ import annotations

import logging
import os
import threading

from workbench.models.sweeps.store import Sweep, SweepDamagedError, list_sweeps

__all__ = ["SweepScheduler", "ensure_scheduler", "run_until_done", "schedule_all"]

_LOG = logging.getLogger(__name__)
DEFAULT_INTERVAL_SECS = 1.0
_SCHEDULERS: dict[str, SweepScheduler] = {}
_LOCK = threading.Lock()


def schedule_all(workspace: str | os.PathLike, *, python: str | None = None) -> list[str]:
    """One scheduling step over every started sweep; returns the log folders launched.

    A sweep whose files are damaged (`SweepDamagedError`), or that cannot be scheduled for
    another reason (its folder removed or read-only), is logged and skipped.

    Args:
      workspace: The workspace root.
      python: Interpreter for the job processes; default the current one.
    """
    launched = []
    for sweep in list_sweeps(workspace):
        try:
            if sweep.control_state() == "started":
                launched += [run["logdir"] for run in sweep.schedule(python=python)]
        except SweepDamagedError as err:  # The other sweeps go on.
            _LOG.warning("sweep scheduler: %s", err)
        except Exception:  # E.g. its folder removed or read-only: the others go on too.
            _LOG.exception("sweep scheduler: scheduling the sweep %r failed", sweep.id)
    return launched


class SweepScheduler(threading.Thread):
    """A daemon thread calling `schedule_all(workspace)` every `interval` seconds.

    Args:
      workspace: The workspace root.
      interval: Seconds between two steps.
    """

    def __init__(self, workspace: str | os.PathLike, interval: float = DEFAULT_INTERVAL_SECS):
        super().__init__(name="sweep-scheduler", daemon=True)
        self.workspace = os.path.realpath(os.fspath(workspace))
        self.interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                schedule_all(self.workspace)
            except Exception:  # A damaged sweep folder must not end the scheduling of others.
                _LOG.exception("sweep scheduler: a step failed")
            self._halt.wait(self.interval)

    def halt(self) -> None:
        """Ends the thread after its current step."""
        self._halt.set()


def ensure_scheduler(workspace: str | os.PathLike) -> SweepScheduler:
    """The running scheduler of `workspace` in this process, started on first use."""
    root = os.path.realpath(os.fspath(workspace))
    with _LOCK:
        scheduler = _SCHEDULERS.get(root)
        if scheduler is None or not scheduler.is_alive():
            scheduler = _SCHEDULERS[root] = SweepScheduler(root)
            scheduler.start()
        return scheduler


def run_until_done(
    sweep: Sweep, *, interval: float = DEFAULT_INTERVAL_SECS, on_change=None
) -> dict:
    """Schedules `sweep` in this thread until it is finished or stopped; returns its status.

    Args:
      sweep: A started sweep.
      interval: Seconds between two steps.
      on_change: Called with the status whenever the runs' states change.
    """
    halt = threading.Event()
    last = None
    while True:
        sweep.schedule()
        status = sweep.status()
        summary = [run["state"] for run in status["runs"]]
        if summary != last and on_change is not None:
            on_change(status)
        last = summary
        if status["state"] in ("finished", "stopped"):
            return status
        halt.wait(interval)
