"""What-if settings: the global controls' values as one JSON-able dict, and its reading.

``{"thresholds": [key, strategic], "weights": {dimension: weight}, "capacity": {tier: n},
"headcount": number or None, "tier_basis": "assigned" | "scorecard", "revenue_bands":
"MIN_ARR:POINTS,..." or None, "currency": ISO code or None, "data_kind": "subscription" |
"transactional" or None, "filter": {column: [values]}, "convention": one of
:data:`portfolio.retention.CONVENTIONS`}``. Missing entries take the core's defaults; a ``None``
currency or data kind means "as the data says" (:mod:`portfolio.datafacts`); the filter is the
segment filter (:mod:`portfolio.segments`; ``{}`` for all accounts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from portfolio.analysis import PortfolioAnalysis, Tiering, analyze_tiered, tiering
from portfolio.capacity import DEFAULT_CAPACITY, validate_capacity
from portfolio.cohorts import Cohorts, revenue_cohorts
from portfolio.currency import validate_currency
from portfolio.datafacts import DataFacts, chosen, facts_of, trend_of_kind, validate_data_kind
from portfolio.ingest.history import quarters_of
from portfolio.migration import Migration, migration
from portfolio.quarters import QuarterlyRevenue
from portfolio.retention import CONVENTIONS, validate_convention
from portfolio.schema import TIERS
from portfolio.segments import checked_mask, filter_note, read_filter
from portfolio.tiers import (
    DEFAULT_WEIGHTS,
    REVENUE_ONLY_THRESHOLDS,
    SCORECARD_THRESHOLDS,
    Thresholds,
    current_tiers,
    normalised_weights,
    parse_revenue_bands,
    score_dimensions,
    scores_now_and_at_start,
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
    "currency": None,
    "data_kind": None,
    "filter": {},
    "convention": CONVENTIONS[0],
}


def default_settings(accounts) -> dict:
    """The settings new data starts from: :data:`DEFAULT_SETTINGS` with the data's default
    cut-offs (:func:`default_slider_value`: 80/95 for a revenue-only file) and no filter."""
    return {**DEFAULT_SETTINGS, "thresholds": default_slider_value(accounts), "filter": {}}


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
    the data, ``None``); currency an offered ISO code and data kind subscription or transactional
    (blank: as the data says). ValueError names the first problem.
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
    currency, kind = merged.get("currency"), merged.get("data_kind")
    return {
        "thresholds": [key, strategic],
        "weights": weights,
        "capacity": capacity,
        "headcount": headcount if isinstance(headcount, float) and headcount >= 0 else None,
        "tier_basis": validate_tier_basis(merged["tier_basis"]),
        "revenue_bands": bands or None,
        "currency": None if currency in (None, "") else validate_currency(currency),
        "data_kind": None if kind in (None, "") else validate_data_kind(kind),
        "filter": read_filter(merged.get("filter")),
        "convention": validate_convention(merged["convention"]),
    }


def analyze_with(accounts, settings: dict | None, tiered: Tiering | None = None) -> PortfolioAnalysis:
    """Run :func:`portfolio.analysis.analyze` under the given what-if settings (checked by
    :func:`read_settings`: ValueError names a bad one, or a filter that leaves no accounts).
    The segment filter restricts every figure; tiers are scored on the whole portfolio.
    ``tiered``: the :func:`tiering_with` of the same accounts and settings, when the caller
    kept it (a switch of filter, tier basis or convention then does not score again)."""
    settings = read_settings(settings)
    rows = checked_mask(accounts, settings["filter"])
    analysis = analyze_tiered(
        accounts,
        tiered if tiered is not None else tiering_with(accounts, settings),
        facts=facts_with(accounts, settings),
        tier_basis=settings["tier_basis"],
        rows=rows,
        convention=settings["convention"],
    )
    shown = len(accounts) if rows is None else int(rows.sum())
    analysis.filter_note = filter_note(settings["filter"], shown, len(accounts))
    return analysis


TIERING_SETTINGS = ("thresholds", "weights", "capacity", "headcount", "revenue_bands")
"""The what-if settings :func:`tiering_with` depends on (the others leave it unchanged)."""


SCORE_SETTINGS = ("weights", "revenue_bands")
"""The what-if settings the scores depend on (:func:`scores_with`): not the thresholds."""


def scores_with(accounts, settings: dict | None) -> tuple[pd.Series, pd.Series]:
    """:func:`portfolio.tiers.scores_now_and_at_start` under the what-if weights and bands."""
    settings = read_settings(settings)
    bands = settings["revenue_bands"]
    return scores_now_and_at_start(
        accounts, settings["weights"], parse_revenue_bands(bands) if bands else None
    )


def tiering_with(
    accounts,
    settings: dict | None,
    current_tier: pd.Series | None = None,
    scores: tuple[pd.Series, pd.Series] | None = None,
) -> Tiering:
    """:func:`portfolio.analysis.tiering` of the whole portfolio under the what-if settings
    (checked by :func:`read_settings`); only :data:`TIERING_SETTINGS` matter. ``current_tier``:
    the tiers the company runs today, and ``scores`` (:func:`scores_with`), when the caller keeps them."""
    settings = read_settings(settings)
    key, strategic = settings["thresholds"]
    return tiering(
        accounts,
        weights=settings["weights"],
        thresholds=Thresholds(strategic, key),
        capacity=settings["capacity"],
        available_headcount=settings["headcount"],
        revenue_bands=parse_revenue_bands(bands) if (bands := settings["revenue_bands"]) else None,
        current_tier=current_tier,
        scores=scores,
    )


def filtered_accounts(accounts, settings: dict | None):
    """The accounts the segment filter of ``settings`` keeps (all without one); ValueError when
    it leaves none or names a column the data lacks. The frame keeps its history (``attrs``)."""
    rows = checked_mask(accounts, read_settings(settings)["filter"])
    return accounts if rows is None else accounts[rows]


def migration_with(
    accounts, analysis: PortfolioAnalysis, current: tuple[pd.Series, str] | None = None
) -> Migration:
    """The current × proposed migration of the accounts ``analysis`` covers (its filter), the
    current tiers taken from the whole portfolio ``accounts`` (an account keeps its tier
    whichever filter is on): ``current`` (:func:`current_tiers` of ``accounts``, which depends
    on the data alone) when the caller keeps it, else computed here."""
    current = current if current is not None else current_tiers(accounts)
    return migration(accounts.loc[analysis.accounts.index], analysis.accounts["tier"], current)


def facts_with(accounts, settings: dict | None) -> DataFacts:
    """The data's facts (currency, as-of date, kind) with the currency and data kind chosen in
    the settings (:func:`portfolio.datafacts.chosen`); ``accounts`` is not changed."""
    settings = settings or {}
    return chosen(facts_of(accounts), currency=settings.get("currency"), data_kind=settings.get("data_kind"))


def _tier_settings(settings: dict | None) -> tuple[dict[str, float], Thresholds]:
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    key, strategic = settings["thresholds"]
    return settings["weights"], Thresholds(float(strategic), float(key))


def _history(accounts, settings: dict | None) -> QuarterlyRevenue | None:
    """The quarterly history ``accounts`` came from (None for a snapshot), restricted to the
    accounts the settings' segment filter keeps."""
    quarters = quarters_of(accounts)
    flt = read_filter({**DEFAULT_SETTINGS, **(settings or {})}.get("filter"))
    if quarters is None or not flt:
        return quarters
    kept = quarters.rows_among(filtered_accounts(accounts, settings)["account_id"])
    return replace(quarters, account_ids=quarters.account_ids[kept], revenue=quarters.revenue[kept])


