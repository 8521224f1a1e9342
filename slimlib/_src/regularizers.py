"""Weight regularizers: functions `fn(weights) -> scalar loss` for `weights_regularizer`."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1

Regularizer = Callable[[tf.Tensor], "tf.Tensor | None"]


def _check_scale(fn: str, scale: object, name: str = "scale") -> float | tf.Tensor:
    """A float >= 0 as a float; a tensor (TF-Slim accepts those) is returned unchecked.

    An int is refused with ValueError, as TF-Slim refuses it: `l2_regularizer(1)` is more
    often a typo for `1e-4` than a weight decay of one.
    """
    if isinstance(scale, (tf.Tensor, tf.Variable)):
        return scale
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Real):
        raise TypeError(f"{fn}: `{name}` must be a float >= 0, got {scale!r}.")
    if not scale >= 0:  # Also rejects NaN.
        raise ValueError(f"{fn}: `{name}` must be >= 0, got {scale!r}.")
    if isinstance(scale, numbers.Integral):
        raise ValueError(
            f"{fn}: `{name}` must be a float >= 0, got the int {scale!r}; scale cannot be an "
            f"integer (write {float(scale)!r})."
        )
    return float(scale)


def _is_zero(scale: float | tf.Tensor) -> bool:
    return isinstance(scale, float) and scale == 0.0


def l1_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Returns `fn(w) = scale * sum(|w|)`; a zero scale returns a function giving None.

    Raises:
      TypeError: If `scale` is not a number.
      ValueError: If `scale` is an int or < 0.
    """
    scale = _check_scale("l1_regularizer", scale)
    if _is_zero(scale):
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
      ValueError: If `scale` is an int or < 0.
    """
    scale = _check_scale("l2_regularizer", scale)
    if _is_zero(scale):
        return lambda _: None

    def l2(weights: tf.Tensor) -> tf.Tensor:
        with tf.name_scope(scope or "l2_regularizer") as name:
            factor = tf.cast(scale, weights.dtype.base_dtype)
            return tf.multiply(factor, tf.nn.l2_loss(weights), name=name)

    return l2


def l1_l2_regularizer(
    scale_l1: float = 1.0, scale_l2: float = 1.0, scope: str | None = None
) -> Regularizer:
    """Returns the sum of an L1 and an L2 regularizer (a zero scale drops that term).

    Raises:
      TypeError: If a scale is not a number.
      ValueError: If a scale is an int or < 0.
    """
    scale_l1 = _check_scale("l1_l2_regularizer", scale_l1, "scale_l1")
    scale_l2 = _check_scale("l1_l2_regularizer", scale_l2, "scale_l2")
    scope = scope or "l1_l2_regularizer"
    if _is_zero(scale_l1):
        return l2_regularizer(scale_l2, scope)
    if _is_zero(scale_l2):
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

    A regularizer that returns None for a weight (a zero scale) counts as 0, as in TF-Slim.
    The sum is also added to `REGULARIZATION_LOSSES`.

    Raises:
      TypeError: If `regularizer` is not callable.
      ValueError: If there are no weights, or the regularizer returns a non-scalar.
    """
    fn = "apply_regularization"
    if not callable(regularizer):
        raise TypeError(f"{fn}: `regularizer` must be callable, got {regularizer!r}.")
    if not weights_list:
        weights_list = v1.get_collection(v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError(
            f"{fn}: `weights_list` must hold at least one tensor, got none "
            "(and the WEIGHTS collection is empty)."
        )
    with tf.name_scope("get_regularization_penalty") as name:
        penalties = []
        for weights in weights_list:
            penalty = regularizer(weights)
            if penalty is None:
                penalty = tf.zeros([], dtype=weights.dtype.base_dtype)
            if penalty.shape.rank != 0:
                raise ValueError(
                    f"{fn}: `regularizer` must return a scalar, got shape {penalty.shape} "
                    f"for {weights.name}."
                )
            penalties.append(penalty)
        summed = tf.add_n(penalties, name=name)
    v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed
