"""Issue 13 item 5: the diagnostic behind the order-count hypothesis (benchmarks/order_dispersion.py)
recovers a planted Var = a + b/n, and finds no slope when none is planted."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.order_dispersion import fit_variance_by_count


def _planted(a: float, b: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """20,000 residuals r ~ N(0, a + b/n) with order counts n = 1 + Poisson(4)."""
    rng = np.random.default_rng(seed)
    n = 1 + rng.poisson(4.0, 20_000)
    return rng.normal(0.0, np.sqrt(a + b / n)), n


def test_recovers_a_planted_count_effect():
    # Var(r²) = 2σ⁴ ≤ 2·(0.3 + 2)² ≈ 10.6 per residual, so over 20,000 draws the fitted a and b
    # have standard errors ≈ 0.04 and 0.15 (the fit's own s.e.); 4 s.e. tolerances
    fit = fit_variance_by_count(*_planted(0.3, 2.0, seed=13))
    assert fit.a == pytest.approx(0.3, abs=4 * fit.a_se) and fit.a_se < 0.06
    assert fit.b == pytest.approx(2.0, abs=4 * fit.b_se) and fit.b_se < 0.2
    assert fit.b_p < 1e-6


def test_finds_no_count_effect_where_none_is_planted():
    fit = fit_variance_by_count(*_planted(2.5, 0.0, seed=14))
    assert fit.a == pytest.approx(2.5, abs=4 * fit.a_se)
    assert abs(fit.b) < 4 * fit.b_se


def test_hand_computed_fit():
    # two counts, residuals ±1 at n = 1 and ±0.5 at n = 4: r² = 1 and 0.25 at 1/n = 1 and 0.25,
    # so a + b = 1 and a + b/4 = 0.25: b = 1, a = 0
    fit = fit_variance_by_count(np.array([1.0, -1.0, 0.5, -0.5]), np.array([1, 1, 4, 4]))
    assert fit.a == pytest.approx(0.0, abs=1e-12) and fit.b == pytest.approx(1.0, rel=1e-12)
