"""Trailing-twelve-month ARR, NRR and GRR at each quarter end of a revenue history.

At quarter end ``t`` (quarters counted back from the as-of date, see :mod:`portfolio.quarters`)
an account's ARR is its revenue over the four quarters to ``t`` and its prior ARR over the
four before, each floored at 0 (net refunds), exactly as :mod:`portfolio.ingest.history`
aggregates the as-of date. Then, as on the Retention page (:mod:`portfolio.retention`):

* total ARR = Σ ARR(t);
* NRR(t) = Σ ARR(t) / Σ ARR(t − 1 year) and GRR(t) = Σ min(ARR(t), ARR(t − 1 year)) /
  Σ ARR(t − 1 year), over the **opening-ARR cohort**: the accounts with revenue in the prior
  twelve months (new logos excluded), or under another convention of
  :mod:`portfolio.retention` (reactivated accounts,
  :func:`portfolio.conventions.reactivated_at`, have revenue before the prior twelve months
  and none in them; a history has no renewal dates, so the renewal base gives no rates);
* the ARR bridge (expansion, contraction, churn, new) of the year to ``t``;
* by tier: each account in the tier it had at the start of the window (the scorecard on its
  prior ARR); a tier's ARR and new logos by the tier at ``t``;
* strategic share = ARR of the accounts Strategic at ``t`` / total ARR.

A point needs 24 months of history before its quarter end (a month's slack for a first
invoice dated at the end of its month). The last point is the as-of date's ``analyze`` result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.conventions import reactivated_at
from portfolio.quarters import QuarterlyRevenue
from portfolio.retention import CONVENTIONS, Retention, retention, retention_by_tier, validate_convention
from portfolio.schema import TIERS
from portfolio.tiers import Thresholds, tier_accounts, tier_distribution

COVERAGE_SLACK = pd.Timedelta(days=31)
"""A point at ``t`` needs the history to start by ``t − 24 months + 31 days``."""
SUBSCRIPTION_SHARE = 0.75
"""Subscription-like: at least this share of retained accounts bill in every quarter …"""
STEADY_VARIATION = 0.25
"""… and the median coefficient of variation of their quarterly amounts is at most this."""

Tiering = Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]
"""Window accounts (``account_id``, ``arr``, ``arr_prior``) → (start tier, tier at the end)."""


def scorecard_tiering(
    weights: dict[str, float] | None = None, thresholds: Thresholds | None = None
) -> Tiering:
    """Tiers by the scorecard (:func:`portfolio.tiers.tier_accounts`): the start tier on prior
    ARR, the end tier on ARR. A revenue history has no scorecard columns, so this is the
    revenue-only selection (ARR percentile; default cut-offs 95/80) of the rest of the app."""

    def tiers(window: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        assignment = tier_accounts(window, weights, thresholds)
        return assignment.start_tier, assignment.tier

    return tiers


@dataclass(frozen=True)
class TrendPoint:
    """The year to one quarter end. Money in currency per year; rates are fractions.

    Attributes
    ----------
    as_of : the quarter end.
    total_arr : Σ ARR (trailing-twelve-month revenue).
    retention : NRR, GRR and the ARR bridge of the year to ``as_of``.
    by_tier : the same per start-of-window tier (:data:`TIERS` order).
    tier_arr : ARR per tier at ``as_of``.
    strategic_share : ``tier_arr["Strategic"] / total_arr`` (0 without ARR).
    """

    as_of: pd.Timestamp
    total_arr: float
    retention: Retention
    by_tier: dict[str, Retention]
    tier_arr: dict[str, float]
    strategic_share: float

    def to_dict(self) -> dict:
        """``{"as_of", "total_arr", "nrr", "grr", "strategic_share", "by_tier": {tier: {"nrr",
        "grr", "arr"}}, "bridge": {…}}``, JSON-ready: a rate without a cohort is None."""
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "total_arr": self.total_arr,
            "nrr": _rate(self.retention.nrr),
            "grr": _rate(self.retention.grr),
            "strategic_share": self.strategic_share,
            "by_tier": {
                tier: {"nrr": _rate(r.nrr), "grr": _rate(r.grr), "arr": self.tier_arr[tier]}
                for tier, r in self.by_tier.items()
            },
            "bridge": self.retention.bridge.to_dict(),
        }


def _rate(value: float) -> float | None:
    """A rate for JSON: NaN (no accounts to start from) becomes None."""
    return None if np.isnan(value) else value


@dataclass(frozen=True)
class Trend:
    """The points, oldest first, and why there are none (``note``) when the list is empty.

    ``subscription_like`` says whether SaaS benchmarks (NRR, GRR bands) apply, and
    ``kind_reason`` says why in one sentence."""

    points: list[TrendPoint] = field(default_factory=list)
    note: str | None = None
    subscription_like: bool = False
    kind_reason: str = ""

    def to_dict(self) -> dict:
        """``{"trend": [point, …], "trend_kind": {"subscription_like", "reason"}}`` and, without
        points, ``"trend_note"`` saying why (JSON-ready)."""
        out: dict = {"trend": [p.to_dict() for p in self.points]}
        if self.points:
            out["trend_kind"] = {"subscription_like": self.subscription_like, "reason": self.kind_reason}
        else:
            out["trend_note"] = self.note
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per quarter end: total ARR, NRR, GRR, strategic share, then per tier NRR,
        GRR and ARR (columns ``Strategic nrr`` …), and the bridge."""
        rows = []
        for p in self.points:
            row = {"as_of": p.as_of, "total_arr": p.total_arr, "nrr": p.retention.nrr}
            row |= {"grr": p.retention.grr, "strategic_share": p.strategic_share}
            for tier, r in p.by_tier.items():
                row |= {f"{tier} nrr": r.nrr, f"{tier} grr": r.grr, f"{tier} arr": p.tier_arr[tier]}
            row |= p.retention.bridge.to_dict()
            rows.append(row)
        return pd.DataFrame(rows)


