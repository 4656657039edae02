"""``portfolio simulate``: the Monte Carlo baseline, and a promote/demote scenario beside it."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import pandas as pd

from cli.errors import CliError
from cli.options import facts_fields, filtered_source, load_and_analyze, source_info
from portfolio.analysis import PortfolioAnalysis
from portfolio.datafacts import describe
from portfolio.formatting import money, percent
from portfolio.jsonfile import read_json
from reporting.simulation_report import SimulationReport, VariantSummary, simulation_report
from reporting.simulator import baseline_tiers, default_sams
from simulation import (
    Scenario,
    SimulationResult,
    SimulationSettings,
    explicit_effect,
    load_assumptions,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
    starting_treatment,
)
from simulation.assumptions import nrr_volatility_sentence


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    try:
        simulated = run_simulation_from_args(args, analysis, accounts=result.accounts)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    assert simulated is not None  # None only when require_scenario
    report = simulation_report(simulated)
    if args.json:
        warnings = list(simulated.assumptions.warnings)
        print(
            json.dumps(
                {
                    **report.summary_dict(),
                    **facts_fields(analysis.facts),
                    "source": source_info(result),
                    "filter": analysis.filter_note,
                    "warnings": warnings,
                    "renewal_timing": report.renewal_calendar.timing if report.renewal_calendar else None,
                },
                indent=2,
            )
        )
    else:
        print(render_simulation(report, filtered_source(result, analysis), simulated.assumptions.warnings))
        print(describe(analysis.facts))
    return 0


def scenario_file(path: str) -> dict:
    try:
        data = read_json(path, "scenario file")
    except ValueError as exc:
        raise CliError(f"--scenario: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"promote", "demote", "scenario_sams", "name"}:
        raise CliError(f"--scenario {path}: expected an object with promote, demote, scenario_sams, name")
    return data


def run_simulation_from_args(
    args: argparse.Namespace,
    analysis: PortfolioAnalysis,
    require_scenario: bool = False,
    accounts: pd.DataFrame | None = None,
) -> SimulationResult | None:
    """The simulation the command line asks for (None when ``require_scenario`` and none is
    given). The baseline is today's tiers (:func:`reporting.simulator.baseline_tiers` of the
    whole file ``accounts``, as on the Simulator page); without ``accounts``, the scorecard's.
    Raises CliError or ValueError with a readable message."""
    extra = scenario_file(args.scenario) if args.scenario else {}
    promote = tuple(args.promote) + tuple(map(str, extra.get("promote", [])))
    demote = tuple(args.demote) + tuple(map(str, extra.get("demote", [])))
    scenario_sams = args.scenario_sams if args.scenario_sams is not None else extra.get("scenario_sams")
    has_scenario = bool(promote or demote or scenario_sams is not None)
    if require_scenario and not has_scenario:
        return None
    assumptions = starting_assumptions(analysis)
    if args.assumptions:
        assumptions = load_assumptions(args.assumptions, base=assumptions)
    if args.nrr_volatility is not None:
        assumptions = parse_assumptions({"nrr_volatility": args.nrr_volatility / 100}, base=assumptions)
    treatment = explicit_effect(
        starting_treatment(analysis),
        hazard_ratio=args.hazard_ratio,
        uplift=None if args.uplift is None else args.uplift / 100,
        ramp_months=args.ramp_months,
    )
    settings = SimulationSettings(
        paths=args.paths,
        horizon=args.horizon,
        period=args.period,
        seed=args.seed,
        strategic_capacity=float(analysis.workload.by_tier.loc["Strategic", "capacity"]),
        strategic_sams=args.sams if args.sams is not None else default_sams(analysis),
        cost_per_sam=args.cost_per_sam,
        margin=args.margin / 100,
        discount_rate=args.discount_rate / 100,
        **({"workers": args.workers} if args.workers is not None else {}),
    )
    scenario = None
    if has_scenario:
        scenario = Scenario(promote, demote, scenario_sams, name=extra.get("name", "Scenario"))
    baseline = analysis.tiers.tier if accounts is None else baseline_tiers(accounts, analysis)
    return run_simulation(
        simulation_accounts(analysis.accounts, baseline, start=analysis.facts.as_of),
        assumptions,
        settings,
        scenario,
        treatment=treatment,
    )


def _ending_arr(stat: str) -> Callable[[VariantSummary], str]:
    """A row of the outcome table: the variant's ending ARR statistic ``stat`` (p5 … mean)."""
    return lambda v: money(getattr(v.ending_arr, stat))


