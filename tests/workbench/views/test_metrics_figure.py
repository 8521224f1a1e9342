"""The Train page's chart figure: four charts two by two, holding a job's series."""

from __future__ import annotations

from workbench.models.charts import MetricSeries
from workbench.views.panel.metrics_figure import metrics_figure


def test_empty_figure_has_the_four_charts():
    figure = metrics_figure(None)
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "Loss",
        "Batch accuracy",
        "Learning rate",
        "Examples / sec",
    ]
    # Each trace on its own pair of axes, laid out two by two.
    assert [(t["xaxis"], t["yaxis"]) for t in figure["data"]] == [
        ("x", "y"),
        ("x2", "y2"),
        ("x3", "y3"),
        ("x4", "y4"),
    ]
    layout = figure["layout"]
    assert (layout["xaxis"]["domain"], layout["yaxis4"]["domain"]) == ([0.0, 0.45], [0.0, 0.42])
    assert layout["xaxis3"]["title"] == {"text": "step"}


def test_the_figure_holds_the_series(tmp_path):
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text(
        '{"step": 10, "loss": 2.5, "learning_rate": 0.1}\n{"step": 20, "loss": 1.5}\n'
    )
    series = MetricSeries(str(metrics))
    series.poll()
    loss, accuracy, rate, _ = metrics_figure(series)["data"]
    assert (loss["x"], loss["y"]) == ([10, 20], [2.5, 1.5])
    assert (rate["x"], rate["y"]) == ([10], [0.1])
    assert (accuracy["x"], accuracy["y"]) == ([], [])
    # The learning rate's one point is drawn as a dot: a line of one point shows nothing.
    assert (loss["mode"], rate["mode"]) == ("lines", "markers")


def test_a_constant_series_gets_a_range_around_its_value(tmp_path):
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text(
        '{"step": 10, "loss": 2.5, "learning_rate": 0.01}\n'
        '{"step": 20, "loss": 1.5, "learning_rate": 0.01}\n'
    )
    series = MetricSeries(str(metrics))
    series.poll()
    layout = metrics_figure(series)["layout"]
    assert layout["yaxis3"]["range"] == [0.005, 0.015]
    assert "range" not in layout["yaxis"]  # A changing loss keeps Plotly's own range.
