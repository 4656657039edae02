"""Tables the pages show, as plain DataFrames (pure, testable)."""

from __future__ import annotations

import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.formatting import money
from portfolio.migration import Migration
from portfolio.schema import TIERS
from portfolio.tiers import tier_accounts


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


def tier_movers(current: PortfolioAnalysis, accounts: pd.DataFrame) -> pd.DataFrame:
    """Accounts whose tier under the current settings differs from the default scorecard's (both
    scored on the whole portfolio ``accounts``; listed for those ``current`` covers: its filter)."""
    before = tier_accounts(accounts, with_start=False).tier.astype(object).reindex(current.accounts.index)
    after = current.accounts["tier"].astype(object)
    moved = before.notna() & (before != after)
    frame = current.accounts.loc[moved, ["account_name", "arr", "score"]].assign(
        default_tier=before[moved], tier=after[moved]
    )
    return frame.sort_values("arr", ascending=False)


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
