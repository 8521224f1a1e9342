"""Rows of plain data as a small, styled HTML table (for `ipywidgets.HTML`)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

TABLE_STYLE = (
    "border-collapse: collapse; font-size: 12px; font-family: var(--jp-ui-font-family, sans-serif)"
)
CELL_STYLE = "padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left"
SOURCE_COLOURS = {"call": "#1f5f99", "arg_scope": "#1b7f3b", "default": "#777777"}


def html_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    cell_style: Callable[[str, Any], str] | None = None,
) -> str:
    """An HTML table of `records` (one dict per row); every value is escaped.

    Args:
      records: Rows; the first row's keys are the columns unless `columns` is given.
      columns: Which keys to show, in order.
      cell_style: Optional `(column, value) -> css` for extra per-cell style.
    """
    if not records:
        return "<i>Empty.</i>"
    columns = list(columns or records[0].keys())
    head = "".join(f"<th style='{CELL_STYLE}'>{html.escape(c)}</th>" for c in columns)
    rows = []
    for record in records:
        cells = []
        for column in columns:
            value = record.get(column, "")
            extra = cell_style(column, value) if cell_style else ""
            text = "" if value is None else str(value)
            cells.append(f"<td style='{CELL_STYLE}; {extra}'>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table style='{TABLE_STYLE}'><tr>{head}</tr>{''.join(rows)}</table>"


def source_style(column: str, value: Any) -> str:
    """Colours the `Source` column of an arguments table by where the value came from."""
    if column != "Source":
        return ""
    return f"color: {SOURCE_COLOURS.get(str(value), 'inherit')}; font-weight: 600"
