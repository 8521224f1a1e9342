"""Initializers: TF-Slim's variance-scaling formulas checked on large samples with fixed seeds.

Uniform values lie in `[-sqrt(3 * factor / n), +sqrt(3 * factor / n)]` (standard deviation
`sqrt(factor / n)`); the truncated normal uses `stddev = sqrt(1.3 * factor / n)`, and cutting
it at 2 stddev leaves a standard deviation of `0.8796 * stddev` (~ `sqrt(factor / n)` again).
For a conv kernel `[3, 3, 16, 32]`: fan_in = 3 * 3 * 16 = 144, fan_out = 3 * 3 * 32 = 288.
"""

import math

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

# Standard deviation of a normal truncated at +-2 standard deviations, relative to the
# untruncated one: sqrt(1 - 2 * 2 * phi(2) / (2 * Phi(2) - 1)) = 0.87962566.
TRUNCATED_STD = 0.87962566


def sample(initializer, shape, dtype=tf.float32):
    return np.asarray(initializer(shape, dtype=dtype))


@pytest.mark.parametrize(
    "shape, mode, n",
    [
        ([64, 32], "FAN_IN", 64),
        ([64, 32], "FAN_OUT", 32),
        ([64, 32], "FAN_AVG", 48),
        ([3, 3, 16, 32], "FAN_IN", 144),
        ([3, 3, 16, 32], "FAN_OUT", 288),
        ([3, 3, 16, 32], "FAN_AVG", 216),
        ([2000], "FAN_IN", 2000),  # A vector counts its length as both fans.
        ([64, 32], "fan_out", 32),  # Modes are case-insensitive.
    ],
    ids=[
        "dense-in",
        "dense-out",
        "dense-avg",
        "conv-in",
        "conv-out",
        "conv-avg",
        "vector",
        "lower",
    ],
)
def test_uniform_fills_its_whole_range(shape, mode, n):
    factor = 2.0
    limit = math.sqrt(3 * factor / n)
    init = slim.variance_scaling_initializer(factor=factor, mode=mode, uniform=True, seed=1)
    values = sample(init, shape)
    assert values.shape == tuple(shape)
    assert np.abs(values).max() <= limit
    # With >= 2,000 draws the extremes come within 1% of the limits.
    assert values.max() > 0.99 * limit and values.min() < -0.99 * limit
    assert abs(values.std() - math.sqrt(factor / n)) < 0.05 * math.sqrt(factor / n)


@pytest.mark.parametrize(
    "shape, mode, factor, n",
    [
        ([200, 100], "FAN_IN", 2.0, 200),
        ([3, 3, 16, 32], "FAN_OUT", 1.0, 288),
        ([3, 3, 16, 32], "FAN_AVG", 2.0, 216),
    ],
    ids=["dense-in", "conv-out", "conv-avg"],
)
def test_truncated_normal_std(shape, mode, factor, n):
    stddev = math.sqrt(1.3 * factor / n)
    values = sample(slim.variance_scaling_initializer(factor, mode, seed=2), shape)
    assert np.abs(values).max() <= 2 * stddev
    assert abs(values.mean()) < 0.05 * stddev
    assert abs(values.std() - TRUNCATED_STD * stddev) < 0.03 * stddev
    # So the variance comes out close to factor / n, the point of the 1.3.
    assert abs(values.var() - factor / n) < 0.06 * factor / n


def test_scalar_shape_uses_fans_of_one():
    values = [
        sample(slim.variance_scaling_initializer(2.0, uniform=True, seed=s), []) for s in range(5)
    ]
    assert all(abs(v) <= math.sqrt(6.0) for v in values)


def test_xavier_is_uniform_fan_avg_with_factor_one():
    values = sample(slim.xavier_initializer(seed=3), [64, 32])
    limit = math.sqrt(3 / 48)
    assert np.abs(values).max() <= limit and values.max() > 0.99 * limit


def test_xavier_normal():
    stddev = math.sqrt(1.3 / 48)
    values = sample(slim.xavier_initializer(uniform=False, seed=4), [64, 32])
    assert np.abs(values).max() <= 2 * stddev
    assert abs(values.std() - TRUNCATED_STD * stddev) < 0.05 * stddev


def test_xavier_conv2d_is_the_same_function():
    assert slim.initializers.xavier_initializer_conv2d is slim.xavier_initializer


@pytest.mark.parametrize("dtype", [tf.float16, tf.float64], ids=["float16", "float64"])
def test_dtype_is_kept(dtype):
    init = slim.variance_scaling_initializer(dtype=dtype, seed=5)
    assert init([4, 4]).dtype == dtype
    assert init([4, 4], dtype=tf.float32).dtype == tf.float32  # The call's dtype wins.


def test_initializes_a_slim_variable(graph, run):
    weights = slim.model_variable(
        "w", [3, 3, 16, 32], initializer=slim.variance_scaling_initializer(uniform=True, seed=6)
    )
    values = run(weights)
    assert np.abs(values).max() <= math.sqrt(3 * 2.0 / 144)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"mode": "FAN_IM"},
            ValueError,
            r"`mode` must be one of \['FAN_IN', 'FAN_OUT', 'FAN_AVG'\], got 'FAN_IM'\. "
            r"Did you mean 'FAN_IN'\?",
        ),
        ({"mode": "sideways"}, ValueError, r"got 'sideways'\.$"),
        (
            {"mode": 1},
            TypeError,
            r"`mode` must be one of \['FAN_IN', 'FAN_OUT', 'FAN_AVG'\], got 1",
        ),
        ({"dtype": tf.int32}, TypeError, "`dtype` must be a floating point type, got tf.int32"),
    ],
    ids=["mode-typo", "mode-unknown", "mode-int", "int-dtype"],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        slim.variance_scaling_initializer(**kwargs)


def test_non_float_dtype_at_call_time():
    init = slim.variance_scaling_initializer()
    with pytest.raises(
        TypeError,
        match="variance_scaling_initializer: Cannot create initializer for non-floating point "
        "type. `dtype` must be a floating point type, got tf.int64",
    ):
        init([2, 2], dtype=tf.int64)


def test_xavier_rejects_non_float_dtype():
    with pytest.raises(TypeError, match="`dtype` must be a floating point type, got tf.int32"):
        slim.xavier_initializer(dtype=tf.int32)
