"""`poll_while_served`: a view's poll, called once a period for as long as its page is open.

The Train page and its sweep panel each read files that other processes write (job status,
metrics, sweep runs) and so poll them. Each `poll` returns at once while its view is hidden;
this module only starts and stops the calls.
"""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

from workbench.views.panel.background_action import served_doc


def poll_while_served(poll: Callable[[], object], period_ms: int) -> pn.io.PeriodicCallback | None:
    """Calls `poll` every `period_ms` milliseconds until the served session ends.

    Args:
      poll: What to call; it is called with no arguments.
      period_ms: Milliseconds between two calls.

    Returns:
      The started callback; None outside a served session (a notebook, a view built in a
      test), where nothing is started.
    """
    if served_doc() is None:
        return None
    # In the background: a foreground callback turns the page's busy indicator on and off at
    # every call, which cost each session more than the poll itself.
    polling = pn.io.PeriodicCallback(callback=poll, period=period_ms, background=True)
    polling.start()
    pn.state.on_session_destroyed(lambda _: polling.stop())
    return polling
