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

Every file is written atomically, but a disk fault or a hand edit may still damage one. A
damaged plan or control file raises `SweepDamagedError` saying which file, what is wrong
with it and what was expected (`list_sweeps` leaves such a sweep out and `damaged_sweeps`
lists it, so the other sweeps go on); a damaged run state file is rewritten from the run's
job; a damaged claim counts as a claim (the run is never launched twice).

A run's state is read from its job (`workbench.models.jobs.read_status`), which notices a
job process that died and records it as failed.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import math
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator, Mapping
from typing import Any

from workbench.models.jobs import control
from workbench.models.jobs.paths import JOB_FILE, PathEscapeError, resolve_in_workspace
from workbench.models.jobs.status_file import (
    ACTIVE_STATES,
    read_json,
    why_not_an_object,
    write_json_atomic,
    write_json_exclusive,
)
from workbench.models.sweeps.devices import default_concurrency, visible_gpus
from workbench.models.sweeps.spec import SweepSpec, expand, load_spec

__all__ = [
    "CONTROL_STATES",
    "RUN_STATES",
    "SWEEPS_DIR",
    "Sweep",
    "SweepDamagedError",
    "SweepStateError",
    "damaged_sweeps",
    "define_sweep",
    "list_sweeps",
]

SWEEPS_DIR = "sweeps"
CONTROL_STATES = ("defined", "started", "stopped")
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


class SweepDamagedError(ValueError):
    """A file of a sweep's queue cannot be read, or does not hold what the sweep writes."""


def _damaged(sweep_id: str, name: str, what: str, expected: str, remedy: str) -> str:
    """`sweep 'ID': sweeps/ID/NAME is not valid JSON (...); expected ...`: the message of a
    `SweepDamagedError`; `what` says what is wrong with the file `name` of the sweep."""
    where = os.path.join(SWEEPS_DIR, sweep_id, name)
    return f"sweep {sweep_id!r}: {where} {what}; expected {expected}. {remedy}"


def _file_problem(path: str) -> str:
    """Why `path` holds no JSON object, without its name: `is not valid JSON (...)`."""
    return why_not_an_object(path).split(" ", 1)[1]


_PLAN_EXPECTED = (
    'the plan `define_sweep` writes: {"id", "created_at", "spec": {...}, "runs": '
    '[{"index": 0, "name": "run-001", "values": {...}, "logdir": "jobs/ID/run-001"}, ...]}'
)
_PLAN_REMEDY = "The sweep cannot be read: define it again from its spec."


def _plan_problem(plan: Any) -> str | None:
    """What is wrong with a parsed plan (valid JSON), or None when it can be used."""
    if not isinstance(plan, dict):
        return f"holds {type(plan).__name__}, not a JSON object"
    spec = plan.get("spec")
    if not isinstance(spec, dict) or set(spec) != set(SweepSpec.__dataclass_fields__):
        return f"has the spec {spec!r}"
    runs = plan.get("runs")
    if not isinstance(runs, list) or not runs:
        return f"has the runs {runs!r}"
    for index, run in enumerate(runs):
        ok = (
            isinstance(run, dict)
            and run.get("index") == index
            and isinstance(run.get("name"), str)
            and re.fullmatch(r"run-\d+", run["name"]) is not None
            and isinstance(run.get("values"), dict)
            and isinstance(run.get("logdir"), str)
        )
        if not ok:
            return f"has the run {run!r} at runs[{index}]"
    return None


