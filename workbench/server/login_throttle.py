"""Failed logins per client address, kept in a file that every serving process shares.

`make app PROCS=N` serves from N processes; a count kept in each process's memory would let a
client try N times as many passwords. The count lives in the workspace
(`.login_failures.json`), and each check-and-count happens under an exclusive `flock` on a
lock file beside it, so two processes answering the same client at the same moment cannot
both let an attempt through that only one of them should. An attempt is counted as a failure
*before* its password is checked and cleared when the password is right, so a burst of
attempts sent at once is counted in full.

After `FREE_FAILURES` failures from one address, each further attempt must wait 1 s, 2 s,
4 s ... (at most `MAX_WAIT_SECS`) after the last one; an attempt that comes sooner is refused
without checking the password. If the workspace cannot be written, each process keeps the
count in memory instead (still a throttle, per process) and says so once in its log.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator

from workbench.problems import atomic_write

__all__ = ["FREE_FAILURES", "MAX_WAIT_SECS", "LoginThrottle", "STATE_FILE"]

FREE_FAILURES = 3
MAX_WAIT_SECS = 60.0
#: The shared count's file name in the workspace (hidden: listings of the workspace skip it).
STATE_FILE = ".login_failures.json"
# Addresses remembered; those whose last failure is oldest are forgotten beyond this, which
# bounds the file (an entry is about 40 bytes).
_MAX_CLIENTS = 4096
# An address that has not failed for a day starts again from zero.
_FORGET_AFTER_SECS = 24 * 3600.0

_log = logging.getLogger(__name__)

Failures = dict[str, list[float]]  # address -> [count, time of the last failure]


class LoginThrottle:
    """Failed logins per client address and how long the next attempt must wait.

    Args:
      path: The JSON file shared by the serving processes (its folder must exist), or None
        to keep the count in this process's memory only.
      free_failures: Failures allowed before attempts must wait. Default 3.
      max_wait: Longest wait, in seconds. Default 60.
    """

    def __init__(
        self,
        path: str | None,
        *,
        free_failures: int = FREE_FAILURES,
        max_wait: float = MAX_WAIT_SECS,
    ):
        self.path = path
        self.free_failures = free_failures
        self.max_wait = max_wait
        self._memory: Failures = {}

    def attempt(self, client: str, now: float | None = None) -> float:
        """Checks in a login attempt from `client`.

        Returns:
          Seconds `client` must still wait (> 0: refuse the attempt; nothing is counted),
          or 0.0: check the password; the attempt is already counted as a failure, which
          `succeeded` clears.
        """
        now = time.time() if now is None else now
        with self._failures() as failures:
            wait = self._wait(failures.get(client), now)
            if wait == 0.0:
                count = failures.pop(client, [0, 0.0])[0]
                failures[client] = [count + 1, now]
            return wait

    def succeeded(self, client: str) -> None:
        """Clears the count of `client` (its password was right)."""
        with self._failures() as failures:
            failures.pop(client, None)

    def failures(self, client: str) -> int:
        """Failures counted for `client` (for tests and logs)."""
        with self._failures() as failures:
            return int(failures.get(client, [0, 0.0])[0])

    def _wait(self, entry: list[float] | None, now: float) -> float:
        count, last = entry or (0, 0.0)
        if count < self.free_failures:
            return 0.0
        delay = min(self.max_wait, 2.0 ** (count - self.free_failures))
        return max(0.0, last + delay - now)

    @contextlib.contextmanager
    def _failures(self) -> Iterator[Failures]:
        """The counts, locked against the other processes; changes made are saved."""
        if self.path is not None:
            try:
                lock = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX)  # ENOLCK on some network disks.
                except OSError:
                    os.close(lock)
                    raise
            except OSError as err:
                _log.warning(
                    "login throttle: cannot use %s (%s); counting failed logins in this "
                    "process only.",
                    self.path,
                    err,
                )
                self.path = None
        if self.path is None:
            yield self._memory
            return
        try:
            failures = _read(self.path)
            before = json.dumps(failures, sort_keys=True)
            yield failures
            if json.dumps(failures, sort_keys=True) != before:
                _save(self.path, failures)
        finally:
            os.close(lock)  # Releases the lock.


def _read(path: str) -> Failures:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as err:
        _log.warning("login throttle: %s is unreadable (%s); starting from no failures.", path, err)
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(client): [int(entry[0]), float(entry[1])]
        for client, entry in data.items()
        if isinstance(entry, list)
        and len(entry) == 2
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in entry)
    }


def _save(path: str, failures: Failures) -> None:
    now = time.time()
    kept = sorted(
        ((c, e) for c, e in failures.items() if now - e[1] < _FORGET_AFTER_SECS),
        key=lambda item: item[1][1],
    )[-_MAX_CLIENTS:]
    try:
        atomic_write(path, json.dumps(dict(kept)))
    except OSError as err:  # A full disk: the count so far stays as it was.
        _log.warning("login throttle: cannot save %s (%s).", path, err)
