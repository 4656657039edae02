"""The back-test on the demo and on every file in ../shared/real-data (skipped without it).

Each file is back-tested through the command line (``portfolio backtest FILE --json``); the test
checks the JSON's shape and recomputes the observed figures with plain pandas from the file
itself, and asserts the targets.

With issue 13's size model and NRR-volatility factor (2,000 paths) the demo and the UK
retailer meet every target; before them the NRR median missed by more than 3 points on all
four files (demo 105.0% simulated against 101.5% observed, online retail 74.7% vs 80.7%) and
the bands passed only because ρ = 0.3 made them very wide.

The two order exports are out-of-sample and run on the transactional model (issue 13 item 5:
reversion down to −1, σ up to 250%, all full years of the history pooled, centred on today's
book). SaaS-Sales' NRR now passes (median 119.1% against 120.6%; before, 135.8%, because the
model did not even reproduce its own calibration year: tested below). GRR still misses on both,
and Superstore's NRR median: the test year's GRR lies outside every year the calibration saw
(SaaS-Sales 60.6% and 72.0%, then 79.0%; Superstore 28.4% and 30.0%, then 35.7%, with the share
of customers not buying again falling from 26% and 21% to 13%), which a model fitted on those
years cannot forecast without being told. Those stay strict expected failures. Tested and
rejected as the cause (benchmarks/order_dispersion.py, README): the order-count effect on the
spread (Var = a + b/n fitted on the calibration years implies σ 0.762 against 0.777–0.788 on
SaaS-Sales, 1.680 against 1.681–1.682 on Superstore), and prior order count or a repeat-buyer
flag for Superstore's churn (predicted 23.9% and 20.5% of customers against 12.6%).

A second out-of-sample year guards against fitting the test year: calibrated on the first year
pair alone, Superstore's next year passes its overall targets; SaaS-Sales' does not.
"""

from __future__ import annotations

import contextlib
import io
import json
import math

import pandas as pd
import pytest

from cli import main
from conftest import DEMO, REAL_DATA, real_file
from portfolio.analysis import analyze
from portfolio.ingest import load_file

PATHS = "2000"
FILES = {
    "demo": ("in-sample", None),
    "SaaS-Sales.csv": ("out-of-sample", ("Order Date", "Customer ID", "Sales")),
    "Sample - Superstore.csv": ("out-of-sample", ("Order Date", "Customer ID", "Sales")),
    "online_retail_ii_accounts.csv": ("in-sample", None),
}


def path_of(name: str):
    return DEMO if name == "demo" else real_file(name)


@pytest.fixture(scope="module")
def backtests() -> dict:
    """``portfolio backtest FILE --json`` per file, run once (None when the file is absent)."""
    results = {}
    for name in FILES:
        path = DEMO if name == "demo" else REAL_DATA / name
        if not path.exists():
            results[name] = None
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["backtest", str(path), "--json", "--paths", PATHS])
        assert status == 0, out.getvalue()
        results[name] = json.loads(out.getvalue())
    return results


def _dates(cells: pd.Series) -> pd.Series:
    """Dates as the files write them: m/d/Y, or m-d-y (Superstore mixes both)."""
    slash = pd.to_datetime(cells.where(cells.str.contains("/")), format="%m/%d/%Y", errors="coerce")
    dash = pd.to_datetime(cells.where(cells.str.contains("-")), format="%m-%d-%y", errors="coerce")
    return slash.fillna(dash)


def _history_years(path, date_column: str, id_column: str, amount_column: str) -> pd.DataFrame:
    """Revenue per account in the year to as-of − 12 months (start) and the year to as-of (end),
    net refunds floored at 0 — independently of portfolio.ingest."""
    lines = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    dates = _dates(lines[date_column].str.strip())
    amount = lines[amount_column].astype(float)
    ids = lines[id_column].str.strip()
    as_of = dates.max().normalize()
    middle, first = as_of - pd.DateOffset(months=12), as_of - pd.DateOffset(months=24)

    def window(lo, hi) -> pd.Series:
        return amount.where((dates > lo) & (dates <= hi), 0.0).groupby(ids).sum().clip(lower=0)

    return pd.DataFrame({"start": window(first, middle), "end": window(middle, as_of)})


