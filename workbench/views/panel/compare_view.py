"""Compare: the ticked runs' curves overlaid, hyper-parameters against the result in parallel
coordinates, and what differs between two runs.

Follows `RunsView.selected`; `poll()` reads what the compared runs logged since, so running
ones grow live (the Train page's periodic callback calls it). The figures are redrawn only
when something changed, and the panes are made once and updated in place.
"""

from __future__ import annotations

import html

import panel as pn
import param

from workbench.models.runs import RunsTable
from workbench.models.runs.config_diff import RunDiff, run_diff
from workbench.models.runs.curves import X_AXES, CompareModel
from workbench.views.panel.compare_figure import RunColours, compare_figure, parallel_figure

__all__ = ["CompareView", "diff_html"]


def diff_html(diff: RunDiff | None, labels: tuple[str, str] = ("a", "b")) -> str:
    """The config differences as a table and the design diff as coloured lines."""
    if diff is None:
        return "<i>Tick two runs to see what differs between their configs and designs.</i>"
    a, b = (html.escape(label) for label in labels)
    if not diff.config and not diff.design:
        return f"<b>{a}</b> and <b>{b}</b> have the same config and design."
    cell = "style='padding:2px 12px 2px 0;text-align:left;border-bottom:1px solid #ddd'"
    rows = "".join(
        f"<tr><td {cell}><code>{html.escape(key)}</code></td><td {cell}>{html.escape(repr(x))}"
        f"</td><td {cell}>{html.escape(repr(y))}</td></tr>"
        for key, x, y in diff.config
    )
    parts = [
        f"<table class='run-diff' style='border-collapse:collapse;font-size:12px'><tr>"
        f"<th {cell}>key</th><th {cell}>{a}</th><th {cell}>{b}</th></tr>{rows}</table>"
        if rows
        else "<i>The configs are the same but for the design.</i>"
    ]
    if diff.design:
        colours = {"+": "#1b7f3b", "-": "#b3261e", "@": "#6b3fa0"}
        lines = []
        for line in diff.design.splitlines():
            colour = colours.get(line[:1], "#333")
            lines.append(f"<span style='color:{colour}'>{html.escape(line)}</span>")
        parts.append(
            "<b>Designs</b><pre style='font-size:11px;max-height:300px;overflow:auto'>"
            + "\n".join(lines)
            + "</pre>"
        )
    elif diff.models[0] != diff.models[1]:
        parts.append(html.escape(f"Models: {diff.models[0]} and {diff.models[1]}."))
    return "".join(parts)


class CompareView(pn.viewable.Viewer):
    """Overlaid curves of the ticked runs, with smoothing and the x axis to choose."""

    table = param.ClassSelector(class_=RunsTable, doc="The workspace's runs (for labels).")
    model = param.ClassSelector(class_=CompareModel, doc="The runs compared and how.")
    shown = param.Boolean(default=True, doc="Whether on screen; hidden, redraws wait.")

    def __init__(self, **params):
        params.setdefault("model", CompareModel())
        super().__init__(**params)
        self.smoothing = pn.widgets.FloatSlider.from_param(
            self.model.param.smoothing, label="Smoothing (EMA)", step=0.01, width=220
        )
        self.x_axis = pn.widgets.RadioButtonGroup.from_param(
            self.model.param.x_axis, options=list(X_AXES)
        )
        self.chart = pn.pane.Plotly(
            compare_figure(self.model), sizing_mode="stretch_width", name="compare-chart"
        )
        self.parallel = pn.pane.Plotly(
            parallel_figure([]), sizing_mode="stretch_width", name="parallel-chart"
        )
        self.diff = pn.pane.HTML(diff_html(None), sizing_mode="stretch_width", name="run-diff")
        self._stale = True
        self._colours = RunColours()
        self._parallel_runs: list = []
        self.model.param.watch(self._settings_changed, ["smoothing", "x_axis", "selected"])
        self.param.watch(lambda e: self.redraw() if e.new else None, "shown")
        self.redraw()

    def compare(self, logdirs: list[str]) -> None:
        """Compares the runs in `logdirs` (in that order)."""
        self.model.labels = {r.logdir: r.run for r in self.table.all_runs} if self.table else {}
        self.model.selected = list(logdirs)

    def _settings_changed(self, event) -> None:
        self._stale = True
        if event.name == "selected":
            self._show_diff()
        self.redraw()

    def _show_diff(self) -> None:
        chosen = self.model.selected[-2:]
        if len(chosen) < 2:
            self.diff.object = diff_html(None)
            return
        labels = tuple(self.model.labels.get(d, d) for d in chosen)
        self.diff.object = diff_html(run_diff(*chosen), labels)

    def poll(self) -> None:
        """Reads the compared runs' new records; redraws when there were any."""
        if self.model.poll():
            self._stale = True
        self.redraw()

    def redraw(self) -> None:
        """Redraws the figures that changed (only while on screen)."""
        if not self.shown:
            return
        if self._stale:
            best = set(self.table.best_runs().values()) if self.table else set()
            colours = self._colours.follow(self.model.selected)
            self.chart.object = compare_figure(self.model, best, colours)
            self._stale = False
        runs = list(self.table.runs) if self.table else []
        key = [(r.logdir, r.val_accuracy, r.learning_rate) for r in runs]
        if key != self._parallel_runs:
            self._parallel_runs = key
            self.parallel.object = parallel_figure(runs)

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            "### Compare",
            pn.Row(self.smoothing, pn.Column("x axis", self.x_axis)),
            self.chart,
            "#### Hyper-parameters against validation accuracy",
            self.parallel,
            "#### Differences of the last two runs ticked",
            self.diff,
            sizing_mode="stretch_width",
        )
