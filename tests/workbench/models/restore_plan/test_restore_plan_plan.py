"""`RestorePlan` end to end: statuses, choices, traps, and generated code run in a fresh graph."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.restore_plan import NameRule, RestorePlan, plan


def _bn_net(images):
    """conv1 (batch norm, training) -> flatten -> fc 3."""
    net = slim.conv2d(
        images,
        2,
        [1, 1],
        normalizer_fn=slim.batch_norm,
        normalizer_params={"is_training": True},
        scope="conv1",
    )
    return slim.fully_connected(slim.flatten(net), 3, activation_fn=None, scope="fc")


def _two_convs(images):
    """conv1 and conv10: `conv1` as a TF-Slim exclude scope also catches conv10."""
    net = slim.conv2d(images, 2, [1, 1], scope="conv1")
    return slim.conv2d(net, 2, [1, 1], scope="conv10")


def _save_model(model_fn, shape, prefix, *, offset=10.0):
    """Saves the model's own variables, each set to `pattern(shape, offset + i)`."""
    with tf.Graph().as_default():
        model_fn(tf.placeholder(tf.float32, list(shape)))
        variables = tf.global_variables()
        values = {
            v.op.name: _values(v.shape.as_list(), offset + i) for i, v in enumerate(variables)
        }
        with tf.Session() as sess:
            for v in variables:
                v.load(values[v.op.name], sess)
            tf.train.Saver().save(sess, prefix, write_meta_graph=False)
    return values


def _values(shape, offset):
    size = int(np.prod(shape))
    return (offset + np.arange(size, dtype=np.float32) / size).reshape(shape)


def _run(code, model_fn, shape, **namespace):
    """Builds the model in a fresh graph and runs `code` there; returns graph and namespace."""
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, list(shape), name="images")
        logits = model_fn(images)
        namespace = {name: make(logits) for name, make in namespace.items()}
        exec(compile(code, "<restore plan>", "exec"), namespace)
    return graph, namespace, images


def _restored_names(selection) -> list[str]:
    """Checkpoint names of a generated `variables_to_restore` (a dict, or a list of variables
    restored under their own names)."""
    if isinstance(selection, dict):
        return sorted(selection)
    return sorted(v.op.name for v in selection)


def _by_name(graph):
    return {v.op.name: v for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)}


def test_statuses_and_traps_of_a_renamed_and_reshaped_checkpoint(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=renamed_checkpoint)
    assert restore.error == "" and restore.checkpoint_path == renamed_checkpoint
    assert [(m.name, m.status) for m in restore.matches] == [
        ("conv1/weights", "matched"),
        ("conv1/biases", "missing"),
        ("fc/weights", "shape mismatch"),
        ("fc/biases", "matched"),
    ]
    assert [(e.name, e.kind) for e in restore.unused] == [
        ("conv1/bias", "other"),
        ("conv1/weights/Momentum", "optimizer slot"),
        ("global_step", "global_step"),
    ]
    assert [t.kind for t in restore.traps] == ["shape_mismatch_restored", "missing_restored"]
    assert "Did you mean 'conv1/bias'?" in restore.traps[1].message


def test_generated_code_restores_the_saved_values(tiny, renamed_checkpoint):
    model_fn, shape, entries = tiny
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=renamed_checkpoint)
    restore.rules = [NameRule("replace_prefix", "conv1/biases", "conv1/bias")]
    restore.set_restore("fc/weights", False)  # A new head: 3 outputs instead of 5.
    assert restore.traps == []
    assert sorted(restore.variables_to_restore) == ["conv1/bias", "conv1/weights", "fc/biases"]

    graph, namespace, _ = _run(restore.code, model_fn, shape)
    assert _restored_names(namespace["variables_to_restore"]) == sorted(
        restore.variables_to_restore
    )
    variables = _by_name(graph)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        fresh_fc = sess.run(variables["fc/weights"])
        namespace["init_fn"](sess)
        got = sess.run({name: v for name, v in variables.items()})
    np.testing.assert_array_equal(got["conv1/weights"], entries["conv1/weights"])
    np.testing.assert_array_equal(got["conv1/biases"], entries["conv1/bias"])
    np.testing.assert_array_equal(got["fc/biases"], entries["fc/biases"])
    np.testing.assert_array_equal(got["fc/weights"], fresh_fc)  # Not restored.


