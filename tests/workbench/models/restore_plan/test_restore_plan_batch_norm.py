"""What updates batch-norm moving statistics, in each way `slim.batch_norm` can be built."""

from __future__ import annotations

import doctest

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.restore_plan import batch_norm, batch_norm_updates

UPDATES = tf.GraphKeys.UPDATE_OPS


@pytest.mark.parametrize(
    "collection, training, update_ops, in_place",
    [
        (
            UPDATES,
            True,
            ("bn/AssignMovingAvg/AssignSubVariableOp", "bn/AssignMovingAvg_1/AssignSubVariableOp"),
            (),
        ),
        (UPDATES, "tensor", ("bn/cond_1/Identity", "bn/cond_1/Identity_1"), ()),
        (UPDATES, False, (), ()),
        (
            None,
            True,
            (),
            ("bn/AssignMovingAvg/AssignSubVariableOp", "bn/AssignMovingAvg_1/AssignSubVariableOp"),
        ),
        (None, "tensor", (), ("bn/cond_1",)),
        (None, False, (), ()),
    ],
    ids=[
        "collected",
        "collected-tensor",
        "inference",
        "in-place",
        "in-place-tensor",
        "in-place-inference",
    ],
)
def test_update_ops_and_in_place_updates(graph, collection, training, update_ops, in_place):
    is_training = tf.placeholder(tf.bool, [], name="t") if training == "tensor" else training
    slim.batch_norm(
        tf.ones([2, 3]), is_training=is_training, updates_collections=collection, scope="bn"
    )
    (found,) = batch_norm_updates(graph)
    assert found.scope == "bn"
    assert found.variables == ("bn/moving_mean", "bn/moving_variance")
    assert (found.update_ops, found.in_place) == (update_ops, in_place)
    assert found.updating == (training is not False)


def test_only_model_variables_named_as_statistics_count(graph):
    slim.fully_connected(tf.ones([1, 2]), 2, scope="fc")
    assert batch_norm_updates(graph) == ()


def test_docstring_examples_run():
    result = doctest.testmod(batch_norm, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
