"""Notebook widgets for the runs of a workspace: the runs table and the Compare chart.

`RunsTableWidget` shows every job as a row (the same `RunsTable` as the Train page), with a
filter box (`status=finished lr<0.01`), a sort field and a Refresh button; tick runs in its
"Compare" list to overlay their curves in a `CompareWidget` below it. The chart is a Plotly
`FigureWidget` drawn from the same figure as the web app's (`compare_figure`).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from workbench.models.runs import FIELDS, RunRecord, RunsTable
from workbench.models.runs.columns import COLUMNS, cell_text
from workbench.models.runs.curves import X_AXES, CompareModel
from workbench.models.runs.query import split_filters
from workbench.views.jupyter.background_refresh import BackgroundRefresh
from workbench.views.jupyter.html_table import html_table
from workbench.views.panel.compare_figure import RunColours, compare_figure

__all__ = ["CompareWidget", "RunsTableWidget", "run_rows"]


def run_rows(runs: list[RunRecord], best: set[str]) -> list[dict[str, str]]:
    """The runs as rows of text for `html_table`, in the runs table's columns
    (`workbench.models.runs.columns`); `best` holds the log directories to star."""
    return [{c.title: cell_text(c, run, best=run.logdir in best) for c in COLUMNS} for run in runs]


class CompareWidget(widgets.VBox):
    """The Compare chart: the curves of the runs in `model.selected`, with smoothing and the
    x axis to choose. `refresh()` draws what the runs logged since; `follow()` does it from a
    thread every few seconds (`stop()` ends it).

    Args:
      table: The workspace's runs (names the runs and marks the best of each sweep).
      model: The comparison; default a new one.
    """

    def __init__(self, table: RunsTable, model: CompareModel | None = None):
        self.table = table
        self.model = model or CompareModel()
        self.figure = go.FigureWidget(compare_figure(self.model))
        self.smoothing = widgets.FloatSlider(
            value=self.model.smoothing, min=0.0, max=0.99, step=0.01, description="Smoothing"
        )
        self.x_axis = widgets.ToggleButtons(options=list(X_AXES), value=self.model.x_axis)
        self.smoothing.observe(lambda c: self._set(smoothing=c["new"]), "value")
        self.x_axis.observe(lambda c: self._set(x_axis=c["new"]), "value")
        self.model.param.watch(lambda _: self.draw(), ["selected", "smoothing", "x_axis"])
        self._colours = RunColours()
        self._following = BackgroundRefresh("compare-chart")
        super().__init__([widgets.HBox([self.smoothing, self.x_axis]), self.figure])

    def _set(self, **values) -> None:
        self.model.param.update(**values)

    def compare(self, logdirs: list[str]) -> None:
        """Compares the runs in `logdirs`, in that order."""
        self.model.labels = {r.logdir: r.run for r in self.table.all_runs}
        self.model.selected = list(logdirs)

    def draw(self) -> None:
        """Redraws the chart from the model."""
        best = set(self.table.best_runs().values())
        figure = compare_figure(self.model, best, self._colours.follow(self.model.selected))
        with self.figure.batch_update():
            self.figure.data = ()
            self.figure.add_traces(figure["data"])
            self.figure.layout = figure["layout"]

    def refresh(self) -> int:
        """Reads what the compared runs logged since the last refresh and draws it; returns
        how many points were added."""
        added = self.model.poll()
        if added:
            self.draw()
        return added

    def follow(self, interval_secs: float = 2.0) -> None:
        """Refreshes every `interval_secs` from a background thread until `stop()`."""

        def step() -> bool:
            self.refresh()
            return True

        self._following.start(step, interval_secs)

    def stop(self) -> None:
        """Stops following (the chart keeps what it shows)."""
        self._following.stop()


class RunsTableWidget(widgets.VBox):
    """Every run of a workspace as a table, filtered and sorted, with runs to compare.

    Args:
      workspace: The workspace root.
      sort: The first sort field (`-field` descending); default newest first.
      filters: The first filters, e.g. `"status=finished lr<0.01"`.
    """

    def __init__(self, workspace: str, *, sort: str = "", filters: str = ""):
        self.table = RunsTable(workspace=workspace, sort=sort, filters=split_filters(filters))
        self.filter_box = widgets.Text(
            value=filters,
            placeholder="status=finished lr<0.01",
            description="Filter",
            continuous_update=False,
        )
        sort_options = [("newest first", "")] + [
            (f"{name} {way}", prefix + name)
            for name in FIELDS
            if name not in ("logdir", "problem", "error")
            for way, prefix in (("ascending", ""), ("descending", "-"))
        ]
        self.sort = widgets.Dropdown(options=sort_options, value=sort, description="Sort")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.error = widgets.HTML()
        self.grid = widgets.HTML()
        self.picker = widgets.SelectMultiple(description="Compare", rows=6)
        self.chart = CompareWidget(self.table)
        self.filter_box.observe(self._filter_typed, "value")
        self.sort.observe(lambda c: setattr(self.table, "sort", c["new"]), "value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.picker.observe(lambda c: self.chart.compare(list(c["new"])), "value")
        self.table.param.watch(lambda _: self.show(), ["runs", "error"])
        super().__init__(
            [
                widgets.HBox([self.filter_box, self.sort, self.refresh_button]),
                self.error,
                self.grid,
                self.picker,
                self.chart,
            ]
        )
        self.show()

    def _filter_typed(self, change) -> None:
        self.table.filters = split_filters(change["new"])

    def refresh(self) -> None:
        """Rereads the workspace's runs (only changed ones) and the compared curves."""
        self.table.refresh()
        self.chart.refresh()

    def show(self) -> None:
        """Draws the table and the list of runs to compare from the table's state."""
        self.error.value = (
            f"<span style='color:#b3261e'>{html.escape(self.table.error)}</span>"
            if self.table.error
            else ""
        )
        best = set(self.table.best_runs().values())
        self.grid.value = html_table(run_rows(self.table.runs, best), [c.title for c in COLUMNS])
        chosen = [d for d in self.picker.value if d in {r.logdir for r in self.table.runs}]
        self.picker.options = [(run.run, run.logdir) for run in self.table.runs]
        self.picker.value = tuple(chosen)
