"""`ema`: TensorBoard-style debiased smoothing, checked against NumPy and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.models.charts import ema


def _numpy_ema(values: np.ndarray, weight: float) -> np.ndarray:
    """s_t = sum_i w^(t-i) (1-w) y_i / (1 - w^(t+1)), written as matrix algebra."""
    n = len(values)
    t, i = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    weights = np.where(i <= t, (1 - weight) * weight ** (t - i).clip(0), 0.0)
    return weights @ values / (1 - weight ** (np.arange(n) + 1))


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.9, 0.99])
def test_ema_matches_numpy(weight):
    values = np.random.default_rng(0).normal(size=50).cumsum()
    np.testing.assert_allclose(ema(list(values), weight), _numpy_ema(values, weight), rtol=1e-10)


def test_ema_by_hand_and_a_constant_curve_stays_put():
    assert ema([1.0, 3.0, 3.0], 0.5) == pytest.approx([1.0, 7 / 3, 19 / 7])
    assert ema([0.01] * 5, 0.9) == pytest.approx([0.01] * 5)
    assert ema([], 0.9) == []


def test_non_finite_points_are_kept_and_left_out_of_the_average():
    out = ema([1.0, math.nan, 3.0], 0.5)
    assert out[0] == 1.0 and math.isnan(out[1]) and out[2] == pytest.approx(7 / 3)


@pytest.mark.parametrize("weight", [1.0, -0.1, "0.5", True, None])
def test_a_bad_weight_is_refused(weight):
    with pytest.raises(
        ValueError, match=rf"ema: `weight` must be a number in \[0, 1\), got {weight!r}"
    ):
        ema([1.0], weight)
