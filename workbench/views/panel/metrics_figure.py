"""The Train page's four metric charts as one Plotly figure, written as plain data."""

from __future__ import annotations

from workbench.models.charts import CHARTS, MetricSeries
from workbench.views.panel.chart_grid import add_grid_chart

_COLOURS = ("#2f6f9f", "#1b7f3b", "#a15c00", "#6b3fa0")


def metrics_figure(series: MetricSeries | None) -> dict:
    """Loss, accuracy, learning rate and examples/sec of `series` as four small charts.

    A plain Plotly figure dict: building `plotly.graph_objects` figures validates every
    property and carries the whole default template, which cost the server about a second
    per redraw and per browser session.
    """
    data = []
    layout = {
        "height": 440,
        "showlegend": False,
        "margin": {"t": 40, "b": 30, "l": 50, "r": 20},
        "annotations": [],
    }
    for index, ((key, title), colour) in enumerate(zip(CHARTS, _COLOURS)):
        values = list(series.values[key]) if series else []
        suffix = add_grid_chart(layout, index, title, "step", values, title_size=14)
        data.append(
            {
                "type": "scatter",
                # A line needs two points: the first logged step alone is drawn as a dot, not
                # as an empty chart whose axes moved.
                "mode": "markers" if len(values) == 1 else "lines",
                "name": title,
                "x": list(series.steps[key]) if series else [],
                "y": values,
                "line": {"color": colour},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
    return {"data": data, "layout": layout}
