"""The Train page starts a real job on the digits, follows it, and shows bad input as errors."""

from __future__ import annotations

import json
import time

import pytest

from workbench.models.jobs.settings import TrainSettings
from workbench.models.session import WorkbenchSession
from workbench.views.panel.pages.train import TrainPage


def _page(workspace, settings: TrainSettings | None = None, **params) -> TrainPage:
    """The page over a session that trains `settings.net` (the design's checkbox unticked)."""
    session = WorkbenchSession(
        workspace=str(workspace), settings=settings or TrainSettings(), train_design=False
    )
    return TrainPage(session=session, **params)


def _wait(view, states, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view.poll()
        if view.job is not None and view.job.state in states:
            return
        time.sleep(0.5)
    pytest.fail(f"job still {view.job.state if view.job else None}:\n{view.job.log_tail()}")


def test_settings_make_a_digits_config_at_the_net_input_size():
    config = TrainSettings(net="cifarnet", steps=7).to_config()
    assert config["model"] == {"net": "cifarnet"}
    assert config["dataset"] == {"kind": "digits", "resize": [32, 32]}
    assert config["train"]["steps"] == 7
    assert TrainSettings(job_name="a/b c").logdir(now=0) == "jobs/a-b-c-19700101-000000"


def test_a_started_job_is_followed_to_the_end(tmp_path):
    settings = TrainSettings(job_name="tiny", steps=20, log_every_n_steps=5, batch_size=16)
    view = _page(tmp_path, settings)
    assert "No job yet" in view.status.object
    view.start_job()
    assert view.message == ""
    assert view.job is not None and view.job.logdir.startswith(str(tmp_path / "jobs" / "tiny-"))
    _wait(view, {"finished", "failed"})
    assert view.job.state == "finished", view.job.error
    status = view.status.object
    assert "finished" in status and "step 20 / 20" in status and view.job.logdir in status
    accuracy = view.job.eval_results["accuracy"]
    assert "Validation at step 20 (" in status and f"accuracy {accuracy:.4f}, loss" in status
    assert "wall_time" not in status
    assert f" &middot; {view.job.speed_settings}<br>" in status
    assert view.job.speed_settings.startswith("oneDNN ")
    assert not view.error.visible and not view.trace.visible
    loss = view.chart.object["data"][0]
    assert loss["x"][-1] == 20 and len(loss["y"]) == 4  # logged at steps 5, 10, 15, 20
    # A new view (a refreshed page) finds the job again by its log directory.
    again = _page(tmp_path)
    assert again.job is not None and again.job.logdir == view.job.logdir


def test_a_logdir_outside_the_workspace_is_refused_with_a_message(tmp_path, monkeypatch):
    view = _page(tmp_path / "ws")
    monkeypatch.setattr(view.settings, "logdir", lambda: "../outside")
    view.start_job()
    assert "outside" in view.message
    assert not (tmp_path / "outside").exists()
    view.__panel__()  # renders with the message


def test_a_failed_job_shows_its_error(tmp_path):
    logdir = tmp_path / "jobs" / "broken"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"name": "broken", "model": {"net": "lenet"}}))
    (logdir / "status.json").write_text(
        json.dumps({"state": "failed", "error": "LossTensor is inf or nan", "step": 3})
    )
    view = _page(tmp_path)
    assert view.job is not None and view.job.state == "failed"
    assert "failed" in view.status.object and "step 3" in view.status.object
    assert view.error.visible and view.error.object == "LossTensor is inf or nan"
    # Polling again updates the same panes: the browser keeps its models.
    panes = (view.status, view.error, view.trace)
    view.poll(force=True)
    assert (view.status, view.error, view.trace) == panes
    assert view.__panel__().objects[1].objects[1].objects[4:7] == list(panes)


def test_an_image_folder_with_no_images_is_refused_before_start_and_shows_why(tmp_path):
    (tmp_path / "photos" / "cats").mkdir(parents=True)
    (tmp_path / "photos" / "dogs").mkdir()
    settings = TrainSettings(job_name="empty", dataset="image_folder", folder="photos", steps=5)
    assert settings.to_config()["dataset"] == {
        "kind": "image_folder",
        "folder": "photos",
        "resize": [28, 28],
    }
    view = _page(tmp_path, settings)
    no_images = (
        "The class folders 'photos/cats', 'photos/dogs' have no images (files ending in .png, "
        ".jpg, .jpeg): add images or remove the folders; the job would fail when it converts "
        "the folder."
    )
    assert view.fit.visible and no_images in view.fit_alert.object
    assert not any(button.visible for button in view.fix_buttons)  # The files must change.
    view.start_job()
    assert no_images in view.message
    assert not (tmp_path / "jobs").exists()


