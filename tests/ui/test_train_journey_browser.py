"""The Train page journey in headless Chromium: a design that does not fit is fixed before Start.

CifarNet on the built-in digits: the Train page shows, before Start, that the design's
3-channel input does not fit the 1-channel digits; Start is refused while it stands (no job
is made); one click sets the input, and the job then trains past 90% validation accuracy. A job of the LeNet design is
named after it, the list and the status line show the same step, and a stopped job reads as
stopped, with no error. A job launched from Fine-tune is on the Train page's list without a
reload. Every wait is for a state.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workbench.models.design import template

pytestmark = pytest.mark.ui

RENDER_TIMEOUT_MS = 60_000
JOB_TIMEOUT_MS = 240_000
#: A job that trains: jobs run at niceness 10, so with both cores busy with other work they
#: get a small share of them (17 s of CPU took over 5 minutes with a load of 10).
TRAIN_TIMEOUT_MS = 600_000


@pytest.fixture
def app(app_url: str, page: Page) -> Iterator[Page]:
    """The app on its Build page; the test fails if a script on the page raised or the
    console logged an error."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{app_url}/app")
    expect(page.get_by_text("→ [10]").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    yield page
    assert errors == []


def _fill(page: Page, label: str, text: str) -> None:
    field = page.locator(".bk-input-group", has_text=label).locator("input").first
    field.fill(text)
    field.press("Enter")


def _job_folders(workspace: Path) -> set[str]:
    jobs = workspace / "jobs"
    return {p.name for p in jobs.iterdir()} if jobs.is_dir() else set()


#: Steps of the CifarNet journey: 200 steps of 32 digits (momentum 0.9, learning rate 0.01)
#: reach 96% on the 297 validation digits (150 steps: 93%, 100 at rate 0.02: 90%), in
#: about 17 s of CPU time, 20 s on a free core.
CIFARNET_STEPS = 200
VALIDATION = re.compile(r"Validation at step 200 \(297 examples\): accuracy (0\.\d+)")


def test_cifarnet_on_the_digits_is_fixed_before_start_and_trains_past_90_percent(
    app: Page, app_workspace: Path, artifacts_dir: Path
):
    page = app
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("cifarnet")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("→ [32, 32, 64]").first).to_be_visible()
    page.locator(".bk-tab", has_text="Train").first.click()
    mismatch = page.get_by_text("The design's input has 3 channels (32x32x3)")
    expect(mismatch.first).to_be_visible()
    _fill(page, "Steps", str(CIFARNET_STEPS))
    # Start is refused while the mismatch stands: no job is made.
    before = _job_folders(app_workspace)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text("job config has 1 problem").first).to_be_visible()
    assert _job_folders(app_workspace) == before
    expect(page.locator("option", has_text="cifarnet-digits")).to_have_count(0)
    mismatch.first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "journey-cifarnet-mismatch.png", full_page=True)
    page.get_by_role("button", name="Set the design's input to 32x32x1").click()
    expect(mismatch).to_have_count(0)
    expect(page.get_by_text("job config has 1 problem")).to_have_count(0)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text(f"step {CIFARNET_STEPS} / {CIFARNET_STEPS}").first).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS
    )
    validation = page.get_by_text(VALIDATION)
    expect(validation).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    expect(page.get_by_text("finished", exact=True).first).to_be_visible()
    accuracy = float(VALIDATION.search(validation.text_content()).group(1))
    page.locator(".bk-input-group", has_text="Jobs in this workspace").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "journey-cifarnet-trained.png", full_page=True)
    assert accuracy > 0.9, f"CifarNet reached {accuracy:.4f} on the validation digits"


