"""Validation and static shape inference: goldens by hand, every error path, and random
designs that must give problems and never an exception (speed: bench/workbench_speed.py)."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workbench.models.design.design_support import broken_designs, json_values
from workbench.models.design import argcheck, shapes, template
from workbench.models.design.spec import (
    arg_scope,
    branches,
    layer,
    net,
    new_design,
    repeat,
    residual,
    stack,
)
from workbench.models.design.validate import analyze, block_status, infer_shapes, validate

validate_module = importlib.import_module("workbench.models.design.validate")


def _design(blocks, shape=(8, 8, 3), dtype="float32"):
    return new_design("t", shape, blocks, dtype=dtype)


def _conv(**args):
    return layer("conv2d", **{"num_outputs": 4, "kernel_size": 3, **args})


def test_golden_shapes_and_parameters_by_hand():
    design = _design(
        [
            # 28 - 5 + 1 = 24; params 5*5*1*8 + 8 = 208.
            layer("conv2d", "conv1", num_outputs=8, kernel_size=5, padding="VALID"),
            # VALID 2x2 stride 2: (24 - 2) // 2 + 1 = 12.
            layer("max_pool2d", "pool1", kernel_size=2),
            # SAME stride 2: ceil(12 / 2) = 6; params 3*3*8*16 + 16 = 1,168.
            layer("conv2d", num_outputs=16, kernel_size=3, stride=2),
            # Depthwise 3*3*16*2 = 288, pointwise 1*1*32*32 = 1,024, biases 32: 1,344.
            layer("separable_conv2d", num_outputs=32, kernel_size=3, depth_multiplier=2),
            # VALID transpose: 6*2 + max(3 - 2, 0) = 13; params 3*3*4*32 + 4 = 1,156.
            layer("conv2d_transpose", num_outputs=4, kernel_size=3, stride=2, padding="VALID"),
            # VALID 3x3 stride 2: (13 - 3) // 2 + 1 = 6.
            layer("avg_pool2d", kernel_size=[3, 3]),
            layer("flatten"),  # 6*6*4 = 144.
            layer("fully_connected", "logits", num_outputs=10, activation_fn=None),  # 1,450.
            layer("softmax"),
        ],
        shape=(28, 28, 1),
    )
    infos = infer_shapes(design)
    got = [(i.scope, i.output_shape, i.params) for i in infos.values()]
    assert got == [
        ("conv1", (24, 24, 8), 208),
        ("pool1", (12, 12, 8), 0),
        ("Conv", (6, 6, 16), 1_168),
        ("SeparableConv2d", (6, 6, 32), 1_344),
        ("Conv2d_transpose", (13, 13, 4), 1_156),
        ("AvgPool2D", (6, 6, 4), 0),
        ("Flatten", (144,), 0),
        ("logits", (10,), 1_450),
        ("softmax", (10,), 0),
    ]
    analysis = analyze(design)
    assert analysis.ok and analysis.output_shape == (10,)
    assert analysis.total_params == 208 + 1_168 + 1_344 + 1_156 + 1_450 == 5_326
    first = infos["blocks[0]"]
    assert first.input_shape == (28, 28, 1) and first.dtype == "float32"
    assert first.variables == (("conv1/weights", (5, 5, 1, 8), True), ("conv1/biases", (8,), True))
    assert first.to_dict()["params"] == 208


def test_golden_structure_blocks():
    design = _design(
        [
            arg_scope(
                ["conv2d"],
                [
                    repeat(2, layer("conv2d", num_outputs=4, kernel_size=3), "conv1"),
                    stack(
                        "conv2d", [{"num_outputs": 6}, {"num_outputs": 2}], "core", kernel_size=1
                    ),
                ],
                normalizer_fn="batch_norm",
            ),
            residual([_conv(num_outputs=2)], [], "res", "relu"),
            branches(
                [
                    [_conv(num_outputs=5)],
                    [],
                    [layer("max_pool2d", kernel_size=3, stride=1, padding="SAME")],
                ]
            ),
        ]
    )
    infos = infer_shapes(design)
    table = {path: (i.kind, i.scope, i.output_shape, i.params) for path, i in infos.items()}
    # Batch norm without scale: beta + moving mean + moving variance = 3 per channel, no biases.
    assert table["blocks[0].blocks[0].block"] == (
        "layer",
        "conv1/conv1_1",
        (8, 8, 4),
        3 * 3 * 3 * 4 + 12,
    )
    assert table["blocks[0].blocks[0]"] == ("repeat", "conv1", (8, 8, 4), 120 + 3 * 3 * 4 * 4 + 12)
    assert table["blocks[0].blocks[1]"] == ("stack", "core", (8, 8, 2), 4 * 6 + 18 + 6 * 2 + 6)
    assert table["blocks[0]"][:3] == ("arg_scope", None, (8, 8, 2))
    assert table["blocks[1]"] == ("residual", "res", (8, 8, 2), 3 * 3 * 2 * 2 + 2)
    assert table["blocks[1].blocks[0]"][1] == "res/Conv"
    assert table["blocks[2]"] == ("branches", "Branches", (8, 8, 5 + 2 + 2), 3 * 3 * 2 * 5 + 5)
    assert table["blocks[2].branches[0][0]"][1] == "Branches/Branch_0/Conv"
    assert table["blocks[2].branches[2][0]"][1] == "Branches/Branch_2/MaxPool2D"
    assert analyze(design).training_ops == ("batch_norm",)


def test_net_block_is_built_once_for_its_shape():
    design = _design([net("lenet", num_classes=5)], shape=(28, 28, 1))
    info = infer_shapes(design)["blocks[0]"]
    assert (info.scope, info.output_shape) == ("LeNet", (5,))
    # conv1 832 + conv2 51,264 + fc3 3,212,288 + fc4 1024*5 + 5.
    assert info.params == 832 + 51_264 + 3_212_288 + 5_125
    # The net is built once per (net, options, input): validating again is a cache hit.
    hits = shapes._net_output.cache_info().hits
    analyze(design)
    assert shapes._net_output.cache_info().hits == hits + 1


def _nest(depth):
    design = _design([])
    blocks = design["blocks"]
    for _ in range(depth):
        inner = arg_scope(["conv2d"], [])
        blocks.append(inner)
        blocks = inner["blocks"]
    return design


def _with(design, **fields):
    return {**design, **fields}


BASE = _design([])

# (design, path of the first problem, start of its message)
ERRORS = {
    "valid kernel too big": (
        _design([_conv(kernel_size=11, padding="VALID")]),
        "blocks[0].args.kernel_size",
        "`blocks[0].args.kernel_size` must be a window that fits the 8x8 input with padding "
        "'VALID', got [11, 11]. Use a smaller kernel, padding 'SAME', or less downsampling",
    ),
    "conv after flatten": (
        _design([layer("flatten"), _conv()]),
        "blocks[1]",
        "`blocks[1]` (conv2d) must get an input of rank 3 `[height, width, channels]` (batch "
        "left out), got [192]. A flatten or fully_connected layer earlier removed the spatial "
        "axes; conv2d goes before it.",
    ),
    "rate with stride": (
        _design([_conv(stride=2, rate=2)]),
        "blocks[0].args.rate",
        "`blocks[0].args.rate` must be 1 when a stride is > 1",
    ),
    "unequal depthwise strides": (
        _design([layer("separable_conv2d", num_outputs=4, kernel_size=3, stride=[1, 2])]),
        "blocks[0].args.stride",
        "`blocks[0].args.stride` must be the same on both axes",
    ),
    "kernel grows out of the map in a repeat": (
        _design([repeat(3, _conv(padding="VALID"))], shape=(6, 6, 3)),
        "blocks[0].block.args.kernel_size",
        "`blocks[0].block.args.kernel_size` must be a window that fits the 2x2 input with "
        "padding 'VALID', got [3, 3]. Use a smaller kernel, padding 'SAME', or less "
        "downsampling before. (In call 3 of 3.)",
    ),
    "kernel set by an arg_scope": (
        _design(
            [
                arg_scope(
                    ["conv2d"], [layer("conv2d", num_outputs=2)], kernel_size=9, padding="VALID"
                )
            ]
        ),
        "blocks[0].defaults.kernel_size",
        "`blocks[0].defaults.kernel_size` must be a window that fits the 8x8 input",
    ),
    "unknown op": (
        _design([layer("fully_conected", num_outputs=3)]),
        "blocks[0].op",
        "`blocks[0].op` must be a layer op such as 'conv2d' (see the catalogue), got "
        "'fully_conected'. Did you mean 'fully_connected'?",
    ),
    "alias op": (
        _design([layer("convolution2d", num_outputs=3, kernel_size=3)]),
        "blocks[0].op",
        "`blocks[0].op` must be a layer op of the catalogue, got 'convolution2d'. "
        "'convolution2d' is another name of 'conv2d'; use that.",
    ),
    "net as a layer": (
        _design([layer("vgg_16")]),
        "blocks[0].op",
        "`blocks[0].op` must be a layer op such as 'conv2d' (see the catalogue), got 'vgg_16'. "
        "'vgg_16' is a net: use a 'net' block.",
    ),
    "unknown argument": (
        _design([_conv(num_output=3)]),
        "blocks[0].args.num_output",
        "`blocks[0].args.num_output` must be an argument of conv2d, got 'num_output'. Did you "
        "mean 'num_outputs'?",
    ),
    "input argument": (
        _design([_conv(inputs=1)]),
        "blocks[0].args.inputs",
        "`blocks[0].args.inputs` must be left out: the input comes from the previous block, got 1.",
    ),
    "scope argument": (
        _design([{"kind": "layer", "op": "flatten", "args": {"scope": "x"}}]),
        "blocks[0].args.scope",
        "`blocks[0].args.scope` must be left out: set the block's `scope` field instead, got 'x'.",
    ),
    "unsupported argument": (
        _design([_conv(reuse=True)]),
        "blocks[0].args.reuse",
        "`blocks[0].args.reuse` must be left out, got True. conv2d: variable sharing is not part "
        "of a design; give each layer its own scope.",
    ),
    "num_outputs as text": (
        _design([_conv(num_outputs="64")]),
        "blocks[0].args.num_outputs",
        "`blocks[0].args.num_outputs` must be an int >= 1, got '64'.",
    ),
    "num_outputs zero": (
        _design([_conv(num_outputs=0)]),
        "blocks[0].args.num_outputs",
        "`blocks[0].args.num_outputs` must be an int >= 1, got 0.",
    ),
    "num_outputs bool": (
        _design([_conv(num_outputs=True)]),
        "blocks[0].args.num_outputs",
        "`blocks[0].args.num_outputs` must be an int >= 1, got True.",
    ),
    "kernel of three sizes": (
        _design([_conv(kernel_size=[3, 3, 3])]),
        "blocks[0].args.kernel_size",
        "`blocks[0].args.kernel_size` must be an int >= 1 or a list of 2 ints >= 1, got [3, 3, 3].",
    ),
    "padding typo": (
        _design([_conv(padding="SAMEE")]),
        "blocks[0].args.padding",
        "`blocks[0].args.padding` must be one of SAME, VALID, got 'SAMEE'. Did you mean 'SAME'?",
    ),
    "causal 2-D padding": (
        _design([_conv(padding="CAUSAL")]),
        "blocks[0].args.padding",
        "`blocks[0].args.padding` must be one of SAME, VALID, got 'CAUSAL'.",
    ),
    "activation typo": (
        _design([_conv(activation_fn="rleu")]),
        "blocks[0].args.activation_fn",
        "`blocks[0].args.activation_fn` must be an activation name such as 'relu', or null for "
        "none, got 'rleu'. Did you mean 'relu'?",
    ),
    "initializer parameter typo": (
        _design([_conv(weights_initializer={"name": "truncated_normal_initializer", "stdev": 1})]),
        "blocks[0].args.weights_initializer.stdev",
        "`blocks[0].args.weights_initializer.stdev` must be a parameter of "
        "truncated_normal_initializer (mean, stddev, seed), got 1. Did you mean 'stddev'?",
    ),
    "batch norm parameter map": (
        _design([layer("batch_norm", param_initializers={"beta": "zeroes"})]),
        "blocks[0].args.param_initializers.beta",
        "`blocks[0].args.param_initializers.beta` must be an initializer such as",
    ),
    "collections as text": (
        _design([_conv(variables_collections="w")]),
        "blocks[0].args.variables_collections",
        "`blocks[0].args.variables_collections` must be a list of collection names, a dict such "
        'as {"weights": ["w"]}, or null, got \'w\'.',
    ),
    "normalizer parameter typo": (
        _design([_conv(normalizer_fn="batch_norm", normalizer_params={"decays": 0.9})]),
        "blocks[0].args.normalizer_params.decays",
        "`blocks[0].args.normalizer_params.decays` must be an argument of the normalizer "
        "batch_norm, got 'decays'. Did you mean 'decay'?",
    ),
    "missing required argument": (
        _design([layer("conv2d", num_outputs=3)]),
        "blocks[0].args",
        "`blocks[0].args` must be a dict giving 'kernel_size' (conv2d needs num_outputs, "
        "kernel_size), got {'num_outputs': 3}.",
    ),
    "arg_scope default of another op": (
        _design([arg_scope(["conv2d", "max_pool2d"], [_conv()], activation_fn=None)]),
        "blocks[0].defaults.activation_fn",
        "`blocks[0].defaults.activation_fn` must be an argument of every op listed (max_pool2d "
        "has no 'activation_fn'), got None.",
    ),
    "arg_scope on a fixed op": (
        _design([arg_scope(["linear"], [])]),
        "blocks[0].ops[0]",
        "`blocks[0].ops[0]` must be an op that arg_scope can set, got 'linear'. linear is "
        "fully_connected with activation_fn fixed; list 'fully_connected'.",
    ),
    "arg_scope scope default": (
        _design([arg_scope(["conv2d"], [_conv()], scope="x")]),
        "blocks[0].defaults.scope",
        "`blocks[0].defaults.scope` must be left out: set the block's `scope` field instead",
    ),
    "arg_scope without ops": (
        _design([arg_scope([], [_conv()])]),
        "blocks[0].ops",
        "`blocks[0].ops` must be a non-empty list of layer op names, each once, got [].",
    ),
    "repeat count": (
        _design([repeat(0, _conv())]),
        "blocks[0].count",
        "`blocks[0].count` must be an int from 1 to 256, got 0.",
    ),
    "repeat of a structure": (
        _design([repeat(2, residual([]))]),
        "blocks[0].block.kind",
        "`blocks[0].block.kind` must be 'layer' (repeat calls one layer `count` times), got "
        "'residual'.",
    ),
    "repeated layer with a scope": (
        _design([repeat(2, layer("conv2d", "x", num_outputs=2, kernel_size=3))]),
        "blocks[0].block.scope",
        "`blocks[0].block.scope` must be left out: repeat names its calls (set the repeat "
        "block's `scope`), got 'x'.",
    ),
    "stack without calls": (
        _design([stack("fully_connected", [])], shape=(4,)),
        "blocks[0].per_layer",
        "`blocks[0].per_layer` must be a non-empty list of argument dicts, one per call, got [].",
    ),
    "stack entry not positional": (
        _design([stack("conv2d", [{"kernel_size": 3}], num_outputs=2)]),
        "blocks[0].per_layer[0]",
        "`blocks[0].per_layer[0]` must be a leading run of conv2d's positional arguments "
        "(num_outputs, kernel_size, stride, padding, ...), got ['kernel_size']. slim.stack "
        "passes each entry by position;",
    ),
    "stack entry repeats a common argument": (
        _design([stack("conv2d", [{"num_outputs": 3}], kernel_size=3, num_outputs=2)]),
        "blocks[0].per_layer[0]",
        "`blocks[0].per_layer[0]` must be free of arguments the block's `args` already gives, "
        "got ['num_outputs']. conv2d would get 'num_outputs' twice.",
    ),
    "stack call missing an argument": (
        _design([stack("conv2d", [{"num_outputs": 3}])]),
        "blocks[0].args",
        "`blocks[0].args` must be a dict giving 'kernel_size' (conv2d needs num_outputs, "
        "kernel_size), got {'num_outputs': 3}. (In call 1, `blocks[0].per_layer[0]`.)",
    ),
    "residual paths differ": (
        _design([residual([_conv(stride=2)])]),
        "blocks[0]",
        "`blocks[0]` (residual) must add a main path and a shortcut of the same shape and "
        "dtype, got main path [4, 4, 4] float32 and shortcut [8, 8, 3] float32. Add a shortcut "
        "layer that matches them",
    ),
    "residual activation typo": (
        _design([residual([], activation="rleu")]),
        "blocks[0].activation",
        "`blocks[0].activation` must be an activation name such as 'relu'",
    ),
    "branches that do not concatenate": (
        _design([branches([[_conv(stride=2)], []])]),
        "blocks[0]",
        "`blocks[0]` must be branches whose outputs match on every axis but axis 3, got "
        "[[4, 4, 4], [8, 8, 3]]. Use padding 'SAME' and the same strides in every branch.",
    ),
    "branches on the batch axis": (
        _design([branches([[], []], axis=0)]),
        "blocks[0].axis",
        "`blocks[0].axis` must be an axis in [1, 4) or [-3, -1] (not the batch axis), got 0.",
    ),
    "branches axis out of range": (
        _design([branches([[], []], axis=9)]),
        "blocks[0].axis",
        "`blocks[0].axis` must be an axis in [1, 4) or [-3, -1] (not the batch axis), got 9.",
    ),
    "branches axis type": (
        _design([branches([[], []], axis="3")]),
        "blocks[0].axis",
        "`blocks[0].axis` must be an int (3: channels of a `[batch, h, w, c]` tensor), got '3'.",
    ),
    "no branches": (
        _design([branches([])]),
        "blocks[0].branches",
        "`blocks[0].branches` must be a non-empty list of lists of blocks, got [].",
    ),
    "unknown net": (
        _design([net("vgg16")]),
        "blocks[0].name",
        "`blocks[0].name` must be a slimlib net such as 'vgg_16', got 'vgg16'. Did you mean "
        "'vgg_16'?",
    ),
    "layer as a net": (
        _design([net("conv2d")]),
        "blocks[0].name",
        "`blocks[0].name` must be a slimlib net such as 'vgg_16', got 'conv2d'. 'conv2d' is a "
        "layer: use a 'layer' block.",
    ),
    "net option typo": (
        _design([net("lenet", num_class=3)]),
        "blocks[0].options.num_class",
        "`blocks[0].options.num_class` must be an argument of lenet, got 'num_class'. Did you "
        "mean 'num_classes'?",
    ),
    "net option set by the build": (
        _design([net("lenet", is_training=False)]),
        "blocks[0].options.is_training",
        "`blocks[0].options.is_training` must be left out, got False. lenet: the net gets "
        "`is_training` from the build.",
    ),
    "input too small for a net": (
        _design([net("lenet")], shape=(3, 3, 1)),
        "blocks[0]",
        "`blocks[0]` (lenet) must get an input lenet can take (building it failed: Negative "
        "dimension size caused by subtracting 2 from 1), got [3, 3, 1].",
    ),
    "variables created twice": (
        _design(
            [
                layer("conv2d", "c", num_outputs=2, kernel_size=1),
                layer("conv2d", "c", num_outputs=2, kernel_size=1),
            ]
        ),
        "blocks[1].scope",
        "`blocks[1].scope` must be a scope no earlier layer with variables uses (blocks[0] "
        "already creates 'c/weights'), got 'c'. TensorFlow refuses to create a variable twice.",
    ),
    "explicit scope after the default": (
        _design([_conv(), layer("conv2d", "Conv", num_outputs=2, kernel_size=1)]),
        "blocks[1].scope",
        "`blocks[1].scope` must be a scope no earlier layer with variables uses (blocks[0] "
        "already creates 'Conv/weights'), got 'Conv'.",
    ),
    "bad scope name": (
        _design([layer("flatten", "a/b")]),
        "blocks[0].scope",
        "`blocks[0].scope` must be a scope name of letters, digits and '_', '.', '-' (no '/'), "
        "or null, got 'a/b'.",
    ),
    "one-hot of floats": (
        _design([layer("one_hot_encoding", num_classes=3)], shape=(4,)),
        "blocks[0]",
        "`blocks[0]` (one_hot_encoding) must get integer class ids (an int32 or int64 input), "
        "got 'float32'. Set the design's input dtype.",
    ),
    "convolution of integers": (
        _design([_conv()], dtype="int32"),
        "blocks[0]",
        "`blocks[0]` (conv2d) must get a floating point input for conv2d, got 'int32'.",
    ),
    "conv3d on images": (
        _design([layer("conv3d", num_outputs=2, kernel_size=3)]),
        "blocks[0]",
        "`blocks[0]` (conv3d) must get an input of rank 4 `[depth, height, width, channels]` "
        "(batch left out), got [8, 8, 3].",
    ),
    "layer norm parameters over the batch": (
        _design([layer("layer_norm", begin_params_axis=0)]),
        "blocks[0].args.begin_params_axis",
        "`blocks[0].args.begin_params_axis` must be an axis after the batch axis",
    ),
    "unit norm axis": (
        _design([layer("unit_norm", dim=5)]),
        "blocks[0].args.dim",
        "`blocks[0].args.dim` must be an axis in [0, 4) (batch included), got 5.",
    ),
    "dropout noise shape": (
        _design([layer("dropout", noise_shape=[1, 2])]),
        "blocks[0].args.noise_shape",
        "`blocks[0].args.noise_shape` must be a list of 4 sizes (batch first), each 1 or the "
        "input's size (input [8, 8, 3]), got [1, 2].",
    ),
    "channels-first bias on vectors": (
        _design([layer("bias_add", data_format="NCHW")], shape=(4,)),
        "blocks[0]",
        "`blocks[0]` (bias_add) must get an input of rank 3 `[channels, height, width]` for "
        "data_format 'NCHW' (batch left out), got [4].",
    ),
    "design not a dict": (
        [1],
        "",
        "The design must be a design dict (a JSON object), got [1].",
    ),
    "design fields missing": (
        {"format": "slim-workbench-design"},
        "version",
        "`version` must be given (the design needs 'format', 'version', 'name', 'input', "
        "'blocks'), got None.",
    ),
    "design field typo": (
        _with(BASE, blcoks=[]),
        "blcoks",
        "`blcoks` must be one of the fields of the design (format, version, name, input, "
        "blocks, description), got 'blcoks'. Did you mean 'blocks'?",
    ),
    "wrong format": (
        _with(BASE, format="x"),
        "format",
        "`format` must be 'slim-workbench-design', got 'x'.",
    ),
    "older version": (
        _with(BASE, version=0),
        "version",
        "`version` must be 1, got 0. Load it with `spec.loads` or `spec.migrate` to upgrade it.",
    ),
    "empty name": (_with(BASE, name=""), "name", "`name` must be a non-empty str, got ''."),
    "description type": (
        _with(BASE, description=3),
        "description",
        "`description` must be a str, got 3.",
    ),
    "input size": (
        _with(BASE, input={"shape": [0, 8, 3]}),
        "input.shape[0]",
        "`input.shape[0]` must be an int >= 1, got 0.",
    ),
    "input rank": (
        _with(BASE, input={"shape": [1, 2, 3, 4, 5]}),
        "input.shape",
        "`input.shape` must be a list of 1 to 4 sizes without the batch, such as [28, 28, 1], "
        "got [1, 2, 3, 4, 5].",
    ),
    "input dtype typo": (
        _with(BASE, input={"shape": [8], "dtype": "float23"}),
        "input.dtype",
        "`input.dtype` must be one of ['float32', 'float16', 'float64', 'int32', 'int64'], got "
        "'float23'. Did you mean 'float32'?",
    ),
    "input not a dict": (
        _with(BASE, input=[8, 8]),
        "input",
        '`input` must be a dict such as {"shape": [28, 28, 1], "dtype": "float32"}, got [8, 8].',
    ),
    "blocks not a list": (
        _with(BASE, blocks={}),
        "blocks",
        "`blocks` must be a list of blocks, got {}.",
    ),
    "block not a dict": (
        _design([3]),
        "blocks[0]",
        '`blocks[0]` must be a block dict such as {"kind": "layer", "op": "conv2d", "args": {}}, '
        "got 3.",
    ),
    "kind typo": (
        _design([{"kind": "layre", "op": "conv2d"}]),
        "blocks[0].kind",
        "`blocks[0].kind` must be one of layer, repeat, stack, arg_scope, residual, branches, "
        "net, got 'layre'. Did you mean 'layer'?",
    ),
    "block field typo": (
        _design([{"kind": "layer", "op": "flatten", "scop": "x"}]),
        "blocks[0].scop",
        "`blocks[0].scop` must be one of the fields of a 'layer' block (op, args, scope), got "
        "'scop'. Did you mean 'scope'?",
    ),
    "block field missing": (
        _design([{"kind": "layer"}]),
        "blocks[0].op",
        "`blocks[0].op` must be given (a 'layer' block needs 'op'), got None.",
    ),
    "nested too deep": (
        _nest(40),
        "blocks[0]" + ".blocks[0]" * 33,
        "`blocks[0]" + ".blocks[0]" * 33 + "` must be nested at most 32 blocks deep",
    ),
}


@pytest.mark.parametrize("design, path, message", list(ERRORS.values()), ids=list(ERRORS))
def test_every_error_path_has_its_message(design, path, message):
    problems = validate(design)
    assert problems, "expected a problem"
    assert problems[0].path == path
    assert problems[0].message.startswith(message), problems[0].message
    assert all(p.kind != "internal" for p in problems)


def test_every_problem_is_reported_at_once():
    design = _design([_conv(num_outputs=0), layer("flatn"), _conv(activation_fn="x")])
    assert [p.path for p in validate(design)] == [
        "blocks[0].args.num_outputs",
        "blocks[1].op",
        "blocks[2].args.activation_fn",
    ]


def test_shapes_after_a_broken_block_are_unknown_not_wrong():
    design = _design([_conv(num_outputs="x"), layer("flatten"), _conv()])
    assert [p.path for p in validate(design)] == ["blocks[0].args.num_outputs"]
    assert infer_shapes(design)["blocks[2]"].output_shape is None


def test_arg_scope_supplies_required_arguments():
    design = _design([arg_scope(["conv2d"], [layer("conv2d", num_outputs=2)], kernel_size=[1, 1])])
    assert validate(design) == []


def test_padding_and_modes_are_case_insensitive_as_in_slimlib():
    design = _design([_conv(padding="valid"), layer("max_pool2d", kernel_size=2, padding="same")])
    assert validate(design) == []
    assert infer_shapes(design)["blocks[1]"].output_shape == (3, 3, 4)


def test_block_status_for_the_canvas():
    design = _design([_conv(), residual([_conv(num_outputs="x")]), layer("flatten")])
    status = block_status(design)
    assert list(status) == ["", "blocks[0]", "blocks[1]", "blocks[1].blocks[0]", "blocks[2]"]
    assert status["blocks[0]"] == {
        "shape": [8, 8, 4],
        "scope": "Conv",
        "params": 112,
        "error": None,
    }
    # The problem belongs to the nested block, not to the residual around it.
    assert status["blocks[1]"]["error"] is None
    assert status["blocks[1].blocks[0]"]["error"] == (
        "conv2d 1 in residual 2: num_outputs must be an int >= 1, got 'x'."
    )
    assert status["blocks[2]"]["shape"] is None
    assert status[""]["error"] is None
    assert block_status([])[""]["error"].startswith("The design must be a design dict")


_LENET = template("lenet")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_broken_designs_always_give_problems_never_exceptions(data):
    design = data.draw(broken_designs(_LENET))
    problems = validate(design)
    assert problems
    assert [p for p in problems if p.kind == "internal"] == []
    assert all(isinstance(p.path, str) and isinstance(p.message, str) for p in problems)
    block_status(design)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(json_values)
def test_any_json_value_gives_problems_never_exceptions(value):
    problems = validate(value)
    assert problems
    assert [p for p in problems if p.kind == "internal"] == []


def test_doctests():
    for module in (validate_module, argcheck, shapes):
        assert doctest.testmod(module).failed == 0, module.__name__