@pytest.mark.parametrize(
    "restore_choices",
    [
        {},
        {"conv1": False},
        {"": False, "conv1": True},
        {"": False, "conv1": True, "conv1/BatchNorm": False, "conv1/BatchNorm/beta": True},
    ],
    ids=["all", "exclude", "include", "nested"],
)
def test_generated_selection_equals_the_plan(tmp_path, restore_choices):
    prefix = str(tmp_path / "model.ckpt")
    saved = _save_model(_bn_net, [1, 2, 2, 1], prefix)
    restore = RestorePlan.from_model(_bn_net, [1, 2, 2, 1], checkpoint=prefix)
    restore.restore_choices = restore_choices
    graph, namespace, _ = _run(restore.code, _bn_net, [1, 2, 2, 1])
    assert _restored_names(namespace["variables_to_restore"]) == sorted(
        restore.variables_to_restore
    )
    variables = _by_name(graph)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        namespace["init_fn"](sess)
        for name in restore.variables_to_restore:
            np.testing.assert_array_equal(sess.run(variables[name]), saved[name])


@pytest.mark.parametrize("keep_updating", [True, False], ids=["keep", "freeze"])
def test_frozen_scope_and_its_batch_norm_statistics_after_one_step(tmp_path, keep_updating):
    prefix = str(tmp_path / "model.ckpt")
    _save_model(_bn_net, [1, 2, 2, 1], prefix)
    restore = RestorePlan.from_model(_bn_net, [1, 2, 2, 1], checkpoint=prefix)
    restore.toggle_train("conv1")
    restore.update_frozen_batch_norm = keep_updating
    assert [v.op.name for v in restore.variables_to_train] == ["fc/weights", "fc/biases"]
    kinds = [t.kind for t in restore.traps]
    assert kinds == (["frozen_batch_norm_updating"] if keep_updating else [])
    assert len(restore.update_ops) == (2 if keep_updating else 0)

    code = restore.generate_code(train_op=True)
    graph, namespace, images = _run(
        code,
        _bn_net,
        [1, 2, 2, 1],
        total_loss=lambda logits: tf.reduce_sum(tf.square(logits)),
        optimizer=lambda _: tf.train.GradientDescentOptimizer(0.1),
    )
    variables = _by_name(graph)
    watched = ["conv1/weights", "conv1/BatchNorm/beta", "conv1/BatchNorm/moving_mean", "fc/weights"]
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        namespace["init_fn"](sess)
        before = sess.run({name: variables[name] for name in watched})
        sess.run(namespace["train_op"], {images: np.ones([1, 2, 2, 1], np.float32)})
        after = sess.run({name: variables[name] for name in watched})
    changed = {name: not np.array_equal(before[name], after[name]) for name in watched}
    assert changed == {
        "conv1/weights": False,
        "conv1/BatchNorm/beta": False,
        "conv1/BatchNorm/moving_mean": keep_updating,
        "fc/weights": True,
    }


def test_a_child_choice_overrides_its_parent(tiny):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape)
    restore.toggle_restore("conv1")
    restore.toggle_restore("conv1/weights")
    assert restore.restore_choices == {"conv1": False, "conv1/weights": True}
    assert (restore.restore_of("conv1/biases"), restore.restore_of("conv1/weights")) == (
        False,
        True,
    )
    assert sorted(restore.variables_to_restore) == ["conv1/weights", "fc/biases", "fc/weights"]
    restore.set_restore("conv1/weights", None)  # Inherit again.
    assert not restore.restore_of("conv1/weights")
    restore.set_train("fc", False)
    restore.set_train("fc/biases", True)
    assert [v.op.name for v in restore.variables_to_train] == [
        "conv1/weights",
        "conv1/biases",
        "fc/biases",
    ]
    restore.reset_choices()
    assert restore.restore_choices == {} and len(restore.variables_to_train) == 4


def test_restore_only_matched_leaves_out_what_cannot_load(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=renamed_checkpoint)
    restore.restore_only_matched()
    assert sorted(restore.variables_to_restore) == ["conv1/weights", "fc/biases"]
    assert restore.traps == []


