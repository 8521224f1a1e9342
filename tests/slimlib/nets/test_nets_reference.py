"""Every net against TF-Slim's measured reference (`tf_slim_nets.json`).

Each net is built once (graph only, nothing run) and measured into plain Python
values; the tests compare those with the reference: variables in creation order
with shape, model-variable and trainable membership, collection sizes, parameter
count, end points in order, and the logits tensor's name and shape.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from tests.slimlib.nets._reference import REFERENCE, build_as_measured

NAMES = list(REFERENCE)


@functools.cache
def measure(name: str) -> dict:
    """What the reference records, measured on slimlib's build of `name`."""
    with tf.Graph().as_default():
        logits, end_points = build_as_measured(name, batch=REFERENCE[name]["logits_shape"][0])
        model = set(tf.model_variables())
        trainable = set(tf.trainable_variables())
        variables = tf.global_variables()
        return {
            "variables": [
                [v.op.name, v.shape.as_list(), v in model, v in trainable] for v in variables
            ],
            "num_global": len(variables),
            "num_model": len(model),
            "num_trainable": len(trainable),
            "num_update_ops": len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)),
            "num_reg_losses": len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)),
            "num_trainable_params": int(
                sum(np.prod(v.shape.as_list()) for v in tf.trainable_variables())
            ),
            "other_collections": {
                key: len(tf.get_collection(key)) for key in REFERENCE[name]["other_collections"]
            },
            "end_points": list(end_points),
            "logits_name": logits.name,
            "logits_shape": logits.shape.as_list(),
        }


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_variables_match_in_order(name):
    got, expected = measure(name)["variables"], REFERENCE[name]["variables"]
    first = next(
        (i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected))
    )
    assert got == expected, (
        f"{name}: {len(got)} variables vs {len(expected)} expected; first difference at "
        f"{first}: {got[first : first + 1]} vs {expected[first : first + 1]}"
    )


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_collection_counts_and_parameter_count_match(name):
    got, expected = measure(name), REFERENCE[name]
    keys = [
        "num_global",
        "num_model",
        "num_trainable",
        "num_update_ops",
        "num_reg_losses",
        "num_trainable_params",
        "other_collections",
    ]
    assert {k: got[k] for k in keys} == {k: expected[k] for k in keys}


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_end_points_match_in_order(name):
    assert measure(name)["end_points"] == REFERENCE[name]["end_points"]


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_logits_name_and_shape_match(name):
    got, expected = measure(name), REFERENCE[name]
    assert (got["logits_name"], got["logits_shape"]) == (
        expected["logits_name"],
        expected["logits_shape"],
    )


def test_reference_columns_are_model_variable_then_trainable():
    # Guards the reading of the json: every reference variable is a model variable,
    # and the last column counts exactly the trainable ones.
    for name, ref in REFERENCE.items():
        assert sum(v[2] for v in ref["variables"]) == ref["num_model"], name
        assert sum(v[3] for v in ref["variables"]) == ref["num_trainable"], name
