"""What-if settings: the global controls' values as one JSON-able dict, and its reading.

``{"thresholds": [key, strategic], "weights": {dimension: weight}, "capacity": {tier: n},
"headcount": number or None}``. Missing entries take the core's defaults.
"""

from __future__ import annotations

import math

from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.capacity import DEFAULT_CAPACITY, validate_capacity
from portfolio.tiers import (
    DEFAULT_WEIGHTS,
    REVENUE_ONLY_THRESHOLDS,
    SCORECARD_THRESHOLDS,
    Thresholds,
    score_dimensions,
    validate_weights,
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
    return {
        "thresholds": [key, strategic],
        "weights": weights,
        "capacity": capacity,
        "headcount": headcount if isinstance(headcount, float) and headcount >= 0 else None,
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
    )
