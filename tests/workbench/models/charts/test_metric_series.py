"""`MetricSeries` grows per-metric series from a metrics stream being written."""

from __future__ import annotations

import json

from workbench.models.charts import CHARTS, MetricSeries


def _append(path, *records, partial=""):
    with open(path, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records) + partial)


def test_poll_returns_only_new_points_and_skips_missing_metrics(tmp_path):
    series = MetricSeries(tmp_path)  # a log directory: reads its metrics.jsonl
    assert series.poll() == {}
    _append(tmp_path / "metrics.jsonl", {"step": 10, "loss": 2.0, "learning_rate": 0.1})
    assert series.poll() == {"loss": ([10], [2.0]), "learning_rate": ([10], [0.1])}
    _append(tmp_path / "metrics.jsonl", {"step": 20, "loss": 1.5, "accuracy": 0.5}, partial='{"st')
    assert series.poll() == {"loss": ([20], [1.5]), "accuracy": ([20], [0.5])}
    assert series.steps["loss"] == [10, 20] and series.values["loss"] == [2.0, 1.5]
    assert series.steps["examples_per_sec"] == []


def test_a_replaced_stream_starts_the_series_again(tmp_path):
    path = tmp_path / "metrics.jsonl"
    _append(path, *({"step": s, "loss": 1.0} for s in range(1, 6)))
    series = MetricSeries(path, metrics=["loss"])
    series.poll()
    path.write_text(json.dumps({"step": 1, "loss": 3.0}) + "\n")  # a new job, shorter file
    series.poll()
    assert series.steps["loss"] == [1] and series.values["loss"] == [3.0]


def test_charts_cover_the_stream_keys_the_jobs_write():
    assert [key for key, _ in CHARTS] == ["loss", "accuracy", "learning_rate", "examples_per_sec"]
