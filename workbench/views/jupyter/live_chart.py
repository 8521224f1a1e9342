"""Live metric charts (Plotly `FigureWidget`) following a training job's metrics stream.

`follow()` polls the stream from a background thread, so the notebook stays usable while
the job trains; the chart stops following by itself once the job has ended and its last
records are drawn.
"""

from __future__ import annotations

import os

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.models.charts import CHARTS, MetricSeries
from workbench.views.jupyter.background_refresh import BackgroundRefresh

_COLOURS = ("#2f6f9f", "#1b7f3b", "#a15c00", "#6b3fa0")


class LiveMetricsChart:
    """Four small charts (loss, batch accuracy, learning rate, examples/sec) of one job.

    Args:
      logdir: The job's log directory (or its `metrics.jsonl`).
      is_active: Optional `() -> bool`; while it returns True, `follow` keeps polling.
        Default: follow until `stop()` is called.

    Display `chart.figure` (a `FigureWidget`) in a notebook.
    """

    def __init__(self, logdir: str | os.PathLike, is_active=None):
        self.series = MetricSeries(logdir)
        self.is_active = is_active
        figure = make_subplots(rows=2, cols=2, subplot_titles=[title for _, title in CHARTS])
        for index, ((_key, title), colour) in enumerate(zip(CHARTS, _COLOURS)):
            figure.add_trace(
                go.Scatter(x=[], y=[], mode="lines", name=title, line={"color": colour}),
                row=index // 2 + 1,
                col=index % 2 + 1,
            )
        figure.update_layout(height=480, showlegend=False, margin={"t": 40, "b": 30})
        figure.update_xaxes(title_text="step", row=2)
        self.figure = go.FigureWidget(figure)
        self._following = BackgroundRefresh("live-metrics-chart")

    def refresh(self) -> int:
        """Draws the records written since the last refresh; returns how many points were added."""
        added = self.series.poll()
        keys = [key for key, _ in CHARTS]
        with self.figure.batch_update():
            for key in added:
                trace = self.figure.data[keys.index(key)]
                trace.x = list(self.series.steps[key])
                trace.y = list(self.series.values[key])
        return sum(len(steps) for steps, _ in added.values())

    def follow(self, interval_secs: float = 1.0) -> None:
        """Refreshes every `interval_secs` in a background thread until the job ends."""

        def step() -> bool:
            # Asked before the refresh: the records written as the job ends are drawn.
            active = self.is_active() if self.is_active else True
            self.refresh()
            return active

        self._following.start(step, interval_secs)

    def stop(self) -> None:
        """Stops following (the chart keeps what it shows)."""
        self._following.stop()

    @property
    def following(self) -> bool:
        return self._following.running

    def _ipython_display_(self):  # Displaying the chart object shows its figure.
        from IPython.display import display

        display(self.figure)
