"""A full disk during a job: one line that says where and how much is free, and no debris.

A job writes checkpoints, events, metrics and its status into its log folder; any of them
may meet a full disk (`ENOSPC`, or a quota: `EDQUOT`). Python raises `OSError`, TensorFlow
raises one of its own errors whose message carries the system's text. Either way the job
ends `failed` with `disk_full_message`, after `remove_temporary_files` has removed the
half-written files that the failed writes left behind (which also frees some space for
the final status).
"""

from __future__ import annotations

import errno
import os
import re
import shutil

__all__ = ["disk_full_message", "is_disk_full", "remove_temporary_files"]

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXTS = ("No space left on device", "Disk quota exceeded")
# Half-written files: sharded checkpoint saves (`model.ckpt-N_temp/`), TensorFlow's atomic
# writes (`checkpoint.tmp<32 hex>`), and the workbench's own (`.NAME.XXXX.tmp`).
_TEMPORARY = re.compile(r"(_temp$)|(\.tmp[0-9a-f]{32}$)|(^\..*\.tmp$)")


def _chain(err: BaseException):
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or err.__context__


def is_disk_full(err: BaseException) -> bool:
    """Whether `err` (or an exception it came from) is a full disk or an exceeded quota."""
    for item in _chain(err):
        if isinstance(item, OSError) and item.errno in _FULL_ERRNOS:
            return True
        message = getattr(item, "message", None) or str(item)
        if any(text in message for text in _FULL_TEXTS):
            return True
    return False


def _path_of(err: BaseException, default: str) -> str:
    for item in _chain(err):
        if isinstance(item, OSError) and item.filename:
            return os.fspath(item.filename)
    return default


def _size(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


def disk_full_message(err: BaseException, logdir: str) -> str:
    """One line: what could not be written (the log folder when unknown) and the free space."""
    path = _path_of(err, logdir)
    folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
    try:
        free = _size(shutil.disk_usage(folder).free)
    except OSError:
        free = "unknown"
    return (
        f"disk full: could not write {path} ({free} free on that disk); free some space "
        "and resume the job."
    )


def remove_temporary_files(logdir: str) -> list[str]:
    """Deletes the half-written files and folders in `logdir`; returns their names."""
    removed = []
    try:
        names = os.listdir(logdir)
    except OSError:
        return removed
    for name in names:
        if not _TEMPORARY.search(name):
            continue
        path = os.path.join(logdir, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed.append(name)
        except OSError:
            pass
    return sorted(removed)
