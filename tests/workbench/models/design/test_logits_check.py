"""`logits_layer_warning`: a logits layer that squashes the logits is found, with its fix."""

from __future__ import annotations

import pytest

from workbench.models.design import net_design, template, templates
from workbench.models.design.logits_check import logits_layer_warning
from workbench.models.design.spec import arg_scope, layer, new_design
from workbench.models.editor import DesignEditor
from workbench.models.jobs.dataset_facts import dataset_facts
from workbench.models.jobs.design_fit import apply_fix, design_fit, logits_mismatch

DIGITS = dataset_facts("digits")


def _mlp(*blocks) -> dict:
    return new_design("mlp", [8, 8, 1], [layer("flatten"), *blocks])


def test_a_fully_connected_logits_layer_left_at_its_defaults_applies_relu():
    design = _mlp(layer("fully_connected", "logits", num_outputs=10))
    found = logits_layer_warning(design)
    assert found.path == "blocks[1]"
    assert found.message == (
        "fully_connected 'logits' (blocks[1]) applies relu (its default) to the logits: the "
        "loss stalls and the accuracy stays near chance. Logits must be linear: set "
        "activation_fn=None."
    )
    assert found.fix == "Set activation_fn=None on 'logits'"
    assert (found.applied, found.args) == ({"activation_fn": "relu"}, {"activation_fn": None})


def test_an_activation_inherited_from_an_enclosing_arg_scope_names_that_scope():
    design = _mlp(
        arg_scope(
            ["fully_connected"],
            [
                layer("fully_connected", "fc3", num_outputs=16),
                layer("fully_connected", "fc4", num_outputs=10),
            ],
            activation_fn="tanh",
        )
    )
    found = logits_layer_warning(design)
    assert found.path == "blocks[1].blocks[1]"
    assert found.message.startswith(
        "fully_connected 'fc4' (blocks[1].blocks[1]) applies tanh (inherited from the arg_scope "
        "at blocks[1]) to the logits"
    )


def test_the_innermost_scope_wins_and_a_scope_for_other_ops_gives_nothing():
    inner = arg_scope(
        ["fully_connected"], [layer("fully_connected", "fc", num_outputs=10)], activation_fn="elu"
    )
    outer = arg_scope(["fully_connected"], [inner], activation_fn=None)
    assert "applies elu (inherited from the arg_scope at blocks[1].blocks[0])" in (
        logits_layer_warning(_mlp(outer)).message
    )
    linear = arg_scope(
        ["fully_connected"], [layer("fully_connected", "fc", num_outputs=10)], activation_fn=None
    )
    assert logits_layer_warning(_mlp(linear)) is None
    # conv2d's scope says nothing of fully_connected: its own default relu applies.
    other = arg_scope(
        ["conv2d"], [layer("fully_connected", "fc", num_outputs=10)], activation_fn=None
    )
    assert "applies relu (its default)" in logits_layer_warning(_mlp(other)).message


def test_activation_fn_none_on_the_layer_overrides_the_scope():
    design = _mlp(
        arg_scope(
            ["fully_connected"],
            [layer("fully_connected", "fc", num_outputs=10, activation_fn=None)],
            activation_fn="relu",
        )
    )
    assert logits_layer_warning(design) is None


def test_a_normalizer_on_the_logits_is_warned_with_the_activation():
    design = _mlp(layer("fully_connected", "fc", num_outputs=10, normalizer_fn="batch_norm"))
    found = logits_layer_warning(design)
    assert "applies relu (its default) and batch_norm (set on the layer) to the logits" in (
        found.message
    )
    assert found.message.endswith("set activation_fn=None and normalizer_fn=None.")
    assert found.args == {"activation_fn": None, "normalizer_fn": None}


def test_a_normalizer_alone_inherited_from_a_scope_is_warned():
    design = _mlp(
        arg_scope(
            ["fully_connected"],
            [layer("fully_connected", "fc", num_outputs=10, activation_fn=None)],
            normalizer_fn="layer_norm",
        )
    )
    found = logits_layer_warning(design)
    assert "applies layer_norm (inherited from the arg_scope at blocks[1])" in found.message
    assert found.args == {"normalizer_fn": None}


def test_pass_through_layers_after_the_logits_are_looked_past():
    design = new_design(
        "conv",
        [8, 8, 1],
        [layer("conv2d", num_outputs=10, kernel_size=8, padding="VALID"), layer("flatten")],
    )
    found = logits_layer_warning(design)
    assert found.path == "blocks[0]"
    assert found.message.startswith("conv2d at blocks[0] applies relu (its default)")
    assert found.fix == "Set activation_fn=None on the layer at blocks[0]"


@pytest.mark.parametrize(
    "last",
    [layer("softmax"), layer("linear", num_outputs=10), layer("relu", num_outputs=10)],
    ids=["softmax", "linear", "relu-op"],
)
def test_outputs_not_from_a_settable_logits_layer_are_not_judged(last):
    assert logits_layer_warning(_mlp(layer("fully_connected", num_outputs=10), last)) is None


@pytest.mark.parametrize("name", sorted(templates()))
def test_the_templates_have_linear_logits(name):
    assert logits_layer_warning(template(name)) is None


def test_a_net_block_gives_linear_logits_by_construction():
    assert logits_layer_warning(net_design("lenet")) is None


@pytest.mark.parametrize("design", [None, {}, {"blocks": "x"}, {"blocks": [3]}])
def test_malformed_designs_give_no_warning(design):
    assert logits_layer_warning(design) is None


def test_design_fit_warns_without_refusing_start_and_the_fix_is_undoable():
    design = _mlp(
        arg_scope(
            ["fully_connected"],
            [layer("fully_connected", "fc4", num_outputs=10)],
            activation_fn="relu",
        )
    )
    [mismatch] = design_fit(design, DIGITS)
    assert not mismatch.blocking
    assert mismatch.problem.path == "blocks[1].blocks[0]"
    assert mismatch.problem.message == logits_layer_warning(design).message
    assert (mismatch.fix, mismatch.field) == ("Set activation_fn=None on 'fc4'", "logits")
    editor = DesignEditor(design)
    apply_fix(editor, mismatch)
    assert editor.design["blocks"][1]["blocks"][0]["args"] == {
        "num_outputs": 10,
        "activation_fn": None,
    }
    assert design_fit(editor.design, DIGITS) == []
    editor.undo()
    assert editor.design == design
    assert logits_mismatch(template("lenet")) is None