def _finite(value: Any) -> float | None:
    """`value` when it is a finite number (not a bool), else None: a job's status file may be
    damaged, and a sweep's state must still be read."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return value if ok else None


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
        try:
            write_json_atomic(os.path.join(folder, CONTROL_FILE), {"state": "defined"})
            for run in runs:
                write_json_atomic(_run_path(folder, run, ".json"), {"state": "pending"})
        except OSError:
            # A full disk midway: the folder is this call's own (its plan was claimed
            # exclusively), so it goes rather than stay listed as a damaged sweep.
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Sweep(sweep_id, workspace=root)
    raise FileExistsError(f"define_sweep: {base_id!r} and its numbered variants are all taken.")


def _sweep_ids(root: str) -> list[str]:
    """The folder names under `sweeps/` that hold a plan, damaged or not, sorted."""
    folder = os.path.join(root, SWEEPS_DIR)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if os.path.isfile(os.path.join(folder, n, PLAN_FILE)))


def list_sweeps(workspace: str | os.PathLike) -> list[Sweep]:
    """Every sweep of the workspace whose plan can be read, newest first (see
    `damaged_sweeps` for the others)."""
    root = os.path.realpath(os.fspath(workspace))
    sweeps = []
    for name in _sweep_ids(root):
        try:
            sweeps.append(Sweep(name, workspace=root))
        except (SweepDamagedError, FileNotFoundError):
            continue  # Damaged, or removed since it was listed.
    created = lambda sweep: sweep.plan.get("created_at")  # noqa: E731
    return sorted(
        sweeps,
        key=lambda s: created(s) if isinstance(created(s), (int, float)) else 0,
        reverse=True,
    )


def damaged_sweeps(workspace: str | os.PathLike) -> dict[str, str]:
    """`{sweep id: why its plan cannot be read}` for each sweep `list_sweeps` leaves out."""
    root = os.path.realpath(os.fspath(workspace))
    damaged = {}
    for name in _sweep_ids(root):
        try:
            Sweep(name, workspace=root)
        except SweepDamagedError as err:
            damaged[name] = str(err)
        except FileNotFoundError:
            continue
    return damaged


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
      SweepDamagedError: If its plan (`sweep.json`) cannot be read or is not a plan.
    """

    def __init__(self, sweep_id: str, *, workspace: str | os.PathLike):
        self.workspace = os.path.realpath(os.fspath(workspace))
        self.id = sweep_id
        self.folder = resolve_in_workspace(
            self.workspace, os.path.join(SWEEPS_DIR, sweep_id), what="sweep"
        )
        path = os.path.join(self.folder, PLAN_FILE)
        if not os.path.isfile(path):
            known = _sweep_ids(self.workspace)
            raise FileNotFoundError(
                f"Sweep: `sweep_id` must name a sweep of the workspace {self.workspace!r}, got "
                f"{sweep_id!r}. Known sweeps: {known or 'none'}."
            )
        plan = read_json(path)
        problem = _file_problem(path) if plan is None else _plan_problem(plan)
        for index, run in enumerate(plan["runs"] if not problem else []):
            try:  # Its job is read, started and stopped there: never outside the workspace.
                resolve_in_workspace(self.workspace, run["logdir"], what="logdir")
            except PathEscapeError:
                outside = run["logdir"]
                problem = (
                    f"has the run log folder {outside!r} at runs[{index}], outside the workspace"
                )
                break
        if problem:
            raise SweepDamagedError(
                _damaged(sweep_id, PLAN_FILE, problem, _PLAN_EXPECTED, _PLAN_REMEDY)
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
        """`defined`, `started` or `stopped` (`defined` before its control file is written).

        Raises:
          SweepDamagedError: If `control.json` cannot be read or holds no such state.
        """
        path = os.path.join(self.folder, CONTROL_FILE)
        if not os.path.exists(path):
            return "defined"
        data = read_json(path)
        if isinstance(data, dict) and data.get("state") in CONTROL_STATES:
            return data["state"]
        if data is None:
            problem = _file_problem(path)
        elif not isinstance(data, dict):
            problem = f"holds {type(data).__name__}, not a JSON object"
        else:
            problem = f"has the state {data.get('state')!r}"
        raise SweepDamagedError(
            _damaged(
                self.id, CONTROL_FILE, problem, '{"state": "defined" | "started" | "stopped"}',
                f"Whether the sweep was started is unknown: stop it (`slim-workbench sweep stop "
                f"{self.id}` or Stop on the Train page) to cancel its pending runs.",
            )
        )  # fmt: skip

    def recorded_state(self) -> str:
        """The sweep's state from the run states last recorded (no job is read): `defined`,
        `running`, `finished`, `stopped`, or `damaged` (its control file cannot be read);
        cheap enough to label every sweep of a list."""
        try:
            control = self.control_state()
        except SweepDamagedError:
            return "damaged"
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
        """The run's claim; None when unclaimed; `{"by": "damaged", "problem": ...}` for a
        claim file that cannot be read (still a claim: the run is never claimed again)."""
        path = _run_path(self.folder, run, ".claim")
        data = read_json(path)
        if isinstance(data, dict) and data.get("by") in ("launch", "cancel"):
            return data
        if not os.path.exists(path):
            return None
        problem = _file_problem(path) if data is None else f"holds {data!r}"
        return {"by": "damaged", "problem": problem}

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
        has_job = os.path.isfile(os.path.join(logdir, JOB_FILE))
        if claim is None:
            pass
        elif claim.get("by") == "cancel":
            new["state"] = "cancelled"
        elif claim.get("by") == "damaged" and not has_job:
            new["state"] = "failed"
            new["error"] = _damaged(
                self.id, os.path.join(RUNS_DIR, run["name"] + ".claim"), claim["problem"],
                '{"by": "launch" | "cancel", "pid", "host", "at"}',
                "Who claimed the run is unknown and its job was never written: it is not "
                "launched (a claimed run is never launched twice).",
            )  # fmt: skip
        elif has_job:
            status = control.read_status(logdir)
            new["state"] = status.get("state", "new")
            launched = new["state"] != "new"
            results = status.get("eval") if isinstance(status.get("eval"), dict) else {}
            new.update(
                accuracy=_finite(results.get("accuracy")),
                loss=_finite(results.get("loss")),
                step=int(_finite(status.get("step")) or 0),
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
            age = time.time() - (_finite(claim.get("at")) or 0.0)
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
