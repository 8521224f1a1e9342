"""Job config validation: every problem listed with its path, value and expectation."""

from __future__ import annotations

import doctest
import os

import pytest

from workbench.models.design.spec import layer, new_design
from workbench.models.jobs import config as config_module
from workbench.models.jobs import metrics_stream, paths
from workbench.models.jobs.config import (
    MISSING,
    ConfigError,
    config_problem,
    load_config,
    validate_config,
)
from workbench.problems import Problem

LENET = {"model": {"net": "lenet"}}


def _messages(config: dict, workspace) -> list[str]:
    return [str(p) for p in validate_config(config, workspace=workspace)]


def test_defaults_fill_a_minimal_config(tmp_path):
    job = load_config(LENET, workspace=tmp_path)
    assert job.model.net == "lenet" and job.model.design is None
    assert job.dataset.kind == "digits" and job.dataset.resize is None
    assert job.num_classes == 10
    assert job.train.optimizer == "momentum" and job.train.momentum == 0.9
    assert job.train.schedule.kind == "constant"
    assert (job.train.batch_size, job.train.steps) == (32, 1000)
    assert job.restore is None and job.seed == 0 and job.device == "auto"
    assert job.data["train"]["learning_rate"] == 0.01
    assert job.data["dataset"] == {"kind": "digits", "resize": None}


