"""The 2x2 grid of small charts the Train page and Compare draw: one axis pair per chart."""

from __future__ import annotations

from collections.abc import Iterable


def add_grid_chart(
    layout: dict, index: int, title: str, x_title: str, values: Iterable, title_size: int
) -> str:
    """Adds chart `index` (0-3, row by row) to a Plotly `layout`: its axes, its title above
    it and, for a constant series, a y range around the constant.

    Args:
      layout: The figure's layout dict; needs an `annotations` list.
      index: Which chart: 0 top left, 1 top right, 2 bottom left, 3 bottom right.
      title: Shown above the chart.
      x_title: The bottom row's x axis title.
      values: Every y value the chart draws (numbers; anything else is ignored).
      title_size: Font size of the title.

    Returns:
      The axes' suffix for the chart's traces: "" for the first chart, "2" to "4" after,
      so a trace names `"x" + suffix` and `"y" + suffix`.
    """
    row, column = divmod(index, 2)
    suffix = "" if index == 0 else str(index + 1)
    x_domain = [0.0, 0.45] if column == 0 else [0.55, 1.0]
    y_domain = [0.58, 1.0] if row == 0 else [0.0, 0.42]
    x_axis: dict = {"domain": x_domain, "anchor": f"y{suffix}"}
    if row == 1:
        x_axis["title"] = {"text": x_title}
    layout[f"xaxis{suffix}"] = x_axis
    layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}"}
    numbers = {float(v) for v in values if isinstance(v, (int, float))}
    if len(numbers) == 1:
        layout[f"yaxis{suffix}"]["range"] = range_around(numbers.pop())
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
            "font": {"size": title_size},
        }
    )
    return suffix


def range_around(value: float) -> list[float]:
    """A y range for a constant series, half its value either side (1 for 0): Plotly pads
    such a series by 1 either side, which drew a learning rate of 0.01 on the zero line."""
    half = abs(value) / 2 or 1.0
    return [value - half, value + half]
