"""Paths of training jobs: everything a job reads or writes stays inside one workspace root.

The app lets people type folder names (datasets, checkpoints, log directories); a name such
as `../../etc` or a symlink out of the workspace must not let a job read or write elsewhere.
Paths are resolved with `os.path.realpath` (symlinks followed) before the check.
"""

from __future__ import annotations

import os

__all__ = [
    "DATA_DIR",
    "EXPORT_DIR",
    "EVAL_FILE",
    "EVAL_HISTORY_FILE",
    "JOB_FILE",
    "LOG_FILE",
    "METRICS_FILE",
    "MODEL_INFO_FILE",
    "PID_FILE",
    "STATUS_FILE",
    "STOP_FILE",
    "PathEscapeError",
    "resolve_in_workspace",
]

# Files of a job's log directory.
JOB_FILE = "job.json"  # The job config, written by `start`.
STATUS_FILE = "status.json"  # State, pid, device, progress; written atomically.
METRICS_FILE = "metrics.jsonl"  # One JSON record per logged step (slim.learning.train).
EVAL_FILE = "eval.json"  # Streaming metrics on the validation split after training.
EVAL_HISTORY_FILE = "eval_history.jsonl"  # Every evaluation's eval.json, one a line.
MODEL_INFO_FILE = "model_info.json"  # Input shape, classes and class names of the model.
DATA_DIR = "data"  # TFRecords converted from an image folder.
EXPORT_DIR = "export"  # SavedModels, one sub-folder per exported step.
LOG_FILE = "job.log"  # stdout and stderr of the job process.
PID_FILE = "job.pid"  # The process id, written by the launcher right after the launch.
STOP_FILE = "stop_requested"  # Marks that `stop` was asked for (read when the pid is gone).


class PathEscapeError(ValueError):
    """A path resolves to a place outside the workspace root."""


def resolve_in_workspace(
    workspace: str | os.PathLike, path: str | os.PathLike, *, what: str = "path"
) -> str:
    """Returns the absolute, symlink-free form of `path`, which must lie inside `workspace`.

    Args:
      workspace: The workspace root folder (need not exist yet).
      path: Absolute, or relative to `workspace`.
      what: Name of the path in the error message, e.g. `"logdir"`.

    Returns:
      The resolved absolute path (the workspace root itself is allowed).

    Raises:
      TypeError: If `path` is not a str or path-like.
      PathEscapeError: If `path` resolves outside `workspace`.

    Example:
      >>> resolve_in_workspace("/ws", "jobs/run1")
      '/ws/jobs/run1'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"resolve_in_workspace: `{what}` must be a str path, got {path!r} "
            f"({type(path).__name__})."
        )
    root = os.path.realpath(os.fspath(workspace))
    text = os.fspath(path)
    resolved = os.path.realpath(os.path.join(root, text))
    if os.path.commonpath([root, resolved]) != root:
        raise PathEscapeError(
            f"resolve_in_workspace: `{what}` must stay inside the workspace {root!r}, got "
            f"{text!r} (resolves to {resolved!r}). Use a path relative to the workspace."
        )
    return resolved
