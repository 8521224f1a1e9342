"""The nets' options and shapes, on the smallest graphs that show them.

Golden shapes follow from the layer tables (e.g. LeNet: 28 -> pool 14 -> pool 7, so
`fc3` sees 7 * 7 * 64 inputs); the two numeric checks (`conv2d_same` and atrous
`output_stride`) use hand-checkable inputs or compare two builds sharing weights.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib.nets import (
    alexnet,
    cifarnet,
    lenet,
    nets_factory,
    resnet_utils,
    resnet_v1,
    resnet_v2,
    vgg,
)
from tests.slimlib.nets._reference import REFERENCE, SMALL_NET_VARIABLES

RESNETS = {"v1": resnet_v1, "v2": resnet_v2}


def _shapes(end_points):
    return {name: tensor.shape.as_list() for name, tensor in end_points.items()}


def _variables():
    return [[v.op.name, v.shape.as_list()] for v in tf.global_variables()]


def _tiny_blocks(version: str) -> list[resnet_utils.Block]:
    """A ResNet with the real strides (2, 2, 2, 1) but 2 narrow units per block."""
    block_fn = getattr(RESNETS[version], f"resnet_{version}_block")
    return [
        block_fn("block1", base_depth=1, num_units=2, stride=2),
        block_fn("block2", base_depth=2, num_units=2, stride=2),
        block_fn("block3", base_depth=4, num_units=2, stride=2),
        block_fn("block4", base_depth=8, num_units=2, stride=1),
    ]


def _tiny_resnet(version: str, images, scope: str = "tiny", **kwargs):
    module = RESNETS[version]
    net_fn = getattr(module, f"resnet_{version}")
    with slim.arg_scope(module.resnet_arg_scope()):
        return net_fn(images, _tiny_blocks(version), scope=scope, **kwargs)


# LeNet and CifarNet: shapes, end points, variables.


def test_lenet_shapes_end_points_and_variables(graph):
    with slim.arg_scope(lenet.lenet_arg_scope()):
        logits, end_points = lenet.lenet(tf.zeros([2, 28, 28, 1]))
    assert logits.shape.as_list() == [2, 10]
    assert _shapes(end_points) == {
        "conv1": [2, 28, 28, 32],
        "pool1": [2, 14, 14, 32],
        "conv2": [2, 14, 14, 64],
        "pool2": [2, 7, 7, 64],
        "Flatten": [2, 3136],
        "fc3": [2, 1024],
        "dropout3": [2, 1024],
        "Logits": [2, 10],
        "Predictions": [2, 10],
    }
    assert list(end_points) == ["conv1", "pool1", "conv2", "pool2", "Flatten", "fc3",
                                "dropout3", "Logits", "Predictions"]  # fmt: skip
    assert _variables() == SMALL_NET_VARIABLES["lenet"]
    assert end_points["Logits"] is logits
    # The default weight decay of 0 adds no regularization losses.
    assert tf.losses.get_regularization_losses() == []


def test_cifarnet_shapes_end_points_and_variables(graph):
    with slim.arg_scope(cifarnet.cifarnet_arg_scope()):
        logits, end_points = cifarnet.cifarnet(tf.zeros([2, 32, 32, 3]))
    assert logits.shape.as_list() == [2, 10]
    assert _shapes(end_points) == {
        "conv1": [2, 32, 32, 64],
        "pool1": [2, 16, 16, 64],
        "conv2": [2, 16, 16, 64],
        "pool2": [2, 8, 8, 64],
        "Flatten": [2, 4096],
        "fc3": [2, 384],
        "fc4": [2, 192],
        "Logits": [2, 10],
        "Predictions": [2, 10],
    }
    assert _variables() == SMALL_NET_VARIABLES["cifarnet"]
    # Only fc3 and fc4 are decayed: the convolutions have no regularizer in the scope and
    # the logits layer turns it off.
    losses = tf.losses.get_regularization_losses()
    assert [loss.op.name.split("/")[1] for loss in losses] == ["fc3", "fc4"]


@pytest.mark.parametrize(
    "net_fn, scope_fn, size, channels, features, logits_scope",
    [
        (lenet.lenet, lenet.lenet_arg_scope, 28, 1, [2, 1024], "LeNet/fc4/"),
        (cifarnet.cifarnet, cifarnet.cifarnet_arg_scope, 32, 3, [2, 192], "CifarNet/logits/"),
    ],
    ids=["lenet", "cifarnet"],
)
@pytest.mark.parametrize("num_classes", [0, None], ids=["zero", "none"])
def test_small_nets_without_classes_return_features(
    graph, net_fn, scope_fn, size, channels, features, logits_scope, num_classes
):
    with slim.arg_scope(scope_fn()):
        net, end_points = net_fn(tf.zeros([2, size, size, channels]), num_classes)
    assert net.shape.as_list() == features
    assert "Logits" not in end_points and "Predictions" not in end_points
    assert not [v for v in tf.global_variables() if v.op.name.startswith(logits_scope)]


def test_lenet_prediction_fn_and_training_dropout(graph):
    with slim.arg_scope(lenet.lenet_arg_scope(weight_decay=0.01)):
        _, end_points = lenet.lenet(
            tf.zeros([1, 28, 28, 1]), is_training=True, prediction_fn=slim.layers.softmax
        )
    assert end_points["Predictions"].op.name == "Predictions/Softmax"
    # conv1, conv2, fc3 and fc4 kernels are decayed.
    assert len(tf.losses.get_regularization_losses()) == 4


# The fc-as-conv nets: squeeze, features, global pool, padding.


def test_squeezed_logits_are_the_fc8_end_point(graph):
    with slim.arg_scope(alexnet.alexnet_v2_arg_scope()):
        logits, end_points = alexnet.alexnet_v2(tf.zeros([1, 224, 224, 3]), num_classes=7)
    assert logits.shape.as_list() == [1, 7]
    assert end_points["alexnet_v2/fc8"] is logits
    assert logits.op.name == "alexnet_v2/fc8/squeezed"


def test_spatial_squeeze_false_keeps_the_logits_map(graph):
    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_a(
            tf.zeros([1, 256, 256, 3]), num_classes=7, spatial_squeeze=False
        )
    # 256 / 32 = 8 after pool5; the 7x7 "VALID" fc6 leaves 2x2.
    assert logits.shape.as_list() == [1, 2, 2, 7]
    assert end_points["vgg_a/fc8"] is logits


def test_squeezing_logits_that_are_not_1x1_raises(graph):
    with slim.arg_scope(alexnet.alexnet_v2_arg_scope()):
        with pytest.raises(ValueError, match=r"must be 1x1 to squeeze, got shape \[1, 2, 2, 7\]"):
            alexnet.alexnet_v2(tf.zeros([1, 256, 256, 3]), num_classes=7)


@pytest.mark.parametrize("num_classes", [0, None], ids=["zero", "none"])
def test_vgg_without_classes_returns_fc7_features(graph, num_classes):
    with slim.arg_scope(vgg.vgg_arg_scope()):
        # "SAME" fc6 lets a 32x32 image (1x1 after pool5) through.
        net, end_points = vgg.vgg_a(
            tf.zeros([2, 32, 32, 3]), num_classes=num_classes, fc_conv_padding="SAME"
        )
    assert net.shape.as_list() == [2, 1, 1, 4096]
    assert list(end_points)[-1] == "vgg_a/fc7"
    assert not [v for v in tf.global_variables() if "fc8" in v.op.name]


def test_vgg_global_pool_classifies_any_size(graph):
    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_16(
            tf.zeros([2, 64, 64, 3]), num_classes=5, fc_conv_padding="SAME", global_pool=True
        )
    assert end_points["vgg_16/fc7"].shape.as_list() == [2, 2, 2, 4096]
    assert end_points["global_pool"].shape.as_list() == [2, 1, 1, 4096]
    assert logits.shape.as_list() == [2, 5]
    assert list(end_points)[-3:] == ["vgg_16/fc7", "global_pool", "vgg_16/fc8"]


def test_vgg_aliases_and_default_image_sizes():
    assert vgg.vgg_d is vgg.vgg_16 and vgg.vgg_e is vgg.vgg_19
    sizes = {name: fn.default_image_size for name, fn in nets_factory.networks_map.items()}
    assert {k: sizes[k] for k in ("alexnet_v2", "overfeat", "vgg_16", "lenet", "cifarnet")} == {
        "alexnet_v2": 224,
        "overfeat": 231,
        "vgg_16": 224,
        "lenet": 28,
        "cifarnet": 32,
    }


# ResNets: output stride, global pool, squeeze, features, training mode.


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize(
    "output_stride, size", [(None, 2), (32, 2), (16, 3), (8, 5)], ids=["none", "32", "16", "8"]
)
def test_resnet_output_stride_sets_the_feature_map_size(graph, version, output_stride, size):
    # A 33x33 input (32 + 1) gives (33 - 1) / output_stride + 1 positions per side.
    net, end_points = _tiny_resnet(
        version, tf.zeros([1, 33, 33, 3]), global_pool=False, output_stride=output_stride
    )
    assert net.shape.as_list() == [1, size, size, 32]
    assert "predictions" not in end_points


def test_real_resnet_output_stride_16_keeps_its_variables(graph):
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        net, _ = resnet_v1.resnet_v1_50(
            tf.zeros([1, 65, 65, 3]), global_pool=False, output_stride=16, is_training=False
        )
    assert net.shape.as_list() == [1, 5, 5, 2048]
    # Atrous convolution changes rates, not kernels: same variables as the nominal net.
    expected = [v[:2] for v in REFERENCE["resnet_v1_50"]["variables"][:-2]]  # no logits
    assert _variables() == expected
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []


@pytest.mark.parametrize(
    "output_stride, match",
    [
        (6, "must be a multiple of 4 .* got 6"),
        (64, r"must be a product of the unit strides \[1, 2, 4, 8\] .* got 16"),
    ],
    ids=["not-multiple-of-4", "unreachable"],
)
def test_resnet_rejects_bad_output_stride(graph, output_stride, match):
    with pytest.raises(ValueError, match=match):
        _tiny_resnet("v1", tf.zeros([1, 33, 33, 3]), output_stride=output_stride)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_resnet_logits_are_4d_unless_spatial_squeeze(graph, version):
    images = tf.zeros([2, 32, 32, 3])
    logits, end_points = _tiny_resnet(version, images, num_classes=3)
    assert logits.shape.as_list() == [2, 1, 1, 3]
    assert end_points["tiny/logits"] is logits
    assert end_points["predictions"].shape.as_list() == [2, 1, 1, 3]
    squeezed, squeezed_points = _tiny_resnet(
        version, images, scope="squeezed", num_classes=3, spatial_squeeze=True
    )
    assert squeezed.shape.as_list() == [2, 3]
    assert squeezed_points["squeezed/spatial_squeeze"] is squeezed
    assert squeezed_points["predictions"].shape.as_list() == [2, 3]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("global_pool, shape", [(True, [2, 1, 1, 32]), (False, [2, 2, 2, 32])])
def test_resnet_without_classes_returns_features(graph, version, global_pool, shape):
    net, end_points = _tiny_resnet(version, tf.zeros([2, 64, 64, 3]), global_pool=global_pool)
    assert net.shape.as_list() == shape
    assert "predictions" not in end_points and "tiny/logits" not in end_points
    assert not [v for v in tf.global_variables() if "logits" in v.op.name]


@pytest.mark.parametrize(
    "version, is_training, batch_norms",
    [("v1", True, 29), ("v1", False, 0), ("v2", True, 25), ("v2", False, 0)],
)
def test_resnet_is_training_sets_batch_norm_mode(graph, version, is_training, batch_norms):
    # v1: conv1 + 8 units x 3 convs + the 4 projections (each block's first unit changes
    # depth) = 29 batch norms; v2 (linear root and projections): 8 units x (preact + 2
    # convs) + postnorm = 25. Two update ops each in training mode.
    _tiny_resnet(version, tf.zeros([1, 32, 32, 3]), is_training=is_training)
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2 * batch_norms


def test_resnet_reuse_shares_variables(graph):
    images = tf.zeros([1, 32, 32, 3])
    with slim.arg_scope(resnet_v2.resnet_arg_scope()):
        resnet_v2.resnet_v2(images, _tiny_blocks("v2"), 4, scope="shared")
        count = len(tf.global_variables())
        resnet_v2.resnet_v2(images, _tiny_blocks("v2"), 4, scope="shared", reuse=True)
    assert len(tf.global_variables()) == count


# Numeric checks.


def test_conv2d_same_pads_explicitly_and_matches_same_at_stride_1(graph, run):
    # 4x4 input 1..16, a 3x3 kernel of ones: each output is the sum of a 3x3 window.
    images = tf.constant(np.arange(1, 17, dtype=np.float32).reshape([1, 4, 4, 1]))
    ones = {
        "weights_initializer": tf.ones_initializer(),
        "biases_initializer": None,
        "activation_fn": None,
    }
    with slim.arg_scope([slim.conv2d], **ones):
        same_1 = resnet_utils.conv2d_same(images, 1, 3, stride=1, scope="a")
        plain_1 = slim.conv2d(images, 1, 3, stride=1, padding="SAME", scope="b")
        same_2 = resnet_utils.conv2d_same(images, 1, 3, stride=2, scope="c")
        plain_2 = slim.conv2d(images, 1, 3, stride=2, padding="SAME", scope="d")
    same_1, plain_1, same_2, plain_2 = run([same_1, plain_1, same_2, plain_2])
    np.testing.assert_array_equal(same_1, plain_1)
    # Stride 2 pads one row/column before and one after, so windows centre on rows and
    # columns 0 and 2: (0,0): 1+2+5+6 = 14; (0,2): 2+3+4+6+7+8 = 30;
    # (2,0): 5+6+9+10+13+14 = 57; (2,2): 6+7+8+10+11+12+14+15+16 = 99.
    np.testing.assert_array_equal(same_2[0, :, :, 0], [[14, 30], [57, 99]])
    # That is the stride-1 result subsampled; TF's own "SAME" at stride 2 pads only after
    # an even input and centres on 1 and 3: (1,1) = 1+2+3+5+6+7+9+10+11 = 54.
    np.testing.assert_array_equal(same_2, same_1[:, ::2, ::2, :])
    assert plain_2[0, 0, 0, 0] == 54


@pytest.mark.parametrize("output_stride", [1, 2, 4])
def test_atrous_blocks_equal_the_nominal_net_subsampled(graph, run, output_stride):
    # The dense output, subsampled to the nominal stride (8 here), equals the nominal
    # output computed with the same weights (TF-Slim's resnet_utils test, made small).
    tf.set_random_seed(0)
    images = tf.constant(np.random.RandomState(0).rand(2, 17, 17, 2).astype(np.float32))
    blocks = _tiny_blocks("v1")
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        with slim.arg_scope([slim.batch_norm], is_training=False):
            with tf.variable_scope("net"):
                dense = resnet_utils.stack_blocks_dense(images, blocks, output_stride)
            dense = resnet_utils.subsample(dense, 8 // output_stride)
            with tf.variable_scope("net", reuse=True):
                nominal = resnet_utils.stack_blocks_dense(images, blocks)
    assert dense.shape.as_list() == nominal.shape.as_list() == [2, 3, 3, 32]
    dense, nominal = run([dense, nominal])
    np.testing.assert_allclose(dense, nominal, rtol=1e-4, atol=1e-4)


# The factory.


def test_factory_builds_in_the_nets_arg_scope(graph):
    network_fn = nets_factory.get_network_fn("lenet", 10, weight_decay=0.01, is_training=True)
    assert network_fn.default_image_size == 28
    assert network_fn.__name__ == "lenet"
    logits, end_points = network_fn(tf.zeros([3, 28, 28, 1]), dropout_keep_prob=0.8)
    assert logits.shape.as_list() == [3, 10]
    assert len(tf.losses.get_regularization_losses()) == 4
    # is_training=True makes dropout random: a multiply by a keep mask is in the graph.
    assert end_points["dropout3"].op.type != "Identity"


def test_factory_passes_net_options_through(graph):
    network_fn = nets_factory.get_network_fn("vgg_a", 6)
    logits, _ = network_fn(tf.zeros([1, 224, 224, 3]), spatial_squeeze=False)
    assert logits.shape.as_list() == [1, 1, 1, 6]
    # weight_decay=0 (the factory default) adds no regularization losses.
    assert tf.losses.get_regularization_losses() == []


def test_factory_knows_every_reference_net_and_the_small_ones():
    assert set(nets_factory.networks_map) == set(REFERENCE) | {"lenet", "cifarnet"}
    assert set(nets_factory.arg_scopes_map) == set(nets_factory.networks_map)
    assert nets_factory.network_names == sorted(nets_factory.networks_map)
    assert slim_nets().get_network_fn is nets_factory.get_network_fn
    assert slim_nets().networks_map is nets_factory.networks_map


def slim_nets():
    return importlib.import_module("slimlib.nets")


@pytest.mark.parametrize(
    "name, exc, match",
    [
        ("vgg16", ValueError, r"`name` must be one of \[.*'vgg_16'.*\], got 'vgg16'\. Did you mean 'vgg_16'\?"),
        ("resnet_v3_50", ValueError, "Did you mean 'resnet_v(1|2)_50'"),
        (16, TypeError, "`name` must be one of .* got 16"),
    ],
    ids=["typo", "unknown-version", "not-a-string"],
)  # fmt: skip
def test_factory_rejects_unknown_names(name, exc, match):
    with pytest.raises(exc, match=match):
        nets_factory.get_network_fn(name, 10)


# Docstring examples.

_MODULES = ["alexnet", "overfeat", "vgg", "lenet", "cifarnet", "resnet_v1", "resnet_v2",
            "nets_factory"]  # fmt: skip


@pytest.mark.parametrize("module_name", _MODULES)
def test_module_examples_run(module_name):
    module = importlib.import_module(f"slimlib.nets.{module_name}")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(recurse=False).find(module, module_name, globs={}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
