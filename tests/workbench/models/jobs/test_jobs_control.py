"""Job control: start/stop/resume of real job processes, failures, status of dead processes,
reattaching with `list_jobs`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.workbench.models.jobs.jobs_support import (
    DIGITS_CONFIG,
    JOB_TIMEOUT_SECS,
    STOP_AFTER_STEP,
    job_ended,
    wait_until,
)
from workbench.models.jobs import (
    ConfigError,
    Job,
    JobStateError,
    PathEscapeError,
    list_jobs,
    performance,
    process,
    read_status,
    resume,
    start,
    stop,
)
from workbench.models.jobs.status_file import write_json_atomic

# --- the digits job: started, stopped mid-run, resumed, finished ---------------------------


def test_digits_job_stops_mid_run_and_resumes_to_the_requested_step(digits_run):
    run = digits_run
    assert run.running["state"] == "running"
    assert run.running["device"] == "CPU"  # The config asks for the CPU.
    assert run.running["pid"] != run.launcher_pid  # It outlived the launcher process.

    assert run.stopped["state"] == "stopped", run.stopped
    assert STOP_AFTER_STEP <= run.stopped_step < DIGITS_CONFIG["train"]["steps"]

    final = run.final
    assert final["state"] == "finished", final.get("error")
    assert final["step"] == run.requested_steps
    assert final["eval"]["step"] == run.requested_steps
    # The launch before the stop is kept, so the run's duration counts both launches.
    stopped = {"started_at": run.stopped["started_at"], "ended_at": run.stopped["ended_at"]}
    assert final["launches"] == [stopped]
    job_config = json.loads((Path(run.logdir) / "job.json").read_text())
    assert job_config["train"]["steps"] == run.requested_steps
    latest = (Path(run.logdir) / "checkpoint").read_text().splitlines()[0]
    assert latest.endswith(f'model.ckpt-{run.requested_steps}"')


def test_digits_metrics_stream_spans_both_runs_and_its_loss_falls(digits_run):
    records = digits_run.records
    steps = [r["step"] for r in records]
    assert steps == sorted(steps)
    assert steps[0] < digits_run.stopped_step < steps[-1] <= digits_run.requested_steps
    every = DIGITS_CONFIG["train"]["log_every_n_steps"]
    assert steps[-1] > digits_run.requested_steps - every  # Records come every 5 steps.
    for key in ("step", "wall_time", "loss", "learning_rate", "accuracy", "examples_per_sec"):
        assert key in records[-1], key
    assert records[-1]["learning_rate"] == pytest.approx(0.05)
    first = sum(r["loss"] for r in records[:3]) / 3
    last = sum(r["loss"] for r in records[-3:]) / 3
    assert last < 0.6 * first, (first, last)


def test_digits_job_evaluates_the_validation_split(digits_run):
    results = json.loads((Path(digits_run.logdir) / "eval.json").read_text())
    assert results["split"] == "validation"
    assert results["num_examples"] == 297  # UCI digits: 1797 images, 1500 for training.
    assert results["step"] == digits_run.requested_steps
    assert 0.5 < results["accuracy"] <= 1.0
    assert results["loss"] > 0
    assert list((Path(digits_run.logdir) / "eval").glob("events.out.tfevents.*"))
    assert list(Path(digits_run.logdir).glob("events.out.tfevents.*"))


def test_list_jobs_reattaches_to_the_finished_job(digits_run):
    (job,) = list_jobs(digits_run.workspace)
    assert job.logdir == digits_run.logdir
    assert job.title == "digits-lenet"
    assert job.state == "finished" and not job.is_active
    assert job.step == digits_run.requested_steps
    assert job.eval_results["accuracy"] == job.eval_file()["accuracy"]
    assert job.metrics() == digits_run.records
    assert job.new_metrics() == []  # Everything was read already.
    assert job.config()["model"] == {"net": "lenet"}


def test_the_job_process_logs_and_reports_its_speed_settings(digits_run):
    status = read_status(digits_run.logdir)
    settings = status["performance"]
    assert list(settings) == list(performance.KEYS)
    assert settings["map_per_batch"]["value"] is False
    assert settings["input_threads"]["value"] == max(4, min(performance.usable_cores(), 8))
    assert settings["intra_op_threads"]["value"] == performance.usable_cores()
    assert settings["mixed_precision"]["value"] is False
    (job,) = list_jobs(digits_run.workspace)
    assert job.speed_settings == status["performance_summary"]
    assert "a record per map call" in job.speed_settings
    log = (Path(digits_run.logdir) / "job.log").read_text()
    assert "Speed settings on " in log
    assert "  map_per_batch = False (machine: one record per map call" in log
    onednn = settings["onednn"]
    # The job process chose oneDNN before TensorFlow loaded (never "process" here).
    assert onednn["source"] in ("machine", "environment"), onednn
    assert f"  onednn = {onednn['value']!r} ({onednn['source']}: " in log


def test_a_new_process_sees_the_job_through_list_jobs(digits_run):
    script = (
        "import sys; from workbench.models.jobs import list_jobs; "
        "print([(j.logdir, j.state, j.step) for j in list_jobs(sys.argv[1])])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, digits_run.workspace],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    expected = (digits_run.logdir, "finished", digits_run.requested_steps)
    assert result.stdout.strip() == repr([expected])


# --- failing jobs --------------------------------------------------------------------------


def test_failing_jobs_end_failed_with_their_error(tmp_path):
    empty = tmp_path / "images" / "cat"
    empty.mkdir(parents=True)
    (empty / "notes.txt").write_text("no images here")
    no_images = start(
        {
            "model": {"net": "lenet"},
            "dataset": {"kind": "image_folder", "folder": "images"},
            "device": "cpu",
        },
        "jobs/no-images",
        workspace=tmp_path,
    )
    # A rate of 1e38 times any gradient above 3.4 overflows float32: the loss is inf after
    # one step on every CPU (with 1e30 it stays finite, near 6e29, on some).
    diverging = start(
        {
            "model": {"net": "lenet"},
            "train": {"optimizer": "sgd", "learning_rate": 1e38, "steps": 50},
            "device": "cpu",
        },
        "jobs/nan",
        workspace=tmp_path,
    )
    try:
        for job in (no_images, diverging):
            wait_until(lambda job=job: job_ended(job), JOB_TIMEOUT_SECS, job.logdir)
    finally:
        for job in (no_images, diverging):
            stop(job.logdir, grace_secs=5)
    assert no_images.state == "failed"
    assert no_images.error.startswith("ValueError: write_image_folder: class folder")
    assert "has no images" in no_images.error
    assert "Traceback" in no_images.traceback
    assert diverging.state == "failed"
    assert "InvalidArgumentError" in diverging.error
    assert "LossTensor is inf or nan" in diverging.error
    assert "lower train.learning_rate" in diverging.error
    assert "File " not in diverging.error  # TensorFlow's op stack stays in job.log.
    assert "LossTensor is inf or nan" in diverging.log_tail(200)


# --- starting: what is refused -------------------------------------------------------------


def test_start_lists_every_config_problem_and_creates_nothing(tmp_path):
    bad = {"model": {"net": "lenett"}, "train": {"steps": 0, "batch_size": "32"}}
    with pytest.raises(ConfigError) as info:
        start(bad, "jobs/bad", workspace=tmp_path)
    assert [p.path for p in info.value.problems] == ["model.net", "train.batch_size", "train.steps"]
    assert "3 problems" in str(info.value)
    assert not (tmp_path / "jobs").exists()


@pytest.mark.parametrize(
    "logdir, exc, match",
    [
        ("../outside", PathEscapeError, "must stay inside the workspace"),
        (".", ValueError, "got the workspace root"),
    ],
    ids=["escape", "root"],
)
def test_start_rejects_a_logdir_outside_the_workspace(tmp_path, logdir, exc, match):
    with pytest.raises(exc, match=match):
        start({"model": {"net": "lenet"}}, logdir, workspace=tmp_path / "ws")


def test_start_refuses_a_folder_that_already_holds_a_job(tmp_path):
    (tmp_path / "jobs" / "old").mkdir(parents=True)
    (tmp_path / "jobs" / "old" / "job.json").write_text("{}")
    with pytest.raises(FileExistsError, match="already holds a job; resume it"):
        start({"model": {"net": "lenet"}}, "jobs/old", workspace=tmp_path)


# --- status of processes that are gone, stop and resume without TensorFlow ----------------


def _job_dir(tmp_path: Path, status: dict | None = None) -> Path:
    logdir = tmp_path / "jobs" / "fake"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"model": {"net": "lenet"}}))
    (logdir / "job.log").write_text("line 1\nSegmentation fault\n")
    if status is not None:
        write_json_atomic(str(logdir / "status.json"), status)
    return logdir


def _ended_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_running_status_with_a_dead_pid_becomes_failed(tmp_path):
    logdir = _job_dir(tmp_path, {"state": "running", "pid": _ended_pid()})
    data = read_status(logdir)
    assert data["state"] == "failed"
    assert "ended without reporting a result" in data["error"]
    assert "Segmentation fault" in data["error"]  # The end of job.log.
    assert json.loads((logdir / "status.json").read_text())["state"] == "failed"


def test_a_job_process_killed_by_a_signal_says_so(tmp_path):
    logdir = _job_dir(tmp_path, None)
    pid = process.launch(str(logdir), str(tmp_path))
    write_json_atomic(str(logdir / "status.json"), {"state": "starting", "pid": pid})
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: read_status(logdir)["state"] == "failed", 60, "the killed job")
    error = read_status(logdir)["error"]
    assert error.startswith(f"the job process (pid {pid}) ended (killed by signal 9 (SIGKILL))")


def test_a_child_not_yet_showing_its_command_line_is_still_the_job(tmp_path, monkeypatch):
    # Between fork and exec a child's cmdline is still its parent's; taken for a stranger
    # that reused the pid, a job killed there was reported as "ended without reporting".
    monkeypatch.setattr(process, "_cmdline_names", lambda pid, logdir: False)
    logdir = _job_dir(tmp_path, None)
    pid = process.launch(str(logdir), str(tmp_path))
    write_json_atomic(str(logdir / "status.json"), {"state": "starting", "pid": pid})
    assert read_status(logdir)["state"] == "starting"
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: read_status(logdir)["state"] == "failed", 60, "the killed job")
    error = read_status(logdir)["error"]
    assert error.startswith(f"the job process (pid {pid}) ended (killed by signal 9 (SIGKILL))")


def test_a_job_process_runs_below_the_app_priority(tmp_path):
    logdir = _job_dir(tmp_path, None)
    pid = process.launch(str(logdir), str(tmp_path), niceness=7)
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        wait_until(lambda: os.getpriority(os.PRIO_PROCESS, pid) == own + 7, 60, "the nice")
    finally:
        os.kill(pid, signal.SIGKILL)
    assert process.JOB_NICENESS == 10


@pytest.mark.parametrize(
    "returncode, expected",
    [
        (0, "exit status 0"),
        (1, "exit status 1"),
        (-15, "killed by signal 15 (SIGTERM)"),
        (-200, "killed by signal 200"),
    ],
)
def test_describe_exit(returncode, expected):
    assert process.describe_exit(returncode) == expected


def test_a_dead_pid_after_a_stop_request_becomes_stopped(tmp_path):
    logdir = _job_dir(tmp_path, {"state": "running", "pid": _ended_pid()})
    (logdir / "stop_requested").write_text("1")
    assert read_status(logdir)["state"] == "stopped"


def test_a_reused_pid_is_not_taken_for_the_job(tmp_path):
    # This test process is alive, but its command line does not name the job's folder.
    logdir = _job_dir(tmp_path, {"state": "running", "pid": os.getpid()})
    assert read_status(logdir)["state"] == "failed"


def test_a_folder_without_status_is_new_and_a_fresh_launch_is_starting(tmp_path):
    assert read_status(_job_dir(tmp_path))["state"] == "new"
    write_json_atomic(
        str(tmp_path / "jobs" / "fake" / "status.json"),
        {"state": "starting", "pid": None, "launched_at": time.time()},
    )
    assert read_status(tmp_path / "jobs" / "fake")["state"] == "starting"


_SLEEPER = """
import signal, sys, time
if sys.argv[2] == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("on_sigterm", ["exit", "ignore"], ids=["sigterm", "sigkill"])
def test_stop_ends_a_process_and_records_stopped(tmp_path, on_sigterm):
    logdir = _job_dir(tmp_path)
    # A stand-in for a job process: its command line names the log directory, as the
    # real one's does; one variant ignores SIGTERM, so only SIGKILL ends it.
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLEEPER, str(logdir), on_sigterm], stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout.readline() == b"ready\n"  # Its SIGTERM handler is in place.
        write_json_atomic(str(logdir / "status.json"), {"state": "running", "pid": proc.pid})
        with pytest.raises(JobStateError, match="is running; stop it first"):
            resume(logdir, workspace=tmp_path)
        begin = time.monotonic()
        data = stop(logdir, grace_secs=1.0)
        assert data["state"] == "stopped"
        expected = -signal.SIGTERM if on_sigterm == "exit" else -signal.SIGKILL
        assert proc.wait(timeout=10) == expected
        assert time.monotonic() - begin < 10
    finally:
        proc.kill()
        proc.wait()