def test_exclude_scopes_are_applied_as_tf_slim_does_and_warned(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    _save_model(_two_convs, [1, 2, 2, 1], prefix)
    restore = RestorePlan.from_model(_two_convs, [1, 2, 2, 1], checkpoint=prefix, exclude=["conv1"])
    assert restore.variables_to_restore == {}  # `conv1` caught conv10 as well.
    assert "variables_to_restore = []" in restore.code and "init_fn = None" in restore.code
    assert [t.kind for t in restore.traps] == ["exclude_too_broad"]
    assert "write 'conv1/' to exclude that scope only" in restore.traps[0].message
    restore.exclude = ["conv1/"]
    assert sorted(restore.variables_to_restore) == ["conv10/biases", "conv10/weights"]
    assert restore.traps == []
    _, namespace, _ = _run(restore.code, _two_convs, [1, 2, 2, 1])
    assert _restored_names(namespace["variables_to_restore"]) == ["conv10/biases", "conv10/weights"]


def test_optimizer_slots_and_global_step_in_the_restore_set_are_warned(tmp_path):
    def with_train_op(images):
        logits = _two_convs(images)
        optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
        return slim.learning.create_train_op(tf.reduce_sum(logits), optimizer)

    restore = RestorePlan.from_model(with_train_op, [1, 2, 2, 1])
    kinds = {t.kind: t.names for t in restore.traps}
    assert kinds["optimizer_slot_restored"][:2] == (
        "conv1/weights/Momentum",
        "conv1/biases/Momentum",
    )
    assert kinds["global_step_restored"] == ("global_step",)
    restore.set_restore("global_step", False)
    for name in kinds["optimizer_slot_restored"]:
        restore.set_restore(name, False)
    assert restore.traps == []
    assert "'conv1/weights/Momentum:'" in restore.code


def test_choices_survive_a_new_graph_when_their_scopes_do(tiny):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape, restore_choices={"fc": False})
    restore.set_train("conv1", False)
    restore.graph = RestorePlan.from_model(_two_convs, [1, 2, 2, 1]).graph
    assert restore.restore_choices == {} and restore.train_choices == {"conv1": False}
    assert [m.name for m in restore.matches][:2] == ["conv1/weights", "conv1/biases"]


def test_records_for_views(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=renamed_checkpoint)
    restore.set_restore("fc", False)
    assert restore.records()[2] == {
        "Variable": "fc/weights",
        "Checkpoint name": "fc/weights",
        "Shape": "[8, 3]",
        "Checkpoint shape": "[8, 5]",
        "Status": "shape mismatch",
        "Kind": "model",
        "Restore": False,
        "Train": True,
    }
    scopes = restore.scope_records()
    assert [(r["Scope"], r["Restore"], r["Restore chosen"]) for r in scopes] == [
        ("conv1", True, None),
        ("\u2003weights", True, None),
        ("\u2003biases", True, None),
        ("fc", False, False),
        ("\u2003weights", False, None),
        ("\u2003biases", False, None),
    ]
    assert scopes[0]["Statuses"] == "1 matched, 1 missing"
    assert restore.unused_records()[0] == {
        "Entry": "conv1/bias",
        "Shape": "[2]",
        "Dtype": "float32",
        "Kind": "other",
        "Expected": False,
    }


def test_a_directory_resolves_to_its_latest_checkpoint(tiny, renamed_checkpoint):
    model_fn, shape, _ = tiny
    directory = renamed_checkpoint.rsplit("/", 1)[0]
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=directory)
    assert restore.checkpoint_path == renamed_checkpoint
    assert f"CHECKPOINT_PATH = {renamed_checkpoint!r}" in restore.code


def test_checkpoint_errors_are_reported(tiny, tmp_path):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape, checkpoint=str(tmp_path / "none.ckpt"))
    assert "RestorePlan: `checkpoint` must be an existing checkpoint prefix" in restore.error
    assert "which does not exist" in restore.error
    assert {m.status for m in restore.matches} == {None}
    with pytest.raises(
        ValueError, match=r"restore_only_matched: `checkpoint` must name a readable"
    ):
        restore.restore_only_matched()
    restore.checkpoint = str(tmp_path)
    assert "got the directory" in restore.error and "which has none" in restore.error
    restore.checkpoint = None
    assert restore.error == "" and "'/path/to/model.ckpt'" in restore.code


def test_choice_errors_name_the_scope(tiny):
    model_fn, shape, _ = tiny
    restore = RestorePlan.from_model(model_fn, shape)
    with pytest.raises(
        ValueError,
        match=r"RestorePlan.set_restore: `scope` must be a scope or "
        r"variable of the graph, got 'conv2'. Did you mean 'conv1'\?",
    ):
        restore.set_restore("conv2", False)
    with pytest.raises(ValueError, match=r"RestorePlan.toggle_train: `scope` must be a scope"):
        restore.toggle_train("nowhere")
    with pytest.raises(TypeError, match=r"set_train: `value` must be True, False or None.*got 1"):
        restore.set_train("conv1", 1)
    with pytest.raises(
        ValueError,
        match=r"set_restore: `graph` must be a built tf.Graph to choose scopes, got None",
    ):
        RestorePlan().set_restore("conv1", False)


def test_an_empty_plan_has_no_code():
    empty = RestorePlan()
    assert (empty.code, empty.matches, empty.tree, empty.generate_code()) == ("", [], None, "")
    assert empty.records() == [] and empty.scope_records() == []


def test_every_parameter_has_a_doc():
    undocumented = [
        name for name, p in RestorePlan.param.objects().items() if name != "name" and not p.doc
    ]
    assert undocumented == []


def test_docstring_examples_run():
    result = doctest.testmod(plan, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
