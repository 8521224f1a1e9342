"""The Fine-tune journey in headless Chromium: a trained design fine-tuned to the 3 classes of
an image folder, with the convolutions frozen and a learning-rate factor on the head.

A LeNet design trained on the digits (10 outputs) is the checkpoint. On Fine-tune the user
picks the image folder; the page says it has 3 classes and that the head must be
re-initialised, and one click gives the head 3 outputs and leaves it out of the restore.
A pattern freezes the convolutions, one click on a Train cell freezes and unfreezes a scope,
the head gets a learning-rate factor of 10; the trainable parameters follow each choice and
the generated code shows them. The launched job is on the Train page at once and finishes;
the frozen weights in its checkpoint are the pretrained ones. Every wait is for a state.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import Page, expect

from workbench.models.design import template

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
JOB_TIMEOUT_MS = 240_000
CLASSES = ("circles", "lines", "squares")

# LeNet's parameters with a 3-class head: conv1 5*5*1*32 + 32, conv2 5*5*32*64 + 64,
# fc3 7*7*64*1024 + 1024 (28 -> 14 -> 7 after two 2x2 pools), fc4 1024*3 + 3.
CONV1, CONV2, FC3, FC4 = 832, 51_264, 3_212_288, 3_075
TOTAL = CONV1 + CONV2 + FC3 + FC4


@pytest.fixture
def app(app_url: str, page: Page) -> Iterator[Page]:
    """The app on its Build page; the test fails if a script on the page raised."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    yield page
    assert errors == []


