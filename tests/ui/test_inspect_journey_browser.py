"""Inspect journey in headless Chromium: a net dropped from the palette is counted once, and
the page says which mode (inference or training) it shows. Every wait is for a state."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
# What `slim-workbench summary` prints for slimlib's lenet on 28x28x1.
LENET_PARAMS = "3,274,634"


def test_a_palette_net_has_the_summarys_counts_in_either_mode(
    app_url: str, page: Page, artifacts_dir: Path
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("empty")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("Started an empty design.").first).to_be_visible()
    page.locator('.wb-item[data-kind="net"][data-op="lenet"]').drag_to(
        page.locator('.wb-list[data-container="blocks"]')
    )
    expect(page.get_by_text("→ [10]").first).to_be_visible()
    page.locator(".bk-tab", has_text="Inspect").first.click()
    expect(page.get_by_text(LENET_PARAMS).first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(page.get_by_text("6,549,268")).to_have_count(0)
    expect(page.get_by_text("for inference").first).to_be_visible()
    page.get_by_role("button", name="Training", exact=True).click()
    expect(page.get_by_text("for training").first).to_be_visible()
    expect(page.get_by_text(LENET_PARAMS).first).to_be_visible()
    page.screenshot(path=artifacts_dir / "journey-inspect-net.png", full_page=True)
    assert errors == []
