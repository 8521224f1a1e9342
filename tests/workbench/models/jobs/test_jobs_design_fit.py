"""`design_fit`: a design that cannot train on a dataset is found before the job starts."""

from __future__ import annotations

import json

import pytest

from workbench.models.design import net_design, template
from workbench.models.editor import DesignEditor
from workbench.models.jobs import ConfigError, validate_config
from workbench.models.jobs.dataset_facts import (
    DIGITS_CLASSES,
    DIGITS_SHAPE,
    DatasetFacts,
    dataset_facts,
)
from workbench.models.jobs.design_fit import apply_fix, design_fit
from workbench.models.session import WorkbenchSession

DIGITS = dataset_facts("digits")


def test_the_digits_facts_are_the_datasets():
    import slimlib as slim

    assert DIGITS_CLASSES == slim.datasets.digits.NUM_CLASSES
    assert (DIGITS.channels, DIGITS.num_classes) == (DIGITS_SHAPE[2], 10)


def test_lenet_fits_the_digits():
    assert design_fit(template("lenet"), DIGITS) == []


def test_cifarnet_on_the_digits_needs_one_channel_and_the_fix_gives_it():
    design = template("cifarnet")
    [mismatch] = design_fit(design, DIGITS)
    assert mismatch.problem.path == "input.shape"
    assert mismatch.problem.message.startswith(
        "The design's input has 3 channels (32x32x3), but the built-in digits (8x8x1, 10 "
        "classes) give 1 channel"
    )
    assert mismatch.fix == "Set the design's input to 32x32x1"
    editor = DesignEditor(design)
    apply_fix(editor, mismatch)
    assert editor.design["input"] == {"shape": [32, 32, 1], "dtype": "float32"}
    assert design_fit(editor.design, DIGITS) == []
    editor.undo()
    assert editor.design["input"]["shape"] == [32, 32, 3]


def test_too_many_logits_for_the_classes_are_set_to_the_classes(tiny_design):
    facts = DatasetFacts(channels=1, num_classes=3, described="the folder 'flowers'")
    [mismatch] = design_fit(tiny_design, facts)
    assert mismatch.problem.path == "blocks[2].args.num_outputs"
    assert mismatch.problem.message == (
        "The logits layer 'logits' gives 10 outputs, but the data, the folder 'flowers', "
        "calls for 3: the job would fail when it computes the loss."
    )
    assert (mismatch.fix, mismatch.block, mismatch.value) == (
        "Set num_outputs of 'logits' to 3",
        "blocks[2]",
        3,
    )
    editor = DesignEditor(tiny_design)
    apply_fix(editor, mismatch)
    assert editor.design["blocks"][2]["args"]["num_outputs"] == 3
    assert design_fit(editor.design, facts) == []


def test_a_net_block_gets_its_num_classes_set():
    design = net_design("lenet")
    facts = DatasetFacts(channels=1, num_classes=4, described="four classes")
    [mismatch] = design_fit(design, facts)
    assert (mismatch.field, mismatch.value) == ("num_classes", 4)
    editor = DesignEditor(design)
    apply_fix(editor, mismatch)
    assert design_fit(editor.design, facts) == []


def test_an_output_that_is_not_a_vector_has_no_one_click_fix():
    channels, mismatch = design_fit(template("vgg_16"), DIGITS)
    assert channels.fix == "Set the design's input to 32x32x1"
    assert mismatch.problem.message.startswith("The design's output is 1x1x1000 per image")
    assert mismatch.fix == ""
    with pytest.raises(ValueError, match="apply_fix: this mismatch has no fix to apply"):
        apply_fix(DesignEditor(template("vgg_16")), mismatch)


def test_folder_facts_count_class_folders_and_read_tfrecord_info(tmp_path):
    for name in ("cats", "dogs", ".hidden"):
        (tmp_path / "pets" / name).mkdir(parents=True)
    (tmp_path / "pets" / "README").write_text("not a class")
    facts = dataset_facts("image_folder", "pets", str(tmp_path))
    assert (facts.channels, facts.num_classes) == (None, 2)
    (tmp_path / "records").mkdir()
    info = {"splits": {"train": {"channels": 3, "num_classes": 5, "num_samples": 9}}}
    (tmp_path / "records" / "dataset_info.json").write_text(json.dumps(info))
    facts = dataset_facts("tfrecord", "records", str(tmp_path))
    assert (facts.channels, facts.num_classes) == (3, 5)
    # Not there yet: nothing is known, the job's own checks report the folder.
    facts = dataset_facts("tfrecord", "missing", str(tmp_path))
    assert (facts.channels, facts.num_classes) == (None, None)


def test_an_unknown_dataset_kind_is_refused():
    with pytest.raises(ValueError, match="`dataset` must be 'digits', .* got 'mnist'"):
        dataset_facts("mnist")


def test_start_is_refused_while_the_design_does_not_fit(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("cifarnet")))
    # The job config alone is valid: without this check the job fails after it starts.
    assert validate_config(session.settings.to_config(), workspace=str(tmp_path)) == []
    with pytest.raises(ConfigError, match="The design's input has 3 channels"):
        session.start_training()
    assert not (tmp_path / "jobs").exists()
    [mismatch] = session.design_fit()
    session.fix_design(mismatch)
    assert session.settings.design["input"]["shape"] == [32, 32, 1]
    assert session.design_fit() == []
    session.train_design = False  # A slimlib net takes its classes from the dataset.
    session.editor.load(template("cifarnet"))
    assert session.design_fit() == []