def trend_points(quarters: QuarterlyRevenue) -> list[int]:
    """Indices of the quarters with 24 months of history before their end (the first line
    on or before ``end − 24 months + 31 days``)."""
    ends = quarters.ends
    return [
        j
        for j in range(7, len(ends))
        if quarters.first_date <= ends[j] - pd.DateOffset(months=24) + COVERAGE_SLACK
    ]


def nrr_series(quarters: QuarterlyRevenue) -> pd.Series:
    """Trailing-twelve-month NRR (fraction) at every trend point, indexed by quarter end: the
    overall NRR of :func:`quarterly_trend`'s points, without the tiers (cheap)."""
    values = {}
    for j in trend_points(quarters):
        arr, prior = _years_to(quarters, j)
        values[quarters.ends[j]] = retention(pd.Series(arr), pd.Series(prior)).nrr
    return pd.Series(values, dtype=float)


def quarterly_trend(
    quarters: QuarterlyRevenue | None,
    *,
    tiering: Tiering | None = None,
    convention: str = CONVENTIONS[0],
) -> Trend:
    """Total ARR, NRR, GRR, the bridge, by tier and the strategic share at every quarter end
    the history allows (see the module docstring).

    Parameters
    ----------
    quarters : the history's quarterly revenue (:func:`portfolio.ingest.history.quarters_of`);
        None for a snapshot, which gives no points and a note.
    tiering : window accounts → (start tier, end tier); default :func:`scorecard_tiering`.
        The tier basis of the Retention page plugs in here.
    convention : the NRR/GRR convention of :mod:`portfolio.retention` (the Retention page's).

    Example
    -------
    >>> trend = quarterly_trend(quarters_of(load_file("orders.csv").accounts))
    >>> [(p.as_of, p.retention.nrr) for p in trend.points]
    """
    if quarters is None:
        return Trend(
            note="a trend needs a revenue history (dated order or invoice lines); this is a snapshot"
        )
    tiering = tiering or scorecard_tiering()
    convention = validate_convention(convention)
    points = trend_points(quarters)
    if not points:
        first_end = quarters.first_date - COVERAGE_SLACK + pd.DateOffset(months=24)
        return Trend(
            note=(
                f"the revenue history starts {quarters.first_date:%Y-%m-%d} and ends "
                f"{quarters.ends[-1]:%Y-%m-%d}: a trend point needs the 24 months before its "
                f"quarter end, so the first would be on or after {first_end:%Y-%m-%d}"
            )
        )
    subscription_like, reason = billing_kind(quarters)
    ids = pd.array(quarters.account_ids, dtype="str")  # typed once: windows take subsets
    return Trend(
        points=[_point(quarters, ids, j, tiering, convention) for j in points],
        subscription_like=subscription_like,
        kind_reason=reason,
    )


