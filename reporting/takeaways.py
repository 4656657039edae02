"""One computed sentence per analysis chart: the board pack's takeaways and the charts' text
summaries."""

from __future__ import annotations

import numpy as np

from portfolio.analysis import PortfolioAnalysis
from portfolio.cohorts import Cohorts
from portfolio.datafacts import in_sentence, retention_names
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from portfolio.tiers import tier_start_arr
from portfolio.trends import Trend


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
                if w.headcount_known
                else "no SAM column: enter the SAM headcount to compare."
            )
        ),
    }
    if analysis.retention is None:
        text["retention-by-tier"] = "Retention needs a prior-year ARR column."
    else:
        r = analysis.retention
        s = analysis.retention_by_tier.get(TIERS[0])
        net, gross = analysis.retention_names
        benchmarks = "" if analysis.facts.transactional else " (benchmarks: 120%+ and 92–98%)"
        strategic_text = (
            f"Strategic {net} {percent(s.nrr)} and {gross} {percent(s.grr)}{benchmarks}"
            if s
            else "No strategic accounts a year ago"
        )
        text["retention-by-tier"] = f"{strategic_text}; all tiers {net} {percent(r.nrr)}."
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
        f"{money(-b.churn)}, "
        + (f"reactivation {money(b.reactivation)}, " if b.reactivation else "")
        + f"new {money(b.new)}."
    )


def trend_takeaways(trend: Trend) -> dict[str, str]:
    """One sentence per Trends chart (``trend-retention``, ``trend-arr``, ``trend-bridge``):
    first against last quarter end, from the numbers :mod:`reporting.figures` draws."""
    if not trend.points:
        sentence = f"No trend: {trend.note}."
        return dict.fromkeys(("trend-retention", "trend-arr", "trend-bridge"), sentence)
    first, last = trend.points[0], trend.points[-1]
    span = f"from the year to {first.as_of:%Y-%m-%d} to the year to {last.as_of:%Y-%m-%d}"
    s0, s1 = first.by_tier[TIERS[0]], last.by_tier[TIERS[0]]
    b = last.retention.bridge
    worst = max(trend.points, key=lambda p: p.retention.bridge.churn)
    net, gross = retention_names(not trend.subscription_like)
    return {
        "trend-retention": (
            f"{net} went from {percent(first.retention.nrr)} to {percent(last.retention.nrr)} and "
            f"{in_sentence(gross)} from {percent(first.retention.grr)} to {percent(last.retention.grr)} "
            f"{span}; strategic accounts' {in_sentence(net)} from {percent(s0.nrr)} to {percent(s1.nrr)}."
        ),
        "trend-arr": (
            f"ARR went from {money(first.total_arr)} to {money(last.total_arr)} {span}; the "
            f"strategic share of ARR from {percent(first.strategic_share)} to "
            f"{percent(last.strategic_share)}."
        ),
        "trend-bridge": (
            f"In the year to {last.as_of:%Y-%m-%d}: expansion {money(b.expansion)}, new "
            f"{money(b.new)}, contraction {money(-b.contraction)}, churn {money(-b.churn)}, net "
            f"{money(b.ending - b.starting, signed=True)}; churn was largest in the year to "
            f"{worst.as_of:%Y-%m-%d} ({money(-worst.retention.bridge.churn)})."
        ),
    }


