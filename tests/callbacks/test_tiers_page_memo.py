"""A threshold move on the Tiers page scores no account again (issue 14's redraw within 250 ms
at 10,000 accounts): the default scorecard's tiers (for the movers list) and the current tiers
(for the migration matrix) depend on the data alone, and the scores on the weights and bands
alone, so they are kept with the session's data rather than scored again on every move."""

import importlib

import pandas as pd

import portfolio.tiers
from dashboard.whatif import analyze_session
from portfolio.whatif import DEFAULT_SETTINGS
from reporting.tables import tier_movers


def at(key: int, strategic: int) -> dict:
    return {**DEFAULT_SETTINGS, "thresholds": [key, strategic]}


def counting_scorecard(monkeypatch) -> list:
    calls: list = []
    scorecard = portfolio.tiers.scorecard

    def counted(*args, **kwargs):
        calls.append(1)
        return scorecard(*args, **kwargs)

    monkeypatch.setattr(portfolio.tiers, "scorecard", counted)
    return calls


def test_a_threshold_move_scores_no_account_again(request_ctx, dash_app, monkeypatch):
    tiers = importlib.import_module("dashboard.pages.tiers")
    tiers.update_tiers(at(45, 72), 0)  # the page shown once: what depends on the data alone is kept
    calls = counting_scorecard(monkeypatch)
    analyze_session(at(46, 72))  # a move's own analysis: the new tiers from the kept scores
    tiers.update_tiers(at(47, 72), 0)
    assert calls == []  # the scores depend on the weights and bands alone: kept across moves
    analyze_session({**at(47, 72), "weights": {**DEFAULT_SETTINGS["weights"], "revenue": 30}})
    assert len(calls) == 2  # new weights: scored again, on today's and on prior ARR


def test_movers_from_kept_default_tiers_are_the_movers_computed_afresh(request_ctx, dash_app):
    from dashboard import state

    accounts, _ = state.current_data()
    analysis = analyze_session(at(40, 60))
    default = portfolio.tiers.tier_accounts(accounts, with_start=False).tier
    kept = tier_movers(analysis, accounts, default_tier=default)
    pd.testing.assert_frame_equal(kept, tier_movers(analysis, accounts))
    assert len(kept) > 0  # thresholds 40/60 move accounts against the default 50/70
