"""What changed between two account snapshots: tier migration, strategic accounts gained and
lost, the biggest movers and the ARR that entered or left the strategic tier.

The snapshots of the data (:func:`review_snapshots`, the one source every caller uses) are a
snapshot file's dated snapshots, or, for a revenue history, one per quarter end with a full
year of history before it: ARR at quarter end ``t`` = the account's revenue over the four
quarters to ``t`` (:func:`portfolio.trends.arr_at`, the Trends page's ARR), accounts with ARR > 0.

Each snapshot's tier is the tier the company runs (:func:`portfolio.tiers.current_tiers`: the
assigned ``tier`` column, else the scorecard at the default settings). An account absent from
a snapshot, or with ARR 0 in it, is **No ARR** there. Between the earlier date ``s`` and the
later ``e`` (ARR in currency per year):

* ``accounts[b, a]`` = accounts in tier b at ``s`` and a at ``e`` (No ARR included), and
  ``arr_from`` / ``arr_to`` the Σ ARR of those accounts at ``s`` / at ``e``;
* new strategic accounts: Strategic at ``e``, not at ``s``; lost: Strategic at ``s``, not at
  ``e`` — **churned** (No ARR at ``e``) or **demoted** (a lower tier);
* strategic ARR entered = Σ ARR at ``e`` of the new strategic accounts; left = Σ ARR at ``s``
  of the lost ones; stayed change = Σ (ARR at ``e`` − ARR at ``s``) of those Strategic at both,
  so that strategic ARR(e) = strategic ARR(s) + entered − left + stayed change;
* biggest movers: the accounts with the largest |ARR at ``e`` − ARR at ``s``|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.carried import quarters_of
from portfolio.ingest.snapshots import snapshots_of
from portfolio.migration import transition_matrix
from portfolio.quarters import QuarterlyRevenue
from portfolio.schema import SNAPSHOT_DATE, TIERS
from portfolio.tiers import current_tiers
from portfolio.trends import arr_at, arr_points

NO_ARR = "No ARR"
"""The tier of an account absent from a snapshot or without ARR in it."""
LABELS: tuple[str, ...] = (*TIERS, NO_ARR)
MOVERS = 10
"""Biggest movers listed."""


@dataclass(frozen=True)
class Changes:
    """The comparison of two snapshots (see the module docstring).

    Attributes
    ----------
    start, end : the two snapshot dates.
    accounts, arr_from, arr_to : tier at ``start`` (rows) × tier at ``end`` (columns), in
        :data:`LABELS` order.
    accounts_table : one row per account in either snapshot: ``account_id``,
        ``account_name``, ``arr_from``, ``arr_to``, ``change``, ``tier_from``, ``tier_to``.
    strategic_from, strategic_to, entered, left, stayed_change : strategic ARR (currency).
    current_source : "assigned" or "scorecard" (what a snapshot's tier is).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    accounts: pd.DataFrame
    arr_from: pd.DataFrame
    arr_to: pd.DataFrame
    accounts_table: pd.DataFrame
    strategic_from: float
    strategic_to: float
    entered: float
    left: float
    stayed_change: float
    current_source: str

    @property
    def new_strategic(self) -> pd.DataFrame:
        """Accounts Strategic at ``end`` and not at ``start``, largest ARR first."""
        t = self.accounts_table
        rows = t[(t["tier_to"] == TIERS[0]) & (t["tier_from"] != TIERS[0])]
        return rows.sort_values("arr_to", ascending=False, kind="stable").reset_index(drop=True)

    @property
    def lost_strategic(self) -> pd.DataFrame:
        """Accounts Strategic at ``start`` and not at ``end``, with ``reason`` "churned" or
        "demoted", largest ARR at ``start`` first."""
        t = self.accounts_table
        rows = t[(t["tier_from"] == TIERS[0]) & (t["tier_to"] != TIERS[0])]
        rows = rows.assign(reason=np.where(rows["tier_to"] == NO_ARR, "churned", "demoted"))
        return rows.sort_values("arr_from", ascending=False, kind="stable").reset_index(drop=True)

    def movers(self, n: int = MOVERS) -> pd.DataFrame:
        """The ``n`` accounts with the largest |ARR change|, largest first."""
        t = self.accounts_table
        order = t["change"].abs().sort_values(ascending=False, kind="stable").index
        return t.loc[order].head(n).reset_index(drop=True)

    def to_dict(self) -> dict:
        """JSON-ready: dates, the three matrices as {from: {to: value}}, strategic ARR walk,
        new and lost strategic accounts and the biggest movers."""

        def matrix(table: pd.DataFrame, cast: type) -> dict:
            return {b: {a: cast(v) for a, v in row.items()} for b, row in table.iterrows()}

        def records(frame: pd.DataFrame) -> list[dict]:
            return [
                {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in frame.to_dict(orient="records")
            ]

        return {
            "from": f"{self.start:%Y-%m-%d}",
            "to": f"{self.end:%Y-%m-%d}",
            "tier_source": self.current_source,
            "migration": {
                "accounts": matrix(self.accounts, int),
                "arr_from": matrix(self.arr_from, float),
                "arr_to": matrix(self.arr_to, float),
            },
            "strategic_arr": {
                "from": self.strategic_from,
                "entered": self.entered,
                "left": self.left,
                "stayed_change": self.stayed_change,
                "to": self.strategic_to,
            },
            "new_strategic": records(self.new_strategic),
            "lost_strategic": records(self.lost_strategic),
            "movers": records(self.movers()),
        }


def snapshot_dates(snapshots: pd.DataFrame) -> list[pd.Timestamp]:
    """The snapshot dates, oldest first."""
    return [pd.Timestamp(d) for d in sorted(snapshots[SNAPSHOT_DATE].unique())]


def pick_dates(
    snapshots: pd.DataFrame, start: str | pd.Timestamp | None, end: str | pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(start, end)``: the given dates (each must be a snapshot date), by default the last
    two; ValueError naming the dates there are when one is not, or when start is not before end."""
    dates = snapshot_dates(snapshots)
    listed = ", ".join(f"{d:%Y-%m-%d}" for d in dates)
    chosen = []
    for given, default, name in ((start, dates[-2], "from"), (end, dates[-1], "to")):
        if given is None or given == "":
            chosen.append(default)
            continue
        date = pd.to_datetime(given, errors="coerce")
        if pd.isna(date) or date.normalize() not in dates:
            raise ValueError(f"{name} date {given!s} is not a snapshot date; the snapshots are {listed}")
        chosen.append(date.normalize())
    if chosen[0] >= chosen[1]:
        raise ValueError(
            f"the from date ({chosen[0]:%Y-%m-%d}) must be before the to date ({chosen[1]:%Y-%m-%d})"
        )
    return chosen[0], chosen[1]


def _tiers_on(snapshots: pd.DataFrame, date: pd.Timestamp) -> tuple[pd.DataFrame, str]:
    """One snapshot's ``account_id``, ``account_name``, ``arr`` and tier (No ARR without ARR)."""
    snap = snapshots[snapshots[SNAPSHOT_DATE] == date].drop(columns=SNAPSHOT_DATE).reset_index(drop=True)
    tier, source = current_tiers(snap)
    tier = tier.astype(object).where((snap["arr"] > 0) & tier.notna(), NO_ARR)
    frame = pd.DataFrame(
        {
            "account_id": snap["account_id"].astype(str),
            "account_name": snap["account_name"],
            "arr": snap["arr"],
        }
    )
    return frame.assign(tier=tier.to_numpy()), source


def changes(
    snapshots: pd.DataFrame, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None
) -> Changes:
    """Compare the snapshots of ``start`` and ``end`` (default: the last two); see the module
    docstring. ``snapshots`` is :func:`review_snapshots`'s table.
    ValueError (see :func:`pick_dates`) for dates that are not snapshot dates."""
    start_date, end_date = pick_dates(snapshots, start, end)
    before, source = _tiers_on(snapshots, start_date)
    after, _ = _tiers_on(snapshots, end_date)
    both = before.merge(after, on="account_id", how="outer", suffixes=("_from", "_to"))
    table = pd.DataFrame(
        {
            "account_id": both["account_id"],
            "account_name": both["account_name_to"].fillna(both["account_name_from"]),
            "arr_from": both["arr_from"].fillna(0.0),
            "arr_to": both["arr_to"].fillna(0.0),
            "tier_from": both["tier_from"].fillna(NO_ARR),
            "tier_to": both["tier_to"].fillna(NO_ARR),
        }
    )
    table = table[(table["arr_from"] > 0) | (table["arr_to"] > 0)].reset_index(drop=True)
    table.insert(4, "change", table["arr_to"] - table["arr_from"])
    counts = transition_matrix(table["tier_from"], table["tier_to"], None, LABELS).astype(int)
    arr_from = transition_matrix(table["tier_from"], table["tier_to"], table["arr_from"], LABELS)
    arr_to = transition_matrix(table["tier_from"], table["tier_to"], table["arr_to"], LABELS)
    for matrix in (counts, arr_from, arr_to):
        matrix.index.name, matrix.columns.name = f"{start_date:%Y-%m-%d}", f"{end_date:%Y-%m-%d}"
    strategic = TIERS[0]
    was, now = table["tier_from"] == strategic, table["tier_to"] == strategic
    return Changes(
        start=start_date,
        end=end_date,
        accounts=counts,
        arr_from=arr_from,
        arr_to=arr_to,
        accounts_table=table,
        strategic_from=float(table.loc[was, "arr_from"].sum()),
        strategic_to=float(table.loc[now, "arr_to"].sum()),
        entered=float(table.loc[now & ~was, "arr_to"].sum()),
        left=float(table.loc[was & ~now, "arr_from"].sum()),
        stayed_change=float(table.loc[was & now, "change"].sum()),
        current_source=source,
    )


NEEDS_SNAPSHOTS = (
    "Comparing reviews needs several account snapshots in one file (the usual snapshot columns "
    "plus a snapshot_date column giving each row's date, one row per account and date) or a "
    "revenue history (dated order or invoice lines) covering at least 15 months."
)


def history_snapshots(quarters: QuarterlyRevenue, names: pd.Series | None = None) -> pd.DataFrame | None:
    """A revenue history as snapshots: one per quarter end of :func:`portfolio.trends.arr_points`
    (a full year of history before it), ``account_id``, ``account_name`` (from ``names``, indexed
    by account id; else the id), ``arr`` = trailing-twelve-month revenue at that quarter end
    (currency per year; accounts with ARR > 0) and ``snapshot_date``; None with fewer than two."""
    points = arr_points(quarters)
    if len(points) < 2:
        return None
    ids = pd.Series(quarters.account_ids, dtype=object)
    named = ids.map(names) if names is not None else ids
    named = named.where(named.notna(), ids)
    frames = []
    for j in points:
        arr = arr_at(quarters, j)
        held = arr > 0
        frames.append(
            pd.DataFrame(
                {
                    "account_id": ids[held].to_numpy(),
                    "account_name": named[held].to_numpy(),
                    "arr": arr[held],
                    SNAPSHOT_DATE: quarters.ends[j],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def review_snapshots(accounts: pd.DataFrame) -> pd.DataFrame | None:
    """The snapshots "what changed" compares for ``accounts`` (one row per account and
    ``snapshot_date``): a snapshot file's own, else its revenue history's quarter ends
    (:func:`history_snapshots`); None for a single snapshot or a history too short."""
    snapshots = snapshots_of(accounts)
    if snapshots is not None:
        return snapshots
    quarters = quarters_of(accounts)
    if quarters is None:
        return None
    names = None
    if "account_name" in accounts:
        names = pd.Series(accounts["account_name"].to_numpy(), index=accounts["account_id"].astype(str))
        names = names[~names.index.duplicated()]
    return history_snapshots(quarters, names)


def changes_or_note(accounts: pd.DataFrame, view: str | None = None) -> tuple[Changes | None, str]:
    """The comparison the snapshots of ``accounts`` (:func:`review_snapshots`) allow, and "" —
    or None and the sentence saying why not. ``view`` is ``"FROM|TO"`` (snapshot dates; either
    may be blank for its default, the last two)."""
    snapshots = review_snapshots(accounts)
    if snapshots is None:
        return None, NEEDS_SNAPSHOTS
    start, _, end = (view or "").partition("|")
    try:
        return changes(snapshots, start or None, end or None), ""
    except ValueError as exc:
        return None, f"Cannot compare: {exc}."
