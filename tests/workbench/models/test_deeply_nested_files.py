"""A workspace file nested too deeply for Python's JSON parser (`[[[[...]]]]`, 100,000 levels)
is damage like any other: the job listing, the runs table, a run's metrics and the design
history report it or skip it, and every other job and design still shows."""

from __future__ import annotations

import json
import os

import pytest

from workbench.models.jobs import control
from workbench.models.jobs.metrics_stream import MetricsReader
from workbench.models.jobs.status_file import read_json, why_not_an_object
from workbench.models.runs import load_runs
from workbench.models.runs.design_versions import DesignVersions

DEEP = "[" * 100_000 + "]" * 100_000


def _job(workspace, name, **files):
    folder = os.path.join(workspace, "jobs", name)
    os.makedirs(folder)
    for file_name, text in {"job.json": "{}", **files}.items():
        with open(os.path.join(folder, file_name), "w") as f:
            f.write(text)
    return folder


@pytest.fixture
def workspace(tmp_path):
    ws = str(tmp_path)
    _job(ws, "good", **{"status.json": json.dumps({"state": "done", "step": 5})})
    _job(ws, "deep-config", **{"job.json": DEEP})
    _job(ws, "deep-status", **{"status.json": DEEP})
    _job(ws, "deep-metrics", **{"metrics.jsonl": DEEP + "\n" + '{"step": 1, "loss": 2.0}\n'})
    _job(ws, "deep-eval", **{"eval.json": DEEP})
    return ws


def test_read_json_treats_it_as_unreadable(tmp_path):
    path = tmp_path / "status.json"
    path.write_text(DEEP)
    assert read_json(str(path)) is None
    assert why_not_an_object(str(path)) == "status.json nests JSON too deeply to be read"


def test_the_job_listing_keeps_every_other_job(workspace):
    names = sorted(os.path.basename(job.logdir) for job in control.list_jobs(workspace))
    assert names == ["deep-config", "deep-eval", "deep-metrics", "deep-status", "good"]


def test_the_runs_table_reports_the_damaged_files(workspace):
    rows = {row.run: row for row in load_runs(workspace)}
    assert rows["jobs/good"].step == 5 and "too deeply" not in (rows["jobs/good"].problem or "")
    assert "job.json nests JSON too deeply" in rows["jobs/deep-config"].problem
    assert "eval.json nests JSON too deeply" in rows["jobs/deep-eval"].problem


def test_a_metrics_line_nested_too_deeply_is_skipped(workspace):
    reader = MetricsReader(os.path.join(workspace, "jobs", "deep-metrics", "metrics.jsonl"))
    assert reader.read_new() == [{"step": 1, "loss": 2.0}]
    assert reader.skipped == 1


def test_the_design_history_skips_such_a_version(tmp_path):
    folder = tmp_path / "designs" / ".history" / "mlp"
    folder.mkdir(parents=True)
    (folder / "001.json").write_text(DEEP)
    assert DesignVersions(str(tmp_path)).version_of({"name": "mlp"}) is None
