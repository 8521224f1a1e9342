"""Job control: start, stop, resume and watch training jobs, and find them again.

A job is a log directory inside a workspace: `job.json` (the config), `status.json`,
`metrics.jsonl`, checkpoints, TensorBoard events, `eval.json` and `job.log`. Everything
here works from that directory alone, so a newly started app or CLI reattaches to jobs
started by another process (`list_jobs`), and a job outlives the process that launched it.

Typical use:

    job = start({"model": {"net": "lenet"}, "train": {"steps": 500}}, "jobs/run1",
                workspace="workspace")
    job.status()["state"]        # 'starting' -> 'running' -> 'finished'
    job.new_metrics()            # records logged since the last call, for a live plot
    job.stop()                   # SIGTERM; SIGKILL after the grace period
    job.resume(steps=1000)       # continue from the last checkpoint up to step 1000
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import param

from workbench.models.jobs import process
from workbench.models.jobs.config import load_config
from workbench.models.jobs.launches import earlier_launches
from workbench.models.jobs.metrics_stream import MetricsReader
from workbench.models.jobs.paths import (
    EVAL_FILE,
    JOB_FILE,
    LOG_FILE,
    METRICS_FILE,
    PID_FILE,
    STATUS_FILE,
    STOP_FILE,
    resolve_in_workspace,
)
from workbench.models.jobs.status_file import (
    ACTIVE_STATES,
    STATES,
    read_json,
    why_not_an_object,
    write_json_atomic,
    write_json_exclusive,
)

__all__ = [
    "Job",
    "JobStateError",
    "claim_logdir",
    "job_folders",
    "list_jobs",
    "read_status",
    "resume",
    "start",
    "stop",
    "stop_jobs",
]

# Seconds a job may stay `starting` without a pid before it counts as failed to launch.
_LAUNCH_TIMEOUT_SECS = 120.0
# Seconds between SIGTERM and SIGKILL; a stopping job saves a checkpoint in between.
DEFAULT_GRACE_SECS = 30.0
# Seconds to wait for the process to go after SIGKILL.
_KILL_WAIT_SECS = 10.0
# Folders below the workspace root searched for jobs by `list_jobs`.
_MAX_DEPTH = 4
_LOG_TAIL_LINES = 20
# How many numbered variants of a generated log folder `start(unique=True)` tries.
_MAX_UNIQUE_SUFFIX = 100


class JobStateError(RuntimeError):
    """The job is in a state that does not allow the action (e.g. resume while running)."""


def _read_pid_file(logdir: str) -> int | None:
    try:
        with open(os.path.join(logdir, PID_FILE), encoding="utf-8") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def log_tail(logdir: str, lines: int = _LOG_TAIL_LINES) -> str:
    """The last `lines` lines of the job's `job.log` ('' when there is none)."""
    try:
        with open(os.path.join(logdir, LOG_FILE), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _mark_ended(logdir: str, data: dict, pid: int | None, record: bool) -> dict:
    """The end of a job whose process is gone without a final status; `record` writes it
    to `status.json` (where the disk allows)."""
    if os.path.exists(os.path.join(logdir, STOP_FILE)):
        data.update(state="stopped", error="stopped (the process was ended before it reported)")
    else:
        tail = log_tail(logdir)
        how = process.exit_description(pid)
        how = f" ({how})" if how else ""
        data.update(
            state="failed",
            error=(
                f"the job process (pid {pid}) ended{how} without reporting a result; the "
                f"end of {LOG_FILE}:\n{tail}"
            ),
        )
    now = time.time()
    data.update(phase="done", ended_at=now, updated_at=now)
    if record:
        try:
            write_json_atomic(os.path.join(logdir, STATUS_FILE), data)
        except OSError:
            pass  # A full or read-only disk: the status read here is still right.
    return data


def read_status(logdir: str | os.PathLike, *, record: bool = True) -> dict[str, Any]:
    """The job's status, with a dead process taken into account.

    Reads `status.json`. A job that says `starting` or `running` but whose process is
    gone is recorded (in `status.json` too, unless `record` is False) as `stopped` when a
    stop was asked for, else as `failed` with the end of `job.log` as its error.

    Args:
      logdir: The job's log directory.
      record: Whether the end of a dead job is written to `status.json`; listing jobs
        reads only.

    Returns:
      The status dict (see `workbench.models.jobs.status_file`); `{"state": "new"}` for a
      folder without a status yet.
    """
    logdir = os.path.realpath(os.fspath(logdir))
    path = os.path.join(logdir, STATUS_FILE)
    data = read_json(path)
    if not isinstance(data, dict):
        return {"state": "new"}
    if data.get("state") not in ACTIVE_STATES:
        return data
    pid = data.get("pid") or _read_pid_file(logdir)
    if pid is None:
        if time.time() - float(data.get("launched_at") or 0) > _LAUNCH_TIMEOUT_SECS:
            return _mark_ended(logdir, data, None, record)
        return data
    if process.pid_alive(pid, logdir):
        return data
    # The process wrote its last status before it ended, and a relaunch may have begun
    # since: read again before judging.
    data = read_json(path)
    if not isinstance(data, dict):
        return {"state": "new"}
    current = data.get("pid") or _read_pid_file(logdir)
    if data.get("state") in ACTIVE_STATES and current == pid:
        return _mark_ended(logdir, data, pid, record)
    return data


#: Held while a job's state is checked and its process launched (hidden: not a job file).
LAUNCH_LOCK = ".launch.lock"


@contextlib.contextmanager
def _launching(logdir: str) -> Iterator[None]:
    """Holds the job's launch lock: of two resumes at once (two tabs, two servers, the app
    and the command line), the second sees the first's `starting` and launches nothing."""
    fd = os.open(os.path.join(logdir, LAUNCH_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _launch(
    logdir: str, workspace: str, python: str | None, env: Mapping[str, str] | None = None
) -> None:
    _remove(os.path.join(logdir, PID_FILE))
    _remove(os.path.join(logdir, STOP_FILE))
    # A resumed job keeps the running time of its earlier launches (see `launches`).
    previous = read_json(os.path.join(logdir, STATUS_FILE))
    launches = earlier_launches(previous) if isinstance(previous, dict) else []
    # Written before the process exists, so nothing the process writes can be overwritten.
    write_json_atomic(
        os.path.join(logdir, STATUS_FILE),
        {"state": "starting", "phase": "launching", "pid": None, "launched_at": time.time(),
         "launches": launches},
    )  # fmt: skip
    pid = process.launch(logdir, workspace, python=python, env=env)
    with open(os.path.join(logdir, PID_FILE), "w", encoding="utf-8") as f:
        f.write(f"{pid}\n")


def claim_logdir(logdir: str, config_data: Mapping[str, Any], *, unique: bool = False) -> str:
    """Creates `<logdir>/job.json` holding `config_data`, unless some job has it already.

    The claim is atomic (`write_json_exclusive`): of two processes starting a job in the
    same folder at the same moment, exactly one gets it.

    Args:
      logdir: The absolute log directory.
      config_data: The validated config.
      unique: When `logdir` is taken, claim `<logdir>-2`, `<logdir>-3`, ... instead (for
        generated names such as `jobs/NAME-TIME`, which two users may get in one second).

    Returns:
      The folder claimed.

    Raises:
      FileExistsError: If `logdir` holds a job and `unique` is False.
    """
    for attempt in range(1, _MAX_UNIQUE_SUFFIX + 1):
        folder = logdir if attempt == 1 else f"{logdir}-{attempt}"
        os.makedirs(folder, exist_ok=True)
        try:
            write_json_exclusive(os.path.join(folder, JOB_FILE), config_data)
            return folder
        except FileExistsError:
            if not unique:
                raise FileExistsError(
                    f"start: `logdir` {logdir!r} already holds a job; resume it with "
                    "resume(logdir, ...) or start the new job in another folder."
                ) from None
    raise FileExistsError(
        f"start: {logdir!r} and its {_MAX_UNIQUE_SUFFIX - 1} numbered variants all hold jobs."
    )


def start(
    config: Mapping[str, Any],
    logdir: str | os.PathLike,
    *,
    workspace: str | os.PathLike,
    python: str | None = None,
    unique: bool = False,
    env: Mapping[str, str] | None = None,
) -> Job:
    """Validates `config`, writes it to `<logdir>/job.json` and launches the job process.

    The process runs in its own session, so it outlives the caller; its output goes to
    `<logdir>/job.log`.

    Args:
      config: The job config (see `workbench.models.jobs.config`).
      logdir: A new (or empty) folder inside the workspace, relative to it or absolute.
      workspace: The workspace root; the config's paths must stay inside it.
      python: Interpreter for the job process; default the current one.
      unique: When `logdir` holds a job already, use `<logdir>-2`, `-3`, ... (for
        generated folder names).
      env: Extra environment variables of the job process (e.g. the GPU a sweep's run
        may use).

    Returns:
      The `Job`, in state `starting`.

    Raises:
      ConfigError: Listing every problem of `config`.
      PathEscapeError: If `logdir` is outside the workspace.
      FileExistsError: If `logdir` already holds a job (resume it or pick a new folder).
      ValueError: If `logdir` is the workspace root itself.
    """
    root = os.path.realpath(os.fspath(workspace))
    logdir = resolve_in_workspace(root, logdir, what="logdir")
    if logdir == root:
        raise ValueError(
            f"start: `logdir` must be a folder inside the workspace, got the workspace root "
            f"{root!r}; use e.g. 'jobs/run1'."
        )
    job_config = load_config(config, workspace=root)
    logdir = claim_logdir(logdir, job_config.data, unique=unique)
    with _launching(logdir):
        _launch(logdir, root, python, env)
    return Job(logdir, workspace=root)


def stop(logdir: str | os.PathLike, *, grace_secs: float = DEFAULT_GRACE_SECS) -> dict[str, Any]:
    """Stops a running job: SIGTERM, then SIGKILL if it is still there after `grace_secs`.

    On SIGTERM the job finishes its current step, saves a checkpoint and records `stopped`;
    a killed job is recorded `stopped` here. Stopping a job that is not running does
    nothing.

    Args:
      logdir: The job's log directory.
      grace_secs: Seconds between SIGTERM and SIGKILL. Default 30.

    Returns:
      The status after the stop.
    """
    return stop_jobs([logdir], grace_secs=grace_secs)[0]


def stop_jobs(
    logdirs: Sequence[str | os.PathLike], *, grace_secs: float = DEFAULT_GRACE_SECS
) -> list[dict[str, Any]]:
    """Stops several jobs at once, as `stop` does one: every running job gets SIGTERM
    together, they are waited for together, and those left after `grace_secs` get SIGKILL.

    Stopping N jobs takes as long as stopping the slowest, not their sum: at most about
    `grace_secs` plus the wait after SIGKILL (10 s) plus, for a job launched by another
    process whose pid is not written yet, up to 5 s to find it.

    Args:
      logdirs: The jobs' log directories; those not running are left alone.
      grace_secs: Seconds between SIGTERM and SIGKILL. Default 30.

    Returns:
      Each job's status after the stop, in the order of `logdirs`.
    """
    folders = [os.path.realpath(os.fspath(logdir)) for logdir in logdirs]
    pids: dict[str, int | None] = {}
    for logdir in folders:
        data = read_status(logdir)
        if data.get("state") not in ACTIVE_STATES:
            continue
        with open(os.path.join(logdir, STOP_FILE), "w", encoding="utf-8") as f:
            f.write(f"{time.time()}\n")
        pids[logdir] = data.get("pid") or _read_pid_file(logdir)
    deadline = time.monotonic() + min(grace_secs, 5.0)
    while None in pids.values() and time.monotonic() < deadline:  # Launched elsewhere.
        time.sleep(0.1)
        pids.update({d: _read_pid_file(d) for d, pid in pids.items() if pid is None})
    alive = {d: pid for d, pid in pids.items() if pid is not None and process.pid_alive(pid, d)}
    for pid in alive.values():
        process.kill(pid, signal.SIGTERM)
    left = _wait_for_all(alive, grace_secs)
    for pid in left.values():
        process.kill(pid, signal.SIGKILL)
    _wait_for_all(left, _KILL_WAIT_SECS)
    return [read_status(logdir) for logdir in folders]


def _wait_for_all(pids: Mapping[str, int], timeout: float) -> dict[str, int]:
    """Waits up to `timeout` seconds for the job processes `{logdir: pid}` to end; returns
    those still alive."""
    deadline = time.monotonic() + timeout
    left = dict(pids)
    while True:
        left = {d: pid for d, pid in left.items() if process.pid_alive(pid, d)}
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def resume(
    logdir: str | os.PathLike,
    *,
    workspace: str | os.PathLike,
    steps: int | None = None,
    python: str | None = None,
) -> Job:
    """Relaunches a job that is not running; it continues from its last checkpoint.

    Args:
      logdir: The job's log directory.
      workspace: The workspace root.
      steps: The global step to train up to; default the config's `train.steps`.
      python: Interpreter for the job process; default the current one.

    Returns:
      The `Job`, in state `starting`.

    Raises:
      FileNotFoundError: If `logdir` has no `job.json`.
      JobStateError: If the job is running.
      ConfigError: If `steps` (or the stored config) is not valid.
    """
    root = os.path.realpath(os.fspath(workspace))
    logdir = resolve_in_workspace(root, logdir, what="logdir")
    raw = read_json(os.path.join(logdir, JOB_FILE))
    if not isinstance(raw, dict):
        raise FileNotFoundError(
            f"resume: {logdir!r} holds no job it can resume "
            f"({why_not_an_object(os.path.join(logdir, JOB_FILE))})."
        )
    if steps is not None:
        raw = {**raw, "train": {**raw.get("train", {}), "steps": steps}}
    job_config = load_config(raw, workspace=root)
    with _launching(logdir):
        state = read_status(logdir).get("state")
        if state in ACTIVE_STATES:
            raise JobStateError(f"resume: the job in {logdir!r} is {state}; stop it first.")
        write_json_atomic(os.path.join(logdir, JOB_FILE), job_config.data)
        _launch(logdir, root, python)
    return Job(logdir, workspace=root)


def list_jobs(workspace: str | os.PathLike) -> list[Job]:
    """Finds every job (a folder with `job.json`) in the workspace, newest first.

    Searches up to 4 folder levels below the root, skipping hidden folders and the
    insides of job folders.

    Args:
      workspace: The workspace root.

    Returns:
      One `Job` per log directory, with its status read (listing never writes: a job found
      dead is not recorded as ended; its `Job` records it when asked for its status again).
    """
    root = os.path.realpath(os.fspath(workspace))
    jobs = [Job(folder, workspace=root, record=False) for folder in job_folders(root)]
    return sorted(jobs, key=lambda job: job.created_at, reverse=True)


def job_folders(workspace: str | os.PathLike) -> list[str]:
    """The log directories (folders with `job.json`) in the workspace, as `list_jobs` finds
    them: up to 4 levels below the root, not in hidden folders or inside other jobs.

    Returns:
      Absolute paths, in folder order.
    """
    root = os.path.realpath(os.fspath(workspace))
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        depth = os.path.relpath(folder, root).count(os.sep) + (folder != root)
        if JOB_FILE in files and folder != root:
            found.append(folder)
            subfolders[:] = []
            continue
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if depth >= _MAX_DEPTH:
            subfolders[:] = []
    return found


class Job(param.Parameterized):
    """One training job, read from (and controlled through) its log directory.

    The parameters mirror `status.json`; `status()` reads it again (noticing a process
    that died) and updates them. Several `Job` objects, in several processes, may watch the
    same log directory.

    Args:
      logdir: The job's log directory (absolute, or relative to `workspace`).
      workspace: The workspace root.
      record: Whether the first status read may record the end of a dead job (see
        `read_status`); False when listing.
    """

    logdir = param.String(default="", constant=True, doc="The job's log directory, absolute.")
    workspace = param.String(default="", constant=True, doc="The workspace root, absolute.")
    title = param.String(default="", doc="The config's `name`, or the folder name.")
    state = param.Selector(
        default="new", objects=list(STATES), doc="new, starting, running, finished, ..."
    )
    phase = param.String(default="", doc="What a running job is doing, e.g. 'training'.")
    pid = param.Integer(default=None, allow_None=True, doc="Pid of the job process.")
    device = param.String(default="", doc="'GPU' or 'CPU': where the job trains.")
    device_name = param.String(default="", doc="The GPU's name, or 'CPU'.")
    speed_settings = param.String(
        default="", doc="The speed settings the job chose, in one line ('' until chosen)."
    )
    step = param.Integer(default=0, doc="Last global step reported (every log interval).")
    target_steps = param.Integer(default=0, doc="The step the job trains up to.")
    loss = param.Number(default=None, allow_None=True, doc="Loss at `step`.")
    accuracy = param.Number(default=None, allow_None=True, doc="Batch accuracy at `step`.")
    error = param.String(default="", doc="Why the job failed or stopped.")
    traceback = param.String(default="", doc="Tail of the traceback of a failed job.")
    warning = param.String(default="", doc="What the job repaired, e.g. a checkpoint skipped.")
    eval_results = param.Dict(default={}, doc="Validation metrics of the finished job.")
    created_at = param.Number(default=0.0, doc="When job.json was written (epoch seconds).")

    def __init__(
        self,
        logdir: str | os.PathLike,
        *,
        workspace: str | os.PathLike,
        record: bool = True,
        **params,
    ):
        root = os.path.realpath(os.fspath(workspace))
        folder = resolve_in_workspace(root, logdir, what="logdir")
        super().__init__(logdir=folder, workspace=root, **params)
        self._reader = MetricsReader(os.path.join(folder, METRICS_FILE))
        self.status(record=record)

    @property
    def is_active(self) -> bool:
        """Whether the job process is starting or running."""
        return self.state in ACTIVE_STATES

    def status(self, *, record: bool = True) -> dict[str, Any]:
        """Reads the status (see `read_status`), updates the parameters and returns it."""
        data = read_status(self.logdir, record=record)
        config = read_json(os.path.join(self.logdir, JOB_FILE))
        name = (config or {}).get("name") if isinstance(config, dict) else None
        state = data.get("state")
        try:
            created = os.path.getmtime(os.path.join(self.logdir, JOB_FILE))
        except OSError:
            created = 0.0
        self.param.update(
            title=name or os.path.basename(self.logdir),
            state=state if state in STATES else "failed",
            phase=data.get("phase") or "",
            pid=data.get("pid"),
            device=data.get("device") or "",
            device_name=data.get("device_name") or "",
            speed_settings=data.get("performance_summary") or "",
            step=int(data.get("step") or 0),
            target_steps=int(data.get("target_steps") or 0),
            loss=data.get("loss"),
            accuracy=data.get("accuracy"),
            error=data.get("error") or "",
            traceback=data.get("traceback") or "",
            warning=data.get("warning") or "",
            eval_results=data.get("eval") or {},
            created_at=created,
        )
        return data

    def config(self) -> dict[str, Any]:
        """The job's config as stored in `job.json` (defaults filled in)."""
        data = read_json(os.path.join(self.logdir, JOB_FILE))
        return data if isinstance(data, dict) else {}

    def stop(self, grace_secs: float = DEFAULT_GRACE_SECS) -> dict[str, Any]:
        """Stops the job (see `stop`) and returns its status."""
        stop(self.logdir, grace_secs=grace_secs)
        return self.status()

    def resume(self, steps: int | None = None, *, python: str | None = None) -> None:
        """Relaunches the job from its last checkpoint (see `resume`)."""
        resume(self.logdir, workspace=self.workspace, steps=steps, python=python)
        self.status()

    def new_metrics(self) -> list[dict[str, Any]]:
        """Metrics records logged since the last call (all of them on the first call)."""
        return self._reader.read_new()

    def metrics(self) -> list[dict[str, Any]]:
        """Every metrics record read so far (call `new_metrics` to read on)."""
        self._reader.read_new()
        return list(self._reader.records)

    def eval_file(self) -> dict[str, Any]:
        """The contents of `eval.json` ({} before the evaluation ran)."""
        data = read_json(os.path.join(self.logdir, EVAL_FILE))
        return data if isinstance(data, dict) else {}

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last `lines` lines of the job's output."""
        return log_tail(self.logdir, lines)

    def export(self, export_dir: str | os.PathLike | None = None, *, overwrite: bool = False):
        """Exports the last checkpoint as a SavedModel (see `export.export_saved_model`)."""
        from workbench.models.jobs.export import export_saved_model  # Imports TensorFlow.

        return export_saved_model(
            self.logdir, export_dir, workspace=self.workspace, overwrite=overwrite
        )
