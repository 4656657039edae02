"""The Simulator page's work without Dash: page inputs → simulation → report, and its tables.

The form is a dict: ``horizon`` (periods), ``period`` (month|quarter), ``correlation``,
``strategic_sams`` (SAMs on the strategic tier today; None = from the data), ``staffing``
("hire": the scenario hires the SAMs the move needs; "keep": it keeps today's SAMs), ``cost_per_sam``
and ``assumptions`` (the assumption grid's rows, percentages; empty = calibrated/defaults).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.fingerprint import dataset_fingerprint
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from portfolio.whatif import analyze_with
from reporting.simulation_report import ReportInputs, SimulationReport, simulation_report
from simulation import (
    Assumptions,
    Scenario,
    SimulationSettings,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
)
from simulation.model import DEFAULT_COST_PER_SAM

PREVIEW_PATHS = 1_000
FULL_PATHS = (2_000, 5_000, 10_000, 20_000, 50_000)
DEFAULT_FORM = {"horizon": 12, "period": "quarter", "correlation": 0.3, "strategic_sams": None,
                "staffing": "hire", "cost_per_sam": DEFAULT_COST_PER_SAM, "assumptions": []}
FIGURES = (("annual_churn", "churn_pct"), ("expansion_drift", "drift_pct"),
           ("volatility", "volatility_pct"))
"""Assumption figures and their grid columns (percent)."""
GRID_STEP = 1e-4
"""The grid's precision as a fraction (0.01 percentage points)."""


def base_assumptions(analysis: PortfolioAnalysis, correlation: float) -> Assumptions:
    """:func:`simulation.starting_assumptions` with the page's correlation."""
    return parse_assumptions({"correlation": correlation}, base=starting_assumptions(analysis))


def assumption_rows(assumptions: Assumptions) -> list[dict]:
    """The assumption grid: one row per tier, figures in percent, where they came from."""
    rows = []
    for tier, a in assumptions.tiers.items():
        basis = f"calibrated on {a.accounts} accounts" if a.source == "calibrated" else a.source
        rows.append({"tier": tier, **{col: round(100 * getattr(a, name), 2) for name, col in FIGURES},
                     "source": basis + (f" — {a.note}" if a.note else "")})
    return rows


def assumptions_from_rows(rows: list[dict], base: Assumptions) -> Assumptions:
    """Grid rows → assumptions; a figure that differs from ``base`` becomes explicit.

    ValueError (from :func:`simulation.parse_assumptions`) names a bad value.
    """
    overrides: dict[str, dict[str, float]] = {}
    for row in rows or []:
        tier = row.get("tier")
        if tier not in base.tiers:
            continue
        for name, col in FIGURES:
            try:
                value = float(row.get(col)) / 100
            except (TypeError, ValueError):
                raise ValueError(f"{tier}: {col.replace('_pct', '')} must be a number (percent)") from None
            # the grid shows 2 decimals of a percent: closer than half a step is "unchanged"
            if abs(value - getattr(base.tiers[tier], name)) > GRID_STEP / 2:
                overrides.setdefault(tier, {})[name] = value
    return parse_assumptions({"tiers": overrides}, base=base) if overrides else base


def default_sams(analysis: PortfolioAnalysis) -> float:
    """SAMs on the strategic tier today: the FTE the data's SAMs give it, else what it needs."""
    row = analysis.workload.by_tier.loc[TIERS[0]]
    available = float(row["available_fte"])
    return round(available, 1) if available > 0 else float(row["required_headcount"])


def candidate_rows(analysis: PortfolioAnalysis) -> list[dict]:
    """Active accounts for the selection grid, highest score first."""
    accounts = analysis.accounts
    active = accounts[accounts["tier"].notna() & (accounts["arr"] > 0)]
    frame = pd.DataFrame({
        "account_id": active["account_id"].astype(str), "account_name": active["account_name"],
        "tier": active["tier"].astype(str), "score": active["score"].round(1), "arr": active["arr"],
    }).sort_values(["score", "arr"], ascending=False, kind="stable")
    return frame.to_dict("records")


