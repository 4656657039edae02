"""One computed sentence per analysis chart: the board pack's takeaways and the charts' text
summaries."""

from __future__ import annotations

from portfolio.analysis import PortfolioAnalysis
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from portfolio.tiers import tier_start_arr


def _scores_takeaway(analysis: PortfolioAnalysis) -> str:
    t = analysis.tiers
    if t.revenue_only and t.revenue_method == "percentile":
        starts = tier_start_arr(analysis.accounts["arr"], analysis.accounts["tier"])
        named = " and ".join(f"{tier} from {money(arr)}" for tier, arr in starts.items())
        return (
            f"Revenue-only tiers cut the ARR percentile at {t.thresholds.strategic:g} and "
            f"{t.thresholds.key:g}: {named or 'no Strategic or Key account'} of ARR."
        )
    return (
        f"Tiers cut the scorecard at {t.thresholds.strategic:g} (Strategic) and {t.thresholds.key:g} (Key)."
    )


def takeaways(analysis: PortfolioAnalysis) -> dict[str, str]:
    """One sentence per analysis chart, from the numbers."""
    c = analysis.concentration
    dist = analysis.distribution
    strategic = dist.loc[TIERS[0]]
    active = max(int(dist["accounts"].sum()), 1)
    w = analysis.workload
    text = {
        "pareto": (
            f"{c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct)}) "
            f"bring 80% of ARR; the largest account alone is {percent(c.top_1_share)}."
        ),
        "lorenz": f"ARR is unequally spread: Gini {c.gini:.2f} (0 = all equal, 1 = one account).",
        "tier-distribution": (
            f"{int(strategic['accounts'])} strategic accounts "
            f"({percent(strategic['accounts'] / active)} of accounts) hold "
            f"{percent(strategic['arr_share'])} of ARR."
        ),
        "scores": _scores_takeaway(analysis),
        "sam-workload": (
            "No SAM column in the data: per-SAM load cannot be shown."
            if not w.has_sams
            else f"{len(w.overloaded_sams)} SAM(s) are over capacity."
            if w.overloaded_sams
            else "No SAM is over capacity."
        ),
        "sam-headcount": (
            f"The portfolio needs {w.required_headcount} SAMs ({w.required_fte:.1f} FTE); "
            + (
                f"{w.available_headcount:g} are available"
                + (f", {w.strategic_sams} of them carrying strategic accounts." if w.has_sams else ".")
                if w.has_sams or w.available_headcount > 0
                else "no SAM column: enter the SAM headcount to compare."
            )
        ),
    }
    if analysis.retention is None:
        text["retention-by-tier"] = "Retention needs a prior-year ARR column."
    else:
        r = analysis.retention
        s = analysis.retention_by_tier.get(TIERS[0])
        strategic_text = (
            f"Strategic NRR {percent(s.nrr)} and GRR {percent(s.grr)} (benchmarks: 120%+ and 92–98%)"
            if s
            else "No strategic accounts a year ago"
        )
        text["retention-by-tier"] = f"{strategic_text}; all tiers NRR {percent(r.nrr)}."
    text["arr-bridge"] = arr_bridge_takeaway(analysis)
    return text


def arr_bridge_takeaway(analysis: PortfolioAnalysis, tier: str | None = None) -> str:
    """The ARR bridge's sentence, for all tiers or (``tier`` one the data has) for the accounts
    that were in ``tier`` a year ago: what :func:`reporting.figures.arr_bridge_figure` shows."""
    if analysis.retention is None:
        return "The ARR bridge needs a prior-year ARR column."
    if tier in analysis.retention_by_tier:
        b = analysis.retention_by_tier[tier].bridge
        subject = f"{tier} accounts' ARR"
    else:
        b = analysis.retention.bridge
        subject = "ARR"
    return (
        f"{subject} went from {money(b.starting)} to {money(b.ending)}: expansion "
        f"{money(b.expansion)}, contraction {money(-b.contraction)}, churn "
        f"{money(-b.churn)}, new {money(b.new)}."
    )


def scorecard_statement(analysis: PortfolioAnalysis) -> str:
    """How tiers are scored, in one or two sentences: revenue-only or the weighted scorecard,
    where the revenue score comes from, and the thresholds in use (with why, when revenue-only)."""
    t = analysis.tiers
    revenue = {
        "column": "the file's revenue_score column (0–10)",
        "bands": f"points from ARR bands ({t.revenue_bands})",
        "percentile": "the ARR percentile",
    }[t.revenue_method]
    cut = f"Strategic ≥ {t.thresholds.strategic:g}, Key ≥ {t.thresholds.key:g}"
    if t.revenue_only:
        return (
            f"Revenue-only selection: the file has no scorecard column, so the score (0–100) is "
            f"10 × {revenue}. Thresholds now: {cut}. Revenue-only data starts at 95/80 — the top "
            "5% of accounts by ARR Strategic and the next 15% Key — because a percentile cut at "
            "70/50 would make 30% of accounts strategic."
        )
    return f"Weighted scorecard; revenue is scored from {revenue}. Thresholds now: {cut}."