def _pretrain(workspace: Path) -> None:
    """`jobs/pretrained`: the LeNet design trained 2 steps on the digits (by the CLI)."""
    config = {
        "name": "pretrained",
        "model": {"design": template("lenet")},
        "dataset": {"kind": "digits", "resize": [28, 28]},
        "train": {"steps": 2, "batch_size": 8, "log_every_n_steps": 1},
    }
    (workspace / "pretrained.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", "workbench", "--workspace", str(workspace), "train"]
    result = subprocess.run(
        [*command, str(workspace / "pretrained.json"), "--logdir", "jobs/pretrained"],
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_MS / 1000,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _image_folder(workspace: Path) -> None:
    """`photos/<class>/<i>.png`: 8x8 gray images, 4 per class."""
    for label, name in enumerate(CLASSES):
        folder = workspace / "photos" / name
        folder.mkdir(parents=True)
        for index in range(4):
            pixels = np.full([8, 8, 1], 30 + 90 * label + index, np.uint8)
            (folder / f"{index}.png").write_bytes(tf.io.encode_png(pixels).numpy())


def _field(page: Page, label: str):
    """The input group whose label is exactly `label`."""
    return page.locator(".bk-input-group:visible").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def _fill(page: Page, label: str, text: str) -> None:
    field = _field(page, label).locator("input").first
    field.fill(text)
    field.press("Enter")


def _scope_cell(page: Page, scope: str, column: str):
    """The `column` cell of the scope table's row for `scope` (shown indented)."""
    name = page.locator('[tabulator-field="Scope"]', has_text=re.compile(rf"^\W*{scope}$"))
    return (
        page.locator(".tabulator-row")
        .filter(has=name)
        .locator(f'[tabulator-field="{column}"]')
        .first
    )


def _trainable(count: int):
    return re.compile(rf"Trainable parameters: {count:,}\s+of {TOTAL:,}")


def test_fine_tune_a_trained_design_to_three_classes_of_an_image_folder(
    app: Page, app_workspace: Path, artifacts_dir: Path
):
    page = app
    _pretrain(app_workspace)
    _image_folder(app_workspace)
    page.locator(".bk-tab", has_text="Train").first.click()
    _fill(page, "Steps", "3")
    page.locator(".bk-tab", has_text="Fine-tune").first.click()
    page.get_by_role("button", name="Refresh jobs").click()
    select = _field(page, "Checkpoint of a job").locator("select")
    option = select.locator("option", has_text="pretrained")
    expect(option).to_be_attached()
    select.select_option(label=option.text_content())
    page.get_by_role("button", name="Compare design with checkpoint").click()
    expect(page.get_by_text("2 matched").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)

    # The data: an image folder of 3 classes; the head of 10 outputs must change.
    _field(page, "Fine-tune on").locator("select").select_option("image_folder")
    _fill(page, "Folder in the workspace (image folder or TFRecords)", "photos")
    expect(page.get_by_text("3 classes in the image folder 'photos'").first).to_be_visible()
    head = page.get_by_text("The logits layer 'fc4' gives 10 outputs")
    expect(head.first).to_be_visible()
    expect(page.get_by_text("The head must be re-initialised").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "journey-finetune-head.png", full_page=True)
    page.get_by_role("button", name="Set num_outputs of 'fc4' to 3 (new head)").click()
    expect(head).to_have_count(0, timeout=RENDER_TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"Re-initialised, not restored .*fc4/weights")).first)
    expect(page.get_by_text("shape mismatch").first).to_be_attached()
    expect(page.get_by_text(_trainable(TOTAL)).first).to_be_visible()

    # The convolutions frozen by a pattern; one click freezes fc3, another trains it again.
    _fill(page, "Scopes matching (regular expression, whole path)", "conv.*")
    _field(page, "Set").locator("select").select_option("Freeze")
    page.get_by_role("button", name="Apply to matching scopes").click()
    expect(page.get_by_text("Freeze set on 2 scopes.").first).to_be_visible()
    expect(page.get_by_text(_trainable(FC3 + FC4)).first).to_be_visible()
    _scope_cell(page, "fc3", "Train").click()
    expect(page.get_by_text(_trainable(FC4)).first).to_be_visible()
    # The table is drawn anew after each choice: click the new one.
    expect(_scope_cell(page, "fc3", "Train")).to_have_attribute("aria-checked", "false")
    _scope_cell(page, "fc3", "Train").click()
    expect(_scope_cell(page, "fc3", "Train")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_text(_trainable(FC3 + FC4)).first).to_be_visible()

    # A learning-rate factor of 10 on the head, in the plan and in the generated code.
    _fill(page, "Scopes matching (regular expression, whole path)", "fc4")
    _field(page, "Set").locator("select").select_option("Learning-rate multiplier")
    _fill(page, "Multiplier", "10")
    page.get_by_role("button", name="Apply to matching scopes").click()
    expect(page.get_by_text("Learning-rate multiplier set on 1 scope.").first).to_be_visible()
    expect(page.get_by_text("lr_multipliers = {'fc4': 10.0}").first).to_be_attached()
    expect(page.get_by_text("gradient_multipliers=gradient_multipliers").first).to_be_attached()
    page.screenshot(path=artifacts_dir / "journey-finetune-choices.png", full_page=True)

    page.get_by_role("button", name="Launch fine-tuning job").click()
    expect(page.get_by_text("follow it on the Train page").first).to_be_visible()
    launched = page.get_by_text(re.compile(r"Launched: "))
    logdir = re.search(r"Launched: (\S+);", launched.first.text_content()).group(1)
    page.locator(".bk-tab", has_text="Train").first.click()
    jobs = _field(page, "Jobs in this workspace").locator("option")
    expect(jobs.first).to_contain_text(
        re.compile(r"lenet-finetune-image_folder: (starting|running|finished)")
    )
    expect(jobs.first).to_contain_text("finished", timeout=JOB_TIMEOUT_MS)
    page.screenshot(path=artifacts_dir / "journey-finetune-trained.png", full_page=True)

    config = json.loads((Path(logdir) / "job.json").read_text())
    assert config["dataset"]["kind"] == "image_folder"
    assert config["restore"]["gradient_multipliers"] == {"fc4": 10.0}
    before = tf.train.load_checkpoint(str(app_workspace / "jobs" / "pretrained"))
    after = tf.train.load_checkpoint(logdir)
    for frozen in ("conv1/weights", "conv1/biases", "conv2/weights", "conv2/biases"):
        np.testing.assert_array_equal(after.get_tensor(frozen), before.get_tensor(frozen))
    assert not np.array_equal(after.get_tensor("fc3/weights"), before.get_tensor("fc3/weights"))
    assert after.get_tensor("fc4/weights").shape == (1024, 3)
