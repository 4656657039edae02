"""Tables the pages show, as plain DataFrames (pure, testable)."""

from __future__ import annotations

import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.drilldown import DrillDown
from portfolio.formatting import currency_symbol, money, percent
from portfolio.migration import Migration
from portfolio.retention import CONVENTION_NAMES
from portfolio.schema import TIERS
from portfolio.tiers import tier_accounts
from portfolio.whatif import migration_with


def top_accounts(analysis: PortfolioAnalysis, n: int) -> pd.DataFrame:
    """The ``n`` largest accounts: rank, name, ARR, share and cumulative share of ARR, tier."""
    active = analysis.accounts[analysis.accounts["arr"] > 0]
    top = active.sort_values("arr", ascending=False, kind="stable").head(n)
    total = active["arr"].sum()
    return pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "account_name": top["account_name"].astype(str),
            "arr": top["arr"],
            "share": top["arr"] / total,
            "cumulative_share": top["arr"].cumsum() / total,
            "tier": top["tier"].astype(str),
            "sam": top.get("sam", ""),
        }
    )


def tier_movers(
    current: PortfolioAnalysis, accounts: pd.DataFrame, default_tier: pd.Series | None = None
) -> pd.DataFrame:
    """Accounts whose tier under the current settings differs from the default scorecard's (both
    scored on the whole portfolio ``accounts``; listed for those ``current`` covers: its filter).
    ``default_tier``: the default scorecard's tiers of ``accounts`` when the caller keeps them
    (they depend on the data alone); else scored here."""
    if default_tier is None:
        default_tier = tier_accounts(accounts, with_start=False).tier
    before = default_tier.astype(object).reindex(current.accounts.index)
    after = current.accounts["tier"].astype(object)
    moved = before.notna() & (before != after)
    frame = current.accounts.loc[moved, ["account_name", "arr", "score"]].assign(
        default_tier=before[moved], tier=after[moved]
    )
    return frame.sort_values("arr", ascending=False)


TIER_MOVE_LISTS = {
    "proposed": "accounts the proposed tiers would move from their current tier",
    "default": "accounts whose tier differs from the default scorecard's",
}
"""The Tiers page's two lists of accounts that change tier, by drill-down key."""


def tier_moves_behind(
    analysis: PortfolioAnalysis,
    accounts: pd.DataFrame,
    key: object,
    default_tier: pd.Series | None = None,
    current: tuple[pd.Series, str] | None = None,
) -> DrillDown:
    """Every account of one of the Tiers page's lists, largest ARR first, for the drill-down
    modal (the page shows the count and the largest few). ``key`` "proposed": the migration's
    moves, current tier → proposed tier (:func:`portfolio.whatif.migration_with`, ``current``
    kept by the caller or computed); "default": :func:`tier_movers` (``default_tier`` likewise).
    The title counts the accounts and sums their ARR (currency per year); ValueError names an
    unknown ``key``."""
    if key not in TIER_MOVE_LISTS:
        raise ValueError(f"unknown list of tier moves {key!r}: choose one of {', '.join(TIER_MOVE_LISTS)}")
    frame = analysis.accounts
    if key == "proposed":
        moves = migration_with(accounts, analysis, current).moves
        details = frame.drop(columns=["account_name", "arr", "tier"]).drop_duplicates("account_id")
        rows = moves.merge(details, on="account_id", how="left", sort=False)
        promoted = int((moves["move"] == "promotion").sum())
        what = f"{promoted:,} promotions, {len(moves) - promoted:,} demotions"
    else:
        movers = tier_movers(analysis, accounts, default_tier)
        rows = frame.loc[movers.index].drop(columns="tier")
        rows = rows.assign(default_tier=movers["default_tier"], proposed_tier=movers["tier"])
        what = "against the default weights and thresholds"
    title = f"{len(rows):,} {TIER_MOVE_LISTS[key]} ({what}): {money(float(rows['arr'].sum()))} ARR"
    return DrillDown(title, rows.reset_index(drop=True))


def migration_table(m: Migration) -> pd.DataFrame:
    """The migration matrix as text, one row per current tier: a ``current`` column and one
    column per proposed tier holding "n accounts · ARR" (the diagonal stays put)."""
    rows = []
    for current in TIERS:
        row = {"current": current}
        for proposed in TIERS:
            n = int(m.accounts.loc[current, proposed])
            row[proposed] = f"{n:,} · {money(m.arr.loc[current, proposed])}" if n else "–"
        rows.append(row)
    return pd.DataFrame(rows)


RECONCILIATION_HEADERS = {
    "step": "Base",
    "accounts": "Accounts",
    "retained": "ARR now",
    "gross": "Kept ARR",
    "opening": "Opening ARR",
    "nrr": "NRR",
    "grr": "GRR",
}
"""Columns of :func:`reconciliation_rows`, as the page heads them."""


def cents_text(cents: int, symbol: str | None = None, *, signed: bool = False) -> str:
    """Whole cents as exact currency text: ``-123456`` → ``−$1,234.56`` (``+`` when ``signed``
    and positive; ``symbol`` default: the current currency's); computed on the integer, so the
    cells add up as the cents do."""
    symbol = currency_symbol() if symbol is None else symbol
    sign = "−" if cents < 0 else ("+" if signed and cents > 0 else "")
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{symbol}{units:,}.{rest:02d}"


def reconciliation_rows(analysis: PortfolioAnalysis) -> pd.DataFrame | None:
    """The walk between two NRR/GRR conventions as text cells (money to the cent, rates to
    0.1 points, blank on the steps); None when the analysis has none."""
    walk = analysis.reconciliation
    if walk is None:
        return None
    return pd.DataFrame(
        [
            {
                "step": row.step,
                "accounts": f"{row.accounts:+,}" if row.kind == "step" else f"{row.accounts:,}",
                "retained": cents_text(row.retained, signed=row.kind == "step"),
                "gross": cents_text(row.gross, signed=row.kind == "step"),
                "opening": cents_text(row.opening, signed=row.kind == "step"),
                "nrr": "" if row.kind == "step" or not row.opening else percent(row.nrr),
                "grr": "" if row.kind == "step" or not row.opening else percent(row.grr),
            }
            for row in walk.rows
        ]
    )


def convention_note(analysis: PortfolioAnalysis) -> str:
    """One line: the convention, how many accounts its rates are over, how many reactivated
    (and that the reactivation bar says how much), or why the rates are missing."""
    r = analysis.retention
    if r is None:
        return ""
    name = CONVENTION_NAMES[analysis.convention]
    if r.note:
        return f"{name}: {r.note}."
    back = (
        f"{r.reactivated_accounts:,} reactivated account(s), "
        + (
            "counted as expansion."
            if analysis.convention == "reactivation_as_expansion"
            else "shown in their own bridge bar and left out of NRR and GRR."
        )
        if r.reactivated_accounts
        else "No reactivated accounts (revenue before the prior year, none in it, some now)."
    )
    return f"{name}: NRR and GRR over {r.base_accounts:,} accounts. {back}"
