"""Revenue concentration: Pareto and Lorenz curves, Gini, HHI and top-N shares.

All functions take ARR values (currency per year, ≥ 0). Accounts with zero ARR (churned)
carry no revenue and are left out, so that a list of churned logos does not inflate
the Gini. Shares are fractions (0.8, not 80).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


def _active(arr: pd.Series | np.ndarray) -> np.ndarray:
    values = np.asarray(arr, dtype=float)
    return values[values > 0]


def pareto_points(arr: pd.Series | np.ndarray) -> pd.DataFrame:
    """Pareto curve, largest account first.

    Returns a frame with ``account_share`` = k/n and ``arr_share`` = Σ_{i≤k} x_(i) / Σ x for
    k = 0..n, where x_(1) ≥ x_(2) ≥ … ; plus ``position`` (the index label of the k-th account
    in the input, ``None`` on the origin row), so a chart can name the account it hovers on.
    """
    series = pd.Series(arr, dtype=float)
    series = series[series > 0].sort_values(ascending=False, kind="stable")
    n, total = len(series), float(series.sum())
    cumulative = series.cumsum().to_numpy() / total if n else np.array([])
    return pd.DataFrame(
        {
            "account_share": np.arange(n + 1) / max(n, 1),
            "arr_share": np.concatenate([[0.0], cumulative]),
            "position": pd.Series([None, *series.index], dtype=object),
        }
    )


def lorenz_points(arr: pd.Series | np.ndarray) -> pd.DataFrame:
    """Lorenz curve, smallest account first: (k/n, Σ_{i≤k} x_(i) / Σ x) for k = 0..n."""
    values = np.sort(_active(arr))
    n = len(values)
    cumulative = np.cumsum(values) / values.sum() if n else np.array([])
    return pd.DataFrame(
        {
            "account_share": np.arange(n + 1) / max(n, 1),
            "arr_share": np.concatenate([[0.0], cumulative]),
        }
    )


def gini(arr: pd.Series | np.ndarray) -> float:
    """Gini coefficient G = Σ_i (2i − n − 1)·x_(i) / (n·Σ x), x ascending, i = 1..n.

    0 when every account has the same ARR; (n − 1)/n when one account has it all, so G < 1.
    """
    values = np.sort(_active(arr))
    n = len(values)
    if n == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * values) / (n * values.sum()))


def hhi(arr: pd.Series | np.ndarray) -> float:
    """Herfindahl–Hirschman index on ARR shares: 10,000 · Σ s_i², from 10,000/n to 10,000."""
    values = _active(arr)
    if len(values) == 0:
        return float("nan")
    shares = values / values.sum()
    return float(10_000 * np.sum(shares**2))


def top_share(arr: pd.Series | np.ndarray, k: int) -> float:
    """Share of ARR held by the ``k`` largest accounts (all of it if k ≥ n)."""
    values = np.sort(_active(arr))[::-1]
    if len(values) == 0:
        return float("nan")
    return float(values[:k].sum() / values.sum())


def accounts_for_share(arr: pd.Series | np.ndarray, share: float = 0.8) -> int:
    """Smallest number of accounts, largest first, whose ARR reaches ``share`` of the total."""
    values = np.sort(_active(arr))[::-1]
    if len(values) == 0:
        return 0
    cumulative = np.cumsum(values) / values.sum()
    # 1e-12 absorbs rounding in the cumulative sum (e.g. 0.1 + 0.7 < 0.8 in floating point).
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


@dataclass(frozen=True)
class ConcentrationSummary:
    """Headline concentration figures.

    Attributes
    ----------
    active_accounts : accounts with ARR > 0.
    total_arr : Σ ARR (currency per year).
    gini : see :func:`gini`.
    hhi : see :func:`hhi` (0–10,000).
    effective_accounts : 1 / Σ s_i², the number of equal-sized accounts with the same HHI.
    top_1_share, top_10_share : ARR share of the largest 1 and 10 accounts.
    top_20pct_share : ARR share of the largest ⌈0.2·n⌉ accounts.
    accounts_for_80pct : smallest number of accounts holding 80% of ARR.
    share_of_accounts_for_80pct : that number / n.
    """

    active_accounts: int
    total_arr: float
    gini: float
    hhi: float
    effective_accounts: float
    top_1_share: float
    top_10_share: float
    top_20pct_share: float
    accounts_for_80pct: int
    share_of_accounts_for_80pct: float

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(arr: pd.Series | np.ndarray) -> ConcentrationSummary:
    """All headline concentration figures for one set of ARR values."""
    values = _active(arr)
    n = len(values)
    index = hhi(values)
    k80 = accounts_for_share(values, 0.8)
    return ConcentrationSummary(
        active_accounts=n,
        total_arr=float(values.sum()),
        gini=gini(values),
        hhi=index,
        effective_accounts=10_000 / index if n else float("nan"),
        top_1_share=top_share(values, 1),
        top_10_share=top_share(values, 10),
        top_20pct_share=top_share(values, math.ceil(0.2 * n)),
        accounts_for_80pct=k80,
        share_of_accounts_for_80pct=k80 / n if n else float("nan"),
    )
