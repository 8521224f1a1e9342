"""The live chart draws a metrics stream and follows it from a thread until the job ends."""

from __future__ import annotations

import json
import time

from workbench.views.jupyter.live_chart import LiveMetricsChart


def _append(path, *records):
    with open(path, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records))


def test_refresh_draws_each_metric_in_its_chart(tmp_path):
    chart = LiveMetricsChart(tmp_path)
    assert chart.refresh() == 0
    _append(tmp_path / "metrics.jsonl", {"step": 5, "loss": 2.0, "examples_per_sec": 100.0})
    _append(tmp_path / "metrics.jsonl", {"step": 10, "loss": 1.0, "accuracy": 0.75})
    assert chart.refresh() == 4
    loss, accuracy, learning_rate, speed = chart.figure.data
    assert list(loss.x) == [5, 10] and list(loss.y) == [2.0, 1.0]
    assert list(accuracy.x) == [10] and list(accuracy.y) == [0.75]
    assert list(learning_rate.x) == []
    assert list(speed.y) == [100.0]


def test_follow_polls_in_the_background_and_ends_with_the_job(tmp_path):
    active = {"value": True}
    chart = LiveMetricsChart(tmp_path, is_active=lambda: active["value"])
    chart.follow(interval_secs=0.05)
    _append(tmp_path / "metrics.jsonl", {"step": 1, "loss": 3.0})
    deadline = time.monotonic() + 10
    while len(chart.figure.data[0].x) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(chart.figure.data[0].y) == [3.0]
    _append(tmp_path / "metrics.jsonl", {"step": 2, "loss": 2.5})
    active["value"] = False  # the job ended: one last refresh, then the thread stops
    deadline = time.monotonic() + 10
    while chart.following and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not chart.following
    assert list(chart.figure.data[0].y) == [3.0, 2.5]


def test_the_chart_is_an_anywidget_which_is_why_the_workbench_depends_on_anywidget(tmp_path):
    # pyproject.toml lists anywidget for this: Plotly's FigureWidget is an anywidget widget.
    import anywidget

    assert isinstance(LiveMetricsChart(tmp_path).figure, anywidget.AnyWidget)
