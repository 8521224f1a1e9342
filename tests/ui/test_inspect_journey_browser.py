"""Inspect journey in headless Chromium: a net dropped from the palette has the counts
`slim-workbench summary` prints for the same design, the page says which mode (inference or
training) it shows and training adds the batch norms' UPDATE_OPS, and the diagram fits the
window (Fit shows all of it at 1024x768 and 1400x900), zooms, and folds and unfolds a scope.
Every wait is for a state."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.serving import ROOT

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
# What `slim-workbench summary` prints for slimlib's lenet on 28x28x1 (checked below).
LENET_PARAMS = "3,274,634"
LENET_CALLS = 9


def _saved_draft(workspace: Path, net: str, timeout_s: float = 60.0) -> Path:
    """The browser's draft file once it holds a `net` block named `net` (drafts are written
    a moment after each change)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for draft in workspace.rglob(".drafts/*.json"):
            try:
                blocks = json.loads(draft.read_text())["blocks"]
            except (OSError, ValueError, KeyError):
                continue
            if [b.get("name") for b in blocks] == [net]:
                return draft
        time.sleep(0.2)
    raise AssertionError(f"no draft holding only the net {net!r} in {workspace}")


def _summary_totals(design: Path) -> tuple[str, int]:
    """`(parameters, layer calls)` from the last line `slim-workbench summary` prints."""
    out = subprocess.run(
        [str(Path(sys.executable).with_name("slim-workbench")), "summary", str(design)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    found = re.search(r"total: (\d+) layers, ([\d,]+) parameters", out)
    assert found, out
    return found[2], int(found[1])


def _start_empty(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("empty")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("Started an empty design.").first).to_be_visible()


def _inside(drawn: dict, outer: dict, *, whole: bool) -> bool:
    """Whether `drawn` lies within `outer` sideways and starts below its top (and, `whole`,
    ends above its bottom), to a pixel."""
    sideways = drawn["x"] >= outer["x"] - 1 and (
        drawn["x"] + drawn["width"] <= outer["x"] + outer["width"] + 1
    )
    top = drawn["y"] >= outer["y"] - 1
    bottom = drawn["y"] + drawn["height"] <= outer["y"] + outer["height"] + 1
    return sideways and top and (bottom or not whole)


# Windows in which Fit must show the whole drawing: a small laptop's and a larger one's.
FIT_WINDOWS = ({"width": 1024, "height": 768}, {"width": 1400, "height": 900})


def _fit_shows_it_whole(page: Page, artifacts_dir: Path, name: str) -> None:
    """In each of `FIT_WINDOWS`, Fit (after a zoom) shows the whole drawing within the
    diagram's box and within the window (the box may be taller than what the window shows)."""
    view = page.locator(".wb-diagram-view")
    for window in FIT_WINDOWS:
        page.set_viewport_size(window)
        page.get_by_role("button", name="+", exact=True).click()
        expect(view).not_to_have_attribute("data-fit", "whole")
        page.get_by_role("button", name="Fit", exact=True).click()
        expect(view).to_have_attribute("data-fit", "whole")
        drawn = view.locator("svg").bounding_box()
        assert _inside(drawn, view.bounding_box(), whole=True), (window, drawn)
        assert _inside(drawn, {"x": 0, "y": 0, **window}, whole=True), (window, drawn)
        size = f"{window['width']}x{window['height']}"
        page.screenshot(path=artifacts_dir / f"journey-inspect-{name}-fit-{size}.png")


def _scale(page: Page) -> float:
    return float(page.locator(".wb-diagram-view").get_attribute("data-scale"))


def test_a_palette_net_has_the_summarys_counts_and_its_diagram_folds_and_zooms(
    app_url: str, app_workspace: Path, page: Page, artifacts_dir: Path
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _start_empty(page, app_url)
    page.locator('.wb-item[data-kind="net"][data-op="lenet"]').drag_to(
        page.locator('.wb-list[data-container="blocks"]')
    )
    expect(page.get_by_text("→ [10]").first).to_be_visible()
    params, calls = _summary_totals(_saved_draft(app_workspace, "lenet"))
    assert (params, calls) == (LENET_PARAMS, LENET_CALLS)

    page.locator(".bk-tab", has_text="Inspect").first.click()
    expect(page.get_by_text(LENET_PARAMS).first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(page.get_by_text("6,549,268")).to_have_count(0)
    calls_number = re.compile(rf"^Layer calls\s*{LENET_CALLS}$")
    expect(page.locator("div", has_text=calls_number).first).to_be_visible()
    expect(page.get_by_text("for inference").first).to_be_visible()

    # The diagram opens fitted to the window's width, from its top, readable.
    view = page.locator(".wb-diagram-view")
    expect(view.locator("svg")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(view).to_have_attribute("data-scale", re.compile(r"\d"))
    assert view.bounding_box()["height"] >= 400
    assert _inside(view.locator("svg").bounding_box(), view.bounding_box(), whole=False)
    assert _scale(page) >= 0.6  # Readable: 0.8 unless the width needs less.
    page.screenshot(path=artifacts_dir / "journey-inspect-net.png", full_page=True)

    # Fold the LeNet scope by clicking its box: one node with the net's totals.
    view.locator("g.cluster text", has_text="LeNet").first.click()
    folded = view.locator('g[id^="wb-s"]')
    expect(folded).to_have_count(1)
    expect(folded).to_contain_text("LeNet [+]")
    # All but the softmax `Predictions`, which the net makes outside its scope.
    expect(folded).to_contain_text(f"{LENET_CALLS - 1} layer calls")
    expect(folded).to_contain_text("3.27M params")
    expect(view.locator("g.node", has_text="conv1")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-inspect-folded.png", full_page=True)
    # Open it again by clicking the folded node.
    folded.click()
    expect(view.locator("g.node", has_text="conv1")).to_have_count(1)
    expect(folded).to_have_count(0)

    # Zoom with the buttons and Ctrl+wheel; Fit shows the whole drawing.
    first = _scale(page)
    page.get_by_role("button", name="+", exact=True).click()
    expect(view).not_to_have_attribute("data-scale", f"{first:.4f}")
    assert _scale(page) == pytest.approx(first * 1.25, rel=1e-3)
    box = view.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
    zoomed = _scale(page)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 300)  # Down: zoom out.
    page.keyboard.up("Control")
    expect(view).not_to_have_attribute("data-scale", f"{zoomed:.4f}")
    assert _scale(page) < zoomed
    page.get_by_role("button", name="Fit", exact=True).click()
    expect(page.locator(".wb-diagram-zoom")).not_to_have_text(re.compile(r"^$"))
    assert _inside(view.locator("svg").bounding_box(), view.bounding_box(), whole=True)
    page.screenshot(path=artifacts_dir / "journey-inspect-fit.png", full_page=True)
    _fit_shows_it_whole(page, artifacts_dir, "net")

    # At 1024 px the layer table keeps to the window: its long last column wraps.
    page.set_viewport_size(FIT_WINDOWS[0])
    page.locator(".bk-tab", has_text="Layers").first.click()
    header = page.locator(".tabulator-col", has_text="Arguments set").first
    expect(header).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    cell = page.locator(".tabulator-cell", has_text="num_outputs=32 (call)").first
    expect(cell).to_be_visible()
    table = page.locator(".tabulator", has=header).first
    for box in (table.bounding_box(), header.bounding_box(), cell.bounding_box()):
        assert box["x"] + box["width"] <= FIT_WINDOWS[0]["width"], box
    assert cell.bounding_box()["height"] > 2 * header.bounding_box()["height"]  # Wrapped.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= FIT_WINDOWS[0]["width"]
    page.screenshot(path=artifacts_dir / "journey-inspect-layers-1024x768.png")
    assert errors == []


def test_training_mode_lists_the_batch_norm_updates(app_url: str, page: Page, artifacts_dir: Path):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    select = page.locator(".bk-input-group", has_text="Template").locator("select")
    select.select_option("resnet_small")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("block3").first).to_be_visible()
    page.locator(".bk-tab", has_text="Inspect").first.click()
    expect(page.get_by_text("for inference").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.locator(".bk-tab", has_text="Collections").first.click()
    expect(page.locator(".bk-tab", has_text="UPDATE_OPS (0)")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    page.get_by_role("button", name="Training", exact=True).click()
    expect(page.get_by_text("for training").first).to_be_visible()
    # 9 batch norms, each updating its moving mean and its moving variance.
    expect(page.locator(".bk-tab", has_text="UPDATE_OPS (18)")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    page.locator(".bk-tab", has_text="UPDATE_OPS (18)").click()
    expect(page.get_by_text("AssignMovingAvg").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "journey-inspect-update-ops.png", full_page=True)
    assert errors == []


def test_a_big_net_opens_folded_and_a_block_unfolds_with_its_branches_in_order(
    app_url: str, app_workspace: Path, page: Page, artifacts_dir: Path
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _start_empty(page, app_url)
    # Inception v3 takes 299x299 RGB images: the design's input first, then the net.
    shape = page.locator(".bk-input-group", has_text="input.shape").locator("input")
    shape.fill("[299, 299, 3]")
    shape.press("Enter")
    expect(page.get_by_text("299, 299, 3").first).to_be_visible()
    page.locator('.wb-item[data-kind="net"][data-op="inception_v3"]').drag_to(
        page.locator('.wb-list[data-container="blocks"]')
    )
    params, calls = _summary_totals(_saved_draft(app_workspace, "inception_v3"))
    assert calls == 211
    page.locator(".bk-tab", has_text="Inspect").first.click()
    expect(page.get_by_text(params).first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    view = page.locator(".wb-diagram-view")
    folded = view.locator('g[id^="wb-s"]')
    # Its 11 Mixed blocks, the aux head and the logits, each one node with its totals.
    expect(folded).to_have_count(13, timeout=RENDER_TIMEOUT_MS)
    expect(folded.filter(has_text="Mixed_5b [+]")).to_contain_text("256K params")
    page.screenshot(path=artifacts_dir / "journey-inspect-big-net.png", full_page=True)
    _fit_shows_it_whole(page, artifacts_dir, "big-net")
    page.set_viewport_size({"width": 1280, "height": 800})

    folded.filter(has_text="Mixed_5b [+]").click()
    expect(folded).to_have_count(12)
    branches = [view.locator("g.cluster", has_text=f"Branch_{i}").first for i in range(4)]
    for branch in branches:
        expect(branch).to_be_attached()
    lefts = [branch.bounding_box()["x"] for branch in branches]
    assert lefts == sorted(lefts), lefts
    page.screenshot(path=artifacts_dir / "journey-inspect-big-net-unfolded.png", full_page=True)
    assert errors == []