def render_simulation(report: SimulationReport, source: str, warnings: tuple[str, ...] = ()) -> str:
    """The human-readable report printed by ``portfolio simulate``; ``warnings``: the
    calibration's (:attr:`simulation.Assumptions.warnings`), printed under the assumptions."""
    s = report.settings
    lines = [
        f"Portfolio: {source}",
        f"Monte Carlo: {s.paths:,} paths × {s.horizon} {s.period}s, seed {s.seed}, "
        f"portfolio NRR volatility {100 * report.nrr_volatility:g} points/yr "
        f"({report.nrr_volatility_source})",
        nrr_volatility_sentence(report.nrr_volatility, report.nrr_volatility_source),
        "",
        "Assumptions (annual)      churn    drift  volatility  source",
    ]
    for tier, a in report.assumptions.items():
        basis = f"{a.source} ({a.accounts} accounts)" if a.source == "calibrated" else a.source
        lines.append(
            f"  {tier:<22}{percent(a.annual_churn):>7}  {a.expansion_drift:+7.3f}"
            f"  {a.volatility:10.3f}  {basis}"
        )
        if a.note:
            lines.append(f"    note: {a.note}")
    lines += [f"  warning: {w}" for w in warnings]
    lines += ["", "Strategic treatment: " + report.treatment.sentence(), ""]

    def year(v, what):
        return percent(getattr(v.first_year, what).p50) if v.first_year else "–"

    rows: list[tuple[str, Callable[[VariantSummary], str]]] = [("start ARR", lambda v: money(v.start_arr))]
    for p in ("p5", "p25", "p50", "p75", "p95", "mean"):
        rows.append((f"ending ARR {p}", _ending_arr(p)))
    rows += [
        ("± Monte Carlo error of mean", lambda v: money(v.ending_arr_error)),
        ("NRR over horizon (P50)", lambda v: percent(v.nrr.p50)),
        ("GRR over horizon (P50)", lambda v: percent(v.grr.p50)),
        ("year-1 NRR (P50)", lambda v: year(v, "nrr")),
        ("year-1 GRR (P50)", lambda v: year(v, "grr")),
        ("P(lose a top-10 account)", lambda v: percent(v.prob_lose_top10)),
        ("expected churned ARR", lambda v: money(v.expected_churned_arr)),
        ("top-10 share at horizon", lambda v: percent(v.top10_share.p50)),
        ("strategic accounts", lambda v: f"{v.staffing.strategic_accounts}"),
        ("strategic SAMs", lambda v: f"{v.staffing.sams:g} (need {v.staffing.required_sams})"),
        ("attention per account", lambda v: percent(v.staffing.attention, 0)),
    ]
    variants = report.variants
    width = max(16, *(len(v.name) + 2 for v in variants))
    header = f"  {'':<28}" + "".join(f"{v.name:>{width}}" for v in variants)
    lines += ["Outcome at the horizon", header]
    lines += [f"  {label:<28}" + "".join(f"{fn(v):>{width}}" for v in variants) for label, fn in rows]
    c = report.comparison
    if c is not None:
        e = c.economics
        band = lambda x: f"mean {money(x.mean)}, P5 {money(x.p5)}, P95 {money(x.p95)}"  # noqa: E731
        payback = (
            f"{e.payback_years:.1f} years"
            if e.payback_years is not None
            else "– (no SAM added, or not within the horizon)"
        )
        lines += [
            "",
            "Scenario − baseline (same random paths)",
            f"  ending ARR   {band(c.delta)} (± {money(c.delta_error)}); P(better) "
            f"{percent(c.delta.prob_better)} (± {percent(c.prob_better_error)})",
            f"    the move with today's SAMs  {band(c.move)}",
            f"    the staffing change         {band(c.staffing)}",
            f"  SAMs added {e.added_sams:g}, released {e.released_sams:g}; cost "
            f"{money(e.sam_cost, signed=True)}/year",
            f"  NPV at {percent(e.margin, 0)} margin, {percent(e.discount_rate, 0)} discount  {band(e.npv)}",
            f"    the move {money(e.npv_move.mean)}, the staffing "
            f"{money(e.npv_staffing.mean)}; payback {payback}",
            f"    positive on {percent(e.prob_positive)} of paths; {money(e.npv_tail.mean)} of the mean "
            f"is the ARR left at the horizon (decaying at the moved accounts' churn, "
            f"{percent(e.tail_churn)} a year)",
        ]
    lines += ["", report.headline]
    if report.renewal_calendar is not None:
        lines.append(f"Renewal timing: {report.renewal_calendar.timing}")
    return "\n".join(lines)
