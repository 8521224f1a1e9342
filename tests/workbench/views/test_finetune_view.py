"""The Fine-tune view edits a `RestorePlan` through its checkboxes and shows what it derives."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from bokeh.document import Document

import slimlib as slim
from workbench.models.restore_plan import RestorePlan
from workbench.views.panel.finetune_view import FinetuneView


def _body(inputs, num_classes):
    net = slim.fully_connected(inputs, 4, scope="fc1")
    return slim.fully_connected(net, num_classes, activation_fn=None, scope="logits")


@pytest.fixture
def checkpoint(tmp_path):
    """A checkpoint of the same body with 5 classes: the new 2-class head cannot fit."""
    with tf.Graph().as_default():
        _body(tf.zeros([1, 3]), 5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))


@pytest.fixture
def view(checkpoint):
    plan = RestorePlan.from_model(lambda x: _body(x, 2), [1, 3], checkpoint=checkpoint)
    return FinetuneView(plan=plan)


def test_status_table_marks_the_new_head_as_a_shape_mismatch(view):
    frame = view.status_table().value.set_index("Variable")
    assert frame.loc["fc1/weights", "Status"] == "matched"
    assert frame.loc["logits/weights", "Status"] == "shape mismatch"
    assert frame.loc["logits/weights", "Checkpoint shape"] == "[4, 5]"


def test_unticking_restore_on_a_scope_updates_the_plan_and_the_code(view):
    assert "logits" in list(view.scope_table().value["Scope"])
    page = view.__panel__()
    page.get_root(Document())
    shown_code = page[1][1][1]  # The code column's pane, bound to the plan's parameters.
    assert "get_variables_to_restore()" in shown_code._pane.object
    view.choose("logits", "Restore", False)
    assert view.plan.restore_of("logits") is False
    assert sorted(view.plan.variables_to_restore) == ["fc1/biases", "fc1/weights"]
    assert "get_variables_to_restore(exclude=['logits/'])" in shown_code._pane.object


def test_unticking_train_freezes_the_scope(view):
    view.plan.set_train("fc1", False)
    trained = [v.op.name for v in view.plan.variables_to_train]
    assert trained == ["logits/weights", "logits/biases"]
    frame = view.scope_table().value.set_index("Scope")
    assert not frame.loc["fc1", "Train"]


def test_generated_code_restores_the_saved_values(view, checkpoint):
    view.plan.set_restore("logits", False)
    with tf.Graph().as_default():
        _body(tf.zeros([1, 3]), 2)
        init_fn = slim.assign_from_checkpoint_fn(
            checkpoint, slim.get_variables_to_restore(exclude=["logits"])
        )
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            init_fn(sess)
            restored = sess.run(slim.get_unique_variable("fc1/weights"))
    np.testing.assert_array_equal(restored, tf.train.load_variable(checkpoint, "fc1/weights"))


def test_a_missing_checkpoint_is_shown_as_an_error(tmp_path):
    plan = RestorePlan.from_model(lambda x: _body(x, 2), [1, 3], checkpoint=str(tmp_path / "nope"))
    view = FinetuneView(plan=plan)
    alerts = view.traps().objects
    assert alerts and alerts[0].alert_type == "danger"
    assert "nope" in alerts[0].object
    view.__panel__()
