"""One call for every portfolio metric: the shape the CLI, the dashboard and exports share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import overload

import numpy as np
import pandas as pd

from portfolio import concentration
from portfolio.capacity import Workload, workload
from portfolio.conventions import Reconciliation, reactivated_flags, reconciliation, renewed_in_year
from portfolio.datafacts import DataFacts, facts_of, retention_names
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
    current_tiers,
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
    facts : currency, as-of date and data kind of the data (:mod:`portfolio.datafacts`).
    retention_start_tier, retention_current_tier : per account, the tier retention counts it in
        at the start of the period and now (under ``tier_basis``); the drill-down lists use them.
    current_tier : per account, the tier the company runs today
        (:func:`portfolio.tiers.current_tiers` of the whole portfolio): the Simulator's baseline
        and the Decisions page's "today"; the scorecard's ``tiers`` are the proposed tiers.
    reactivated : per account, True when it came back this year after a year without revenue
        (:func:`portfolio.conventions.reactivated_flags`); None when the data cannot say.
    filter_note : which accounts the figures cover (a segment filter, see
        :mod:`portfolio.segments`); "" when the caller gave none.
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
    facts: DataFacts = field(default_factory=DataFacts)
    retention_start_tier: pd.Series | None = None
    retention_current_tier: pd.Series | None = None
    reactivated: pd.Series | None = None
    current_tier: pd.Series | None = None
    filter_note: str = ""
    convention: str = CONVENTIONS[0]
    reconciliation: Reconciliation | None = None
    reconciliation_note: str = ""

    @property
    def retention_names(self) -> tuple[str, str]:
        """Net and gross retention as this data calls them: NRR/GRR, or repeat-revenue
        retention for order data (:func:`portfolio.datafacts.retention_names`)."""
        return retention_names(self.facts.transactional)

    def to_dict(self) -> dict:
        """JSON-ready dict: shares and rates are fractions; amounts in ``currency`` (ISO 4217);
        ``as_of`` ``YYYY-MM-DD`` or None; NaN becomes ``None``."""
        c = self.concentration
        result = {
            "currency": self.facts.currency,
            "as_of": self.facts.to_dict()["as_of"],
            "data_kind": self.facts.data_kind,
            "data_facts": self.facts.to_dict(),
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
            "filter": self.filter_note or None,
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
                "names": dict(zip(("net", "gross"), self.retention_names, strict=True)),
                "benchmarks_apply": not self.facts.transactional,
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


@dataclass(frozen=True)
class Tiering:
    """What the scorecard settings alone decide, for the whole portfolio: scores and tiers
    (``assignment``), every SAM's workload under them, and the tiers the company runs today
    (:func:`portfolio.tiers.current_tiers`). The segment filter, tier basis and NRR convention
    do not change it, so a dashboard can keep it while those switch."""

    assignment: TierAssignment
    workload: Workload
    current_tier: pd.Series


def tiering(
    accounts: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    thresholds: Thresholds | None = None,
    capacity: dict[str, float] | None = None,
    available_headcount: float | None = None,
    revenue_bands: RevenueBands | None = None,
    current_tier: pd.Series | None = None,
    scores: tuple[pd.Series, pd.Series] | None = None,
) -> Tiering:
    """Score and tier every account of ``accounts`` and compute the SAM workload (see
    :func:`analyze` for the parameters). ``current_tier``: :func:`portfolio.tiers.current_tiers`
    of ``accounts`` when the caller keeps it (it depends on the data alone); ``scores``:
    :func:`portfolio.tiers.scores_now_and_at_start` for these weights and bands, when kept."""
    assignment = tier_accounts(accounts, weights, thresholds, revenue_bands=revenue_bands, scores=scores)
    load = workload(accounts, assignment.tier, capacity, available_headcount)  # every SAM's whole book
    today = current_tier if current_tier is not None else current_tiers(accounts)[0]
    return Tiering(assignment, load, today)


def analyze(
    accounts: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    thresholds: Thresholds | None = None,
    capacity: dict[str, float] | None = None,
    available_headcount: float | None = None,
    tier_basis: str = "assigned",
    revenue_bands: RevenueBands | None = None,
    facts: DataFacts | None = None,
    rows: pd.Series | None = None,
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
    facts : currency, as-of date and data kind (default: those ``accounts`` carry,
        :func:`portfolio.datafacts.facts_of`).
    rows : boolean mask (``accounts``' index) of the accounts to report on — a segment filter.
        Scores and tiers are computed on the whole portfolio first, so an
        account keeps its tier whichever filter is on; every figure then covers ``rows`` only,
        except the SAM workload: a SAM's load is their whole book (a filter to one segment
        must not make an overloaded SAM look free).
    convention : the NRR/GRR convention (see :mod:`portfolio.retention`).
    as_of : the date the renewal base's year ends (default: the data's as-of date, else today;
        see :func:`portfolio.conventions.renewed_in_year`).

    Raises
    ------
    ValueError
        For invalid weights, thresholds or capacity (caller mistakes, not data problems).
    """
    tiered = tiering(
        accounts,
        weights=weights,
        thresholds=thresholds,
        capacity=capacity,
        available_headcount=available_headcount,
        revenue_bands=revenue_bands,
    )
    return analyze_tiered(
        accounts, tiered, tier_basis=tier_basis, facts=facts, rows=rows, convention=convention, as_of=as_of
    )


