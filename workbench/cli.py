"""`slim-workbench` (also `python -m workbench`): the workbench from a terminal.

Every subcommand is a thin wrapper over `workbench.models`; the design subcommands
(`templates`, `template`, `validate`, `codegen`, `summary`, `diagram`, `restore-plan`) live
in `workbench.cli_design`. Bad input (an invalid design or job config, a path outside the
workspace, a missing file) exits with status 2 and the problems on stderr, one per line; a
job that fails exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Exit status for invalid input, as argparse uses for a bad command line.
EXIT_INVALID = 2
WORKSPACE_ENV = "SLIM_WORKBENCH_WORKSPACE"
ROOT = Path(__file__).resolve().parents[1]


class InvalidInputError(Exception):
    """Input the user can fix; its message lists every problem."""


def default_workspace() -> str:
    """`$SLIM_WORKBENCH_WORKSPACE`, else `./workspace`."""
    return os.environ.get(WORKSPACE_ENV) or os.path.join(os.getcwd(), "workspace")


def _read_json(path: str, what: str) -> Any:
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise InvalidInputError(f"{what}: no such file {path!r}.") from None
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{what}: {path!r} is not valid JSON: {err}.") from None


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


# -- jobs ----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Serves the web app with the same checks as `make app` (scripts/serve.sh)."""
    env = dict(os.environ, HOST=args.host, PORT=str(args.port), VENV=str(Path(sys.prefix)))
    env.setdefault(WORKSPACE_ENV, args.workspace)
    return subprocess.call(["bash", str(ROOT / "scripts" / "serve.sh")], env=env)


def cmd_train(args: argparse.Namespace) -> int:
    from workbench.models.jobs import ConfigError, Job, PathEscapeError, load_config
    from workbench.models.jobs.paths import JOB_FILE, resolve_in_workspace
    from workbench.models.jobs.runner import run_job
    from workbench.models.jobs.settings import TrainSettings
    from workbench.models.jobs.status_file import write_json_atomic

    raw = _read_json(args.config, "train")
    os.makedirs(args.workspace, exist_ok=True)
    try:
        config = load_config(raw, workspace=args.workspace)
        name = str(raw.get("name") or Path(args.config).stem)
        logdir = resolve_in_workspace(
            args.workspace, args.logdir or TrainSettings(job_name=name).logdir(), what="logdir"
        )
    except (ConfigError, PathEscapeError) as err:
        raise InvalidInputError(str(err)) from None
    if os.path.exists(os.path.join(logdir, JOB_FILE)):
        raise InvalidInputError(f"train: {logdir!r} already holds a job; use another --logdir.")
    os.makedirs(logdir, exist_ok=True)
    write_json_atomic(os.path.join(logdir, JOB_FILE), config.data)
    print(f"train: log directory {logdir}", file=sys.stderr)
    exit_code = run_job(logdir, args.workspace)
    job = Job(logdir, workspace=args.workspace)
    summary = {"logdir": logdir, "state": job.state, "step": job.step, "device": job.device}
    summary.update({"error": job.error} if job.error else {"validation": job.eval_file()})
    _print_json(summary)
    return 0 if exit_code == 0 and job.state == "finished" else 1


def _job_dir(args: argparse.Namespace) -> str:
    from workbench.models.jobs import PathEscapeError, resolve_in_workspace

    try:
        logdir = resolve_in_workspace(args.workspace, args.logdir, what="logdir")
    except PathEscapeError as err:
        raise InvalidInputError(str(err)) from None
    if not os.path.isfile(os.path.join(logdir, "job.json")):
        raise InvalidInputError(f"{args.command}: {logdir!r} holds no job (no job.json).")
    return logdir


def cmd_evaluate(args: argparse.Namespace) -> int:
    import tensorflow as tf

    from workbench.models.jobs import load_config
    from workbench.models.jobs.evaluate import run_evaluation
    from workbench.models.jobs.inputs import load_prepared

    logdir = _job_dir(args)
    config = load_config(_read_json(os.path.join(logdir, "job.json"), "evaluate"),
                         workspace=args.workspace, check_files=False)  # fmt: skip
    if tf.train.latest_checkpoint(logdir) is None:
        raise InvalidInputError(f"evaluate: {logdir!r} has no checkpoint yet.")
    _print_json(run_evaluation(config, logdir, load_prepared(logdir)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.models.jobs import export_saved_model

    logdir = _job_dir(args)
    try:
        path = export_saved_model(logdir, args.output, workspace=args.workspace,
                                  overwrite=args.overwrite)  # fmt: skip
    except (FileNotFoundError, FileExistsError, ValueError) as err:
        raise InvalidInputError(str(err)) from None
    print(path)
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from workbench.models.jobs import list_jobs

    jobs = list_jobs(args.workspace) if os.path.isdir(args.workspace) else []
    for job in jobs:
        print(
            f"{job.state:9s} {job.step:>7d}/{job.target_steps:<7d} {job.device or '-':4s} {job.logdir}"
        )
    if not jobs:
        print(f"no jobs in {args.workspace}", file=sys.stderr)
    return 0


# -- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slim-workbench", description="Design, inspect, train and export slimlib models."
    )
    parser.add_argument(
        "--workspace",
        default=default_workspace(),
        help=f"workspace folder for designs and jobs (default ${WORKSPACE_ENV} or ./workspace)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5006)
    serve.set_defaults(run=cmd_serve)

    train = sub.add_parser("train", help="run a training job in the foreground")
    train.add_argument("config", help="job config (JSON)")
    train.add_argument("--logdir", help="log folder inside the workspace (default jobs/NAME-TIME)")
    train.set_defaults(run=cmd_train)

    evaluate = sub.add_parser("evaluate", help="evaluate a job's last checkpoint")
    evaluate.add_argument("logdir")
    evaluate.set_defaults(run=cmd_evaluate)

    export = sub.add_parser("export", help="export a job's model as a SavedModel")
    export.add_argument("logdir")
    export.add_argument("-o", "--output", help="SavedModel folder (default LOGDIR/export/step-N)")
    export.add_argument("--overwrite", action="store_true")
    export.set_defaults(run=cmd_export)

    jobs = sub.add_parser("jobs", help="list the workspace's jobs")
    jobs.set_defaults(run=cmd_jobs)

    # Imported here: `cli_design` imports `InvalidInputError` from this module.
    from workbench import cli_design

    cli_design.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.workspace = os.path.realpath(args.workspace)
    try:
        return args.run(args)
    except InvalidInputError as err:
        print(f"slim-workbench {args.command}: {err}", file=sys.stderr)
        return EXIT_INVALID