def _revenue_tiers(start: pd.Series) -> pd.Series:
    """Revenue-only tiers: score 100 × percentile rank of ARR among ARR > 0; ≥ 95 Strategic,
    ≥ 80 Key."""
    score = 100 * start[start > 0].rank(pct=True, method="average")
    return pd.Series(
        ["Strategic" if s >= 95 else "Key" if s >= 80 else "Standard" for s in score], score.index
    )


def _expected(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """(start, end) per account and each account's start tier, by hand."""
    path = path_of(name)
    _, columns = FILES[name]
    if columns is not None:
        years = _history_years(path, *columns)
        return years, _revenue_tiers(years["start"])
    raw = pd.read_csv(path)
    if name == "demo":
        years = pd.DataFrame({"start": raw["arr_prior"].fillna(0), "end": raw["arr"]})
        # the demo has scorecard columns: its start tiers are the scorecard's (tested elsewhere)
        tiers = analyze(load_file(path).accounts).tiers.start_tier
        return years, tiers.where(years["start"] > 0).dropna()
    years = pd.DataFrame({"start": raw["ARR Prior"].fillna(0), "end": raw["ARR"]})
    return years, _revenue_tiers(years["start"])


def _figures(years: pd.DataFrame) -> dict:
    cohort = years[years["start"] > 0]
    start = cohort["start"].sum()
    return {
        "nrr": cohort["end"].sum() / start,
        "grr": cohort[["start", "end"]].min(axis=1).sum() / start,
        "arr_churn": cohort.loc[cohort["end"] == 0, "start"].sum() / start,
    }


@pytest.mark.parametrize("name", list(FILES))
def test_backtest_json_and_observed_figures(backtests, name):
    data = backtests[name]
    if data is None:
        pytest.skip(f"{name} not present (shared/ lies beside the repository)")
    mode, _ = FILES[name]
    assert data["mode"] == mode, data["reason"]
    assert set(data) == {"mode", "reason", "observed", "simulated", "targets", "settings", "source"}
    for figure in ("nrr", "grr", "arr_churn"):
        band = data["simulated"][figure]
        assert set(band) == {"p5", "p50", "p95"} and band["p5"] <= band["p50"] <= band["p95"]
    years, tiers = _expected(name)
    expected = _figures(years)
    for figure, value in expected.items():
        assert data["observed"][figure] == pytest.approx(value, rel=1e-9), figure
    assert set(data["observed"]["by_tier"]) == set(tiers.unique())
    for tier, seen in data["observed"]["by_tier"].items():
        members = years.loc[tiers.index[tiers == tier]]
        assert seen["accounts"] == len(members), tier
        mine = _figures(members)
        assert seen["nrr"] == pytest.approx(mine["nrr"], rel=1e-9), tier
        assert seen["grr"] == pytest.approx(mine["grr"], rel=1e-9), tier
        assert set(data["simulated"]["by_tier"][tier]) == {"nrr", "grr"}
    checks = data["targets"]["checks"]
    assert data["targets"]["passed"] == all(c["passed"] for c in checks)
    big_tiers = {t for t, s in data["observed"]["by_tier"].items() if s["accounts"] >= 30}
    assert {c["tier"] for c in checks} - {None} == big_tiers
    assert all(math.isfinite(data["simulated"]["nrr"][p]) for p in ("p5", "p50", "p95"))


ORDER_EXPORT_MISS = pytest.mark.xfail(
    strict=True,
    reason="order revenue: the test year's GRR (SaaS-Sales 79.0%, Superstore 35.7%) lies above every "
    "calibration year's (60.6–72.0%, 28.4–30.0%); the transactional model simulates medians of 68.7% "
    "and 24.8% at 4,000 paths (P95 74.8%, 28.2%), and Superstore's NRR median 87.3% against 96.3%; "
    "neither the order-count spread a + b/n nor order count or tenure in churn explains it "
    "(module docstring)",
)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=ORDER_EXPORT_MISS) if mode == "out-of-sample" else name
        for name, (mode, _) in FILES.items()
    ],
)
def test_backtest_targets_pass(backtests, name):
    data = backtests[name]
    if data is None:
        pytest.skip(f"{name} not present (shared/ lies beside the repository)")
    failed = [c["name"] for c in data["targets"]["checks"] if not c["passed"]]
    assert not failed, f"{name}: {failed}"


