"""Book balancing: which SAM owns which strategic and key account.

Each account takes 1 / capacity(tier) of a SAM (:mod:`portfolio.capacity`). For each tier in
turn (strategic, then key) its accounts are assigned to the SAMs that carry that tier today (a
SAM keeps its role; with no SAM column every SAM may take every tier), by an exact 0–1 integer
program (``scipy.optimize.milp``, HiGHS), x[i, s] = 1 when SAM s owns account i:

    minimise  100 · Σ_s |L_s − L̄| / S  +  100 · Σ_s |A_s − Ā| / (S · Ā)  +  w · moves
    subject to  Σ_s x[i, s] = 1,   L_s ≤ max(1, L_s today),   x[i, s] = 0 where not allowed

with L_s the SAM's load (its accounts outside the tier at today's owners included), A_s its ARR
in the tier, bars their means, S the SAMs: the mean absolute deviation of load (points of a
SAM) and of ARR (points of the mean book), plus ``change_weight`` w points for each account
that leaves today's owner. So a move is made only when it improves the balance by more than w
points, and books already balanced are left alone. No SAM is loaded beyond capacity (one full
SAM), nor beyond its load today when it is already over. ``respect`` ("region" or "segment")
keeps new owners to the SAM's own region or segment (the most common in its book today).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, hstack, vstack

from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.schema import TIERS

BALANCED_TIERS = TIERS[:2]
"""Strategic and key accounts are balanced; standard accounts stay with their owners."""
DEFAULT_CHANGE_WEIGHT = 0.5
"""Points of balance a move must buy."""
TIME_LIMIT_SECONDS = 1.2
"""HiGHS stops here with its best assignment (reported as not proven optimal)."""
RESPECT = ("region", "segment")
MIP_GAP = 0.02
"""HiGHS stops once its assignment is proven within 2% of the best possible objective."""


@dataclass(frozen=True)
class Book:
    """One SAM's book: accounts per tier, load (fraction of one SAM) and ARR (currency/year)."""

    sam: str
    strategic: int
    key: int
    load: float
    arr: float

    def to_dict(self) -> dict:
        return {
            "sam": self.sam,
            "strategic": self.strategic,
            "key": self.key,
            "load": self.load,
            "arr": self.arr,
        }


@dataclass(frozen=True)
class Move:
    """An account that changes owner (``from_sam`` None: nobody owned it)."""

    account_id: str
    account_name: str
    tier: str
    arr: float
    from_sam: str | None
    to_sam: str

    def to_dict(self) -> dict:
        return {
            "account_id": self.account_id,
            "account_name": self.account_name,
            "tier": self.tier,
            "arr": self.arr,
            "from_sam": self.from_sam,
            "to_sam": self.to_sam,
        }


@dataclass(frozen=True)
class Assignment:
    """Books before and after, the moves, and whether the solver proved its answer optimal."""

    before: tuple[Book, ...]
    after: tuple[Book, ...]
    moves: tuple[Move, ...]
    owners: dict[str, str]
    optimal: bool
    notes: tuple[str, ...] = ()

    def moves_frame(self) -> pd.DataFrame:
        """The moves list as a table (the download)."""
        columns = ["account_id", "account_name", "tier", "arr", "from_sam", "to_sam"]
        return pd.DataFrame([m.to_dict() for m in self.moves], columns=columns)

    def to_dict(self) -> dict:
        return {
            "before": [b.to_dict() for b in self.before],
            "after": [b.to_dict() for b in self.after],
            "moves": [m.to_dict() for m in self.moves],
            "optimal": self.optimal,
            "notes": list(self.notes),
        }


