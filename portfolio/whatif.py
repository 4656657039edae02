"""What-if settings: the global controls' values as one JSON-able dict, and its reading.

``{"thresholds": [key, strategic], "weights": {dimension: weight}, "capacity": {tier: n},
"headcount": number or None, "tier_basis": "assigned" | "scorecard", "revenue_bands":
"MIN_ARR:POINTS,..." or None, "convention": one of :data:`portfolio.retention.CONVENTIONS`}``.
Missing entries take the core's defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.capacity import DEFAULT_CAPACITY, validate_capacity
from portfolio.cohorts import Cohorts, revenue_cohorts
from portfolio.ingest.history import quarters_of
from portfolio.retention import CONVENTIONS, validate_convention
from portfolio.schema import TIERS
from portfolio.tiers import (
    DEFAULT_WEIGHTS,
    REVENUE_ONLY_THRESHOLDS,
    SCORECARD_THRESHOLDS,
    Thresholds,
    normalised_weights,
    parse_revenue_bands,
    score_dimensions,
    tier_accounts,
    validate_tier_basis,
    validate_weights,
)
from portfolio.trends import Trend, quarterly_trend, scorecard_tiering


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
    "tier_basis": "assigned",
    "revenue_bands": None,
    "convention": CONVENTIONS[0],
}


def finite_number(value: object, name: str) -> float:
    """``value`` as a finite float; ValueError "``name`` must be a (finite) number" otherwise
    (booleans, text that is not a number, NaN and ±infinity included)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number")
    return number


def read_settings(settings: dict | None) -> dict:
    """What-if settings as they come from the browser → complete, typed and checked.

    Missing entries take the defaults; thresholds are ``[key, strategic]`` with
    0 ≤ key ≤ strategic ≤ 100; weights finite, non-negative, not all zero; capacity (accounts per
    SAM) finite and positive for every tier; headcount a finite number (negative or blank: from
    the data, ``None``). ValueError names the first problem.
    """
    if settings is not None and not isinstance(settings, dict):
        raise ValueError("settings must be an object")
    merged = {**DEFAULT_SETTINGS, **(settings or {})}
    thresholds, weights, capacity = merged["thresholds"], merged["weights"], merged["capacity"]
    if not isinstance(thresholds, list | tuple) or len(thresholds) != 2:
        raise ValueError("thresholds must be two numbers, [key, strategic]")
    key, strategic = (finite_number(v, "threshold") for v in thresholds)
    Thresholds(strategic, key)  # checks 0 ≤ key ≤ strategic ≤ 100
    if not isinstance(weights, dict) or not isinstance(capacity, dict):
        raise ValueError("weights and capacity must be objects")
    weights = validate_weights({str(k): finite_number(w, f"weight of {k}") for k, w in weights.items()})
    capacity = validate_capacity({str(t): finite_number(c, f"capacity of {t}") for t, c in capacity.items()})
    headcount = merged.get("headcount")
    if headcount not in (None, ""):
        headcount = finite_number(headcount, "headcount")
    bands = merged["revenue_bands"]
    if bands not in (None, ""):
        if not isinstance(bands, str):
            raise ValueError("revenue bands must be text such as 850000:10,45000:2")
        try:
            bands = str(parse_revenue_bands(bands))
        except ValueError as exc:
            raise ValueError(f"revenue bands: {exc}") from None
    return {
        "thresholds": [key, strategic],
        "weights": weights,
        "capacity": capacity,
        "headcount": headcount if isinstance(headcount, float) and headcount >= 0 else None,
        "tier_basis": validate_tier_basis(merged["tier_basis"]),
        "revenue_bands": bands or None,
        "convention": validate_convention(merged["convention"]),
    }


def analyze_with(accounts, settings: dict | None) -> PortfolioAnalysis:
    """Run :func:`portfolio.analysis.analyze` under the given what-if settings (checked by
    :func:`read_settings`: ValueError names a bad one)."""
    settings = read_settings(settings)
    key, strategic = settings["thresholds"]
    headcount = settings["headcount"]
    return analyze(
        accounts,
        weights=settings["weights"],
        thresholds=Thresholds(strategic, key),
        capacity=settings["capacity"],
        available_headcount=headcount,
        tier_basis=settings["tier_basis"],
        revenue_bands=parse_revenue_bands(bands) if (bands := settings["revenue_bands"]) else None,
        convention=settings["convention"],
    )


def _tier_settings(settings: dict | None) -> tuple[dict[str, float], Thresholds]:
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    key, strategic = settings["thresholds"]
    return settings["weights"], Thresholds(float(strategic), float(key))


def trend_with(accounts, settings: dict | None) -> Trend:
    """:func:`portfolio.trends.quarterly_trend` of the history ``accounts`` came from (none for
    a snapshot), tiered by the scorecard under the given what-if settings."""
    convention = {**DEFAULT_SETTINGS, **(settings or {})}["convention"]
    return quarterly_trend(
        quarters_of(accounts), tiering=scorecard_tiering(*_tier_settings(settings)), convention=convention
    )


@dataclass(frozen=True)
class HistoryViews:
    """What the Trends page shows: the trend, and the revenue cohorts of all accounts and of
    today's strategic accounts (None for a snapshot)."""

    trend: Trend
    cohorts: Cohorts | None
    strategic_cohorts: Cohorts | None


def history_with(accounts, settings: dict | None) -> HistoryViews:
    """The trend and the cohorts of the history ``accounts`` came from, under the settings;
    today's strategic accounts are the scorecard's at the as-of date."""
    quarters = quarters_of(accounts)
    if quarters is None:
        return HistoryViews(trend_with(accounts, settings), None, None)
    tier = tier_accounts(accounts, *_tier_settings(settings), with_start=False).tier
    strategic = accounts.loc[tier == TIERS[0], "account_id"]
    return HistoryViews(
        trend_with(accounts, settings), revenue_cohorts(quarters), revenue_cohorts(quarters, strategic)
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
