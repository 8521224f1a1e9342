"""A learning-rate sweep from the Train page in headless Chromium, to the end, then TensorBoard.

Four runs of the LeNet design on the digits (a few steps each) go one at a time on this CPU;
the sweep's table stars the best run, Compare overlays the four runs' curves (the best
starred in the legend), and TensorBoard, started from the page, lists the four runs in its
HParams dashboard. Every request of the app's page and of TensorBoard's goes to 127.0.0.1.
Every wait is for a state.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
SWEEP_TIMEOUT_MS = 1_200_000  # Four jobs, each importing TensorFlow: 11 min on a loaded 2-core VM.
TENSORBOARD_TIMEOUT_MS = 240_000
RATES = ["0.003", "0.01", "0.03", "0.1"]
STEPS = "30"


def _fill(page, label: str, text: str) -> None:
    field = page.locator(".bk-input-group", has_text=label).locator("input").first
    field.fill(text)
    field.press("Enter")


def _remote(urls: list[str]) -> list[str]:
    return sorted(
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).hostname != "127.0.0.1"
    )


def test_a_learning_rate_sweep_runs_to_the_end_and_tensorboard_lists_it(
    app_url: str, ui_browser: Browser, artifacts_dir: Path
):
    context = ui_browser.new_context(viewport={"width": 1400, "height": 1000})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    context.on("websocket", lambda websocket: requested.append(websocket.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.locator(".bk-tab", has_text="Train").first.click()
    _fill(page, "Steps", STEPS)
    _fill(page, "Learning rates", ", ".join(RATES))
    page.get_by_role("button", name="Start sweep").click()

    expect(page.get_by_text(re.compile(r"Sweep lenet-digits-\S+: running")).first).to_be_visible()
    sweep_panel = page.locator("table.sweep-runs").first
    sweep_panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "sweep-running.png")
    finished = page.get_by_text(re.compile(r": finished \(4 finished; up to 1 at once\)"))
    expect(finished.first).to_be_visible(timeout=SWEEP_TIMEOUT_MS)
    sweep_id = re.search(r"Sweep (\S+):", finished.first.text_content()).group(1)
    best = page.locator("table.sweep-runs tr.sweep-best")
    expect(best).to_have_count(1)
    expect(page.get_by_text(re.compile(r"Best run: run-00\d \(validation accuracy 0\.\d{4}\)"))
           .first).to_be_visible()  # fmt: skip
    best_name = best.locator("td").nth(1).text_content()

    # Compare overlays the four runs; the best one is starred in the legend.
    page.get_by_role("button", name="Compare sweep runs").click()
    legend = page.locator("[name='compare-chart'] .legendtext, .js-plotly-plot .legendtext")
    for number in range(1, 5):
        expect(legend.filter(has_text=f"jobs/{sweep_id}/run-00{number}").first).to_be_attached(
            timeout=RENDER_TIMEOUT_MS
        )
    expect(legend.filter(has_text=f"★ jobs/{sweep_id}/{best_name}").first).to_be_attached()
    curves = page.locator(".js-plotly-plot").first.locator(".scatterlayer .trace")
    expect(curves).not_to_have_count(0)
    # The runs table stars the same run.
    expect(page.locator(".runs-table").get_by_text("★")).to_have_count(1)
    sweep_panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "sweep-finished.png")
    chart = page.locator(".js-plotly-plot", has=page.locator(".legendtext", has_text=sweep_id))
    chart.first.scroll_into_view_if_needed()
    chart.first.screenshot(path=artifacts_dir / "sweep-compare-chart.png")

    # TensorBoard, started from the page, shows the four runs in its HParams dashboard.
    page.get_by_role("button", name="Open TensorBoard").click()
    link = page.locator("a.tensorboard-link")
    expect(link).to_be_visible(timeout=TENSORBOARD_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert urlsplit(href).hostname == "127.0.0.1" and href.endswith("/#hparams")
    board = context.new_page()
    board.goto(href)
    for number in range(1, 5):
        expect(board.get_by_text(f"jobs/{sweep_id}/run-00{number}").first).to_be_visible(
            timeout=TENSORBOARD_TIMEOUT_MS
        )
    # The final validation metrics each job wrote are among the dashboard's metrics.
    expect(board.get_by_text("validation/accuracy").first).to_be_attached()
    board.screenshot(path=artifacts_dir / "sweep-tensorboard-hparams.png", full_page=True)
    context.close()
    assert _remote(requested) == [], f"requests beyond 127.0.0.1: {_remote(requested)}"
    assert errors == []
