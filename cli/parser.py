"""The ``portfolio`` command line: one sub-command per module of this package."""

from __future__ import annotations

import argparse

from portfolio.datafacts import DATA_KINDS
from portfolio.retention import CONVENTIONS
from portfolio.tiers import DEFAULT_WEIGHTS, TIER_BASES
from simulation.defaults import (
    BACKTEST_PATHS,
    DEFAULT_COST_PER_SAM,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_MARGIN,
    DEFAULT_SEED,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portfolio",
        description="Strategic-account portfolio analytics: concentration, tiers, retention, SAM workload.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    portfolio_options = argparse.ArgumentParser(add_help=False)
    portfolio_options.add_argument(
        "file", help="CSV, TSV, XLSX or Parquet file (a CSV or Parquet revenue history of any size)"
    )
    portfolio_options.add_argument("--json", action="store_true", help="one JSON object on stdout")
    portfolio_options.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="HEADER=COLUMN",
        help="map a file header to a canonical column (repeatable), or a JSON file",
    )
    portfolio_options.add_argument(
        "--weights",
        metavar="DIM=W,...",
        help=f"scorecard weights, e.g. revenue=25,expansion_potential=20 "
        f"(dimensions: {', '.join(DEFAULT_WEIGHTS)}); unnamed dimensions keep their default",
    )
    portfolio_options.add_argument(
        "--thresholds",
        metavar="STRATEGIC,KEY",
        help="score cut-offs, default 70,50 (95,80 when revenue-only)",
    )
    portfolio_options.add_argument(
        "--capacity", metavar="TIER=N,...", help="accounts per SAM, default Strategic=10,Key=25,Standard=75"
    )
    portfolio_options.add_argument(
        "--headcount", type=float, help="SAMs available (default: the SAMs named in the file)"
    )
    portfolio_options.add_argument(
        "--as-of",
        help="the date the data describes: for a revenue history, the last day of the TTM window "
        "(default: its last date); for a snapshot, its as-of date (default: an as_of column)",
    )
    portfolio_options.add_argument(
        "--currency",
        metavar="CODE",
        help="ISO currency code of the amounts (GBP, EUR, USD, …); default: the symbols or codes "
        "in the amount cells, else the Country column's, else STRATA_CURRENCY, else USD",
    )
    portfolio_options.add_argument(
        "--data-kind",
        choices=DATA_KINDS,
        help="subscription (NRR/GRR against SaaS benchmarks) or transactional (order data: "
        "repeat-revenue retention, no benchmarks); default: detected from the file",
    )
    portfolio_options.add_argument(
        "--revenue-bands",
        metavar="MIN_ARR:POINTS,...",
        help="score revenue in points from ARR bands instead of the ARR percentile, e.g. "
        "850000:10,250000:6,45000:2 (ARR at or above a floor takes its points, 0–10; below the "
        "lowest, 0); a revenue_score column in the file takes precedence",
    )
    portfolio_options.add_argument(
        "--tier-basis",
        choices=TIER_BASES,
        default="assigned",
        help="tier that retention by tier is attributed to: the file's assigned tier column "
        "(default; the scorecard when the file has none) or the scorecard on prior ARR",
    )
    portfolio_options.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="only the accounts with this segment, industry, region or sam (repeatable: values "
        "of one column are OR-ed, columns AND-ed), e.g. --filter segment=Enterprise; tiers are "
        "still scored on the whole file",
    )
    portfolio_options.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default=CONVENTIONS[0],
        help="NRR/GRR convention: the opening-ARR cohort (default; new and reactivated accounts "
        "excluded), reactivation counted as expansion, or the renewal base (accounts whose "
        "renewal fell in the year)",
    )

    analyze_cmd = commands.add_parser(
        "analyze",
        parents=[portfolio_options],
        help="print every portfolio metric for an account file",
        description="Read an account snapshot or revenue history (CSV/XLSX/Parquet) and print every metric.",
    )
    analyze_cmd.add_argument(
        "--accounts-out", metavar="FILE.csv", help="also write the tiered account list to this CSV"
    )
    analyze_cmd.add_argument(
        "--trend",
        action="store_true",
        help="for a revenue history: ARR, NRR, GRR, tiers and the ARR bridge at every quarter end",
    )
    analyze_cmd.add_argument(
        "--changes",
        action="store_true",
        help="for a file of several snapshots (a snapshot_date column) or a revenue history (its "
        "quarter ends, ARR = trailing twelve months): what changed between two dates (tier "
        "migration, strategic accounts gained and lost, biggest movers)",
    )
    analyze_cmd.add_argument(
        "--from",
        dest="from_date",
        metavar="DATE",
        help="--changes: the earlier snapshot (default: the one before the last)",
    )
    analyze_cmd.add_argument(
        "--to", dest="to_date", metavar="DATE", help="--changes: the later snapshot (default: the last)"
    )

    simulation_options = argparse.ArgumentParser(add_help=False)
    simulation_options.add_argument("--paths", type=int, default=10_000, help="simulated paths (10000)")
    simulation_options.add_argument(
        "--horizon", type=int, default=12, metavar="PERIODS", help="periods to simulate (12)"
    )
    simulation_options.add_argument("--period", choices=("month", "quarter"), default="quarter")
    simulation_options.add_argument("--seed", type=int, default=DEFAULT_SEED)
    simulation_options.add_argument(
        "--assumptions",
        metavar="FILE.json",
        help='{"tiers": {"Strategic": {"annual_churn": 0.03, "expansion_drift": 0.15, '
        '"volatility": 0.2}, ...}, "nrr_volatility": 0.05}',
    )
    simulation_options.add_argument(
        "--nrr-volatility",
        type=float,
        metavar="POINTS",
        help="portfolio NRR volatility, points of NRR a year the shared market moves (assumed: 5)",
    )
    simulation_options.add_argument(
        "--promote",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="account ids to move into the strategic tier",
    )
    simulation_options.add_argument(
        "--demote",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="strategic account ids to move to key",
    )
    simulation_options.add_argument(
        "--scenario",
        metavar="FILE.json",
        help='a scenario file: {"promote": [...], "demote": [...], "scenario_sams": N}, added '
        "to --promote/--demote",
    )
    simulation_options.add_argument(
        "--sams",
        type=float,
        metavar="N",
        help="SAMs on the strategic tier today (default, as on the Simulator page: the file's SAMs "
        "carrying strategic accounts; without a SAM column, the whole SAMs the tier needs)",
    )
    simulation_options.add_argument(
        "--scenario-sams",
        type=float,
        metavar="N",
        help="SAMs on the strategic tier in the scenario (default: today's plus the change in "
        "what the tier needs)",
    )
    simulation_options.add_argument(
        "--cost-per-sam",
        type=float,
        default=DEFAULT_COST_PER_SAM,
        help="fully loaded cost of one SAM per year (180000)",
    )
    simulation_options.add_argument(
        "--hazard-ratio",
        type=float,
        metavar="HR",
        help="strategic treatment: churn hazard ratio, e.g. 0.7 = 30%% less churn (default: "
        "estimated from the file where it can be, else 0.85 assumed)",
    )
    simulation_options.add_argument(
        "--uplift",
        type=float,
        metavar="POINTS",
        help="strategic treatment: extra annual growth in points, e.g. 2 (default: estimated, "
        "else 2 assumed)",
    )
    simulation_options.add_argument(
        "--ramp-months", type=float, metavar="MONTHS", help="months until the treatment's full effect (6)"
    )
    simulation_options.add_argument(
        "--margin",
        type=float,
        default=DEFAULT_MARGIN * 100,
        metavar="PERCENT",
        help="gross margin for NPV (80)",
    )
    simulation_options.add_argument(
        "--discount-rate",
        type=float,
        default=DEFAULT_DISCOUNT_RATE * 100,
        metavar="PERCENT",
        help="annual discount rate for NPV (10)",
    )
    simulation_options.add_argument(
        "--workers", type=int, metavar="N", help="threads for the simulation (default: every core)"
    )

    commands.add_parser(
        "simulate",
        parents=[portfolio_options, simulation_options],
        help="Monte Carlo of churn and expansion; compare promoting/demoting strategic accounts",
        description="Simulate the portfolio's ARR by tier (baseline), and with --promote/--demote "
        "a scenario on the same random numbers. Assumptions: the file's calibration where it has "
        "prior-year ARR, else defaults; --assumptions overrides either.",
    )
    export_cmd = commands.add_parser(
        "export",
        parents=[portfolio_options, simulation_options],
        help="charts as PNG/SVG/PDF files, or the board pack as PPTX/PDF, without a browser",
        description="Write every chart (png, svg, pdf) or the board pack (pptx; pdf also writes "
        "board-pack.pdf) to --out. With --promote/--demote/--scenario the simulator's charts and "
        "slides are included. Needs Chrome/Chromium on the machine (exit status 3 without).",
    )
    export_cmd.add_argument("--out", required=True, metavar="DIR", help="output directory")
    export_cmd.add_argument("--format", choices=("png", "svg", "pdf", "pptx"), default="pptx")

    backtest_cmd = commands.add_parser(
        "backtest",
        parents=[portfolio_options],
        help="does the simulator fit this data? one simulated year against the observed one",
        description="Simulate one year from the ARR and tiers at its start, calibrated as "
        "`simulate` does, and compare with the year the file records: NRR, GRR and ARR churn, "
        "overall and per start tier. Out-of-sample when a revenue history covers 36 months "
        "(calibrated on the year before), else in-sample from prior ARR.",
    )
    backtest_cmd.add_argument(
        "--paths", type=int, default=BACKTEST_PATHS, help=f"simulated paths ({BACKTEST_PATHS})"
    )
    backtest_cmd.add_argument("--seed", type=int, default=DEFAULT_SEED)
    backtest_cmd.add_argument(
        "--workers", type=int, metavar="N", help="threads for the simulation (default: every core)"
    )

    _decision_commands(commands, portfolio_options)

    user_cmd = commands.add_parser(
        "add-user",
        help="add a dashboard user (password hashed) to a users file",
        description="Add or replace NAME in FILE with a salted hash of a password read from the "
        "terminal (or stdin with --password-stdin). Point STRATA_USERS_FILE at FILE.",
    )
    user_cmd.add_argument("users_file", metavar="FILE")
    user_cmd.add_argument("name", metavar="NAME")
    user_cmd.add_argument("--password-stdin", action="store_true")

    demo_cmd = commands.add_parser("demo", help="write the synthetic demo portfolio")
    demo_cmd.add_argument("--out", default="data/demo_accounts.csv")
    demo_cmd.add_argument("--accounts", type=int, default=1200)
    demo_cmd.add_argument("--seed", type=int, default=None)
    return parser


