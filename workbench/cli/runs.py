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


def runs_table(runs: list, best: set[str]) -> str:
    """The runs as aligned plain text, in the runs table's columns
    (`workbench.models.runs.columns`); `*` marks the best run of each sweep."""
    from workbench.models.runs.columns import COLUMNS, cell_text

    rows = [
        [cell_text(c, run, best=run.logdir in best, mark="*", missing="-") for c in COLUMNS]
        for run in runs
    ]
    titles = [column.title for column in COLUMNS]
    return format_table(titles, rows, right=[c.title for c in COLUMNS if c.number])


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