def test_a_tfrecord_folder_in_the_workspace_trains(tmp_path):
    import numpy as np

    import slimlib as slim

    rng = np.random.RandomState(0)
    for split, count in (("train", 24), ("validation", 8)):
        images = rng.randint(0, 256, [count, 8, 8, 1], dtype=np.uint8)
        labels = np.arange(count) % 3
        slim.data.writer.write_arrays(images, labels, tmp_path / "records", split)
    settings = TrainSettings(
        job_name="records", dataset="tfrecord", folder="records", steps=6, batch_size=4
    )
    assert settings.to_config()["dataset"] == {
        "kind": "tfrecord",
        "folder": "records",
        "resize": [28, 28],
    }
    view = _page(tmp_path, settings)
    view.start_job()
    assert view.message == ""
    _wait(view, {"finished", "failed"})
    assert view.job.state == "finished", view.job.error
    assert view.job.step == 6


def test_a_tfrecord_folder_without_dataset_info_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "records").mkdir()
    settings = TrainSettings(job_name="bare", dataset="tfrecord", folder="records")
    view = _page(tmp_path, settings)
    view.start_job()
    assert "dataset.folder: must be a folder written by slim.data.writer" in view.message
    assert "dataset.file_pattern, num_samples, num_classes and image_shape" in view.message
    assert view.job is None


def test_a_hidden_page_redraws_its_chart_only_when_shown(tmp_path):
    logdir = tmp_path / "jobs" / "run"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"name": "run", "model": {"net": "lenet"}}))
    (logdir / "status.json").write_text(json.dumps({"state": "finished", "step": 20}))
    metrics = logdir / "metrics.jsonl"
    metrics.write_text('{"step": 10, "loss": 2.5}\n')
    view = _page(tmp_path, shown=False)
    assert view.chart.object["data"][0]["x"] == []  # Read, not drawn.
    with metrics.open("a") as f:
        f.write('{"step": 20, "loss": 1.5}\n')
    view.poll()
    assert view.chart.object["data"][0]["x"] == []
    view.shown = True
    assert view.chart.object["data"][0]["y"] == [2.5, 1.5]
    with metrics.open("a") as f:
        f.write('{"step": 30, "loss": 0.5}\n')
    view.poll()  # Shown: drawn at once.
    assert view.chart.object["data"][0]["x"] == [10, 20, 30]


def test_the_checkbox_chooses_between_the_design_and_a_net(tmp_path):
    page = TrainPage(session=WorkbenchSession(workspace=str(tmp_path)))
    checkbox = page.__panel__().objects[0]
    assert checkbox.name == "Train the design from the Build page" and checkbox.value is True
    assert page.settings.to_config()["model"]["design"]["name"] == "lenet"
    checkbox.value = False
    assert page.session.train_design is False
    assert page.settings.to_config()["model"] == {"net": "lenet"}


def test_a_design_that_does_not_fit_the_dataset_is_shown_and_fixed_before_start(tmp_path):
    from workbench.models.design import template
    from workbench.models.editor import DesignEditor

    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    view = TrainPage(session=session)
    assert not view.fit.visible
    session.editor.load(template("cifarnet"))
    button = view.fix_buttons[0]
    assert view.fit.visible and not view.fix_buttons[1].visible
    assert view.fit_alert.object.startswith("The design's input has 3 channels (32x32x3)")
    assert button.label == "Set the design's input to 32x32x1"
    view.start_job()
    assert "The design's input has 3 channels" in view.message and view.job is None
    assert not (tmp_path / "jobs").exists()
    button.clicks += 1
    assert session.design["input"]["shape"] == [32, 32, 1]
    assert not view.fit.visible and view.message == ""
    session.editor.undo()  # Back to 3 channels: the mismatch is shown again.
    assert view.fit.visible


