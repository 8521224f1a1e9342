"""The job subcommands of `slim-workbench`: serve the app, train, evaluate, export, list jobs.

Each one is a thin wrapper over `workbench.models.jobs`. `train CONFIG` runs a job in the
foreground (the app runs the same job in its own process); `evaluate`, `export` take a log
directory inside the workspace. Bad input raises `InvalidInputError` (exit status 2); a job
that fails exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.cli.errors import EXIT_FAILED, EXIT_OK, InvalidInputError, print_json, read_json
from workbench.models.workspace_root import WORKSPACE_ENV

ROOT = Path(__file__).resolve().parents[2]


# -- commands ------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Serves the web app with the same checks as `make app` (scripts/serve.sh)."""
    env = dict(os.environ, HOST=args.host, PORT=str(args.port), VENV=str(Path(sys.prefix)))
    env.setdefault(WORKSPACE_ENV, args.workspace)
    return subprocess.call(["bash", str(ROOT / "scripts" / "serve.sh")], env=env)


def cmd_train(args: argparse.Namespace) -> int:
    from workbench.models.jobs import ConfigError, Job, PathEscapeError, load_config
    from workbench.models.jobs.control import claim_logdir
    from workbench.models.jobs.paths import resolve_in_workspace
    from workbench.models.jobs.runner import run_job, set_process_environment
    from workbench.models.jobs.settings import TrainSettings

    raw = read_json(args.config, "train")
    # oneDNN is chosen before the config's check imports TensorFlow.
    environment = set_process_environment(raw)
    os.makedirs(args.workspace, exist_ok=True)
    try:
        config = load_config(raw, workspace=args.workspace)
        name = str(raw.get("name") or Path(args.config).stem)
        logdir = resolve_in_workspace(
            args.workspace, args.logdir or TrainSettings(job_name=name).logdir(), what="logdir"
        )
    except (ConfigError, PathEscapeError) as err:
        raise InvalidInputError(str(err)) from None
    if logdir == os.path.realpath(args.workspace):
        raise InvalidInputError(
            f"train: --logdir must be a folder inside the workspace, got the workspace root "
            f"{logdir!r}; use e.g. jobs/run1."
        )
    try:
        # A generated name may be taken by a job started in the same second: number it.
        logdir = claim_logdir(logdir, config.data, unique=args.logdir is None)
    except FileExistsError:
        raise InvalidInputError(
            f"train: {logdir!r} already holds a job; use another --logdir."
        ) from None
    print(f"train: log directory {logdir}; the job's output goes to its job.log", file=sys.stderr)
    with _output_to(os.path.join(logdir, "job.log")):
        exit_code = run_job(logdir, args.workspace, environment=environment)
    job = Job(logdir, workspace=args.workspace)
    summary = {"logdir": logdir, "state": job.state, "step": job.step, "device": job.device}
    summary.update({"error": job.error} if job.error else {"validation": job.eval_file()})
    print_json(summary)
    return EXIT_OK if exit_code == 0 and job.state == "finished" else EXIT_FAILED


@contextlib.contextmanager
def _output_to(path: str) -> Iterator[None]:
    """Sends this process's stdout and stderr (TensorFlow's too) to `path` for a while.

    A job run in the foreground writes what a launched job writes to its job.log (its
    progress, and the whole traceback of a failure); the terminal gets the summary. Both the
    file descriptors (TensorFlow's C++ logging) and `sys.stdout`/`sys.stderr` are redirected:
    where those are not the descriptors (a notebook, pytest's capture), Python's prints would
    otherwise still reach the caller's output.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(path, "ab") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
        with (
            open(path, "a", buffering=1, encoding="utf-8", errors="replace") as text,
            contextlib.redirect_stdout(text),
            contextlib.redirect_stderr(text),
        ):
            yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # The log may be on a full disk.
                stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


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
    config = load_config(read_json(os.path.join(logdir, "job.json"), "evaluate"),
                         workspace=args.workspace, check_files=False)  # fmt: skip
    if tf.train.latest_checkpoint(logdir) is None:
        raise InvalidInputError(f"evaluate: {logdir!r} has no checkpoint yet.")
    print_json(run_evaluation(config, logdir, load_prepared(logdir)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.models.jobs import export_saved_model

    logdir = _job_dir(args)
    try:
        path = export_saved_model(logdir, args.output, workspace=args.workspace,
                                  overwrite=args.overwrite)  # fmt: skip
    except (FileNotFoundError, FileExistsError, ValueError) as err:
        message = str(err).replace("pass overwrite=True", "pass --overwrite")
        raise InvalidInputError(message.replace("export_saved_model: ", "export: ")) from None
    print(path)
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from workbench.models.jobs import list_jobs

    jobs = list_jobs(args.workspace) if os.path.isdir(args.workspace) else []
    for job in jobs:
        print(
            f"{job.state:9s} {job.step:>7d}/{job.target_steps:<7d} {job.device or '-':4s} {job.logdir}"
        )
        if args.settings:
            print(f"          speed settings: {job.speed_settings or 'not chosen yet'}")
    if not jobs:
        print(f"no jobs in {args.workspace}", file=sys.stderr)
    return 0


# -- parser --------------------------------------------------------------------------------


def add_parsers(sub: Any) -> None:
    """Adds the job subcommands to `sub`, the subparsers of `workbench.cli.entry`'s parser."""
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
    jobs.add_argument(
        "--settings", action="store_true", help="also show each job's chosen speed settings"
    )
    jobs.set_defaults(run=cmd_jobs)
