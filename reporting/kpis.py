"""The Overview's KPI cards: value and a one-line reading against a benchmark."""

from __future__ import annotations

import math
from dataclasses import dataclass

from portfolio.analysis import PortfolioAnalysis
from portfolio.datafacts import in_sentence
from portfolio.formatting import money, percent


@dataclass(frozen=True)
class Kpi:
    title: str
    value: str
    reading: str
    tone: str  # bootstrap colour: success, warning, danger, secondary


def _nrr_reading(nrr: float) -> tuple[str, str]:
    if math.isnan(nrr):
        return "no prior-year ARR in the data", "secondary"
    if nrr >= 1.2:
        return "strong (benchmark: 120%+)", "success"
    if nrr >= 1.0:
        return "growing, below the 120% mark of strong", "warning"
    return "shrinking: below 100%", "danger"


def _grr_reading(grr: float) -> tuple[str, str]:
    if math.isnan(grr):
        return "no prior-year ARR in the data", "secondary"
    if grr >= 0.92:
        return "within the 92–98% benchmark" if grr <= 0.98 else "above the 92–98% benchmark", "success"
    return "below the 92–98% benchmark", "danger" if grr < 0.85 else "warning"


def _strategic_reading(analysis: PortfolioAnalysis) -> tuple[str, str]:
    """Strategic accounts per strategic SAM against the capacity set, and its tone: green only
    when the average is within capacity and no strategic SAM is over capacity (the Capacity
    page's load bars)."""
    w = analysis.workload
    n_strategic = int(analysis.distribution.loc["Strategic", "accounts"])
    capacity = float(w.by_tier.loc["Strategic", "capacity"])
    if not w.has_sams:
        return "no SAM column: enter the SAM headcount", "secondary"
    if not w.strategic_sams:
        return "no SAM carries a strategic account", "warning" if n_strategic else "secondary"
    per_sam = n_strategic / w.strategic_sams
    text = (
        f"{per_sam:.1f} per SAM on {w.strategic_sams} strategic SAMs, capacity {capacity:g} "
        f"({per_sam / capacity:.0%})"
    )
    if w.strategic_sams_overloaded:
        text += f"; {w.strategic_sams_overloaded} over capacity"
    if per_sam > capacity:
        return text, "danger"
    return text, "warning" if w.strategic_sams_overloaded else "success"


def _retention_kpis(analysis: PortfolioAnalysis, nrr: float, grr: float) -> list[Kpi]:
    """NRR and GRR against the SaaS benchmarks; for order (transactional) data, repeat-revenue
    retention in neutral colours, saying why no benchmark applies."""
    if not analysis.facts.transactional:
        return [Kpi("NRR", percent(nrr), *_nrr_reading(nrr)), Kpi("GRR", percent(grr), *_grr_reading(grr))]
    net, gross = analysis.retention_names
    why = "order data: no SaaS benchmark applies"
    return [Kpi(net, percent(nrr), why, "secondary"), Kpi(gross, percent(grr), why, "secondary")]


def overview_kpis(analysis: PortfolioAnalysis) -> list[Kpi]:
    """KPI cards in display order."""
    c = analysis.concentration
    dist = analysis.distribution
    w = analysis.workload
    r = analysis.retention
    nrr = r.nrr if r else float("nan")
    grr = r.grr if r else float("nan")
    strategic_r = analysis.retention_by_tier.get("Strategic")
    strategic_grr = strategic_r.grr if strategic_r else float("nan")
    n_strategic = int(dist.loc["Strategic", "accounts"])
    per_sam_text, per_sam_tone = _strategic_reading(analysis)
    top20_tone = "danger" if c.top_20pct_share > 0.8 else "warning" if c.top_20pct_share > 0.6 else "success"
    gini_tone = "danger" if c.gini > 0.7 else "warning" if c.gini > 0.5 else "success"
    coverage = w.available_headcount / w.required_fte if w.required_fte else float("inf")
    cover_tone = "success" if coverage >= 1 else "warning" if coverage >= 0.85 else "danger"
    if w.headcount_known:
        cover_value = f"{w.available_headcount:g} / {w.required_headcount}"
        cover_reading = (
            f"available / required SAMs ({w.required_fte:.1f} FTE); {len(w.overloaded_sams)} over capacity"
        )
    else:
        cover_value, cover_tone = f"– / {w.required_headcount}", "secondary"
        cover_reading = (
            f"no SAM column: enter the SAM headcount in the What-if panel ({w.required_headcount} needed)"
        )
    return [
        Kpi("Total ARR", money(c.total_arr), f"{c.active_accounts:,} accounts with ARR", "secondary"),
        Kpi(
            "Accounts",
            f"{len(analysis.accounts):,}",
            f"{c.active_accounts:,} active · {len(analysis.accounts) - c.active_accounts:,} churned",
            "secondary",
        ),
        Kpi(
            "Top-20% share",
            percent(c.top_20pct_share),
            f"80% of ARR from {c.accounts_for_80pct:,} accounts (Pareto norm: ~20%)",
            top20_tone,
        ),
        Kpi("Gini", f"{c.gini:.2f}", "0 = equal ARR, 1 = one account holds all", gini_tone),
        *_retention_kpis(analysis, nrr, grr),
        Kpi(
            "Strategic accounts",
            f"{n_strategic:,} · {percent(dist.loc['Strategic', 'arr_share'], 0)} of ARR",
            f"{per_sam_text}; strategic {in_sentence(analysis.retention_names[1])} {percent(strategic_grr)}",
            per_sam_tone,
        ),
        Kpi("SAM coverage", cover_value, cover_reading, cover_tone),
    ]
