"""The what-if settings applied to this browser session's data."""

from __future__ import annotations

from dashboard import state
from portfolio.analysis import PortfolioAnalysis
from portfolio.whatif import analyze_with


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings."""
    accounts, _meta = state.current_data()
    return analyze_with(accounts, settings)
