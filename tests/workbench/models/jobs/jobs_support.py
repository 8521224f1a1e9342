"""Helpers of the job tests, and the shared digits job: started by a launcher process that
exits at once, reattached, stopped mid-run, resumed and finished."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.models.jobs import list_jobs, read_metrics, stop

# Long enough that the job is still running when the test stops it; the resume then sets
# the real target. LeNet on 8x8 digits with SGD + momentum 0.9 at rate 0.05 takes its loss
# from ~2.3 to below 1 within ~100 steps of 32 images.
DIGITS_CONFIG = {
    "name": "digits-lenet",
    "model": {"net": "lenet"},
    "dataset": {"kind": "digits"},
    "train": {
        "optimizer": "momentum",
        "learning_rate": 0.05,
        "batch_size": 32,
        "steps": 100_000,
        "log_every_n_steps": 5,
        "save_interval_secs": 600,
        "save_summaries_secs": 600,
    },
    "seed": 1,
    "device": "cpu",
}
STOP_AFTER_STEP = 30  # Stop once a record at or beyond this step was logged.
MORE_STEPS = 150  # The resume trains this many steps past the stopped step.
JOB_TIMEOUT_SECS = 120.0

_LAUNCHER = textwrap.dedent(
    """
    import json, sys
    from workbench.models.jobs import start
    job = start(json.loads(sys.argv[2]), "jobs/digits", workspace=sys.argv[1])
    print(job.logdir)
    """
)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls `predicate` every 0.2 s; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def job_ended(job) -> bool:
    """Reads the job's status; True once it is no longer starting or running."""
    job.status()
    return not job.is_active


def checkpoint_step(logdir: str) -> int | None:
    """The global step of the latest checkpoint named in `<logdir>/checkpoint`."""
    path = Path(logdir) / "checkpoint"
    if not path.exists():
        return None
    first = path.read_text().splitlines()[0]  # model_checkpoint_path: "model.ckpt-123"
    return int(first.rsplit("-", 1)[-1].rstrip('"'))


@dataclass
class DigitsRun:
    """What the shared digits job went through."""

    workspace: str
    logdir: str
    launcher_pid: int
    running: dict  # The status seen while it ran (reattached from this process).
    stopped: dict  # The status right after `stop`.
    stopped_step: int  # Global step of the checkpoint saved on stop.
    requested_steps: int  # The step `resume` asked for.
    final: dict  # The status once the resumed job ended.
    records: list  # The whole metrics stream.
    seconds: float


def run_digits_job(workspace: str) -> DigitsRun:
    """Runs the digits job through start, stop and resume; returns what it went through."""
    begin = time.monotonic()
    launcher = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, workspace, json.dumps(DIGITS_CONFIG)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = launcher.communicate(timeout=120)
    assert launcher.returncode == 0, err[-3000:]
    logdir = out.strip().splitlines()[-1]
    try:
        # The launcher has exited; find the job again as a newly started app would.
        (job,) = list_jobs(workspace)
        wait_until(
            lambda: (
                (job.status()["state"] == "running" and job.step >= STOP_AFTER_STEP)
                or not job.is_active
            ),
            JOB_TIMEOUT_SECS,
            f"the digits job to log step {STOP_AFTER_STEP}",
        )
        running = job.status()
        stopped = job.stop(grace_secs=30)
        stopped_step = checkpoint_step(logdir) or 0
        requested = stopped_step + MORE_STEPS
        job.resume(steps=requested)
        wait_until(lambda: job_ended(job), JOB_TIMEOUT_SECS, "the resumed job to end")
        return DigitsRun(
            workspace=workspace,
            logdir=logdir,
            launcher_pid=launcher.pid,
            running=running,
            stopped=stopped,
            stopped_step=stopped_step,
            requested_steps=requested,
            final=job.status(),
            records=read_metrics(Path(logdir) / "metrics.jsonl"),
            seconds=time.monotonic() - begin,
        )
    finally:
        stop(logdir, grace_secs=5)  # Only acts if a failure above left it running.
