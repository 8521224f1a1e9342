"""slim.layers.normalization: instance_norm and group_norm against NumPy references."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib.layers import normalization

RNG = np.random.default_rng(3)
X = RNG.normal(1.0, 2.0, size=(2, 3, 4, 6)).astype(np.float32)


def np_group_norm(x, groups, eps=1e-6):
    n, h, w, c = x.shape
    g = x.reshape(n, h, w, groups, c // groups)
    mean = g.mean(axis=(1, 2, 4), keepdims=True)
    var = g.var(axis=(1, 2, 4), keepdims=True)
    return ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)


def test_instance_norm_is_group_norm_with_one_channel_per_group(graph, run):
    out = normalization.instance_norm(tf.constant(X))
    assert out.op.name.startswith("InstanceNorm/instancenorm")
    np.testing.assert_allclose(run(out), np_group_norm(X, 6), atol=1e-4)
    names = [v.op.name for v in slim.get_model_variables()]
    assert names == ["InstanceNorm/beta", "InstanceNorm/gamma"]


def test_instance_norm_nchw_matches_nhwc(graph, run):
    out = normalization.instance_norm(tf.constant(X.transpose(0, 3, 1, 2)), data_format="NCHW")
    np.testing.assert_allclose(run(out).transpose(0, 2, 3, 1), np_group_norm(X, 6), atol=1e-4)


@pytest.mark.parametrize("groups", [1, 2, 3])
def test_group_norm_matches_numpy(graph, run, groups):
    out = normalization.group_norm(tf.constant(X), groups=groups)
    np.testing.assert_allclose(run(out), np_group_norm(X, groups), atol=1e-4)


def test_group_norm_uses_gamma_and_beta_per_channel(graph, run):
    out = normalization.group_norm(
        tf.constant(X),
        groups=2,
        mean_close_to_zero=True,
        param_initializers={
            "gamma": tf.constant_initializer(2.0),
            "beta": tf.constant_initializer(0.5),
        },
    )
    np.testing.assert_allclose(run(out), 2.0 * np_group_norm(X, 2) + 0.5, atol=1e-4)


@pytest.mark.parametrize(
    "shape, kwargs, match",
    [
        ([2, 4, 4, 2], {"groups": 10}, "Invalid groups 10 for 2 channels"),
        ([2, 4, 4, 4], {"groups": 3}, "4 channels is not commensurate with 3 groups"),
        ([2, 4, 4, 4], {"groups": 2, "channels_axis": 5}, r"Axis is out of bounds"),
        ([2, 4, 4, 4], {"groups": 2, "reduction_axes": [-1]}, "mutually exclusive"),
        ([2, None, 4, 4], {"groups": 2}, "undefined dimensions 1"),
        (None, {}, "undefined rank"),
    ],
    ids=["too-many-groups", "not-dividing", "axis", "exclusive", "unknown-dim", "unknown-rank"],
)
def test_group_norm_rejects(graph, shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        normalization.group_norm(tf.placeholder(tf.float32, shape), **kwargs)


@pytest.mark.parametrize(
    "shape, kwargs, match",
    [
        ([2, 3, 3, None], {}, "undefined channels dimension"),
        ([2, 3, 3, 2], {"data_format": "NHCW"}, "data_format has to be either NCHW or NHWC"),
        ([2, 3, 3, 2], {"param_initializers": {"gama": None}}, "Did you mean 'gamma'"),
    ],
    ids=["channels", "format", "param-key"],
)
def test_instance_norm_rejects(graph, shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        normalization.instance_norm(tf.placeholder(tf.float32, shape), **kwargs)
