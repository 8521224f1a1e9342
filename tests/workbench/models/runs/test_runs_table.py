"""`RunsTable` and `load_runs`: the workspace's runs, cached by file, sorted and filtered."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.models.runs import QueryError, RunsTable, best_run_of_sweep, load_runs
from workbench.models.runs.table import RunCache


@pytest.fixture
def workspace(tmp_path) -> str:
    root = str(tmp_path)
    make_run(root, "jobs/lr-0.1", learning_rate=0.1, accuracy=0.80, sweep="s1", started=T0)
    make_run(root, "jobs/lr-0.01", learning_rate=0.01, accuracy=0.95, sweep="s1", started=T0 + 10)
    make_run(root, "jobs/lr-0.001", learning_rate=0.001, accuracy=0.95, sweep="s1",
             started=T0 + 20)  # fmt: skip
    make_run(root, "jobs/other", learning_rate=0.5, accuracy=0.99, started=T0 + 30)
    make_run(root, "jobs/broken", state="failed", accuracy=None, sweep="s1", started=T0 + 40)
    return root


def test_runs_are_listed_newest_first(workspace):
    runs = load_runs(workspace)
    assert [r.run for r in runs] == [
        "jobs/broken", "jobs/other", "jobs/lr-0.001", "jobs/lr-0.01", "jobs/lr-0.1"
    ]  # fmt: skip


def test_load_runs_filters_and_sorts(workspace):
    runs = load_runs(workspace, sort="-lr", filters=["status=finished", "lr<0.5"])
    assert [r.learning_rate for r in runs] == [0.1, 0.01, 0.001]


def test_load_runs_checks_the_query_first(tmp_path):
    with pytest.raises(QueryError, match="filter 'lr<x'"):
        load_runs(str(tmp_path / "none"), filters=["lr<x"])
    with pytest.raises(QueryError, match="sort 'nope'"):
        load_runs(str(tmp_path / "none"), sort="nope")
    assert load_runs(str(tmp_path / "none")) == []


def test_best_run_of_a_sweep_breaks_ties_by_loss_then_age(workspace):
    runs = load_runs(workspace)
    # 0.95 twice (equal loss 0.05): the earlier run wins; 'other' is in no sweep.
    assert best_run_of_sweep(runs, "s1").run == "jobs/lr-0.01"
    assert best_run_of_sweep(runs, "nope") is None
    table = RunsTable(workspace=workspace)
    assert table.best_of_sweep("s1").run == "jobs/lr-0.01"
    assert table.best_runs() == {"s1": os.path.join(os.path.realpath(workspace), "jobs/lr-0.01")}


def test_only_finished_runs_can_be_the_best(workspace):
    # Resumed and stopped again: its eval.json is from before, it is not a finished run.
    make_run(workspace, "jobs/resumed", state="stopped", accuracy=0.99, sweep="s1")
    runs = load_runs(workspace)
    assert next(r for r in runs if r.run == "jobs/resumed").val_accuracy == 0.99
    assert best_run_of_sweep(runs, "s1").run == "jobs/lr-0.01"


def test_the_cache_rereads_only_changed_and_new_runs(workspace):
    cache = RunCache(workspace)
    assert len(cache.runs()) == 5 and cache.reads == 5
    assert len(cache.runs()) == 5 and cache.reads == 5  # nothing changed: nothing read
    logdir = os.path.join(workspace, "jobs/other")
    with open(os.path.join(logdir, "eval.json"), "w") as f:
        f.write('{"accuracy": 0.5, "loss": 0.5}')
    make_run(workspace, "jobs/new", started=T0 + 50)
    runs = cache.runs()
    assert cache.reads == 7
    assert next(r for r in runs if r.run == "jobs/other").val_accuracy == 0.5
    shutil.rmtree(logdir)
    assert [r.run for r in cache.runs()].count("jobs/other") == 0 and cache.reads == 7


def test_the_table_keeps_its_rows_and_says_why_when_a_query_is_bad(workspace):
    table = RunsTable(workspace=workspace, filters=["status=finished"], sort="lr")
    assert [r.learning_rate for r in table.runs] == [0.001, 0.01, 0.1, 0.5]
    table.filters = ["lr<"]
    assert "a value must follow '<'" in table.error
    assert len(table.runs) == 4
    table.filters = ["sweep=s1"]
    assert table.error == "" and len(table.runs) == 4
    table.sort = "-best"
    # Equal values keep the table's order: newest first.
    assert [r.run for r in table.runs] == [
        "jobs/lr-0.001", "jobs/lr-0.01", "jobs/lr-0.1", "jobs/broken"
    ]  # fmt: skip
    make_run(workspace, "jobs/late", sweep="s1", accuracy=0.97, started=T0 + 60)
    table.refresh()
    assert table.runs[0].run == "jobs/late" and len(table.all_runs) == 6
