"""A sweep's queue in the workspace: its plan, each run's claim and state, and its control.

Everything lives in `sweeps/<id>/`, so a sweep outlives the process that started it, and a
restarted server (or another one on the same workspace) carries on where it stopped:

- `sweep.json`: the plan, written once (`define_sweep`): the spec and each run's values and
  log directory (`jobs/<id>/run-001`, ...).
- `control.json`: `{"state": "defined" | "started" | "stopped"}`; `start` and `stop` change it.
- `runs/run-001.claim`: who decided the run's fate, `launch` or `cancel`. It is created with
  an exclusive link (`atomic_write(..., exclusive=True)`): of two schedulers, or a
  scheduler and a stop, exactly one gets each run, so no run is launched twice and no
  cancelled run is launched.
- `runs/run-001.json`: the run's last known state (`pending`, `starting`, `running`,
  `finished`, `failed`, `stopped`, `cancelled`), its validation accuracy and loss, and the
  GPU it was given; rewritten atomically whenever it changes.
- `.lock`: held (`fcntl.flock`) while a scheduler counts the active runs and launches the
  next ones, so that two schedulers together keep to `max_concurrent`.

A run's state is read from its job (`workbench.models.jobs.read_status`), which notices a
job process that died and records it as failed.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import os
import re
import socket
import time
from collections.abc import Iterator, Mapping
from typing import Any

from workbench.models.jobs import control
from workbench.models.jobs.paths import JOB_FILE, resolve_in_workspace
from workbench.models.jobs.status_file import (
    ACTIVE_STATES,
    read_json,
    write_json_atomic,
    write_json_exclusive,
)
from workbench.models.sweeps.devices import default_concurrency, visible_gpus
from workbench.models.sweeps.spec import SweepSpec, expand, load_spec

__all__ = [
    "RUN_STATES",
    "SWEEPS_DIR",
    "Sweep",
    "SweepStateError",
    "define_sweep",
    "list_sweeps",
]

SWEEPS_DIR = "sweeps"
RUN_STATES = ("pending", "starting", "running", "finished", "failed", "stopped", "cancelled")
PLAN_FILE = "sweep.json"
CONTROL_FILE = "control.json"
LOCK_FILE = ".lock"
RUNS_DIR = "runs"
# A run claimed for launch whose job has not appeared after this long was claimed by a
# process that ended before it launched the job.
LAUNCH_TIMEOUT_SECS = 120.0
_MAX_UNIQUE_SUFFIX = 100
_ENDED = ("finished", "failed", "stopped", "cancelled")


class SweepStateError(RuntimeError):
    """The sweep is in a state that does not allow the action (e.g. start after a stop)."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:60] or "sweep"


def _describe(values: Mapping[str, Any]) -> str:
    short = {"learning_rate": "lr", "batch_size": "batch", "weight_decay": "wd"}
    return " ".join(f"{short.get(k, k)}={v}" for k, v in values.items())


def define_sweep(
    spec: Mapping[str, Any], *, workspace: str | os.PathLike, now: float | None = None
) -> Sweep:
    """Validates `spec`, expands its runs and writes the sweep's folder (not started yet).

    Args:
      spec: A sweep spec (see `workbench.models.sweeps.spec`).
      workspace: The workspace root.
      now: The time that names the sweep (`NAME-YYYYmmdd-HHMMSS`); default now.

    Returns:
      The `Sweep`, in state `defined`.

    Raises:
      SweepSpecError: Listing every problem of `spec`.
    """
    root = os.path.realpath(os.fspath(workspace))
    checked = load_spec(spec, workspace=root)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
    base_id = f"{_slug(checked.name)}-{stamp}"
    for attempt in range(1, _MAX_UNIQUE_SUFFIX + 1):
        sweep_id = base_id if attempt == 1 else f"{base_id}-{attempt}"
        folder = os.path.join(root, SWEEPS_DIR, sweep_id)
        os.makedirs(os.path.join(folder, RUNS_DIR), exist_ok=True)
        runs = [
            {
                "index": index,
                "name": f"run-{index + 1:03d}",
                "values": values,
                "logdir": f"jobs/{sweep_id}/run-{index + 1:03d}",
            }
            for index, values in enumerate(expand(checked))
        ]
        plan = {"id": sweep_id, "created_at": time.time(), "spec": checked.to_json(), "runs": runs}
        try:
            write_json_exclusive(os.path.join(folder, PLAN_FILE), plan)
        except FileExistsError:
            continue
        write_json_atomic(os.path.join(folder, CONTROL_FILE), {"state": "defined"})
        for run in runs:
            write_json_atomic(_run_path(folder, run, ".json"), {"state": "pending"})
        return Sweep(sweep_id, workspace=root)
    raise FileExistsError(f"define_sweep: {base_id!r} and its numbered variants are all taken.")


