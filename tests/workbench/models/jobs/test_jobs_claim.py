"""Two starts into one log folder at the same moment: exactly one gets it.

Pairs of processes wait on a barrier and call `start` together. The job process is
`/bin/true` (`python=`), so nothing trains; what counts is who claimed `job.json`.
"""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from workbench.models.jobs import start
from workbench.models.jobs.settings import TrainSettings

CONFIG = {"model": {"net": "lenet"}, "dataset": {"kind": "digits"}, "train": {"steps": 5}}
PAIRS = 30


def _start_at_barrier(barrier, workspace, logdir, name, results):
    config = {**CONFIG, "name": name}
    barrier.wait()
    try:
        job = start(config, logdir, workspace=workspace, python="/bin/true")
        results.put((name, job.logdir))
    except FileExistsError as err:
        results.put((name, str(err)))


def test_simultaneous_starts_into_one_folder_launch_exactly_one(tmp_path):
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    for pair in range(PAIRS):
        barrier = ctx.Barrier(2)
        logdir = f"jobs/run{pair}"
        procs = [
            ctx.Process(
                target=_start_at_barrier,
                args=(barrier, str(tmp_path), logdir, f"{pair}-{side}", results),
            )
            for side in "ab"
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
    outcomes = [results.get(timeout=10) for _ in range(2 * PAIRS)]
    for pair in range(PAIRS):
        folder = str(tmp_path / "jobs" / f"run{pair}")
        mine = sorted(text for name, text in outcomes if name.startswith(f"{pair}-"))
        winners = [text for text in mine if text == folder]
        losers = [text for text in mine if "already holds a job" in text]
        assert (len(winners), len(losers)) == (1, 1), mine
        # job.json is the winner's, whole.
        stored = json.loads((tmp_path / "jobs" / f"run{pair}" / "job.json").read_text())
        assert stored["name"] in {f"{pair}-a", f"{pair}-b"}
        assert not [n for n in os.listdir(folder) if n.endswith(".tmp")]


def test_a_generated_folder_name_taken_in_the_same_second_gets_a_number(tmp_path):
    logdir = TrainSettings(job_name="lenet").logdir(now=0)
    first = start(CONFIG, logdir, workspace=tmp_path, python="/bin/true", unique=True)
    second = start(CONFIG, logdir, workspace=tmp_path, python="/bin/true", unique=True)
    assert first.logdir == str(tmp_path / "jobs" / "lenet-19700101-000000")
    assert second.logdir == first.logdir + "-2"
    with pytest.raises(FileExistsError, match=r"already holds a job; resume it"):
        start(CONFIG, logdir, workspace=tmp_path, python="/bin/true")
