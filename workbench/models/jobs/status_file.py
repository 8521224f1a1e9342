"""`status.json` of a job: small JSON files written atomically, and their states.

A job's status is written by the job process (running, its phase, progress, the end) and,
only when that process is gone without saying how it ended, by whoever notices (the
launcher after a stop, or a reader that finds a dead pid). Each write goes to a temporary
file that is renamed over the old one (`workbench.problems.atomic_write`), so a reader never
sees half a file.

Fields: `state` (one of `STATES`), `phase`, `pid`, `device`, `device_name`, `step`,
`target_steps`, `loss`, `started_at`, `updated_at`, `ended_at` (seconds since the epoch, of
the current launch), `launches` (the earlier launches' times: `workbench.models.jobs.launches`),
`error` and `traceback` (failed jobs), `warning` (what the job repaired before training,
e.g. a damaged checkpoint it skipped), `eval` (the validation metrics of a finished job),
`performance` (each speed setting the job chose: `value`, `source`, `reason`) and
`performance_summary` (the same in one line).
"""

from __future__ import annotations

import errno
import json
import math
import os
import time
from typing import Any

from workbench.models.jobs.paths import STATUS_FILE
from workbench.problems import atomic_write

__all__ = [
    "ACTIVE_STATES",
    "STATES",
    "StatusFile",
    "read_json",
    "why_not_an_object",
    "write_json_atomic",
    "write_json_exclusive",
]

# `new`: a folder with a job config but no status yet; `starting`: launched, the process
# has not reported yet.
STATES = ("new", "starting", "running", "finished", "failed", "stopped")
ACTIVE_STATES = ("starting", "running")


def _finite(value: Any) -> Any:
    """`value` with inf and NaN floats replaced by None (strict JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def write_json_atomic(path: str, data: Any) -> None:
    """Writes `data` as indented JSON to `path`, all at once (see `atomic_write`).

    Floats that are inf or NaN are written as `null`.
    """
    atomic_write(path, _json_text(data))


def _json_text(data: Any) -> str:
    return json.dumps(_finite(data), indent=2, allow_nan=False) + "\n"


def write_json_exclusive(path: str, data: Any) -> None:
    """Writes `data` as JSON to `path` only if `path` does not exist yet, atomically.

    Of several processes claiming the same path at the same moment exactly one succeeds, and
    readers never see a partly written file (see `atomic_write`'s `exclusive`).

    Raises:
      FileExistsError: If `path` exists (another process claimed it first).
    """
    atomic_write(path, _json_text(data), exclusive=True)


def read_json(path: str) -> Any:
    """The parsed JSON at `path`, or None when it is missing or not valid JSON."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError, RecursionError):  # Deep nesting: damage like any other.
        return None


def why_not_an_object(path: str) -> str:
    """Why `read_json(path)` gave no JSON object: missing, unreadable, not JSON, not an object.

    Example:
      >>> import os, tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "job.json")
      >>> why_not_an_object(path)
      'job.json is missing'
      >>> _ = open(path, "w").write("{oops")
      >>> why_not_an_object(path)
      'job.json is not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)'
    """
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return f"{name} is missing"
    except json.JSONDecodeError as err:
        return f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
    except (OSError, ValueError) as err:
        return f"{name} cannot be read ({err})"
    except RecursionError:
        return f"{name} nests JSON too deeply to be read"
    return f"{name} holds {type(data).__name__}, not a JSON object"


class StatusFile:
    """The `status.json` of one log directory, updated field by field.

    Args:
      logdir: The job's log directory.
    """

    def __init__(self, logdir: str):
        self.path = os.path.join(logdir, STATUS_FILE)
        data = read_json(self.path)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    def update(self, **fields: Any) -> dict[str, Any]:
        """Sets `fields` (and `updated_at`), writes the file and returns a copy of the data.

        On a full disk, where the temporary file of an atomic write cannot be made, the file
        is rewritten in place instead (its own blocks are reused), so a job can still record
        that it failed.
        """
        self.data.update(fields)
        self.data["updated_at"] = time.time()
        try:
            write_json_atomic(self.path, self.data)
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            text = json.dumps(_finite(self.data), indent=2, allow_nan=False) + "\n"
            with open(self.path, "r+" if os.path.exists(self.path) else "w", encoding="utf-8") as f:
                f.write(text)
                f.truncate()
        return dict(self.data)
