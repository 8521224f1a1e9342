"""The Train page's four metric charts as one Plotly figure, written as plain data."""

from __future__ import annotations

from workbench.models.charts import CHARTS, MetricSeries

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
        row, column = divmod(index, 2)
        suffix = "" if index == 0 else str(index + 1)
        x_domain = [0.0, 0.45] if column == 0 else [0.55, 1.0]
        y_domain = [0.575, 1.0] if row == 0 else [0.0, 0.425]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": title,
                "x": list(series.steps[key]) if series else [],
                "y": values,
                "line": {"color": colour},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
        x_axis = {"domain": x_domain, "anchor": f"y{suffix}"}
        if row == 1:
            x_axis["title"] = {"text": "step"}
        layout[f"xaxis{suffix}"] = x_axis
        layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}"}
        if values and min(values) == max(values):
            layout[f"yaxis{suffix}"]["range"] = _range_around(values[0])
        layout["annotations"].append(
            {
                "text": title,
                "x": sum(x_domain) / 2,
                "y": y_domain[1],
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
    return {"data": data, "layout": layout}


def _range_around(value: float) -> list[float]:
    """A y range for a constant series, half its value either side: Plotly pads such a
    series by 1 either side, which drew a learning rate of 0.01 on the zero line."""
    half = abs(value) / 2 or 1.0
    return [value - half, value + half]
