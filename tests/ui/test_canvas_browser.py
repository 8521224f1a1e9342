"""The model canvas in a real headless Chromium: build a design by drag and drop, check it on
the server, and stay on 127.0.0.1.

The page is tests/ui/canvas_page.py, served by its own `panel serve` (the conftest's `app_url`
serves app.py). The browser, page and artifacts fixtures come from tests/ui/conftest.py.
Playwright's `drag_to` drives real mouse input; Chromium turns it into the HTML5 drag events
(dragstart, dragover, drop) the canvas listens to. A drag under way when the server's answer
to the previous edit is drawn still drops (the answer is held back on the websocket to make
that happen every time).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.ui.serving import HOST, panel_serve

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "tests/ui/canvas_page.py"
RENDER_TIMEOUT_MS = 60_000
UPDATE_TIMEOUT_S = 30  # as EXPECT_TIMEOUT_MS in conftest.py: a busy machine


@pytest.fixture(scope="module")
def canvas_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of tests/ui/canvas_page.py under `panel serve`, bound to 127.0.0.1 only."""
    log = tmp_path_factory.mktemp("canvas") / "serve.log"
    with panel_serve(SCRIPT, log, ready_path="/canvas_page") as base:
        yield base + "/canvas_page"


def server_design(page: Page) -> dict:
    """The server's `editor.design`, as the page's `<pre id="design-json">` shows it."""
    return json.loads(page.locator("#design-json").text_content())


def wait_for_design(page: Page, check: Callable[[dict], bool], what: str) -> dict:
    """Polls the server's design until `check` holds; fails naming `what` otherwise."""
    deadline = time.monotonic() + UPDATE_TIMEOUT_S
    while True:
        design = server_design(page)
        if check(design):
            return design
        if time.monotonic() > deadline:
            pytest.fail(f"the server's design never showed {what}:\n{json.dumps(design, indent=1)}")
        page.wait_for_timeout(100)


def labels(blocks: list[dict]) -> list[str]:
    return [block.get("scope") or block.get("op") or block["kind"] for block in blocks]


def block(page: Page, path: str):
    return page.locator(f'.wb-block[data-path="{path}"]')


#: A dropped conv2d: it starts with 32 3x3 filters, so it is valid at once.
CONV = {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 32, "kernel_size": [3, 3]}}


