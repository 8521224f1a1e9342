"""The op catalogue, read from slimlib's signatures and docstrings, and the named choices."""

from __future__ import annotations

import doctest
import importlib
import inspect
import json

import pytest
import tensorflow as tf

import slimlib as slim
from slimlib.nets import nets_factory
from workbench.models.design import choices
from workbench.models.design.catalogue import (
    ALIASES,
    GROUPS,
    NOT_IN_PALETTE,
    catalogue,
    nets,
    op_spec,
    palette,
)

# Every layer of the TF-Slim README's layer table, plus the other public layers.
README_LAYERS = [
    "bias_add",
    "batch_norm",
    "conv2d",
    "conv2d_in_plane",
    "conv2d_transpose",
    "fully_connected",
    "avg_pool2d",
    "dropout",
    "flatten",
    "max_pool2d",
    "one_hot_encoding",
    "separable_conv2d",
    "unit_norm",
]
OTHER_LAYERS = [
    "conv1d",
    "conv3d",
    "conv3d_transpose",
    "convolution",
    "max_pool3d",
    "avg_pool3d",
    "layer_norm",
    "softmax",
    "linear",
    "relu",
    "relu6",
]


def test_every_public_slimlib_layer_is_in_the_catalogue_or_an_alias():
    ops = catalogue()
    assert sorted(ops) == sorted(README_LAYERS + OTHER_LAYERS)
    # slim.layers also holds TF-Slim's training helpers (optimizers, summaries, reversible
    # blocks of user functions, initializers, regularizers): not layers.
    helpers = (
        set(slim.layers.optimizers.__all__)
        | set(slim.layers.summaries.__all__)
        | set(slim.layers.rev_block_lib.__all__)
        | set(slim.initializers.__all__)
        | set(slim.regularizers.__all__)
    )
    public_layers = set(slim.layers.__all__) - {"repeat", "stack"} - helpers
    assert public_layers == set(ops) | set(ALIASES) | set(NOT_IN_PALETTE)
    assert not set(ops) & set(NOT_IN_PALETTE)
    for alias, name in ALIASES.items():
        assert getattr(slim, alias) is getattr(slim, name)


