"""``portfolio backtest``: does the simulator, calibrated on the file, reproduce its year?"""

from __future__ import annotations

import argparse
import json

import pandas as pd

from cli.errors import CliError
from cli.options import load_and_analyze, source_info
from portfolio.analysis import PortfolioAnalysis
from portfolio.ingest import LoadResult
from portfolio.ingest.history import history_start
from reporting.backtest import render_text, settings_sentence, verdict
from simulation.backtest import OUT_OF_SAMPLE, Backtest, choose_mode, in_sample, out_of_sample


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    backtest = run_backtest(args, result, analysis)
    if args.json:
        payload = {**backtest.to_dict(), "settings": {"paths": backtest.paths, "seed": backtest.seed}}
        print(json.dumps({**payload, "source": source_info(result)}, indent=2))
    else:
        print(render_backtest(backtest, result.report.source))
    return 0


def run_backtest(args: argparse.Namespace, result: LoadResult, analysis: PortfolioAnalysis) -> Backtest:
    """Out-of-sample when the file is a history long enough (the snapshot as of the as-of date
    − 12 months, read from the same file), else in-sample; CliError for what cannot be run."""
    accounts = result.accounts
    assert accounts is not None  # load_and_analyze rejects files without accounts
    mode, reason = choose_mode(result.report.shape, history_start(accounts), result.as_of)
    options = {"reason": reason, "paths": args.paths, "seed": args.seed, "workers": args.workers}
    try:
        if mode == OUT_OF_SAMPLE:
            assert result.as_of is not None  # a history always has one
            start = result.as_of - pd.DateOffset(months=12)
            _, earlier = load_and_analyze(args, as_of=f"{start:%Y-%m-%d}")
            return out_of_sample(earlier, accounts, **options)
        return in_sample(analysis, **options)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def render_backtest(backtest: Backtest, source: str) -> str:
    """The human-readable report printed by ``portfolio backtest``."""
    lines = [f"Back-test: {source}", backtest.reason, settings_sentence(backtest), ""]
    lines += ["  " + line for line in render_text(backtest)]
    return "\n".join([*lines, "", verdict(backtest)])
