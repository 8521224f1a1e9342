"""The columns of the runs table, one list for every place that shows it.

The Train page's table (`workbench.views.panel.runs_view`), the notebook's
(`workbench.views.jupyter.runs_table`) and `slim-workbench runs` show these columns, in this
order, under these titles: the results and the settings a sweep varies first, so they fit a
page without scrolling. `value` gives a cell's value for a sortable table; `cell_text` the
same as text, for plain-text and HTML tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.models.runs.record import RunRecord

__all__ = ["BEST", "COLUMNS", "Column", "cell_text", "value"]

#: The field of the column that marks the best run of each sweep (not a `RunRecord` field).
BEST = "best"


@dataclass(frozen=True)
class Column:
    """One column: the `RunRecord` field it shows (or `BEST`), its title, and for measured
    numbers the decimals shown (None: the value as it was set, e.g. a learning rate)."""

    field: str
    title: str
    decimals: int | None = None
    number: bool = False  # Aligned right in plain text.


COLUMNS = (
    Column(BEST, "best"),
    Column("run", "run"),
    Column("sweep", "sweep"),
    Column("status", "status"),
    Column("learning_rate", "lr", number=True),
    Column("val_accuracy", "val acc", decimals=4, number=True),
    Column("best_val_accuracy", "best val acc", decimals=4, number=True),
    Column("optimizer", "optimizer"),
    Column("batch_size", "batch", number=True),
    Column("weight_decay", "weight decay", number=True),
    Column("steps", "steps", number=True),
    Column("schedule", "schedule"),
    Column("design", "design"),  # With the saved version trained: `mynet v3`.
    Column("dataset", "dataset"),
    Column("finetune", "fine-tune"),
    Column("step", "step", number=True),
    Column("duration_s", "duration (s)", decimals=1, number=True),
    Column("examples_per_sec", "examples/s", decimals=0, number=True),
    Column("problem", "problem"),
)


def value(column: Column, run: RunRecord, *, best: bool = False, mark: str = "★") -> Any:
    """The cell of `run` in `column`: the field's value (None when unknown); `mark` in the
    `BEST` column when `best`, else ''; the design with its saved version."""
    if column.field == BEST:
        return mark if best else ""
    if column.field == "design" and run.design is not None and run.design_version is not None:
        return f"{run.design} v{run.design_version}"
    return getattr(run, column.field)


def cell_text(
    column: Column, run: RunRecord, *, best: bool = False, mark: str = "★", missing: str = ""
) -> str:
    """The cell as text: measured numbers with their decimals and thousands separators,
    settings as given (`0.01`, `4e-05`), `missing` for an unknown value.

    Example:
      >>> run = RunRecord("jobs/a", "/ws/jobs/a", learning_rate=0.01, duration_s=1234.56)
      >>> [cell_text(c, run, missing="-") for c in COLUMNS if c.title in ("lr", "duration (s)",
      ...                                                                "val acc")]
      ['0.01', '-', '1,234.6']
    """
    cell = value(column, run, best=best, mark=mark)
    if cell is None:
        return missing
    if column.decimals is not None:
        return f"{cell:,.{column.decimals}f}"
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)
