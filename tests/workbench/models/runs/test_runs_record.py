"""`read_run`: one job folder to one row, damaged or half-written folders included."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.models.runs import read_run
from workbench.models.runs.design_versions import DesignVersions


def test_a_finished_run_has_its_settings_results_duration_and_throughput(tmp_path):
    logdir = make_run(
        str(tmp_path), "jobs/a", learning_rate=0.05, batch_size=64, steps=200,
        weight_decay=4e-5, optimizer="adam", accuracy=0.91, history=(0.95, 0.8),
        schedule={"kind": "exponential", "decay_steps": 500, "decay_rate": 0.5},
        sweep="sw1", duration=90.0,
    )  # fmt: skip
    run = read_run(logdir, str(tmp_path))
    assert (run.run, run.name, run.sweep, run.status) == ("jobs/a", "a", "sw1", "finished")
    assert (run.design, run.design_version, run.dataset) == ("lenet", None, "digits")
    assert (run.optimizer, run.learning_rate, run.batch_size, run.steps) == ("adam", 0.05, 64, 200)
    assert run.weight_decay == 4e-5 and run.momentum == 0.9 and run.label_smoothing == 0.0
    assert run.schedule == "exponential(decay 0.5 every 500)"
    assert run.finetune is None
    assert run.val_accuracy == 0.91 and run.best_val_accuracy == 0.95  # best of the history
    assert run.val_loss == pytest.approx(0.09)
    assert (run.step, run.target_steps, run.duration_s) == (200, 200, 90.0)
    assert run.examples_per_sec == 800.0
    assert run.created_at == T0 and run.problem is None and run.error is None


def test_finetune_and_piecewise_schedule_in_words(tmp_path):
    logdir = make_run(
        str(tmp_path), "jobs/ft",
        restore={"checkpoint": "jobs/pre", "exclude": ["LeNet/fc4/weights", "LeNet/fc4/biases"],
                 "trainable_scopes": ["LeNet/fc4", "LeNet/conv1"], "ignore_missing_vars": False,
                 "gradient_multipliers": {"LeNet/conv1": 0.1}},
        schedule={"kind": "piecewise", "boundaries": [100], "values": [0.1, 0.01]},
    )  # fmt: skip
    run = read_run(logdir, str(tmp_path))
    assert (
        run.finetune == "from jobs/pre, 2 excluded, trains LeNet/fc4, LeNet/conv1, LeNet/conv1 x0.1"
    )
    assert run.schedule == "piecewise(0.1@100, 0.01)"


def test_the_design_version_is_the_saved_version_equal_to_the_trained_design(tmp_path):
    design = {"format": "slim-workbench-design", "version": 1, "name": "mynet", "blocks": []}
    history = tmp_path / "designs" / ".history" / "mynet"
    history.mkdir(parents=True)
    (history / "001.json").write_text(json.dumps({**design, "blocks": [{"kind": "x"}]}))
    (history / "002.json").write_text(json.dumps(design, indent=2))
    (history / "003.json").write_text(json.dumps({**design, "description": "later"}))
    # Saved under another name than its own: found by content, named as saved.
    other = tmp_path / "designs" / ".history" / "renamed"
    other.mkdir(parents=True)
    (other / "001.json").write_text(json.dumps({**design, "blocks": [{"kind": "z"}]}))
    logdir = make_run(str(tmp_path), "jobs/d", design=design)
    run = read_run(logdir, str(tmp_path))
    assert (run.design, run.design_version) == ("mynet", 2)
    renamed = make_run(str(tmp_path), "jobs/r", design={**design, "blocks": [{"kind": "z"}]})
    assert (
        read_run(renamed, str(tmp_path)).design,
        read_run(renamed, str(tmp_path)).design_version,
    ) == ("renamed", 1)
    unsaved = make_run(str(tmp_path), "jobs/e", design={**design, "blocks": [{"kind": "y"}]})
    assert (
        read_run(unsaved, str(tmp_path)).design,
        read_run(unsaved, str(tmp_path)).design_version,
    ) == ("mynet", None)


def test_design_versions_reread_a_file_only_when_it_changes(tmp_path):
    design = {"name": "n", "blocks": []}
    folder = tmp_path / "designs" / ".history" / "n"
    folder.mkdir(parents=True)
    (folder / "001.json").write_text(json.dumps(design))
    versions = DesignVersions(str(tmp_path))
    assert versions.version_of(design) == ("n", 1)
    (folder / "001.json").write_text(json.dumps({"name": "n", "blocks": [1]}))
    os.utime(folder / "001.json", ns=(1, 1))
    assert versions.version_of(design) == ("n", 1)  # until refreshed
    versions.refresh()
    assert versions.version_of(design) is None
    assert versions.version_of({"name": "n", "blocks": [1]}) == ("n", 1)
    (folder / "001.json").unlink()
    versions.refresh()
    assert versions.version_of({"name": "n", "blocks": [1]}) is None
    assert versions.version_of("not a design") is None


def test_a_running_run_lasts_until_now_and_a_failed_one_shows_its_error(tmp_path):
    logdir = make_run(str(tmp_path), "jobs/r", state="running", accuracy=None, started=T0)
    # A live process naming the log directory on its command line stands for the job's.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", logdir])
    try:
        with open(os.path.join(logdir, "status.json")) as f:
            status = json.load(f)
        status["pid"] = child.pid
        with open(os.path.join(logdir, "status.json"), "w") as f:
            json.dump(status, f)
        deadline = time.monotonic() + 30
        while logdir.encode() not in open(f"/proc/{child.pid}/cmdline", "rb").read():
            assert time.monotonic() < deadline, "the child never showed its command line"
            time.sleep(0.05)
        running = read_run(logdir, str(tmp_path))
    finally:
        child.kill()
        child.wait()
    assert running.status == "running" and running.step == 50
    assert running.duration_s == pytest.approx(time.time() - T0, abs=5)
    # Its process gone: reported failed, and the folder is not written (listing reads only).
    gone = read_run(logdir, str(tmp_path))
    assert gone.status == "failed" and "without reporting a result" in gone.error
    with open(os.path.join(logdir, "status.json")) as f:
        assert json.load(f)["state"] == "running"
    failed = read_run(make_run(str(tmp_path), "jobs/f", state="failed", accuracy=None),
                      str(tmp_path))  # fmt: skip
    assert failed.status == "failed"
    assert failed.error == "ValueError: the loss became NaN"
    assert failed.val_accuracy is None and failed.best_val_accuracy is None


@pytest.mark.parametrize(
    "damage, expected",
    [
        ({"job.json": "{oops"}, r"job.json is not valid JSON \(line 1, column 2"),
        ({"job.json": "[1, 2]"}, r"job.json holds list, not a JSON object"),
        ({"status.json": "{"}, r"status.json is not valid JSON"),
        ({"eval.json": "nan nan"}, r"eval.json is not valid JSON"),
        ({"job.json": json.dumps({"train": {"learning_rate": "fast", "steps": True}})},
         r"train.learning_rate is 'fast', not a number; train.steps is True, not a number"),
        ({"job.json": json.dumps({"train": [1], "model": "lenet"})},
         r"job.json: model is str, not an object; job.json: train is list, not an object"),
        ({"job.json": json.dumps({"train": {"batch_size": 1.5, "steps": 1e308}})},
         r"^train.batch_size is 1.5, not a whole number up to 2\*\*53; "
         r"train.steps is 1e\+308, not a whole number up to 2\*\*53$"),
        ({"status.json": json.dumps({"state": "exploded"})},
         r"status.json: state is 'exploded', not one of \['new', "),
        ({"metrics.jsonl": '{"step": 1, "examples_per_sec": "x"}\n\x00\x01garbage\n{"st'},
         None),
    ],
)  # fmt: skip
def test_a_damaged_folder_gives_a_row_that_says_what_is_wrong(tmp_path, damage, expected):
    logdir = make_run(str(tmp_path), "jobs/x", accuracy=0.5)
    for name, text in damage.items():
        with open(os.path.join(logdir, name), "w") as f:
            f.write(text)
    run = read_run(logdir, str(tmp_path))
    assert run.run == "jobs/x"
    if expected is None:
        assert run.problem is None and run.examples_per_sec is None
    else:
        assert run.problem is not None
        assert re.search(expected, run.problem), run.problem


def test_a_folder_whose_files_are_folders_still_gives_a_row(tmp_path):
    logdir = tmp_path / "jobs" / "odd"
    (logdir / "job.json").mkdir(parents=True)
    (logdir / "metrics.jsonl").mkdir()
    run = read_run(str(logdir), str(tmp_path))
    assert run.status == "new" and run.name == "odd"
    assert "job.json cannot be read" in run.problem


def _edit_config(logdir: str, **train_or_top) -> None:
    path = os.path.join(logdir, "job.json")
    with open(path) as f:
        config = json.load(f)
    for key, value in train_or_top.items():
        if key == "schedule":
            config["train"]["schedule"] = value
        else:
            config[key] = value
    with open(path, "w") as f:
        json.dump(config, f)


@pytest.mark.parametrize(
    "edit, expected_text, problem",
    [
        ({"schedule": {"kind": "piecewise", "values": 5, "boundaries": "x"}}, "piecewise",
         r"^job.json: train.schedule.values is 5, not a list; "
         r"job.json: train.schedule.boundaries is 'x', not a list$"),
        ({"schedule": "fast"}, None, r"^job.json: train.schedule is 'fast', not an object$"),
        ({"restore": {"checkpoint": "jobs/pre", "exclude": 5, "trainable_scopes": "abc",
                      "gradient_multipliers": [1]}}, "from jobs/pre, trains all",
         r"^job.json: restore.exclude is 5, not a list; job.json: restore.trainable_scopes is "
         r"'abc', not a list; job.json: restore.gradient_multipliers is \[1\], not an object$"),
        ({"restore": [1]}, None, r"^job.json: restore is list, not an object$"),
    ],
)  # fmt: skip
def test_a_damaged_schedule_or_restore_plan_is_named_and_the_rest_of_the_row_kept(
    tmp_path, edit, expected_text, problem
):
    logdir = make_run(str(tmp_path), "jobs/odd", accuracy=0.75, duration=30.0)
    _edit_config(logdir, **edit)
    run = read_run(logdir, str(tmp_path))
    shown = run.schedule if "schedule" in edit else run.finetune
    assert shown == expected_text
    assert re.search(problem, run.problem), run.problem
    # What could be read is still there: the state, the results and the duration.
    assert (run.status, run.val_accuracy, run.duration_s, run.step) == ("finished", 0.75, 30.0, 100)


def test_validation_results_out_of_range_are_not_taken_for_the_best(tmp_path):
    logdir = make_run(str(tmp_path), "jobs/h", accuracy=0.75, history=(0.5,))
    with open(os.path.join(logdir, "eval_history.jsonl"), "a") as f:
        f.write('{"accuracy": 2.5}\n{"accuracy": -1}\n{"accuracy": true}\ngarbage\n[1]\n{"accu')
    run = read_run(logdir, str(tmp_path))
    assert run.best_val_accuracy == 0.75
    assert run.problem == (
        "eval_history.jsonl: accuracy is 2.5, not in [0, 1]; "
        "eval_history.jsonl: accuracy is -1, not in [0, 1]"
    )
    with open(os.path.join(logdir, "eval.json"), "w") as f:
        json.dump({"accuracy": 1.5, "loss": 0.1}, f)
    run = read_run(logdir, str(tmp_path))
    assert run.val_accuracy is None and run.best_val_accuracy == 0.75
    assert run.problem.startswith("eval.accuracy is 1.5, not in [0, 1]")
