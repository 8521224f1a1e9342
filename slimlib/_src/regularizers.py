"""Weight regularizers: functions `fn(weights) -> scalar loss` for `weights_regularizer`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf

v1 = tf.compat.v1

Regularizer = Callable[[tf.Tensor], "tf.Tensor | None"]


def _check_scale(fn: str, scale: object) -> float:
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError(f"{fn}: `scale` must be a number >= 0, got {scale!r}.")
    if scale < 0:
        raise ValueError(f"{fn}: `scale` must be >= 0, got {scale!r}.")
    return float(scale)


def l1_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Returns `fn(w) = scale * sum(|w|)`; a zero scale returns a function giving None.

    Raises:
      TypeError: If `scale` is not a number.
      ValueError: If `scale < 0`.
    """
    scale = _check_scale("l1_regularizer", scale)
    if scale == 0.0:
        return lambda _: None

    def l1(weights: tf.Tensor) -> tf.Tensor:
        with tf.name_scope(scope or "l1_regularizer") as name:
            factor = tf.cast(scale, weights.dtype.base_dtype)
            return tf.multiply(factor, tf.reduce_sum(tf.abs(weights)), name=name)

    return l1


def l2_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Returns `fn(w) = scale * sum(w ** 2) / 2` (`tf.nn.l2_loss`); zero scale gives None.

    Raises:
      TypeError: If `scale` is not a number.
      ValueError: If `scale < 0`.
    """
    scale = _check_scale("l2_regularizer", scale)
    if scale == 0.0:
        return lambda _: None

    def l2(weights: tf.Tensor) -> tf.Tensor:
        with tf.name_scope(scope or "l2_regularizer") as name:
            factor = tf.cast(scale, weights.dtype.base_dtype)
            return tf.multiply(factor, tf.nn.l2_loss(weights), name=name)

    return l2


def l1_l2_regularizer(
    scale_l1: float = 1.0, scale_l2: float = 1.0, scope: str | None = None
) -> Regularizer:
    """Returns the sum of an L1 and an L2 regularizer."""
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def sum_regularizer(regularizer_list: Sequence[Regularizer], scope: str | None = None):
    """Returns `fn(w)` adding the losses of every regularizer (None ones are skipped)."""
    regularizers = [r for r in regularizer_list if r is not None]
    if not regularizers:
        return None

    def total(weights: tf.Tensor) -> tf.Tensor | None:
        with tf.name_scope(scope or "sum_regularizer") as name:
            losses = [loss for loss in (r(weights) for r in regularizers) if loss is not None]
            return tf.add_n(losses, name=name) if losses else None

    return total


def apply_regularization(regularizer: Regularizer, weights_list=None) -> tf.Tensor:
    """Sums `regularizer` over `weights_list` (default: the `WEIGHTS` collection).

    The sum is also added to `REGULARIZATION_LOSSES`.

    Raises:
      ValueError: If there are no weights or the regularizer gives no loss.
    """
    if not weights_list:
        weights_list = v1.get_collection(v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError(
            "apply_regularization: `weights_list` must hold at least one tensor, got none "
            "(and the WEIGHTS collection is empty)."
        )
    with tf.name_scope("get_regularization_penalty"):
        penalties = [p for p in (regularizer(w) for w in weights_list) if p is not None]
        if not penalties:
            raise ValueError("apply_regularization: the regularizer returned no loss.")
        summed = tf.add_n(penalties)
    v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed
