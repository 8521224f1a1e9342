"""`DiagramViewer`: a click on a scope (by its SVG id) folds or unfolds it in the model, and
the model's new SVG reaches the viewer."""

from __future__ import annotations

import doctest

import pytest

import slimlib as slim
from workbench.models.inspect import InspectModel
from workbench.views.panel import diagram_viewer
from workbench.views.panel.diagram_viewer import DiagramViewer


def _model(x):
    x = slim.repeat(x, 2, slim.fully_connected, 3, scope="block")
    return slim.fully_connected(x, 2, scope="out")


@pytest.fixture
def viewer():
    return DiagramViewer(InspectModel(model_fn=_model, input_shape=[1, 3]))


def test_a_click_on_a_scope_box_folds_it_and_on_the_folded_node_opens_it(viewer):
    inspected = viewer._inspect
    assert 'id="wb&#45;cluster_0"' in viewer.svg  # Graphviz writes the dash as an entity.
    assert viewer.apply({"action": "toggle", "id": "wb-cluster_0"})
    assert inspected.folded == ["block"]
    assert viewer.svg == inspected.svg and "block (repeat) [+]" in viewer.svg
    assert viewer.apply({"action": "toggle", "id": "wb-s0"})
    assert inspected.folded == [] and "[+]" not in viewer.svg


def test_fold_all_and_unfold_all(viewer):
    assert viewer.apply({"action": "fold_all"}) and viewer._inspect.folded == ["block"]
    assert viewer.apply({"action": "unfold_all"}) and viewer._inspect.folded == []


@pytest.mark.parametrize(
    ("msg", "match"),
    [
        (
            {"action": "toggle", "id": "node3"},
            "`id` must be the SVG id of a scope or a folded node, got 'node3'",
        ),
        ({"action": "zoom"}, "`action` must be one of toggle, fold_all, unfold_all, got 'zoom'"),
        ("toggle", "a message must be a dict, got 'toggle'"),
    ],
)
def test_a_bad_message_is_refused_with_its_reason(viewer, msg, match):
    assert not viewer.apply(msg)
    assert match in viewer.message
    assert viewer._inspect.folded == []


def test_docstring_examples_run():
    result = doctest.testmod(diagram_viewer)
    assert result.attempted > 0 and result.failed == 0
