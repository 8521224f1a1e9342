"""Inception v1, v2 and v3: options, shapes and errors, on graphs built but never run.

Variable names, shapes and end points at the default sizes are checked against
TF-Slim in `test_nets_reference.py`; here each option is built once, at the smallest
input that shows it. Golden shapes follow from the layer tables: v1 and v2 are
"SAME" throughout (a side of n leaves ceil(n / 32) after the last block); v3's
"VALID" stem and reductions take 75 -> 37 -> 35 -> 17 -> 15 -> 7 (Mixed_5x) ->
3 (Mixed_6x) -> 1 (Mixed_7x).
"""

from __future__ import annotations

import doctest
import importlib

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib.nets import inception, inception_utils, inception_v2, inception_v3, nets_factory
from tests.slimlib.nets._reference import REFERENCE

SCOPES = {"v1": "InceptionV1", "v2": "InceptionV2", "v3": "InceptionV3"}


def _net(version: str, images, **kwargs):
    net_fn = getattr(inception, f"inception_{version}")
    with slim.arg_scope(inception.inception_arg_scope()):
        return net_fn(images, **kwargs)


def _base(version: str, images, **kwargs):
    base_fn = getattr(inception, f"inception_{version}_base")
    with slim.arg_scope(inception.inception_arg_scope()):
        return base_fn(images, **kwargs)


def _variable_names():
    return [v.op.name for v in tf.global_variables()]


def _channels(end_points):
    return {name: tensor.shape.as_list()[-1] for name, tensor in end_points.items()}


# The classifiers.


@pytest.mark.parametrize(
    "version, size, last, features, aux",
    [
        ("v1", 256, "Mixed_5c", [2, 8, 8, 1024], None),  # 256 / 32 = 8
        ("v2", 320, "Mixed_5c", [2, 10, 10, 1024], None),  # 320 / 32 = 10
        # 107 -> 53 -> 51 -> 25 -> 23 -> 11 -> 5 -> 2: the smallest input whose Mixed_6e
        # (5x5) fits the auxiliary head's 5x5 average pool.
        ("v3", 107, "Mixed_7c", [2, 2, 2, 2048], [2, 5]),
    ],
    ids=["v1", "v2", "v3"],
)
def test_global_pool_classifies_a_non_default_size(graph, version, size, last, features, aux):
    logits, end_points = _net(
        version, tf.zeros([2, size, size, 3]), num_classes=5, is_training=False, global_pool=True
    )
    assert end_points[last].shape.as_list() == features
    assert end_points["global_pool"].shape.as_list() == [2, 1, 1, features[-1]]
    assert logits.shape.as_list() == [2, 5]
    assert end_points["Logits"] is logits
    names = list(end_points)
    assert names[-2:] == ["Logits", "Predictions"]
    assert names[names.index(last) + (2 if aux else 1)] == "global_pool"
    if aux:
        assert end_points["AuxLogits"].shape.as_list() == aux
        # The pool leaves 1x1, so the 5x5 convolution shrinks to fit (and TF-Slim
        # names it after the kernel it got).
        assert "InceptionV3/AuxLogits/Conv2d_2a_1x1/weights" in _variable_names()


@pytest.mark.parametrize(
    "version, size, num_classes, features",
    [
        ("v1", 224, None, [2, 1, 1, 1024]),
        ("v2", 224, 0, [2, 1, 1, 1024]),
        ("v3", 75, 0, [2, 1, 1, 2048]),
    ],
    ids=["v1-none", "v2-zero", "v3-zero"],
)
def test_without_classes_returns_the_pooled_features(graph, version, size, num_classes, features):
    net, end_points = _net(
        version, tf.zeros([2, size, size, 3]), num_classes=num_classes, is_training=False
    )
    assert net.shape.as_list() == features
    assert not {"AuxLogits", "PreLogits", "Logits", "Predictions"} & set(end_points)
    # No logits (nor auxiliary head, which needs classes) and no dropout.
    scope = SCOPES[version]
    assert not [n for n in _variable_names() if n.startswith((f"{scope}/Logits", f"{scope}/Aux"))]
    assert not [op for op in graph.get_operations() if "Dropout" in op.name]


def test_v3_without_aux_logits_has_no_aux_variables(graph):
    # spatial_squeeze=False rides along: the logits keep their 1x1 map.
    logits, end_points = _net(
        "v3",
        tf.zeros([2, 75, 75, 3]),
        num_classes=7,
        create_aux_logits=False,
        is_training=False,
        spatial_squeeze=False,
    )
    assert logits.shape.as_list() == [2, 1, 1, 7]
    assert "AuxLogits" not in end_points
    assert list(end_points)[-4:] == ["Mixed_7c", "PreLogits", "Logits", "Predictions"]
    names = _variable_names()
    assert not [n for n in names if "AuxLogits" in n]
    # The auxiliary head holds 10 of TF-Slim's variables: two conv + batch norm layers
    # (weights, beta, moving mean and variance) and the 1x1 logits (weights, biases).
    assert len(names) == REFERENCE["inception_v3"]["num_global"] - 10


# The bases.