def test_canvas_builds_a_design_by_drag_and_drop(canvas_url: str, page: Page, artifacts_dir: Path):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda websocket: requested.append(websocket.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(canvas_url)
    expect(page).to_have_title("Design canvas")
    expect(block(page, "blocks[4]")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    start = server_design(page)["blocks"]
    assert labels(start) == ["conv1", "pool1", "arg_scope", "flatten", "logits"]
    conv = page.locator('.wb-item[data-op="conv2d"]')
    expect(conv).to_have_attribute("draggable", "true")

    # 1. Palette -> top-level list, dropped on the upper edge of the arg_scope: the gap before it.
    conv.drag_to(block(page, "blocks[2]"), target_position={"x": 80, "y": 4})
    design = wait_for_design(page, lambda d: len(d["blocks"]) == 6, "a 6th top-level block")
    assert labels(design["blocks"]) == [
        "conv1",
        "pool1",
        "conv2d",
        "arg_scope",
        "flatten",
        "logits",
    ]
    assert design["blocks"][2] == CONV
    # The new conv2d starts with its arguments: not marked invalid, its shape shown.
    expect(block(page, "blocks[2]")).to_contain_text("\u2192 [14, 14, 32]")
    expect(block(page, "blocks[2]")).not_to_have_class(re.compile(r"\bwb-invalid\b"))

    # 2. Palette -> the arg_scope's (empty) list of blocks.
    inner = page.locator('.wb-list[data-container="blocks[3].blocks"]')
    conv.drag_to(inner)
    design = wait_for_design(page, lambda d: d["blocks"][3]["blocks"], "a block in the arg_scope")
    assert design["blocks"][3]["blocks"] == [CONV]
    assert len(design["blocks"]) == 6
    expect(block(page, "blocks[3].blocks[0]")).to_be_visible()

    # 3. Reorder: drag pool1 onto the upper half of conv1, the gap before it.
    block(page, "blocks[1]").drag_to(block(page, "blocks[0]"), target_position={"x": 80, "y": 4})
    design = wait_for_design(page, lambda d: labels(d["blocks"])[0] == "pool1", "pool1 first")
    assert labels(design["blocks"]) == [
        "pool1",
        "conv1",
        "conv2d",
        "arg_scope",
        "flatten",
        "logits",
    ]
    assert design["blocks"][3]["blocks"] == [CONV]

    # 4. Click selects; the Delete key deletes; the Undo button brings it back.
    block(page, "blocks[2]").click()
    expect(block(page, "blocks[2]")).to_have_class(re.compile(r"\bwb-selected\b"))
    page.keyboard.press("Delete")
    wait_for_design(page, lambda d: len(d["blocks"]) == 5, "the deleted conv2d gone")
    page.get_by_role("button", name=re.compile("Undo")).click()
    design = wait_for_design(page, lambda d: len(d["blocks"]) == 6, "the conv2d back")
    assert labels(design["blocks"]) == [
        "pool1",
        "conv1",
        "conv2d",
        "arg_scope",
        "flatten",
        "logits",
    ]
    expect(block(page, "blocks[2]")).to_have_class(re.compile(r"\bwb-selected\b"))

    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts_dir / "canvas.png", full_page=True)

    assert errors == []
    remote = sorted(
        url
        for url in requested
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != HOST
    )
    assert remote == [], f"the page reached beyond 127.0.0.1: {remote}"
    assert any(urlsplit(url).scheme == "ws" for url in requested), "no websocket to the server"


class HeldAnswers:
    """Routes the page's websocket so that the server's messages can be held back, then let
    through in order: an answer that arrives while a gesture is under way, made to happen."""

    def __init__(self, page: Page):
        self.held: list | None = None  # Messages held while a list, passed on while None.
        self.route = None
        page.route_web_socket(re.compile(r".*/ws$"), self._connect)

    def _connect(self, route) -> None:
        self.route = route
        server = route.connect_to_server()
        server.on_message(self._to_page)

    def _to_page(self, message) -> None:
        if self.held is None:
            self.route.send(message)
        else:
            self.held.append(message)

    def hold(self) -> None:
        self.held = []

    def release(self) -> None:
        held, self.held = self.held or [], None
        for message in held:
            self.route.send(message)


def test_a_drag_under_way_when_the_last_edit_is_drawn_still_drops(canvas_url: str, page: Page):
    answers = HeldAnswers(page)
    page.goto(canvas_url)
    expect(block(page, "blocks[4]")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    # A conv2d dropped into the arg_scope; the server's answer is held back...
    answers.hold()
    page.locator('.wb-item[data-op="conv2d"]').drag_to(
        page.locator('.wb-list[data-container="blocks[2].blocks"]')
    )
    # ...while the next drag starts: a dropout from the palette.
    source = page.locator('.wb-item[data-op="dropout"]').bounding_box()
    target = block(page, "blocks[4]").bounding_box()  # logits: dropped on its lower half
    x, y = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 6, steps=3)
    # The answer arrives during the drag and is drawn (a macrotask after it is run).
    answers.release()
    wait_for_design(page, lambda d: d["blocks"][2]["blocks"] == [CONV], "the conv2d dropped")
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    page.mouse.move(target["x"] + 80, target["y"] + target["height"] - 5, steps=10)
    page.mouse.up()
    design = wait_for_design(page, lambda d: len(d["blocks"]) == 6, "the dropout dropped")
    assert labels(design["blocks"]) == [
        "conv1",
        "pool1",
        "arg_scope",
        "flatten",
        "logits",
        "dropout",
    ]
    expect(block(page, "blocks[5]")).to_contain_text("dropout")
