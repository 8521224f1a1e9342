"""The Compare charts as plain Plotly figure dicts: runs' curves overlaid, and a
parallel-coordinates view of hyper-parameters against the validation accuracy.

Plain dicts, as in `metrics_figure`: the server builds them once a second per session, and
`plotly.graph_objects` would validate every property each time. The notebook widgets wrap
the same dicts in a `FigureWidget`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from workbench.models.charts import CHARTS
from workbench.models.runs import RunRecord
from workbench.models.runs.curves import CompareModel
from workbench.views.panel.chart_grid import add_grid_chart

__all__ = ["MAX_POINTS", "RUN_COLOURS", "RunColours", "compare_figure", "parallel_figure", "thin"]

#: One colour per compared run, in the order ticked (then again from the start).
RUN_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
)  # fmt: skip


#: Points drawn per curve at most: a long run logs tens of thousands of records, and the
#: whole figure travels to the browser on each redraw (once a second while a run grows).
MAX_POINTS = 2000


def thin(x: Sequence[float], y: Sequence[float], limit: int = MAX_POINTS) -> tuple[list, list]:
    """Every k-th point of a curve (the last one always kept) so that at most about `limit`
    remain; smoothing is applied before, on every point.

    Example:
      >>> thin(list(range(10)), list(range(10)), limit=4)
      ([0, 3, 6, 9], [0, 3, 6, 9])
    """
    if len(x) <= limit:
        return list(x), list(y)
    step = -(-len(x) // limit)  # ceil
    keep = list(range(0, len(x), step))
    if keep[-1] != len(x) - 1:
        keep.append(len(x) - 1)
    return [x[i] for i in keep], [y[i] for i in keep]


class RunColours(dict):
    """`{logdir: colour}` that gives each newly ticked run the first colour no ticked run
    has, and keeps a run's colour until it is unticked."""

    def follow(self, selected: Sequence[str]) -> RunColours:
        """Forgets the runs not in `selected`, colours the new ones; returns itself."""
        for logdir in [d for d in self if d not in selected]:
            del self[logdir]
        for logdir in selected:
            if logdir not in self:
                used = set(self.values())
                free = [c for c in RUN_COLOURS if c not in used]
                self[logdir] = free[0] if free else RUN_COLOURS[len(self) % len(RUN_COLOURS)]
        return self


def compare_figure(
    model: CompareModel, best: Sequence[str] = (), colours: Mapping[str, str] | None = None
) -> dict:
    """Loss, batch accuracy, learning rate and examples/sec of every run in `model`, overlaid.

    Args:
      model: The runs compared, the smoothing and the x axis.
      best: Log directories of runs to mark as the best of their sweep (a star and a thicker
        line).
      colours: `{logdir: colour}`, so that a run keeps its colour while others are ticked
        and unticked; default `RUN_COLOURS` in the order of `model.selected`.

    Returns:
      A Plotly figure dict: four charts in a 2x2 grid, one trace per run in each, a run's
      colour the same in all four; the legend names each run once.
    """
    data = []
    layout: dict = {
        "height": 520,
        "margin": {"t": 40, "b": 40, "l": 50, "r": 20},
        "legend": {"orientation": "h", "y": -0.12},
        "annotations": [],
    }
    x_title = "step" if model.x_axis == "step" else "wall time (s since the run's first record)"
    for index, (key, title) in enumerate(CHARTS):
        curves = model.curves(key)
        title += f" (smoothed {model.smoothing:g})" if model.smoothing else ""
        values = [v for curve in curves for v in curve.y]
        suffix = add_grid_chart(layout, index, title, x_title, values, title_size=13)
        for number, curve in enumerate(curves):
            is_best = curve.logdir in best
            colour = (colours or {}).get(curve.logdir) or RUN_COLOURS[number % len(RUN_COLOURS)]
            x, y = thin(curve.x, curve.y)
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": ("★ " if is_best else "") + curve.label,
                    "legendgroup": curve.logdir,
                    "showlegend": index == 0,
                    "x": x,
                    "y": y,
                    "line": {"color": colour, "width": 3 if is_best else 1.5},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "meta": curve.logdir,
                }
            )
    if not data:
        layout["annotations"].append(
            {"text": "Tick runs in the table to compare them", "x": 0.5, "y": 0.5,
             "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 15}}
        )  # fmt: skip
    return {"data": data, "layout": layout}


def _log10(value: float) -> float:
    return math.log10(value) if value > 0 else float("nan")


def parallel_figure(runs: Sequence[RunRecord]) -> dict:
    """Hyper-parameters against the result: one line per run with a validation accuracy.

    Axes: log10 of the learning rate, batch size, weight decay, optimizer, steps, and the
    validation accuracy, which also colours the lines. Runs without an accuracy (running,
    failed) are left out: they have no result to set against.
    """
    scored = [r for r in runs if r.val_accuracy is not None]
    layout = {"height": 360, "margin": {"t": 60, "b": 30, "l": 60, "r": 60}}
    if not scored:
        layout["annotations"] = [
            {"text": "No run with a validation accuracy yet", "x": 0.5, "y": 0.5,
             "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 15}}
        ]  # fmt: skip
        layout["xaxis"] = layout["yaxis"] = {"visible": False}
        return {"data": [], "layout": layout}
    optimizers = sorted({r.optimizer or "?" for r in scored})

    def column(values: list) -> list:
        return [float("nan") if v is None else v for v in values]

    dimensions = [
        {"label": "log10 learning rate",
         "values": column([_log10(r.learning_rate) if r.learning_rate else None for r in scored])},
        {"label": "batch size", "values": column([r.batch_size for r in scored])},
        {"label": "weight decay", "values": column([r.weight_decay for r in scored])},
        {"label": "optimizer", "values": [optimizers.index(r.optimizer or "?") for r in scored],
         "tickvals": list(range(len(optimizers))), "ticktext": optimizers},
        {"label": "steps", "values": column([r.steps for r in scored])},
        {"label": "validation accuracy", "values": [r.val_accuracy for r in scored]},
    ]  # fmt: skip
    trace = {
        "type": "parcoords",
        "line": {
            "color": [r.val_accuracy for r in scored],
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": "accuracy"}},
        },
        "dimensions": dimensions,
        "customdata": [r.run for r in scored],
    }
    return {"data": [trace], "layout": layout}
