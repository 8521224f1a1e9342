"""Fixtures for browser tests: the app served by `panel serve`, and a headless Chromium page.

The browser is the system Chromium (`/usr/bin/chromium`, installed by `make setup`), so no
browser download is needed. Playwright is started per test module rather than through
pytest-playwright's session-wide fixtures: a live sync Playwright keeps an asyncio loop
running in the main thread, which would break later tests that call `asyncio.run` (nbclient).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.ui.serving import ROOT, panel_serve

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("SLIM_WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: How long an expectation waits for its state (Playwright's default is 5 s). An edit's effect
#: (a drop, Undo) reaches the page in well under a second on a quiet machine, and in several
#: seconds when other work uses every core: tests wait for the state, never for a time.
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def app_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served app's workspace: each module gets its own, so saved designs and jobs never
    touch the repository."""
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, app_workspace: Path) -> Iterator[str]:
    """Base URL (`http://127.0.0.1:PORT`) of `panel serve app.py`, bound to 127.0.0.1 only."""
    log = tmp_path_factory.mktemp("panel") / "serve.log"
    env = dict(os.environ, SLIM_WORKBENCH_WORKSPACE=str(app_workspace))
    with panel_serve("app.py", log, ready_path="/app", env=env) as url:
        yield url


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
    """A fresh 1280x800 page; replaces pytest-playwright's `page` in tests/ui/.

    The test fails if the page asked for anything beyond this machine: everything the app
    and the notebooks show is served locally, and a class may have no internet at all.
    """
    context = ui_browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    remote: list[str] = []
    page.on("request", lambda request: remote.append(request.url) if _remote(request.url) else None)
    yield page
    context.close()
    assert remote == [], f"requests beyond this machine: {remote}"


def _remote(url: str) -> bool:
    host = urlsplit(url).hostname
    return host is not None and host not in ("127.0.0.1", "localhost")


@pytest.fixture
def artifacts_dir() -> Path:
    """`test-artifacts/` at the repository root (screenshots to look at after a run)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
