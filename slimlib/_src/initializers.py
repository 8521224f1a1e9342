"""Weight initializers with TF-Slim's formulas (`xavier_initializer`, `variance_scaling_...`)."""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from slimlib._src import _checks

# TF-Slim's truncated normal keeps values within 2 stddev; 1.3 restores the variance the
# truncation removes (https://arxiv.org/abs/1502.01852 scaling, as in TF-Slim).
_TRUNCATION_CORRECTION = 1.3
_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def _fans(shape) -> tuple[float, float]:
    shape = [int(d) for d in shape]
    if not shape:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


def variance_scaling_initializer(
    factor: float = 2.0, mode: str = "FAN_IN", uniform: bool = False, seed=None, dtype=tf.float32
):
    """He-style initializer: variance `factor / n`, n the fan in, out or their average.

    Returns:
      An initializer `fn(shape, dtype=None, partition_info=None) -> Tensor`.

    Raises:
      TypeError: If `dtype` is not floating point.
      ValueError: If `mode` is not one of FAN_IN, FAN_OUT, FAN_AVG.
    """
    fn = "variance_scaling_initializer"
    if not tf.as_dtype(dtype).is_floating:
        raise TypeError(
            f"{fn}: Cannot create initializer for non-floating point type. `dtype` must be "
            f"a floating point type, got {dtype!r}."
        )
    mode = _checks.check_choice(fn, "mode", mode, _MODES)
    default_dtype = tf.as_dtype(dtype)

    def initializer(shape, dtype=dtype, partition_info=None):
        dtype = tf.as_dtype(dtype or default_dtype)
        if not dtype.is_floating:
            raise TypeError(
                f"{fn}: Cannot create initializer for non-floating point type. `dtype` must be "
                f"a floating point type, got {dtype!r}."
            )
        fan_in, fan_out = _fans(shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return tf.random.uniform(shape, -limit, limit, dtype, seed=seed)
        stddev = math.sqrt(_TRUNCATION_CORRECTION * factor / n)
        return tf.random.truncated_normal(shape, 0.0, stddev, dtype, seed=seed)

    return initializer


def xavier_initializer(uniform: bool = True, seed=None, dtype=tf.float32):
    """Glorot initializer: variance `2 / (fan_in + fan_out)` (uniform by default)."""
    return variance_scaling_initializer(
        factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed, dtype=dtype
    )


xavier_initializer_conv2d = xavier_initializer
