"""The ``portfolio`` command: analyze an account file, or write the demo portfolio.

Exit status: 0 on success, 1 when the input file is rejected, 2 for a wrong command line,
3 when an export needs Chrome/Chromium and none is installed.
With ``--json`` every outcome, errors included, is one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.formatting import money, percent
from portfolio.ingest import LoadResult, load_file
from portfolio.jsonfile import read_json
from portfolio.schema import SNAPSHOT_COLUMNS
from portfolio.tiers import DEFAULT_WEIGHTS, Thresholds
from simulation.model import DEFAULT_COST_PER_SAM, DEFAULT_SEED, SimulationResult


class UsageError(Exception):
    """A command-line value that cannot be used; the message says which and why."""


def parse_pairs(text: str, what: str) -> dict[str, float]:
    """``'a=1,b=2.5'`` → ``{'a': 1.0, 'b': 2.5}``."""
    result = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            result[key.strip()] = float(value)
        except ValueError:
            raise UsageError(f"{what}: expected NAME=NUMBER pairs, got {part!r}") from None
    return result


def parse_thresholds(text: str) -> Thresholds:
    """``'70,50'`` (strategic, key) → :class:`Thresholds`."""
    try:
        strategic, key = (float(v) for v in text.split(","))
        return Thresholds(strategic, key)
    except ValueError as exc:
        detail = str(exc) if "thresholds" in str(exc) else "expected STRATEGIC,KEY such as 70,50"
        raise UsageError(f"--thresholds: {detail}") from None


def parse_mapping(values: list[str]) -> dict[str, str]:
    """``['Client Ref=account_id']`` or a JSON file ``{"Client Ref": "account_id"}``."""
    mapping: dict[str, str] = {}
    for value in values:
        if value.endswith(".json") and Path(value).is_file():
            try:
                loaded = read_json(value, "mapping file")
            except ValueError as exc:
                raise UsageError(f"--mapping: {exc}") from None
            if not isinstance(loaded, dict):
                raise UsageError(f"--mapping {value}: expected an object of header: column")
            mapping.update({str(k): str(v) for k, v in loaded.items()})
            continue
        source, sep, target = value.rpartition("=")
        if not sep or not source:
            raise UsageError(f"--mapping: expected 'Header=column', got {value!r}")
        mapping[source] = target.strip()
    for target in mapping.values():
        if target not in SNAPSHOT_COLUMNS and target not in ("date", "amount"):
            raise UsageError(
                f"--mapping: unknown column {target!r}; use one of "
                f"{', '.join(SNAPSHOT_COLUMNS)}, date, amount"
            )
    return mapping


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portfolio",
        description="Strategic-account portfolio analytics: concentration, tiers, retention, "
        "SAM workload.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    portfolio_options = argparse.ArgumentParser(add_help=False)
    portfolio_options.add_argument("file", help="CSV, TSV or XLSX file")
    portfolio_options.add_argument("--json", action="store_true", help="one JSON object on stdout")
    portfolio_options.add_argument(
        "--mapping", action="append", default=[], metavar="HEADER=COLUMN",
        help="map a file header to a canonical column (repeatable), or a JSON file",
    )
    portfolio_options.add_argument(
        "--weights", metavar="DIM=W,...",
        help=f"scorecard weights, e.g. revenue=25,expansion_potential=20 "
        f"(dimensions: {', '.join(DEFAULT_WEIGHTS)}); unnamed dimensions keep their default",
    )
    portfolio_options.add_argument("--thresholds", metavar="STRATEGIC,KEY",
                                   help="score cut-offs, default 70,50 (95,80 when revenue-only)")
    portfolio_options.add_argument("--capacity", metavar="TIER=N,...",
                                   help="accounts per SAM, default Strategic=10,Key=25,Standard=75")
    portfolio_options.add_argument("--headcount", type=float,
                                   help="SAMs available (default: the SAMs named in the file)")
    portfolio_options.add_argument("--as-of", help="for a revenue history: last day of the TTM window")

    analyze_cmd = commands.add_parser(
        "analyze", parents=[portfolio_options], help="print every portfolio metric for an account file",
        description="Read an account snapshot or revenue history (CSV/XLSX) and print every "
        "metric.",
    )
    analyze_cmd.add_argument("--accounts-out", metavar="FILE.csv",
                             help="also write the tiered account list to this CSV")

    simulation_options = argparse.ArgumentParser(add_help=False)
    simulation_options.add_argument("--paths", type=int, default=10_000,
                                    help="simulated paths (10000)")
    simulation_options.add_argument("--horizon", type=int, default=12, metavar="PERIODS",
                                    help="periods to simulate (12)")
    simulation_options.add_argument("--period", choices=("month", "quarter"), default="quarter")
    simulation_options.add_argument("--seed", type=int, default=DEFAULT_SEED)
    simulation_options.add_argument(
        "--assumptions", metavar="FILE.json",
        help='{"tiers": {"Strategic": {"annual_churn": 0.03, "expansion_drift": 0.15, '
             '"volatility": 0.2}, ...}, "correlation": 0.3}')
    simulation_options.add_argument("--correlation", type=float,
                                    help="market correlation 0–0.99 (0.3)")
    simulation_options.add_argument("--promote", nargs="+", action="extend", default=[],
                                    metavar="ID", help="account ids to move into the strategic tier")
    simulation_options.add_argument("--demote", nargs="+", action="extend", default=[],
                                    metavar="ID", help="strategic account ids to move to key")
    simulation_options.add_argument(
        "--scenario", metavar="FILE.json",
        help='a scenario file: {"promote": [...], "demote": [...], "scenario_sams": N}, added '
             "to --promote/--demote")
    simulation_options.add_argument("--sams", type=float, metavar="N",
                                    help="SAMs on the strategic tier today (default: what it needs)")
    simulation_options.add_argument(
        "--scenario-sams", type=float, metavar="N",
        help="SAMs on the strategic tier in the scenario (default: today's plus the change in "
             "what the tier needs)")
    simulation_options.add_argument("--cost-per-sam", type=float, default=DEFAULT_COST_PER_SAM,
                                    help="fully loaded cost of one SAM per year (180000)")

    commands.add_parser(
        "simulate", parents=[portfolio_options, simulation_options],
        help="Monte Carlo of churn and expansion; compare promoting/demoting strategic accounts",
        description="Simulate the portfolio's ARR by tier (baseline), and with --promote/--demote "
        "a scenario on the same random numbers. Assumptions: the file's calibration where it has "
        "prior-year ARR, else defaults; --assumptions overrides either.",
    )
    export_cmd = commands.add_parser(
        "export", parents=[portfolio_options, simulation_options],
        help="charts as PNG/SVG/PDF files, or the board pack as PPTX/PDF, without a browser",
        description="Write every chart (png, svg, pdf) or the board pack (pptx; pdf also writes "
        "board-pack.pdf) to --out. With --promote/--demote/--scenario the simulator's charts and "
        "slides are included. Needs Chrome/Chromium on the machine (exit status 3 without).",
    )
    export_cmd.add_argument("--out", required=True, metavar="DIR", help="output directory")
    export_cmd.add_argument("--format", choices=("png", "svg", "pdf", "pptx"), default="pptx")

    user_cmd = commands.add_parser(
        "add-user", help="add a dashboard user (password hashed) to a users file",
        description="Add or replace NAME in FILE with a salted hash of a password read from the "
        "terminal (or stdin with --password-stdin). Point STRATA_USERS_FILE at FILE.")
    user_cmd.add_argument("users_file", metavar="FILE")
    user_cmd.add_argument("name", metavar="NAME")
    user_cmd.add_argument("--password-stdin", action="store_true")

    demo_cmd = commands.add_parser("demo", help="write the synthetic demo portfolio")
    demo_cmd.add_argument("--out", default="data/demo_accounts.csv")
    demo_cmd.add_argument("--accounts", type=int, default=1200)
    demo_cmd.add_argument("--seed", type=int, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        from portfolio.demo import DEMO_SEED, write_demo

        frame = write_demo(args.out, args.accounts, args.seed if args.seed is not None
                           else DEMO_SEED)
        print(f"wrote {len(frame):,} synthetic accounts to {args.out}")
        return 0
    if args.command == "add-user":
        return _add_user(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "export":
        return _export(args)
    return _analyze(args)


def _fail(message: str, as_json: bool, status: int, report: dict | None = None) -> int:
    if as_json:
        print(json.dumps({"error": {"message": message, "report": report}}, indent=2))
    else:
        print(f"error: {message}", file=sys.stderr)
    return status


class Failure(Exception):
    """A command that cannot go on: message, exit status and (for rejected files) the report."""

    def __init__(self, message: str, status: int, report: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.report = status, report


def _load_and_analyze(args: argparse.Namespace) -> tuple[LoadResult, PortfolioAnalysis]:
    """Read the file and analyse it with the command line's weights, thresholds and capacity."""
    try:
        mapping = parse_mapping(args.mapping)
        weights = ({**DEFAULT_WEIGHTS, **parse_pairs(args.weights, "--weights")}
                   if args.weights else None)
        thresholds = parse_thresholds(args.thresholds) if args.thresholds else None
        capacity = parse_pairs(args.capacity, "--capacity") if args.capacity else None
    except UsageError as exc:
        raise Failure(str(exc), 2) from None
    result = load_file(args.file, mapping=mapping, as_of=args.as_of)
    if not result.ok:
        raise Failure(result.report.summary(), 1, result.report.to_dict())
    try:
        analysis = analyze(result.accounts, weights=weights, thresholds=thresholds,
                           capacity=capacity, available_headcount=args.headcount)
    except ValueError as exc:
        raise Failure(str(exc), 2) from None
    return result, analysis