def next_by_score(rows: list[dict], selected: list[str], n: int) -> list[str]:
    """``selected`` plus the ``n`` highest-scoring non-strategic accounts not yet selected."""
    chosen = list(selected)
    extra = [r["account_id"] for r in rows
             if r["tier"] != TIERS[0] and r["account_id"] not in chosen][:max(0, int(n or 0))]
    return chosen + extra


def simulate(accounts: pd.DataFrame, whatif: dict | None, form: dict, selected: list[str],
             paths: int, progress: Callable[[float], None] | None = None) -> SimulationReport:
    """Run baseline (and the scenario the selection makes) and return the report.

    Ticked non-strategic accounts are promoted, ticked strategic accounts demoted. With
    ``staffing`` "keep" the scenario keeps today's strategic SAMs; with "hire" it hires what the
    move needs. The report carries ``inputs`` (what produced it), ``fingerprint`` (the data it
    was run on) and ``assumption_rows``.
    """
    form = {**DEFAULT_FORM, **{k: v for k, v in form.items() if v is not None}}
    analysis = analyze_with(accounts, whatif)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    assumptions = assumptions_from_rows(
        form["assumptions"], base_assumptions(analysis, float(form["correlation"])))
    tiers = dict(zip(frame["account_id"], frame["tier"], strict=True))
    chosen = [a for a in dict.fromkeys(selected or []) if a in tiers]
    promote = tuple(a for a in chosen if tiers[a] != TIERS[0])
    demote = tuple(a for a in chosen if tiers[a] == TIERS[0])
    sams = form["strategic_sams"]
    sams = default_sams(analysis) if sams in (None, "") else float(sams)
    scenario = None
    if promote or demote:
        scenario = Scenario(promote, demote, None if form["staffing"] == "hire" else sams)
    settings = SimulationSettings(
        paths=int(paths), horizon=int(form["horizon"]), period=form["period"],
        strategic_capacity=float(analysis.workload.by_tier.loc[TIERS[0], "capacity"]),
        strategic_sams=sams, cost_per_sam=float(form["cost_per_sam"]),
    )
    result = run_simulation(frame, assumptions, settings, scenario, progress)
    return replace(simulation_report(result),
                   inputs=ReportInputs(form, tuple(chosen), whatif, int(paths)),
                   fingerprint=dataset_fingerprint(accounts),
                   assumption_rows=tuple(assumption_rows(assumptions)))


def run_label(report: SimulationReport) -> tuple[bool, str]:
    """(is it a preview, the badge text): "Preview: 1,000 paths, seed …" or "Full run: …"."""
    s = report.settings
    preview = s.paths == PREVIEW_PATHS
    return preview, f"{'Preview' if preview else 'Full run'}: {s.paths:,} paths, seed {s.seed}"


def result_kpis(report: SimulationReport) -> list[tuple[str, str, str]]:
    """(title, value, reading) for the result cards."""
    s = report.settings
    when = f"{s.horizon} {s.period}s"
    target = report.target
    ending = target.ending_arr
    cards = [("Expected ARR at the horizon", money(ending.mean),
              f"P5 {money(ending.p5)} – P95 {money(ending.p95)} after {when}")]
    d = report.delta
    if d is not None:
        cards.append(("Scenario − baseline", money(d.mean),
                      f"P5 {money(d.p5)}, P95 {money(d.p95)}; better on "
                      f"{percent(d.prob_better, 0)} of paths"))
    cards += [
        ("NRR / GRR over the horizon", f"{percent(target.nrr.p50, 0)} / "
                                       f"{percent(target.grr.p50, 0)}",
         f"medians; annualised {percent(target.nrr.annualised_p50, 0)} / "
         f"{percent(target.grr.annualised_p50, 0)}"),
        ("Lose a top-10 account", percent(target.prob_lose_top10, 0),
         f"probability within {when}; expected churned ARR {money(target.expected_churned_arr)}"),
    ]
    return cards


def staffing_rows(report: SimulationReport) -> list[dict]:
    """Strategic staffing of baseline and scenario."""
    rows = []
    for variant in report.variants:
        staff = variant.staffing
        rows.append({
            "": variant.name, "strategic accounts": staff.strategic_accounts,
            "SAMs": f"{staff.sams:g}", "SAMs needed": staff.required_sams,
            "load": percent(staff.load, 0) if staff.load is not None else "–",
            "treatment": percent(staff.treatment_strength, 0),
        })
    return rows


