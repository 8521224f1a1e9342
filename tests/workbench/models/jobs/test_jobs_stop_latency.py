"""A stopped job ends within a few seconds of its last checkpoint.

The job process saves a checkpoint on SIGTERM and records `stopped`; it must then be gone
at once: the interpreter's teardown of TensorFlow used to take seconds more (and past the
grace period of `stop` on a busy machine, which then killed it).
"""

from __future__ import annotations

import glob
import os
import time

from tests.workbench.models.jobs.jobs_support import DIGITS_CONFIG, JOB_TIMEOUT_SECS, wait_until
from workbench.models.jobs import start


def test_stop_returns_within_seconds_of_the_checkpoint(tmp_path):
    job = start(DIGITS_CONFIG, "jobs/stop", workspace=tmp_path)
    try:
        wait_until(
            lambda: job.status()["state"] != "starting" and (job.step >= 5 or not job.is_active),
            JOB_TIMEOUT_SECS,
            "the job to log step 5",
        )
        assert job.state == "running", job.error
        status = job.stop(grace_secs=60)
        returned = time.time()
    finally:
        job.stop(grace_secs=5)
    assert status["state"] == "stopped", status
    latest = max(glob.glob(os.path.join(job.logdir, "model.ckpt-*.index")), key=os.path.getmtime)
    # The process was gone right after writing its final status ...
    assert returned - status["ended_at"] < 1.5, returned - status["ended_at"]
    # ... which came a few seconds after the checkpoint at most.
    assert returned - os.path.getmtime(latest) < 6.0
