"""One call for every portfolio metric: the shape the CLI, the dashboard and exports share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from portfolio import concentration
from portfolio.capacity import Workload, workload
from portfolio.conventions import Reconciliation, reactivated_flags, reconciliation, renewed_in_year
from portfolio.retention import (
    CONVENTION_NAMES,
    CONVENTIONS,
    Retention,
    retention,
    retention_by_tier,
    validate_convention,
)
from portfolio.tiers import (
    RevenueBands,
    Thresholds,
    TierAssignment,
    has_assigned_tiers,
    tier_accounts,
    tier_distribution,
    validate_tier_basis,
)


@dataclass
class PortfolioAnalysis:
    """Every metric of one portfolio under one set of what-if settings.

    Attributes
    ----------
    accounts : the validated accounts with ``score``, ``tier`` and ``start_tier`` added.
    concentration : headline concentration figures (active accounts).
    tiers : the scorecard result (scores, tiers, warnings, disagreements).
    distribution : accounts, ARR, ARR share and mean ARR per tier.
    retention : overall NRR/GRR and bridge; ``None`` without prior ARR.
    retention_by_tier : the same per start-of-period tier; empty without prior ARR.
    workload : SAM workload and headcount.
    tier_basis : the tier retention is attributed to, as used: ``"assigned"`` (the company's
        ``tier`` column) or ``"scorecard"`` (the scorecard on prior ARR).
    tier_basis_note : one readable line saying so (and why, when "assigned" fell back).
    convention : the NRR/GRR convention (:data:`portfolio.retention.CONVENTIONS`).
    reconciliation : the walk from the default convention to ``convention`` (to "reactivation
        as expansion" under the default); None without prior ARR or when it cannot be drawn
        (``reconciliation_note`` says why).
    """

    accounts: pd.DataFrame
    concentration: concentration.ConcentrationSummary
    tiers: TierAssignment
    distribution: pd.DataFrame
    retention: Retention | None
    retention_by_tier: dict[str, Retention]
    workload: Workload
    tier_basis: str = "scorecard"
    tier_basis_note: str = ""
    convention: str = CONVENTIONS[0]
    reconciliation: Reconciliation | None = None
    reconciliation_note: str = ""

    def to_dict(self) -> dict:
        """JSON-ready dict: shares and rates are fractions; NaN becomes ``None``."""
        c = self.concentration
        result = {
            "accounts": len(self.accounts),
            "active_accounts": c.active_accounts,
            "total_arr": c.total_arr,
            "concentration": c.to_dict(),
            "scorecard": {
                "revenue_only": self.tiers.revenue_only,
                "revenue_method": self.tiers.revenue_method,
                "revenue_bands": str(self.tiers.revenue_bands) if self.tiers.revenue_bands else None,
                "weights": self.tiers.weights,
                "thresholds": {
                    "strategic": self.tiers.thresholds.strategic,
                    "key": self.tiers.thresholds.key,
                },
                "warnings": self.tiers.warnings,
                "disagreements": len(self.tiers.disagreements),
            },
            "tiers": {
                tier: {
                    "accounts": int(row["accounts"]),
                    "arr": float(row["arr"]),
                    "arr_share": float(row["arr_share"]),
                    "mean_arr": float(row["mean_arr"]),
                }
                for tier, row in self.distribution.iterrows()
            },
            "retention": None,
            "workload": self.workload.to_dict(),
        }
        if self.retention is not None:
            result["retention"] = {
                "nrr": self.retention.nrr,
                "grr": self.retention.grr,
                "existing_accounts": self.retention.existing_accounts,
                "churned_accounts": self.retention.churned_accounts,
                "new_accounts": self.retention.new_accounts,
                "reactivated_accounts": self.retention.reactivated_accounts,
                "convention": self.convention,
                "convention_name": CONVENTION_NAMES[self.convention],
                "convention_note": self.retention.note or None,
                "base_accounts": self.retention.base_accounts,
                "reconciliation": self.reconciliation.to_dict() if self.reconciliation else None,
                "tier_basis": self.tier_basis,
                "tier_basis_note": self.tier_basis_note,
                "by_tier": {
                    t: {
                        "nrr": r.nrr,
                        "grr": r.grr,
                        "existing_accounts": r.existing_accounts,
                        "bridge": r.bridge.to_dict(),
                    }
                    for t, r in self.retention_by_tier.items()
                },
                "bridge": self.retention.bridge.to_dict(),
            }
        return _json_safe(result)


@overload
def _json_safe(value: dict) -> dict: ...
@overload
def _json_safe(value: object) -> object: ...
def _json_safe(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def has_prior(accounts: pd.DataFrame) -> bool:
    """True when the data carries a prior-year ARR column (retention is computable)."""
    return "arr_prior" in accounts and accounts["arr_prior"].notna().any()


def retention_tiers(
    accounts: pd.DataFrame, assignment: TierAssignment, basis: str
) -> tuple[pd.Series, pd.Series, str, str]:
    """Start-of-period and current tier for retention under ``basis`` (see :data:`TIER_BASES`).

    Returns ``(start_tier, current_tier, basis used, note)``. "assigned" takes the assigned
    ``tier`` as the tier at the start of the period (a snapshot carries one tier per account);
    blank cells take the scorecard tier, and data without the column falls back to the
    scorecard altogether — the note says which.
    """
    validate_tier_basis(basis)
    scored_start, scored_now = assignment.start_tier.astype(object), assignment.tier.astype(object)
    if basis == "scorecard":
        return scored_start, scored_now, "scorecard", "Tier: the scorecard on prior ARR."
    if not has_assigned_tiers(accounts):
        note = "Tier: the scorecard on prior ARR (no assigned tier column in the data)."
        return scored_start, scored_now, "scorecard", note
    assigned = accounts["tier"].astype(object)
    prior = accounts["arr_prior"] if "arr_prior" in accounts else pd.Series(0.0, index=accounts.index)
    existing = prior.fillna(0) > 0
    blank = int((assigned.isna() & existing).sum())
    note = "Tier: the assigned tier column."
    if blank:
        note += f" {blank} account(s) with prior ARR and no assigned tier use the scorecard tier."
    start = assigned.where(assigned.notna(), scored_start).where(existing)
    return start, assigned.where(assigned.notna(), scored_now), "assigned", note


def analyze(
    accounts: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    thresholds: Thresholds | None = None,
    capacity: dict[str, float] | None = None,
    available_headcount: float | None = None,
    tier_basis: str = "assigned",
    revenue_bands: RevenueBands | None = None,
    convention: str = CONVENTIONS[0],
    as_of: pd.Timestamp | None = None,
) -> PortfolioAnalysis:
    """Compute every metric for ``accounts`` (a frame from :mod:`portfolio.ingest`).

    Parameters
    ----------
    weights : scorecard weights (default :data:`portfolio.tiers.DEFAULT_WEIGHTS`).
    thresholds : tier cut-offs (default 70/50, or 95/80 when revenue-only).
    capacity : accounts per SAM per tier (default 10/25/75).
    available_headcount : SAMs available (default: the SAMs named in the data).
    tier_basis : tier retention is attributed to, "assigned" (default; falls back to the
        scorecard without a ``tier`` column) or "scorecard" (on prior ARR).
    revenue_bands : ARR bands → revenue points instead of the ARR percentile.
    convention : the NRR/GRR convention (see :mod:`portfolio.retention`).
    as_of : the date the renewal base's year ends (default today; see
        :func:`portfolio.conventions.renewed_in_year`).

    Raises
    ------
    ValueError
        For invalid weights, thresholds or capacity (caller mistakes, not data problems).
    """
    validate_tier_basis(tier_basis)
    validate_convention(convention)
    assignment = tier_accounts(accounts, weights, thresholds, revenue_bands=revenue_bands)
    enriched = accounts.assign(
        score=assignment.score.round(2),
        tier=assignment.tier,
        start_tier=assignment.start_tier,
    )
    if "tier" in accounts:
        enriched = enriched.assign(assigned_tier=accounts["tier"])
    overall, by_tier = None, {}
    start, now, basis, note = retention_tiers(accounts, assignment, tier_basis)
    walk, walk_note = None, ""
    if has_prior(accounts):
        back, renewed = reactivated_flags(accounts), renewed_in_year(accounts, as_of)
        arr, prior = accounts["arr"], accounts["arr_prior"]
        overall = retention(arr, prior, convention=convention, reactivated=back, renewed=renewed)
        by_tier = retention_by_tier(
            arr, prior, start, now, convention=convention, reactivated=back, renewed=renewed
        )
        other = convention if convention != CONVENTIONS[0] else CONVENTIONS[1]
        try:
            walk = reconciliation(arr, prior, reactivated=back, renewed=renewed, end=other)
        except ValueError as exc:
            walk_note = str(exc)
    return PortfolioAnalysis(
        accounts=enriched,
        concentration=concentration.summarize(accounts["arr"]),
        tiers=assignment,
        distribution=tier_distribution(accounts["arr"], assignment.tier),
        retention=overall,
        retention_by_tier=by_tier,
        workload=workload(accounts, assignment.tier, capacity, available_headcount),
        tier_basis=basis,
        tier_basis_note=note,
        convention=convention,
        reconciliation=walk,
        reconciliation_note=walk_note,
    )


__all__ = ["PortfolioAnalysis", "analyze", "has_prior"]
