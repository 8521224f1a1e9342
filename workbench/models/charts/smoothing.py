"""Exponential moving average of a curve, as TensorBoard's smoothing slider draws it.

`s_t = sum_{i<=t} w^(t-i) (1 - w) y_i / (1 - w^(t+1))`: the running average is divided by
the weight its terms add up to, so the first points are not pulled towards zero and a
constant curve stays where it is. Points that are not finite numbers are left as they are
and do not enter the average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["ema"]


def ema(values: Sequence[float], weight: float) -> list[float]:
    """The debiased exponential moving average of `values` with smoothing `weight`.

    Args:
      values: The curve's y values, in x order.
      weight: How much of the average carries over per point, in [0, 1); 0 leaves the curve
        as it is, 0.99 smooths hard.

    Returns:
      The smoothed values, as many as `values`.

    Raises:
      ValueError: If `weight` is not a number in [0, 1).

    Example:
      >>> ema([1.0, 3.0], 0.5)  # (0.25 + 1.5) / 0.75
      [1.0, 2.3333333333333335]
    """
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight < 1:
        raise ValueError(f"ema: `weight` must be a number in [0, 1), got {weight!r}.")
    out = []
    average = 0.0
    count = 0
    for value in values:
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            out.append(value)
            continue
        count += 1
        average = average * weight + (1 - weight) * value
        out.append(average / (1 - weight**count))
    return out