def _source(result: LoadResult) -> dict:
    return {"file": result.report.source, "shape": result.report.shape,
            "as_of": result.as_of.strftime("%Y-%m-%d") if result.as_of else None,
            "notes": result.report.notes}


def _analyze(args: argparse.Namespace) -> int:
    try:
        result, analysis = _load_and_analyze(args)
    except Failure as exc:
        return _fail(str(exc), args.json, exc.status, exc.report)
    if args.accounts_out:
        from portfolio.account_list import write_accounts

        write_accounts(analysis.accounts, args.accounts_out)
    if args.json:
        payload = analysis.to_dict()
        payload["source"] = _source(result)
        print(json.dumps(payload, indent=2))
    else:
        print(render_text(analysis, result.report.source, result.report.notes))
    return 0


def _add_user(args: argparse.Namespace) -> int:
    from dashboard.access import add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass(f"Password for {args.name}: ")
    try:
        add_user(args.users_file, args.name, password)
    except (ValueError, OSError) as exc:
        return _fail(str(exc), False, 2)
    print(f"{args.name} can sign in; set STRATA_USERS_FILE={args.users_file}")
    return 0


def _scenario_file(path: str) -> dict:
    try:
        data = read_json(path, "scenario file")
    except ValueError as exc:
        raise UsageError(f"--scenario: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"promote", "demote", "scenario_sams", "name"}:
        raise UsageError(f"--scenario {path}: expected an object with promote, demote, "
                         "scenario_sams, name")
    return data


def _run_simulation(args: argparse.Namespace, analysis: PortfolioAnalysis,
                    require_scenario: bool = False) -> SimulationResult | None:
    """The simulation the command line asks for (None when ``require_scenario`` and none is
    given). Raises UsageError or ValueError with a readable message."""
    from simulation import (
        Scenario,
        SimulationSettings,
        load_assumptions,
        parse_assumptions,
        run_simulation,
        simulation_accounts,
        starting_assumptions,
    )

    extra = _scenario_file(args.scenario) if args.scenario else {}
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


def _simulate(args: argparse.Namespace) -> int:
    try:
        result, analysis = _load_and_analyze(args)
        simulated = _run_simulation(args, analysis)
    except Failure as exc:
        return _fail(str(exc), args.json, exc.status, exc.report)
    except (UsageError, ValueError) as exc:
        return _fail(str(exc), args.json, 2)
    if args.json:
        print(json.dumps({**simulated.to_dict(), "headline": simulated.headline(),
                          "source": _source(result)}, indent=2))
    else:
        print(render_simulation(simulated, result.report.source))
    return 0


def _export(args: argparse.Namespace) -> int:
    from exports.files import export_files
    from exports.render import ExportUnavailable
    from simulation.report import simulation_report

    try:
        result, analysis = _load_and_analyze(args)
        simulated = _run_simulation(args, analysis, require_scenario=True)
        report = simulation_report(simulated) if simulated is not None else None
        written = export_files(analysis, result.report.source, _source(result)["as_of"], report,
                               args.format, Path(args.out))
    except Failure as exc:
        return _fail(str(exc), args.json, exc.status, exc.report)
    except (UsageError, ValueError) as exc:
        return _fail(str(exc), args.json, 2)
    except ExportUnavailable as exc:
        return _fail(str(exc), args.json, 3)
    except OSError as exc:
        return _fail(f"cannot write to {args.out}: {exc.strerror}", args.json, 2)
    if args.json:
        print(json.dumps({"files": [str(p) for p in written]}, indent=2))
    else:
        print("\n".join(f"wrote {p}" for p in written))
    return 0


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


def _table(frame: pd.DataFrame) -> str:
    return frame.to_string(justify="right")


def render_text(analysis: PortfolioAnalysis, source: str, notes: list[str]) -> str:
    """The human-readable report printed by ``portfolio analyze``."""
    c = analysis.concentration
    lines = [f"Portfolio: {source}", *(f"  note: {n}" for n in notes), ""]
    lines += [
        "Concentration",
        f"  accounts            {len(analysis.accounts):,} ({c.active_accounts:,} with ARR)",
        f"  total ARR           {money(c.total_arr, precise=True)}",
        f"  Gini                {c.gini:.3f}",
        f"  HHI                 {c.hhi:,.0f}  (effective accounts {c.effective_accounts:.1f})",
        f"  top-1 share         {percent(c.top_1_share)}",
        f"  top-10 share        {percent(c.top_10_share)}",
        f"  top-20% share       {percent(c.top_20pct_share)}",
        f"  80% of ARR from     {c.accounts_for_80pct:,} accounts "
        f"({percent(c.share_of_accounts_for_80pct)})",
        "",
    ]
    t = analysis.tiers
    mode = "revenue-only (ARR rank)" if t.revenue_only else "weighted scorecard"
    lines.append(f"Tiers — {mode}; thresholds Strategic ≥ {t.thresholds.strategic:g}, "
                 f"Key ≥ {t.thresholds.key:g}")
    dist = analysis.distribution
    shown = pd.DataFrame({
        "accounts": dist["accounts"],
        "ARR": dist["arr"].map(lambda v: money(v, precise=True)),
        "ARR share": dist["arr_share"].map(percent),
        "mean ARR": dist["mean_arr"].map(lambda v: money(v, precise=True)),
    })
    lines += ["  " + line for line in _table(shown).splitlines()]
    lines += [f"  warning: {w}" for w in t.warnings]
    if len(t.disagreements):
        lines.append(f"  {len(t.disagreements)} account(s) have an assigned tier that differs "
                     "from the scorecard")
    lines.append("")
    if analysis.retention is None:
        lines += ["Retention: no prior-year ARR in the file", ""]
    else:
        r = analysis.retention
        lines.append(f"Retention (tier at start of period) — NRR {percent(r.nrr)}, "
                     f"GRR {percent(r.grr)}")
        by_tier = pd.DataFrame({
            tier: {"NRR": percent(x.nrr), "GRR": percent(x.grr),
                   "accounts": x.existing_accounts,
                   **{k.title(): money(v) for k, v in x.bridge.to_dict().items()}}
            for tier, x in {**analysis.retention_by_tier, "All": r}.items()
        }).T
        lines += ["  " + line for line in _table(by_tier).splitlines()]
        lines.append("")
    w = analysis.workload
    lines.append(f"SAM workload — required {w.required_headcount} SAMs "
                 f"({w.required_fte:.1f} FTE), available {w.available_headcount:g}")
    by_tier = w.by_tier.assign(
        arr=w.by_tier["arr"].map(money),
        required_fte=w.by_tier["required_fte"].round(1),
        available_fte=w.by_tier["available_fte"].round(1),
        coverage=w.by_tier["coverage"].map(percent),
    )
    lines += ["  " + line for line in _table(by_tier).splitlines()]
    if w.overloaded_sams:
        lines.append(f"  over capacity: {', '.join(w.overloaded_sams)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