@pytest.mark.parametrize(
    "config, message",
    [
        (
            {"model": {"net": "lenat"}},
            "model.net: must be one of [",
        ),
        (
            {"model": {"net": "lenat"}},
            "got 'lenat'. Did you mean 'lenet'?",
        ),
        ({}, "model: must be an object, got nothing."),
        (
            {"model": {"net": "lenet", "design": {}}},
            'model: must be exactly one of {"net": NAME} or {"design": SPEC}',
        ),
        ({"model": {"design": "conv"}}, "model.design: must be a design spec (a JSON object)"),
        (
            {**LENET, "train": {"learning_rate": 0}},
            "train.learning_rate: must be a number > 0, got 0.",
        ),
        (
            {**LENET, "train": {"lerning_rate": 0.1}},
            "train.lerning_rate: must be one of the keys of train (optimizer, learning_rate,",
        ),
        (
            {**LENET, "train": {"lerning_rate": 0.1}},
            "got 'lerning_rate'. Did you mean 'learning_rate'?",
        ),
        (
            {**LENET, "train": {"optimizer": "adamw"}},
            "train.optimizer: must be one of ['sgd', 'momentum', 'adam', 'rmsprop'], got 'adamw'."
            " Did you mean 'adam'?",
        ),
        (
            {**LENET, "train": {"batch_size": 8.0}},
            "train.batch_size: must be an integer >= 1, got 8.0.",
        ),
        (
            {**LENET, "train": {"steps": True}},
            "train.steps: must be an integer >= 1, got True.",
        ),
        (
            {**LENET, "train": {"label_smoothing": 1.5}},
            "train.label_smoothing: must be a number >= 0 and <= 1, got 1.5.",
        ),
        (
            {**LENET, "train": {"momentum": 1.0}},
            "train.momentum: must be a number >= 0 and < 1, got 1.0.",
        ),
        (
            {**LENET, "train": {"weight_decay": float("nan")}},
            "train.weight_decay: must be a number >= 0, got nan.",
        ),
        (
            {**LENET, "train": {"schedule": {"kind": "cosine"}}},
            "train.schedule.kind: must be one of ['constant', 'exponential', 'piecewise'], "
            "got 'cosine'.",
        ),
        (
            {**LENET, "train": {"schedule": {"kind": "exponential", "decay_rate": 2}}},
            "train.schedule.decay_steps: must be an integer >= 1, got nothing.",
        ),
        (
            {**LENET, "train": {"schedule": {"kind": "exponential", "decay_steps": 9}}},
            "train.schedule.decay_rate: must be a number > 0 and <= 1, got nothing.",
        ),
        (
            {**LENET, "train": {"schedule": {"kind": "piecewise", "boundaries": [100, 50]}}},
            "train.schedule.boundaries: must be a non-empty list of increasing steps",
        ),
        (
            {
                **LENET,
                "train": {"schedule": {"kind": "piecewise", "boundaries": [10], "values": [1]}},
            },
            "train.schedule.values: must be a list of learning rates > 0, one more than the "
            "boundaries (2), got [1].",
        ),
        (
            {**LENET, "dataset": {"kind": "mnist"}},
            "dataset.kind: must be one of ['digits', 'tfrecord', 'image_folder'], got 'mnist'.",
        ),
        (
            {**LENET, "dataset": {"kind": "digits", "folder": "x"}},
            "dataset.folder: must be one of the keys of dataset (kind, resize), got 'folder'.",
        ),
        (
            {**LENET, "dataset": {"resize": [28]}},
            "dataset.resize: must be null or [height, width] (ints >= 1), got [28].",
        ),
        (
            {**LENET, "dataset": {"kind": "tfrecord", "folder": "data"}},
            "dataset.folder: must be a folder written by slim.data.writer (with "
            "dataset_info.json), got 'data'. Other TFRecords need dataset.file_pattern, "
            "num_samples, num_classes and image_shape.",
        ),
        (
            {**LENET, "dataset": {"kind": "tfrecord", "folder": "data", "file_pattern": "x"}},
            "dataset.file_pattern: must be a glob with '%s' for the split name",
        ),
        (
            {**LENET, "dataset": {"kind": "tfrecord", "folder": "data", "file_pattern": "x"}},
            "dataset.num_classes: must be an integer >= 2, got nothing.",
        ),
        (
            {**LENET, "dataset": {"kind": "tfrecord", "image_shape": [8, 8, 2]}},
            "dataset.image_shape: must be [height, width, channels] with channels 1 or 3, "
            "got [8, 8, 2].",
        ),
        (
            {**LENET, "dataset": {"kind": "image_folder", "folder": "missing"}},
            "dataset.folder: must be an existing folder in the workspace, got 'missing'.",
        ),
        (
            {
                **LENET,
                "dataset": {"kind": "image_folder", "folder": "data", "validation_fraction": 1},
            },
            "dataset.validation_fraction: must be a number >= 0 and < 1, got 1.",
        ),
        (
            {**LENET, "restore": {"checkpoint": "data"}},
            "restore.checkpoint: must be a checkpoint: a folder with a 'checkpoint' file",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "exclude": "LeNet/fc4"}},
            "restore.exclude: must be a list of scope names, got 'LeNet/fc4'. Wrap it in a "
            "list: ['LeNet/fc4'].",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "trainable_scopes": ["", 3]}},
            "restore.trainable_scopes[1]: must be a non-empty scope name (str), got 3.",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "gradient_multipliers": ["fc4"]}},
            "restore.gradient_multipliers: must be an object {scope: factor > 0}, e.g. "
            "{\"logits\": 10.0}, got ['fc4'].",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "gradient_multipliers": {"fc4": 0}}},
            "restore.gradient_multipliers.fc4: must be a number > 0, got 0.",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "gradient_multipliers": {"fc4": "x"}}},
            "restore.gradient_multipliers.fc4: must be a number > 0, got 'x'.",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "gradient_multipliers": {" ": 2}}},
            "restore.gradient_multipliers: must be scope names (non-empty str) as keys, got ' '.",
        ),
        (
            {**LENET, "restore": {"checkpoint": "ckpt", "frozen_batch_norms": "bn"}},
            "restore.frozen_batch_norms: must be a list of scope names, got 'bn'.",
        ),
        ({**LENET, "seed": -1}, "seed: must be an integer >= 0, got -1."),
        ({**LENET, "device": "tpu"}, "device: must be one of ['auto', 'cpu', 'gpu'], got 'tpu'."),
        ({**LENET, "epochs": 3}, "epochs: must be one of the keys of the config (name, model,"),
    ],
    ids=lambda value: None,
)
def test_each_problem_names_path_value_and_expectation(tmp_path, config, message):
    (tmp_path / "data").mkdir()
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-1"\n')
    found = _messages(config, tmp_path)
    assert any(message in text for text in found), found


