"""Current × proposed tier migration: which accounts a re-tiering would move, and how much ARR.

Current tier = the tier the company runs (:func:`portfolio.tiers.current_tiers`: the assigned
``tier`` column, else the scorecard at the default weights and thresholds). Proposed tier = the
scorecard at the what-if weights and thresholds. Over active accounts (ARR > 0):

* ``accounts[c, p]`` = number of accounts with current tier c and proposed tier p;
* ``arr[c, p]`` = Σ ARR of those accounts (currency per year).

An account is **promoted** when its proposed tier is higher than its current tier (Standard →
Key, Key → Strategic, Standard → Strategic), **demoted** when lower. The diagonal stays put.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.schema import TIERS
from portfolio.tiers import current_tiers


@dataclass(frozen=True)
class Migration:
    """The migration matrix and the accounts off its diagonal.

    Attributes
    ----------
    accounts, arr : current tier (rows) × proposed tier (columns), in :data:`TIERS` order.
    moves : one row per account that changes tier: ``account_id``, ``account_name``, ``arr``,
        ``current_tier``, ``proposed_tier``, ``move`` ("promotion"/"demotion"); largest ARR first.
    current_source : "assigned" or "scorecard" (what the current tier is).
    """

    accounts: pd.DataFrame
    arr: pd.DataFrame
    moves: pd.DataFrame
    current_source: str

    def to_dict(self) -> dict:
        """JSON-ready: ``current_source``, ``accounts`` and ``arr`` as {current: {proposed: n}},
        ``promotions`` and ``demotions`` (account ids)."""
        return {
            "current_source": self.current_source,
            "accounts": {c: {p: int(n) for p, n in row.items()} for c, row in self.accounts.iterrows()},
            "arr": {c: {p: float(v) for p, v in row.items()} for c, row in self.arr.iterrows()},
            "promotions": self.promotions,
            "demotions": self.demotions,
        }

    @property
    def promotions(self) -> list[str]:
        """Account ids whose proposed tier is higher than their current tier."""
        return self.moves.loc[self.moves["move"] == "promotion", "account_id"].astype(str).tolist()

    @property
    def demotions(self) -> list[str]:
        """Account ids whose proposed tier is lower than their current tier."""
        return self.moves.loc[self.moves["move"] == "demotion", "account_id"].astype(str).tolist()


def migration(
    accounts: pd.DataFrame, proposed_tier: pd.Series, current: tuple[pd.Series, str] | None = None
) -> Migration:
    """Current tiers of ``accounts`` against ``proposed_tier`` (same index); see the module
    docstring. Accounts without ARR, or without a current or proposed tier, are left out.
    ``current``: the current tiers and their source when the caller has them (computed on the
    whole portfolio when ``accounts`` are a filtered part of it); default
    :func:`portfolio.tiers.current_tiers` of ``accounts``."""
    current_tier, source = current if current is not None else current_tiers(accounts)
    tiers = pd.Index(TIERS)
    now = tiers.get_indexer(current_tier.reindex(accounts.index))  # rank, 0 = Strategic; -1: none
    proposed = tiers.get_indexer(proposed_tier.reindex(accounts.index))
    arr = accounts["arr"].to_numpy(dtype=float)
    kept = (arr > 0) & (now >= 0) & (proposed >= 0)
    cell = now[kept] * len(TIERS) + proposed[kept]
    counts, arr_sums = (
        pd.DataFrame(
            np.bincount(cell, weights=weights, minlength=len(TIERS) ** 2).reshape(len(TIERS), -1),
            index=pd.Index(TIERS, name="current"),
            columns=pd.Index(TIERS, name="proposed"),
        )
        for weights in (None, arr[kept])
    )
    moved = np.flatnonzero(kept & (now != proposed))
    names = np.array(TIERS, dtype=object)
    moves = pd.DataFrame(
        {
            "account_id": accounts["account_id"].iloc[moved].reset_index(drop=True),
            "account_name": accounts["account_name"].iloc[moved].reset_index(drop=True),
            "arr": arr[moved],
            "current_tier": pd.Series(names[now[moved]], dtype=object),
            "proposed_tier": pd.Series(names[proposed[moved]], dtype=object),
            "move": np.where(proposed[moved] < now[moved], "promotion", "demotion"),
        }
    )
    moves = moves.sort_values("arr", ascending=False, kind="stable").reset_index(drop=True)
    return Migration(counts, arr_sums, moves, source)


def transition_matrix(
    before: pd.Series, after: pd.Series, weights: pd.Series | None, labels: tuple[str, ...]
) -> pd.DataFrame:
    """``labels`` × ``labels`` table: cell (b, a) counts the rows with ``before`` = b and
    ``after`` = a, or sums their ``weights`` (e.g. ARR) when given. Every value of ``before``
    and ``after`` must be one of ``labels``."""
    n = len(labels)
    rank = {label: i for i, label in enumerate(labels)}
    cell = before.map(rank).to_numpy(dtype=int) * n + after.map(rank).to_numpy(dtype=int)
    values = None if weights is None else weights.to_numpy(dtype=float)
    table = np.bincount(cell, weights=values, minlength=n * n).reshape(n, n)
    return pd.DataFrame(table, index=list(labels), columns=list(labels))