def assign_books(
    accounts: pd.DataFrame,
    tiers: pd.Series,
    *,
    capacity: dict[str, float] | None = None,
    headcount: int | None = None,
    strategic_sams: int | None = None,
    change_weight: float = DEFAULT_CHANGE_WEIGHT,
    respect: str | None = None,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Assignment:
    """Balance the strategic and key books (see the module docstring).

    ``accounts``: account_id, arr, and optionally account_name, sam, region, segment;
    ``tiers``: each account's tier (aligned with ``accounts``); ``headcount``: SAMs when the
    file names none (SAM 1..N); ``strategic_sams``: SAMs the strategic tier should have — new
    ones ("New SAM 1", …) are added when today's strategic SAMs are fewer. ValueError when the
    books do not fit the SAMs' capacity or an option is invalid.
    """
    capacity = {**DEFAULT_CAPACITY, **(capacity or {})}
    _check_options(accounts, change_weight, respect)
    frame = _frame(accounts, tiers, capacity)
    notes: list[str] = []
    owners = frame["sam"].copy()
    named = sorted(owners.dropna().unique())
    if not named:
        if not headcount or headcount < 1:
            raise ValueError("the file names no SAMs (no sam column): give the headcount to assign to")
        named = [f"SAM {k}" for k in range(1, int(headcount) + 1)]
        notes.append(
            f"the file names no SAMs: {len(named)} SAMs numbered 1–{len(named)}, none owning anything today"
        )
    roles = {t: set(frame.loc[frame["tier"] == t, "sam"].dropna()) or set(named) for t in BALANCED_TIERS}
    if strategic_sams is not None and strategic_sams > len(roles[TIERS[0]]):
        new = [f"New SAM {k}" for k in range(1, strategic_sams - len(roles[TIERS[0]]) + 1)]
        roles[TIERS[0]] |= set(new)
        named = [*named, *new]
        notes.append(f"{len(new)} new strategic SAM(s) to hire: {', '.join(new)}")
    before = _books(frame, owners, named)
    optimal = True
    scoped = int(frame["tier"].isin(BALANCED_TIERS).sum())
    for tier in BALANCED_TIERS:
        rows = np.flatnonzero((frame["tier"] == tier).to_numpy())
        if not len(rows):
            continue
        share = time_limit * len(rows) / scoped  # the time limit is shared by the tiers
        owners, proven = _balance(frame, owners, rows, sorted(roles[tier]), change_weight, respect, share)
        optimal &= proven
    if not optimal:
        notes.append(
            f"the solver stopped at its {time_limit:g} s limit: the best assignment found, "
            "within capacity, not proven the most balanced"
        )
    moved = frame.index[(owners != frame["sam"]) & frame["tier"].isin(BALANCED_TIERS)]
    moves = tuple(
        Move(
            str(frame.at[i, "account_id"]),
            str(frame.at[i, "account_name"]),
            str(frame.at[i, "tier"]),
            float(frame.at[i, "arr"]),
            None if pd.isna(frame.at[i, "sam"]) else str(frame.at[i, "sam"]),
            str(owners.at[i]),
        )
        for i in moved
    )
    in_scope = frame["tier"].isin(BALANCED_TIERS)
    after = _books(frame, owners, named)
    over = [b.sam for b in after if b.load > 1 + 1e-9]
    if over:
        notes.append(
            f"{len(over)} SAM(s) stay over capacity ({', '.join(over[:5])}{' …' * (len(over) > 5)}): "
            "their other accounts, or their tier's accounts, need more SAMs than there are; none "
            "carries more than today"
        )
    return Assignment(
        before=before,
        after=after,
        moves=moves,
        owners={str(frame.at[i, "account_id"]): str(owners.at[i]) for i in frame.index[in_scope]},
        optimal=optimal,
        notes=tuple(notes),
    )


def _check_options(accounts: pd.DataFrame, change_weight: float, respect: str | None) -> None:
    if not (math.isfinite(change_weight) and change_weight >= 0):
        raise ValueError(f"the weight of a move must be zero or more points, got {change_weight:g}")
    if respect is not None and respect not in RESPECT:
        raise ValueError(f"respect must be one of {', '.join(RESPECT)}, got {respect!r}")
    if respect is not None and respect not in accounts:
        raise ValueError(f"the file has no {respect} column to respect")


def _frame(accounts: pd.DataFrame, tiers: pd.Series, capacity: dict[str, float]) -> pd.DataFrame:
    """account_id, account_name, arr, tier, sam, weight (1 / capacity), region/segment."""
    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str).to_numpy(),
            "account_name": accounts.get("account_name", accounts["account_id"]).astype(str).to_numpy(),
            "arr": accounts["arr"].fillna(0).astype(float).to_numpy(),
            "tier": tiers.astype(object).to_numpy(),
        }
    )
    sam = accounts["sam"] if "sam" in accounts else pd.Series(None, index=accounts.index, dtype=object)
    frame["sam"] = (
        sam.astype(object).where(sam.notna() & (sam.astype(str).str.strip() != ""), None).to_numpy()
    )
    for column in RESPECT:
        if column in accounts:
            frame[column] = accounts[column].astype(object).to_numpy()
    frame = frame[(frame["arr"] > 0) & frame["tier"].notna()].reset_index(drop=True)
    frame["weight"] = 1.0 / frame["tier"].map(capacity).astype(float)
    return frame


def _books(frame: pd.DataFrame, owners: pd.Series, sams: list[str]) -> tuple[Book, ...]:
    books = []
    for sam in sams:
        mine = frame[owners == sam]
        scoped = mine[mine["tier"].isin(BALANCED_TIERS)]
        books.append(
            Book(
                sam,
                int((mine["tier"] == TIERS[0]).sum()),
                int((mine["tier"] == TIERS[1]).sum()),
                float(mine["weight"].sum()),
                float(scoped["arr"].sum()),
            )
        )
    return tuple(books)