def _decision_commands(commands, portfolio_options: argparse.ArgumentParser) -> None:
    """``recommend`` and ``assign`` (issue 17): the strategic set for N SAMs, the SAMs' books."""
    recommend_cmd = commands.add_parser(
        "recommend",
        parents=[portfolio_options],
        help="which accounts to make strategic for N SAMs (or a budget): expected NPV and interval",
        description="Choose the strategic set that maximises the expected NPV of strategic "
        "treatment (the Simulator's treatment model) for the SAMs given, by an exact integer "
        "program; with --target, also the tornado of assumptions and P(ending ARR ≥ target).",
    )
    recommend_cmd.add_argument("--sams", type=float, metavar="N", help="strategic SAMs to staff")
    recommend_cmd.add_argument(
        "--budget", type=float, metavar="AMOUNT", help="SAM budget a year (÷ cost per SAM)"
    )
    recommend_cmd.add_argument(
        "--max-moves", type=int, metavar="K", help="at most K adds + removes from today"
    )
    for flag, what in (("--keep", "must stay or become strategic"), ("--exclude", "must not be strategic")):
        recommend_cmd.add_argument(
            flag,
            action="append",
            default=[],
            metavar="IDS",
            help=f"account ids (comma-separated) that {what}",
        )
    recommend_cmd.add_argument(
        "--current-sams", type=float, metavar="N", help="strategic SAMs today (default: the file's)"
    )
    recommend_cmd.add_argument(
        "--cost-per-sam",
        type=float,
        default=DEFAULT_COST_PER_SAM,
        help="fully loaded cost of one SAM per year (180000)",
    )
    recommend_cmd.add_argument(
        "--margin", type=float, default=DEFAULT_MARGIN * 100, metavar="PERCENT", help="gross margin (80)"
    )
    recommend_cmd.add_argument(
        "--discount-rate",
        type=float,
        default=DEFAULT_DISCOUNT_RATE * 100,
        metavar="PERCENT",
        help="annual discount rate (10)",
    )
    recommend_cmd.add_argument("--horizon", type=int, default=12, metavar="PERIODS", help="periods (12)")
    recommend_cmd.add_argument("--period", choices=("month", "quarter"), default="quarter")
    recommend_cmd.add_argument("--seed", type=int, default=DEFAULT_SEED)
    recommend_cmd.add_argument(
        "--target", type=float, metavar="ARR", help="ARR target at the horizon: P(hit plan) and the tornado"
    )
    recommend_cmd.add_argument("--paths", type=int, default=1_000, help="paths per tornado run (1000)")

    assign_cmd = commands.add_parser(
        "assign",
        parents=[portfolio_options],
        help="balance the strategic and key books across the SAMs, with few changes of owner",
        description="Assign strategic and key accounts to the file's SAMs (SAM 1..N from "
        "--headcount without a SAM column) so loads and ARR are balanced within capacity, each "
        "change of owner costing --change-weight points of balance.",
    )
    assign_cmd.add_argument(
        "--sams", type=float, metavar="N", help="first apply the recommended strategic set for N SAMs"
    )
    assign_cmd.add_argument(
        "--change-weight", type=float, default=0.5, metavar="POINTS", help="balance a move must buy (0.5)"
    )
    assign_cmd.add_argument(
        "--respect", choices=("region", "segment"), help="new owners only within the SAM's region/segment"
    )
    assign_cmd.add_argument("--moves-out", metavar="FILE.csv", help="write the moves list to this CSV")
