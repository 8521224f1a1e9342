"""The sweep queue in the workspace: launches within the limit, survives a restart, stops,
and two schedulers never launch a run twice.

The job process is `fake_job.py` (`python=`): it runs until its folder holds a `release`
file, then finishes with a validation accuracy that is best at a learning rate of 0.01.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from workbench.models.design import template
from workbench.models.jobs import control as process_control
from workbench.models.jobs import process
from workbench.models.sweeps import (
    Sweep,
    SweepScheduler,
    SweepStateError,
    default_concurrency,
    define_sweep,
    ensure_scheduler,
    list_sweeps,
    run_until_done,
    schedule_all,
    visible_gpus,
)

BASE = {
    "model": {"design": template("lenet")},
    "dataset": {"kind": "digits", "resize": [28, 28]},
    "train": {"steps": 2},
}
RATES = [0.1, 0.01, 0.001, 0.0001]


def _define(workspace, **fields) -> Sweep:
    spec = {"name": "lr", "parameters": {"learning_rate": RATES}, "base": BASE, **fields}
    return define_sweep(spec, workspace=workspace, now=0)


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _states(sweep: Sweep) -> list[str]:
    return [run["state"] for run in sweep.run_states()]


def _release(run: dict) -> None:
    Path(run["logdir"], "release").touch()


def test_a_defined_sweep_writes_its_plan_and_waits_for_start(tmp_path, fake_python):
    sweep = _define(tmp_path)
    assert sweep.id == "lr-19700101-000000"
    assert list_sweeps(tmp_path)[0].id == sweep.id
    assert [run["logdir"] for run in sweep.runs][:2] == [
        "jobs/lr-19700101-000000/run-001",
        "jobs/lr-19700101-000000/run-002",
    ]
    assert sweep.status()["state"] == sweep.recorded_state() == "defined"
    assert sweep.schedule(python=fake_python) == []
    assert _states(sweep) == ["pending"] * 4
    # Each run's state is in its own file, and the same name again gets a number.
    state = json.loads((tmp_path / "sweeps" / sweep.id / "runs" / "run-001.json").read_text())
    assert state["state"] == "pending"
    assert _define(tmp_path).id == "lr-19700101-000000-2"


def test_run_configs_carry_the_sweep_id_and_the_runs_values(tmp_path):
    sweep = _define(tmp_path, parameters={"learning_rate": [0.1], "optimizer": ["adam"]})
    config = sweep.run_config(sweep.runs[0])
    assert config["sweep"] == sweep.id
    assert config["train"] == {"steps": 2, "learning_rate": 0.1, "optimizer": "adam"}
    assert config["name"] == "lr run-001 (lr=0.1 optimizer=adam)"


def test_runs_go_one_at_a_time_on_a_cpu_and_the_best_is_marked(tmp_path, fake_python):
    sweep = _define(tmp_path)
    assert sweep.max_concurrent == 1
    sweep.start()
    assert sweep.recorded_state() == "running"
    launched = sweep.schedule(python=fake_python)
    assert [run["name"] for run in launched] == ["run-001"]
    assert sweep.schedule(python=fake_python) == []  # The limit is reached.
    for index in range(4):
        run = sweep.run_states()[index]
        _wait(lambda i=index: _states(sweep)[i] == "running")
        job = json.loads(Path(run["logdir"], "job.json").read_text())
        assert job["sweep"] == sweep.id and job["train"]["learning_rate"] == RATES[index]
        _release(run)
        _wait(lambda i=index: _states(sweep)[i] == "finished")
        sweep.schedule(python=fake_python)
    status = sweep.status()
    assert status["state"] == "finished" and status["counts"] == {"finished": 4}
    assert sweep.recorded_state() == "finished"
    # Accuracy 1 - |log10(lr) + 2| / 10: 0.9, 1.0, 0.9, 0.8; the best is lr = 0.01.
    assert [run["accuracy"] for run in status["runs"]] == [0.9, 1.0, 0.9, 0.8]
    assert status["best"] == 1
    assert sweep.best_run()["values"] == {"learning_rate": 0.01}


def test_a_restarted_scheduler_marks_a_dead_run_and_goes_on(tmp_path, fake_python):
    sweep = _define(tmp_path)
    sweep.start()
    sweep.schedule(python=fake_python)
    _wait(lambda: _states(sweep)[0] == "running")
    pid = json.loads(Path(sweep.run_states()[0]["logdir"], "status.json").read_text())["pid"]
    os.kill(pid, signal.SIGKILL)  # The job dies while nobody watches (the server is down).
    _wait(lambda: not process.pid_alive(pid))
    # A new process reads the sweep from the workspace alone.
    restarted = Sweep(sweep.id, workspace=tmp_path)
    first = restarted.run_states()[0]
    assert first["state"] == "failed" and "without reporting a result" in first["error"]
    launched = restarted.schedule(python=fake_python)
    assert [run["name"] for run in launched] == ["run-002"]
    counts = restarted.status()["counts"]
    assert counts in ({"pending": 2, "starting": 1, "failed": 1},
                      {"pending": 2, "running": 1, "failed": 1})  # fmt: skip
    restarted.stop(grace_secs=10)


def test_schedule_all_resumes_every_started_sweep_of_the_workspace(tmp_path, fake_python):
    started, waiting = _define(tmp_path), _define(tmp_path)
    started.start()
    launched = schedule_all(tmp_path, python=fake_python)
    assert launched == [str(tmp_path / started.runs[0]["logdir"])]
    assert schedule_all(tmp_path, python=fake_python) == []  # The one running run fills the limit.
    assert _states(waiting) == ["pending"] * 4
    started.stop(grace_secs=10)


def test_stop_cancels_pending_runs_and_stops_running_ones(tmp_path, fake_python):
    sweep = _define(tmp_path, max_concurrent=2)
    sweep.start()
    assert len(sweep.schedule(python=fake_python)) == 2
    _wait(lambda: _states(sweep)[:2] == ["running", "running"])
    status = sweep.stop(grace_secs=10)
    assert status["state"] == "stopped"
    assert [run["state"] for run in status["runs"]] == [
        "stopped",
        "stopped",
        "cancelled",
        "cancelled",
    ]
    assert sweep.schedule(python=fake_python) == []
    assert not Path(sweep.run_states()[2]["logdir"]).exists()
    with pytest.raises(SweepStateError, match=r"was stopped; its pending runs were cancelled"):
        sweep.start()


@pytest.mark.parametrize(
    "on_term, grace",
    [("slow:2", 10.0), ("ignore", 1.5)],
    ids=["each-takes-2s-to-stop", "each-ignores-sigterm"],
)
def test_stop_stops_the_running_runs_together(tmp_path, fake_python, monkeypatch, on_term, grace):
    # Three runs that each take 2 s to stop (or must be killed after the 1.5 s grace): one
    # after another the stop took 6 s (4.5 s); together it takes about one run's time.
    monkeypatch.setenv("FAKE_JOB_ON_TERM", on_term)
    sweep = _define(tmp_path, max_concurrent=3)
    sweep.start()
    assert len(sweep.schedule(python=fake_python)) == 3
    _wait(lambda: _states(sweep)[:3] == ["running"] * 3)
    begin = time.monotonic()
    status = sweep.stop(grace_secs=grace)
    took = time.monotonic() - begin
    assert [run["state"] for run in status["runs"]] == ["stopped"] * 3 + ["cancelled"]
    assert min(2.0, grace) - 0.1 <= took < 4.0, f"the stop took {took:.1f} s"
    assert status["state"] == "stopped"


def test_stop_jobs_leaves_ended_jobs_alone_and_keeps_the_order(tmp_path):
    done = tmp_path / "jobs" / "done"
    done.mkdir(parents=True)
    (done / "status.json").write_text(json.dumps({"state": "finished", "pid": 1}))
    new = tmp_path / "jobs" / "new"
    new.mkdir()
    states = [s["state"] for s in process_control.stop_jobs([done, new], grace_secs=1)]
    assert states == ["finished", "new"]
    assert not (done / "stop_requested").exists()
    assert process_control.stop_jobs([], grace_secs=1) == []


def test_run_until_done_schedules_to_the_end(tmp_path, fake_python, monkeypatch):
    sweep = _define(tmp_path, parameters={"learning_rate": [0.1, 0.01]})
    sweep.start()
    seen = []

    def release_running(status):
        seen.append([run["state"] for run in status["runs"]])
        for run in status["runs"]:
            if run["state"] == "running":
                _release(run)

    original = Sweep.schedule
    monkeypatch.setattr(Sweep, "schedule", lambda self: original(self, python=fake_python))
    status = run_until_done(sweep, interval=0.05, on_change=release_running)
    assert status["state"] == "finished" and status["best"] == 1
    assert seen[-1] == ["finished", "finished"]


def _schedule_at_barrier(barrier, workspace, sweep_id, python, results):
    sweep = Sweep(sweep_id, workspace=workspace)
    barrier.wait()
    results.put([run["name"] for run in sweep.schedule(python=python)])


def test_two_schedulers_at_once_launch_each_run_once_and_keep_the_limit(tmp_path, fake_python):
    ctx = multiprocessing.get_context("fork")
    rates = [0.1 / 2**i for i in range(6)]
    sweep = _define(tmp_path, parameters={"learning_rate": rates}, max_concurrent=2)
    sweep.start()
    launched: list[str] = []
    for _ in range(3):  # Two rounds of two launches each, then the limit is met.
        results, barrier = ctx.Queue(), ctx.Barrier(2)
        procs = [
            ctx.Process(
                target=_schedule_at_barrier,
                args=(barrier, str(tmp_path), sweep.id, fake_python, results),
            )
            for _ in range(2)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
        launched += results.get(timeout=10) + results.get(timeout=10)
        _wait(lambda: sum(s in ("starting", "running") for s in _states(sweep)) <= 2)
        assert sum(s in ("starting", "running") for s in _states(sweep)) == 2
        for run in sweep.run_states():
            if run["state"] in ("starting", "running"):
                _wait(lambda r=run: Path(r["logdir"], "status.json").exists())
                _release(run)
        _wait(lambda: not any(s in ("starting", "running") for s in _states(sweep)))
    assert sorted(launched) == [f"run-{i:03d}" for i in range(1, 7)]
    claims = sorted((tmp_path / "sweeps" / sweep.id / "runs").glob("*.claim"))
    assert len(claims) == 6
    assert sweep.status()["state"] == "finished"


def test_runs_are_spread_over_the_visible_gpus(tmp_path, fake_python, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert visible_gpus() == ["0", "1"] and default_concurrency() == 2
    sweep = _define(tmp_path)
    assert sweep.max_concurrent == 2
    sweep.start()
    sweep.schedule(python=fake_python)
    _wait(lambda: _states(sweep)[:2] == ["running", "running"])
    given = [
        json.loads(Path(run["logdir"], "status.json").read_text())["gpu"]
        for run in sweep.run_states()[:2]
    ]
    assert given == ["0", "1"]
    _release(sweep.run_states()[1])
    _wait(lambda: _states(sweep)[1] == "finished")
    sweep.schedule(python=fake_python)
    _wait(lambda: _states(sweep)[2] == "running")
    third = json.loads(Path(sweep.run_states()[2]["logdir"], "status.json").read_text())
    assert third["gpu"] == "1"  # The GPU the finished run left free.
    sweep.stop(grace_secs=10)


def test_a_device_cpu_sweep_runs_one_at_a_time_on_a_gpu_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    sweep = _define(tmp_path, base={**BASE, "device": "cpu"})
    assert sweep.max_concurrent == 1


def test_an_unknown_sweep_names_the_known_ones(tmp_path):
    sweep = _define(tmp_path)
    with pytest.raises(FileNotFoundError, match=rf"got 'nope'. Known sweeps: \['{sweep.id}'\]"):
        Sweep("nope", workspace=tmp_path)


def test_the_scheduler_thread_resumes_a_started_sweep(tmp_path, fake_python, monkeypatch):
    sweep = _define(tmp_path, parameters={"learning_rate": [0.1, 0.01]})
    sweep.start()  # Started by a server that has gone since; nothing launched yet.
    original = Sweep.schedule
    monkeypatch.setattr(
        Sweep, "schedule", lambda self, python=None: original(self, python=fake_python)
    )
    scheduler = SweepScheduler(tmp_path, interval=0.05)
    scheduler.start()
    try:
        for index in range(2):
            _wait(lambda i=index: _states(sweep)[i] == "running")
            _release(sweep.run_states()[index])
        _wait(lambda: sweep.status()["state"] == "finished")
    finally:
        scheduler.halt()
        scheduler.join(timeout=10)
    assert not scheduler.is_alive()
    assert ensure_scheduler(tmp_path) is ensure_scheduler(str(tmp_path) + "/")


def test_the_gpus_are_those_the_driver_lists_unless_cuda_says(tmp_path):
    driver = tmp_path / "gpus"
    for address in ("0000:01:00.0", "0000:02:00.0"):
        (driver / address).mkdir(parents=True)
    assert visible_gpus({}, str(driver)) == ["0", "1"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "1"}, str(driver)) == ["1"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "0,-1,1"}, str(driver)) == ["0"]


@pytest.mark.parametrize("with_config", [False, True], ids=["no-job-folder", "config-only"])
def test_a_run_claimed_by_a_launcher_that_died_fails_after_the_timeout(tmp_path, with_config):
    sweep = _define(tmp_path)
    sweep.start()
    run = sweep.runs[0]
    claim = tmp_path / "sweeps" / sweep.id / "runs" / "run-001.claim"
    claimed_at = time.time()
    claim.write_text(json.dumps({"by": "launch", "pid": 1, "host": "h", "at": claimed_at}))
    if with_config:  # The job folder was claimed, its process never launched.
        folder = tmp_path / run["logdir"]
        folder.mkdir(parents=True)
        (folder / "job.json").write_text(json.dumps(sweep.run_config(run)))
    assert _states(sweep)[0] == "starting"  # Still within the launch timeout.
    claim.write_text(json.dumps({"by": "launch", "pid": 1, "host": "h", "at": claimed_at - 600}))
    first = sweep.run_states()[0]
    assert first["state"] == "failed"
    assert (
        first["error"] == "claimed for launch by pid 1 on h, which ended before it started the job"
    )
