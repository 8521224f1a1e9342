"""Two servers on one workspace (a class behind a proxy): every save and every job start of
both is kept once, none lost or doubled.

Two processes, as two app servers would, wait on a barrier and then save versions of one
shared design name (and one name each) and start jobs under one generated folder name (the
Train page's, stamped to the same second), all at once. The job process is `/bin/true`:
what counts is which folder each start claimed.
"""

from __future__ import annotations

import json
import multiprocessing
import os

from workbench.models.design import Workspace, template
from workbench.models.jobs import start
from workbench.models.jobs.settings import TrainSettings

SERVERS = 2
SAVES = 12
STARTS = 6
CONFIG = {"model": {"net": "lenet"}, "dataset": {"kind": "digits"}, "train": {"steps": 5}}


def _serve(barrier, workspace: str, server: int, results) -> None:
    store = Workspace(os.path.join(workspace, "designs"))
    design = template("lenet")
    logdir = TrainSettings(job_name="lenet-digits").logdir(now=0)  # One second for all.
    barrier.wait()
    for index in range(max(SAVES, STARTS)):
        tag = f"server{server}-{index}"
        if index < SAVES:
            store.save("shared", {**design, "name": tag})
            store.save(f"own{server}", {**design, "name": tag})
        if index < STARTS:
            job = start({**CONFIG, "name": tag}, logdir, workspace=workspace,
                        python="/bin/true", unique=True)  # fmt: skip
            results.put((tag, job.logdir))


def test_two_servers_saving_and_starting_jobs_at_once_keep_everything_once(tmp_path):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(SERVERS), ctx.Queue()
    servers = [
        ctx.Process(target=_serve, args=(barrier, str(tmp_path), server, results))
        for server in range(SERVERS)
    ]
    for process in servers:
        process.start()
    claimed = [results.get(timeout=120) for _ in range(SERVERS * STARTS)]
    for process in servers:
        process.join(60)
        assert process.exitcode == 0

    store = Workspace(tmp_path / "designs")
    saved = {s: [f"server{s}-{i}" for i in range(SAVES)] for s in range(SERVERS)}
    shared = [store.load_version("shared", v)["name"] for v in store.history("shared")]
    assert sorted(shared) == sorted(sum(saved.values(), []))  # Every save once.
    for server in range(SERVERS):  # Each server's saves in the order it made them.
        assert [name for name in shared if name.startswith(f"server{server}-")] == saved[server]
        own = [store.load_version(f"own{server}", v)["name"] for v in store.history(f"own{server}")]
        assert own == saved[server]
    assert store.load("shared")["name"] == shared[-1]

    folders = [logdir for _, logdir in claimed]
    assert len(set(folders)) == SERVERS * STARTS  # No folder claimed twice.
    jobs = sorted(os.listdir(tmp_path / "jobs"))
    assert len(jobs) == SERVERS * STARTS
    for tag, logdir in claimed:  # Each folder holds the job that claimed it.
        with open(os.path.join(logdir, "job.json")) as f:
            assert json.load(f)["name"] == tag