def analyze_tiered(
    accounts: pd.DataFrame,
    tiered: Tiering,
    *,
    tier_basis: str = "assigned",
    facts: DataFacts | None = None,
    rows: pd.Series | None = None,
    convention: str = CONVENTIONS[0],
    as_of: pd.Timestamp | None = None,
) -> PortfolioAnalysis:
    """:func:`analyze` from the :func:`tiering` of ``accounts`` (the whole portfolio, whatever
    ``rows`` keeps): the same result, without scoring again."""
    validate_tier_basis(tier_basis)
    validate_convention(convention)
    facts = facts if facts is not None else facts_of(accounts)  # before a filter takes rows
    as_of = as_of if as_of is not None else facts.as_of
    assignment, load, today = tiered.assignment, tiered.workload, tiered.current_tier
    start, now, basis, note = retention_tiers(accounts, assignment, tier_basis)
    enriched = accounts.assign(
        score=assignment.score.round(2),
        tier=assignment.tier,
        start_tier=assignment.start_tier,
    )
    if "tier" in accounts:
        enriched = enriched.assign(assigned_tier=accounts["tier"])
    if rows is not None:
        accounts, enriched, start, now = accounts[rows], enriched[rows], start[rows], now[rows]
        today = today[rows]
        assignment = _restricted(assignment, rows, accounts["account_id"])
    overall, by_tier = None, {}
    walk, walk_note, back = None, "", None
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
        workload=load,
        tier_basis=basis,
        tier_basis_note=note,
        convention=convention,
        reconciliation=walk,
        reconciliation_note=walk_note,
        facts=facts,
        retention_start_tier=start,
        retention_current_tier=now,
        reactivated=back,
        current_tier=today,
    )


def _restricted(assignment: TierAssignment, rows: pd.Series, kept_ids: pd.Series) -> TierAssignment:
    """``assignment`` for the accounts in ``rows`` only (scores and tiers as computed on all)."""
    disagreements = assignment.disagreements
    if len(disagreements):
        disagreements = disagreements[disagreements["account_id"].isin(kept_ids)].reset_index(drop=True)
    return replace(
        assignment,
        score=assignment.score[rows],
        tier=assignment.tier[rows],
        start_score=assignment.start_score[rows],
        start_tier=assignment.start_tier[rows],
        disagreements=disagreements,
    )


__all__ = ["PortfolioAnalysis", "Tiering", "analyze", "analyze_tiered", "has_prior", "tiering"]