def test_stop_leaves_a_finished_job_alone(tmp_path):
    logdir = _job_dir(tmp_path, {"state": "finished", "pid": 1})
    assert stop(logdir)["state"] == "finished"
    assert not (logdir / "stop_requested").exists()


def test_resuming_a_finished_job_at_its_target_trains_no_further(tmp_path):
    config = {**DIGITS_CONFIG, "train": {**DIGITS_CONFIG["train"], "steps": 2}}
    job = start(config, "jobs/done", workspace=tmp_path)
    wait_until(lambda: job_ended(job), JOB_TIMEOUT_SECS, "the 2-step job to end")
    assert job.status()["state"] == "finished", job.status().get("error")
    records = (Path(job.logdir) / "metrics.jsonl").read_text()
    job.resume()
    wait_until(lambda: job_ended(job), JOB_TIMEOUT_SECS, "the resumed job to end")
    final = job.status()
    assert final["state"] == "finished", final.get("error")
    assert final["step"] == 2  # Not 3: no step past the target.
    assert (Path(job.logdir) / "metrics.jsonl").read_text() == records


def test_resume_needs_a_job(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        FileNotFoundError, match=r"holds no job it can resume \(job.json is missing"
    ):
        resume("empty", workspace=tmp_path)


def test_resume_says_a_job_json_that_is_not_json_is_not_json(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "job.json").write_text('{"model": ')
    with pytest.raises(
        FileNotFoundError,
        match=r"holds no job it can resume \(job.json is not valid JSON \(line 1, column 11: ",
    ):
        resume("junk", workspace=tmp_path)


def test_list_jobs_finds_nested_jobs_newest_first_and_skips_hidden_folders(tmp_path):
    for index, folder in enumerate(["a/old", "b/c/new", ".trash/hidden"]):
        path = tmp_path / folder
        path.mkdir(parents=True)
        (path / "job.json").write_text("{}")
        os.utime(path / "job.json", (1000 + index, 1000 + index))
    jobs = list_jobs(tmp_path)
    assert [Path(j.logdir).relative_to(tmp_path).as_posix() for j in jobs] == ["b/c/new", "a/old"]
    assert [j.state for j in jobs] == ["new", "new"]


def test_every_job_param_has_a_doc():
    missing = [name for name, p in Job.param.objects().items() if name != "name" and not p.doc]
    assert missing == []
