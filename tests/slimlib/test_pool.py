"""Pooling layers: avg/max pool in 2-D and 3-D, both data formats, scopes and errors."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

# A 4x4 image with values 0..15, one channel: the 2x2 windows are easy to check by hand.
IMAGE = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
MAX_2X2 = [[5.0, 7.0], [13.0, 15.0]]
AVG_2X2 = [[2.5, 4.5], [10.5, 12.5]]


@pytest.mark.parametrize(
    "layer, expected", [("max_pool2d", MAX_2X2), ("avg_pool2d", AVG_2X2)], ids=["max", "avg"]
)
def test_pool2d_golden(graph, run, layer, expected):
    out = getattr(slim, layer)(tf.constant(IMAGE), [2, 2])
    assert out.shape.as_list() == [1, 2, 2, 1]
    np.testing.assert_allclose(run(out)[0, :, :, 0], expected)


@pytest.mark.parametrize(
    "layer, expected", [("max_pool2d", MAX_2X2), ("avg_pool2d", AVG_2X2)], ids=["max", "avg"]
)
def test_pool2d_nchw(graph, run, layer, expected):
    image = np.concatenate([IMAGE, 2 * IMAGE], axis=3).transpose(0, 3, 1, 2)  # [1, 2, 4, 4]
    out = getattr(slim, layer)(tf.constant(image), 2, data_format="NCHW")
    assert out.shape.as_list() == [1, 2, 2, 2]
    value = run(out)
    np.testing.assert_allclose(value[0, 0], expected)
    np.testing.assert_allclose(value[0, 1], 2 * np.array(expected))


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"kernel_size": 3, "stride": 2, "padding": "SAME"}, [1, 3, 3, 1]),
        ({"kernel_size": 3, "stride": 2, "padding": "same"}, [1, 3, 3, 1]),
        ({"kernel_size": 3, "stride": 2}, [1, 2, 2, 1]),
        ({"kernel_size": [1, 5], "stride": [1, 1]}, [1, 5, 1, 1]),
    ],
    ids=["same", "same-lower-case", "valid", "rectangular"],
)
def test_pool2d_shapes(graph, kwargs, shape):
    assert slim.max_pool2d(tf.ones([1, 5, 5, 1]), **kwargs).shape.as_list() == shape


def test_pool2d_unknown_batch(graph, run):
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    out = slim.avg_pool2d(x, 2)
    assert out.shape.as_list() == [None, 2, 2, 1]
    assert run(out, {x: np.concatenate([IMAGE] * 3)}).shape == (3, 2, 2, 1)


@pytest.mark.parametrize(
    "layer, expected", [("max_pool3d", 7.0), ("avg_pool3d", 3.5)], ids=["max", "avg"]
)
@pytest.mark.parametrize("data_format", ["NDHWC", "NCDHW"])
def test_pool3d_golden(graph, run, layer, expected, data_format):
    shape = (1, 2, 2, 2, 1) if data_format == "NDHWC" else (1, 1, 2, 2, 2)
    cube = np.arange(8, dtype=np.float32).reshape(shape)
    out = getattr(slim, layer)(tf.constant(cube), [2, 2, 2], data_format=data_format)
    assert out.shape.as_list() == [1, 1, 1, 1, 1]
    assert run(out).item() == pytest.approx(expected)


def test_pool3d_ncdhw_shape(graph):
    out = slim.max_pool3d(tf.ones([2, 3, 4, 6, 8]), [2, 2, 2], data_format="NCDHW")
    assert out.shape.as_list() == [2, 3, 2, 3, 4]


@pytest.mark.parametrize(
    "layer, default",
    [
        ("avg_pool2d", "AvgPool2D"),
        ("max_pool2d", "MaxPool2D"),
        ("avg_pool3d", "AvgPool3D"),
        ("max_pool3d", "MaxPool3D"),
    ],
)
def test_pool_default_scopes_and_alias(graph, layer, default):
    shape = [1, 4, 4, 1] if layer.endswith("2d") else [1, 4, 4, 4, 1]
    pool = getattr(slim, layer)
    a = pool(tf.ones(shape), 2, outputs_collections="ends")
    b = pool(tf.ones(shape), 2, outputs_collections="ends")
    assert a.op.name.startswith(default + "/") and b.op.name.startswith(default + "_1/")
    assert list(slim.utils.convert_collection_to_dict("ends")) == [default, default + "_1"]


def test_pool_named_scope_inside_a_net(graph):
    with tf.variable_scope("vgg"):
        out = slim.max_pool2d(tf.ones([1, 4, 4, 1]), [2, 2], scope="pool1", outputs_collections="e")
    assert out.op.name == "vgg/pool1/MaxPool"
    assert slim.utils.convert_collection_to_dict("e") == {"vgg/pool1": out}
    assert tf.global_variables() == []


def test_pool_under_arg_scope(graph):
    with slim.arg_scope([slim.max_pool2d], padding="SAME", stride=1):
        out = slim.max_pool2d(tf.ones([1, 5, 5, 1]), 3)
    assert out.shape.as_list() == [1, 5, 5, 1]


def test_pool_trace_flops(graph):
    with slim.trace_layers() as trace:
        slim.max_pool2d(tf.ones([1, 4, 4, 3]), 2, scope="pool")
    (record,) = trace.records
    assert (record.op, record.scope, record.params) == ("max_pool2d", "pool", 0)
    assert record.flops == 2 * 2 * 3 * 4  # Output elements times the window area.


@pytest.mark.parametrize(
    "layer, shape, kwargs, exc, match",
    [
        ("max_pool2d", [1, 4, 4, 1], {"kernel_size": [2, 2, 2]}, ValueError, r"\(length 3\)"),
        ("max_pool2d", [1, 4, 4, 1], {"kernel_size": 0}, ValueError, "`kernel_size` must be"),
        ("avg_pool2d", [1, 4, 4, 1], {"kernel_size": 2.0}, TypeError, "`kernel_size` must be"),
        ("avg_pool2d", [1, 4, 4, 1], {"kernel_size": 2, "stride": [1]}, ValueError, "`stride`"),
        (
            "max_pool2d",
            [1, 4, 4, 1],
            {"kernel_size": 2, "padding": "SAM"},
            ValueError,
            "`padding` must be one of.*Did you mean 'SAME'",
        ),
        (
            "max_pool2d",
            [1, 4, 4, 1],
            {"kernel_size": 2, "data_format": "NDHWC"},
            ValueError,
            "`data_format` must be one of",
        ),
        (
            "max_pool2d",
            [4, 4, 1],
            {"kernel_size": 2},
            ValueError,
            r"`inputs` must have rank 4, got shape \(4, 4, 1\)",
        ),
        (
            "avg_pool3d",
            [1, 4, 4, 1],
            {"kernel_size": 2},
            ValueError,
            r"`inputs` must have rank 5, got shape \(1, 4, 4, 1\)",
        ),
    ],
    ids=[
        "kernel-length",
        "kernel-zero",
        "kernel-float",
        "stride-length",
        "padding",
        "data-format",
        "rank-2d",
        "rank-3d",
    ],
)
def test_pool_rejects(graph, layer, shape, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(slim, layer)(tf.ones(shape), **kwargs)


@pytest.mark.parametrize("layer", ["avg_pool2d", "max_pool2d"])
def test_eager_call_raises(layer):
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        getattr(slim, layer)(tf.ones([1, 4, 4, 1]), 2)


@pytest.mark.parametrize(
    "pool, shape", [(slim.avg_pool2d, [2, 3, 4, 2]), (slim.max_pool3d, [1, 2, 3, 2, 2])]
)
def test_pool_takes_a_tensor_shape_as_kernel_size(graph, run, pool, shape):
    # TF-Slim's global-pooling idiom: `pool(x, x.shape[1:-1])`.
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    inputs = tf.constant(x)
    out = pool(inputs, inputs.shape[1:-1], stride=1)
    axes = tuple(range(1, len(shape) - 1))
    ref = (
        x.mean(axis=axes, keepdims=True)
        if pool is slim.avg_pool2d
        else x.max(axis=axes, keepdims=True)
    )
    np.testing.assert_allclose(run(out), ref)
