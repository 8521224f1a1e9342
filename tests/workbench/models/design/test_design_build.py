"""Building designs with slimlib: values by hand, `is_training`, end points, the variables
static inference predicted, and the errors of `build_design`."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import slimlib as slim
from tests.workbench.models.design.design_support import (
    graph_variables,
    predicted_variables,
    without_collections,
)
from workbench.models.design import DesignError, build_design, build_graph, template, templates
from workbench.models.design.spec import arg_scope, layer, net, new_design, residual
from workbench.models.design.validate import analyze

v1 = tf.compat.v1

_ONES = {"name": "ones_initializer"}


def _run(tensor, feed):
    with v1.Session(graph=tensor.graph) as session:
        session.run(v1.global_variables_initializer())
        return session.run(tensor, feed)


def test_values_by_hand():
    # 4 inputs of 1.0 times weights of 1.0 = 4.0 per output, plus a bias of 0.
    design = new_design(
        "dense",
        [4],
        [
            layer(
                "fully_connected",
                "fc",
                num_outputs=3,
                weights_initializer=_ONES,
                activation_fn=None,
            )
        ],
    )
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, 4])
        net_out, end_points = build_design(design, inputs)
        np.testing.assert_allclose(_run(net_out, {inputs: np.ones([2, 4])}), np.full([2, 3], 4.0))
        assert list(end_points) == ["fc"] and end_points["fc"] is net_out


def test_residual_adds_the_shortcut_then_applies_the_activation():
    # conv 1x1 with weight 1 on 2 channels of 1.0 gives 2.0; plus the identity 1.0 gives 3.0.
    conv = layer(
        "conv2d", num_outputs=2, kernel_size=1, weights_initializer=_ONES, activation_fn=None
    )
    design = new_design("res", [2, 2, 2], [residual([conv], [], "res", "relu6")])
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, 2, 2, 2])
        out, end_points = build_design(design, inputs)
        np.testing.assert_allclose(
            _run(out, {inputs: np.ones([1, 2, 2, 2])}), np.full([1, 2, 2, 2], 3.0)
        )
        assert list(end_points) == ["res/Conv", "res"]


@pytest.mark.parametrize("is_training, expected", [(False, 1.0), (True, None)])
def test_is_training_reaches_dropout(is_training, expected):
    design = new_design("drop", [1000], [layer("dropout", keep_prob=0.5, seed=1)])
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, 1000])
        out, _ = build_design(design, inputs, is_training)
        values = _run(out, {inputs: np.ones([1, 1000])})
    if expected is not None:
        np.testing.assert_allclose(values, 1.0)
    else:
        # Kept elements are scaled by 1 / keep_prob = 2; dropped ones are 0.
        assert set(np.unique(values)) == {0.0, 2.0}


def test_is_training_comes_from_an_arg_scope_and_a_design_value_wins():
    design = new_design(
        "bn",
        [4, 4, 2],
        [layer("batch_norm", "frozen", is_training=False), layer("batch_norm", "live")],
    )
    built = build_graph(design, is_training=True)
    records = {r.scope: r for r in built.trace.records}
    assert records["frozen"].arguments["is_training"].value is False
    assert records["frozen"].arguments["is_training"].source == "call"
    assert records["live"].arguments["is_training"].value is True
    assert records["live"].arguments["is_training"].source == "arg_scope"
    # Only the live layer adds moving-average updates.
    assert len(built.graph.get_collection(v1.GraphKeys.UPDATE_OPS)) == 2


def test_an_arg_scope_around_the_build_still_applies():
    # The training job sets weight decay this way around build_design.
    design = new_design("conv", [4, 4, 1], [layer("conv2d", num_outputs=2, kernel_size=1)])
    with tf.Graph().as_default() as graph:
        inputs = v1.placeholder(tf.float32, [None, 4, 4, 1])
        with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(0.1)):
            build_design(design, inputs)
        assert len(graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)) == 1


@pytest.mark.parametrize("name", list(templates()))
def test_templates_build_the_predicted_variables_and_scopes(name):
    design = template(name)
    analysis = analyze(design)
    built = build_graph(design, batch_size=2)
    assert predicted_variables(analysis) == without_collections(graph_variables(built.graph))
    predicted = [
        info.scope
        for path, info in analysis.blocks.items()
        if info.kind in ("layer", "repeat", "stack") and not path.endswith(".block")
    ]
    assert predicted == [record.scope for record in built.trace.records]
    assert tuple(built.logits.shape.as_list()) == (2, *analysis.output_shape)
    assert built.trace.total_params == analysis.total_params


def test_net_blocks_build_through_nets_factory():
    design = new_design("lenet", [28, 28, 1], [net("lenet", num_classes=5, weight_decay=0.01)])
    built = build_graph(design)
    assert built.logits.shape.as_list() == [None, 5]
    assert "Logits" in built.end_points and "Predictions" in built.end_points
    assert len(built.graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)) == 4
    assert predicted_variables(built.analysis) == without_collections(graph_variables(built.graph))


def test_arg_scope_blocks_set_defaults():
    design = new_design(
        "scoped",
        [4, 4, 1],
        [
            arg_scope(
                ["conv2d"],
                [layer("conv2d", "c", num_outputs=2)],
                kernel_size=[3, 1],
                padding="VALID",
            )
        ],
    )
    built = build_graph(design)
    record = built.trace.records[0]
    assert record.output_shape == (None, 2, 4, 2)
    assert record.arguments["kernel_size"].source == "arg_scope"


def test_invalid_design_is_refused_with_every_problem():
    design = new_design(
        "bad", [8, 8, 3], [layer("conv2d", num_outputs=0, kernel_size=3), layer("flatn")]
    )
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, 8, 8, 3])
        with pytest.raises(
            DesignError, match=r"build_design: the design has 2 problems:"
        ) as caught:
            build_design(design, inputs)
    assert [p.path for p in caught.value.problems] == ["blocks[0].args.num_outputs", "blocks[1].op"]
    with pytest.raises(DesignError, match=r"build_graph: the design has 2 problems"):
        build_graph(design)


@pytest.mark.parametrize(
    "shape, dtype, match",
    [
        (
            [None, 8, 8, 1],
            tf.float32,
            r"`input.shape` must be the shape of `inputs` without its batch axis, \[8, 8, 1\], got \[8, 8, 3\]",
        ),
        (
            [None, 8, 8, 3],
            tf.float64,
            r"`input.dtype` must be the dtype of `inputs`, 'float64', got 'float32'",
        ),
    ],
    ids=["shape", "dtype"],
)
def test_inputs_must_match_the_design(shape, dtype, match):
    design = new_design("m", [8, 8, 3], [layer("flatten")])
    with tf.Graph().as_default():
        with pytest.raises(DesignError, match=match):
            build_design(design, v1.placeholder(dtype, shape))


def test_bad_arguments_of_build_design():
    design = new_design("m", [4], [layer("flatten")])
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, 4])
        with pytest.raises(TypeError, match=r"build_design: `is_training` must be a bool, got 1"):
            build_design(design, inputs, 1)
        with pytest.raises(
            TypeError, match=r"build_design: `inputs` must be a graph tensor, got \[1, 2\]"
        ):
            build_design(design, [1, 2])


def test_eager_build_says_how_to_fix_it():
    design = new_design("m", [4], [layer("fully_connected", num_outputs=2)])
    with pytest.raises(RuntimeError, match=r"cannot run eagerly"):
        build_design(design, tf.ones([1, 4]))
