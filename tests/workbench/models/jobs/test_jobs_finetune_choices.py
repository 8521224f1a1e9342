"""A fine-tuning job's per-scope choices in its graph: learning-rate multipliers become
`gradient_multipliers`, frozen batch norms leave their update ops out of the train op."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from workbench.models.design.spec import new_design
from workbench.models.jobs import load_config, model

v1 = tf.compat.v1

#: conv1 (3x3, 2 maps) -> bn1 -> flatten -> logits (3) on a 6x6x1 input.
DESIGN = new_design(
    "bn",
    [6, 6, 1],
    [
        {"kind": "layer", "op": "conv2d", "scope": "conv1",
         "args": {"num_outputs": 2, "kernel_size": [3, 3]}},
        {"kind": "layer", "op": "batch_norm", "scope": "bn1", "args": {}},
        {"kind": "layer", "op": "flatten", "args": {}},
        {"kind": "layer", "op": "fully_connected", "scope": "logits",
         "args": {"num_outputs": 3, "activation_fn": None}},
    ],
)  # fmt: skip


def _built(tmp_path, restore: dict):
    """The config with `restore` (checkpoint not checked) and its model built in a new graph."""
    config = load_config(
        {"model": {"design": DESIGN}, "restore": {"checkpoint": "ckpt", **restore}},
        workspace=tmp_path,
        check_files=False,
    )
    graph = tf.Graph()
    with graph.as_default():
        model.build_logits(config, tf.zeros([2, 6, 6, 1]), 3, is_training=True)
    return config, graph


def test_each_trained_variable_takes_its_nearest_scope_factor(tmp_path):
    restore = {
        "trainable_scopes": ["bn1", "logits"],
        "gradient_multipliers": {"logits": 10.0, "logits/biases": 2.0},
    }
    config, graph = _built(tmp_path, restore)
    with graph.as_default():
        factors = model.gradient_multipliers(config, model.variables_to_train(config))
    assert {var.op.name: f for var, f in factors.items()} == {
        "logits/weights": 10.0, "logits/biases": 2.0
    }  # fmt: skip


def test_a_multiplier_on_a_frozen_scope_is_refused(tmp_path):
    restore = {"trainable_scopes": ["logits"], "gradient_multipliers": {"conv1": 0.1}}
    config, graph = _built(tmp_path, restore)
    with (
        graph.as_default(),
        pytest.raises(
            ValueError,
            match=r"gradient_multipliers key 'conv1' must name a scope with trained variables, "
            r"got none \(frozen or not in the model\); trained scopes: \['logits'\]\.",
        ),
    ):
        model.gradient_multipliers(config, model.variables_to_train(config))


def test_no_multiplier_gives_none(tmp_path):
    config, graph = _built(tmp_path, {})
    with graph.as_default():
        assert model.gradient_multipliers(config, None) is None
        assert model.update_ops(config) is None


def test_a_frozen_batch_norm_of_a_design_runs_in_inference_mode(tmp_path):
    """bn1 normalises with its moving statistics (mean 0, variance 1 at the start):
    out = (x - 0) / sqrt(1 + 0.001), and nothing updates them."""
    config = load_config(
        {
            "model": {"design": DESIGN},
            "restore": {"checkpoint": "c", "frozen_batch_norms": ["bn1"]},
        },
        workspace=tmp_path,
        check_files=False,
    )
    with tf.Graph().as_default():
        images = tf.constant(np.random.RandomState(0).rand(2, 6, 6, 1).astype(np.float32))
        _, end_points = model.build_logits(config, images, 3, is_training=True)
        assert v1.get_collection(v1.GraphKeys.UPDATE_OPS) == []
        assert model.update_ops(config) == []
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            conv, norm = sess.run([end_points["conv1"], end_points["bn1"]])
    np.testing.assert_allclose(norm, conv / np.sqrt(1 + 0.001), rtol=1e-5)


def test_without_frozen_batch_norms_the_design_trains_them(tmp_path):
    config, graph = _built(tmp_path, {})
    with graph.as_default():
        assert len(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == 2  # Mean and variance.


def test_a_frozen_batch_norm_that_is_not_one_is_refused(tmp_path):
    config, graph = _built(tmp_path, {"frozen_batch_norms": ["conv1"]})
    with (
        graph.as_default(),
        pytest.raises(
            ValueError,
            match=r"frozen_batch_norms entry 'conv1' must be the scope of a batch norm of the "
            r"model, got none there; batch norms: \['bn1'\]\.",
        ),
    ):
        model.update_ops(config)
