"""``portfolio simulate``: the Monte Carlo baseline, and a promote/demote scenario beside it."""

from __future__ import annotations

import argparse
import json

from cli.errors import CliError
from cli.options import load_and_analyze, source_info
from portfolio.analysis import PortfolioAnalysis
from portfolio.formatting import money, percent
from portfolio.jsonfile import read_json
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


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    try:
        simulated = run_simulation_from_args(args, analysis)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps({**simulated.to_dict(), "headline": simulated.headline(),
                          "source": source_info(result)}, indent=2))
    else:
        print(render_simulation(simulated, result.report.source))
    return 0


def scenario_file(path: str) -> dict:
    try:
        data = read_json(path, "scenario file")
    except ValueError as exc:
        raise CliError(f"--scenario: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"promote", "demote", "scenario_sams", "name"}:
        raise CliError(f"--scenario {path}: expected an object with promote, demote, "
                         "scenario_sams, name")
    return data


def run_simulation_from_args(args: argparse.Namespace, analysis: PortfolioAnalysis,
                    require_scenario: bool = False) -> SimulationResult | None:
    """The simulation the command line asks for (None when ``require_scenario`` and none is
    given). Raises CliError or ValueError with a readable message."""
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
    if args.correlation is not None:
        assumptions = parse_assumptions({"correlation": args.correlation}, base=assumptions)
    treatment = explicit_effect(
        starting_treatment(analysis), hazard_ratio=args.hazard_ratio,
        uplift=None if args.uplift is None else args.uplift / 100, ramp_months=args.ramp_months)
    settings = SimulationSettings(
        paths=args.paths, horizon=args.horizon, period=args.period, seed=args.seed,
        strategic_capacity=float(analysis.workload.by_tier.loc["Strategic", "capacity"]),
        strategic_sams=args.sams, cost_per_sam=args.cost_per_sam, margin=args.margin / 100,
        discount_rate=args.discount_rate / 100,
        **({"workers": args.workers} if args.workers is not None else {}),
    )
    scenario = None
    if has_scenario:
        scenario = Scenario(promote, demote, scenario_sams, name=extra.get("name", "Scenario"))
    return run_simulation(simulation_accounts(analysis.accounts, analysis.tiers.tier), assumptions,
                          settings, scenario, treatment=treatment)


def render_simulation(result: SimulationResult, source: str) -> str:
    """The human-readable report printed by ``portfolio simulate``."""
    s = result.settings
    lines = [f"Portfolio: {source}",
             f"Monte Carlo: {s.paths:,} paths × {s.horizon} {s.period}s, seed {s.seed}, "
             f"correlation {result.assumptions.correlation:g}", "",
             "Assumptions (annual)      churn    drift  volatility  source"]
    for tier, a in result.assumptions.tiers.items():
        basis = f"{a.source} ({a.accounts} accounts)" if a.source == "calibrated" else a.source
        lines.append(f"  {tier:<22}{percent(a.annual_churn):>7}  {a.expansion_drift:+7.3f}"
                     f"  {a.volatility:10.3f}  {basis}")
        if a.note:
            lines.append(f"    note: {a.note}")
    lines += ["", "Strategic treatment: " + result.treatment.sentence(), ""]
    outcomes = [result.baseline] + ([result.move, result.scenario] if result.scenario else [])
    if result.scenario is result.move or (result.scenario and result.scenario.staffing.sams
                                          == result.baseline.staffing.sams):
        outcomes = outcomes[:2]
    summaries = [o.summary() for o in outcomes]
    rows = [("start ARR", lambda m: money(m["start_arr"]))]
    for p in ("p5", "p25", "p50", "p75", "p95", "mean"):
        rows.append((f"ending ARR {p}", lambda m, p=p: money(m["ending_arr"][p])))
    rows += [
        ("± Monte Carlo error of mean", lambda m: money(m["mc_error"]["ending_arr_mean"])),
        ("NRR over horizon (P50)", lambda m: percent(m["nrr"]["p50"])),
        ("GRR over horizon (P50)", lambda m: percent(m["grr"]["p50"])),
        ("year-1 NRR (P50)", lambda m: percent(m["annual"][0]["nrr"]["p50"]) if m["annual"] else "–"),
        ("year-1 GRR (P50)", lambda m: percent(m["annual"][0]["grr"]["p50"]) if m["annual"] else "–"),
        ("P(lose a top-10 account)", lambda m: percent(m["prob_lose_top10"])),
        ("expected churned ARR", lambda m: money(m["expected_churned_arr"])),
        ("top-10 share at horizon", lambda m: percent(m["top10_share"]["p50"])),
        ("strategic accounts", lambda m: f"{m['staffing']['strategic_accounts']}"),
        ("strategic SAMs", lambda m: f"{m['staffing']['sams']:g} "
                                     f"(need {m['staffing']['required_sams']})"),
        ("attention per account", lambda m: percent(m["staffing"]["attention"], 0)),
    ]
    width = max(16, *(len(m["name"]) + 2 for m in summaries))
    header = f"  {'':<28}" + "".join(f"{m['name']:>{width}}" for m in summaries)
    lines += ["Outcome at the horizon", header]
    lines += [f"  {label:<28}" + "".join(f"{fn(m):>{width}}" for m in summaries)
              for label, fn in rows]
    if result.comparison is not None:
        c = result.comparison.summary()
        d, e, err = c["delta"], c["economics"], c["mc_error"]
        band = lambda x: f"mean {money(x['mean'])}, P5 {money(x['p5'])}, P95 {money(x['p95'])}"  # noqa: E731
        lines += ["", "Scenario − baseline (same random paths)",
                  f"  ending ARR   {band(d)} (± {money(err['delta_mean'])}); P(better) "
                  f"{percent(d['prob_better'])} (± {percent(err['prob_better'])})",
                  f"    the move with today's SAMs  {band(d['move'])}",
                  f"    the staffing change         {band(d['staffing'])}",
                  f"  SAMs added {e['added_sams']:g}, released {e['released_sams']:g}; cost "
                  f"{money(e['sam_cost'])}/year",
                  f"  NPV at {percent(e['margin'], 0)} margin, {percent(e['discount_rate'], 0)} "
                  f"discount  {band(e['npv'])}",
                  f"    the move {money(e['npv_move']['mean'])}, the staffing "
                  f"{money(e['npv_staffing']['mean'])}; payback "
                  + (f"{e['payback_years']:.1f} years" if e["payback_years"] is not None
                     else "– (none added, or not within the horizon)")]
    lines += ["", result.headline()]
    return "\n".join(lines)
