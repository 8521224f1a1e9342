"""The web app in a real headless Chromium: it renders the layer summary and stays on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui

LENET_SCOPES = ["conv1", "pool1", "conv2", "pool2", "Flatten", "fc3", "dropout3", "fc4"]
# 832 + 51,264 + 3,212,288 + 10,250 (see tests/workbench/models/test_layer_summary.py).
LENET_TOTAL_PARAMS = "3,274,634"
RENDER_TIMEOUT_MS = 60_000


def test_app_shows_the_layer_summary_without_leaving_localhost(
    app_url: str, page: Page, artifacts_dir: Path
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda websocket: requested.append(websocket.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{app_url}/app")

    expect(page).to_have_title("Slim Workbench")
    table = page.locator(".tabulator").first
    expect(table).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    for scope in LENET_SCOPES:
        expect(table.get_by_text(scope, exact=True)).to_be_visible()
    expect(page.get_by_text("Total params", exact=True).first).to_be_visible()
    expect(page.get_by_text(LENET_TOTAL_PARAMS).first).to_be_visible()
    expect(page.get_by_text(f"Total params: {LENET_TOTAL_PARAMS}")).to_be_attached()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts_dir / "app.png", full_page=True)

    assert errors == []
    remote = sorted(
        url
        for url in requested
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).hostname != "127.0.0.1"
    )
    assert remote == [], f"the page reached beyond 127.0.0.1: {remote}"
    assert any(urlsplit(url).scheme == "ws" for url in requested), "no websocket to the server"
