"""Results kept in a worker's memory per session (storage.memo, wired in dashboard.state): a
session reads only its own, new data is never answered with the old data's results, and a
switch that leaves the tiers alone (convention, tier basis, segment filter) does not score
the accounts again."""

import contextlib

import pandas as pd
import pytest

from conftest import real_file
from dashboard import state
from dashboard.whatif import analyze_session, history_session
from portfolio.datafacts import DataFacts, with_facts
from portfolio.ingest import load_file
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with, history_with

MINE = pd.DataFrame(
    {"account_id": ["Z", "Y"], "account_name": ["Zed", "Why"], "arr": [5.0, 3.0], "arr_prior": [4.0, 3.0]}
)


@contextlib.contextmanager
def as_session(server, cookie: str | None = None):
    """A callback's request context for the session ``cookie`` names (a fresh one without)."""
    headers = {"Cookie": f"{state.COOKIE}={cookie}"} if cookie else {}
    with server.test_request_context("/", headers=headers):
        server.preprocess_request()
        yield state.cookie_value(server.extensions["strata_cookie_key"], state.session_id(), None)


def mine(as_of: str) -> pd.DataFrame:
    return with_facts(MINE.copy(), DataFacts(currency="USD", as_of=pd.Timestamp(as_of)))


def test_a_session_reads_its_own_results_never_anothers(dash_app):
    with as_session(dash_app.server) as alice:
        state.save_data(mine("2024-12-31"), {"source": "alice.csv", "notes": []})
        assert sorted(analyze_session(DEFAULT_SETTINGS).accounts["account_id"]) == ["Y", "Z"]
    with as_session(dash_app.server):  # another browser, same settings
        assert len(analyze_session(DEFAULT_SETTINGS).accounts) == 1200  # the demo
        assert state.current_data()[1] == state.DEMO_META
    with as_session(dash_app.server, alice):
        assert state.current_data()[1]["source"] == "alice.csv"


def test_new_data_is_never_answered_with_the_old_datas_results(dash_app, monkeypatch):
    with as_session(dash_app.server):
        demo = analyze_session(DEFAULT_SETTINGS)
        state.save_data(mine("2024-12-31"), {"source": "a.csv", "notes": []})
        first = analyze_session(DEFAULT_SETTINGS)
        assert first is not demo and len(first.accounts) == 2
        assert first.facts.as_of == pd.Timestamp("2024-12-31")
        # the same rows again with another as-of date, saved by another worker (this one's
        # memo is not told): the new revision keys new results
        monkeypatch.setattr(dash_app.server.extensions["strata_memo"], "forget", lambda session: None)
        state.save_data(mine("2025-06-30"), {"source": "b.csv", "notes": []})
        assert state.current_data()[1]["source"] == "b.csv"
        assert analyze_session(DEFAULT_SETTINGS).facts.as_of == pd.Timestamp("2025-06-30")
        state.reset_to_demo()
        assert len(analyze_session(DEFAULT_SETTINGS).accounts) == 1200


def test_results_are_kept_per_settings_and_the_tiering_across_switches(request_ctx):
    analysis = analyze_session(DEFAULT_SETTINGS)
    assert analyze_session(dict(DEFAULT_SETTINGS)) is analysis  # kept: not analysed again
    for switch in ({"convention": "reactivation_as_expansion"}, {"tier_basis": "scorecard"}):
        switched = analyze_session({**DEFAULT_SETTINGS, **switch})
        assert switched is not analysis and switched.tiers is analysis.tiers  # not scored again
        fresh = analyze_with(state.current_data()[0], {**DEFAULT_SETTINGS, **switch})
        assert switched.to_dict() == fresh.to_dict()  # the same figures as analysed afresh
    moved = analyze_session({**DEFAULT_SETTINGS, "thresholds": [40, 60]})
    assert moved.tiers is not analysis.tiers and moved.tiers.thresholds.strategic == 60
    # a threshold move keeps the scores (they depend on the weights and bands alone)
    assert moved.tiers.score is analysis.tiers.score
    fresh = analyze_with(state.current_data()[0], {**DEFAULT_SETTINGS, "thresholds": [40, 60]})
    assert moved.to_dict() == fresh.to_dict()
    pd.testing.assert_series_equal(moved.tiers.start_score, fresh.tiers.start_score)
    reweighted = analyze_session(
        {**DEFAULT_SETTINGS, "weights": {**DEFAULT_SETTINGS["weights"], "revenue": 35}}
    )
    assert reweighted.tiers.score is not analysis.tiers.score  # other weights: scored again


def test_a_convention_switch_keeps_the_cohorts_and_computes_the_trend_again(request_ctx):
    history = load_file(real_file("SaaS-Sales.csv")).accounts
    state.save_data(history, {"source": "SaaS-Sales.csv", "notes": []})
    views = history_session(DEFAULT_SETTINGS)
    again = history_session(dict(DEFAULT_SETTINGS))
    assert again.trend is views.trend and again.cohorts is views.cohorts and views.cohorts is not None
    switched = history_session({**DEFAULT_SETTINGS, "convention": "reactivation_as_expansion"})
    assert switched.trend is not views.trend and switched.strategic_cohorts is views.strategic_cohorts
    fresh = history_with(
        state.current_data()[0], {**DEFAULT_SETTINGS, "convention": "reactivation_as_expansion"}
    )
    assert switched.trend.to_dict() == fresh.trend.to_dict()


@pytest.mark.parametrize("megabytes", ["0", "64"])
def test_the_budget_is_a_setting(megabytes):
    from storage.settings import Settings

    settings = Settings.from_env({"STRATA_MEMO_MB": megabytes, "STRATA_CACHE_DIR": "/tmp/x"})
    assert settings.memo_mb == float(megabytes)


def test_a_negative_budget_is_refused():
    from storage.settings import ConfigurationError, Settings

    with pytest.raises(ConfigurationError, match="STRATA_MEMO_MB must be a positive number"):
        Settings.from_env({"STRATA_MEMO_MB": "-1", "STRATA_CACHE_DIR": "/tmp/x"})


def test_a_drill_down_list_is_kept_for_its_blocks_of_rows(request_ctx):
    from dashboard.drilldown import drill_down

    selection = {"chart": "tier-distribution", "key": "Standard"}
    found = drill_down(selection, DEFAULT_SETTINGS)
    assert drill_down(dict(selection), dict(DEFAULT_SETTINGS)) is found  # the next block's request
    other = drill_down({"chart": "tier-distribution", "key": "Key"}, DEFAULT_SETTINGS)
    assert other is not found and set(other.accounts["tier"].astype(str)) == {"Key"}