@pytest.mark.parametrize(
    ("name", "year_end"),
    [
        ("SaaS-Sales.csv", "2022-12-31"),
        pytest.param(
            "Sample - Superstore.csv",
            "2016-12-30",
            marks=pytest.mark.xfail(
                strict=True,
                reason="GRR 30.0% lies just above the simulated P5–P95 of 23.2–29.7% (NRR 94.9% against "
                "a median of 95.6%: passes): the log-normal spend ratio misses the left skew of these "
                "buyers' ratios (resampling the fitted residuals gives 30.9%; docs/simulation.md)",
            ),
        ),
    ],
)
def test_order_export_reproduces_its_own_calibration_year(name, year_end):
    """Issue 13 item 5: calibrated on one year of an order export (that year alone), the
    simulation of that same year from its starting ARR puts the observed NRR and GRR inside
    P5–P95 and the median NRR within 3 points. Before the transactional bounds SaaS-Sales'
    year to 2022-12-31 (NRR 129.3%) simulated a median of 149%: its 5 largest buyers'
    fitted drift (−64.5%/yr, regression to the mean) was replaced by the subscription default
    +20%/yr and the fitted reversion −0.96 was clipped to −0.6."""
    from simulation.backtest import observed_figures, simulated_figures
    from simulation.calibration import calibrate

    analysis = analyze(load_file(real_file(name), as_of=year_end).accounts)
    accounts, start_tier = analysis.accounts, analysis.tiers.start_tier
    assumptions = calibrate(accounts["arr"], accounts["arr_prior"], start_tier, transactional=True)
    observed = observed_figures(accounts["arr_prior"], accounts["arr"], start_tier)
    cohort = accounts["arr_prior"].fillna(0) > 0
    frame = pd.DataFrame(
        {"account_id": accounts["account_id"], "arr": accounts["arr_prior"], "tier": start_tier}
    )[cohort].reset_index(drop=True)
    simulated = simulated_figures(frame, assumptions, paths=2_000)
    assert simulated.nrr.contains(observed.nrr) and simulated.grr.contains(observed.grr)
    assert abs(simulated.nrr.p50 - observed.nrr) <= 0.03, (simulated.nrr, observed.nrr)


@pytest.mark.parametrize(
    ("name", "as_of"),
    [
        pytest.param(
            "SaaS-Sales.csv",
            "2022-12-31",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the year to 2022-12-31 grew far more than the one calibration year (NRR "
                "129.3% against 97.2%): simulated NRR 87.4–104.8–127.6%, GRR 55.2–61.4–68.0% against "
                "72.0% at 4,000 paths (README, order exports)",
            ),
        ),
        ("Sample - Superstore.csv", "2016-12-30"),
    ],
)
def test_order_export_second_out_of_sample_year(name, as_of):
    """Issue 13 item 5's guard against fitting the test year: calibrated on the first year pair
    of the file only, the year after it (``--as-of`` one year before the last order) has its
    overall NRR, GRR and ARR churn inside P5–P95 and the NRR and GRR medians within 3 points.
    Before order data kept the common reversion when a tier's drift fell back to the default,
    Superstore's Strategic buyers were held at their spend with σ ≈ 2.0: NRR median 209.5%
    (P5–P95 121.9–575.2%) against 94.9% observed, GRR 37.5% against 30.0%; now 94.6% and
    28.5%. Its Key and Standard GRR (28.7%, 47.2%) lie above their P5–P95 (15.0–26.9%,
    38.3–46.5%): reported in the README, not asserted here."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["backtest", str(real_file(name)), "--json", "--paths", PATHS, "--as-of", as_of])
    assert status == 0, out.getvalue()
    data = json.loads(out.getvalue())
    assert data["mode"] == "out-of-sample", data["reason"]
    failed = [c["name"] for c in data["targets"]["checks"] if c["tier"] is None and not c["passed"]]
    assert not failed, (failed, data["observed"], data["simulated"])