@pytest.mark.parametrize(
    "version, size, final_endpoint, shape, built",
    [
        ("v1", 224, "MaxPool_3a_3x3", [2, 28, 28, 192], 5),
        ("v2", 224, "Mixed_3b", [2, 28, 28, 256], 6),
        ("v3", 75, "Mixed_5b", [2, 7, 7, 256], 8),
    ],
    ids=["v1", "v2", "v3"],
)
def test_base_stops_at_final_endpoint(graph, version, size, final_endpoint, shape, built):
    net, end_points = _base(version, tf.zeros([2, size, size, 3]), final_endpoint=final_endpoint)
    assert net.shape.as_list() == shape
    assert list(end_points)[-1] == final_endpoint and len(end_points) == built
    assert end_points[final_endpoint] is net
    # Every variable belongs to an end point that was built.
    assert {n.split("/")[1] for n in _variable_names()} <= set(end_points)


@pytest.mark.parametrize(
    "version, size, final_endpoint, weights, half_shape",
    [
        ("v2", 224, "Mixed_3b", "Mixed_3b/Branch_2/Conv2d_0b_3x3/weights", [3, 3, 32, 48]),
        ("v3", 75, "Mixed_5b", "Mixed_5b/Branch_1/Conv2d_0b_5x5/weights", [5, 5, 24, 32]),
    ],
    ids=["v2", "v3"],
)
def test_depth_multiplier_halves_every_depth(
    graph, version, size, final_endpoint, weights, half_shape
):
    images = tf.zeros([1, size, size, 3])
    _, full = _base(version, images, final_endpoint=final_endpoint, scope="full")
    _, half = _base(
        version, images, final_endpoint=final_endpoint, depth_multiplier=0.5, scope="half"
    )
    # Every depth of these layers is >= 32, so halving stays above min_depth (16).
    assert _channels(half) == {name: depth // 2 for name, depth in _channels(full).items()}
    assert _channels(half)[final_endpoint] == 128  # (64 + 64 + 96 + 32) / 2
    shapes = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes[f"half/{weights}"] == half_shape
    assert shapes[f"full/{weights}"] == half_shape[:2] + [2 * d for d in half_shape[2:]]


def test_min_depth_floors_thin_layers(graph):
    _, end_points = _base(
        "v3", tf.zeros([1, 75, 75, 3]), final_endpoint="Conv2d_2b_3x3", depth_multiplier=0.1
    )
    # int(32 * 0.1) = 3 and int(64 * 0.1) = 6 are raised to min_depth.
    assert _channels(end_points) == {"Conv2d_1a_3x3": 16, "Conv2d_2a_3x3": 16, "Conv2d_2b_3x3": 16}


def test_v2_separable_first_layer_keeps_the_depthwise_multiplier_small(graph):
    _base("v2", tf.zeros([1, 224, 224, 3]), final_endpoint="Conv2d_1a_7x7", depth_multiplier=0.5)
    # depth(64) = 32 output channels; min(int(32 / 3), 8) = 8 filters per input channel.
    assert {v.op.name: v.shape.as_list() for v in tf.global_variables()} == {
        "InceptionV2/Conv2d_1a_7x7/depthwise_weights": [7, 7, 3, 8],
        "InceptionV2/Conv2d_1a_7x7/pointwise_weights": [1, 1, 24, 32],
        "InceptionV2/Conv2d_1a_7x7/biases": [32],
    }


def test_v2_plain_first_layer_is_batch_normalized(graph):
    net, _ = _base(
        "v2", tf.zeros([1, 224, 224, 3]), final_endpoint="Conv2d_1a_7x7", use_separable_conv=False
    )
    assert net.shape.as_list() == [1, 112, 112, 64]
    assert _variable_names() == [
        "InceptionV2/Conv2d_1a_7x7/weights",
        "InceptionV2/Conv2d_1a_7x7/BatchNorm/beta",
        "InceptionV2/Conv2d_1a_7x7/BatchNorm/moving_mean",
        "InceptionV2/Conv2d_1a_7x7/BatchNorm/moving_variance",
    ]


def test_v2_without_root_block_starts_at_mixed_3b(graph):
    net, end_points = _base(
        "v2", tf.zeros([1, 28, 28, 192]), final_endpoint="Mixed_3b", include_root_block=False
    )
    assert list(end_points) == ["Mixed_3b"]
    assert net.shape.as_list() == [1, 28, 28, 256]
    assert _variable_names()[0] == "InceptionV2/Mixed_3b/Branch_0/Conv2d_0a_1x1/weights"


def test_v2_nchw_concatenates_and_normalizes_channels(graph):
    net, end_points = _base(
        "v2",
        tf.zeros([1, 3, 64, 64]),
        final_endpoint="Mixed_3b",
        use_separable_conv=False,
        data_format="NCHW",
    )
    assert net.shape.as_list() == [1, 256, 8, 8]
    shapes = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes["InceptionV2/Conv2d_2c_3x3/BatchNorm/beta"] == [192]


# The arg_scope and the factory.


def test_arg_scope_without_batch_norm_gives_biases_and_decay(graph):
    with slim.arg_scope(
        inception.inception_arg_scope(use_batch_norm=False, batch_norm_var_collection=None)
    ):
        inception.inception_v1_base(tf.zeros([1, 32, 32, 3]), final_endpoint="Conv2d_1a_7x7")
    assert _variable_names() == [
        "InceptionV1/Conv2d_1a_7x7/weights",
        "InceptionV1/Conv2d_1a_7x7/biases",
    ]
    assert len(tf.losses.get_regularization_losses()) == 1
    assert tf.get_collection("moving_vars") == []


def test_arg_scope_puts_moving_statistics_in_moving_vars(graph):
    with slim.arg_scope(inception.inception_arg_scope(batch_norm_scale=True)):
        inception.inception_v1_base(tf.zeros([1, 32, 32, 3]), final_endpoint="Conv2d_1a_7x7")
    suffixes = [v.op.name.split("/")[-1] for v in tf.get_collection("moving_vars")]
    assert suffixes == ["moving_mean", "moving_variance"]
    assert "InceptionV1/Conv2d_1a_7x7/BatchNorm/gamma" in _variable_names()


def test_names_sizes_and_factory_entries():
    assert inception.inception_v1_arg_scope is inception_utils.inception_arg_scope
    assert inception.inception_v2_arg_scope is inception_utils.inception_arg_scope
    assert inception.inception_v3_arg_scope is inception_utils.inception_arg_scope
    sizes = {f"inception_{v}": 224 for v in ("v1", "v2")} | {"inception_v3": 299}
    for name, size in sizes.items():
        assert nets_factory.networks_map[name] is getattr(inception, name)
        assert nets_factory.get_network_fn(name, 10).default_image_size == size


def test_reduced_kernel_size_fits_small_maps(graph):
    reduce = inception_v2._reduced_kernel_size_for_small_input
    assert reduce(tf.zeros([1, 3, 9, 5]), [7, 7]) == [3, 7]
    # An unknown size keeps the kernel (the net's default input is assumed).
    unknown = tf.placeholder(tf.float32, [None, None, None, 5])
    assert inception_v3._reduced_kernel_size_for_small_input(unknown, [8, 8]) == [8, 8]


# Errors.


@pytest.mark.parametrize(
    "fn_name, value, exc, match",
    [
        ("inception_v2", 0, ValueError, r"inception_v2: `depth_multiplier` must be > 0, got 0\."),
        ("inception_v2_base", -0.5, ValueError, r"inception_v2_base: .* must be > 0, got -0\.5"),
        ("inception_v3", 0.0, ValueError, r"inception_v3: .* must be > 0, got 0\.0"),
        ("inception_v3_base", "1", TypeError, r"must be a number > 0, got '1' \(str\)"),
    ],
    ids=["v2-zero", "v2-base-negative", "v3-zero", "v3-base-string"],
)
def test_rejects_bad_depth_multiplier(graph, fn_name, value, exc, match):
    with pytest.raises(exc, match=match):
        getattr(inception, fn_name)(tf.zeros([1, 224, 224, 3]), depth_multiplier=value)
    assert tf.global_variables() == []


@pytest.mark.parametrize(
    "fn_name, kwargs, exc, match",
    [
        ("inception_v1_base", {"final_endpoint": "Mixed_6a"}, ValueError,
         r"inception_v1_base: `final_endpoint` must be one of \['Conv2d_1a_7x7', .*"
         r"'Mixed_5c'\], got 'Mixed_6a'\."),
        ("inception_v3_base", {"final_endpoint": "mixed_7c"}, ValueError,
         r"got 'mixed_7c'\. Did you mean 'Mixed_7c'\?"),
        ("inception_v2_base", {"final_endpoint": "Conv2d_2c_3x3", "include_root_block": False},
         ValueError, r"must be one of \['Mixed_3b', .*\], got 'Conv2d_2c_3x3'"),
        ("inception_v1_base", {"final_endpoint": 5}, TypeError,
         r"`final_endpoint` must be one of .* got 5\."),
    ],
    ids=["v1-unknown", "v3-case", "v2-no-root", "not-a-string"],
)  # fmt: skip
def test_rejects_unknown_final_endpoint(graph, fn_name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(inception, fn_name)(tf.zeros([1, 224, 224, 3]), **kwargs)
    assert tf.global_variables() == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"data_format": "NCHW"}, r"`data_format` 'NCHW' needs `use_separable_conv=False`"),
        ({"data_format": "NCWH"}, r"`data_format` must be one of \['NHWC', 'NCHW'\], got 'NCWH'"),
    ],
    ids=["nchw-separable", "unknown"],
)
def test_v2_rejects_bad_data_format(graph, kwargs, match):
    with pytest.raises(ValueError, match=match):
        inception.inception_v2_base(tf.zeros([1, 3, 224, 224]), **kwargs)


# Docstring examples.

_MODULES = ["inception", "inception_utils", "inception_v1", "inception_v2", "inception_v3"]


@pytest.mark.parametrize("module_name", _MODULES)
def test_module_examples_run(module_name):
    module = importlib.import_module(f"slimlib.nets.{module_name}")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(recurse=False).find(module, module_name, globs={}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
