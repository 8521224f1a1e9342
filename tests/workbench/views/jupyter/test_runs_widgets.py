"""Notebook runs table and Compare chart: filter, sort, star the best, overlay curves."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.views.jupyter.runs_table import RunsTableWidget


@pytest.fixture
def workspace(tmp_path) -> str:
    root = str(tmp_path)
    make_run(root, "jobs/a", learning_rate=0.1, accuracy=0.8, sweep="s", steps=30)
    make_run(root, "jobs/b", learning_rate=0.01, accuracy=0.9, sweep="s", steps=40,
             started=T0 + 10)  # fmt: skip
    make_run(root, "jobs/c", state="failed", accuracy=None, started=T0 + 20)
    return root


def _rows(widget) -> list[str]:
    """The run of each table row, in order (the second cell of each body row)."""
    body = widget.grid.value.split("</tr>")[1:-1]
    return [row.split("<td")[2].split(">", 1)[1].split("<")[0] for row in body]


def test_the_table_filters_sorts_and_stars_the_best_run(workspace):
    widget = RunsTableWidget(workspace)
    assert _rows(widget) == ["jobs/c", "jobs/b", "jobs/a"]
    assert "★" in widget.grid.value.split("</tr>")[2]  # jobs/b's row
    widget.filter_box.value = "status=finished"
    assert _rows(widget) == ["jobs/b", "jobs/a"]
    widget.sort.value = "-learning_rate"
    assert _rows(widget) == ["jobs/a", "jobs/b"]
    widget.filter_box.value = "lr<fast"
    assert "must be a number, got &#x27;fast&#x27;" in widget.error.value
    widget.filter_box.value = "lr<<b>fast"  # Quoted back as text, not as HTML.
    assert "got &#x27;&lt;b&gt;fast&#x27;" in widget.error.value
    assert _rows(widget) == ["jobs/a", "jobs/b"]  # the last good query still shown
    widget.filter_box.value = ""
    assert widget.error.value == "" and len(_rows(widget)) == 3


def test_picking_runs_overlays_their_curves_and_refresh_draws_new_records(workspace):
    widget = RunsTableWidget(workspace, sort="run")
    widget.picker.value = tuple(logdir for _, logdir in widget.picker.options[:2])
    loss = [t for t in widget.chart.figure.data if t.xaxis == "x"]
    assert [t.name for t in loss] == ["jobs/a", "★ jobs/b"]
    assert [list(t.x)[-1] for t in loss] == [30, 40]
    with open(os.path.join(workspace, "jobs/a/metrics.jsonl"), "a") as f:
        f.write(json.dumps({"step": 50, "loss": 0.1, "wall_time": T0 + 3}) + "\n")
    widget.refresh()
    assert list(widget.chart.figure.data[0].x)[-1] == 50
    widget.chart.smoothing.value = 0.5
    assert "(smoothed 0.5)" in widget.chart.figure.layout.annotations[0].text
    widget.chart.x_axis.value = "wall time"
    assert list(widget.chart.figure.data[0].x)[-1] == pytest.approx(3 - 0.4)


def test_the_compare_chart_follows_new_records_until_stopped(workspace):
    widget = RunsTableWidget(workspace, sort="run")
    widget.picker.value = (widget.picker.options[0][1],)
    with open(os.path.join(workspace, "jobs/a/metrics.jsonl"), "a") as f:
        f.write(json.dumps({"step": 60, "loss": 0.1, "wall_time": T0 + 3}) + "\n")
    widget.chart.follow(interval_secs=0.01)
    deadline = time.monotonic() + 30
    while _last_step(widget.chart.figure) != 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    widget.chart.stop()
    widget.chart._following.join(30)  # A step under way when stop came may take a while.
    assert _last_step(widget.chart.figure) == 60
    assert not widget.chart._following.running


def _last_step(figure):
    steps = list(figure.data[0].x) if figure.data else []
    return steps[-1] if steps else None
