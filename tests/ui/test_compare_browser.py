"""Runs table and Compare in headless Chromium: ticking runs overlays their curves, a running
run's curve grows live, the best run of a sweep is starred, and the filter box filters.

The workspace holds job folders as jobs leave them (written directly: no training), one of
them "running" (a live process naming its log directory stands for the job's). Every wait is
for a state on the page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.workbench.models.runs.run_folders import T0, make_run

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
SWEEP_RATES = (0.1, 0.03, 0.01, 0.003)
# Validation accuracy of each rate's run: 0.01 is the best of the sweep.
SWEEP_ACCURACY = {0.1: 0.81, 0.03: 0.9, 0.01: 0.95, 0.003: 0.88}


@pytest.fixture(scope="module")
def running(app_workspace: Path) -> Iterator[str]:
    """A sweep of 4 finished runs and one running run in the served workspace; the running
    run's log directory is yielded (its metrics can be appended to)."""
    root = str(app_workspace)
    for index, rate in enumerate(SWEEP_RATES):
        make_run(root, f"jobs/lr-{rate}", learning_rate=rate, accuracy=SWEEP_ACCURACY[rate],
                 sweep="lr-sweep", steps=100 + 20 * index, started=T0 + index,
                 tau=20 + 15 * index)  # fmt: skip
    logdir = make_run(root, "jobs/live", state="running", accuracy=None, steps=200,
                      learning_rate=0.02, started=T0 + 10, tau=90)  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", logdir])
    status_path = os.path.join(logdir, "status.json")
    with open(status_path) as f:
        status = json.load(f)
    status["pid"] = child.pid
    with open(status_path, "w") as f:
        json.dump(status, f)
    yield logdir
    child.kill()
    child.wait()


@pytest.fixture
def app(running: str, app_url: str, page: Page) -> Iterator[Page]:
    """The app's Train page; the test fails if a script on the page raised."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.locator(".bk-tab", has_text="Train").first.click()
    yield page
    assert errors == []


def _row(page: Page, run: str):
    return page.locator(".tabulator-row", has=page.get_by_text(run, exact=True))


def _until(page: Page, read, expected, timeout_s: float = 60.0):
    """Waits until `read()` returns `expected` (checked every 0.2 s); fails with the last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if value == expected:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r}, waiting for {expected!r}")
        page.wait_for_timeout(200)


def _compare_traces(page: Page) -> list[dict]:
    """`{name, xmax, points}` of each trace on the Compare chart's loss plot."""
    return page.locator(".js-plotly-plot").evaluate_all(
        """plots => {
          const chart = plots.find(p => (p.data || []).some(t => t.legendgroup))
          if (!chart) return []
          return chart.data.filter(t => t.xaxis === 'x').map(t => ({
            name: t.name, xmax: Math.max(...t.x), points: t.x.length}))
        }"""
    )


def test_ticking_runs_overlays_their_curves_live_with_the_best_starred(
    app: Page, running: str, artifacts_dir: Path
):
    page = app
    for rate in SWEEP_RATES:
        expect(_row(page, f"jobs/lr-{rate}")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(_row(page, "jobs/lr-0.01")).to_contain_text("★")
    expect(_row(page, "jobs/lr-0.1")).not_to_contain_text("★")
    expect(page.get_by_text("Tick runs in the table to compare them").first).to_be_attached()

    for run in ("jobs/lr-0.1", "jobs/lr-0.01", "jobs/live"):
        _row(page, run).locator("input[type=checkbox]").click()
    names = ["jobs/lr-0.1", "★ jobs/lr-0.01", "jobs/live"]
    _until(page, lambda: [t["name"] for t in _compare_traces(page)], names)
    # Steps 10..100 (lr-0.1, 100 steps), 10..140 (lr-0.01), 10..100 (live: half of 200).
    assert [(t["xmax"], t["points"]) for t in _compare_traces(page)] == [
        (100, 10), (140, 14), (100, 10)
    ]  # fmt: skip
    expect(page.get_by_text("train.learning_rate").first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 2300})  # the whole page in one picture
    page.screenshot(path=artifacts_dir / "compare-three-runs.png")

    # The running run logs on: its curve grows on the page without a reload.
    with open(os.path.join(running, "metrics.jsonl"), "a") as f:
        for step in (110, 120):
            f.write(json.dumps({"step": step, "loss": 0.2, "wall_time": T0 + 20}) + "\n")
    _until(page, lambda: _compare_traces(page)[-1]["xmax"], 120)

    # Wall time on the x axis: 0.04 s a step from each run's first record.
    page.get_by_role("button", name="wall time").click()
    _until(page, lambda: round(_compare_traces(page)[0]["xmax"], 2), 3.6)

    # Unticking a run takes its curve off.
    _row(page, "jobs/lr-0.1").locator("input[type=checkbox]").click()
    _until(
        page, lambda: [t["name"] for t in _compare_traces(page)], ["★ jobs/lr-0.01", "jobs/live"]
    )

    # The filter box keeps the runs that pass.
    box = page.get_by_placeholder("e.g. status=finished lr<0.01 design~lenet")
    box.fill("status=finished lr<0.05")
    box.press("Enter")
    expect(page.locator(".tabulator-row")).to_have_count(3)
    expect(page.get_by_text("3 of 5 runs").first).to_be_visible()
    box.fill("lr<fast")
    box.press("Enter")
    expect(page.get_by_text("must be a number, got 'fast'").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "compare-filtered.png")
