"""`BackgroundAction`: a slow action of a button (stopping jobs) run in a worker thread, so the
click returns at once and the session's server thread stays free for every other event.

The page marks itself busy when the click starts the action (`running` turns True on the
session's thread) and shows the outcome when it ends: `finished` is called with the error (or
None) on the session's event loop, where its panes may be changed, through the document
captured at the click (`on_event_loop`). Outside a served session (a notebook, a view made in
a test) there is no event loop to wait for: `finished` is called from the worker thread.

One action at a time: a click while the action is under way starts nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import panel as pn
import param
from panel.io.state import set_curdoc

__all__ = ["BackgroundAction", "on_event_loop", "served_doc"]


def on_event_loop(doc) -> Callable[[Callable[[], None]], None]:
    """`deliver(show)`: runs `show` on the event loop of the session of `doc`, where its
    models may be changed, from any thread."""

    def deliver(show: Callable[[], None]) -> None:
        def run() -> None:
            with set_curdoc(doc):
                show()

        try:
            doc.add_next_tick_callback(run)
        except Exception:  # noqa: BLE001 - the session has ended: nothing to show it to.
            pass

    return deliver


def served_doc():
    """The document of the served session running this code; None outside one."""
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context is not None else None


class BackgroundAction(param.Parameterized):
    """Runs one action at a time in a daemon thread and reports its end in the session.

    Args:
      name: What the action does, for the worker thread's name (e.g. 'stop-job').
    """

    running = param.Boolean(default=False, doc="Whether the action is under way.")

    def __init__(self, **params):
        super().__init__(**params)
        self._thread: threading.Thread | None = None

    def start(
        self, work: Callable[[], object], finished: Callable[[Exception | None], None]
    ) -> bool:
        """Starts `work()` in a worker thread unless the action is under way already.

        Args:
          work: The slow part; it must not change any pane (it runs off the session's thread).
          finished: Called with the exception `work` raised (None when it returned), on the
            session's event loop when the click came from a served session.

        Returns:
          Whether it started (False: the action was under way, nothing was done).
        """
        if self.running:
            return False
        doc = served_doc()
        deliver = on_event_loop(doc) if doc is not None else (lambda show: show())
        self.running = True

        def run() -> None:
            error: Exception | None = None
            try:
                work()
            except Exception as err:  # noqa: BLE001 - shown on the page, never lost.
                error = err

            def end() -> None:
                self.running = False
                finished(error)

            deliver(end)

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for the worker thread to end (tests, shutdown); whether it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
