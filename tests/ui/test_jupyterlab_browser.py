"""JupyterLab in headless Chromium: notebook 3 runs and its arg_scope explorer renders offline."""

from __future__ import annotations

import secrets
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.ui.serving import HOST, ROOT, free_port, serve

pytestmark = pytest.mark.ui

NOTEBOOK = "03_arg_scope.ipynb"
START_TIMEOUT_S = 180
RUN_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`jupyter lab` on 127.0.0.1 serving a copy of the notebooks; yields (url, token)."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, folder / NOTEBOOK)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--ip={HOST}", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
        "--allow-root", "--LabApp.extension_manager=readonly", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    url = f"http://{HOST}:{port}"
    ready = f"{url}/api/status?token={token}"
    with serve(command, ready, folder / "lab.log", cwd=folder, timeout_s=START_TIMEOUT_S):
        yield url, token


def test_notebook_3_explorer_renders_in_jupyterlab(lab, page: Page, artifacts_dir: Path):
    url, token = lab
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
    notebook = page.locator(".jp-Notebook").first
    expect(notebook).to_be_visible(timeout=RUN_TIMEOUT_MS)
    # Wait for the kernel, then run every cell.
    expect(
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first
    ).to_be_attached(timeout=RUN_TIMEOUT_MS)
    notebook.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    explorer = page.locator(".widget-dropdown select").first
    expect(explorer).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_text("opened at", exact=False).first).to_be_attached(timeout=RUN_TIMEOUT_MS)
    legend = page.get_by_text("set by the scope opened at the line shown").first
    legend.scroll_into_view_if_needed()
    expect(legend).to_be_visible()
    page.screenshot(path=artifacts_dir / "jupyterlab-explorer.png")
    table = page.locator(".widget-html table").first
    expect(table).to_contain_text("arg_scope")
    remote = sorted(
        u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")
        and urlsplit(u).hostname != "127.0.0.1"
    )  # fmt: skip
    assert remote == [], f"JupyterLab reached beyond 127.0.0.1: {remote}"
