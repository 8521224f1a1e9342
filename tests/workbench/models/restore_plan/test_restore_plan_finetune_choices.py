"""Per-scope fine-tuning choices beyond restore/train: learning-rate multipliers, selection
by pattern, frozen batch-norm statistics and the count of trainable parameters."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.restore_plan import RestorePlan


def _bn_net(images):
    """conv1 (batch norm) -> flatten -> fc 3."""
    net = slim.conv2d(
        images, 2, [1, 1], normalizer_fn=slim.batch_norm,
        normalizer_params={"is_training": True}, scope="conv1",
    )  # fmt: skip
    return slim.fully_connected(slim.flatten(net), 3, activation_fn=None, scope="fc")


#: `[batch, height, width, channels]` of `_tiny_net`'s input.
TINY_INPUT_SHAPE = (1, 2, 2, 1)


def _tiny_net(images):
    """conv1 1x1 (1 -> 2) -> flatten (8) -> fc (8 -> 3): 31 parameters."""
    net = slim.conv2d(images, 2, [1, 1], scope="conv1")
    return slim.fully_connected(slim.flatten(net), 3, activation_fn=None, scope="fc")


@pytest.fixture
def plan():
    return RestorePlan.from_model(_tiny_net, TINY_INPUT_SHAPE)


def test_trainable_parameters_count_what_the_job_updates(plan):
    # conv1: 1*1*1*2 weights + 2 biases; fc: 8*3 weights + 3 biases.
    assert (plan.trainable_parameters, plan.total_parameters) == (31, 31)
    plan.set_train("conv1", False)
    assert (plan.trainable_parameters, plan.total_parameters) == (27, 31)
    plan.set_train("fc/biases", False)
    assert plan.trainable_parameters == 24


def test_multipliers_hold_below_their_scope_and_the_nearest_wins(plan):
    plan.set_multiplier("fc", 10)
    assert plan.gradient_multipliers == {"fc/weights": 10.0, "fc/biases": 10.0}
    plan.set_multiplier("fc/biases", 2.5)
    assert plan.gradient_multipliers == {"fc/weights": 10.0, "fc/biases": 2.5}
    assert plan.multiplier_of("fc/weights") == 10.0 and plan.multiplier_of("conv1") == 1.0
    plan.set_train("fc/weights", False)  # A frozen variable has no gradient to multiply.
    assert plan.gradient_multipliers == {"fc/biases": 2.5}
    plan.set_multiplier("fc/biases", None)  # Inherits fc's factor again.
    assert plan.gradient_multipliers == {"fc/biases": 10.0}
    rows = {row["Path"]: row["LR x"] for row in plan.scope_records()}
    assert rows == {"conv1": 1.0, "conv1/weights": 1.0, "conv1/biases": 1.0,
                    "fc": 10.0, "fc/weights": 10.0, "fc/biases": 10.0}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"set_multiplier: `value` must be a number > 0 .*got 0\."),
        (float("nan"), ValueError, r"must be a number > 0 .*got nan\."),
        ("10", TypeError, r"`value` must be a number > 0 or None \(inherit\), got '10'\."),
        (True, TypeError, r"got True\."),
    ],
)
def test_a_bad_multiplier_is_refused(plan, value, error, match):
    with pytest.raises(error, match=match):
        plan.set_multiplier("fc", value)
    assert plan.multipliers == {}


def test_a_multiplier_on_an_unknown_scope_is_refused(plan):
    with pytest.raises(ValueError, match=r"must be a scope or variable of the graph, got 'fc2'"):
        plan.set_multiplier("fc2", 2.0)


def test_patterns_match_whole_paths(plan):
    assert plan.scopes_matching("conv.*") == ["conv1", "conv1/weights", "conv1/biases"]
    assert plan.scopes_matching("fc") == ["fc"]  # Not fc/weights: the whole path must match.
    assert plan.scopes_matching(".*/biases") == ["conv1/biases", "fc/biases"]


@pytest.mark.parametrize(
    ("pattern", "error", "match"),
    [
        ("conv(", ValueError, r"`pattern` must be a regular expression, got 'conv\('"),
        ("Mixed_6.*", ValueError, r"must match at least one scope .*got 'Mixed_6\.\*'; scopes "
         r"near the top: \['conv1', 'conv1/weights'"),
        (3, TypeError, r"`pattern` must be a str \(a regular expression\), got 3\."),
    ],
)  # fmt: skip
def test_a_bad_pattern_is_refused(plan, pattern, error, match):
    with pytest.raises(error, match=match):
        plan.scopes_matching(pattern)


def test_apply_pattern_sets_the_outermost_matches_whole(plan):
    plan.set_train("conv1/biases", True)
    assert plan.apply_pattern("conv.*", train=False, restore=False) == ["conv1"]
    assert plan.train_choices == {"conv1": False}  # conv1/biases follows conv1 again.
    assert [v.op.name for v in plan.variables_to_train] == ["fc/weights", "fc/biases"]
    assert sorted(plan.variables_to_restore) == ["fc/biases", "fc/weights"]
    assert plan.apply_pattern(".*", multiplier=3) == ["conv1", "fc"]
    assert plan.gradient_multipliers == {"fc/weights": 3.0, "fc/biases": 3.0}
    assert plan.apply_pattern(".*/biases", train=True) == ["conv1/biases", "fc/biases"]
    assert plan.train_choices == {"conv1": False, "conv1/biases": True, "fc/biases": True}


def test_apply_pattern_changes_nothing_when_a_value_is_bad(plan):
    with pytest.raises(ValueError, match=r"give at least one of `restore`, `train` or"):
        plan.apply_pattern("conv.*")
    with pytest.raises(ValueError, match=r"must be a number > 0"):
        plan.apply_pattern("conv.*", train=False, multiplier=-1)
    assert (plan.train_choices, plan.multipliers) == ({}, {})


def test_frozen_batch_norms_are_listed_only_when_their_statistics_stay(tmp_path):
    plan = RestorePlan.from_model(_bn_net, TINY_INPUT_SHAPE)
    plan.set_train("conv1", False)
    assert plan.frozen_batch_norms == []  # TF-Slim's default: every update op runs.
    plan.update_frozen_batch_norm = False
    assert plan.frozen_batch_norms == ["conv1/BatchNorm"]
    assert plan.update_ops == []


def test_a_frozen_batch_norm_updating_in_place_is_listed_for_the_job_to_build_frozen():
    """No update op to leave out: the job keeps it in inference mode by its scope instead."""

    def in_place(images):
        params = {"is_training": True, "updates_collections": None}
        net = slim.conv2d(
            images, 2, [1, 1], normalizer_fn=slim.batch_norm, normalizer_params=params,
            scope="conv1",
        )  # fmt: skip
        return slim.fully_connected(slim.flatten(net), 3, activation_fn=None, scope="fc")

    plan = RestorePlan.from_model(in_place, TINY_INPUT_SHAPE)
    plan.set_train("conv1", False)
    plan.update_frozen_batch_norm = False
    assert plan.frozen_batch_norms == ["conv1/BatchNorm"]
    assert [t.kind for t in plan.traps] == ["frozen_batch_norm_in_place"]


def test_generated_code_multiplies_the_gradients(plan):
    """The code's train op moves fc/weights by 10 * lr * gradient and conv1 not at all."""
    plan.apply_pattern(".*", restore=False)  # No checkpoint to read here.
    plan.set_train("conv1", False)
    plan.set_multiplier("fc", 10)
    code = plan.generate_code(train_op=True)
    assert "gradient_multipliers=gradient_multipliers" in code
    assert "lr_multipliers = {'fc': 10.0}" in code
    images = np.arange(4, dtype=np.float32).reshape(TINY_INPUT_SHAPE) / 4
    with tf.Graph().as_default():
        logits = _tiny_net(tf.constant(images))
        total_loss = tf.reduce_sum(logits)
        grads = dict(zip(["w", "b"], tf.gradients(total_loss, slim.get_variables("fc"))))
        namespace = {"total_loss": total_loss, "optimizer": tf.train.GradientDescentOptimizer(0.1)}
        exec(code, namespace)  # noqa: S102 - the code the page shows, run as written.
        fc_w, conv_w = slim.get_variables("fc/weights")[0], slim.get_variables("conv1/weights")[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before, conv_before, grad = sess.run([fc_w, conv_w, grads["w"]])
            sess.run(namespace["train_op"])
            after, conv_after = sess.run([fc_w, conv_w])
    np.testing.assert_allclose(after, before - 0.1 * 10 * grad, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(conv_after, conv_before)