def cohort_takeaway(cohorts: Cohorts | None, who: str = "accounts") -> str:
    """The cohort chart's sentence: the oldest cohort's revenue kept to the as-of date, and the
    newest cohort with a year behind it after one year."""
    if cohorts is None or not len(cohorts.years):
        return f"No {who} with revenue in this history."
    kept = cohorts.retained
    last = int((~np.isnan(kept[0])).sum()) - 1
    if last == 0:
        return f"The history has one year: {cohorts.accounts.sum():,} {who} with revenue in it."
    text = (
        f"The {cohorts.accounts[0]:,} {who} with revenue in the year to {cohorts.years[0]:%Y-%m-%d} "
        f"(the history's first) keep {percent(kept[0, last], 0)} of that year's revenue {last} "
        f"year{'' if last == 1 else 's'} later"
    )
    second = [c for c in range(len(cohorts.years)) if kept.shape[1] > 1 and np.isfinite(kept[c, 1])]
    if len(second) > 1:
        c = second[-1]
        text += (
            f"; the {cohorts.accounts[c]:,} that started in the year to {cohorts.years[c]:%Y-%m-%d} "
            f"keep {percent(kept[c, 1], 0)} after one year"
        )
    return text + "."


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


# ---- The board pack's conclusions: slide titles and the executive summary ----

NRR_STRONG = 1.20
"""NRR a strategic-account portfolio calls strong (the Overview's benchmark)."""
GRR_BENCHMARK = (0.92, 0.98)
"""The GRR benchmark band (fractions): a tier keeping less than 92% of last year's ARR leaks."""


def leakiest_tier(analysis: PortfolioAnalysis) -> tuple[str, float] | None:
    """The start-of-period tier with the lowest GRR and its leak, ``1 − GRR`` (the fraction of
    its starting ARR lost to churn and contraction in the year); None without retention."""
    rows = {t: r for t, r in analysis.retention_by_tier.items() if np.isfinite(r.grr)}
    if analysis.retention is None or not rows:
        return None
    tier = min(rows, key=lambda t: rows[t].grr)
    return tier, 1 - rows[tier].grr


def _retention_title(analysis: PortfolioAnalysis) -> str:
    leak = leakiest_tier(analysis)
    if leak is None:
        return "Retention needs a prior-year ARR column"
    tier, lost = leak
    if analysis.facts.transactional:  # order data: repeat revenue, no subscription benchmark
        return f"{tier} customers spent {percent(lost, 0)} less than last year (repeat revenue)"
    if lost <= 1 - GRR_BENCHMARK[0]:
        return f"Every tier keeps at least {percent(1 - lost, 0)} of its ARR (GRR benchmark 92–98%)"
    return f"{tier} tier leaks {percent(lost, 0)} of ARR a year"


def _coverage(analysis: PortfolioAnalysis) -> tuple[float, float] | None:
    """Strategic SAMs (FTE) required and available; None when no strategic account."""
    row = analysis.workload.by_tier.loc[TIERS[0]]
    if not row["accounts"]:
        return None
    return float(row["required_fte"]), float(row["available_fte"])


def _coverage_title(analysis: PortfolioAnalysis) -> str:
    w = analysis.workload
    cover = _coverage(analysis)
    if cover is None:
        return f"The portfolio needs {w.required_headcount} SAMs; it has no strategic account"
    required, available = cover
    if available <= 0:
        return f"Strategic accounts need {required:.1f} SAMs; none is available to compare"
    if available + 1e-9 >= required:
        return f"Strategic accounts are covered: {available:g} SAMs for {required:.1f} needed"
    share = percent(available / required, 0)
    return f"Strategic accounts are {share} covered: {available:g} SAMs for {required:.1f} needed"


def conclusion_titles(analysis: PortfolioAnalysis, currency: str = "$") -> dict[str, str]:
    """A slide title per analysis chart that states what its numbers say (not the topic)."""
    c = analysis.concentration
    dist = analysis.distribution
    strategic = dist.loc[TIERS[0]]
    titles = {
        "pareto": (
            f"{c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct, 0)}) "
            "bring 80% of ARR"
            if c.active_accounts
            else "No account has ARR"
        ),
        "tier-distribution": (
            f"{int(strategic['accounts']):,} strategic account{'' if strategic['accounts'] == 1 else 's'} "
            f"hold{'s' if strategic['accounts'] == 1 else ''} "
            f"{percent(strategic['arr_share'], 0)} of ARR"
        ),
        "retention-by-tier": _retention_title(analysis),
        "sam-headcount": _coverage_title(analysis),
    }
    if analysis.retention is None:
        titles["arr-bridge"] = "The ARR bridge needs a prior-year ARR column"
    else:
        b = analysis.retention.bridge
        change = (b.ending - b.starting) / b.starting if b.starting else float("nan")
        lost = b.churn + b.contraction
        titles["arr-bridge"] = (
            f"ARR {'grew' if change >= 0 else 'fell'} {percent(abs(change), 0)} in the year; churn and "
            f"contraction took {money(lost, currency)}"
        )
    return titles


