"""Arguments layers inherit from arg_scopes, and arg_scope defaults that no longer fit."""

from __future__ import annotations

import pytest

from workbench.models.design import template
from workbench.models.editor import empty_design
from workbench.models.editor.scope_defaults import inherited_arguments, stale_defaults


def _layer(op, **args):
    return {"kind": "layer", "op": op, "args": args}


def _scope(ops, defaults, blocks):
    return {"kind": "arg_scope", "ops": ops, "defaults": defaults, "blocks": blocks}


def test_lenet_layers_inherit_the_templates_scope_defaults_they_do_not_set():
    inherited = inherited_arguments(template("lenet"))
    conv1 = inherited["blocks[0].blocks[0]"]
    assert conv1["activation_fn"] == {"value": "relu", "from": "blocks[0]"}
    assert conv1["weights_regularizer"]["from"] == "blocks[0]"
    # fc4 sets activation_fn=None itself: it inherits the rest, not that.
    fc4 = inherited["blocks[0].blocks[7]"]
    assert "activation_fn" not in fc4
    assert fc4["weights_initializer"]["from"] == "blocks[0]"
    # max_pool2d is not among the scope's ops.
    assert "blocks[0].blocks[1]" not in inherited


def test_an_inner_scope_overrides_an_outer_one_and_names_itself():
    design = empty_design()
    inner = _scope(["conv2d"], {"padding": "SAME"}, [_layer("conv2d", num_outputs=4)])
    design["blocks"] = [_scope(["conv2d"], {"padding": "VALID", "stride": 2}, [inner])]
    assert inherited_arguments(design) == {
        "blocks[0].blocks[0].blocks[0]": {
            "padding": {"value": "SAME", "from": "blocks[0].blocks[0]"},
            "stride": {"value": 2, "from": "blocks[0]"},
        }
    }


def test_a_fixed_argument_and_one_the_op_does_not_take_are_not_inherited():
    design = empty_design()
    # relu fixes activation_fn; flatten takes no padding (and is not listed anyway).
    design["blocks"] = [
        _scope(
            ["fully_connected"],
            {"activation_fn": None, "padding": "VALID"},
            [_layer("relu", num_outputs=3), _layer("flatten")],
        )
    ]
    assert inherited_arguments(design) == {}


def test_a_default_an_added_op_does_not_take_is_stale_with_its_reason():
    design = empty_design()
    defaults = {"padding": "VALID", "activation_fn": None, "stride": 2}
    design["blocks"] = [_scope(["conv2d", "fully_connected", "max_pool2d"], defaults, [])]
    stale = {s.name: s for s in stale_defaults(design, "blocks[0]")}
    assert sorted(stale) == ["activation_fn", "padding", "stride"]
    assert stale["padding"].ops == ("fully_connected",)
    assert stale["padding"].value == "VALID"
    assert stale["padding"].message == (
        "fully_connected takes no 'padding', so this default no longer fits: clear it."
    )
    assert stale["activation_fn"].ops == ("max_pool2d",)
    assert stale["stride"].message.startswith("fully_connected takes no 'stride'")


def test_defaults_every_op_takes_are_not_stale():
    assert stale_defaults(template("lenet"), "blocks[0]") == []


def test_stale_defaults_of_a_block_that_is_no_arg_scope_is_refused():
    with pytest.raises(
        ValueError, match=r"must name an arg_scope block, got 'blocks\[0\]\.blocks\[0\]'"
    ):
        stale_defaults(template("lenet"), "blocks[0].blocks[0]")
