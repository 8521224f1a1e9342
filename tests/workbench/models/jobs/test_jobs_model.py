"""A job's model pieces: learning-rate schedules, optimizers, and fine-tuning from a
restore plan (trained in this process from the shared digits job's checkpoint)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

import slimlib as slim
from workbench.models.jobs import inputs, load_config, model, training

v1 = tf.compat.v1


def _train_spec(workspace, train: dict):
    return load_config({"model": {"net": "lenet"}, "train": train}, workspace=workspace).train


@pytest.mark.parametrize(
    "schedule, steps, rates",
    [
        ({"kind": "constant"}, [0, 50], [0.1, 0.1]),
        # 0.1 * 0.5 ** (step / 10)
        (
            {"kind": "exponential", "decay_steps": 10, "decay_rate": 0.5},
            [0, 10, 15],
            [0.1, 0.05, 0.1 * 0.5**1.5],
        ),
        (
            {"kind": "exponential", "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
            [15, 20],
            [0.05, 0.025],
        ),
        # The rate is values[i] while step <= boundaries[i].
        (
            {"kind": "piecewise", "boundaries": [10, 20], "values": [1.0, 0.5, 0.25]},
            [0, 10, 11, 25],
            [1.0, 1.0, 0.5, 0.25],
        ),
    ],
    ids=["constant", "exponential", "staircase", "piecewise"],
)
def test_learning_rate_schedules(tmp_path, schedule, steps, rates):
    spec = _train_spec(tmp_path, {"learning_rate": 0.1, "schedule": schedule})
    with tf.Graph().as_default():
        global_step = slim.get_or_create_global_step()
        rate = model.learning_rate(spec, global_step)
        assert rate.op.name.startswith("learning_rate")
        with v1.Session() as sess:
            found = []
            for step in steps:
                sess.run(global_step.assign(step))
                found.append(float(sess.run(rate)))
    np.testing.assert_allclose(found, rates, rtol=1e-6)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("sgd", v1.train.GradientDescentOptimizer),
        ("momentum", v1.train.MomentumOptimizer),
        ("adam", v1.train.AdamOptimizer),
        ("rmsprop", v1.train.RMSPropOptimizer),
    ],
    ids=str,
)
def test_optimizers_by_name(tmp_path, name, cls):
    spec = _train_spec(tmp_path, {"optimizer": name})
    with tf.Graph().as_default():
        assert isinstance(model.optimizer(spec, 0.1), cls)


def _finetune_config(workspace: str, restore: dict):
    return load_config(
        {
            "model": {"net": "lenet"},
            "train": {
                "optimizer": "sgd",
                "learning_rate": 0.1,
                "steps": 3,
                "batch_size": 8,
                "log_every_n_steps": 1,
            },
            "restore": restore,
            "device": "cpu",
        },
        workspace=workspace,
    )


def test_restore_plan_restores_all_but_excluded_and_trains_only_trainable_scopes(digits_run):
    source = os.path.relpath(digits_run.logdir, digits_run.workspace)
    config = _finetune_config(
        digits_run.workspace,
        {"checkpoint": source, "exclude": ["LeNet/fc4"], "trainable_scopes": ["LeNet/fc4"]},
    )
    logdir = os.path.join(digits_run.workspace, "finetune")  # No job.json: not a listed job.
    os.makedirs(logdir)
    data = inputs.prepare(config, logdir)
    records = []
    training.run_training(config, logdir, data, should_stop=lambda: False, on_record=records.append)
    assert training.checkpoint_step(logdir) == 3
    before = tf.train.load_checkpoint(digits_run.logdir)
    after = tf.train.load_checkpoint(logdir)
    for name in ("LeNet/conv1/weights", "LeNet/fc3/biases"):  # Restored, then frozen.
        np.testing.assert_array_equal(after.get_tensor(name), before.get_tensor(name))
    # Excluded: freshly initialised (truncated normal, stddev 0.1), then trained.
    assert not np.allclose(
        after.get_tensor("LeNet/fc4/weights"), before.get_tensor("LeNet/fc4/weights")
    )
    assert [r["step"] for r in records] == [1, 2, 3]


def test_restore_plan_errors_name_the_scope(digits_run, tmp_path):
    source = os.path.relpath(digits_run.logdir, digits_run.workspace)
    config = _finetune_config(
        digits_run.workspace, {"checkpoint": source, "trainable_scopes": ["LeNet/fc9"]}
    )
    with tf.Graph().as_default():
        model.build_logits(config, tf.zeros([1, 8, 8, 1]), 10, is_training=True)
        with pytest.raises(ValueError, match=r"'LeNet/fc9' must name a scope with trainable"):
            model.variables_to_train(config)
    config = _finetune_config(digits_run.workspace, {"checkpoint": source, "exclude": ["LeNet"]})
    with tf.Graph().as_default():
        model.build_logits(config, tf.zeros([1, 8, 8, 1]), 10, is_training=True)
        with pytest.raises(ValueError, match=r"leaves no model variable to restore"):
            model.restore_fn(config)
