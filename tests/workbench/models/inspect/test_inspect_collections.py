"""Collections inspector on a tiny graph whose every member is known by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.inspect import (
    STANDARD_COLLECTIONS,
    TensorEntry,
    VariableEntry,
    graph_collections,
    inspect_collections,
    read_checkpoint,
)


def _tiny_graph() -> tf.Graph:
    """fc (2 -> 3, L2-regularized, truncated-normal weights) -> batch norm; a local counter,
    a loss, a summary, a global step and one custom collection."""
    with tf.Graph().as_default() as graph:
        net = slim.fully_connected(
            tf.ones([1, 2]),
            3,
            weights_initializer=tf.truncated_normal_initializer(stddev=0.1),
            weights_regularizer=slim.l2_regularizer(0.5),
            scope="fc",
        )
        net = slim.batch_norm(net, is_training=True, scope="bn")
        slim.local_variable(0, name="counter")
        loss = tf.losses.mean_squared_error(tf.zeros([1, 3]), net)
        tf.summary.scalar("loss", loss)
        tf.add_to_collection("my_outputs", net)
        slim.get_or_create_global_step()
    return graph


@pytest.fixture(scope="module")
def listing():
    return {c.label: c for c in inspect_collections(_tiny_graph())}


def _var(
    name,
    shape,
    dtype="float32",
    *,
    trainable,
    regularized=False,
    init="Const",
    init_name="zeros",
    model=True,
):
    return VariableEntry(
        name=name,
        shape=shape,
        dtype=dtype,
        device="",
        trainable=trainable,
        regularized=regularized,
        initializer=init,
        initializer_name=init_name,
        model_variable=model,
    )


FC_W = _var(
    "fc/weights",
    (2, 3),
    trainable=True,
    regularized=True,
    init="TruncatedNormal",
    init_name="truncated_normal",
)
FC_B = _var("fc/biases", (3,), trainable=True)
BETA = _var("bn/beta", (3,), trainable=True)
MEAN = _var("bn/moving_mean", (3,), trainable=False)
VARIANCE = _var("bn/moving_variance", (3,), trainable=False, init_name="ones")
STEP = _var("global_step", (), "int64", trainable=False, model=False)
COUNTER = _var("counter", (), "int32", trainable=False, init_name="initial_value", model=False)


def test_collections_come_in_a_fixed_order_then_custom_ones_sorted(listing):
    assert list(listing) == [label for _, label in STANDARD_COLLECTIONS] + [
        "global_step",
        "my_outputs",
    ]


def test_variable_collections_list_every_member_with_its_facts(listing):
    assert listing["GLOBAL_VARIABLES"].members == (FC_W, FC_B, BETA, MEAN, VARIANCE, STEP)
    assert listing["MODEL_VARIABLES"].members == (FC_W, FC_B, BETA, MEAN, VARIANCE)
    assert listing["TRAINABLE_VARIABLES"].members == (FC_W, FC_B, BETA)
    assert listing["LOCAL_VARIABLES"].members == (COUNTER,)
    assert listing["global_step"].members == (STEP,)


def test_tensor_collections_list_name_type_and_shape(listing):
    assert listing["LOSSES"].members == (
        TensorEntry("mean_squared_error/value:0", "tensor", "DivNoNan", (), "float32"),
    )
    assert listing["REGULARIZATION_LOSSES"].members == (
        TensorEntry("fc/kernel/Regularizer/l2_regularizer:0", "tensor", "Mul", (), "float32"),
    )
    assert listing["SUMMARIES"].members == (
        TensorEntry("loss:0", "tensor", "ScalarSummary", (), "string"),
    )
    updates = listing["UPDATE_OPS"].members
    assert [(m.kind, m.type, m.shape) for m in updates] == [
        ("tensor", "AssignSubVariableOp", (3,)),
    ] * 2
    assert listing["my_outputs"].count == 1
    assert listing["my_outputs"].members[0].shape == (1, 3)


def test_ops_and_other_objects_are_listed_too(graph):
    op = tf.no_op(name="step")
    tf.add_to_collection("mixed", op)
    tf.add_to_collection("mixed", "a note")
    mixed = {c.key: c for c in inspect_collections(graph)}["mixed"]
    assert mixed.members == (
        TensorEntry("step", "op", "NoOp"),
        TensorEntry("'a note'", "object", "str"),
    )


def test_records_are_flat_rows(listing):
    row = listing["GLOBAL_VARIABLES"].records()[0]
    assert row == {
        "Name": "fc/weights",
        "Shape": "[2, 3]",
        "Dtype": "float32",
        "Device": "",
        "Trainable": True,
        "Regularized": True,
        "Initializer": "truncated_normal",
        "Model variable": True,
        "In checkpoint": "",
    }
    assert listing["GLOBAL_VARIABLES"].records()[1]["Initializer"] == "zeros"  # fc/biases
    assert listing["LOSSES"].records()[0]["Type"] == "DivNoNan"


def test_checkpoint_says_which_variables_it_holds_and_with_which_shape(tmp_path):
    with tf.Graph().as_default():
        saved = {
            "fc/weights": tf.Variable(np.zeros([2, 3], np.float32)),
            "fc/biases": tf.Variable(np.zeros([4], np.float32)),  # Another shape.
        }
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver(saved).save(sess, str(tmp_path / "model.ckpt"), write_meta_graph=False)
    # A directory works as well as the prefix: its latest checkpoint is read.
    for path in (str(tmp_path / "model.ckpt"), str(tmp_path)):
        graph = _tiny_graph()
        variables = {c.label: c for c in inspect_collections(graph, checkpoint=path)}
        stored = [
            (m.name, m.in_checkpoint, m.checkpoint_shape)
            for m in variables["GLOBAL_VARIABLES"].members
        ]
        assert stored == [
            ("fc/weights", True, (2, 3)),
            ("fc/biases", True, (4,)),
            ("bn/beta", False, None),
            ("bn/moving_mean", False, None),
            ("bn/moving_variance", False, None),
            ("global_step", False, None),
        ]
        ins = [r["In checkpoint"] for r in variables["GLOBAL_VARIABLES"].records()]
        assert ins[:3] == ["yes", "yes, shape [4]", "no"]
    assert list(read_checkpoint(tmp_path).entries) == ["fc/biases", "fc/weights"]


def test_errors_name_the_argument(tmp_path, graph):
    missing = str(tmp_path / "nowhere" / "model.ckpt")
    with pytest.raises(
        ValueError,
        match=r"inspect_collections: `checkpoint` must be an existing "
        r"checkpoint prefix .* got '.*nowhere/model.ckpt', which does not exist",
    ):
        inspect_collections(graph, checkpoint=missing)
    with pytest.raises(ValueError, match=r"got the directory '.*', which has none"):
        inspect_collections(graph, checkpoint=str(tmp_path))
    (tmp_path / "junk.index").write_text("not a checkpoint")
    with pytest.raises(ValueError, match=r"`checkpoint` must name a readable checkpoint"):
        inspect_collections(graph, checkpoint=str(tmp_path / "junk"))
    with pytest.raises(TypeError, match=r"`checkpoint` must be a checkpoint prefix or directory"):
        inspect_collections(graph, checkpoint=3)
    with pytest.raises(TypeError, match=r"inspect_collections: `graph` must be a tf.Graph"):
        inspect_collections("graph")


def test_docstring_examples_run():
    result = doctest.testmod(graph_collections, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