def test_every_problem_is_listed_at_once(tmp_path):
    config = {
        "model": {"net": "lenett"},
        "dataset": {"kind": "tfrecord", "folder": "../elsewhere", "file_pattern": "x"},
        "train": {"optimizer": "adagrad", "batch_size": 0, "steps": -5},
        "device": "tpu",
    }
    problems = validate_config(config, workspace=tmp_path)
    assert [p.path for p in problems] == [
        "model.net",
        "dataset.folder",
        "dataset.file_pattern",
        "dataset.num_samples",
        "dataset.num_classes",
        "dataset.image_shape",
        "train.optimizer",
        "train.batch_size",
        "train.steps",
        "device",
    ]
    with pytest.raises(ConfigError) as info:
        load_config(config, workspace=tmp_path)
    assert info.value.problems == tuple(problems)
    assert str(info.value).startswith("job config has 10 problems:\n  - model.net: must be")


@pytest.mark.parametrize(
    "folder", ["../outside", "/etc", "data/../../outside"], ids=["dotdot", "absolute", "inner"]
)
def test_paths_may_not_leave_the_workspace(tmp_path, folder):
    workspace = tmp_path / "ws"
    (workspace / "data").mkdir(parents=True)
    config = {**LENET, "dataset": {"kind": "image_folder", "folder": folder}}
    (problem,) = validate_config(config, workspace=workspace)
    assert problem.path == "dataset.folder"
    assert problem.expected == f"a path inside the workspace {str(workspace)!r}"
    assert "no '..' or links out of it" in str(problem)


