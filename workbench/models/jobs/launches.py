"""How long a job has trained over all its launches: a stopped and resumed job counts both.

Each launch rewrites `status.json`, whose `started_at` and `ended_at` are the current
launch's. Before it does, the launcher moves the launch that ended into the status's
`launches` list (`{"started_at": ..., "ended_at": ...}`, oldest first), so the job's folder
keeps every launch's running time:

    {"state": "running", "started_at": 1300.0, "ended_at": null,
     "launches": [{"started_at": 1000.0, "ended_at": 1100.0}]}

`running_seconds` of that status at time 1350 is 100 + 50 = 150.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["LaunchesError", "earlier_launches", "running_seconds"]


class LaunchesError(ValueError):
    """A status whose `launches` or times are not what a job writes."""


def _time(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _launch_list(status: Mapping[str, Any]) -> list[dict[str, float]]:
    launches = status.get("launches")
    if launches is None:
        return []
    if not isinstance(launches, list):
        raise LaunchesError(
            f"status.json: launches is {launches!r}, expected a list of "
            '{"started_at": SECONDS, "ended_at": SECONDS}'
        )
    out = []
    for index, launch in enumerate(launches):
        started = _time(launch.get("started_at")) if isinstance(launch, dict) else None
        ended = _time(launch.get("ended_at")) if isinstance(launch, dict) else None
        if started is None or ended is None or ended < started:
            raise LaunchesError(
                f"status.json: launches[{index}] is {launch!r}, expected "
                '{"started_at": SECONDS, "ended_at": SECONDS} with ended_at >= started_at'
            )
        out.append({"started_at": started, "ended_at": ended})
    return out


def earlier_launches(status: Mapping[str, Any]) -> list[dict[str, float]]:
    """The launches of the job whose last status is `status`, the last one included.

    What a new launch keeps (as its status's `launches`). The last launch ends at its
    `ended_at`, else at its last `updated_at` (a process that died without a word); a launch
    whose process never reported (`started_at` missing) ran for no time and is left out.
    Damaged entries are left out too: a relaunch must not fail on an old record.
    """
    try:
        launches = _launch_list(status)
    except LaunchesError:
        launches = []
    started = _time(status.get("started_at"))
    ended = _time(status.get("ended_at"))
    if ended is None:
        ended = _time(status.get("updated_at"))
    if started is not None and ended is not None:
        launches.append({"started_at": started, "ended_at": max(started, ended)})
    return launches


def running_seconds(status: Mapping[str, Any], now: float, *, active: bool) -> float | None:
    """Seconds the job ran over all its launches; None when it never started.

    Args:
      status: The job's `status.json`.
      now: The time the current launch counts up to while `active` and not ended.
      active: Whether the job is starting or running.

    Raises:
      LaunchesError: When `launches` or `started_at`/`ended_at` are not times.

    Example:
      >>> status = {"started_at": 1300.0, "ended_at": None,
      ...           "launches": [{"started_at": 1000.0, "ended_at": 1100.0}]}
      >>> running_seconds(status, 1350.0, active=True)
      150.0
    """
    launches = _launch_list(status)
    total = sum(launch["ended_at"] - launch["started_at"] for launch in launches)
    seen = bool(launches)
    for key in ("started_at", "ended_at"):
        if status.get(key) is not None and _time(status.get(key)) is None:
            raise LaunchesError(f"status.json: {key} is {status.get(key)!r}, expected seconds")
    started = _time(status.get("started_at"))
    ended = _time(status.get("ended_at"))
    if started is not None:
        end = ended if ended is not None else (now if active else None)
        if end is not None:
            total += max(0.0, end - started)
            seen = True
    return total if seen else None
