"""Journeys across visits in a real headless Chromium: work is never lost.

A small convnet built from an empty design with the mouse (palette entries dragged into the
canvas and into an arg_scope, arguments typed in the property sheet) is found again after a
refresh (it is kept as the browser's draft in the workspace), also across a server restart,
and does not show in another browser; loading a template over it asks first, and Undo brings
it back. Every wait is for a state: the draft on disk, a block on the canvas.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

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


def _mouse_drag(page: Page, source: Locator, target: Locator, *, at: str = "middle") -> None:
    """Drags `source` onto `target` with the mouse, as a hand does: press, move in steps,
    release. `at` is where on the target: its "middle", or its "bottom" edge (after it)."""
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1 = end["x"] + min(80, end["width"] / 2)
    y1 = end["y"] + (end["height"] - 5 if at == "bottom" else end["height"] / 2)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 10, y0 + 6, steps=3)
    page.mouse.move(x1, y1, steps=15)
    page.mouse.up()


def _property(page: Page, name: str) -> Locator:
    """The property sheet's text field for the argument or field `name`."""
    label = page.locator("label", has_text=re.compile(rf"^{re.escape(name)}( \*)?$"))
    return page.locator(".bk-input-group:visible").filter(has=label).locator("input").first


def _set(page: Page, name: str, text: str) -> None:
    field = _property(page, name)
    field.fill(text)
    field.press("Enter")


def _drop_layer(page: Page, op: str, path: str, *, after: str | None = None) -> None:
    """Drags the palette's `op` into the arg_scope (empty) or `after` the block at that path;
    returns once the new block at `path` is selected and its sheet is shown."""
    item = page.locator(f'.wb-item[data-op="{op}"]')
    if after is None:
        _mouse_drag(page, item, page.locator(f'.wb-list[data-container="{SCOPE}.blocks"]'))
    else:
        _mouse_drag(page, item, page.locator(f'.wb-block[data-path="{after}"]'), at="bottom")
    expect(page.locator(f'.wb-selected[data-path="{path}"][data-kind="layer"]')).to_be_attached()
    expect(page.get_by_text(path, exact=True)).to_be_visible()


#: The small convnet built by hand: its blocks, and its shapes on 28x28x1 (VALID 5x5 kernels
#: take 4 rows and columns, 2x2 pools halve): 24, 12, 8, 4; 4*4*32 = 512 features, 10 logits.
SCOPE = "blocks[0]"
SMALL_CONVNET = [
    {
        "kind": "arg_scope",
        "ops": ["conv2d"],
        "defaults": {"padding": "VALID"},
        "blocks": [
            {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 16, "kernel_size": [5, 5]},
             "scope": "conv1"},
            {"kind": "layer", "op": "max_pool2d", "args": {"kernel_size": [2, 2]}},
            {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 32, "kernel_size": [5, 5]},
             "scope": "conv2"},
            {"kind": "layer", "op": "max_pool2d", "args": {"kernel_size": [2, 2]}},
            {"kind": "layer", "op": "flatten", "args": {}},
            {"kind": "layer", "op": "fully_connected",
             "args": {"num_outputs": 10, "activation_fn": None}, "scope": "logits"},
        ],
    }
]  # fmt: skip
SHAPES = ["[24, 24, 16]", "[12, 12, 16]", "[8, 8, 32]", "[4, 4, 32]", "[512]", "[10]"]
CODE_LINE = 'net = slim.conv2d(net, 32, [5, 5], scope="conv2")'


def _shows_the_small_convnet(page: Page) -> None:
    for index, shape in enumerate(SHAPES):
        block = page.locator(f'.wb-block[data-path="{SCOPE}.blocks[{index}]"]')
        expect(block.locator(".wb-shape").first).to_have_text(f"\u2192 {shape}")
    expect(page.get_by_text(CODE_LINE).first).to_be_attached()


