"""The accounts behind a chart's bar or point: one function for every chart that drills down.

:func:`accounts_behind` answers "which accounts make this number?" for

========================  =========================  ===========================================
chart                     key                        the accounts, and what sums to the bar
========================  =========================  ===========================================
``tier-distribution``     a tier                     the tier's accounts; count and Σ arr
``sam-headcount``         a tier                     the tier's accounts; count / capacity = FTE
``retention-by-tier``     a tier                     accounts with prior ARR in the tier at the
                                                     start; NRR = Σ arr / Σ arr_prior
``arr-bridge``            {"tier", "step"}           the step's accounts; Σ measure = the step
``pareto``                account share x ∈ [0, 1]   the largest round(x·n) accounts; Σ arr / total
                                                     = the curve's y
``sam-workload``          {"sam", "tier"}            the SAM's accounts in the tier; count
``action-list``           a key of ACTION_LISTS      see :mod:`portfolio.action_lists`
========================  =========================  ===========================================

Each list says which of its columns sums to the bar (``measure``): ``arr``, ``arr_prior``, or
``arr_change`` = arr − arr_prior (currency per year; a bridge's expansion, contraction and churn
with their sign, as the waterfall draws them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.action_lists import ACTION_LISTS, action_list
from portfolio.analysis import PortfolioAnalysis
from portfolio.capacity import UNASSIGNED
from portfolio.formatting import money, percent
from portfolio.schema import TIERS

CHARTS = (
    "tier-distribution",
    "sam-headcount",
    "retention-by-tier",
    "arr-bridge",
    "pareto",
    "sam-workload",
    "action-list",
)
BRIDGE_STEPS = ("Starting ARR", "Expansion", "Contraction", "Churn", "Reactivation", "New", "Ending ARR")
"""The waterfall's steps, as :func:`reporting.figures.bridge_steps` labels them."""


@dataclass(frozen=True)
class DrillDown:
    """The accounts behind one bar.

    Attributes
    ----------
    title : one line naming the bar and its value ("Strategic: 94 accounts, $48.2M ARR").
    accounts : the analysed accounts behind it (with ``arr_change`` where the bar is a change).
    measure : the column whose sum is the bar's money (``arr``, ``arr_prior`` or ``arr_change``).
    note : what the list leaves out or why it is empty ("" when nothing).
    """

    title: str
    accounts: pd.DataFrame
    measure: str = "arr"
    note: str = ""


def _tier(key: object) -> str:
    if key not in TIERS:
        raise ValueError(f"unknown tier {key!r}: choose one of {', '.join(TIERS)}")
    return str(key)


def _tier_accounts(analysis: PortfolioAnalysis, tier: str) -> pd.DataFrame:
    frame = analysis.accounts
    return _largest_first(frame[frame["tier"] == tier], "arr")


