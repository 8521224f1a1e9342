"""`maxout`: the maximum over groups of features (Goodfellow et al., https://arxiv.org/abs/1302.4389)."""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks, trace

v1 = tf.compat.v1

__all__ = ["maxout"]


def maxout(inputs: tf.Tensor, num_units: int, axis: int = -1, scope: str | None = None):
    """Splits axis `axis` (size `C`) into `num_units` groups of `C // num_units` and keeps each max.

    Output feature `u` is the maximum of input features `u * k ... u * k + k - 1`,
    `k = C // num_units`.

    Args:
      inputs: Tensor of known rank with a static size on `axis`.
      num_units: Features left on `axis`, int >= 1 dividing its size.
      axis: The feature axis; default -1 (last).
      scope: Variable scope; default `"MaxOut"`.

    Returns:
      Tensor like `inputs` with `num_units` on `axis`.

    Raises:
      TypeError: If `num_units` is not an int.
      ValueError: If `num_units < 1`, the rank or the size on `axis` is unknown, or
        that size is not a multiple of `num_units`.
      RuntimeError: When called eagerly.
    """
    fn = "maxout"
    num_units = _checks.check_positive_int(fn, "num_units", num_units)
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "MaxOut", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(f"{fn}: `inputs` must have a known rank, got shape <unknown>.")
        if not -rank <= axis < rank:
            raise ValueError(f"{fn}: `axis` must be in [{-rank}, {rank}), got {axis}.")
        axis %= rank
        features = _checks.check_known_dim(fn, "inputs", inputs, axis)
        if features % num_units:
            # "number of features" is TF-Slim's wording; code may match on it.
            raise ValueError(
                f"{fn}: the number of features ({features}) on axis {axis} must be a multiple "
                f"of `num_units`, got num_units={num_units}."
            )
        dynamic = tf.shape(inputs)
        shape = [dynamic[i] if d is None else d for i, d in enumerate(inputs.shape.as_list())]
        shape[axis] = num_units
        grouped = tf.reshape(inputs, tf.stack([*shape, features // num_units]))
        outputs = tf.reduce_max(grouped, -1)
        static = inputs.shape.as_list()
        static[axis] = num_units
        outputs.set_shape(static)
        trace.annotate(scope=sc.name)
        return outputs