def list_sweeps(workspace: str | os.PathLike) -> list[Sweep]:
    """Every sweep of the workspace, newest first."""
    root = os.path.realpath(os.fspath(workspace))
    folder = os.path.join(root, SWEEPS_DIR)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    sweeps = [
        Sweep(name, workspace=root)
        for name in names
        if os.path.isfile(os.path.join(folder, name, PLAN_FILE))
    ]
    return sorted(sweeps, key=lambda sweep: sweep.plan.get("created_at", 0), reverse=True)


def _run_path(folder: str, run: Mapping[str, Any], suffix: str) -> str:
    return os.path.join(folder, RUNS_DIR, run["name"] + suffix)


class Sweep:
    """One sweep in the workspace, read from (and controlled through) its folder.

    Any number of `Sweep` objects, in any number of processes, may look at one sweep.

    Args:
      sweep_id: The sweep's id (its folder name under `sweeps/`).
      workspace: The workspace root.

    Raises:
      FileNotFoundError: If the workspace holds no such sweep.
    """

    def __init__(self, sweep_id: str, *, workspace: str | os.PathLike):
        self.workspace = os.path.realpath(os.fspath(workspace))
        self.id = sweep_id
        self.folder = resolve_in_workspace(
            self.workspace, os.path.join(SWEEPS_DIR, sweep_id), what="sweep"
        )
        plan = read_json(os.path.join(self.folder, PLAN_FILE))
        if not isinstance(plan, dict) or not isinstance(plan.get("runs"), list):
            known = [sweep.id for sweep in list_sweeps(self.workspace)]
            raise FileNotFoundError(
                f"Sweep: `sweep_id` must name a sweep of the workspace {self.workspace!r}, got "
                f"{sweep_id!r}. Known sweeps: {known or 'none'}."
            )
        self.plan: dict[str, Any] = plan

    def __repr__(self) -> str:
        return f"Sweep({self.id!r})"

    @property
    def spec(self) -> SweepSpec:
        return SweepSpec(**self.plan["spec"])

    @property
    def runs(self) -> list[dict[str, Any]]:
        """Each run of the plan: `index`, `name`, `values` and `logdir` (workspace-relative)."""
        return self.plan["runs"]

    @property
    def max_concurrent(self) -> int:
        """Runs at once: the spec's `max_concurrent`, else one per GPU (one on a CPU)."""
        spec = self.spec
        if spec.max_concurrent is not None:
            return spec.max_concurrent
        return default_concurrency(spec.base.get("device", "auto"))

    def control_state(self) -> str:
        """`defined`, `started` or `stopped`."""
        data = read_json(os.path.join(self.folder, CONTROL_FILE))
        return data.get("state", "defined") if isinstance(data, dict) else "defined"

    def recorded_state(self) -> str:
        """The sweep's state from the run states last recorded (no job is read): `defined`,
        `running`, `finished` or `stopped`; cheap enough to label every sweep of a list."""
        control = self.control_state()
        if control != "started":
            return control
        for run in self.runs:
            data = read_json(_run_path(self.folder, run, ".json"))
            if not isinstance(data, dict) or data.get("state") in ("pending", *ACTIVE_STATES):
                return "running"
        return "finished"

    def _set_control(self, state: str) -> None:
        write_json_atomic(
            os.path.join(self.folder, CONTROL_FILE), {"state": state, "updated_at": time.time()}
        )

    def run_config(self, run: Mapping[str, Any]) -> dict[str, Any]:
        """The job config of `run`: the spec's base with the run's values in `train`."""
        config = copy.deepcopy(self.spec.base)
        config["train"] = {**config.get("train", {}), **run["values"]}
        base_name = config.get("name") or self.spec.name
        config["name"] = f"{base_name} {run['name']} ({_describe(run['values'])})"
        config["sweep"] = self.id
        return config

    # -- reading states ---------------------------------------------------------------------

    def _claim(self, run: Mapping[str, Any]) -> dict | None:
        data = read_json(_run_path(self.folder, run, ".claim"))
        return data if isinstance(data, dict) else None

    def run_state(self, run: Mapping[str, Any]) -> dict[str, Any]:
        """The run's state now (see the module docstring), recorded in its state file.

        Returns:
          `{"state": ..., "logdir": ABSOLUTE, "accuracy": ..., "loss": ..., "step": ...,
          "gpu": ..., "error": ...}`; `accuracy` and `loss` are the validation results of a
          finished run, else None.
        """
        path = _run_path(self.folder, run, ".json")
        old = read_json(path)
        old = old if isinstance(old, dict) else {}
        logdir = os.path.join(self.workspace, run["logdir"])
        new: dict[str, Any] = {"state": "pending", "logdir": logdir, "gpu": old.get("gpu")}
        new.update(accuracy=None, loss=None, step=0, error=None)
        claim = self._claim(run)
        launched = False  # Whether the run's job process was launched (it has a status).
        if claim is None:
            pass
        elif claim.get("by") == "cancel":
            new["state"] = "cancelled"
        elif os.path.isfile(os.path.join(logdir, JOB_FILE)):
            status = control.read_status(logdir)
            new["state"] = status.get("state", "new")
            launched = new["state"] != "new"
            results = status.get("eval") or {}
            new.update(
                accuracy=results.get("accuracy"),
                loss=results.get("loss"),
                step=int(status.get("step") or 0),
                error=old.get("error") or status.get("error"),
            )
            if new["state"] == "new":  # Claimed, config written, process not launched yet.
                new["state"] = "starting"
        else:
            new["state"] = "starting"
            new["error"] = old.get("error")
            if old.get("state") == "failed":
                new["state"] = "failed"
        if new["state"] == "starting" and claim is not None:
            age = time.time() - float(claim.get("at") or 0)
            if age > LAUNCH_TIMEOUT_SECS and not launched:
                new["state"] = "failed"
                new["error"] = (
                    f"claimed for launch by pid {claim.get('pid')} on {claim.get('host')}, "
                    f"which ended before it started the job"
                )
        if {k: old.get(k) for k in new} != new:
            with contextlib.suppress(OSError):  # A read-only workspace still reads right.
                write_json_atomic(path, {**new, "updated_at": time.time()})
        return new

    def run_states(self) -> list[dict[str, Any]]:
        """`run_state` of every run, with its plan entry (`index`, `name`, `values`) merged in."""
        return [{**run, **self.run_state(run)} for run in self.runs]

    def best_run(self, states: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
        """The finished run with the highest validation accuracy (ties: the lower loss, then
        the earlier run); None before any run finished."""
        states = self.run_states() if states is None else states
        done = [s for s in states if s["state"] == "finished" and s["accuracy"] is not None]
        if not done:
            return None
        loss = lambda s: s["loss"] if s["loss"] is not None else float("inf")  # noqa: E731
        return min(done, key=lambda s: (-s["accuracy"], loss(s), s["index"]))

    def status(self) -> dict[str, Any]:
        """The sweep as a whole: `state`, `counts` per run state, `runs` and `best` (index).

        `state` is `defined`; `running` (started, runs left); `finished` (started, every run
        ended); `stopping` (stopped, runs still ending) or `stopped`.
        """
        states = self.run_states()
        counts = {name: 0 for name in RUN_STATES}
        for run in states:
            counts[run["state"]] = counts.get(run["state"], 0) + 1
        active = sum(counts[s] for s in ACTIVE_STATES)
        control_state = self.control_state()
        if control_state == "stopped":
            state = "stopping" if active else "stopped"
        elif control_state == "started":
            state = "running" if active or counts["pending"] else "finished"
        else:
            state = "defined"
        best = self.best_run(states)
        return {
            "id": self.id,
            "state": state,
            "method": self.spec.method,
            "max_concurrent": self.max_concurrent,
            "counts": {k: v for k, v in counts.items() if v},
            "best": None if best is None else best["index"],
            "runs": states,
        }

    # -- changing it ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Holds the sweep's lock: one scheduling step (or stop) at a time, across processes."""
        with open(os.path.join(self.folder, LOCK_FILE), "a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _try_claim(self, run: Mapping[str, Any], by: str, **fields: Any) -> bool:
        claim = {"by": by, "pid": os.getpid(), "host": socket.gethostname(), "at": time.time()}
        try:
            write_json_exclusive(_run_path(self.folder, run, ".claim"), {**claim, **fields})
        except FileExistsError:
            return False
        return True

    def start(self) -> None:
        """Lets schedulers launch the sweep's runs (`schedule`); nothing is launched here.

        Raises:
          SweepStateError: If the sweep was stopped.
        """
        state = self.control_state()
        if state == "stopped":
            raise SweepStateError(
                f"Sweep.start: the sweep {self.id!r} was stopped; its pending runs were "
                "cancelled. Define a new sweep to run them."
            )
        if state == "defined":
            self._set_control("started")

    def schedule(self, *, python: str | None = None) -> list[dict[str, Any]]:
        """Launches pending runs while fewer than `max_concurrent` are active.

        Called again and again by a scheduler (`workbench.models.sweeps.scheduler`); does
        nothing unless the sweep is started. Each run is claimed before its launch, so two
        schedulers never launch the same run; a claim lost to another scheduler ends this
        step (that one is launching).

        Args:
          python: Interpreter for the job processes; default the current one.

        Returns:
          The runs launched by this call.
        """
        launched: list[dict[str, Any]] = []
        if self.control_state() != "started":
            return launched
        with self._locked():
            if self.control_state() != "started":
                return launched
            states = self.run_states()
            active = [s for s in states if s["state"] in ACTIVE_STATES]
            free = self.max_concurrent - len(active)
            gpus = [] if self.spec.base.get("device") == "cpu" else visible_gpus()
            busy = {s["gpu"] for s in active}
            for run in (s for s in states if s["state"] == "pending"):
                if free <= 0:
                    break
                gpu = next((g for g in gpus if g not in busy), None)
                if not self._try_claim(run, "launch", gpu=gpu):
                    break
                self._launch(run, gpu, python)
                busy.add(gpu)
                free -= 1
                launched.append(run)
        return launched

    def _launch(self, run: Mapping[str, Any], gpu: str | None, python: str | None) -> None:
        path = _run_path(self.folder, run, ".json")
        logdir = os.path.join(self.workspace, run["logdir"])
        env = {"CUDA_VISIBLE_DEVICES": gpu} if gpu is not None else None
        try:
            control.start(
                self.run_config(run), logdir, workspace=self.workspace, python=python, env=env
            )
        except Exception as err:  # The run fails; the sweep goes on with the next one.
            write_json_atomic(
                path,
                {"state": "failed", "logdir": logdir, "gpu": gpu, "accuracy": None,
                 "loss": None, "step": 0, "error": f"{type(err).__name__}: {err}",
                 "updated_at": time.time()},
            )  # fmt: skip
            return
        write_json_atomic(
            path,
            {"state": "starting", "logdir": logdir, "gpu": gpu, "accuracy": None, "loss": None,
             "step": 0, "error": None, "updated_at": time.time()},
        )  # fmt: skip

    def stop(self, *, grace_secs: float = control.DEFAULT_GRACE_SECS) -> dict[str, Any]:
        """Stops the sweep: no more launches, pending runs cancelled, running ones stopped.

        The running jobs are stopped together (`control.stop_jobs`): the stop takes about as
        long as the slowest job's, at most `grace_secs` and the wait after a kill.

        Args:
          grace_secs: Seconds the running jobs get to save a checkpoint before they are killed.

        Returns:
          The sweep's status after the stop.
        """
        with self._locked():
            self._set_control("stopped")
            for run in self.runs:
                if self._try_claim(run, "cancel"):
                    self.run_state(run)
        active = [run["logdir"] for run in self.run_states() if run["state"] in ACTIVE_STATES]
        control.stop_jobs(active, grace_secs=grace_secs)
        return self.status()

    def is_done(self) -> bool:
        """Whether nothing is left to run or end (`finished` or `stopped`)."""
        return self.status()["state"] in ("finished", "stopped")
