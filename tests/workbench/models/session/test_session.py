"""`WorkbenchSession`: the design feeds inspection, restore planning and fine-tuning configs."""

from __future__ import annotations

import json

import pytest

from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession, design_input_shape


@pytest.fixture
def session(tmp_path, tiny_design):
    return WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(tiny_design))


def test_inspect_builds_the_current_design(session, tiny_design):
    session.inspect_design()
    assert design_input_shape(tiny_design) == [1, 6, 6, 1]
    # conv1: 3*3*1*2 + 2 = 20; logits: 6*6*2*10 + 10 = 730.
    assert session.inspect.totals["params"] == 750


def test_finetune_config_follows_the_plan_choices(session, tiny_design, tiny_checkpoint):
    session.compare_with("jobs/pre")
    assert session.message == ""
    assert {m.status for m in session.plan.matches if m.kind == "model"} == {"matched"}
    session.plan.set_restore("logits", False)
    session.plan.set_train("conv1", False)
    config = session.finetune_config()
    assert config["model"] == {"design": tiny_design}
    assert config["dataset"] == {"kind": "digits", "resize": [6, 6]}
    assert config["restore"]["checkpoint"].endswith("model.ckpt")
    assert sorted(config["restore"]["exclude"]) == ["logits/biases", "logits/weights"]
    assert config["restore"]["trainable_scopes"] == ["logits/weights", "logits/biases"]


def test_a_checkpoint_outside_the_workspace_is_refused(session):
    session.compare_with("../elsewhere")
    assert "must stay inside the workspace" in session.message
    assert session.plan.graph is None


def test_a_design_that_does_not_build_is_reported(session, tiny_checkpoint):
    session.editor.update_args("blocks[0]", {"kernel_size": [9, 9], "padding": "VALID"})
    session.compare_with("jobs/pre")
    assert session.message.startswith("The design does not build")


def test_a_refused_comparison_says_the_previous_one_still_stands(session, tiny_checkpoint):
    session.compare_with("jobs/pre")
    session.compare_with("../elsewhere")
    assert session.message.endswith("The comparison below is still with 'jobs/pre'.")
    assert session.plan.checkpoint.endswith("jobs/pre") and session.plan.error == ""


def test_a_refused_comparison_clears_a_failed_one(session, tmp_path):
    session.compare_with("jobs/none")
    assert session.plan.error.startswith("RestorePlan: `checkpoint` must be an existing")
    session.compare_with("../elsewhere")
    assert "must stay inside the workspace" in session.message
    assert "still with" not in session.message
    assert (session.checkpoint, session.plan.checkpoint, session.plan.error) == ("", "", "")


def test_training_settings_follow_the_design_while_train_design_is_on(session, tiny_design):
    assert session.settings.to_config()["model"] == {"design": tiny_design}
    session.editor.set_field("", "name", "renamed")
    assert session.settings.to_config()["model"]["design"]["name"] == "renamed"
    session.train_design = False
    assert session.settings.to_config()["model"] == {"net": "lenet"}
    session.train_design = True
    assert session.settings.design == session.design
    assert session.settings.design is not session.design  # A copy: a job never sees edits.


def test_finetune_config_takes_another_dataset(session, tiny_checkpoint):
    session.compare_with("jobs/pre")
    folder = {"kind": "image_folder", "folder": "photos", "resize": [6, 6]}
    assert session.finetune_config(folder)["dataset"] == folder


def test_a_training_job_reads_its_dataset_from_the_settings(session):
    with pytest.raises(ValueError, match=r"`dataset` must be None for a training job"):
        session.start_training(dataset={"kind": "digits"})


def test_the_fine_tuning_data_gives_the_classes_and_the_dataset_section(session, tmp_path):
    assert session.finetune_dataset_section() == {"kind": "digits", "resize": [6, 6]}
    assert session.finetune_facts().num_classes == 10
    (tmp_path / "recs").mkdir()
    info = {"splits": {"train": {"channels": 1, "num_classes": 4}}}
    (tmp_path / "recs" / "dataset_info.json").write_text(json.dumps(info))
    session.param.update(finetune_dataset="tfrecord", finetune_folder="recs")
    assert session.finetune_facts().num_classes == 4
    assert session.finetune_dataset_section() == {
        "kind": "tfrecord", "folder": "recs", "resize": [6, 6]
    }  # fmt: skip
    (mismatch,) = session.head_mismatches()
    assert mismatch.fix == "Set num_outputs of 'logits' to 4"
    assert session.fit_head() == []  # No checkpoint compared yet: nothing to re-initialise.
    assert session.design["blocks"][2]["args"]["num_outputs"] == 4
    assert session.head_mismatches() == []
