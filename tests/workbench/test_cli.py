"""`slim-workbench`: each subcommand on real input, and bad input exiting 2 with its problems."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workbench.cli import EXIT_INVALID, main

CONFIG = {
    "name": "tiny",
    "model": {"net": "lenet"},
    "dataset": {"kind": "digits", "resize": [28, 28]},
    "train": {"steps": 10, "log_every_n_steps": 5, "batch_size": 16},
}


def _write(path, data):
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A workspace with one finished job, trained through the CLI."""
    workspace = tmp_path_factory.mktemp("workspace")
    config = _write(workspace / "tiny.json", CONFIG)
    code = main(["--workspace", str(workspace), "train", config, "--logdir", "jobs/tiny"])
    assert code == 0
    return workspace


def test_train_runs_the_job_to_its_step_and_reports_validation(trained, capsys):
    status = json.loads((trained / "jobs" / "tiny" / "status.json").read_text())
    assert status["state"] == "finished" and status["step"] == 10
    eval_file = json.loads((trained / "jobs" / "tiny" / "eval.json").read_text())
    assert eval_file["num_examples"] > 0 and 0 <= eval_file["accuracy"] <= 1


def test_jobs_lists_the_finished_job(trained, capsys):
    assert main(["--workspace", str(trained), "jobs"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("finished") and line.endswith(str(trained / "jobs" / "tiny"))


def test_runs_reads_a_real_jobs_settings_and_results(trained, capsys):
    assert main(["--workspace", str(trained), "runs", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    validation = json.loads((trained / "jobs" / "tiny" / "eval.json").read_text())
    assert (run["run"], run["name"], run["status"], run["design"]) == (
        "jobs/tiny", "tiny", "finished", "lenet"
    )  # fmt: skip
    assert (run["step"], run["steps"], run["batch_size"]) == (10, 10, 16)
    assert run["val_accuracy"] == run["best_val_accuracy"] == validation["accuracy"]
    history = (trained / "jobs" / "tiny" / "eval_history.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in history] == [validation]
    assert run["examples_per_sec"] > 0 and run["duration_s"] > 0 and run["problem"] is None


def test_jobs_shows_the_speed_settings_on_request(trained, capsys):
    assert main(["--workspace", str(trained), "jobs", "--settings"]) == 0
    listed, settings = capsys.readouterr().out.strip().splitlines()
    assert listed.startswith("finished")
    summary = json.loads((trained / "jobs" / "tiny" / "status.json").read_text())[
        "performance_summary"
    ]
    assert settings == f"          speed settings: {summary}"
    assert "threads" in summary and "per map call" in summary


def test_evaluate_prints_the_validation_metrics(trained, capsys):
    assert main(["--workspace", str(trained), "evaluate", "jobs/tiny"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["step"] == 10 and results["split"] == "validation"


def test_export_writes_a_saved_model(trained, capsys, tmp_path):
    assert main(["--workspace", str(trained), "export", "jobs/tiny", "-o", "exported"]) == 0
    path = capsys.readouterr().out.strip()
    assert (trained / "exported" / "saved_model.pb").is_file(), path


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "output, message",
    [
        (".", "must be a folder inside the workspace, got the workspace root"),
        ("jobs", "is neither empty nor an earlier SavedModel export (it holds tiny)"),
        ("jobs/tiny", "is neither empty nor an earlier SavedModel export (it holds"),
        ("designs", "is neither empty nor an earlier SavedModel export (it holds mlp.json)"),
    ],
)
def test_export_overwrite_never_deletes_the_workspace_a_job_or_the_designs(
    trained, capsys, output, message
):
    (trained / "designs").mkdir(exist_ok=True)
    (trained / "designs" / "mlp.json").write_text("{}")
    before = _tree(trained)
    outside = sorted(p.name for p in trained.parent.iterdir())
    argv = ["--workspace", str(trained), "export", "jobs/tiny", "-o", output, "--overwrite"]
    assert main(argv) == EXIT_INVALID
    assert message in capsys.readouterr().err
    assert _tree(trained) == before
    assert sorted(p.name for p in trained.parent.iterdir()) == outside  # No staging left.


def test_export_overwrite_replaces_an_earlier_export_or_an_empty_folder(trained, capsys):
    base = ["--workspace", str(trained), "export", "jobs/tiny", "-o"]
    (trained / "exports" / "empty").mkdir(parents=True)
    assert main([*base, "exports/empty", "--overwrite"]) == 0
    assert main([*base, "exports/m"]) == 0
    capsys.readouterr()
    assert main([*base, "exports/m"]) == EXIT_INVALID
    assert "already exists; pass --overwrite to replace an earlier export" in (
        capsys.readouterr().err
    )
    assert main([*base, "exports/m", "--overwrite"]) == 0
    assert (trained / "exports" / "m" / "saved_model.pb").is_file()
    assert (trained / "exports" / "empty" / "saved_model.pb").is_file()
    assert not [p for p in (trained / "exports").iterdir() if p.name.startswith(".")]


def test_a_config_with_a_design_that_cannot_be_built_exits_2_writing_nothing(tmp_path, capsys):
    from workbench.models.design.spec import layer, new_design

    design = new_design(
        "m", [8, 8, 1], [layer("conv2d", num_outputs=2, kernel_size=50, padding="VALID")]
    )
    config = {**CONFIG, "model": {"design": design}, "train": {"steps": 10**30}}
    bad = _write(tmp_path / "bad.json", config)
    workspace = tmp_path / "ws"
    assert main(["--workspace", str(workspace), "train", bad]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "model.design.blocks[0].args.kernel_size: must be a window that fits" in err
    assert "train.steps: must be an integer from 1 to 1,000,000,000" in err
    assert "Traceback" not in err
    assert not (workspace / "jobs").exists()


def test_an_invalid_config_exits_2_listing_every_problem(tmp_path, capsys):
    bad = _write(tmp_path / "bad.json", {"model": {"net": "lenett"}, "train": {"steps": 0}})
    assert main(["--workspace", str(tmp_path), "train", bad]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "model.net" in err and "Did you mean 'lenet'" in err
    assert "train.steps: must be an integer >= 1, got 0." in err
    assert not (tmp_path / "jobs").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "missing.json"], "no such file"),
        (["evaluate", "../elsewhere"], "must stay inside the workspace"),
        (["export", "jobs/none"], "holds no job"),
    ],
)
def test_bad_paths_exit_2_with_a_message(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(["--workspace", str(tmp_path), *argv]) == EXIT_INVALID
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "logdir, message",
    [
        (".", "--logdir must be a folder inside the workspace, got the workspace root"),
        ("jobs/taken", "jobs/taken' already holds a job; use another --logdir."),
    ],
)
def test_train_refuses_the_workspace_root_and_a_taken_folder(tmp_path, capsys, logdir, message):
    (tmp_path / "jobs" / "taken").mkdir(parents=True)
    (tmp_path / "jobs" / "taken" / "job.json").write_text("{}")
    config = _write(tmp_path / "tiny.json", CONFIG)
    assert main(["--workspace", str(tmp_path), "train", config, "--logdir", logdir]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "job.json").exists()
    assert (tmp_path / "jobs" / "taken" / "job.json").read_text() == "{}"


def test_python_dash_m_workbench_prints_help():
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    commands = ("serve", "train", "evaluate", "export", "jobs", "templates", "template")
    for command in (*commands, "validate", "codegen", "summary", "diagram", "restore-plan"):
        assert command in result.stdout
