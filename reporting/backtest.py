"""The back-test as people read it: a table of observed against simulated, and a verdict.

Shared by ``portfolio backtest`` and the Simulator page's back-test panel (no Dash here).
"""

from __future__ import annotations

import math

import pandas as pd

from portfolio.formatting import percent
from portfolio.whatif import analyze_with
from simulation.backtest import MIN_TIER_ACCOUNTS, Backtest, Band, Target, choose_mode, in_sample
from simulation.model import DEFAULT_SEED

COLUMNS = ("figure", "observed", "median", "p5_p95", "result")
"""Keys of a row of :func:`backtest_rows`, in display order."""
PANEL_TITLE = "Does the model fit this data? (back-test)"
PANEL_PATHS = 2_000
"""Paths of the Simulator page's back-test (its P5 and P95 move by about ±0.5 points)."""
HEADERS = {
    "figure": "Figure",
    "observed": "Observed",
    "median": "Simulated median",
    "p5_p95": "Simulated P5–P95",
    "result": "Target",
}


def _result(checks: list[Target], accounts: int | None) -> str:
    """ "pass" when every check of the figure passes, "fail: …" naming the ones that do not,
    "no target" for a tier below the size that has one."""
    if not checks:
        return f"no target (< {MIN_TIER_ACCOUNTS} accounts)" if accounts is not None else "no target"
    failed = [t for t in checks if not t.passed]
    if not failed:
        return "pass"
    what = ["outside P5–P95" if "inside" in t.name else "median > 3 points off" for t in failed]
    return "fail: " + ", ".join(what)


def _row(label: str, observed: float, band: Band, checks: list[Target], accounts: int | None = None) -> dict:
    return {
        "figure": label,
        "observed": percent(observed),
        "median": percent(band.p50),
        "p5_p95": f"{percent(band.p5)} – {percent(band.p95)}",
        "result": _result(checks, accounts),
    }


def backtest_rows(result: Backtest) -> list[dict[str, str]]:
    """One row per figure (overall NRR, GRR, ARR churn; each start tier's NRR and GRR): the
    observed value, the simulated median and P5–P95 (percent text) and the targets' result."""
    o, s = result.observed, result.simulated

    def checks(figure: str, tier: str | None = None) -> list[Target]:
        return [t for t in result.targets if t.figure == figure and t.tier == tier]

    rows = [
        _row("NRR", o.nrr, s.nrr, checks("nrr")),
        _row("GRR", o.grr, s.grr, checks("grr")),
        _row("ARR churn", o.arr_churn, s.arr_churn, checks("arr_churn")),
    ]
    for tier, seen in o.by_tier.items():
        bands = s.by_tier.get(tier)
        if bands is None:
            continue
        label = f"{tier} ({seen.accounts:,} accounts)"
        rows.append(_row(f"{label} NRR", seen.nrr, bands["nrr"], checks("nrr", tier), seen.accounts))
        rows.append(_row(f"{label} GRR", seen.grr, bands["grr"], checks("grr", tier), seen.accounts))
    return rows


def settings_sentence(result: Backtest) -> str:
    """Paths, seed and the Monte Carlo error of the overall percentiles shown."""
    s = result.simulated
    text = f"{result.paths:,} simulated paths over one year (4 quarters), seed {result.seed}"
    errors = [b.error for b in (s.nrr, s.grr, s.arr_churn) if math.isfinite(b.error)]
    if not errors:
        return text + "."
    return (
        f"{text}; each overall percentile is within ±{100 * max(errors):.1f} points of its value with "
        "unlimited paths (95% Monte Carlo interval)."
    )


def verdict(result: Backtest) -> str:
    """A plain-language answer to "does the model fit this data?"."""
    failed = [t for t in result.targets if not t.passed]
    total = len(result.targets)
    caveat = (
        " It is in-sample (calibrated on the year it is tested on), so it checks the model's "
        "shape, not its foresight."
        if result.mode == "in-sample"
        else ""
    )
    if not failed:
        return (
            f"Yes: all {total} checks pass — the year the data records looks like a typical "
            f"simulated year (inside the simulated P5–P95, medians within 3 points).{caveat}"
        )
    outside = [t.name.replace(" inside P5–P95", "") for t in failed if "inside" in t.name]
    off = [t.name.replace(" median within 3 points", "") for t in failed if "median" in t.name]
    parts = []
    if outside:
        parts.append(f"outside the simulated P5–P95: {', '.join(outside)}")
    if off:
        parts.append(f"simulated median more than 3 points from what happened: {', '.join(off)}")
    head = "No" if len(failed) * 2 >= total else "Partly"
    return (
        f"{head}: {total - len(failed)} of {total} checks pass; {'; '.join(parts)}. Read the "
        f"simulator's figures for this data with that in mind.{caveat}"
    )


def render_text(result: Backtest) -> list[str]:
    """The table as fixed-width text lines (the CLI's output)."""
    rows = backtest_rows(result)
    width = {c: max(len(HEADERS[c]), *(len(r[c]) for r in rows)) for c in COLUMNS}
    line = lambda cells: "  ".join(  # noqa: E731
        cells[c].ljust(width[c]) if c in ("figure", "result") else cells[c].rjust(width[c]) for c in COLUMNS
    )
    return [line(HEADERS).rstrip(), *(line(r).rstrip() for r in rows)]


def panel_reason(shape: str | None) -> str:
    """The mode sentence on the Simulator page, which holds the accounts (not revenue lines),
    so the back-test there is in-sample."""
    if shape != "history":
        return choose_mode(shape, None, None)[1]
    return (
        "In-sample: this page keeps the revenue history aggregated to one row per account at its "
        "as-of date, so the model is calibrated on the same year it is tested on (prior ARR → "
        "ARR; order data: on every full year of the history, that one included); `portfolio "
        "backtest FILE` tests it out-of-sample when the history covers 36 months."
    )


def panel_backtest(accounts: pd.DataFrame, settings: dict | None, shape: str | None) -> Backtest:
    """The Simulator page's back-test of this data under the what-if settings (tiers).
    Raises ValueError when the data has no prior-year ARR."""
    analysis = analyze_with(accounts, settings)
    return in_sample(analysis, reason=panel_reason(shape), paths=PANEL_PATHS, seed=DEFAULT_SEED)
