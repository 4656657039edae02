"""The back-test as read by people (reporting.backtest): table rows, verdict, the page's run."""

from dataclasses import replace

import pandas as pd
import pytest

from conftest import DEMO
from portfolio.ingest import load_file
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting.backtest import (
    PANEL_PATHS,
    backtest_rows,
    panel_backtest,
    panel_reason,
    render_text,
    settings_sentence,
    verdict,
)
from simulation.backtest import Backtest, Band, Observed, Simulated, TierObserved, targets


def _result(nrr_band: Band, tier_accounts: int = 40, mode: str = "out-of-sample") -> Backtest:
    observed = Observed(
        1.0, 0.9, 0.05, {"Key": TierObserved(1.0, 0.9, tier_accounts), "Strategic": TierObserved(1.2, 1.0, 5)}
    )
    key = {"nrr": Band(0.8, 1.0, 1.2), "grr": Band(0.8, 0.9, 1.0)}
    strategic = {"nrr": Band(0.9, 1.1, 1.3), "grr": Band(0.9, 0.97, 1.0)}
    simulated = Simulated(
        nrr_band, Band(0.85, 0.91, 0.95), Band(0.02, 0.05, 0.09), {"Key": key, "Strategic": strategic}
    )
    return Backtest(mode, "why", observed, simulated, targets(observed, simulated), 1000, 7)


def test_rows_show_each_figure_with_its_band_and_result():
    rows = backtest_rows(_result(Band(0.95, 1.04, 1.10)))
    assert [r["figure"] for r in rows] == [
        "NRR",
        "GRR",
        "ARR churn",
        "Key (40 accounts) NRR",
        "Key (40 accounts) GRR",
        "Strategic (5 accounts) NRR",
        "Strategic (5 accounts) GRR",
    ]
    assert rows[0] == {
        "figure": "NRR",
        "observed": "100.0%",
        "median": "104.0%",
        "p5_p95": "95.0% – 110.0%",
        "result": "fail: median > 3 points off",
    }
    assert rows[1]["result"] == "pass" and rows[2]["p5_p95"] == "2.0% – 9.0%"
    assert rows[5]["result"] == "no target (< 30 accounts)"
    assert rows[3]["result"] == "pass"
    lines = render_text(_result(Band(0.95, 1.04, 1.10)))
    assert lines[0].startswith("Figure") and len(lines) == 8


def test_verdict_in_plain_words():
    good = _result(Band(0.95, 1.01, 1.10))
    assert good.passed and verdict(good).startswith("Yes: all 7 checks pass")
    partly = verdict(_result(Band(0.95, 1.04, 1.10)))
    assert partly.startswith("Partly: 6 of 7 checks pass") and "more than 3 points" in partly
    assert "NRR" in partly
    bad = _result(Band(1.05, 1.2, 1.3))  # observed 1.00 below P5, median 20 points off
    assert verdict(bad).startswith("Partly: 5 of 7")
    assert "outside the simulated P5–P95: NRR" in verdict(bad)
    assert "in-sample" in verdict(_result(Band(0.95, 1.01, 1.10), mode="in-sample"))


def test_settings_sentence_gives_the_monte_carlo_error():
    result = _result(Band(0.95, 1.01, 1.10))
    assert settings_sentence(result) == "1,000 simulated paths over one year (4 quarters), seed 7."
    simulated = replace(result.simulated, grr=Band(0.85, 0.91, 0.95, error=0.0123))
    assert "within ±1.2 points" in settings_sentence(replace(result, simulated=simulated))


def test_panel_reason_names_the_mode():
    assert panel_reason("snapshot").startswith("In-sample: the file is a snapshot")
    history = panel_reason("history")
    assert history.startswith("In-sample") and "portfolio backtest FILE" in history


def test_panel_backtest_on_the_demo_matches_the_retention_page():
    accounts = load_file(DEMO).accounts
    result = panel_backtest(accounts, DEFAULT_SETTINGS, "snapshot")
    # the back-test's tiers are the scorecard's on prior ARR (the Retention page's "scorecard" switch)
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "tier_basis": "scorecard"})
    assert result.paths == PANEL_PATHS and result.mode == "in-sample"
    assert result.observed.nrr == pytest.approx(analysis.retention.nrr, abs=1e-12)
    for tier, seen in result.observed.by_tier.items():
        assert seen.grr == pytest.approx(analysis.retention_by_tier[tier].grr, abs=1e-12)
    # stricter thresholds move accounts between tiers: the panel follows the what-if settings
    strict = panel_backtest(accounts, {**DEFAULT_SETTINGS, "thresholds": [60, 80]}, "snapshot")
    assert strict.observed.by_tier["Strategic"].accounts < result.observed.by_tier["Strategic"].accounts
    with pytest.raises(ValueError, match="no prior-year ARR"):
        no_prior = pd.DataFrame({"account_id": ["A"], "arr": [1.0], "arr_prior": [float("nan")]})
        panel_backtest(no_prior, DEFAULT_SETTINGS, None)
