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
    load_assumptions,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
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
    accounts = analysis.accounts
    assumptions = starting_assumptions(analysis)
    if args.assumptions:
        assumptions = load_assumptions(args.assumptions, base=assumptions)
    if args.correlation is not None:
        assumptions = parse_assumptions({"correlation": args.correlation}, base=assumptions)
    settings = SimulationSettings(
        paths=args.paths, horizon=args.horizon, period=args.period, seed=args.seed,
        strategic_capacity=float(analysis.workload.by_tier.loc["Strategic", "capacity"]),
        strategic_sams=args.sams, cost_per_sam=args.cost_per_sam,
    )
    scenario = None
    if has_scenario:
        scenario = Scenario(promote, demote, scenario_sams, name=extra.get("name", "Scenario"))
    return run_simulation(simulation_accounts(accounts, analysis.tiers.tier), assumptions,
                          settings, scenario)


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
    lines.append("")
    outcomes = [result.baseline] + ([result.scenario] if result.scenario else [])
    summaries = [o.summary(s.horizon_years) for o in outcomes]
    rows = [("start ARR", lambda m: money(m["start_arr"]))]
    for p in ("p5", "p25", "p50", "p75", "p95", "mean"):
        rows.append((f"ending ARR {p}", lambda m, p=p: money(m["ending_arr"][p])))
    rows += [
        ("NRR over horizon (P50)", lambda m: percent(m["nrr"]["p50"])),
        ("GRR over horizon (P50)", lambda m: percent(m["grr"]["p50"])),
        ("P(lose a top-10 account)", lambda m: percent(m["prob_lose_top10"])),
        ("expected churned ARR", lambda m: money(m["expected_churned_arr"])),
        ("top-10 share at horizon", lambda m: percent(m["top10_share"]["p50"])),
        ("strategic accounts", lambda m: f"{m['staffing']['strategic_accounts']}"),
        ("strategic SAMs", lambda m: f"{m['staffing']['sams']:g} "
                                     f"(need {m['staffing']['required_sams']})"),
    ]
    header = f"  {'':<28}" + "".join(f"{m['name']:>16}" for m in summaries)
    lines += ["Outcome at the horizon", header]
    lines += [f"  {label:<28}" + "".join(f"{fn(m):>16}" for m in summaries) for label, fn in rows]
    if result.comparison is not None:
        c = result.comparison.summary()
        d = c["delta"]
        lines += ["", "Scenario − baseline (same random paths)",
                  f"  ending ARR    mean {money(d['mean'])}, P5 {money(d['p5'])}, "
                  f"P95 {money(d['p95'])}, P(better) {percent(d['prob_better'])}",
                  f"  revenue over the horizon  mean {money(c['revenue_delta']['mean'])}",
                  f"  SAMs added {c['added_sams']:g}, cost {money(c['added_cost'])}; return on "
                  f"them {percent(c['return_on_sams']) if c['return_on_sams'] is not None else '–'}"]
    lines += ["", result.headline()]
    return "\n".join(lines)
