"""`CompareModel`: the ticked runs' curves, growing live, smoothed, on step or wall time."""

from __future__ import annotations

import json
import os

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.models.charts import ema
from workbench.models.runs.curves import CompareModel, RunCurves


def test_curves_of_two_runs_on_step_and_wall_time_axes(tmp_path):
    a = make_run(str(tmp_path), "jobs/a", steps=30, learning_rate=0.1)
    b = make_run(str(tmp_path), "jobs/b", steps=20, learning_rate=0.01, started=T0 + 100)
    model = CompareModel(selected=[a, b], labels={a: "run a"})
    loss = model.curves("loss")
    assert [c.label for c in loss] == ["run a", "b"]
    assert loss[0].x == [10, 20, 30] and loss[1].x == [10, 20]
    assert loss[0].y == pytest.approx([2.3 * 2.718281828459045 ** (-s / 50) for s in (10, 20, 30)])
    assert [c.y for c in model.curves("learning_rate")] == [[0.1] * 3, [0.01] * 2]
    model.x_axis = "wall time"
    # 0.04 s a step, counted from each run's first record (step 10).
    assert model.curves("loss")[1].x == pytest.approx([0.0, 0.4])
    model.smoothing = 0.6
    smoothed = model.curves("loss")[0]
    assert smoothed.y == pytest.approx(ema(smoothed.raw, 0.6))
    assert smoothed.y != smoothed.raw


def test_a_running_run_grows_on_poll_and_unticked_runs_are_dropped(tmp_path):
    a = make_run(str(tmp_path), "jobs/a", steps=20)
    model = CompareModel(selected=[a])
    assert model.poll() == 0
    with open(os.path.join(a, "metrics.jsonl"), "a") as f:
        f.write(json.dumps({"step": 30, "loss": 0.5, "wall_time": T0 + 2}) + "\n")
        f.write('{"step": 40, "lo')  # still being written
    assert model.poll() == 1
    assert model.curves("loss")[0].x == [10, 20, 30]
    assert model.curves("accuracy")[0].x == [10, 20]  # the record had no accuracy
    model.selected = []
    assert model.curves("loss") == [] and model.poll() == 0


def test_unknown_metric_and_a_run_without_metrics(tmp_path):
    empty = tmp_path / "jobs" / "empty"
    empty.mkdir(parents=True)
    model = CompareModel(selected=[str(empty)])
    assert model.curves("loss")[0].x == []
    with pytest.raises(KeyError, match=r"`metric` must be one of \['loss', .*got 'acc'"):
        model.curves("acc")


def test_a_replaced_stream_starts_the_curves_again(tmp_path):
    a = make_run(str(tmp_path), "jobs/a", steps=50)
    curves = RunCurves(a)
    assert curves.poll() == 5 * 4
    with open(os.path.join(a, "metrics.jsonl"), "w") as f:
        f.write(json.dumps({"step": 1, "loss": 9.0, "wall_time": 5.0}) + "\n")
    curves.poll()
    assert curves.xy("loss") == ([1], [9.0]) and curves.xy("loss", "wall time") == ([0.0], [9.0])
