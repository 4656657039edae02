"""The what-if settings applied to this browser session's data."""

from __future__ import annotations

import json
import logging

import pandas as pd
from dash.exceptions import PreventUpdate

from dashboard import state
from portfolio.analysis import PortfolioAnalysis, Tiering
from portfolio.changes import Changes, changes_or_note
from portfolio.tiers import current_tiers, tier_accounts
from portfolio.whatif import (
    COHORT_SETTINGS,
    DEFAULT_SETTINGS,
    SCORE_SETTINGS,
    TIERING_SETTINGS,
    HistoryViews,
    analyze_with,
    cohorts_with,
    read_settings,
    scores_with,
    tiering_with,
    trend_with,
)

logger = logging.getLogger(__name__)


def checked_settings(settings: dict | None) -> dict:
    """``settings`` when :func:`portfolio.whatif.read_settings` accepts them, else the defaults.
    Rejected settings cannot come from the controls (their callback checks them first), only
    from an altered request."""
    try:
        read_settings(settings)
    except ValueError as exc:
        logger.warning("what-if settings rejected, defaults used: %s", str(exc)[:200])
        return DEFAULT_SETTINGS
    return settings or DEFAULT_SETTINGS


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings
    (:func:`checked_settings`). Kept for the session's next callbacks (:func:`state.memoized`):
    the analysis per settings, and the tiering per the settings it depends on, so a switch of
    segment filter, tier basis or convention does not score the accounts again."""
    settings = read_settings(checked_settings(settings))
    accounts = state.current_data()[0]
    tiering_key = settings_key({name: settings[name] for name in TIERING_SETTINGS})

    def tiered() -> Tiering:  # a threshold move keeps the scores (they depend on weights and bands)
        scores_key = settings_key({name: settings[name] for name in SCORE_SETTINGS})
        scores = state.memoized(("scores", scores_key), lambda: scores_with(accounts, settings))
        return tiering_with(accounts, settings, kept_current_tiers(accounts)[0], scores)

    def analysis() -> PortfolioAnalysis:
        return analyze_with(accounts, settings, state.memoized(("tiering", tiering_key), tiered))

    return state.memoized(("analysis", settings_key(settings)), analysis)


def whole_book_session(settings: dict | None, analysis: PortfolioAnalysis) -> PortfolioAnalysis:
    """The session's whole book under the what-if settings: ``analysis`` itself without a
    segment filter, else the same settings unfiltered (the SAMs keep their whole books, so a
    recommendation and its sensitivity are solved on it: :func:`reporting.decisions.recommend_in_book`)."""
    settings = checked_settings(settings)
    return analyze_session({**settings, "filter": {}}) if settings.get("filter") else analysis


def kept_current_tiers(accounts: pd.DataFrame) -> tuple[pd.Series, str]:
    """:func:`portfolio.tiers.current_tiers` of this session's ``accounts``, kept with its data
    (it depends on the data alone)."""
    return state.memoized("current-tiers", lambda: current_tiers(accounts))


def kept_default_tiers(accounts: pd.DataFrame) -> pd.Series:
    """The default scorecard's tiers of this session's ``accounts``
    (:func:`portfolio.tiers.tier_accounts` at the default weights and thresholds), kept with
    its data (it depends on the data alone)."""
    return state.memoized("default-tiers", lambda: tier_accounts(accounts, with_start=False).tier)


def settings_key(settings: dict) -> str:
    """``settings`` as one canonical text (sorted keys): a memo key."""
    return json.dumps(settings, sort_keys=True, default=str)


def session_settings_key(settings: dict | None) -> str:
    """The memo key of the settings a callback was sent, as :func:`analyze_session` reads them."""
    return settings_key(read_settings(checked_settings(settings)))


def changes_session(view: str | None) -> tuple[Changes | None, str]:
    """What changed between this session's snapshots (``view`` "FROM|TO", default the last
    two), or None and why not (:func:`portfolio.changes.changes_or_note`); kept per view."""
    view = view if isinstance(view, str) else None
    return state.memoized(("changes", view), lambda: changes_or_note(state.current_data()[0], view))


def history_session(settings: dict | None) -> HistoryViews:
    """The quarterly trend and the cohorts of this session's data under the what-if settings
    (:func:`checked_settings`); the trend kept per settings, the cohorts per the settings they
    depend on (a convention switch leaves them)."""
    settings = {**DEFAULT_SETTINGS, **checked_settings(settings)}
    accounts = state.current_data()[0]
    cohorts_key = settings_key({name: settings[name] for name in COHORT_SETTINGS})
    trend = state.memoized(("trend", settings_key(settings)), lambda: trend_with(accounts, settings))
    cohorts = state.memoized(("cohorts", cohorts_key), lambda: cohorts_with(accounts, settings))
    return HistoryViews(trend, *cohorts)


def keep_switch(settings: dict | None, name: str, value: object, offered: tuple) -> dict:
    """A page's switch (tier basis, convention, data kind) into the what-if settings, kept
    server-side with the session's data (:func:`state.save_settings`): ``settings`` with
    ``name`` = ``value``. PreventUpdate for a value not ``offered`` (only an altered request
    sends one) or for no change (the page appearing with the kept value)."""
    if value not in offered:
        raise PreventUpdate
    changed = {**read_settings(checked_settings(settings)), name: value}
    if changed == state.current_settings():
        raise PreventUpdate
    state.save_settings(changed)
    return changed
