"""Variables against a checkpoint written in the test: statuses and unused entries."""

from __future__ import annotations

import doctest

import pytest
import tensorflow.compat.v1 as tf

from workbench.models.inspect import build_traced, read_checkpoint
from workbench.models.restore_plan import NameRule, classify, compare_with_checkpoint
from workbench.models.restore_plan import compare as compare_module


def _statuses(model_fn, shape, checkpoint, rules=()):
    graph = build_traced(model_fn, shape).graph
    keys = tf.GraphKeys
    return compare_with_checkpoint(
        graph.get_collection(keys.GLOBAL_VARIABLES),
        checkpoint,
        rules,
        model_variables=graph.get_collection(keys.MODEL_VARIABLES),
        trainable_variables=graph.get_collection(keys.TRAINABLE_VARIABLES),
    )


def test_renamed_and_reshaped_variables_get_exactly_the_expected_statuses(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    matches, unused = _statuses(model_fn, shape, read_checkpoint(renamed_checkpoint))
    assert [(m.name, m.status, m.shape, m.checkpoint_shape) for m in matches] == [
        ("conv1/weights", "matched", (1, 1, 1, 2), (1, 1, 1, 2)),
        ("conv1/biases", "missing", (2,), None),  # Saved as conv1/bias.
        ("fc/weights", "shape mismatch", (8, 3), (8, 5)),  # Saved with 5 outputs.
        ("fc/biases", "matched", (3,), (3,)),
    ]
    assert {m.kind for m in matches} == {"model"} and all(m.trainable for m in matches)
    assert [(e.name, e.shape, e.dtype, e.kind, e.expected) for e in unused] == [
        ("conv1/bias", (2,), "float32", "other", False),
        ("conv1/weights/Momentum", (1, 1, 1, 2), "float32", "optimizer slot", True),
        ("global_step", (), "int64", "global_step", True),
    ]


def test_a_rule_maps_the_renamed_entry(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    rule = NameRule("replace_prefix", "conv1/biases", "conv1/bias")
    matches, unused = _statuses(model_fn, shape, read_checkpoint(renamed_checkpoint), [rule])
    assert [(m.checkpoint_name, m.status) for m in matches][:2] == [
        ("conv1/weights", "matched"),
        ("conv1/bias", "matched"),
    ]
    assert [e.name for e in unused] == ["conv1/weights/Momentum", "global_step"]


def test_without_a_checkpoint_statuses_are_none(tiny):
    model_fn, shape, _ = tiny
    matches, unused = _statuses(model_fn, shape, None)
    assert {m.status for m in matches} == {None} and unused == ()


@pytest.mark.parametrize(
    "name, kind",
    [
        ("global_step", "global_step"),
        ("conv1/weights/Momentum", "optimizer slot"),
        ("conv1/weights/Adam_1", "optimizer slot"),
        ("beta1_power", "optimizer"),
        ("vgg_16/mean_rgb", "other"),
        ("other/Momentum", "other"),  # No variable `other` beside it: not a slot.
    ],
    ids=["step", "momentum", "adam", "beta-power", "other", "lonely-slot-name"],
)
def test_classify(name, kind):
    assert classify(name, {"conv1/weights", name}) == kind


def test_docstring_examples_run():
    result = doctest.testmod(compare_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
