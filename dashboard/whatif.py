"""What-if settings: the global controls' values as one JSON-able dict, and its reading.

``{"thresholds": [key, strategic], "weights": {dimension: weight}, "capacity": {tier: n},
"headcount": number or None}``. Missing entries take the core's defaults.
"""

from __future__ import annotations

from dashboard import state
from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.tiers import DEFAULT_WEIGHTS, Thresholds

DEFAULT_SETTINGS: dict = {
    "thresholds": [50, 70],
    "weights": dict(DEFAULT_WEIGHTS),
    "capacity": dict(DEFAULT_CAPACITY),
    "headcount": None,
}


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings."""
    accounts, _meta = state.current_data()
    return analyze_with(accounts, settings)


def analyze_with(accounts, settings: dict | None) -> PortfolioAnalysis:
    """Run :func:`portfolio.analysis.analyze` under the given what-if settings."""
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    key, strategic = settings["thresholds"]
    headcount = settings.get("headcount")
    return analyze(
        accounts,
        weights=settings["weights"],
        thresholds=Thresholds(float(strategic), float(key)),
        capacity=settings["capacity"],
        available_headcount=float(headcount) if headcount not in (None, "") else None,
    )
