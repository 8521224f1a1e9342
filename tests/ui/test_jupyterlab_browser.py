"""JupyterLab in headless Chromium: notebook 3 runs and its arg_scope explorer renders offline."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "03_arg_scope.ipynb"
START_TIMEOUT_S = 180
RUN_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`jupyter lab` on 127.0.0.1 serving a copy of the notebooks; yields (url, token)."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, folder / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    log = folder / "lab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
        "--allow-root", "--LabApp.extension_manager=readonly", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=10):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start:\n{log.read_text()}")
                time.sleep(0.5)
        yield url, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