def executive_summary(
    analysis: PortfolioAnalysis, recommendation: object | None = None, currency: str = "$"
) -> list[str]:
    """Three to four so-whats from the numbers: concentration risk, the leakiest tier's retention
    against the benchmark, strategic SAM coverage, and — given ``recommendation`` (anything with
    a ``to_dict()`` of ``{"add": [...], "remove": [...], "expected_npv": {"mean", "p5", "p95"}}``,
    e.g. :func:`simulation.recommend`'s result) — the recommended move with its NPV and interval."""
    c = analysis.concentration
    lines = [
        f"Concentration: the top 10 accounts hold {percent(c.top_10_share, 0)} of ARR and the "
        f"largest {percent(c.top_1_share, 1)}; {c.accounts_for_80pct:,} accounts "
        f"({percent(c.share_of_accounts_for_80pct, 0)}) bring 80% (Gini {c.gini:.2f})."
    ]
    leak = leakiest_tier(analysis)
    if leak is None:
        lines.append("Retention: the data has no prior-year ARR, so no tier's retention can be measured.")
    else:
        tier = leak[0]
        r = analysis.retention_by_tier[tier]
        against = "below" if r.grr < GRR_BENCHMARK[0] else "within" if r.grr <= GRR_BENCHMARK[1] else "above"
        if analysis.facts.transactional:
            lines.append(
                f"Repeat revenue: last year's {tier} customers kept {percent(r.grr, 0)} of their "
                f"spend (gross) and {percent(r.nrr, 0)} net; order data, so no subscription "
                "benchmark applies, and tiers by last year's spend regress towards the mean."
            )
        else:
            lines.append(
                f"Retention: the {tier} tier keeps {percent(r.grr, 0)} of last year's ARR (GRR, "
                f"{against} the 92–98% benchmark); its NRR is {percent(r.nrr, 0)} (strong ≥ 120%)."
            )
    cover = _coverage(analysis)
    if cover is None:
        lines.append("SAM coverage: no strategic account to cover.")
    else:
        required, available = cover
        have = (
            f"{available:g} are available ({percent(available / required, 0)} coverage)."
            if available > 0
            else "the data names no SAM and no headcount was entered to compare."
        )
        lines.append(f"SAM coverage: strategic accounts need {required:.1f} SAMs at the set capacity; {have}")
    if recommendation is not None:
        lines.append(recommendation_sentence(recommendation.to_dict(), currency))  # type: ignore[attr-defined]
    return lines


def recommendation_sentence(rec: dict, currency: str = "$") -> str:
    """The recommended move in one line: ``rec`` as ``{"add": [...], "remove": [...],
    "expected_npv": {"mean", "p5", "p95"}}`` (currency)."""
    npv = rec["expected_npv"]
    add, remove = list(rec.get("add", [])), list(rec.get("remove", []))
    sams = rec.get("sams")
    with_sams = f" with {sams:g} strategic SAM{'' if sams == 1 else 's'}" if sams is not None else ""
    return (
        f"Recommended move{with_sams}: make {len(add):,} account{'' if len(add) == 1 else 's'} "
        f"strategic and take {len(remove):,} out of the strategic tier; expected NPV "
        f"{money(npv['mean'], currency, signed=True)} "
        f"(P5 {money(npv['p5'], currency)} to P95 {money(npv['p95'], currency)}), "
        "resting on the treatment effect and economics on the method slide."
    )
