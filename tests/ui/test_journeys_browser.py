"""Journeys across visits in a real headless Chromium: work is never lost.

A design edited in the browser survives a refresh (it is kept as the browser's draft in the
workspace), also across a server restart, and does not show in another browser; loading a template over it asks first, and
Undo brings it back. Every wait is for a state: the draft on
disk, a block on the canvas.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.serving import HOST, free_port, serve
from workbench.models.design import template

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
UPDATE_TIMEOUT_MS = 30_000
#: The generated code's line for a conv2d dropped first: it starts valid, 32 3x3 filters.
DROPPED = "net = slim.conv2d(inputs, 32, [3, 3])"


def _open(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)


def _wait_for_draft(
    workspace: Path, holds: Callable[[dict], bool], timeout_s: float = UPDATE_TIMEOUT_MS / 1000
) -> None:
    """Returns once a draft in the workspace `holds` (the edit reached the disk)."""
    deadline = time.monotonic() + timeout_s
    folder = workspace / "designs" / ".drafts"
    while time.monotonic() < deadline:
        if folder.is_dir() and any(holds(json.loads(p.read_text())) for p in folder.glob("*.json")):
            return
        time.sleep(0.1)
    pytest.fail(f"no draft under {folder} holds the edit after {timeout_s} s")


@pytest.fixture
def other_page(ui_browser: Browser) -> Iterator[Page]:
    """A page of another browser (its own storage)."""
    context = ui_browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_an_edit_survives_a_refresh_and_a_template_loaded_over_it(
    app_url: str, app_workspace: Path, page: Page, other_page: Page, artifacts_dir: Path
):
    _open(page, app_url)
    page.locator('.wb-item[data-op="conv2d"]').drag_to(
        page.locator('.wb-block[data-path="blocks[0]"]'), target_position={"x": 80, "y": 4}
    )
    expect(page.get_by_text(DROPPED).first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    _wait_for_draft(app_workspace, lambda draft: draft != template("lenet"))
    page.reload()
    expect(page.get_by_text("Restored the design 'lenet' you were editing.")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    expect(page.get_by_text(DROPPED).first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    page.screenshot(path=artifacts_dir / "journey-refresh.png", full_page=True)
    # Loading a template over the edit asks first; Undo brings the edit back.
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("has unsaved changes").first).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    page.screenshot(path=artifacts_dir / "journey-replace-asks.png", full_page=True)
    page.get_by_role("button", name="Replace").click()
    expect(page.get_by_text(DROPPED)).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    page.get_by_role("button", name="↶ Undo").click()
    expect(page.get_by_text(DROPPED).first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    page.screenshot(path=artifacts_dir / "journey-undo-replace.png", full_page=True)
    # Another browser starts from the template, without the dropped layer.
    _open(other_page, app_url)
    expect(other_page.locator('.wb-block[data-path="blocks[0]"]').first).to_contain_text("conv1")
    expect(other_page.get_by_text(DROPPED)).to_have_count(0)


def _fill(page: Page, label: str, text: str) -> None:
    field = page.locator(".bk-input-group", has_text=label).locator("input").first
    field.fill(text)
    field.press("Enter")


def _choose(page: Page, label: str, option: str) -> None:
    select = page.locator(".bk-input-group", has_text=label).locator("select").first
    expect(select.locator("option", has_text=option)).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    select.select_option(label=select.locator("option", has_text=option).text_content())


def test_saving_over_a_design_asks_and_its_versions_open_and_compare(
    app_url: str, page: Page, artifacts_dir: Path
):
    _open(page, app_url)
    _fill(page, "Save as", "mine")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved 'mine'.")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    # Saved, so the template replaces it without a question.
    _choose(page, "Template", "cifarnet")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("Loaded template 'cifarnet'.").first).to_be_visible(
        timeout=UPDATE_TIMEOUT_MS
    )
    _fill(page, "Save as", "mine")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("A design named 'mine' is saved already")).to_be_visible(
        timeout=UPDATE_TIMEOUT_MS
    )
    page.get_by_role("button", name="Replace").click()
    expect(page.get_by_text("Saved 'mine'. (version 2)")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    # Version 1 (the LeNet template) against the design: the name is one of the changes.
    _choose(page, "Versions", "version 1")
    page.get_by_role("button", name="Compare with this design").click()
    expect(page.get_by_text('-  "name": "lenet",')).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    page.get_by_text("--- mine version 1").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "journey-version-diff.png")
    page.get_by_role("button", name="Open version").click()
    expect(page.get_by_text("Loaded 'mine' version 1.").first).to_be_visible(
        timeout=UPDATE_TIMEOUT_MS
    )
    expect(page.locator('.wb-block[data-path="blocks[0]"]').first).to_contain_text("conv1")
    page.screenshot(path=artifacts_dir / "journey-versions.png", full_page=True)


def test_an_edit_survives_a_server_restart(tmp_path: Path, page: Page, artifacts_dir: Path):
    # The same port both times: the browser keeps its draft id per origin (host and port).
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [
        *(sys.executable, "-m", "panel", "serve", "app.py"),
        *("--address", HOST, "--port", str(port), "--allow-websocket-origin", f"{HOST}:{port}"),
    ]
    env = dict(os.environ, SLIM_WORKBENCH_WORKSPACE=str(tmp_path))
    with serve(command, f"{url}/app", tmp_path / "first.log", env=env):
        _open(page, url)
        page.locator('.wb-item[data-op="conv2d"]').drag_to(
            page.locator('.wb-block[data-path="blocks[0]"]'), target_position={"x": 80, "y": 4}
        )
        expect(page.get_by_text(DROPPED).first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
        _wait_for_draft(tmp_path, lambda draft: draft != template("lenet"))
    with serve(command, f"{url}/app", tmp_path / "second.log", env=env):
        page.goto(f"{url}/app")
        expect(page.get_by_text("Restored the design 'lenet' you were editing.")).to_be_visible(
            timeout=RENDER_TIMEOUT_MS
        )
        expect(page.get_by_text(DROPPED).first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
        page.screenshot(path=artifacts_dir / "journey-server-restart.png", full_page=True)
