"""`slim-workbench runs`: every job of the workspace as a table, or as JSON (`--json`).

`--sort FIELD` (`--sort=-FIELD` descending) and `--filter FIELD OP VALUE` (repeatable, all must
pass; e.g. `status=finished`, `lr<0.01`, `design~lenet`) work as on the Train page; see
`workbench.models.runs.query`. A bad sort key or filter exits with status 2 and says what
was wrong, the value given and what is expected. `*` marks the best run of each sweep.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli.errors import EXIT_OK, InvalidInputError, print_json
from workbench.cli.tables import format_table

__all__ = ["add_parsers", "runs_table"]

#: (title, RunRecord field) of the plain-text table; `--json` gives every field.
_COLUMNS = (
    ("run", "run"),
    ("sweep", "sweep"),
    ("status", "status"),
    ("design", "design"),
    ("optimizer", "optimizer"),
    ("lr", "learning_rate"),
    ("schedule", "schedule"),
    ("batch", "batch_size"),
    ("steps", "steps"),
    ("wd", "weight_decay"),
    ("val_acc", "val_accuracy"),
    ("best_acc", "best_val_accuracy"),
    ("time_s", "duration_s"),
    ("ex/s", "examples_per_sec"),
    ("problem", "problem"),
)
_RIGHT = ("lr", "batch", "steps", "wd", "val_acc", "best_acc", "time_s", "ex/s")


def _cell(field: str, run: Any) -> Any:
    value = getattr(run, field)
    if value is None:
        return "-" if field != "problem" else ""
    if field == "design" and run.design_version is not None:
        return f"{value} v{run.design_version}"
    if field in ("val_accuracy", "best_val_accuracy"):
        return f"{value:.4f}"
    if field in ("duration_s", "examples_per_sec"):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:g}"
    return value


def runs_table(runs: list, best: set[str]) -> str:
    """The runs as aligned plain text; a `*` before the run marks the best of its sweep."""
    rows = []
    for run in runs:
        cells = [_cell(field, run) for _, field in _COLUMNS]
        cells[0] = ("* " if run.logdir in best else "  ") + cells[0]
        rows.append(cells)
    return format_table([title for title, _ in _COLUMNS], rows, right=_RIGHT)


def cmd_runs(args: argparse.Namespace) -> int:
    from workbench.models.runs import QueryError, best_run_of_sweep, load_runs
    from workbench.models.runs.query import split_filters
    from workbench.models.runs.table import RunCache

    filters = [part for text in args.filter or [] for part in split_filters(text)]
    try:
        runs = load_runs(args.workspace, sort=args.sort, filters=filters)
    except QueryError as err:
        raise InvalidInputError(str(err)) from None
    # The best of a sweep is judged among all its runs, not only those the filters kept.
    everything = RunCache(args.workspace).runs() if filters else runs
    sweeps = {run.sweep for run in everything if run.sweep is not None}
    best = {
        found.logdir
        for sweep in sweeps
        if (found := best_run_of_sweep(everything, sweep)) is not None
    }
    if args.json:
        print_json([{**run.to_json(), "best_of_sweep": run.logdir in best} for run in runs])
        return EXIT_OK
    if not runs:
        where = " matching the filters" if filters else ""
        print(f"no runs{where} in {args.workspace}", file=sys.stderr)
        return EXIT_OK
    print(runs_table(runs, best))
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Adds `runs` to `sub`, the subparsers of `workbench.cli.entry`'s parser."""
    runs = sub.add_parser(
        "runs",
        help="list every run (job) of the workspace with its settings and results",
        description="Every job of the workspace: design, dataset, hyper-parameters, state, "
        "final and best validation accuracy, duration and throughput.",
    )
    runs.add_argument(
        "--sort",
        help="field to sort by (e.g. lr, val_accuracy); descending with a '-' before it, "
        "written --sort=-val_accuracy",
    )
    runs.add_argument(
        "--filter",
        action="append",
        metavar="FIELD OP VALUE",
        help="keep runs where FIELD compares true (OP: = != < <= > >= ~), e.g. "
        "status=finished, 'lr<0.01'; repeat for more",
    )
    runs.add_argument("--json", action="store_true", help="print the runs as JSON")
    runs.set_defaults(run=cmd_runs)
