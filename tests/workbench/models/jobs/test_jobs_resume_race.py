"""Two Resume clicks at once (two tabs, two servers, the app and the CLI) launch the job
once: two processes training into one log directory would overwrite each other's
checkpoints and status."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys

from workbench.models.jobs import JobStateError, resume
from workbench.models.jobs.control import read_status

CONFIG = {"model": {"net": "lenet"}, "dataset": {"kind": "digits"}, "train": {"steps": 5}}
RESUMERS = 4


def _resume(barrier, logdir: str, workspace: str, python: str, results) -> None:
    barrier.wait()
    try:
        resume(logdir, workspace=workspace, python=python)
        results.put("resumed")
    except JobStateError as err:
        results.put(f"refused: {err}")


def test_resumes_at_once_launch_the_job_once(tmp_path):
    logdir = tmp_path / "jobs" / "run"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps(CONFIG))
    (logdir / "status.json").write_text(json.dumps({"state": "stopped", "step": 3}))
    sleeper = tmp_path / "sleeper"
    # Stands in for the job process; its command line names the log directory, as the
    # job's does, so the job reads as running while it lives.
    sleeper.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    sleeper.chmod(0o755)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(RESUMERS), ctx.Queue()
    args = (barrier, str(logdir), str(tmp_path), str(sleeper), results)
    processes = [ctx.Process(target=_resume, args=args) for _ in range(RESUMERS)]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120) for _ in range(RESUMERS))
    for process in processes:
        process.join(60)
    try:
        assert outcomes[-1] == "resumed" and outcomes.count("resumed") == 1, outcomes
        assert all("is starting; stop it first" in o for o in outcomes[:-1]), outcomes
    finally:
        pid = read_status(str(logdir)).get("pid") or int((logdir / "job.pid").read_text())
        os.kill(pid, signal.SIGKILL)
