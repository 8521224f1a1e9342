"""Plain-text tables for the command line: aligned columns, numbers with separators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = ()
) -> str:
    """Rows as aligned plain text: a header line, a rule, then one line per row.

    Args:
      headers: Column titles.
      rows: One sequence of cells per row, as many as `headers`; cells are shown with
        `str`, ints with thousands separators.
      right: Titles of the columns to align right (numbers). Default none.

    Example:
      >>> print(format_table(["scope", "params"], [["fc", 1234]], right=["params"]))
      scope  params
      -----  ------
      fc      1,234
    """
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if header in right else value.ljust(width)
            for header, value, width in zip(headers, values, widths)
        ]
        return "  ".join(parts).rstrip()

    rule = ["-" * width for width in widths]
    return "\n".join([line(headers), line(rule), *(line(row) for row in cells)])


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)
