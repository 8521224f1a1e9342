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
