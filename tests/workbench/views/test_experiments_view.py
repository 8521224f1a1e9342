"""The runs table and Compare views: ticking runs overlays their curves, the filter box filters,
the best run of a sweep is starred, and two ticked runs show their differences."""

from __future__ import annotations

import json
import os

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.views.panel.compare_figure import compare_figure, parallel_figure
from workbench.views.panel.experiments_view import ExperimentsView


def _workspace(tmp_path) -> str:
    root = str(tmp_path)
    make_run(root, "jobs/a", learning_rate=0.1, accuracy=0.8, sweep="s1", steps=30)
    make_run(root, "jobs/b", learning_rate=0.01, accuracy=0.9, sweep="s1", steps=40,
             started=T0 + 10)  # fmt: skip
    make_run(root, "jobs/c", state="failed", accuracy=None, optimizer="adam", started=T0 + 20)
    return root


def _traces(view, chart=0):
    data = view.compare.chart.object["data"]
    return [t for t in data if t["xaxis"] == ("x" if chart == 0 else f"x{chart + 1}")]


def test_ticking_runs_overlays_their_curves_and_diffs_the_last_two(tmp_path):
    view = ExperimentsView(workspace=_workspace(tmp_path))
    frame = view.runs.grid.value
    assert list(frame["run"]) == ["jobs/c", "jobs/b", "jobs/a"]
    assert list(frame["best"]) == ["", "★", ""]
    assert view.compare.chart.object["data"] == []
    view.runs.grid.selection = [1, 2]
    loss = _traces(view)
    assert [t["name"] for t in loss] == ["★ jobs/b", "jobs/a"]
    assert [t["x"][-1] for t in loss] == [40, 30]
    assert [t["line"]["width"] for t in loss] == [3, 1.5]
    assert [t["showlegend"] for t in _traces(view, 1)] == [False, False]
    assert "train.learning_rate" in view.compare.diff.object
    assert "0.01" in view.compare.diff.object and "0.1" in view.compare.diff.object
    view.compare.model.x_axis = "wall time"
    assert _traces(view)[1]["x"][-1] == pytest.approx(0.04 * 20)  # steps 10 to 30 at 0.04 s a step
    view.compare.model.smoothing = 0.9
    assert "(smoothed 0.9)" in view.compare.chart.object["layout"]["annotations"][0]["text"]


def test_a_running_runs_curve_grows_on_poll(tmp_path):
    root = _workspace(tmp_path)
    view = ExperimentsView(workspace=root)
    view.runs.grid.selection = [2]
    assert len(_traces(view)[0]["x"]) == 3
    with open(os.path.join(root, "jobs/a/metrics.jsonl"), "a") as f:
        f.write(json.dumps({"step": 40, "loss": 0.1, "wall_time": T0 + 9}) + "\n")
    view.poll()
    assert _traces(view)[0]["x"] == [10, 20, 30, 40]


def test_the_filter_box_filters_and_keeps_ticks_on_the_same_runs(tmp_path):
    root = _workspace(tmp_path)
    view = ExperimentsView(workspace=root)
    view.runs.grid.selection = [2]  # jobs/a
    view.runs.filter_box.value = "status = finished, lr<0.05"
    assert list(view.runs.grid.value["run"]) == ["jobs/b"]
    assert view.runs.selected == [os.path.realpath(os.path.join(root, "jobs/a"))]
    assert "1 of 3 runs" in view.runs.count.object
    view.runs.filter_box.value = "lr<fast"
    assert view.runs.problem.visible and "must be a number, got 'fast'" in view.runs.problem.object
    view.runs.filter_box.value = ""
    assert not view.runs.problem.visible
    make_run(root, "jobs/d", started=T0 + 30)
    view.poll(force=True)
    assert list(view.runs.grid.value["run"]) == ["jobs/d", "jobs/c", "jobs/b", "jobs/a"]
    assert view.runs.grid.selection == [3]  # still jobs/a


def test_parallel_coordinates_set_hyper_parameters_against_the_accuracy(tmp_path):
    view = ExperimentsView(workspace=_workspace(tmp_path))
    trace = view.compare.parallel.object["data"][0]
    assert trace["type"] == "parcoords"
    dims = {d["label"]: d["values"] for d in trace["dimensions"]}
    assert dims["log10 learning rate"] == [-2.0, -1.0]  # b then a; the failed run left out
    assert dims["validation accuracy"] == [0.9, 0.8]
    assert parallel_figure([])["data"] == []