def arr_at(quarters: QuarterlyRevenue, j: int) -> np.ndarray:
    """Each account's ARR at quarter end ``j``: its revenue over the four quarters to it, net
    refunds floored at 0 (currency per year; ``quarters.account_ids`` order)."""
    return np.maximum(quarters.trailing_year(j), 0.0)


def arr_points(quarters: QuarterlyRevenue) -> list[int]:
    """Indices of the quarters with a full year of history before their end (the first line
    on or before ``end − 12 months + 31 days``): where :func:`arr_at` is a whole year's ARR."""
    ends = quarters.ends
    return [
        j
        for j in range(3, len(ends))
        if quarters.first_date <= ends[j] - pd.DateOffset(months=12) + COVERAGE_SLACK
    ]


def _years_to(quarters: QuarterlyRevenue, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Each account's revenue in the year to quarter ``j`` and in the year before, net refunds
    floored at 0 (currency)."""
    return arr_at(quarters, j), arr_at(quarters, j - 4)


def _point(
    quarters: QuarterlyRevenue,
    ids: pd.api.extensions.ExtensionArray,
    j: int,
    tiering: Tiering,
    convention: str = CONVENTIONS[0],
) -> TrendPoint:
    """The year to quarter ``j``: accounts with revenue in it or the year before."""
    arr, prior = _years_to(quarters, j)
    active = (arr > 0) | (prior > 0)
    window = pd.DataFrame({"account_id": ids[active], "arr": arr[active], "arr_prior": prior[active]})
    start_tier, tier = tiering(window)
    back = reactivated_at(quarters, j)[active]
    by_tier = retention_by_tier(
        window["arr"], window["arr_prior"], start_tier, tier, reactivated=back, convention=convention
    )
    distribution = tier_distribution(window["arr"], tier)
    return TrendPoint(
        as_of=quarters.ends[j],
        total_arr=float(window["arr"].sum()),
        retention=retention(window["arr"], window["arr_prior"], reactivated=back, convention=convention),
        by_tier=by_tier,
        tier_arr={t: float(distribution.loc[t, "arr"]) for t in TIERS},
        strategic_share=float(distribution.loc[TIERS[0], "arr_share"]),
    )


def billing_kind(quarters: QuarterlyRevenue) -> tuple[bool, str]:
    """(subscription-like?, the sentence saying why) from the last year's billing pattern.

    Of the accounts with revenue in both the last and the prior twelve months ("retained"):
    the share with revenue in each of the last four quarters, and, among those, the median
    coefficient of variation (standard deviation / mean) of their four quarterly amounts.
    Subscriptions billed monthly or quarterly bill every quarter with steady amounts; orders
    come irregularly or in varying amounts. Subscription-like: a share of at least
    :data:`SUBSCRIPTION_SHARE` and a median variation of at most :data:`STEADY_VARIATION`.
    (Annual up-front invoices look like orders here.)"""
    last = quarters.revenue[:, -4:]
    retained = (last.sum(axis=1) > 0) & (quarters.trailing_year(-5) > 0)
    if not retained.any():
        return False, (
            "No account has revenue in both of the last two years, so the SaaS benchmarks "
            "(NRR 120%+, GRR 92–98%) are not shown."
        )
    every_quarter = (last[retained] > 0).all(axis=1)
    share = float(every_quarter.mean())
    steady = last[retained][every_quarter]
    variation = float(np.median(steady.std(axis=1) / steady.mean(axis=1))) if len(steady) else np.inf
    if share >= SUBSCRIPTION_SHARE and variation <= STEADY_VARIATION:
        return True, (
            f"{share:.0%} of the retained accounts bill every quarter in steady amounts: "
            "subscription-like, so the SaaS benchmarks (NRR 120%+, GRR 92–98%) are shown."
        )
    why = (
        f"only {share:.0%} of the retained accounts bill every quarter"
        if share < SUBSCRIPTION_SHARE
        else f"their quarterly amounts vary by {variation:.0%} (median coefficient of variation)"
    )
    return False, (
        f"Order data, not subscriptions: {why}, so the SaaS benchmarks (NRR 120%+, GRR 92–98%) are not shown."
    )
