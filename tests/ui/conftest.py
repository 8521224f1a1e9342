"""Fixtures for browser tests: the app served by `panel serve`, and a headless Chromium page.

The browser is the system Chromium (`/usr/bin/chromium`, installed by `make setup`), so no
browser download is needed. Playwright is started per test module rather than through
pytest-playwright's session-wide fixtures: a live sync Playwright keeps an asyncio loop
running in the main thread, which would break later tests that call `asyncio.run` (nbclient).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("SLIM_WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOST = "127.0.0.1"
# First start imports TensorFlow and Panel; slow CI machines need well over a minute.
SERVER_START_TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"panel serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (`http://127.0.0.1:PORT`) of `panel serve app.py`, bound to 127.0.0.1 only."""
    port = _free_port()
    log = tmp_path_factory.mktemp("panel") / "serve.log"
    command = [
        *(sys.executable, "-m", "panel", "serve", "app.py"),
        *("--address", HOST, "--port", str(port)),
        *("--allow-websocket-origin", f"{HOST}:{port}"),
    ]
    # Each run gets its own workspace, so saved designs and jobs never touch the repository.
    env = dict(os.environ, SLIM_WORKBENCH_WORKSPACE=str(tmp_path_factory.mktemp("workspace")))
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(f"http://{HOST}:{port}/app", process, log)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def ui_browser() -> Iterator[Browser]:
    """Headless system Chromium, shared by the tests of one module."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found; run `make setup` (installs Debian's chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(ui_browser: Browser) -> Iterator[Page]:
    """A fresh 1280x800 page; replaces pytest-playwright's `page` in tests/ui/."""
    context = ui_browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """`test-artifacts/` at the repository root (screenshots to look at after a run)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
