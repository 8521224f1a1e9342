"""The Fine-tune view edits a `RestorePlan` through its checkboxes and shows what it derives."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from bokeh.document import Document

import slimlib as slim
from workbench.models.restore_plan import RestorePlan
from workbench.views.panel.finetune_view import (
    NO_SCOPES_EXAMPLE,
    PATTERN_ACTIONS,
    FinetuneView,
    pattern_example,
)


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


def _click(table, row: int, column: str) -> None:
    """A single click on a cell, as the browser sends it."""
    from panel.models.tabulator import CellClickEvent

    table._process_event(CellClickEvent(model=None, column=column, row=row))


def test_one_click_on_a_train_cell_flips_it(view):
    table = view.scope_table()
    row = list(table.value["Scope"]).index("fc1")
    _click(table, row, "Train")
    assert view.plan.train_of("fc1") is False
    _click(view.scope_table(), row, "Train")
    assert view.plan.train_of("fc1") is True
    _click(view.scope_table(), row, "Restore")
    assert view.plan.restore_of("fc1") is False
    _click(view.scope_table(), row, "Scope")  # Other columns change nothing.
    assert view.plan.train_choices == {"fc1": True}


def test_the_trainable_count_follows_the_choices(view):
    # fc1: 3*4 + 4 = 16; logits: 4*2 + 2 = 10.
    assert view.trainable_count().object == "**Trainable parameters: 26** of 26 (100.0%)"
    view.plan.set_train("fc1", False)
    assert view.trainable_count().object == "**Trainable parameters: 10** of 26 (38.5%)"


def test_a_pattern_applies_the_chosen_action(view):
    view.pattern.value = "fc.*"
    view.action.value = "Freeze"
    view.apply_pattern()
    assert view.pattern_message.object == "Freeze set on 1 scope."
    assert [v.op.name for v in view.plan.variables_to_train] == ["logits/weights", "logits/biases"]
    view.pattern.value, view.action.value, view.factor.value = (
        "logits",
        "Learning-rate multiplier",
        5,
    )
    view.apply_pattern()
    assert view.plan.gradient_multipliers == {"logits/weights": 5.0, "logits/biases": 5.0}
    assert "lr_multipliers = {'logits': 5.0}" in view.plan.code
    view.pattern.value = "conv("
    view.apply_pattern()
    assert view.pattern_message.object.startswith(
        "**Not applied:** matching\\_scopes: <code>pattern</code> must be a regular expression, "
        "got 'conv('"
    )


def test_a_typed_factor_is_checked(view):
    view.set_factor("logits", 3)
    assert view.plan.multiplier_of("logits/weights") == 3.0
    view.set_factor("logits", -1)
    assert view.pattern_message.object.startswith("**Not set:** RestorePlan.set\\_multiplier: ")
    assert view.plan.multiplier_of("logits") == 3.0


def test_the_pattern_example_comes_from_the_designs_own_scopes(view):
    assert view.pattern.placeholder == "logits.*"  # Scopes fc1 and logits, none nested.
    assert pattern_example(["LeNet", "LeNet/conv1", "LeNet/conv2", "LeNet/fc4"]) == "LeNet/fc.*"
    assert (
        pattern_example(["InceptionV3", "InceptionV3/Mixed_6e", "InceptionV3/Mixed_6e/Branch_0"])
        == "InceptionV3/Mixed_.*"
    )
    assert pattern_example(["vgg_16", "vgg_16/conv1", "vgg_16/conv1/conv1_1"]) == "vgg_16/conv.*"
    assert pattern_example([]) == NO_SCOPES_EXAMPLE


def test_the_multiplier_shows_only_for_the_multiplier_action(view):
    for action in PATTERN_ACTIONS:
        view.action.value = action
        assert view.factor.visible == (action == "Learning-rate multiplier"), action


def test_the_variable_tables_fit_the_page_width(view):
    # Stretched to the page, a table wider than it scrolls inside its own box.
    assert view.status_table().sizing_mode == "stretch_width"
    assert view.__panel__().objects[-1].sizing_mode == "stretch_width"