def test_a_convnet_built_by_dragging_survives_a_refresh_and_a_template_loaded_over_it(
    app_url: str, app_workspace: Path, page: Page, other_page: Page, artifacts_dir: Path
):
    _open(page, app_url)
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("empty")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("Started an empty design.").first).to_be_visible()
    expect(page.get_by_text("Drop layers from the palette here")).to_be_visible()

    # (1) An arg_scope into the empty design, the layers into it, each set in its sheet.
    _mouse_drag(
        page,
        page.locator('.wb-item[data-kind="arg_scope"]'),
        page.locator('.wb-list[data-container="blocks"]'),
    )
    expect(page.locator(f'.wb-selected[data-path="{SCOPE}"]')).to_be_attached()
    _drop_layer(page, "conv2d", f"{SCOPE}.blocks[0]")
    _set(page, "num_outputs", "16")
    _set(page, "kernel_size", "(5, 5)")
    _set(page, "scope", "conv1")
    expect(page.locator(".wb-scope", has_text="conv1")).to_be_visible()
    _drop_layer(page, "max_pool2d", f"{SCOPE}.blocks[1]", after=f"{SCOPE}.blocks[0]")
    _drop_layer(page, "conv2d", f"{SCOPE}.blocks[2]", after=f"{SCOPE}.blocks[1]")
    _set(page, "num_outputs", "32")
    _set(page, "kernel_size", "[5, 5]")
    _set(page, "scope", "conv2")
    expect(page.locator(".wb-scope", has_text="conv2")).to_be_visible()
    _drop_layer(page, "max_pool2d", f"{SCOPE}.blocks[3]", after=f"{SCOPE}.blocks[2]")
    _drop_layer(page, "flatten", f"{SCOPE}.blocks[4]", after=f"{SCOPE}.blocks[3]")
    _drop_layer(page, "fully_connected", f"{SCOPE}.blocks[5]", after=f"{SCOPE}.blocks[4]")
    _set(page, "scope", "logits")
    expect(page.locator(".wb-scope", has_text="logits")).to_be_visible()
    # Left at its default, the logits layer applies relu: the page says so until it is None.
    relu_logits = page.get_by_text("applies relu (its default) to the logits")
    expect(relu_logits.first).to_be_visible()
    expect(page.get_by_role("button", name="Set activation_fn=None on 'logits'")).to_be_visible()
    activation = page.locator(".bk-input-group:visible").filter(
        has=page.locator("label", has_text=re.compile(r"^activation_fn$"))
    )
    activation.locator("select").first.select_option(label="None")
    expect(page.locator(".wb-arg", has_text="activation_fn=None")).to_be_visible()
    expect(relu_logits.first).to_be_hidden()
    # The arg_scope's sheet: its ops, then a default for them.
    page.locator(f'.wb-block[data-path="{SCOPE}"] > .wb-head').first.click()
    expect(page.get_by_text(SCOPE, exact=True)).to_be_visible()
    ops = page.locator(".bk-input-group:visible", has_text="separable_conv2d").first
    ops.get_by_label("conv2d", exact=True).check()
    padding = page.locator(".bk-input-group:visible", has_text="padding").locator("select")
    padding.select_option("VALID")
    _shows_the_small_convnet(page)
    page.screenshot(path=artifacts_dir / "journey-built-by-dragging.png", full_page=True)
    _wait_for_draft(app_workspace, lambda draft: draft["blocks"] == SMALL_CONVNET)

    # The refreshed page finds the same design.
    page.reload()
    expect(page.get_by_text("Restored the design 'model' you were editing.")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    _shows_the_small_convnet(page)
    page.screenshot(path=artifacts_dir / "journey-built-after-refresh.png", full_page=True)

    # (2) Loading a template over it asks first; Undo brings it back.
    _choose(page, "Template", "cifarnet")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("has unsaved changes").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "journey-replace-asks.png", full_page=True)
    page.get_by_role("button", name="Replace").click()
    expect(page.get_by_text("Loaded template 'cifarnet'.").first).to_be_visible()
    expect(page.get_by_text(CODE_LINE)).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-replaced-by-template.png", full_page=True)
    page.get_by_role("button", name="\u21b6 Undo").click()
    _shows_the_small_convnet(page)
    # The property sheet (nothing selected: the design's) follows the design back too.
    expect(_property(page, "input.shape")).to_have_value("[28, 28, 1]")
    expect(_property(page, "name")).to_have_value("model")
    expect(page.locator(".bk-input-group", has_text="Save as").locator("input")).to_have_value(
        "model"
    )
    page.screenshot(path=artifacts_dir / "journey-undo-replace.png", full_page=True)
    _wait_for_draft(app_workspace, lambda draft: draft["blocks"] == SMALL_CONVNET)

    # Another browser starts from the LeNet template, not from this browser's draft.
    _open(other_page, app_url)
    expect(other_page.locator('.wb-block[data-path="blocks[0]"]').first).to_contain_text("conv1")
    expect(other_page.get_by_text(CODE_LINE)).to_have_count(0)


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
