"""`poincare_normalize`: projection into the Poincaré ball of radius `1 - epsilon`.

Used by Poincaré embeddings (Nickel & Kiela, https://arxiv.org/abs/1705.08039);
see https://en.wikipedia.org/wiki/Poincare_ball_model.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1

__all__ = ["poincare_normalize"]


def poincare_normalize(
    x: tf.Tensor, axis: int | Sequence[int] = 1, epsilon: float = 1e-5, name: str | None = None
) -> tf.Tensor:
    """`x * (1 - epsilon) / ||x||` where `||x|| > 1 - epsilon`, else `x`, per slice along `axis`.

    Args:
      x: Tensor.
      axis: Axis (or axes) of the L2 norm; default 1.
      epsilon: Distance kept from the unit sphere; default 1e-5.
      name: Name scope, also the output op's name; default `"poincare_normalize"`.

    Returns:
      Tensor with the shape of `x`, every slice of norm <= `1 - epsilon`.

    Raises:
      RuntimeError: When called eagerly.
    """
    _checks.require_graph("poincare_normalize")
    with v1.name_scope(name, "poincare_normalize", [x]) as scope:
        x = tf.convert_to_tensor(x, name="x")
        squares = tf.reduce_sum(tf.square(x), axis, keepdims=True)
        scale = tf.minimum((1.0 - epsilon) * tf.math.rsqrt(squares), 1.0)
        return tf.multiply(x, scale, name=scope)
