"""Markup in what people type or keep in a shared workspace stays text in a real browser.

A design name and a name typed into Save as, a failed job's error and traceback and a class folder on disk each
hold `<img src=x onerror=alert(1)>` or a `<script>`: on Build, Inspect, Train and Fine-tune
the page shows them as typed, no such element exists anywhere in the page (its shadow roots
included) and no dialog opens. Every wait is for the quoted text to show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
#: Counts, through every shadow root, the elements the markup above would have made.
INJECTED = """() => {
  let count = 0
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.tagName
      if ((tag === "IMG" && el.getAttribute("src") === "x") ||
          (tag === "SCRIPT" && el.textContent.includes("alert(")) ||
          (tag === "B" && el.textContent === "cats")) {
        count += 1
      }
      if (el.shadowRoot) walk(el.shadowRoot)
    }
  }
  walk(document)
  return count
}"""


def _seed(workspace: Path) -> None:
    """A failed job quoting markup, and an image folder whose class folders are named with it."""
    job = workspace / "jobs" / "broken"
    job.mkdir(parents=True)
    (job / "job.json").write_text(json.dumps({"name": "broken", "model": {"net": "lenet"}}))
    status = {"state": "failed", "step": 3, "error": f"ValueError: {SCRIPT}"}
    (job / "status.json").write_text(json.dumps({**status, "traceback": f"  raise {IMG}\n"}))
    pixels = tf.io.encode_png(np.zeros([8, 8, 1], np.uint8)).numpy()
    for name in ("<b>cats", "dogs"):
        (workspace / "photos" / name).mkdir(parents=True)
        (workspace / "photos" / name / "0.png").write_bytes(pixels)
    (workspace / "photos" / IMG).mkdir()  # No images: the data alert names it.


@pytest.fixture
def app(app_url: str, app_workspace: Path, page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The app on its Build page, and the dialogs it opens; fails if a script raised."""
    _seed(app_workspace)
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def dialog(d) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    yield page, dialogs
    assert errors == []


def _field(page: Page, label: str):
    return page.locator(".bk-input-group:visible").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def _assert_inert(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate(INJECTED) == 0
    assert dialogs == []


def test_markup_in_names_jobs_and_folders_stays_text_on_every_page(app):
    page, dialogs = app
    # Build: the design named with markup (the sheet shows the design's fields when no block
    # is selected); the canvas titles it, and replacing it asks first, quoting the name.
    name = _field(page, "name").locator("input")
    name.fill(IMG)
    name.press("Enter")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("has unsaved changes").first).to_be_visible()
    _assert_inert(page, dialogs)
    expect(page.get_by_text(f"The design '{IMG}' has unsaved changes").first).to_be_visible()
    expect(page.locator(".wb-title", has_text=IMG).first).to_be_visible()
    page.get_by_role("button", name="Keep editing").click()
    # Build: a name that is no design name is refused, quoted as typed.
    save_as = _field(page, "Save as").locator("input")
    save_as.fill(IMG)
    save_as.press("Enter")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Not saved:").first).to_be_visible()
    _assert_inert(page, dialogs)
    expect(page.get_by_text(f"got '{IMG}'").first).to_be_visible()

    page.locator(".bk-tab", has_text="Inspect").first.click()
    expect(page.get_by_text("Total params").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    _assert_inert(page, dialogs)

    # Train: the failed job's error and traceback, as they were written.
    page.locator(".bk-tab", has_text="Train").first.click()
    expect(page.get_by_text("ValueError:").first).to_be_visible()
    _assert_inert(page, dialogs)
    expect(page.get_by_text(f"ValueError: {SCRIPT}").first).to_be_visible()
    expect(page.get_by_text(f"raise {IMG}").first).to_be_visible()

    # Fine-tune: class folder names read from disk.
    page.locator(".bk-tab", has_text="Fine-tune").first.click()
    _field(page, "Fine-tune on").locator("select").select_option("image_folder")
    folder = _field(page, "Folder in the workspace (image folder or TFRecords)").locator("input")
    folder.fill("photos")
    folder.press("Enter")
    expect(page.get_by_text("has no images").first).to_be_visible()
    _assert_inert(page, dialogs)
    expect(page.get_by_text("<b>cats/0.png").first).to_be_visible()
    expect(page.get_by_text(f"'photos/{IMG}' has no images").first).to_be_visible()
