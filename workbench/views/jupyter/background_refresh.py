"""`BackgroundRefresh`: a notebook chart's refresh, called from a thread of its own.

A chart that follows a job or the runs it compares must leave the notebook free to run other
cells meanwhile: a daemon thread calls the refresh every few seconds, until it is stopped or
the refresh says there is nothing more to follow.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundRefresh:
    """Calls a step every few seconds from one daemon thread, until `stop()` or until the step
    returns False.

    Args:
      name: The thread's name (it shows in thread dumps and debuggers).

    Example:
      >>> steps = []
      >>> refresh = BackgroundRefresh("example")
      >>> refresh.start(lambda: steps.append(1) or len(steps) < 3, interval_secs=0.01)
      >>> refresh.join(5.0)
      >>> steps, refresh.running
      ([1, 1, 1], False)
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is calling the step."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, step: Callable[[], bool], interval_secs: float) -> None:
        """Calls `step` every `interval_secs` (the first time after one interval); a call while
        the thread runs changes nothing."""
        if self.running:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval_secs):
                if not step():
                    break

        self._thread = threading.Thread(target=loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_secs: float = 5.0) -> None:
        """Ends the thread once its step under way returns, waiting up to `timeout_secs`."""
        self._stop.set()
        self.join(timeout_secs)

    def join(self, timeout_secs: float) -> None:
        """Waits up to `timeout_secs` for the thread to end (it ends when its step says so)."""
        if self._thread is not None:
            self._thread.join(timeout=timeout_secs)
