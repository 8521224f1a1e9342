"""`scale_gradient`: the identity forward, a scaled gradient backward."""

from __future__ import annotations

from typing import Any

import tensorflow as tf

__all__ = ["scale_gradient"]


def scale_gradient(inputs: tf.Tensor, gradient_multiplier: Any) -> tf.Tensor:
    """Returns `inputs` unchanged; the gradient flowing back through it is multiplied.

    Useful to give part of a network its own learning rate without a second
    optimizer: `d loss / d inputs = gradient_multiplier * d loss / d output`.

    Args:
      inputs: Tensor.
      gradient_multiplier: Number or tensor broadcastable to `inputs`; 1 gives the
        true gradient. It gets no gradient itself.

    Returns:
      Tensor equal to `inputs`.
    """
    multiplier = gradient_multiplier

    @tf.custom_gradient
    def scaled(x: tf.Tensor):
        def grad(dy: tf.Tensor) -> tf.Tensor:
            return dy * tf.cast(multiplier, dy.dtype)

        return tf.identity(x), grad

    return scaled(tf.convert_to_tensor(inputs))
