"""A notebook chart's background refresh: one thread, ended by `stop()` or by its step."""

from __future__ import annotations

import doctest
import threading
import time

from workbench.views.jupyter import background_refresh
from workbench.views.jupyter.background_refresh import BackgroundRefresh


def _wait_for(condition, timeout_secs: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_secs
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_the_examples_hold():
    result = doctest.testmod(background_refresh)
    assert result.attempted > 0 and result.failed == 0


def test_a_step_returning_false_ends_the_thread_after_that_call():
    calls = []
    refresh = BackgroundRefresh("ends-by-itself")
    refresh.start(lambda: calls.append(None) or len(calls) < 4, interval_secs=0.01)
    refresh.join(30.0)
    assert len(calls) == 4 and not refresh.running


def test_stop_ends_it_a_second_start_meanwhile_adds_no_thread_and_it_starts_again():
    threads: list[threading.Thread] = []

    def step() -> bool:
        threads.append(threading.current_thread())
        return True

    refresh = BackgroundRefresh("until-stopped")
    refresh.start(step, interval_secs=0.01)
    refresh.start(step, interval_secs=0.01)
    assert _wait_for(lambda: len(threads) >= 3)
    refresh.stop()
    assert not refresh.running
    count = len(threads)
    time.sleep(0.05)
    assert len(threads) == count
    assert {t.name for t in threads} == {"until-stopped"} and len(set(threads)) == 1
    refresh.start(step, interval_secs=0.01)  # Stopped, it can follow again.
    assert _wait_for(lambda: len(set(threads)) == 2)
    refresh.stop()
    assert not refresh.running
