"""The Inspect view shows what `InspectModel` holds and follows it when it changes."""

from __future__ import annotations

import panel as pn
import pytest

import slimlib as slim
from workbench.models.inspect import InspectModel
from workbench.views.panel.inspect_view import InspectView


def _model(inputs):
    with slim.arg_scope([slim.conv2d], padding="VALID"):
        net = slim.conv2d(inputs, 4, [3, 3], scope="conv1")
    return slim.fully_connected(slim.flatten(net), 3, activation_fn=None, scope="logits")


@pytest.fixture
def view():
    return InspectView(model=InspectModel(model_fn=_model, input_shape=[1, 5, 5, 1]))


def _find(viewable, name):
    return [obj for obj in viewable.select() if getattr(obj, "name", None) == name]


def test_totals_are_the_hand_counted_parameters(view):
    numbers = {n.name: n.value for n in view._totals().select(pn.indicators.Number)}
    # conv1: 3*3*1*4 + 4 = 40; logits: (3*3*4)*3 + 3 = 111.
    assert numbers["Total params"] == 151
    assert numbers["Layer calls"] == 3  # conv1, flatten, logits


def test_layer_table_lists_each_call_and_selection_shows_its_provenance(view):
    (table,) = _find(view._layers(), "layer-table")
    assert list(table.value["Layer"]) == ["conv1", "Flatten", "logits"]
    (arguments,) = _find(view._arguments(), "argument-table")
    padding = arguments.value.set_index("Argument").loc["padding"]
    assert padding["Source"] == "arg_scope"
    assert "test_inspect_view.py" in padding["Set at"]
    view.selected_layer = 2
    (arguments,) = _find(view._arguments(), "argument-table")
    assert arguments.value.set_index("Argument").loc["activation_fn", "Source"] == "call"


def test_collections_get_a_tab_each_with_their_members(view):
    tabs = view._collections()
    titles = list(tabs._names)
    assert "MODEL_VARIABLES (4)" in titles
    (model_variables,) = _find(tabs, "model_variables")
    assert list(model_variables.value["Name"]) == [
        "conv1/weights",
        "conv1/biases",
        "logits/weights",
        "logits/biases",
    ]


def test_diagram_is_svg_and_a_build_error_is_shown_not_raised(view):
    diagram = view._diagram()
    (viewer,) = _find(diagram, "diagram")
    assert "<svg" in viewer.svg and viewer.visible
    view.model.input_shape = [1, 2, 2, 1]  # a VALID 3x3 kernel does not fit a 2x2 map
    assert viewer.svg == "" and not viewer.visible
    assert "of layer 'conv1' is larger than the 2x2 input" in view.model.error
    assert view.model.table is None
    assert "No layers" in view._layers().object
    view.__panel__()  # renders with the error, does not raise
