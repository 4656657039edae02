"""What-if settings: the global controls' values as one JSON-able dict, and its reading.

``{"thresholds": [key, strategic], "weights": {dimension: weight}, "capacity": {tier: n},
"headcount": number or None, "tier_basis": "assigned" | "scorecard", "revenue_bands":
"MIN_ARR:POINTS,..." or None}``. Missing entries take the core's defaults.
"""

from __future__ import annotations

from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.tiers import (
    DEFAULT_WEIGHTS,
    REVENUE_ONLY_THRESHOLDS,
    SCORECARD_THRESHOLDS,
    Thresholds,
    normalised_weights,
    parse_revenue_bands,
    score_dimensions,
)


def slider_value(thresholds: Thresholds) -> list[float]:
    """The threshold range slider's value: ``[key, strategic]``."""
    return [thresholds.key, thresholds.strategic]


def default_slider_value(accounts) -> list[float]:
    """The slider's value for new data: the core's default cut-offs, revenue-only or not."""
    has_scorecard = bool(score_dimensions(accounts))
    return slider_value(SCORECARD_THRESHOLDS if has_scorecard else REVENUE_ONLY_THRESHOLDS)


DEFAULT_SETTINGS: dict = {
    "thresholds": slider_value(SCORECARD_THRESHOLDS),
    "weights": dict(DEFAULT_WEIGHTS),
    "capacity": dict(DEFAULT_CAPACITY),
    "headcount": None,
    "revenue_bands": None,
}


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
        tier_basis=settings.get("tier_basis") or "assigned",
        revenue_bands=parse_revenue_bands(bands) if (bands := settings.get("revenue_bands")) else None,
    )


def weights_note(weights: dict[str, float]) -> str:
    """What the weights entered mean, in points out of 100: "Total 100 points." when they sum
    to 100, else the total and the normalised points the scorecard uses (only the ratios
    matter). ValueError for negative or all-zero weights."""
    total = sum(weights.values())
    points = normalised_weights(weights)
    if abs(total - 100) < 1e-9:
        return "Total 100 points."
    shown = " · ".join(f"{d.replace('_', ' ').capitalize()} {p:.1f}" for d, p in points.items() if p > 0)
    return f"Total {total:g} points, not 100: used in proportion, as {shown}."