def test_a_batch_too_large_for_the_memory_is_shown_when_the_page_shows_and_fixed(
    tmp_path, monkeypatch
):
    from workbench.models.design import template
    from workbench.models.editor import DesignEditor
    from workbench.models.jobs.step_memory import Memory

    # LeNet on 28x28x1 keeps 784 (input) + 25,088 (conv1) + 6,272 (pool1) + 12,544 (conv2)
    # + 3,136 (pool2) + 3,136 (flatten) + 1,024 (fc3) + 1,024 (dropout3) + 10 (fc4) = 53,018
    # activations per example, 8 * 53,018 = 424,144 bytes with their gradients; its
    # 3,274,634 parameters take 4 * 3 * 3,274,634 = 39,295,608 bytes with their gradients
    # and momentum's slots. Its input pipeline on the CPU: 5 prefetched batches of 784
    # scalars, 15,680 bytes an example, and 20 of the digits' 266-byte records an example
    # (5,120 for 256: 1,361,920 bytes). A batch of 256: 39,295,608 + 256 * (424,144 +
    # 15,680) + 1,361,920 = 153,252,472 bytes, 146.2 MiB.
    monkeypatch.setattr(
        "workbench.models.session.available_memory", lambda device: Memory(2**26, "memory")
    )
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    view = TrainPage(session=session, shown=False)
    session.settings.batch_size = 256
    assert not view.fit.visible  # Checked when the page shows, not before.
    view.shown = True
    assert view.fit.visible and view.fit_alert.object.startswith(
        "A training step with batch size 256 needs about 146.2 MiB"
    )
    # 70% of 64 MiB: (46,976,204 - 39,295,608) // (424,144 + 15,680 + 5,320) = 17, rounded
    # down to 16.
    assert view.fix_buttons[2].label == "Set the batch size to 16"
    view.start_job()
    assert view.job is None and not (tmp_path / "jobs").exists()
    view.fix_buttons[2].clicks += 1
    assert session.settings.batch_size == 16
    assert not view.fit.visible and view.message == ""


def _job_folder(workspace, name: str, status: dict) -> str:
    logdir = workspace / "jobs" / name
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"name": name, "model": {"net": "lenet"}}))
    (logdir / "status.json").write_text(json.dumps(status))
    return str(logdir)


def test_a_stopped_job_is_shown_as_stopped_not_as_an_error(tmp_path):
    status = {"state": "stopped", "error": "stopped during training", "step": 40,
              "target_steps": 300}  # fmt: skip
    _job_folder(tmp_path, "halted", status)
    view = _page(tmp_path)
    assert not view.error.visible
    assert "<b style='color:#555'>stopped</b>" in view.status.object
    assert "step 40 / 300" in view.status.object
    assert "stopped during training; Resume continues from the last checkpoint." in (
        view.status.object
    )
    assert list(view.jobs.options) == ["halted: stopped, step 40 / 300"]


def test_the_job_list_and_the_status_line_show_the_same_progress(tmp_path):
    # Launched a moment ago, its process not known yet: running as far as anyone can tell.
    launched = {"state": "running", "step": 0, "launched_at": time.time()}
    logdir = _job_folder(tmp_path, "run", launched)
    view = _page(tmp_path)
    assert "Device: not known yet<br>" in view.status.object  # not a bare "?"
    # No target yet (the job is preparing its data): no "0/0".
    assert list(view.jobs.options) == ["run: running, step 0"]
    status = {**launched, "step": 1230, "target_steps": 4000}
    (tmp_path / "jobs" / "run" / "status.json").write_text(json.dumps(status))
    view.poll()
    assert "step 1230 / 4000" in view.status.object
    assert list(view.jobs.options) == ["run: running, step 1230 / 4000"]
    assert view.jobs.value == logdir


def test_a_job_started_on_another_page_is_listed_and_shown_at_once(tmp_path, monkeypatch):
    import workbench.models.session as session_module
    from workbench.models.jobs import Job

    def launch(config, logdir, *, workspace, unique):  # The job process is not needed here.
        path = _job_folder(
            tmp_path, config["name"], {"state": "starting", "launched_at": time.time()}
        )
        return Job(path, workspace=workspace)

    monkeypatch.setattr(session_module, "start", launch)
    view = _page(tmp_path)
    assert view.jobs.options == {}
    view.session.start_training(finetune=False)  # As the Fine-tune page does, not this page.
    assert list(view.jobs.options) == ["lenet-digits: starting, step 0"]
    assert view.job is not None and view.job.title == "lenet-digits"