@pytest.mark.parametrize("name", sorted(catalogue()) + sorted(nets_factory.networks_map))
def test_every_argument_is_classified_and_matches_the_signature(name):
    op = op_spec(name)
    signature = inspect.signature(op.function)
    names = [
        p.name
        for p in signature.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    extra = ["weight_decay"] if op.kind == "net" else []
    assert [a.name for a in op.args] == names + extra
    assert [a.name for a in op.args if a.type == "unclassified"] == []
    assert op.args[0].role == "input" and op.args[0].type == "tensor"
    assert op.doc and op.group in GROUPS
    for arg in op.args:
        assert arg.default_known or arg.role == "unsupported", arg
        json.dumps(arg.to_dict())  # Plain data for the app.


def test_conv2d_entry_golden():
    conv = catalogue()["conv2d"]
    assert (conv.group, conv.default_scope, conv.scope_kind) == ("convolution", "Conv", "variable")
    assert conv.layer_name == "convolution2d" and conv.arg_scope_op == "convolution2d"
    assert conv.required == ("num_outputs", "kernel_size")
    assert conv.positional[:3] == ("num_outputs", "kernel_size", "stride")
    assert (
        conv.doc == "Adds a 2-D convolution, then biases or `normalizer_fn`, then `activation_fn`."
    )
    table = {a.name: (a.type, a.role, a.default) for a in conv.args}
    assert table["inputs"] == ("tensor", "input", None)
    assert table["num_outputs"] == ("int", "hyper", None)
    assert table["kernel_size"] == ("int_or_list", "hyper", None)
    assert table["stride"] == ("int_or_list", "hyper", 1)
    assert table["padding"] == ("choice", "hyper", "SAME")
    assert table["data_format"] == ("choice", "hyper", None)
    assert table["activation_fn"] == ("activation", "hyper", "relu")
    assert table["normalizer_fn"] == ("normalizer", "hyper", None)
    assert table["weights_initializer"] == ("initializer", "hyper", {"name": "xavier_initializer"})
    assert table["biases_initializer"] == ("initializer", "hyper", {"name": "zeros_initializer"})
    assert table["weights_regularizer"] == ("regularizer", "hyper", None)
    assert table["outputs_collections"] == ("collections", "bookkeeping", None)
    assert table["reuse"][:2] == ("unsupported", "unsupported")
    assert table["scope"][:2] == ("scope", "scope")
    assert conv.arg("num_outputs").minimum == 1
    assert conv.arg("kernel_size").length == 2
    assert conv.arg("padding").choices == ("SAME", "VALID")
    assert conv.arg("data_format").choices == (None, "NHWC", "NCHW")
    assert conv.arg("stride").doc.startswith("Step between windows `[height, width]`")
    assert conv.arg("nonexistent") is None


@pytest.mark.parametrize(
    "name, arg, expected",
    [
        ("dropout", "keep_prob", ("probability", 0.5)),
        ("batch_norm", "decay", ("float", 0.999)),
        ("batch_norm", "updates_collections", ("collections", "update_ops")),
        ("batch_norm", "param_initializers", ("initializer_map", None)),
        ("batch_norm", "renorm", ("unsupported", False)),
        ("max_pool2d", "stride", ("int_or_list", 2)),
        ("max_pool2d", "padding", ("choice", "VALID")),
        ("conv1d", "padding", ("choice", "SAME")),
        ("separable_conv2d", "num_outputs", ("optional_int", None)),
        ("unit_norm", "dim", ("int", None)),
        ("linear", "activation_fn", ("activation", None)),
        ("relu6", "activation_fn", ("activation", "relu6")),
        ("bias_add", "initializer", ("initializer", {"name": "zeros_initializer"})),
        ("vgg_16", "num_classes", ("optional_int", 1000)),
        ("vgg_16", "fc_conv_padding", ("choice", "VALID")),
        ("vgg_16", "is_training", ("unsupported", True)),
        ("vgg_16", "weight_decay", ("float", 0.0)),
        ("lenet", "prediction_fn", ("unsupported", None)),
    ],
)
def test_argument_types_and_defaults(name, arg, expected):
    found = op_spec(name).arg(arg)
    assert (found.type, found.default) == expected


def test_linear_is_fully_connected_with_its_activation_fixed():
    linear = catalogue()["linear"]
    assert linear.arg_scope_op == "fully_connected"
    assert linear.fixed == ("activation_fn",)
    assert linear.layer_name == "fully_connected"
    assert linear.positional == ("num_outputs",)


def test_conv1d_and_convolution_accept_causal_padding():
    assert catalogue()["conv1d"].arg("padding").choices == ("SAME", "VALID", "CAUSAL")
    assert catalogue()["convolution"].arg("kernel_size").length is None


def test_nets_match_the_factory():
    assert list(nets()) == nets_factory.network_names
    vgg = nets()["vgg_16"]
    assert (vgg.kind, vgg.group, vgg.default_scope, vgg.image_size) == (
        "net",
        "nets",
        "vgg_16",
        224,
    )
    assert nets()["lenet"].default_scope == "LeNet"


def test_palette_lists_layers_then_nets():
    entries = palette()
    assert entries[0] == {
        "group": "convolution",
        "op": "conv2d",
        "doc": catalogue()["conv2d"].doc,
    }
    layer_entries = [e for e in entries if "kind" not in e]
    net_entries = [e for e in entries if e.get("kind") == "net"]
    assert len(layer_entries) == len(catalogue()) and len(net_entries) == len(nets())
    assert net_entries[0]["group"] == "nets"
    json.dumps(entries)


def test_op_spec_unknown_name_suggests_the_closest():
    with pytest.raises(
        KeyError, match=r"must be a layer op or net .* got 'conv2'. Did you mean 'conv2d'"
    ):
        op_spec("conv2")


def test_to_dict_is_plain_data():
    data = catalogue()["batch_norm"].to_dict()
    assert data["name"] == "batch_norm" and data["group"] == "normalization"
    json.dumps(data)


# -- named choices ----------------------------------------------------------------------


@pytest.mark.parametrize("name", choices.names("activation"))
def test_activation_names_resolve_to_tf_nn(name):
    assert choices.to_python("activation", name) is getattr(tf.compat.v1.nn, name)
    assert choices.to_code("activation", name).flat() == f"tf.nn.{name}"


@pytest.mark.parametrize(
    "value, code",
    [
        (
            {"name": "truncated_normal_initializer", "stddev": 0.01},
            "tf.truncated_normal_initializer(stddev=0.01)",
        ),
        ("xavier_initializer", "slim.xavier_initializer()"),
        (
            {"name": "variance_scaling_initializer", "mode": "fan_avg", "factor": 1.0},
            'slim.variance_scaling_initializer(factor=1.0, mode="FAN_AVG")',
        ),
        ({"name": "constant_initializer", "value": 0.1}, "tf.constant_initializer(value=0.1)"),
        ({"name": "zeros_initializer"}, "tf.zeros_initializer()"),
        (
            {"name": "orthogonal_initializer", "gain": 2.0, "seed": 3},
            "tf.orthogonal_initializer(gain=2.0, seed=3)",
        ),
    ],
)
def test_initializers_give_objects_and_code(value, code):
    assert choices.to_code("initializer", value).flat() == code
    made = choices.to_python("initializer", value)
    assert made(shape=[2, 2], dtype=tf.float32).shape == (2, 2)


@pytest.mark.parametrize(
    "value, code",
    [
        ({"name": "l2_regularizer", "scale": 0.0005}, "slim.l2_regularizer(0.0005)"),
        ({"name": "l1_regularizer", "scale": 0.1}, "slim.l1_regularizer(0.1)"),
        ({"name": "l1_l2_regularizer", "scale_l2": 0.5}, "slim.l1_l2_regularizer(scale_l2=0.5)"),
        # slimlib refuses an int scale (as TF-Slim does): a design's 0 or 1 becomes a float.
        ({"name": "l2_regularizer", "scale": 0}, "slim.l2_regularizer(0.0)"),
        ({"name": "l1_l2_regularizer", "scale_l1": 1}, "slim.l1_l2_regularizer(scale_l1=1.0)"),
    ],
)
def test_regularizers_give_functions_and_code(value, code):
    assert choices.to_code("regularizer", value).flat() == code
    assert callable(choices.to_python("regularizer", value))


def test_normalizers_and_null():
    assert choices.to_python("normalizer", "batch_norm") is slim.batch_norm
    assert choices.to_code("normalizer", "layer_norm").flat() == "slim.layer_norm"
    assert choices.to_python("activation", None) is None
    assert choices.to_code("initializer", None).flat() == "None"


@pytest.mark.parametrize(
    "family, value, path, message",
    [
        (
            "activation",
            "rleu",
            "a",
            "`a` must be an activation name such as 'relu', or null for none, got 'rleu'. "
            "Did you mean 'relu'?",
        ),
        (
            "activation",
            3,
            "a",
            "`a` must be an activation name such as 'relu', or null for none, got 3.",
        ),
        (
            "normalizer",
            "batchnorm",
            "n",
            "`n` must be a normalizer name such as 'batch_norm', or null "
            "for none, got 'batchnorm'. Did you mean 'batch_norm'?",
        ),
        ("initializer", {"stddev": 1.0}, "i", "`i.name` must be the initializer's name, one of"),
        (
            "initializer",
            {"name": "truncated"},
            "i",
            "`i.name` must be one of ['zeros_initializer', 'ones_initializer', ",
        ),
        (
            "initializer",
            "xavier",
            "i",
            "`i` must be an initializer such as {'name': 'truncated_normal_initializer', "
            "'stddev': 0.01} or 'xavier_initializer', or null, got 'xavier'. "
            "Did you mean 'xavier_initializer'?",
        ),
        (
            "initializer",
            {"name": "truncated_normal_initializer", "std": 1.0},
            "i",
            "`i.std` must be a parameter of truncated_normal_initializer (mean, stddev, seed), got 1.0. "
            "Did you mean 'stddev'?",
        ),
        (
            "initializer",
            {"name": "truncated_normal_initializer", "stddev": -1},
            "i",
            "`i.stddev` must be a number >= 0.0, got -1.",
        ),
        (
            "initializer",
            {"name": "truncated_normal_initializer", "stddev": "big"},
            "i",
            "`i.stddev` must be a number, got 'big'.",
        ),
        (
            "initializer",
            {"name": "xavier_initializer", "uniform": 1},
            "i",
            "`i.uniform` must be true or false, got 1.",
        ),
        (
            "initializer",
            {"name": "xavier_initializer", "seed": -1},
            "i",
            "`i.seed` must be an int >= 0 or null, got -1.",
        ),
        (
            "initializer",
            {"name": "variance_scaling_initializer", "mode": "fan"},
            "i",
            "`i.mode` must be one of ['FAN_IN', 'FAN_OUT', 'FAN_AVG'], got 'fan'.",
        ),
        ("initializer", [1], "i", "`i` must be an initializer such as"),
        (
            "regularizer",
            "l2_regularizer",
            "r",
            "`r` must be a dict giving 'scale', such as {'name': 'l2_regularizer', 'scale': 0.0005}, got 'l2_regularizer'.",
        ),
        (
            "regularizer",
            {"name": "l2_regularizer"},
            "r",
            "`r.scale` must be given (l2_regularizer needs `scale`), got None.",
        ),
        (
            "regularizer",
            {"name": "l2_regularizer", "scale": float("inf")},
            "r",
            "`r.scale` must be a finite number, got inf.",
        ),
        (
            "regularizer",
            {"name": "l2_regularizer", "scale": 10**400},
            "r",
            "`r.scale` must be a finite number",
        ),
    ],
)
def test_choice_errors(family, value, path, message):
    found = choices.check(family, value, path)
    assert found, (family, value)
    assert found[0].message.startswith(message), found[0].message


def test_describe_names_slimlib_defaults():
    assert choices.describe(tf.nn.relu) == (True, "relu")
    assert choices.describe(slim.xavier_initializer()) == (True, {"name": "xavier_initializer"})
    # Parameters at their defaults are left out, as generated code leaves them out.
    assert choices.describe(slim.variance_scaling_initializer()) == (
        True,
        {"name": "variance_scaling_initializer"},
    )
    assert choices.describe(slim.variance_scaling_initializer(mode="FAN_AVG")) == (
        True,
        {"name": "variance_scaling_initializer", "mode": "FAN_AVG"},
    )
    assert choices.describe(tf.compat.v1.truncated_normal_initializer(stddev=0.1)) == (
        True,
        {"name": "truncated_normal_initializer", "stddev": 0.1},
    )
    assert choices.describe(tf.compat.v1.constant_initializer(0.1)) == (
        True,
        {"name": "constant_initializer", "value": 0.1},
    )
    assert choices.describe(object()) == (False, None)


def test_every_choice_is_plain_data():
    for family in choices.FAMILIES:
        for name in choices.names(family):
            json.dumps(choices.get(family, name).to_dict())


def test_doctests():
    # The package exports the function `catalogue`; the module is reached by its full name.
    catalogue_module = importlib.import_module("workbench.models.design.catalogue")
    for module in (catalogue_module, choices):
        assert doctest.testmod(module).failed == 0, module.__name__
