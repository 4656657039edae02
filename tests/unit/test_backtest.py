"""The back-test (simulation.backtest): observed figures by hand, targets, modes, a planted model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from portfolio.analysis import analyze
from portfolio.ingest import load_bytes
from portfolio.ingest.history import history_start
from simulation.backtest import (
    IN_SAMPLE,
    OUT_OF_SAMPLE,
    Band,
    Observed,
    Simulated,
    TierObserved,
    choose_mode,
    in_sample,
    observed_figures,
    out_of_sample,
    quantile_error,
    targets,
)


def test_observed_figures_by_hand():
    # A, B Strategic (B churns), C, E Key, D a new logo (excluded from the cohort)
    start = pd.Series([100.0, 100.0, 50.0, 0.0, 50.0])
    end = pd.Series([120.0, 0.0, 40.0, 500.0, 75.0])
    tier = pd.Series(["Strategic", "Strategic", "Key", "Standard", "Key"])
    o = observed_figures(start, end, tier)
    # starting 300; ending 120 + 0 + 40 + 75 = 235; kept min(e, s): 100 + 0 + 40 + 50 = 190
    assert o.nrr == pytest.approx(235 / 300, abs=1e-12)
    assert o.grr == pytest.approx(190 / 300, abs=1e-12)
    assert o.arr_churn == pytest.approx(100 / 300, abs=1e-12)
    assert set(o.by_tier) == {"Strategic", "Key"}  # Standard has only a new logo
    assert o.by_tier["Strategic"] == TierObserved(0.6, 0.5, 2)  # 120/200, 100/200
    assert o.by_tier["Key"].nrr == pytest.approx(1.15) and o.by_tier["Key"].grr == pytest.approx(0.9)
    assert o.by_tier["Key"].accounts == 2


def _observed(nrr=1.0, grr=0.9, churn=0.05, tier_accounts=40) -> Observed:
    return Observed(nrr, grr, churn, {"Key": TierObserved(1.0, 0.9, tier_accounts)})


NRR_BAND, KEY_NRR_BAND = Band(0.95, 1.02, 1.10), Band(0.8, 1.0, 1.2)


def _simulated(nrr: Band = NRR_BAND, tier_nrr: Band = KEY_NRR_BAND) -> Simulated:
    key = {"nrr": tier_nrr, "grr": Band(0.8, 0.9, 1)}
    return Simulated(nrr, Band(0.85, 0.91, 0.95), Band(0.02, 0.05, 0.09), {"Key": key})


def test_quantile_error_matches_the_asymptotic_normal_result():
    # N(0, 1), n = 20,000: 1.96·√(q(1−q)/n)/φ(x_q) = 0.0293 at q = 0.05 and 0.0173 at the median;
    # the order-statistic interval is within ±10% of that (its own sampling noise is ~5%)
    values = np.random.default_rng(3).standard_normal(20_000)
    for q, x in ((0.05, -1.6449), (0.5, 0.0)):
        density = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        expected = 1.96 * math.sqrt(q * (1 - q) / 20_000) / density
        assert quantile_error(values, q) == pytest.approx(expected, rel=0.10), q
    assert Band.of(values).error == pytest.approx(quantile_error(values, 0.05), rel=0.10)


def test_targets_pass_and_fail():
    passed = {t.name: t.passed for t in targets(_observed(), _simulated())}
    assert passed == {
        "NRR inside P5–P95": True,
        "GRR inside P5–P95": True,
        "ARR churn inside P5–P95": True,
        "NRR median within 3 points": True,  # |1.02 − 1.00| = 0.02
        "GRR median within 3 points": True,  # |0.91 − 0.90| = 0.01
        "Key NRR inside P5–P95": True,
        "Key GRR inside P5–P95": True,
    }
    # median 1.04 is 4 points off though 1.00 is inside the band; the tier's band misses 1.00
    failing = targets(_observed(), _simulated(Band(0.95, 1.04, 1.10), Band(1.01, 1.05, 1.2)))
    assert {t.name for t in failing if not t.passed} == {
        "NRR median within 3 points",
        "Key NRR inside P5–P95",
    }
    # a tier under 30 accounts has no target of its own
    assert not any(t.tier for t in targets(_observed(tier_accounts=29), _simulated()))


def test_to_dict_is_the_issue_shape():
    rng_frame = _planted(300, seed=1)
    result = in_sample(analyze(rng_frame), paths=500, seed=3, workers=1)
    d = result.to_dict()
    assert set(d) == {"mode", "reason", "observed", "simulated", "targets"}
    assert d["mode"] == IN_SAMPLE
    assert set(d["observed"]) == {"nrr", "grr", "arr_churn", "by_tier"}
    assert set(d["simulated"]) == {"nrr", "grr", "arr_churn", "by_tier"}
    for tier, figures in d["observed"]["by_tier"].items():
        assert set(figures) == {"nrr", "grr", "accounts"}
        assert set(d["simulated"]["by_tier"][tier]) == {"nrr", "grr"}
        assert set(d["simulated"]["by_tier"][tier]["nrr"]) == {"p5", "p50", "p95"}
    assert set(d["simulated"]["arr_churn"]) == {"p5", "p50", "p95"}
    assert d["targets"]["passed"] == all(c["passed"] for c in d["targets"]["checks"])


def test_modes_and_their_reasons():
    as_of = pd.Timestamp("2023-12-31")
    mode, why = choose_mode("snapshot", None, None)
    assert mode == IN_SAMPLE and "snapshot" in why
    mode, why = choose_mode("history", pd.Timestamp("2021-06-30"), as_of)
    assert mode == IN_SAMPLE and "starts 2021-06-30" in why and "36 months" in why
    mode, why = choose_mode("history", pd.Timestamp("2021-01-31"), as_of)  # monthly invoices
    assert mode == OUT_OF_SAMPLE and "year to 2022-12-31" in why


def test_no_prior_arr_is_a_clear_error():
    frame = pd.DataFrame({"account_id": ["A", "B"], "arr": [10.0, 20.0], "arr_prior": [np.nan, np.nan]})
    with pytest.raises(ValueError, match="no prior-year ARR and no revenue history"):
        in_sample(analyze(frame), paths=100)


# planted model: data generated from the model's own assumptions (tiers by prior-ARR rank,
# independent accounts, annual churn c, log growth N(d, σ²) for survivors)
PLANTED = {"Strategic": (0.04, 0.10, 0.20), "Key": (0.08, 0.05, 0.25), "Standard": (0.15, 0.0, 0.30)}


def _planted(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    prior = np.round(np.exp(rng.normal(10, 1.2, n)), 2)
    rank = pd.Series(prior).rank(pct=True).to_numpy()
    tier = np.where(rank > 0.95, "Strategic", np.where(rank > 0.80, "Key", "Standard"))
    churn, drift, vol = (np.array([PLANTED[t][k] for t in tier]) for k in range(3))
    alive = rng.random(n) >= churn
    arr = np.where(alive, prior * np.exp(drift + vol * rng.standard_normal(n)), 0.0)
    return pd.DataFrame(
        {"account_id": [f"A{i}" for i in range(n)], "arr": np.round(arr, 2), "arr_prior": prior}
    )


def test_planted_model_lands_inside_its_bands():
    frame = _planted(3000, seed=7)
    analysis = analyze(frame)
    assert (analysis.tiers.start_tier.value_counts() >= 150).all()
    result = in_sample(analysis, paths=2000, seed=11, workers=1)
    o, s = result.observed, result.simulated
    assert s.nrr.contains(o.nrr) and s.grr.contains(o.grr) and s.arr_churn.contains(o.arr_churn)
    assert abs(s.nrr.p50 - o.nrr) <= 0.03  # independent accounts: the observed NRR is a typical path's
    for tier, seen in o.by_tier.items():
        assert s.by_tier[tier]["nrr"].contains(seen.nrr), tier
        assert s.by_tier[tier]["grr"].contains(seen.grr), tier


# a revenue history: three accounts over three years to 2023-12-31 (as-of = the last line)
HISTORY = """Customer ID,Order Date,Sales
C1,2021-03-01,100
C2,2021-03-01,40
C1,2022-03-01,120
C2,2022-03-01,50
C3,2022-03-01,30
C1,2023-03-01,150
C3,2023-06-01,10
C3,2023-12-31,5
"""


def test_out_of_sample_uses_the_year_before_as_of():
    later = load_bytes(HISTORY.encode(), "h.csv")
    assert later.ok and later.as_of == pd.Timestamp("2023-12-31")
    assert history_start(later.accounts) == pd.Timestamp("2021-03-01")
    earlier = load_bytes(HISTORY.encode(), "h.csv", as_of="2022-12-31")
    result = out_of_sample(analyze(earlier.accounts), later.accounts, paths=200, seed=1, workers=1)
    # start (2021-12-31, 2022-12-31]: C1 120, C2 50, C3 30 = 200; end: C1 150, C2 0, C3 15
    o = result.observed
    assert result.mode == OUT_OF_SAMPLE
    assert o.nrr == pytest.approx(165 / 200) and o.grr == pytest.approx((120 + 0 + 15) / 200)
    assert o.arr_churn == pytest.approx(50 / 200)
    assert sum(t.accounts for t in o.by_tier.values()) == 3
    assert all(math.isfinite(b) for b in (result.simulated.nrr.p5, result.simulated.nrr.p95))