def _largest_first(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    return rows.sort_values(column, ascending=False, kind="stable")


def _no_prior() -> ValueError:
    return ValueError("the data has no prior-year ARR column: retention has no accounts to list")


def _by_tier(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    tier = _tier(key)
    rows = _tier_accounts(analysis, tier)
    return DrillDown(f"{tier}: {len(rows):,} accounts, {money(rows['arr'].sum())} ARR", rows)


def _headcount(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    tier = _tier(key)
    rows = _tier_accounts(analysis, tier)
    capacity = float(analysis.workload.by_tier.loc[tier, "capacity"])
    fte = len(rows) / capacity
    return DrillDown(f"{tier}: {len(rows):,} accounts need {fte:.1f} SAMs at {capacity:g} per SAM", rows)


def _retention(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    tier = _tier(key)
    if analysis.retention is None or analysis.retention_start_tier is None:
        raise _no_prior()
    frame = analysis.accounts
    prior = frame["arr_prior"].astype(float).fillna(0.0)
    rows = _largest_first(frame[(analysis.retention_start_tier == tier) & (prior > 0)], "arr_prior")
    rows = rows.assign(arr_change=rows["arr"].astype(float) - rows["arr_prior"].astype(float))
    r = analysis.retention_by_tier[tier]
    title = (
        f"{tier} a year ago: {len(rows):,} accounts, {money(r.bridge.starting)} → "
        f"{money(rows['arr'].sum())} (NRR {percent(r.nrr)}, GRR {percent(r.grr)})"
    )
    return DrillDown(title, rows, "arr_prior", analysis.tier_basis_note)


def _bridge(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    if not isinstance(key, dict) or key.get("step") not in BRIDGE_STEPS:
        raise ValueError(f"a bridge step is one of {', '.join(BRIDGE_STEPS)}")
    if analysis.retention is None or analysis.retention_start_tier is None:
        raise _no_prior()
    tier, step = key.get("tier") or "All", key["step"]
    frame = analysis.accounts
    arr, prior = frame["arr"].astype(float), frame["arr_prior"].astype(float).fillna(0.0)
    flags = analysis.reactivated if analysis.reactivated is not None else False
    back = (prior == 0) & (arr > 0) & flags
    existing, new = prior > 0, (prior == 0) & (arr > 0) & ~back
    if tier != "All":
        existing &= analysis.retention_start_tier == _tier(tier)
        new &= analysis.retention_current_tier == tier
        back &= analysis.retention_current_tier == tier
    as_expansion = analysis.convention == "reactivation_as_expansion"  # then inside expansion
    rows, measure = {
        "Starting ARR": (existing, "arr_prior"),
        "Expansion": ((existing & (arr > prior)) | (back if as_expansion else False), "arr_change"),
        "Contraction": (existing & (arr > 0) & (arr < prior), "arr_change"),
        "Churn": (existing & (arr == 0), "arr_change"),
        "Reactivation": (back & (not as_expansion), "arr"),
        "New": (new, "arr"),
        "Ending ARR": ((existing | new | back) & (arr > 0), "arr"),
    }[step]
    listed = frame[rows]
    if measure == "arr_change":
        listed = listed.assign(arr_change=(arr - prior)[rows])
    listed = listed.reindex(listed[measure].abs().sort_values(ascending=False, kind="stable").index)
    title = f"{step} ({tier if tier != 'All' else 'all tiers'}): {len(listed):,} accounts, "
    total = money(float(listed[measure].sum()), signed=measure == "arr_change")
    return DrillDown(title + total, listed, measure)


def _pareto(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    try:
        share = float(key)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError("a Pareto point is a share of accounts between 0 and 1") from None
    if not 0 <= share <= 1:
        raise ValueError("a Pareto point is a share of accounts between 0 and 1")
    frame = analysis.accounts
    active = frame[frame["arr"] > 0]
    ranked = active.sort_values("arr", ascending=False, kind="stable")  # as pareto_points ranks
    n = int(np.round(share * len(ranked)))
    rows = ranked.iloc[:n]
    total = float(active["arr"].sum())
    arr_share = rows["arr"].sum() / total if total else 0.0
    title = f"The largest {n:,} accounts ({percent(n / max(len(ranked), 1))}): {percent(arr_share)} of ARR"
    return DrillDown(title, rows)


def _sam(analysis: PortfolioAnalysis, key: object) -> DrillDown:
    if not isinstance(key, dict) or not isinstance(key.get("sam"), str):
        raise ValueError("a SAM bar names a SAM and a tier")
    sam, tier = key["sam"], _tier(key.get("tier"))
    by_sam = analysis.workload.by_sam
    if sam not in by_sam.index or sam == UNASSIGNED:
        raise ValueError(f"no SAM named {sam!r} in the data")
    frame = analysis.accounts
    rows = _largest_first(frame[(frame["sam"].astype(object) == sam) & (frame["tier"] == tier)], "arr")
    capacity = float(analysis.workload.by_tier.loc[tier, "capacity"])
    title = (
        f"{sam}: {len(rows):,} {tier} accounts ({len(rows) / capacity:.0%} of one SAM), "
        f"{money(rows['arr'].sum())} ARR"
    )
    return DrillDown(title, rows)


def _action(analysis: PortfolioAnalysis, key: object, as_of: pd.Timestamp | None) -> DrillDown:
    if key not in ACTION_LISTS:
        raise ValueError(f"unknown action list {key!r}: choose one of {', '.join(ACTION_LISTS)}")
    when = pd.Timestamp.today().normalize() if as_of is None else pd.Timestamp(as_of)
    found = action_list(analysis.accounts, str(key), as_of=when)
    rows, measure = found.accounts, found.measure
    total = money(float(rows[measure].sum()), signed=measure == "arr_change")
    title = f"{found.title}: {len(rows):,} accounts, {total}" + (" ARR" if measure == "arr" else "")
    note = found.note
    if as_of is None and key in ("renewal-90", "renewal-180"):
        note = " ".join(filter(None, ["Counted from today: the data has no as-of date.", note]))
    return DrillDown(title, rows, measure, note)


def accounts_behind(
    analysis: PortfolioAnalysis, chart: str, key: object, *, as_of: pd.Timestamp | None = None
) -> DrillDown:
    """The accounts behind the bar or point ``key`` of ``chart`` (see the module's table).

    ``as_of``: the reference date of the renewal lists (default today). Raises ValueError, with
    a sentence a user can read, for an unknown chart or key.
    """
    if chart == "action-list":
        return _action(analysis, key, as_of)
    handlers = {
        "tier-distribution": _by_tier,
        "sam-headcount": _headcount,
        "retention-by-tier": _retention,
        "arr-bridge": _bridge,
        "pareto": _pareto,
        "sam-workload": _sam,
    }
    if chart not in handlers:
        raise ValueError(f"no drill-down for the chart {chart!r}")
    return handlers[chart](analysis, key)


__all__ = ["BRIDGE_STEPS", "CHARTS", "DrillDown", "accounts_behind"]
