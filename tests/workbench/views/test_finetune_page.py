"""The Fine-tune page launches a job that restores the checkpoint and keeps frozen scopes."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from workbench.models.editor import DesignEditor
from workbench.models.jobs import Job
from workbench.models.session import WorkbenchSession
from workbench.views.panel.pages.finetune import FinetunePage


@pytest.fixture
def page(tmp_path, tiny_design, tiny_checkpoint):
    """The page over a session whose workspace holds `jobs/pre`, a checkpoint of the design."""
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(tiny_design))
    session.settings.param.update(job_name="tuned", steps=4, batch_size=8, log_every_n_steps=2)
    return FinetunePage(session=session)


def test_launch_is_at_the_top_of_the_page_above_the_plan(page):
    layout = page.__panel__()
    first = layout.objects[0]
    assert first.name == "launch-row"
    assert first.objects[0].label == "Launch fine-tuning job"
    assert [o.name for o in layout.objects].count("launch-row") == 1  # Not again at the end.


def test_launch_asks_for_a_comparison_first(page):
    page.launch()
    assert page.session.message == "Compare the design with a checkpoint before launching."
    page.compare()
    assert page.session.message == "Choose a job or type a checkpoint path first."
    assert page.launched == ""


def test_the_launched_job_restores_and_trains_only_what_was_ticked(page, tmp_path):
    page.path.value = "jobs/pre"
    page.compare()
    page.session.plan.set_train("conv1", False)  # Restored, then frozen.
    page.launch()
    assert page.session.message == "" and page.launched.startswith(str(tmp_path / "jobs"))
    config = json.loads((tmp_path / page.launched / "job.json").read_text())
    assert config["restore"]["trainable_scopes"] == ["logits/weights", "logits/biases"]
    job = Job(page.launched, workspace=str(tmp_path))
    deadline = time.monotonic() + 240
    while job.status()["state"] in ("new", "starting", "running"):
        assert time.monotonic() < deadline, job.log_tail()
        time.sleep(0.5)
    assert job.state == "finished", job.error + job.log_tail()
    before = tf.train.load_checkpoint(str(tmp_path / "jobs" / "pre"))
    after = tf.train.load_checkpoint(page.launched)
    np.testing.assert_array_equal(
        after.get_tensor("conv1/weights"), before.get_tensor("conv1/weights")
    )
    assert not np.allclose(after.get_tensor("logits/weights"), before.get_tensor("logits/weights"))


def _image_folder(root, classes=("cats", "dogs", "owls"), per_class: int = 4) -> None:
    """`root/photos/<class>/<i>.png`: 6x6 gray images, a different brightness per class."""
    for label, name in enumerate(classes):
        folder = root / "photos" / name
        folder.mkdir(parents=True)
        for index in range(per_class):
            pixels = np.full([6, 6, 1], 40 + 80 * label + index, np.uint8)
            (folder / f"{index}.png").write_bytes(tf.io.encode_png(pixels).numpy())


def _wait(job: Job) -> None:
    deadline = time.monotonic() + 240
    while job.status()["state"] in ("new", "starting", "running"):
        assert time.monotonic() < deadline, job.log_tail()
        time.sleep(0.5)


def test_fine_tuning_to_the_classes_of_an_image_folder(page, tmp_path):
    _image_folder(tmp_path)
    page.path.value = "jobs/pre"
    page.compare()
    page.session.param.update(finetune_dataset="image_folder", finetune_folder="photos")
    assert page.classes.object == (
        "**3 classes** in the image folder 'photos'; images 6x6x1 in cats/0.png, dogs/0.png, "
        "owls/0.png."
    )
    assert not page.data_alert.visible
    assert page.head.visible and page.fit_button.visible
    assert "The logits layer 'logits' gives 10 outputs" in page.head.object
    assert "must be re-initialised" in page.head.object
    assert page.fit_button.label == "Set num_outputs of 'logits' to 3 (new head)"
    page.launch()  # Refused: the head does not fit the classes yet.
    assert "gives 10 outputs" in page.session.message and page.launched == ""
    page.fit_head()
    assert page.session.design["blocks"][2]["args"]["num_outputs"] == 3
    assert page.session.reinitialised() == ["logits/weights", "logits/biases"]
    assert page.session.plan.restore_of("logits") is False  # The head's row says so too.
    assert not page.fit_button.visible and page.head.alert_type == "info"
    assert "<code>logits/weights</code>, <code>logits/biases</code>" in page.head.object
    plan = page.session.plan
    plan.set_train("conv1", False)
    plan.set_multiplier("logits", 10)
    page.launch()
    assert page.session.message == "", page.session.message
    assert page.session.last_job == page.launched  # Listed on the Train page at once.
    config = json.loads((tmp_path / page.launched / "job.json").read_text())
    assert config["name"] == "tuned"  # A name the user typed is kept.
    assert config["dataset"] == {
        "kind": "image_folder", "folder": "photos", "resize": [6, 6], "validation_fraction": 0.2
    }  # fmt: skip
    assert config["restore"]["gradient_multipliers"] == {"logits": 10.0}
    assert sorted(config["restore"]["exclude"]) == ["logits/biases", "logits/weights"]
    job = Job(page.launched, workspace=str(tmp_path))
    _wait(job)
    assert job.state == "finished", job.error + job.log_tail()
    before = tf.train.load_checkpoint(str(tmp_path / "jobs" / "pre"))
    after = tf.train.load_checkpoint(page.launched)
    np.testing.assert_array_equal(
        after.get_tensor("conv1/weights"), before.get_tensor("conv1/weights")
    )
    assert after.get_tensor("logits/weights").shape == (72, 3)


def test_the_folders_channels_and_broken_files_show_before_launch(page, tmp_path):
    # Colour images for the tiny design's gray input: the fit sets the input's channels too.
    for name in ("cats", "dogs"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        pixels = np.zeros([6, 6, 3], np.uint8)
        (tmp_path / "photos" / name / "0.png").write_bytes(tf.io.encode_png(pixels).numpy())
    page.session.param.update(finetune_dataset="image_folder", finetune_folder="photos")
    assert page.classes.object.endswith("; images 6x6x3 in cats/0.png, dogs/0.png.")
    assert page.fit_button.label == (
        "Set the design's input to 6x6x3; Set num_outputs of 'logits' to 2 (new head)"
    )
    assert "The design's input has 1 channels (6x6x1), but the image folder" in page.head.object
    # A file cut short: the job would fail converting the folder; Launch says so.
    (tmp_path / "photos" / "dogs" / "0.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    page.show_head()
    assert page.data_alert.visible and page.data_alert.alert_type == "danger"
    assert page.data_alert.object == (
        "The image photos/dogs/0.png is a PNG cut short inside its header: the job would fail "
        "when it converts the folder. Replace or remove the file."
    )
    page.path.value = "jobs/pre"
    page.compare()
    page.launch()
    assert "photos/dogs/0.png is a PNG cut short" in page.session.message
    assert page.launched == ""