def return_text(report: SimulationReport) -> str:
    """One sentence on the SAMs the scenario adds: their cost over the horizon against the
    expected extra revenue, and the return on them."""
    comparison = report.comparison
    if comparison is None:
        return "No scenario: tick accounts to compare."
    added = comparison.added_sams
    if added <= 0:
        return "The scenario adds no SAMs."
    cost = report.settings.cost_per_sam
    return (f"{added:g} more SAM(s) at ${cost:,.0f}/year cost ${comparison.added_cost:,.0f} "
            f"over the horizon against ${comparison.revenue_delta.mean:,.0f} expected extra "
            f"revenue: return {comparison.return_on_sams:.0%}.")


def saved_rows(saved: list, current_fingerprint: str) -> list[dict]:
    """The saved-scenario grid: name, when, which data, and the headline (or why it cannot be
    shown). ``saved``: :class:`storage.scenarios.SavedScenario`-like items."""
    return [{
        "id": item.id, "name": item.name, "created": item.created.strftime("%Y-%m-%d %H:%M UTC"),
        "data": item.data_label + (" · this data" if item.fingerprint == current_fingerprint
                                   else " · other data"),
        "summary": item.report.headline if item.report is not None else item.problem,
    } for item in saved]


def load_message(item, current_fingerprint: str) -> tuple[str, str]:
    """(level, text) on loading a saved scenario: level "ok", "warning" (run on other data: its
    saved results are shown, not results for the data loaded now) or "problem" (unreadable)."""
    if item.report is None:
        return "problem", item.problem
    if item.fingerprint != current_fingerprint:
        return "warning", (f"“{item.name}” was run on other data ({item.data_label}, "
                           f"{item.created:%Y-%m-%d %H:%M} UTC): its saved results are shown, not "
                           "results for the data loaded now.")
    return "ok", f"Loaded “{item.name}”: its saved results are shown."


def comparison_table(saved: list, current_fingerprint: str) -> pd.DataFrame:
    """Saved scenarios side by side: one column per scenario, one row per figure. Items
    without a readable report are left out (see :func:`compare`)."""
    columns = {}
    for item in saved:
        r = item.report
        if r is None:
            continue
        target, delta, comparison, s = r.target, r.delta, r.comparison, r.settings
        columns[f"{item.name} (#{item.id})"] = {
            "data": item.data_label + ("" if item.fingerprint == current_fingerprint
                                       else " (other data)"),
            "paths × horizon": f"{s.paths:,} × {s.horizon} {s.period}s",
            "promoted / demoted": (f"{len(r.scenario.promote)} / {len(r.scenario.demote)}"
                                   if r.scenario is not None else "0 / 0"),
            "expected ending ARR": money(target.ending_arr.mean),
            "P5 – P95": f"{money(target.ending_arr.p5)} – {money(target.ending_arr.p95)}",
            "Δ vs baseline (mean)": money(delta.mean) if delta else "–",
            "P(better than baseline)": percent(delta.prob_better, 0) if delta else "–",
            "NRR / GRR (P50)": f"{percent(target.nrr.p50, 0)} / {percent(target.grr.p50, 0)}",
            "P(lose a top-10 account)": percent(target.prob_lose_top10, 0),
            "SAMs added": f"{comparison.added_sams if comparison else 0:g}",
            "return on added SAMs": (percent(comparison.return_on_sams, 0)
                                     if comparison and comparison.return_on_sams is not None
                                     else "–"),
        }
    return pd.DataFrame(columns)


def compare(saved: list, chosen: int, shown: int, current_fingerprint: str
            ) -> tuple[pd.DataFrame, str]:
    """The comparison table of the ``saved`` items found (the first ``shown`` of ``chosen``
    selected) and a note: how many were left out, and why any cannot be shown."""
    notes = [f"“{item.name}”: {item.problem}" for item in saved if item.report is None]
    if chosen > shown:
        notes.insert(0, f"Showing the first {shown} of {chosen} selected.")
    return comparison_table(saved, current_fingerprint), " ".join(notes)
