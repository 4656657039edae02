"""The what-if settings applied to this browser session's data."""

from __future__ import annotations

import json

from dashboard import state
from portfolio.analysis import PortfolioAnalysis
from portfolio.whatif import DEFAULT_SETTINGS, HistoryViews, analyze_with, history_with


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings."""
    accounts, _meta = state.current_data()
    return analyze_with(accounts, settings)


def history_session(settings: dict | None) -> HistoryViews:
    """The quarterly trend and the cohorts of this session's data under the what-if settings;
    computed once per data and tier settings (thresholds, weights), then read back from the
    session store."""
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    inputs = json.dumps({"trend": [settings["thresholds"], settings["weights"]]}, sort_keys=True)
    return state.computed_once(inputs, lambda: history_with(state.current_data()[0], settings))