def _balance(
    frame: pd.DataFrame,
    owners: pd.Series,
    rows: np.ndarray,
    sams: list[str],
    change_weight: float,
    respect: str | None,
    time_limit: float,
) -> tuple[pd.Series, bool]:
    """Assign ``rows`` (one tier's accounts) to ``sams``; the other accounts stay where they are."""
    n, s = len(rows), len(sams)
    weight = frame["weight"].to_numpy()[rows]
    arr = frame["arr"].to_numpy()[rows]
    today = owners.to_numpy(object)[rows]
    others = np.ones(len(frame), bool)
    others[rows] = False
    fixed = np.array([frame["weight"].to_numpy()[others & (owners == sam).to_numpy()].sum() for sam in sams])
    current = np.array([[owner == sam for sam in sams] for owner in today], dtype=float)  # (n, s)
    load_today = fixed + weight @ current
    cap = np.maximum(1.0, load_today)
    if (weight.sum() + fixed.sum()) > cap.sum() + 1e-9:
        tier = frame["tier"].iloc[rows[0]]
        raise ValueError(
            f"the {tier} books need {weight.sum() + fixed.sum():.1f} SAMs of capacity and the "
            f"{s} SAMs who carry them have {cap.sum():.1f}: add SAMs or raise the capacity per SAM"
        )
    allowed = _allowed(frame, rows, sams, owners, respect) | (current > 0)
    mean_load = (weight.sum() + fixed.sum()) / s
    mean_arr = arr.sum() / s
    # variables: x (n·s, account-major), load deviations (s), ARR deviations (s)
    nx = n * s
    cost = np.concatenate(
        [
            (-change_weight * current).ravel(),  # − w·Σ x at today's owner (= w·moves − const)
            np.full(s, 100.0 / s),
            np.full(s, 100.0 / (s * mean_arr) if mean_arr > 0 else 0.0),
        ]
    )
    col = np.arange(nx)
    sam_of = col % s
    account_of = col // s
    one_owner = csr_array((np.ones(nx), (account_of, col)), shape=(n, nx))
    load = csr_array((np.repeat(weight, s), (sam_of, col)), shape=(s, nx))
    book = csr_array((np.repeat(arr, s), (sam_of, col)), shape=(s, nx))
    eye, zero = coo_array(np.eye(s)), coo_array((s, s))
    constraints = [
        LinearConstraint(hstack([one_owner, csr_array((n, 2 * s))]), 1, 1),
        LinearConstraint(hstack([load, zero, zero]), -np.inf, cap - fixed),
        # |L_s − L̄| ≤ dev_s and |A_s − Ā| ≤ dev'_s, each as two inequalities
        LinearConstraint(
            vstack([hstack([load, -eye, zero]), hstack([-load, -eye, zero])]),
            -np.inf,
            np.concatenate([mean_load - fixed, fixed - mean_load]),
        ),
        LinearConstraint(
            vstack([hstack([book, zero, -eye]), hstack([-book, zero, -eye])]),
            -np.inf,
            np.concatenate([np.full(s, mean_arr), np.full(s, -mean_arr)]),
        ),
    ]
    upper = np.concatenate([allowed.ravel().astype(float), np.full(2 * s, np.inf)])
    for limit in (time_limit, 10 * time_limit):  # a busy machine may find none in the first
        result = milp(
            cost,
            constraints=constraints,
            integrality=np.concatenate([np.ones(nx), np.zeros(2 * s)]),
            bounds=Bounds(np.zeros(nx + 2 * s), upper),
            options={"time_limit": limit, "mip_rel_gap": MIP_GAP},
        )
        if result.x is not None or result.status != 1:  # 1: the time limit, with nothing found
            break
    if result.x is None:
        raise ValueError("no assignment fits the SAMs' capacity with these restrictions")
    chosen = result.x[:nx].reshape(n, s).argmax(axis=1)
    owners = owners.copy()
    owners.iloc[rows] = [sams[k] for k in chosen]
    return owners, result.status == 0


def _allowed(
    frame: pd.DataFrame, rows: np.ndarray, sams: list[str], owners: pd.Series, respect: str | None
) -> np.ndarray:
    """(accounts, SAMs) True where a SAM may take an account: every SAM, or with ``respect``
    the SAMs whose book's most common region (segment) is the account's (a SAM with no book: any)."""
    if respect is None:
        return np.ones((len(rows), len(sams)), bool)
    home = {}
    for sam in sams:
        values = frame.loc[owners == sam, respect].dropna()
        home[sam] = values.mode().iloc[0] if len(values) else None
    value = frame[respect].to_numpy(object)[rows]
    return np.array([[home[sam] is None or home[sam] == v for sam in sams] for v in value])