def test_a_symlink_out_of_the_workspace_is_an_escape(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", workspace / "link")
    config = {**LENET, "dataset": {"kind": "image_folder", "folder": "link"}}
    assert [p.path for p in validate_config(config, workspace=workspace)] == ["dataset.folder"]


def test_full_config_resolves_paths_and_keeps_them_relative_in_json(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "pretrained").mkdir()
    (tmp_path / "pretrained" / "model.ckpt-7.index").write_text("")
    config = {
        "name": "fine-tune",
        "model": {"net": "lenet"},
        "dataset": {
            "kind": "tfrecord",
            "folder": "records",
            "file_pattern": "digits_%s_*.tfrecord",
            "num_samples": {"train": 100, "validation": 20},
            "num_classes": 10,
            "image_shape": [8, 8, 1],
            "resize": [28, 28],
        },
        "train": {
            "optimizer": "rmsprop",
            "epsilon": 1.0,
            "schedule": {
                "kind": "piecewise",
                "boundaries": [100, 200],
                "values": [0.1, 0.01, 1e-3],
            },
        },
        "restore": {
            "checkpoint": "pretrained/model.ckpt-7",
            "exclude": ["LeNet/fc4/"],
            "trainable_scopes": ["LeNet/fc4"],
            "gradient_multipliers": {"LeNet/fc4/": 10},
            "frozen_batch_norms": ["LeNet/conv1/BatchNorm"],
        },
        "seed": 3,
        "device": "cpu",
    }
    job = load_config(config, workspace=tmp_path)
    root = os.path.realpath(tmp_path)
    assert job.dataset.folder == os.path.join(root, "records")
    assert job.dataset.resize == (28, 28) and job.dataset.image_shape == (8, 8, 1)
    assert job.dataset.num_samples == {"train": 100, "validation": 20}
    assert job.train.schedule.values == (0.1, 0.01, 1e-3)
    assert job.train.epsilon == 1.0
    assert job.restore.checkpoint == os.path.join(root, "pretrained", "model.ckpt-7")
    assert job.restore.exclude == ("LeNet/fc4",)  # A trailing '/' is dropped.
    assert job.restore.gradient_multipliers == {"LeNet/fc4": 10.0}
    assert job.restore.frozen_batch_norms == ("LeNet/conv1/BatchNorm",)
    assert job.data["dataset"]["folder"] == "records"
    assert job.data["restore"]["checkpoint"] == "pretrained/model.ckpt-7"
    assert load_config(job.data, workspace=tmp_path) == job  # job.json reads back the same.


def test_a_valid_design_is_taken_as_given(tmp_path):
    design = new_design("m", [8, 8, 1], [layer("conv2d", num_outputs=8, kernel_size=3)])
    job = load_config({"model": {"design": design}}, workspace=tmp_path)
    assert job.model.design == design and job.model.net is None


def test_a_design_that_cannot_be_built_is_refused_with_its_problems(tmp_path):
    design = new_design(
        "m",
        [8, 8, 1],
        [
            layer("conv2d", num_outputs=8, kernel_size=50, padding="VALID"),
            layer("fully_conected", num_outputs=2),
        ],
    )
    with pytest.raises(ConfigError) as raised:
        load_config({"model": {"design": design}}, workspace=tmp_path)
    assert [str(p) for p in raised.value.problems] == [
        "model.design.blocks[0].args.kernel_size: must be a window that fits the 8x8 input "
        "with padding 'VALID', got [50, 50]. Use a smaller kernel, padding 'SAME', or less "
        "downsampling before.",
        "model.design.blocks[1].op: must be a layer op such as 'conv2d' (see the catalogue), "
        "got 'fully_conected'. Did you mean 'fully_connected'?",
    ]


@pytest.mark.parametrize(
    "train, message",
    [
        ({"steps": 10**30}, "train.steps: must be an integer from 1 to 1,000,000,000, got 10"),
        ({"batch_size": 10**9}, "train.batch_size: must be an integer from 1 to 8,192, got"),
        ({"log_every_n_steps": 2**63}, "train.log_every_n_steps: must be an integer from 1 to"),
    ],
)
def test_sizes_beyond_what_a_job_can_run_are_refused(tmp_path, train, message):
    found = _messages({**LENET, "train": train}, tmp_path)
    assert any(text.startswith(message) for text in found), found


def test_files_are_not_checked_when_asked_not_to(tmp_path):
    config = {**LENET, "restore": {"checkpoint": "gone/model.ckpt-5"}}
    assert validate_config(config, workspace=tmp_path, check_files=False) == []
    assert [p.path for p in validate_config(config, workspace=tmp_path)] == ["restore.checkpoint"]


def test_problem_text():
    assert str(config_problem("seed", -1, "an integer >= 0")) == (
        "seed: must be an integer >= 0, got -1."
    )
    assert str(config_problem("x", 1, "2", "Try 2.")) == "x: must be 2, got 1. Try 2."


def test_config_problems_are_the_workbench_problems():
    problem = config_problem("train.steps", MISSING, "an integer >= 1")
    assert isinstance(problem, Problem)
    assert (problem.path, problem.value, problem.expected) == (
        "train.steps",
        MISSING,
        "an integer >= 1",
    )
    assert problem.kind == "structure"  # A missing key.
    assert config_problem("seed", -1, "an integer >= 0").kind == "value"
    (found,) = validate_config({**LENET, "seed": -1}, workspace="/tmp", check_files=False)
    assert isinstance(found, Problem) and found.message.startswith("seed: must be")


@pytest.mark.parametrize("module", [config_module, paths, metrics_stream], ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0


def test_a_sweep_id_is_kept_and_a_job_outside_a_sweep_has_none(tmp_path):
    job = load_config({**LENET, "sweep": "lr-20261206-101500"}, workspace=tmp_path)
    assert job.sweep == "lr-20261206-101500"
    assert job.data["sweep"] == "lr-20261206-101500"
    plain = load_config({**LENET, "sweep": None}, workspace=tmp_path)
    assert plain.sweep is None and "sweep" not in plain.data


@pytest.mark.parametrize(
    "sweep",
    ["", "../up", "a/b", 7, "-starts-with-dash", "x" * 101],
    ids=["empty", "dots", "slash", "int", "dash", "long"],
)
def test_a_sweep_id_that_cannot_name_a_folder_is_refused(tmp_path, sweep):
    with pytest.raises(ConfigError, match=r"sweep: must be null or a sweep id: up to 100 letters"):
        load_config({**LENET, "sweep": sweep}, workspace=tmp_path)


def test_the_net_names_checked_are_the_nets_slimlib_builds():
    # Written out so that a config check needs no TensorFlow; a net added to slimlib.nets
    # and not here would be refused by every config check.
    from slimlib.nets import nets_factory
    from workbench.models.jobs.net_names import NET_NAMES

    assert list(NET_NAMES) == nets_factory.network_names
