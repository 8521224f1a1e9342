"""`ProgressWriter`: a training job's progress goes into `status.json` off the training loop.

Each status write syncs the file and its folder to disk (tens of milliseconds on a busy
disk); a job that logs every few steps would spend several percent of its time waiting on
them. The writer keeps the latest fields, and a thread of its own writes them at most every
`interval` seconds, so the training loop only hands a dict over.
"""

from __future__ import annotations

import threading
from typing import Any

from workbench.models.jobs.status_file import StatusFile

__all__ = ["ProgressWriter"]


class ProgressWriter:
    """Writes progress fields (`step`, `loss`, ...) into a `StatusFile` from a thread.

    Fields recorded while a write is pending are merged, the newest value winning. `close`
    writes what is left and waits for the thread; the status file must not be updated by
    anyone else between construction and `close`.

    Args:
      status: The job's status file.
      interval: Least seconds between two writes.
    """

    def __init__(self, status: StatusFile, interval: float = 0.5):
        self._status = status
        self._interval = interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: dict[str, Any] = {}
        self._closed = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="job-progress", daemon=True)
        self._thread.start()

    def record(self, **fields: Any) -> None:
        """Queues `fields` for the next write."""
        with self._lock:
            self._pending.update(fields)
        self._wake.set()

    def close(self) -> None:
        """Writes the fields still queued and ends the thread.

        Raises:
          OSError: The error of a write that failed (later fields were not written).
        """
        self._closed.set()
        self._wake.set()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                fields, self._pending = self._pending, {}
                self._wake.clear()
                closing = self._closed.is_set()
            if fields:
                try:
                    self._status.update(**fields)
                except BaseException as err:  # Reported by close() in the job's thread.
                    self._error = err
                    return
            if closing:
                return
            self._closed.wait(self._interval)  # Spaces the writes; close() cuts it short.
