"""The what-if settings applied to this browser session's data."""

from __future__ import annotations

import logging

from dashboard import state
from portfolio.analysis import PortfolioAnalysis
from portfolio.whatif import DEFAULT_SETTINGS, HistoryViews, analyze_with, history_with, read_settings

logger = logging.getLogger(__name__)
LOGGED_CHARACTERS = 200
"""A rejected setting's message is logged cut to this length (a request can carry megabytes)."""


def _log_rejected(exc: ValueError) -> None:
    logger.warning("what-if settings rejected, defaults used: %.*s", LOGGED_CHARACTERS, str(exc))


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings.

    Settings that :func:`portfolio.whatif.read_settings` rejects cannot come from the controls
    (their callback checks them first), only from an altered request: the defaults are used."""
    accounts, _meta = state.current_data()
    try:
        read_settings(settings)
    except ValueError as exc:
        _log_rejected(exc)
        settings = DEFAULT_SETTINGS
    return analyze_with(accounts, settings)


def history_session(settings: dict | None) -> HistoryViews:
    """The quarterly trend and the cohorts of this session's data under the what-if settings
    (rejected settings: the defaults, as in :func:`analyze_session`)."""
    accounts, _meta = state.current_data()
    try:
        read_settings(settings)
    except ValueError as exc:
        _log_rejected(exc)
        settings = DEFAULT_SETTINGS
    return history_with(accounts, {**DEFAULT_SETTINGS, **(settings or {})})
