"""The notebook widgets follow their models, and edits in the widgets reach the models."""

from __future__ import annotations

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.inspect import InspectModel
from workbench.models.restore_plan import RestorePlan
from workbench.views.jupyter.arg_scope_explorer import ArgScopeExplorer
from workbench.views.jupyter.collections_browser import CollectionsBrowser
from workbench.views.jupyter.html_table import html_table
from workbench.views.jupyter.model_diagram import ModelDiagram
from workbench.views.jupyter.restore_picker import RestorePicker


def _model(inputs, num_classes=3):
    with slim.arg_scope([slim.conv2d], padding="VALID"):
        net = slim.conv2d(inputs, 4, [3, 3], scope="conv1")
    return slim.fully_connected(slim.flatten(net), num_classes, activation_fn=None, scope="logits")


@pytest.fixture
def inspected():
    return InspectModel(model_fn=_model, input_shape=[1, 5, 5, 1])


def test_html_table_escapes_values_and_reports_empty():
    assert html_table([]) == "<i>Empty.</i>"
    table = html_table([{"Name": "<b>x</b>", "N": 1}])
    assert "&lt;b&gt;x&lt;/b&gt;" in table and "<b>x</b>" not in table


def test_explorer_lists_layers_and_shows_provenance(inspected):
    explorer = ArgScopeExplorer(inspected)
    assert [label for label, _ in explorer.layer.options] == [
        "conv1 (convolution2d)",
        "Flatten (flatten)",
        "logits (fully_connected)",
    ]
    assert "padding" in explorer.arguments.value and "arg_scope" in explorer.arguments.value
    explorer.show_defaults.value = False
    assert "rate" not in explorer.arguments.value  # a default, now hidden
    explorer.layer.value = 2
    assert "activation_fn" in explorer.arguments.value


def test_explorer_follows_a_rebuilt_model_and_shows_its_error(inspected):
    explorer = ArgScopeExplorer(inspected)
    inspected.model_fn = lambda x: slim.fully_connected(slim.flatten(x), 2, scope="only")
    assert [label for label, _ in explorer.layer.options][-1] == "only (fully_connected)"
    inspected.model_fn = _model
    inspected.input_shape = [1, 2, 2, 1]  # 3x3 VALID on 2x2: the build fails
    assert explorer.layer.options == ()
    assert "No layers" in explorer.arguments.value
    assert explorer.error.value


def test_collections_browser_has_a_tab_per_collection(inspected):
    browser = CollectionsBrowser(inspected)
    assert "MODEL_VARIABLES (4)" in browser.titles
    index = browser.titles.index("MODEL_VARIABLES (4)")
    assert "conv1/weights" in browser.children[index].value
    inspected.input_shape = [1, 6, 6, 1]
    assert len(browser.children) == len(inspected.collections)


def test_model_diagram_shows_totals_table_and_svg(inspected):
    diagram = ModelDiagram(inspected)
    assert "151" in diagram.totals.value  # 40 + 111 parameters, by hand
    assert "<svg" in diagram.diagram.value
    assert "logits" in diagram.table.value


def test_model_diagram_and_arg_scope_explorer_show_errors_quoting_markup_as_text():
    def broken(inputs):
        raise ValueError("bad value <img src=x onerror=alert(1)>")

    model = InspectModel(model_fn=broken, input_shape=[1, 5, 5, 1])
    for shown in (ModelDiagram(model).totals, ArgScopeExplorer(model).error):
        assert "bad value &lt;img src=x onerror=alert(1)&gt;" in shown.value
        assert "<img" not in shown.value


@pytest.fixture
def plan(tmp_path):
    with tf.Graph().as_default():
        _model(tf.zeros([1, 5, 5, 1]), 5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    return RestorePlan.from_model(_model, [1, 5, 5, 1], checkpoint=path)


def test_restore_picker_boxes_edit_the_plan_and_follow_it(plan):
    picker = RestorePicker(plan)
    # A box per scope and per variable, so a single variable can be left out too.
    assert {"conv1", "logits", "conv1/weights", "logits/biases"} <= set(picker.restore_boxes)
    assert "shape mismatch" in picker.status.value
    picker.restore_boxes["logits"].value = False
    assert plan.restore_of("logits") is False
    assert sorted(plan.variables_to_restore) == ["conv1/biases", "conv1/weights"]
    assert "logits" in picker.code.value
    plan.set_train("conv1", False)  # a change made in code shows in the box
    assert picker.train_boxes["conv1"].value is False
