"""The job process: `python -m workbench.train --logdir DIR [--workspace ROOT]`.

It reads `DIR/job.json`, picks the device, prepares the data, trains, evaluates the last
checkpoint on the validation split, and keeps `DIR/status.json` up to date throughout:

- `running` with `pid`, `device` (`"GPU"` when TensorFlow sees one and the config allows
  it, else `"CPU"`), `device_name`, `phase` and the latest `step`, `loss` and `accuracy`;
- `finished` with `eval` (the validation metrics, also in `DIR/eval.json`);
- `failed` with `error` (the exception and its message) and `traceback` (its tail);
- `stopped` after SIGTERM or SIGINT: a stop during training ends after the current step
  and saves a checkpoint at the step reached; a stop in another phase ends it at once.

For TensorBoard's HParams dashboard the job also writes its hyper-parameters when it starts
and its validation metrics and end state when it ends (`hparams_summary`).

TensorFlow is imported only after the device and oneDNN are chosen: `"device": "cpu"`
hides every GPU from it (`CUDA_VISIBLE_DEVICES=-1` must be set before TensorFlow starts),
and `TF_ENABLE_ONEDNN_OPTS` is read once, when TensorFlow loads. The speed settings
(`performance`) are chosen as the facts come in (the CPU, then the GPUs);
the final choice and the reason for each go to `job.log` and to `status.json`
(`performance` and `performance_summary`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from workbench.models.jobs import disk_full, hparams_summary, performance
from workbench.models.jobs.config import DEVICES, JobConfig, load_config
from workbench.models.jobs.paths import JOB_FILE
from workbench.models.jobs.priority import lower_priority
from workbench.models.jobs.progress import ProgressWriter
from workbench.models.jobs.status_file import StatusFile, read_json, why_not_an_object

__all__ = ["StopRequestedError", "exit_at_once", "main", "run_job", "set_process_environment"]

# Lines of the traceback kept in status.json (the whole one is in job.log).
_TRACEBACK_LINES = 30
_MAX_ERROR_CHARS = 2000


class StopRequestedError(Exception):
    """Raised inside the job process when a stop arrives outside the training loop."""


class _StopSignal:
    """SIGTERM/SIGINT handler: sets a flag; raises `StopRequestedError` unless `graceful` is on."""

    def __init__(self):
        self.event = threading.Event()
        self.graceful = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, frame) -> None:
        self.event.set()
        if not self.graceful:
            raise StopRequestedError(f"stopped by signal {signal.Signals(signum).name}")

    def is_set(self) -> bool:
        return self.event.is_set()


def _error_text(err: BaseException) -> str:
    """`Type: message`, without the op-creation stack TensorFlow puts into its messages."""
    message = getattr(err, "message", None) or str(err)
    lines = [
        line
        for line in message.splitlines()
        if not line.startswith("    File ") and not line.startswith("Detected at node")
    ]
    text = f"{type(err).__name__}: " + "\n".join(lines).strip()
    if "inf or nan" in message.lower():
        text += "\nThe loss diverged: lower train.learning_rate."
    return text if len(text) <= _MAX_ERROR_CHARS else text[:_MAX_ERROR_CHARS] + " ..."


def _hide_gpus_if_asked(raw: Any) -> str:
    """Reads the device choice before TensorFlow starts; hides the GPUs for `"cpu"`."""
    choice = raw.get("device", "auto") if isinstance(raw, dict) else "auto"
    if choice not in DEVICES:
        choice = "auto"  # load_config reports it.
    if choice == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    return choice


def _device(config: JobConfig) -> tuple[dict[str, str], Any]:
    """Returns the device fields of the status and the session config."""
    import tensorflow as tf

    # Step losses and checkpoint saves go to job.log.
    tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.INFO)
    gpus = [] if config.device == "cpu" else tf.config.list_physical_devices("GPU")
    return device_settings(config.device, gpus, tf.config.experimental.get_device_details)


def device_settings(
    device: str, gpus: Sequence[Any], details: Callable[[Any], Mapping[str, Any]]
) -> tuple[dict[str, str], Any]:
    """The status's device fields and the session config for the GPUs TensorFlow sees.

    Args:
      device: The config's `device`: "auto", "cpu" or "gpu".
      gpus: The physical GPU devices TensorFlow lists (ignored for "cpu").
      details: `tf.config.experimental.get_device_details`, or a stand-in.

    Raises:
      RuntimeError: If `device` is "gpu" and `gpus` is empty.
    """
    import tensorflow as tf

    gpus = [] if device == "cpu" else list(gpus)
    if device == "gpu" and not gpus:
        raise RuntimeError(
            "device: the config asks for 'gpu' but TensorFlow sees no GPU; choose 'auto' "
            "(GPU when there is one) or 'cpu'."
        )
    session_config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    if gpus:
        # Several jobs (and the app) may share one GPU: take memory as needed, not all of it.
        session_config.gpu_options.allow_growth = True
        name = details(gpus[0]).get("device_name") or gpus[0].name
        return {"device": "GPU", "device_name": str(name)}, session_config
    session_config.device_count["GPU"] = 0
    return {"device": "CPU", "device_name": "CPU"}, session_config


def set_process_environment(raw: Any) -> tuple[performance.Machine, bool]:
    """Chooses oneDNN (and XLA's CPU flag) from the CPU and the raw config before
    TensorFlow loads; returns the machine's facts so far and whether that was in time.

    A program that runs a job in its own process (the CLI's `train`) calls this before it
    imports TensorFlow and hands the result to `run_job`.
    """
    machine = performance.read_machine()
    choices = performance.choose(performance.spec_from_raw(raw), machine)
    wanted = performance.process_environment(choices, os.environ)
    if "tensorflow" not in sys.modules:
        os.environ.update(wanted)
    in_time = all(os.environ.get(name) == value for name, value in wanted.items())
    return machine, in_time


def _chosen_settings(
    config: JobConfig, machine: performance.Machine, in_time: bool, status: StatusFile
) -> dict[str, performance.Choice]:
    """The final speed settings: logged, and written into the status."""
    choices = performance.choose(config.performance, machine)
    if not in_time:
        choices["onednn"] = performance.Choice(
            None, "process", "TensorFlow was loaded before the job started: its default"
        )
    cpu = machine.cpu_model or machine.arch
    print(f"Speed settings on {cpu} ({machine.cores} cores):", flush=True)
    for key, choice in choices.items():
        print(f"  {key} = {choice.value!r} ({choice.source}: {choice.reason})", flush=True)
    status.update(
        performance=performance.describe(choices),
        performance_summary=performance.summary(choices),
    )
    return choices


class _HParams:
    """Writes the job's HParams summaries (`hparams_summary`); a failure to write them is
    noted in job.log and does not end the job."""

    def __init__(self, logdir: str, workspace: str, config: JobConfig):
        self.logdir = logdir
        self._guarded(
            hparams_summary.write_start,
            logdir,
            config,
            trial_id=os.path.relpath(logdir, workspace),
        )

    def end(self, state: str, results: dict | None, step: int) -> None:
        self._guarded(hparams_summary.write_end, self.logdir, state, results, step)

    @staticmethod
    def _guarded(write, *args, **kwargs) -> None:
        try:
            write(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - the summaries are extras; training goes on.
            with contextlib.suppress(OSError):
                print(f"HParams summaries not written: {_error_text(err)}", flush=True)


def run_job(
    logdir: str,
    workspace: str | None = None,
    *,
    environment: tuple[performance.Machine, bool] | None = None,
) -> int:
    """Runs the job of `logdir` in this process; returns the exit status (0 unless failed).

    Args:
      logdir: The job's log directory, holding `job.json`.
      workspace: Root that the config's paths must stay inside; default the parent
        folder of `logdir`.
      environment: What `set_process_environment` returned, when the caller ran it
        before importing TensorFlow; default: run it now.

    Returns:
      0 when the job finished or was stopped, 1 when it failed.
    """
    logdir = os.path.realpath(logdir)
    workspace = os.path.realpath(workspace or os.path.dirname(logdir))
    stop = _StopSignal()
    stop.install()
    status = StatusFile(logdir)
    hparams: _HParams | None = None
    try:
        status.update(
            state="running",
            phase="starting",
            pid=os.getpid(),
            started_at=time.time(),
            ended_at=None,
            error=None,
            traceback=None,
            eval=None,
            warning=None,
        )
        raw = read_json(os.path.join(logdir, JOB_FILE))
        if raw is None:
            path = os.path.join(logdir, JOB_FILE)
            raise FileNotFoundError(f"run_job: {path!r}: {why_not_an_object(path)}.")
        _hide_gpus_if_asked(raw)
        machine, in_time = environment or set_process_environment(raw)
        config = load_config(raw, workspace=workspace)
        hparams = _HParams(logdir, workspace, config)
        device, session_config = _device(config)
        status.update(phase="preparing data", target_steps=config.train.steps, **device)

        from workbench.models.jobs import evaluate, inputs, training

        data = inputs.prepare(config, logdir)
        machine = machine.learned(gpus=int(device["device"] == "GPU"))
        speed = _chosen_settings(config, machine, in_time, status)
        session_config = performance.tune_session_config(speed, session_config)
        status.update(phase="training")
        # A damaged checkpoint state is repaired before training restores from it; the
        # notes (which checkpoint was skipped and why) stay in the status.
        notes = training.recover_checkpoints(logdir)
        if notes:
            print("\n".join(f"checkpoints: {note}" for note in notes), flush=True)
            status.update(warning="; ".join(notes))

        stop.graceful = True
        if stop.is_set():
            raise StopRequestedError("stopped before training")
        progress = ProgressWriter(status)

        def on_record(record: dict) -> None:
            progress.record(**{k: record[k] for k in ("step", "loss", "accuracy") if k in record})

        try:
            last_loss = training.run_training(
                config,
                logdir,
                data,
                should_stop=stop.is_set,
                on_record=on_record,
                session_config=session_config,
                speed=speed,
            )
        finally:
            progress.close()
        stop.graceful = False
        # Records are logged every `log_every_n_steps`; the step reached may lie between.
        status.update(step=training.checkpoint_step(logdir))
        if last_loss is not None:
            status.update(loss=float(last_loss))
        if stop.is_set():
            raise StopRequestedError("stopped during training")
        status.update(phase="evaluating")
        results = evaluate.run_evaluation(config, logdir, data, session_config=session_config)
        hparams.end("finished", results, results.get("step") or 0)
        status.update(state="finished", phase="done", ended_at=time.time(), eval=results)
        return 0
    except StopRequestedError as err:
        stop.graceful = True  # A second signal now only sets the flag.
        if hparams is not None:
            hparams.end("stopped", None, status.data.get("step") or 0)
        status.update(state="stopped", phase="done", ended_at=time.time(), error=str(err))
        return 0
    except BaseException as err:
        stop.graceful = True
        lines = traceback.format_exc().rstrip().splitlines()
        with contextlib.suppress(OSError):  # job.log may be on the disk that is full.
            traceback.print_exc()  # The whole traceback goes to job.log.
        error = _error_text(err)
        if disk_full.is_disk_full(err):
            removed = disk_full.remove_temporary_files(logdir)
            if removed:
                with contextlib.suppress(OSError):
                    print(f"removed half-written files: {', '.join(removed)}", flush=True)
            error = disk_full.disk_full_message(err, logdir)
        try:
            status.update(
                state="failed",
                phase="done",
                ended_at=time.time(),
                error=error,
                traceback="\n".join(lines[-_TRACEBACK_LINES:]),
            )
        except OSError as status_err:
            print(f"run_job: could not record the failure: {status_err}", file=sys.stderr)
        if hparams is not None:
            hparams.end("failed", None, status.data.get("step") or 0)
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):
                stream.flush()


def exit_at_once(code: int) -> None:
    """Ends the job process with `code` once its files are written, skipping the teardown.

    Everything the job writes is closed or flushed by then (checkpoints, metrics, status);
    what remains is the interpreter's teardown of TensorFlow's threads and objects, which
    took seconds (and, on a busy machine, past the stop's grace period) after the final
    status had been written. The event files still open are closed first.
    """
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        with contextlib.suppress(Exception):
            tf.compat.v1.summary.FileWriterCache.clear()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the job process; returns its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench.train",
        description="Runs the training job whose job.json lies in LOGDIR.",
    )
    parser.add_argument("--logdir", required=True, help="The job's log directory.")
    parser.add_argument(
        "--workspace",
        default=None,
        help="Root the config's paths must stay inside (default: LOGDIR's parent).",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="Lower this process's CPU priority by this much before anything else: its nice "
        "value, and its autogroup's when it leads its own session (see jobs.priority).",
    )
    args = parser.parse_args(argv)
    if args.nice:
        lower_priority(args.nice)
    return run_job(args.logdir, args.workspace)
