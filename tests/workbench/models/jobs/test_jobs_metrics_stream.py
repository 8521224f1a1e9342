"""Tailing a metrics stream that is still being written."""

from __future__ import annotations

import json

from workbench.models.jobs import MetricsReader, read_metrics


def _append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_reads_only_new_complete_records(tmp_path):
    path = tmp_path / "metrics.jsonl"
    reader = MetricsReader(path)
    assert reader.read_new() == []  # No file yet.
    _append(path, json.dumps({"step": 1, "loss": 2.0}) + "\n" + '{"step": 2, "lo')
    assert reader.read_new() == [{"step": 1, "loss": 2.0}]
    assert reader.read_new() == []  # The partial line waits.
    _append(path, 'ss": 1.5}\n{"step": 3, "loss": 1.0}\n')
    assert reader.read_new() == [{"step": 2, "loss": 1.5}, {"step": 3, "loss": 1.0}]
    assert [r["step"] for r in reader.records] == [1, 2, 3]


def test_skips_lines_that_are_not_records(tmp_path):
    path = tmp_path / "metrics.jsonl"
    _append(path, '{"step": 1}\nnot json\n[1, 2]\n\n{"step": 2, "loss": null}\n')
    reader = MetricsReader(path)
    assert reader.read_new() == [{"step": 1}, {"step": 2, "loss": None}]
    assert reader.skipped == 2


def test_starts_over_when_the_file_is_replaced_by_a_shorter_one(tmp_path):
    path = tmp_path / "metrics.jsonl"
    _append(path, '{"step": 10}\n{"step": 20}\n')
    reader = MetricsReader(path)
    assert len(reader.read_new()) == 2
    path.write_text('{"step": 1}\n')
    assert reader.read_new() == [{"step": 1}]
    assert reader.records == [{"step": 1}]


def test_read_metrics_reads_everything(tmp_path):
    path = tmp_path / "metrics.jsonl"
    assert read_metrics(path) == []
    _append(path, '{"step": 5}\n{"step": 10}\n{"ste')
    assert read_metrics(path) == [{"step": 5}, {"step": 10}]
