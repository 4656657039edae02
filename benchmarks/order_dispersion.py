"""Does a buyer's spend ratio get less dispersed as it places more orders? (issue 13, item 5)

    .venv/bin/python benchmarks/order_dispersion.py

Order revenue per account-year is a sum of orders, so under a compound-Poisson view the
variance of the log spend ratio ln(next / this year's spend) falls with the number of orders
n placed in the starting year: Var ≈ a + b/n. Both order exports grow their order counts year
by year, so if b > 0 a model calibrated on earlier years would overstate the test year's
dispersion. For each order export in ../shared/real-data this prints, per year pair (years to
the last order date, 12, 24 … months before it), the buyers' counts, churn, GRR, the slope of
log growth on ln prior spend and the residual s.d.; then a + b/n fitted on the calibration
years only (every pair but the last) and the s.d. it implies for each pair; then churn
(no order next year) against ln n and a repeat-buyer flag (bought in an earlier year of the
file), fitted on the calibration years, and the test year's churn share it predicts.
Independent of ``portfolio.ingest``: the lines are read with pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real-data"
FILES = ("SaaS-Sales.csv", "Sample - Superstore.csv")
YEARS = 4


@dataclass(frozen=True)
class CountDispersion:
    """Var(residual) = a + b/n fitted by least squares of the squared residual on 1/n
    (E[r²] = a + b/n); ``a``, ``b`` in (log units)², their standard errors and b's p-value."""

    a: float
    b: float
    a_se: float
    b_se: float
    b_p: float


def fit_variance_by_count(residual: np.ndarray, count: np.ndarray) -> CountDispersion:
    """a + b/n for the variance of zero-mean ``residual`` given each one's order ``count`` n ≥ 1."""
    fit = sm.OLS(np.asarray(residual, float) ** 2, sm.add_constant(1 / np.asarray(count, float))).fit()
    (a, b), (a_se, b_se) = fit.params, fit.bse
    return CountDispersion(float(a), float(b), float(a_se), float(b_se), float(fit.pvalues[1]))


def account_years(path: Path) -> pd.DataFrame:
    """Per account and year (0 = the year to the last order date, 1 the year before …):
    revenue (Σ Sales) and orders (distinct Order ID)."""
    lines = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    cells = lines["Order Date"].str.strip()
    slash = pd.to_datetime(cells.where(cells.str.contains("/")), format="%m/%d/%Y", errors="coerce")
    dates = slash.fillna(
        pd.to_datetime(cells.where(cells.str.contains("-")), format="%m-%d-%y", errors="coerce")
    )
    as_of = dates.max().normalize()
    year = pd.Series(-1, index=lines.index)
    for k in range(YEARS):
        high, low = as_of - pd.DateOffset(months=12 * k), as_of - pd.DateOffset(months=12 * (k + 1))
        year[(dates > low) & (dates <= high)] = k
    frame = pd.DataFrame(
        {
            "id": lines["Customer ID"].str.strip(),
            "year": year,
            "order": lines["Order ID"],
            "sales": lines["Sales"].astype(float),
        }
    )
    frame = frame[frame["year"] >= 0]
    return (
        frame.groupby(["id", "year"]).agg(revenue=("sales", "sum"), orders=("order", "nunique")).reset_index()
    )


def year_pairs(years: pd.DataFrame) -> pd.DataFrame:
    """One row per account with revenue in a starting year: ``pair`` k (ending year k, start
    k + 1), prior and next revenue, starting orders n, ``repeat`` (bought before the start
    year), ``x`` = ln prior − its pair's mean."""
    revenue = years.pivot(index="id", columns="year", values="revenue")
    orders = years.pivot(index="id", columns="year", values="orders")
    first = years.groupby("id")["year"].max()
    rows = []
    for k in range(YEARS - 1):
        prior = revenue[k + 1]
        held = prior > 0
        pair = pd.DataFrame(
            {"prior": prior[held], "next": revenue[k].fillna(0)[held], "n": orders[k + 1][held]}
        )
        pair["pair"] = k
        pair["repeat"] = (first[pair.index] > k + 1).astype(float)
        pair["x"] = np.log(pair["prior"]) - np.log(pair["prior"]).mean()
        rows.append(pair)
    pairs = pd.concat(rows)
    pairs["churn"] = (pairs["next"] <= 0).astype(float)
    return pairs


def report(name: str) -> None:
    pairs = year_pairs(account_years(REAL_DATA / name))
    print(f"== {name}")
    for k, pair in pairs.groupby("pair"):
        buyers = pair[pair["churn"] == 0]
        fit = sm.OLS(np.log(buyers["next"] / buyers["prior"]), sm.add_constant(buyers["x"])).fit()
        grr = np.minimum(pair["next"], pair["prior"]).sum() / pair["prior"].sum()
        print(
            f"  pair {k}: accounts {len(pair)}, mean orders {pair['n'].mean():.2f}, churn "
            f"{pair['churn'].mean():.1%}, GRR {grr:.1%}, slope {fit.params.iloc[1]:+.2f}, residual s.d. "
            f"{fit.resid.std():.3f}, skew {fit.resid.skew():+.2f}"
        )
    calibration, test = pairs[pairs["pair"] > 0], pairs[pairs["pair"] == 0]
    buyers = calibration[calibration["churn"] == 0]
    design = sm.add_constant(np.column_stack([buyers["x"], buyers["pair"] == 1]))
    residual = sm.OLS(np.log(buyers["next"] / buyers["prior"]), design).fit().resid.to_numpy()
    fit = fit_variance_by_count(residual, buyers["n"].to_numpy())
    print(
        f"  calibration pairs: a = {fit.a:.3f} ± {fit.a_se:.3f}, "
        f"b = {fit.b:.3f} ± {fit.b_se:.3f} (p = {fit.b_p:.2f})"
    )
    for k, pair in pairs.groupby("pair"):
        print(f"    implied s.d. for pair {k}: {np.sqrt(fit.a + fit.b * (1 / pair['n']).mean()):.3f}")
    if calibration["churn"].sum() < 10:
        return
    for columns in (["x"], ["x", "ln_n"], ["x", "repeat"]):
        frame = calibration.assign(ln_n=np.log(calibration["n"]))
        model = sm.Logit(frame["churn"], sm.add_constant(frame[columns])).fit(disp=0)
        predicted = model.predict(sm.add_constant(test.assign(ln_n=np.log(test["n"]))[columns])).mean()
        terms = ", ".join(f"{c} {model.params[c]:+.3f} (p {model.pvalues[c]:.2f})" for c in columns)
        print(
            f"  churn logit on {terms}: test churn predicted {predicted:.1%}, "
            f"observed {test['churn'].mean():.1%}"
        )


if __name__ == "__main__":
    for name in FILES:
        report(name)
