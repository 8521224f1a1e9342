"""Lowering a job process's CPU priority so that the app it shares the machine with answers.

A nice value alone is not enough on Linux with scheduler autogroups (the default on most
distributions): the kernel first shares the CPU between autogroups, one per session, and
applies nice values only within a group. A job runs in a session of its own, so its nice
value would weigh only against itself, and two jobs would take two thirds of the CPU from
a server. The job therefore also lowers its autogroup's priority, which it may do because
the group holds only its own session.
"""

from __future__ import annotations

import os

__all__ = ["AUTOGROUP_FILE", "autogroup_nice", "lower_priority"]

#: Where Linux shows (and lets a process set) the nice value of its autogroup.
AUTOGROUP_FILE = "/proc/self/autogroup"
_MAX_NICE = 19


def autogroup_nice(autogroup_file: str = AUTOGROUP_FILE) -> int | None:
    """The nice value of this process's autogroup, or None when it is in none.

    The file is missing without autogroups, and empty when the process's CPU share is set by
    a cgroup instead (as in many containers), where an autogroup's nice has no effect.
    """
    try:
        with open(autogroup_file) as f:
            # "/autogroup-123 nice 0"
            return int(f.read().rsplit("nice", 1)[1])
    except (OSError, ValueError, IndexError):
        return None


def lower_priority(amount: int, *, autogroup_file: str = AUTOGROUP_FILE) -> int | None:
    """Adds `amount` to this process's nice value and, when it leads its own session, to its
    autogroup's.

    Args:
      amount: How much lower the priority becomes (0 .. 19).
      autogroup_file: The autogroup file to adjust (a parameter for tests).

    Returns:
      The autogroup's new nice value, or None when it was left alone: the process does not
      lead its session (its group holds other programs, e.g. the shell that started it), or
      the system has no autogroups.

    Raises:
      ValueError: If `amount` is not an int in 0 .. 19.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= _MAX_NICE:
        raise ValueError(f"lower_priority: `amount` must be an int in 0 .. 19, got {amount!r}.")
    if amount == 0:
        return None
    os.nice(amount)
    if os.getsid(0) != os.getpid():
        return None
    current = autogroup_nice(autogroup_file)
    if current is None:
        return None
    new = min(_MAX_NICE, current + amount)
    try:
        with open(autogroup_file, "w") as f:
            f.write(str(new))
    except OSError:
        return None  # Not allowed here.
    return new