def test_jobs_are_named_after_the_design_and_the_dataset_unless_named(tmp_path):
    from workbench.models.design import template
    from workbench.models.editor import DesignEditor

    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    assert session.settings.job_name == "lenet-digits"
    session.editor.load(template("cifarnet"))
    assert session.settings.job_name == "cifarnet-digits"
    session.settings.dataset = "image_folder"
    assert session.settings.job_name == "cifarnet-image_folder"
    session.train_design = False  # Then the slimlib net names it.
    assert session.settings.job_name == "lenet-image_folder"
    session.settings.job_name = "my run"
    session.train_design = True
    assert session.settings.job_name == "my run"


def test_a_hidden_page_reads_no_job_until_shown(tmp_path):
    running = {"state": "running", "launched_at": time.time(), "target_steps": 100}
    _job_folder(tmp_path, "run", {**running, "step": 10})
    view = _page(tmp_path, shown=False)
    assert "step 10 / 100" in view.status.object
    (tmp_path / "jobs" / "run" / "status.json").write_text(json.dumps({**running, "step": 50}))
    _job_folder(tmp_path, "later", {"state": "starting", "launched_at": time.time()})
    for _ in range(10):  # Two listings' worth of periodic polls.
        view.poll()
    assert "step 10 / 100" in view.status.object
    assert list(view.jobs.options) == ["run: running, step 10 / 100"]
    view.shown = True  # Catches up at once: the job's progress and the new job.
    assert "step 50 / 100" in view.status.object
    assert sorted(view.jobs.options) == ["later: starting, step 0", "run: running, step 50 / 100"]


def test_an_image_folders_channels_are_read_before_start_and_fixed_in_one_click(tmp_path):
    import io

    from PIL import Image

    from workbench.models.design import template
    from workbench.models.editor import DesignEditor

    for name in ("cats", "dogs"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        buffer = io.BytesIO()
        Image.new("L", (12, 10)).save(buffer, "PNG")  # 10 rows, 12 columns, gray.
        (tmp_path / "photos" / name / "1.png").write_bytes(buffer.getvalue())
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("cifarnet")))
    view = TrainPage(session=session)
    assert view.data_facts.object == "Data: the built-in digits (8x8x1, 10 classes)."
    session.settings.param.update(dataset="image_folder", folder="photos")
    assert view.data_facts.object == (
        "Data: the image folder 'photos' (2 classes, 10x12x1 in cats/1.png, dogs/1.png)."
    )
    assert view.fit_alert.object.startswith(
        "The design's input has 3 channels (32x32x3), but the image folder 'photos' (2 "
        "classes, 10x12x1 in cats/1.png, dogs/1.png) give 1 channel"
    )
    assert view.fix_buttons[0].label == "Set the design's input to 32x32x1"
    view.fix_buttons[0].clicks += 1
    assert session.design["input"]["shape"] == [32, 32, 1]
    assert "channels" not in view.fit_alert.object  # The classes are still to fix.
    assert view.fix_buttons[1].visible and not view.fix_buttons[0].visible


def test_a_full_disk_at_start_is_shown_and_nothing_is_launched(tmp_path, monkeypatch):
    import os

    view = _page(tmp_path / "ws")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", disk_full)  # The job.json claim.
    monkeypatch.setattr(os, "replace", disk_full)
    view.start_job()
    assert "Cannot start the job: No space left on device." in view.message
    assert view.job is None or view.job.state != "running"
    monkeypatch.undo()
    assert not list((tmp_path / "ws").rglob("job.json"))


@pytest.mark.parametrize(
    ("state", "stop", "resume"),
    [("running", True, False), ("stopped", False, True), ("failed", False, True),
     ("finished", False, False)],
)  # fmt: skip
def test_stop_and_resume_are_enabled_only_when_they_can_act_on_the_shown_job(
    tmp_path, state, stop, resume
):
    assert _page(tmp_path / "empty").stop_button.disabled  # no job yet: nothing to stop
    _job_folder(tmp_path, "j", {"state": state, "step": 5, "launched_at": time.time()})
    view = _page(tmp_path)
    assert view.job.state == state
    assert (view.stop_button.disabled, view.resume_button.disabled) == (not stop, not resume)
    buttons = view.__panel__().objects[1].objects[0].objects[1]
    assert list(buttons.objects[1:]) == [view.stop_button, view.resume_button]
