"""`slim-workbench sweep`: define, start, watch and stop hyper-parameter sweeps.

- `sweep define SPEC` writes the sweep's queue into the workspace and prints its id;
- `sweep start ID` launches its runs within the concurrency limit and stays in the
  foreground until every run ended (`--detach` only marks it started: a running app's
  scheduler launches its runs);
- `sweep status [ID]` lists the runs (the best one marked `*`), or every sweep without an
  ID; `--json` prints the status as JSON;
- `sweep stop ID` cancels the pending runs and stops the running ones.

A spec with problems, or an unknown sweep, exits with status 2 and says what is wrong.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli.errors import EXIT_FAILED, EXIT_OK, InvalidInputError, print_json, read_json
from workbench.cli.tables import format_table

__all__ = ["add_parsers"]


def _sweep(args: argparse.Namespace):
    from workbench.models.sweeps import Sweep

    try:
        return Sweep(args.id, workspace=args.workspace)
    except (FileNotFoundError, ValueError) as err:
        raise InvalidInputError(str(err).replace("Sweep: `sweep_id`", "sweep: ID")) from None


def _value_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def status_table(status: dict[str, Any]) -> str:
    """The runs of a sweep status as a plain-text table; `*` marks the best run."""
    names = list(status["runs"][0]["values"]) if status["runs"] else []
    rows = [
        [
            "*" if run["index"] == status["best"] else "",
            run["name"],
            run["state"],
            *(_value_text(run["values"][name]) for name in names),
            "" if run["accuracy"] is None else f"{run['accuracy']:.4f}",
            run["logdir"],
        ]
        for run in status["runs"]
    ]
    headers = ["best", "run", "state", *names, "val_accuracy", "logdir"]
    return format_table(headers, rows, right=[*names, "val_accuracy"])


def _summary_line(status: dict[str, Any]) -> str:
    counts = ", ".join(f"{count} {state}" for state, count in status["counts"].items())
    return f"sweep {status['id']}: {status['state']} ({counts})"


def cmd_define(args: argparse.Namespace) -> int:
    from workbench.models.sweeps import SweepSpecError, define_sweep

    spec = read_json(args.spec, "sweep define")
    try:
        sweep = define_sweep(spec, workspace=args.workspace)
    except SweepSpecError as err:
        raise InvalidInputError(str(err)) from None
    if args.start:
        sweep.start()
    print_json({"id": sweep.id, "folder": sweep.folder, "runs": len(sweep.runs)})
    return EXIT_OK


def cmd_start(args: argparse.Namespace) -> int:
    from workbench.models.sweeps import SweepDamagedError, SweepStateError, run_until_done

    sweep = _sweep(args)
    try:
        sweep.start()
    except SweepStateError as err:
        raise InvalidInputError(str(err).replace("Sweep.start", "sweep start")) from None
    except SweepDamagedError as err:
        raise InvalidInputError(str(err)) from None
    if args.detach:
        print(_summary_line(sweep.status()), file=sys.stderr)
        return EXIT_OK
    status = run_until_done(
        sweep, on_change=lambda status: print(_summary_line(status), file=sys.stderr)
    )
    print(status_table(status))
    failed = status["counts"].get("failed", 0)
    return EXIT_OK if status["state"] == "finished" and not failed else EXIT_FAILED


def _status_or_damage(sweep) -> dict[str, Any]:
    """The sweep's status, or `{"id", "state": "damaged", "error"}` when its files say why not."""
    from workbench.models.sweeps import SweepDamagedError

    try:
        return sweep.status()
    except SweepDamagedError as err:
        return {"id": sweep.id, "state": "damaged", "error": str(err)}


def cmd_status(args: argparse.Namespace) -> int:
    from workbench.models.sweeps import SweepDamagedError, damaged_sweeps, list_sweeps

    if args.id is None:
        statuses = [_status_or_damage(sweep) for sweep in list_sweeps(args.workspace)]
        statuses += [
            {"id": sweep_id, "state": "damaged", "error": error}
            for sweep_id, error in damaged_sweeps(args.workspace).items()
        ]
        if args.json:
            print_json([{k: v for k, v in s.items() if k != "runs"} for s in statuses])
        else:
            for status in statuses:
                damaged = status["state"] == "damaged"
                print(f"sweep {status['id']}: damaged: {status['error']}" if damaged
                      else _summary_line(status))  # fmt: skip
            if not statuses:
                print(f"no sweeps in {args.workspace}", file=sys.stderr)
        return EXIT_OK
    try:
        status = _sweep(args).status()
    except SweepDamagedError as err:
        raise InvalidInputError(str(err)) from None
    if args.json:
        print_json(status)
    else:
        print(_summary_line(status))
        print(status_table(status))
    return EXIT_OK


def cmd_stop(args: argparse.Namespace) -> int:
    status = _sweep(args).stop(grace_secs=args.grace)
    print(_summary_line(status))
    print(status_table(status))
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Adds `sweep` and its subcommands to `sub`, the subparsers of the main parser."""
    sweep = sub.add_parser("sweep", help="define, start, watch and stop hyper-parameter sweeps")
    actions = sweep.add_subparsers(dest="action", required=True, metavar="ACTION")

    define = actions.add_parser("define", help="write a sweep's queue from a spec (JSON)")
    define.add_argument("spec", help="sweep spec: method, parameters, base job config")
    define.add_argument("--start", action="store_true", help="also mark it started")
    define.set_defaults(run=cmd_define)

    start = actions.add_parser("start", help="launch a sweep's runs until all have ended")
    start.add_argument("id")
    start.add_argument(
        "--detach", action="store_true", help="only mark it started (a running app launches)"
    )
    start.set_defaults(run=cmd_start)

    status = actions.add_parser("status", help="a sweep's runs, or every sweep")
    status.add_argument("id", nargs="?")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=cmd_status)

    stop = actions.add_parser("stop", help="cancel pending runs and stop running ones")
    stop.add_argument("id")
    stop.add_argument("--grace", type=float, default=30.0, help="seconds before a kill")
    stop.set_defaults(run=cmd_stop)