def test_a_stopped_job_is_named_after_the_design_and_shown_as_stopped(
    app: Page, artifacts_dir: Path
):
    page = app
    page.locator(".bk-tab", has_text="Train").first.click()
    expect(page.locator(".bk-input-group", has_text="Job name").locator("input")).to_have_value(
        "lenet-digits"
    )
    _fill(page, "Steps", "5000")
    page.get_by_role("button", name="Start", exact=True).click()
    running = re.compile(r"lenet-digits: running, step [1-9]\d* / 5000")
    expect(page.locator("option", has_text=running)).to_have_count(1, timeout=JOB_TIMEOUT_MS)
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_disabled()
    stop.click()
    stopped = page.locator("option", has_text="lenet-digits: stopped, step")
    expect(stopped).to_have_count(1, timeout=JOB_TIMEOUT_MS)
    # The stop ran in the background: its end reached the page, which can resume the job
    # (and has nothing left to stop: Stop is off, as it was before the job).
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_enabled(
        timeout=JOB_TIMEOUT_MS
    )
    expect(stop).to_be_disabled()
    expect(page.get_by_text("Stopping lenet-digits")).to_be_hidden()
    # The list and the status line read the same progress; a stop is no error.
    step = re.search(r"step (\d+) / 5000", stopped.text_content()).group(1)
    expect(page.get_by_text(f"step {step} / 5000").first).to_be_visible()
    expect(page.get_by_text("Resume continues from the last checkpoint").first).to_be_visible()
    expect(page.locator(".alert-danger:visible")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-train-stopped.png", full_page=True)


def test_a_job_launched_from_fine_tune_is_listed_on_train_at_once(
    app: Page, app_workspace: Path, artifacts_dir: Path
):
    page = app
    config = {
        "name": "pretrained",
        "model": {"design": template("lenet")},
        "dataset": {"kind": "digits", "resize": [28, 28]},
        "train": {"steps": 2, "batch_size": 8, "log_every_n_steps": 1},
    }
    (app_workspace / "pretrained.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", "workbench", "--workspace", str(app_workspace), "train"]
    result = subprocess.run(
        [*command, str(app_workspace / "pretrained.json"), "--logdir", "jobs/pretrained"],
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_MS / 1000,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page.locator(".bk-tab", has_text="Train").first.click()
    _fill(page, "Steps", "3")
    page.locator(".bk-tab", has_text="Fine-tune").first.click()
    page.get_by_role("button", name="Refresh jobs").click()
    select = page.locator(".bk-input-group", has_text="Checkpoint of a job").locator("select")
    option = select.locator("option", has_text="pretrained")
    expect(option).to_be_attached()
    select.select_option(label=option.text_content())
    page.get_by_role("button", name="Compare design with checkpoint").click()
    expect(page.get_by_text("2 matched").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    page.get_by_role("button", name="Launch fine-tuning job").click()
    expect(page.get_by_text("follow it on the Train page").first).to_be_visible()
    page.locator(".bk-tab", has_text="Train").first.click()
    jobs = page.locator(".bk-input-group", has_text="Jobs in this workspace").locator("option")
    # Newest first: the fine-tuning job, named after the design and its data.
    expect(jobs.first).to_contain_text(
        re.compile(r"lenet-finetune-digits: (starting|running|finished)")
    )
    page.screenshot(path=artifacts_dir / "journey-finetune-listed.png", full_page=True)


def test_a_batch_too_large_for_the_memory_is_refused_with_one_that_fits(
    app: Page, app_workspace: Path, artifacts_dir: Path
):
    page = app
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("empty")
    page.get_by_role("button", name="Load template").click()
    expect(page.get_by_text("Started an empty design.").first).to_be_visible()
    # VGG-16 from the palette, on its 224x224 colour images.
    page.locator('.wb-item[data-kind="net"][data-op="vgg_16"]').drag_to(
        page.locator('.wb-list[data-container="blocks"]')
    )
    expect(page.get_by_text("blocks[0]", exact=True)).to_be_visible()  # the net's sheet
    page.locator(".wb-scroll").click(position={"x": 20, "y": 5})  # nothing selected: the design
    expect(page.get_by_text("Select a block on the canvas to edit it.")).to_be_visible()
    _fill(page, "input.shape", "[224, 224, 3]")
    expect(page.locator(".wb-sub", has_text="input [224, 224, 3]")).to_be_visible()
    expect(page.get_by_text("→ [1000]").first).to_be_visible()
    page.locator(".bk-tab", has_text="Train").first.click()
    # The largest batch the slider offers: 4096 images of 224x224 take far more than any
    # machine's memory.
    handle = page.locator(".bk-input-group", has_text="Batch size").locator(".noUi-handle")
    track = page.locator(".bk-input-group", has_text="Batch size").locator(".noUi-base")
    box, end = handle.bounding_box(), track.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] + 40, box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()
    memory = page.get_by_text("A training step with batch size 4096 needs about")
    expect(memory.first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(page.get_by_text("the job would run out of memory").first).to_be_visible()
    before = _job_folders(app_workspace)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text("job config has 3 problems").first).to_be_visible()
    assert _job_folders(app_workspace) == before
    memory.first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "journey-memory-refused.png")
    # One click each, one after the other without waiting: each button makes its own fix.
    page.get_by_role("button", name="Set the design's input to 224x224x1").click()
    page.get_by_role("button", name="Set num_classes of 'vgg_16' to 10").click()
    # The batch that fits is worked out again for the one-channel input: read it once the
    # two design fixes have been applied.
    expect(
        page.get_by_role("button", name=re.compile(r"^Set (the design's|num_classes)"))
    ).to_have_count(0)
    fix = page.get_by_role("button", name=re.compile(r"^Set the batch size to \d+$"))
    batch = int(re.search(r"\d+", fix.text_content()).group())
    assert 1 <= batch < 4096
    fix.click()
    expect(page.get_by_text(f"Batch size: {batch}").first).to_be_visible()
    expect(page.get_by_text("A training step with batch size")).to_have_count(0)
    expect(page.get_by_text("job config has 3 problems")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-memory-fixed.png")
