"""The `slim-workbench` command: its parser and `main`, which maps errors to exit statuses.

The subcommands live by subject: `workbench.cli.jobs` (serve, train, evaluate, export, jobs),
`workbench.cli.design` (templates, template, validate, codegen, summary, diagram,
restore-plan) and `workbench.cli.sweeps` (sweep define, start, status, stop). Each raises
`workbench.cli.errors.InvalidInputError` for input the user can fix, which `main` prints on
stderr and turns into exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from workbench.cli import design, jobs, runs, sweeps
from workbench.cli.errors import EXIT_INVALID, InvalidInputError
from workbench.models.workspace_root import WORKSPACE_ENV, default_workspace


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand; each sets `run`, the function that carries it out."""
    parser = argparse.ArgumentParser(
        prog="slim-workbench", description="Design, inspect, train and export slimlib models."
    )
    parser.add_argument(
        "--workspace",
        default=default_workspace(),
        help=f"workspace folder for designs and jobs (default ${WORKSPACE_ENV} or ./workspace)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    jobs.add_parsers(sub)
    design.add_parsers(sub)
    sweeps.add_parsers(sub)
    runs.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `slim-workbench` with `argv` (default the process's arguments); the exit status."""
    args = build_parser().parse_args(argv)
    args.workspace = os.path.realpath(args.workspace)
    try:
        return args.run(args)
    except InvalidInputError as err:
        print(f"slim-workbench {args.command}: {err}", file=sys.stderr)
        return EXIT_INVALID