def test_an_empty_comparison_says_what_to_do(tmp_path):
    view = ExperimentsView(workspace=str(tmp_path))
    figure = compare_figure(view.compare.model)
    assert "Tick runs" in figure["layout"]["annotations"][-1]["text"]
    assert "Tick two runs" in view.compare.diff.object


def test_tick_selects_exactly_the_runs_given_even_behind_a_filter(tmp_path):
    root = _workspace(tmp_path)
    view = ExperimentsView(workspace=root)
    view.runs.filter_box.value = "lr<0.05"
    a, b = (os.path.realpath(os.path.join(root, f"jobs/{n}")) for n in "ab")
    view.runs.tick([a, b])
    assert view.runs.grid.selection == [1]  # jobs/b after jobs/c; jobs/a is filtered out
    assert view.compare.model.selected == [a, b]
    assert [t["name"] for t in _traces(view)] == ["jobs/a", "★ jobs/b"]


def test_a_run_keeps_its_colour_while_others_are_unticked_and_constants_get_a_range(tmp_path):
    view = ExperimentsView(workspace=_workspace(tmp_path))
    view.runs.grid.selection = [0, 1, 2]
    colours = {t["name"]: t["line"]["color"] for t in _traces(view)}
    assert len(set(colours.values())) == 3
    view.runs.grid.selection = [1]
    (only,) = _traces(view)
    assert only["line"]["color"] == colours["★ jobs/b"]
    # Examples/sec is 800 throughout: drawn from 400 to 1200, not 799 to 801.
    assert view.compare.chart.object["layout"]["yaxis4"]["range"] == [400.0, 1200.0]


def test_a_long_curve_is_thinned_for_drawing_after_smoothing(tmp_path):
    root = str(tmp_path)
    logdir = make_run(root, "jobs/long", steps=10)
    with open(os.path.join(logdir, "metrics.jsonl"), "w") as f:
        for step in range(1, 5001):
            f.write(json.dumps({"step": step, "loss": float(step % 2), "wall_time": T0}) + "\n")
    view = ExperimentsView(workspace=root)
    view.compare.model.smoothing = 0.9
    view.runs.grid.selection = [0]
    (loss,) = _traces(view)
    # 5000 points, every 3rd drawn (ceil(5000 / 2000)), and the last: 1667 + 1.
    assert len(loss["x"]) == 1668
    assert loss["x"][:3] == [1, 4, 7] and loss["x"][-1] == 5000
    # Thinned after smoothing: the alternating 0, 1 losses are drawn near their mean 0.5.
    assert all(abs(value - 0.5) < 0.1 for value in loss["y"][50:])


def test_the_train_page_lists_the_runs_and_follows_them(tmp_path):
    from workbench.models.jobs.settings import TrainSettings
    from workbench.models.session import WorkbenchSession
    from workbench.views.panel.pages.train import TrainPage

    root = _workspace(tmp_path)
    page = TrainPage(session=WorkbenchSession(workspace=root, settings=TrainSettings()))
    assert list(page.experiments.runs.grid.value["run"]) == ["jobs/c", "jobs/b", "jobs/a"]
    make_run(root, "jobs/d", started=T0 + 30)
    for _ in range(5):  # the table is reread every few polls of the page
        page.poll()
    assert list(page.experiments.runs.grid.value["run"])[0] == "jobs/d"
    # A job started in the session (here: its folder made and announced) is listed at once.
    make_run(root, "jobs/e", started=T0 + 40)
    page.session.last_job = os.path.join(root, "jobs/e")
    assert list(page.experiments.runs.grid.value["run"])[0] == "jobs/e"


def test_the_count_says_run_for_one_run_and_runs_otherwise(tmp_path):
    root = str(tmp_path)
    make_run(root, "jobs/only")
    view = ExperimentsView(workspace=root)
    assert view.runs.count.object == "1 run; tick runs to compare them."
    view.runs.filter_box.value = "status=failed"
    assert view.runs.count.object == "0 of 1 run; tick runs to compare them."
    make_run(root, "jobs/second", started=T0 + 10)
    view.runs.filter_box.value = ""
    view.runs.refresh()
    assert view.runs.count.object == "2 runs; tick runs to compare them."
