"""The app for a class on a projector, and editing arg_scopes, in headless Chromium.

At 1024x768 no page is wider than the window and every button shown lies inside it. At
1400x900 the Build page's how-to is in view at first sight, the generated code is readable
and moves beside the canvas when "Code beside the canvas" (its text, clicked) is ticked
(below it at 1024 px, where the canvas would be squeezed), a Build message moves nothing,
and the Train page's Start (its charts' place saying what will appear there before any job)
and the Fine-tune page's Launch are in view without scrolling. On the canvas a layer shows what
it inherits from its arg_scope; a default that an op added to the scope does not take is
shown on the property sheet with a button clearing it; the scope's ops checkboxes offer every
op an arg_scope can list. No page logs an error or asks anything of a host but 127.0.0.1.
Screenshots go to test-artifacts/. Every wait is for a state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from workbench.models.editor.fields import arg_scope_ops

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
#: Inspect builds the design with TensorFlow the first time it opens.
BUILD_TIMEOUT_MS = 180_000
NETWORK = ("http", "https", "ws", "wss")
SMALL = {"width": 1024, "height": 768}
WIDE = {"width": 1400, "height": 900}
#: Each page, and a text that shows once it is drawn.
PAGES = {
    "Build": "→ [10]",
    "Inspect": "Total params",
    "Train": "New training job",
    "Fine-tune": "Compare design with checkpoint",
}
#: How far the page reaches past the window sideways, and the visible buttons that do.
OUTSIDE = """() => {
  const width = window.innerWidth
  const clipped = []
  const walk = (root) => {
    for (const el of root.querySelectorAll("button")) {
      const box = el.getBoundingClientRect()
      if (box.width > 0 && box.height > 0 && el.checkVisibility() && (box.left < 0 || box.right > width)) {
        clipped.push(`${(el.textContent || el.title).trim()} [${Math.round(box.left)}, ${Math.round(box.right)}]`)
      }
    }
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) walk(el.shadowRoot)
    }
  }
  walk(document)
  return {overflow: document.scrollingElement.scrollWidth - width, clipped}
}"""


@contextlib.contextmanager
def _page(browser: Browser, url: str, viewport: dict) -> Iterator[Page]:
    """The app at `viewport`; fails if the page logged an error or reached past 127.0.0.1."""
    page = browser.new_context(viewport=viewport).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/app")
    expect(page.get_by_text(PAGES["Build"]).first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    yield page
    page.context.close()
    assert errors == []
    # blob: and data: URLs are the page's own; anything fetched over the network counts.
    remote = [
        u
        for u in requested
        if urlsplit(u).scheme in NETWORK and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert remote == [], f"the page reached beyond 127.0.0.1: {remote}"


@pytest.fixture
def small(app_url: str, ui_browser: Browser) -> Iterator[Page]:
    with _page(ui_browser, app_url, SMALL) as page:
        yield page


@pytest.fixture
def wide(app_url: str, ui_browser: Browser) -> Iterator[Page]:
    with _page(ui_browser, app_url, WIDE) as page:
        yield page


def _open_tab(page: Page, name: str) -> None:
    page.locator(".bk-tab", has_text=name).first.click()
    timeout = BUILD_TIMEOUT_MS if name == "Inspect" else RENDER_TIMEOUT_MS
    expect(page.get_by_text(PAGES[name]).first).to_be_visible(timeout=timeout)


def test_every_page_fits_a_1024x768_window(small: Page, artifacts_dir: Path):
    page = small
    for name in PAGES:
        _open_tab(page, name)
        page.screenshot(path=artifacts_dir / f"projector-1024-{name.lower()}.png")
        outside = page.evaluate(OUTSIDE)
        assert outside["overflow"] <= 0, f"{name}: {outside['overflow']} px past the window"
        assert outside["clipped"] == [], f"{name}: buttons past the window: {outside['clipped']}"
    # Fine-tune's generated code, as the Build page's, is readable on a projector.
    _open_tab(page, "Fine-tune")
    restore = page.locator(".codehilite > pre > code", has_text="restore code").first
    assert restore.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 14
    # The buttons people reach for most, each named.
    _open_tab(page, "Build")
    for label in ("Load template", "Save", "Open"):
        expect(page.get_by_role("button", name=label, exact=True)).to_be_in_viewport()


def test_at_1024_the_code_goes_below_the_canvas_and_a_message_moves_nothing(
    small: Page, artifacts_dir: Path
):
    page = small
    canvas = page.locator(".wb-root")
    first = canvas.bounding_box()
    # A message appears above the canvas in the room kept for it: the canvas stays put.
    page.get_by_role("button", name="Load template", exact=True).click()
    expect(page.get_by_text("Loaded template 'lenet'").first).to_be_visible()
    assert canvas.bounding_box() == first

    # Too narrow for the code beside the canvas and its sheet: it goes below the canvas,
    # whose width stays as it was, and stays readable and inside the window.
    page.get_by_text("Code beside the canvas", exact=True).click()
    toggle = page.locator(".bk-Checkbox", has_text="Code beside the canvas").locator("input")
    expect(toggle).to_be_checked()
    code = page.locator(".codehilite > pre", has_text="import slimlib as slim").first
    expect(page.get_by_text("Generated slimlib code", exact=True)).to_be_hidden()
    expect(code).to_be_attached()
    box, drawn = code.bounding_box(), canvas.bounding_box()
    assert box["y"] >= drawn["y"] + drawn["height"], (box, drawn)
    # Right below the canvas, above the versions (the code card is below those).
    versions = page.get_by_text("Versions of the saved design", exact=True).bounding_box()
    assert box["y"] < versions["y"], (box, versions)
    assert drawn["width"] == first["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL["width"], box
    size = code.evaluate("el => parseFloat(getComputedStyle(el.querySelector('code')).fontSize)")
    assert size >= 14
    assert page.evaluate(OUTSIDE)["overflow"] <= 0
    code.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "projector-1024-code-below.png")


def test_how_to_code_beside_the_canvas_and_start_in_view(wide: Page, artifacts_dir: Path):
    page = wide
    how_to = page.get_by_label("How to build a model")
    expect(how_to).to_be_in_viewport(ratio=1)
    expect(how_to).to_contain_text("Drag a layer from the Palette")
    expect(how_to).to_contain_text("Start on the Train page")
    code = page.locator(".codehilite > pre", has_text="import slimlib as slim").first
    assert (
        float(
            code.evaluate("el => parseFloat(getComputedStyle(el.querySelector('code')).fontSize)")
        )
        >= 14
    )
    canvas = page.locator(".wb-root").bounding_box()
    assert code.bounding_box()["y"] > canvas["y"] + canvas["height"]  # Below the canvas.

    # The checkbox's text toggles it, and the code moves beside the canvas.
    toggle = page.locator(".bk-Checkbox", has_text="Code beside the canvas").locator("input")
    expect(toggle).not_to_be_checked()
    page.get_by_text("Code beside the canvas", exact=True).click()
    beside = page.locator(".codehilite > pre", has_text="import slimlib as slim").first
    expect(toggle).to_be_checked()
    expect(beside).to_be_in_viewport()
    box, canvas = beside.bounding_box(), page.locator(".wb-root").bounding_box()
    assert box["x"] > canvas["x"] + canvas["width"]
    assert box["x"] + box["width"] <= WIDE["width"]
    # The narrower canvas keeps its buttons whole: they wrap to a second line instead.
    for button in page.locator(".wb-toolbar .wb-button").all():
        edge = button.bounding_box()
        assert edge["x"] + edge["width"] <= canvas["x"] + canvas["width"], button.text_content()
    page.screenshot(path=artifacts_dir / "projector-1400-code-beside.png")
    page.get_by_text("Code beside the canvas", exact=True).click()
    expect(toggle).not_to_be_checked()
    expect(beside).not_to_be_in_viewport()

    _open_tab(page, "Train")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_in_viewport(ratio=1)
    # Before any job the charts' place says what will appear there.
    expect(page.get_by_text("Start a job to see its loss and accuracy here.")).to_be_visible()
    page.screenshot(path=artifacts_dir / "projector-1400-train.png")
    # Fine-tune's Launch is where Train's Start is: in view without scrolling.
    _open_tab(page, "Fine-tune")
    launch = page.get_by_role("button", name="Launch fine-tuning job", exact=True)
    expect(launch).to_be_in_viewport(ratio=1)


def test_arg_scope_inherited_arguments_stale_default_and_every_op(wide: Page, artifacts_dir: Path):
    page = wide
    # LeNet's conv1 sets no activation: it inherits relu from the arg_scope around it.
    conv1 = page.locator('.wb-block[data-path="blocks[0].blocks[0]"]')
    inherited = conv1.locator('.wb-inherited[data-arg="activation_fn"]').first
    expect(inherited).to_have_text("activation_fn='relu'")
    expect(inherited).to_have_attribute(
        "title", "activation_fn='relu', inherited from the arg_scope at blocks[0]"
    )

    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    # Select the arg_scope; its ops picker offers every op an arg_scope can list.
    page.locator('.wb-block[data-path="blocks[0]"] > .wb-head').first.click()
    ops = page.locator(".bk-input-group:visible", has_text="separable_conv2d").first
    offered = ops.locator("label")
    expect(offered).to_have_count(len(arg_scope_ops()))
    assert sorted(t.strip() for t in offered.all_text_contents()) == sorted(arg_scope_ops())
    chosen = ops.locator("label", has=page.locator("input:checked"))
    expect(chosen).to_have_count(2)
    assert [t.strip() for t in chosen.all_text_contents()] == ["conv2d", "fully_connected"]

    # conv2d alone, padding VALID; then fully_connected again, which takes no padding.
    ops.get_by_label("fully_connected", exact=True).uncheck()
    padding = page.locator(".bk-input-group:visible", has_text="padding").locator("select")
    padding.select_option("VALID")
    expect(page.get_by_text("→ [24, 24, 32]").first).to_be_visible()
    ops.get_by_label("fully_connected", exact=True).check()
    note = page.get_by_role("alert").filter(has_text="fully_connected takes no 'padding'")
    expect(note).to_be_visible()
    expect(page.locator('.wb-block.wb-invalid[data-path="blocks[0]"]')).to_be_attached()
    page.screenshot(path=artifacts_dir / "edit-stale-arg-scope-default.png")
    page.get_by_role("button", name="Clear padding").click()
    expect(note).to_have_count(0)
    expect(page.locator('.wb-block.wb-invalid[data-path="blocks[0]"]')).to_have_count(0)
    expect(page.get_by_text("→ [28, 28, 32]").first).to_be_visible()
    # No sheet logged Choices.js's warning about rendering its labels as HTML.
    assert [w for w in warnings if "allowHTML" in w] == []
