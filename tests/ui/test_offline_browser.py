"""The app asks nothing of the internet, even for a session made again when its page connects.

The server here drops a session whose page has not connected within 1 s; the test holds
Bokeh's script back until the server's log says the session was dropped, so the page's
session is made again on connect, with no page rendered for it. Every request and websocket
the page opens is recorded, through the first render and an Alert shown after it (a refused
value in the property sheet); all of them must go to 127.0.0.1.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.ui.serving import panel_serve

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
#: How long the page may wait for the server to drop its session (checked every 0.2 s).
DROP_TIMEOUT_S = 60
DROPPED = "Discarding session"
#: The URLs of every stylesheet and script linked in the page and in its shadow roots.
LINKED = """() => {
  const urls = []
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.href && el.tagName === "LINK") urls.push(el.href)
      if (el.src && el.tagName === "SCRIPT") urls.push(el.src)
      if (el.shadowRoot) walk(el.shadowRoot)
    }
  }
  walk(document)
  return urls
}"""


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`panel serve app.py` dropping unconnected sessions after 1 s; its URL and log."""
    log = tmp_path_factory.mktemp("panel") / "serve.log"
    workspace = tmp_path_factory.mktemp("workspace")
    env = dict(os.environ, SLIM_WORKBENCH_WORKSPACE=str(workspace))
    options = (
        *("--unused-session-lifetime", "1000", "--check-unused-sessions", "200"),
        *("--log-level", "debug"),  # The log says when a session is dropped.
    )
    with panel_serve("app.py", log, ready_path="/app", env=env, options=options) as url:
        yield url, log


def _remote(urls: list[str]) -> list[str]:
    """The URLs fetched over the network from a host other than 127.0.0.1 (blob: and data:
    URLs are the page's own)."""
    network = ("http", "https", "ws", "wss")
    return sorted(
        url
        for url in urls
        if urlsplit(url).scheme in network and urlsplit(url).hostname != "127.0.0.1"
    )


def test_a_session_made_again_on_connect_fetches_nothing_from_outside(
    short_lived: tuple[str, Path], page: Page, artifacts_dir: Path
):
    url, log = short_lived
    # Sessions dropped before this page's (the readiness check's) do not count.
    dropped_before = log.read_text().count(DROPPED)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda websocket: requested.append(websocket.url))

    def after_the_drop(route: Route) -> None:
        deadline = time.monotonic() + DROP_TIMEOUT_S
        while log.read_text().count(DROPPED) <= dropped_before:
            assert time.monotonic() < deadline, "the server never dropped the page's session"
            time.sleep(0.2)
        route.continue_()

    page.route("**/bokeh.min.js*", after_the_drop)
    page.goto(f"{url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    assert log.read_text().count(DROPPED) > dropped_before

    # An Alert shown after the first render: a value the property sheet refuses.
    page.locator('.wb-block[data-path="blocks[0].blocks[0]"] > .wb-head').click()
    field = page.locator(".bk-input-group:visible", has_text="kernel_size").locator("input").first
    field.fill("[3,")
    field.press("Enter")
    expect(page.locator(".alert-danger", has_text="got '[3,'")).to_be_visible()
    page.screenshot(path=artifacts_dir / "offline-session-made-again.png")
    # Every stylesheet linked anywhere in the page, shadow roots included, is local too.
    assert _remote(page.evaluate(LINKED)) == []
    assert any(urlsplit(u).scheme == "ws" for u in requested), "no websocket to the server"
    assert _remote(requested) == [], f"the page reached beyond 127.0.0.1: {_remote(requested)}"