def trend_with(accounts, settings: dict | None) -> Trend:
    """:func:`portfolio.trends.quarterly_trend` of the history ``accounts`` came from (none for
    a snapshot; the filtered accounts' under a segment filter), tiered by the scorecard under
    the given what-if settings (within those accounts), under the settings' NRR/GRR convention."""
    convention = {**DEFAULT_SETTINGS, **(settings or {})}["convention"]
    tiering = scorecard_tiering(*_tier_settings(settings))
    trend = quarterly_trend(_history(accounts, settings), tiering=tiering, convention=convention)
    return trend_of_kind(trend, facts_with(accounts, settings))


@dataclass(frozen=True)
class HistoryViews:
    """What the Trends page shows: the trend, and the revenue cohorts of all accounts and of
    today's strategic accounts (None for a snapshot)."""

    trend: Trend
    cohorts: Cohorts | None
    strategic_cohorts: Cohorts | None


def history_with(accounts, settings: dict | None) -> HistoryViews:
    """The trend and the cohorts of the history ``accounts`` came from, under the settings."""
    return HistoryViews(trend_with(accounts, settings), *cohorts_with(accounts, settings))


COHORT_SETTINGS = ("thresholds", "weights", "filter")
"""The what-if settings :func:`cohorts_with` depends on."""


def cohorts_with(accounts, settings: dict | None) -> tuple[Cohorts | None, Cohorts | None]:
    """The revenue cohorts of all accounts of the history ``accounts`` came from (the filtered
    ones under a segment filter) and of today's strategic accounts among them (the scorecard at
    the as-of date, under the settings' weights and thresholds); None, None for a snapshot."""
    quarters = _history(accounts, settings)
    if quarters is None:
        return None, None
    tier = tier_accounts(accounts, *_tier_settings(settings), with_start=False).tier
    strategic = accounts.loc[
        (tier == TIERS[0]).to_numpy() & quarters.holds(accounts["account_id"]), "account_id"
    ]
    return revenue_cohorts(quarters), revenue_cohorts(quarters, strategic)


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
