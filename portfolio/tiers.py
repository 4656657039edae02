"""The weighted scorecard, tier thresholds and tier assignment.

Score (0–100) = 10 · Σ_d w_d · s_d / Σ_d w_d, over the dimensions d the account has a value
for, with each dimension score s_d on 0–10 and the weights w_d below (any positive scale;
they are normalised). The **revenue score** is the account's ARR percentile among accounts
with ARR > 0: s_rev = 10 · rank_pct(ARR) (average rank for ties, so the largest account
scores 10 and, of four accounts, the smallest 2.5); an account with no ARR scores 0.

Tier: score ≥ strategic threshold → Strategic; ≥ key threshold → Key; otherwise Standard.

The revenue score can also come from **ARR bands** (:class:`RevenueBands`: an ARR floor → points,
as the published scorecard model scores revenue, e.g. $850K → 10 pts, $45K → 2 pts; ARR below
the lowest floor, or none, scores 0) or from a ``revenue_score`` column (0–10) the file carries;
a blank cell of that column takes the percentile (or the bands). The column describes the
account now, so the start-of-period score (on ``arr_prior``) uses the percentile or bands.
``TierAssignment.revenue_method`` says which: "column", "bands" or "percentile".

Without any scorecard column the selection is **revenue-only**: the score is the ARR
percentile (0–100) and the default cut-offs are 95/80, i.e. the top 5% of accounts by ARR are
Strategic and the next 15% Key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.formatting import bounded_list
from portfolio.schema import SCORE_DIMENSIONS, TIERS

DEFAULT_WEIGHTS: dict[str, float] = {
    "revenue": 25,
    "expansion_potential": 20,
    "strategic_fit": 15,
    "market_influence": 15,
    "relationship_strength": 10,
    "product_adoption": 10,
    "partnership_potential": 5,
}
"""Scorecard weights in percent; they sum to 100."""

STRATEGIC_MAX_SHARE = 0.10
STRATEGIC_MAX_ACCOUNTS = 50
"""Above either, the strategic tier is larger than SAMs can give strategic attention to."""


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs (0–100): ``score ≥ strategic`` → Strategic, ``score ≥ key`` → Key."""

    strategic: float = 70.0
    key: float = 50.0

    def __post_init__(self) -> None:
        if not 0 <= self.key <= self.strategic <= 100:
            raise ValueError(
                f"thresholds must satisfy 0 ≤ key ≤ strategic ≤ 100 "
                f"(got strategic={self.strategic}, key={self.key})"
            )


SCORECARD_THRESHOLDS = Thresholds(70.0, 50.0)
REVENUE_ONLY_THRESHOLDS = Thresholds(95.0, 80.0)

TIER_BASES: tuple[str, ...] = ("assigned", "scorecard")
"""Which tier retention is attributed to: the company's assigned ``tier`` column, or the
scorecard (at the what-if settings) on prior ARR."""


def validate_tier_basis(basis: str) -> str:
    """Return ``basis`` if it is one of :data:`TIER_BASES`, else raise a readable ValueError."""
    if basis not in TIER_BASES:
        raise ValueError(f"tier basis must be one of {', '.join(TIER_BASES)} (got {basis!r})")
    return basis


def validate_weights(weights: dict[str, float]) -> dict[str, float]:
    """Check weights: known dimensions, non-negative, positive sum. Returns a copy."""
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(
            f"unknown scorecard dimension(s): {bounded_list(unknown)}; known: {', '.join(DEFAULT_WEIGHTS)}"
        )
    if any(not np.isfinite(w) or w < 0 for w in weights.values()):
        raise ValueError("scorecard weights must be non-negative numbers")
    if sum(weights.values()) <= 0:
        raise ValueError("scorecard weights must not all be zero")
    return dict(weights)


def normalised_weights(weights: dict[str, float]) -> dict[str, float]:
    """Weights as points out of 100: w_d · 100 / Σ w (the scorecard uses only their ratios, so
    these give the same scores). ValueError for negative or all-zero weights."""
    weights = validate_weights(weights)
    total = sum(weights.values())
    return {d: 100 * w / total for d, w in weights.items()}


def strategic_size_warning(n_strategic: int, n_active: int) -> str | None:
    """The warning for a strategic tier larger than SAMs can give strategic attention to (more
    than :data:`STRATEGIC_MAX_SHARE` of active accounts or more than
    :data:`STRATEGIC_MAX_ACCOUNTS`), naming only the limit(s) it exceeds; None within both."""
    share = n_strategic / max(n_active, 1)
    exceeded = []
    if share > STRATEGIC_MAX_SHARE:
        exceeded.append(f"more than {STRATEGIC_MAX_SHARE:.0%} of active accounts")
    if n_strategic > STRATEGIC_MAX_ACCOUNTS:
        exceeded.append(f"more than {STRATEGIC_MAX_ACCOUNTS} accounts")
    if not exceeded:
        return None
    return (
        f"The strategic tier has {n_strategic} accounts ({share:.0%} of active accounts): "
        f"{' and '.join(exceeded)} is hard to give strategic treatment. "
        "Consider raising the strategic threshold."
    )


def revenue_score(arr: pd.Series) -> pd.Series:
    """Revenue dimension (0–10): 10 · percentile rank of ARR among accounts with ARR > 0."""
    arr = arr.astype(float)
    positive = arr > 0
    score = pd.Series(0.0, index=arr.index)
    score[positive] = 10 * arr[positive].rank(pct=True, method="average")
    return score


REVENUE_SCORE_COLUMN = "revenue_score"
"""Optional column: the revenue dimension's points (0–10) as the company scores them."""


@dataclass(frozen=True)
class RevenueBands:
    """ARR bands → revenue points: ARR ≥ ``floors[i]`` scores ``points[i]`` (the highest floor
    reached); floors ascending, points 0–10 and not falling as ARR rises.

    Written (and read by :func:`parse_revenue_bands`) as ``"MIN_ARR:POINTS,..."``, e.g.
    ``"850000:10,250000:6,45000:2"``; ``str()`` gives that form, largest floor first.
    """

    floors: tuple[float, ...]
    points: tuple[float, ...]

    def __str__(self) -> str:
        return ",".join(f"{f:.15g}:{p:g}" for f, p in zip(self.floors[::-1], self.points[::-1], strict=True))


def parse_revenue_bands(text: str) -> RevenueBands:
    """``"850000:10,45000:2"`` → :class:`RevenueBands`; ValueError with a readable reason."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        floor_text, sep, points_text = part.partition(":")
        try:
            if not sep:
                raise ValueError
            pairs.append((float(floor_text.replace("_", "")), float(points_text)))
        except ValueError:
            raise ValueError(f"expected MIN_ARR:POINTS pairs such as 850000:10, got {part!r}") from None
    if not pairs:
        raise ValueError("give at least one band, e.g. 850000:10,45000:2")
    pairs.sort()
    floors = tuple(f for f, _ in pairs)
    points = tuple(p for _, p in pairs)
    if any(not np.isfinite(f) or f < 0 for f in floors):
        raise ValueError("ARR floors must be ≥ 0")
    if any(not 0 <= p <= 10 for p in points):
        raise ValueError("points must be between 0 and 10")
    if len(set(floors)) < len(floors):
        raise ValueError("give each ARR floor once")
    if any(b < a for a, b in itertools.pairwise(points)):
        raise ValueError("points must not fall as ARR rises")
    return RevenueBands(floors, points)


def revenue_points(arr: pd.Series, bands: RevenueBands) -> pd.Series:
    """Revenue dimension (0–10) from ARR bands: the points of the highest floor ≤ ARR; 0 below
    the lowest floor and for accounts with no ARR."""
    value = arr.astype(float).to_numpy()
    band = np.searchsorted(np.asarray(bands.floors), value, side="right") - 1
    points = np.where(band >= 0, np.asarray(bands.points)[np.maximum(band, 0)], 0.0)
    return pd.Series(np.where(value > 0, points, 0.0), index=arr.index)


def revenue_method(accounts: pd.DataFrame, bands: RevenueBands | None) -> str:
    """Where the revenue score comes from: "column", "bands" or "percentile"."""
    if REVENUE_SCORE_COLUMN in accounts and accounts[REVENUE_SCORE_COLUMN].notna().any():
        return "column"
    return "bands" if bands is not None else "percentile"


def _revenue_dimension(accounts: pd.DataFrame, arr_column: str, bands: RevenueBands | None) -> pd.Series:
    """The revenue score (0–10) of every account: the ``revenue_score`` column where given (for
    current ARR only), else the bands, else the percentile."""
    arr = accounts[arr_column]
    score = revenue_points(arr, bands) if bands is not None else revenue_score(arr)
    if arr_column == "arr" and REVENUE_SCORE_COLUMN in accounts:
        given = pd.to_numeric(accounts[REVENUE_SCORE_COLUMN], errors="coerce")
        if ((given < 0) | (given > 10)).any():
            raise ValueError(f"{REVENUE_SCORE_COLUMN} must be between 0 and 10")
        score = given.where(given.notna(), score).astype(float)
    return score


def score_dimensions(accounts: pd.DataFrame) -> list[str]:
    """Scorecard columns (besides revenue) the data has at least one value for."""
    return [d for d in SCORE_DIMENSIONS if d in accounts and accounts[d].notna().any()]


def scorecard(
    accounts: pd.DataFrame,
    weights: dict[str, float] | None = None,
    *,
    arr_column: str = "arr",
    revenue_bands: RevenueBands | None = None,
) -> pd.Series:
    """Score (0–100) of every account; see the module docstring for the formula.

    A blank cell leaves that dimension out of the account's weighted mean rather than counting
    as 0. Without scorecard columns the score is the revenue score · 10.
    """
    revenue = _revenue_dimension(accounts, arr_column, revenue_bands)
    dims = score_dimensions(accounts)
    if not dims:
        return 10 * revenue
    weights = validate_weights(weights or DEFAULT_WEIGHTS)
    values = accounts[dims].to_numpy(dtype=float)  # accounts × dimensions, NaN = blank
    w = np.array([weights.get(d, 0.0) for d in dims])
    w_revenue = weights.get("revenue", 0.0)
    weighted = revenue.to_numpy() * w_revenue + np.nan_to_num(values) @ w
    total_weight = w_revenue + ~np.isnan(values) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 10 * weighted / total_weight
    return pd.Series(np.nan_to_num(score, nan=0.0), index=accounts.index)


def assign_tiers(score: pd.Series, thresholds: Thresholds) -> pd.Series:
    """Score → tier (ordered categorical over :data:`TIERS`)."""
    value = score.to_numpy(dtype=float)
    codes = np.where(value >= thresholds.strategic, 0, np.where(value >= thresholds.key, 1, 2))
    return pd.Series(pd.Categorical.from_codes(codes, categories=TIERS, ordered=True), index=score.index)


@dataclass
class TierAssignment:
    """Scores and tiers of a portfolio under one set of weights and thresholds.

    Attributes
    ----------
    score : current score (0–100) per account.
    tier : current tier per account; missing (NaN) for accounts with no current ARR.
    start_score, start_tier : the same on ``arr_prior`` — the tier the account had at the start
        of the period; missing for new accounts (``arr_prior`` = 0) or without prior ARR.
    revenue_only : True when no scorecard column exists and tiers rest on ARR rank alone.
    thresholds, weights : what was used.
    revenue_method : "column", "bands" or "percentile" (see the module docstring).
    revenue_bands : the bands used, if any.
    warnings : readable warnings (strategic tier too large, …).
    disagreements : accounts whose assigned ``tier`` differs from the scored tier.
    """

    score: pd.Series
    tier: pd.Series
    start_score: pd.Series
    start_tier: pd.Series
    revenue_only: bool
    thresholds: Thresholds
    weights: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    disagreements: pd.DataFrame = field(default_factory=pd.DataFrame)
    revenue_method: str = "percentile"
    revenue_bands: RevenueBands | None = None


def scores_now_and_at_start(
    accounts: pd.DataFrame,
    weights: dict[str, float] | None = None,
    revenue_bands: RevenueBands | None = None,
    *,
    with_start: bool = True,
) -> tuple[pd.Series, pd.Series]:
    """:func:`scorecard` on today's ARR and on prior ARR (every account; the thresholds do not
    enter, so a caller moving only the thresholds can keep these); without ``with_start`` the
    second is all missing and not computed."""
    return (
        scorecard(accounts, weights, revenue_bands=revenue_bands),
        scorecard(accounts, weights, arr_column="arr_prior", revenue_bands=revenue_bands)
        if with_start
        else pd.Series(np.nan, index=accounts.index),
    )


def tier_accounts(
    accounts: pd.DataFrame,
    weights: dict[str, float] | None = None,
    thresholds: Thresholds | None = None,
    *,
    with_start: bool = True,
    revenue_bands: RevenueBands | None = None,
    scores: tuple[pd.Series, pd.Series] | None = None,
) -> TierAssignment:
    """Score and tier every account, now and (unless ``with_start`` is False) at the start of
    the period; without it ``start_score``/``start_tier`` are all missing. ``scores``:
    :func:`scores_now_and_at_start` of the same accounts, weights and bands, when kept."""
    revenue_only = not score_dimensions(accounts)
    if thresholds is None:
        thresholds = REVENUE_ONLY_THRESHOLDS if revenue_only else SCORECARD_THRESHOLDS
    weights = validate_weights(weights or DEFAULT_WEIGHTS)
    active = accounts["arr"] > 0
    if scores is None:
        scores = scores_now_and_at_start(accounts, weights, revenue_bands, with_start=with_start)
    score, score_at_start = scores
    tier = assign_tiers(score, thresholds).where(active)
    has_prior = (accounts["arr_prior"].fillna(0) > 0) & with_start
    start_score = score_at_start.where(has_prior)  # all missing without with_start
    start_tier = assign_tiers(start_score.fillna(-1), thresholds).where(has_prior)

    warnings = []
    if revenue_only:
        warnings.append("No scorecard columns: tiers rest on ARR rank alone (revenue-only selection).")
    n_active = int(active.sum())
    n_strategic = int((tier == TIERS[0]).sum())
    size_warning = strategic_size_warning(n_strategic, n_active)
    if size_warning:
        warnings.append(size_warning)
    disagreements = pd.DataFrame()
    if "tier" in accounts and accounts["tier"].notna().any():
        assigned = accounts["tier"]
        differs = assigned.notna() & tier.notna() & (assigned.astype(object) != tier.astype(object))
        disagreements = pd.DataFrame(
            {
                "account_id": accounts["account_id"],
                "account_name": accounts["account_name"],
                "assigned_tier": assigned,
                "scored_tier": tier.astype(object),
                "score": score.round(1),
            }
        )[differs].reset_index(drop=True)
    return TierAssignment(
        score,
        tier,
        start_score,
        start_tier,
        revenue_only,
        thresholds,
        weights,
        warnings,
        disagreements,
        revenue_method(accounts, revenue_bands),
        revenue_bands,
    )


def has_assigned_tiers(accounts: pd.DataFrame) -> bool:
    """True when the data carries an assigned ``tier`` column with at least one value."""
    return "tier" in accounts and accounts["tier"].notna().any()


def current_tiers(accounts: pd.DataFrame) -> tuple[pd.Series, str]:
    """The tiers the company runs now, and where they come from (``"assigned"``/``"scorecard"``).

    The assigned ``tier`` column where the data has one (every account with a value, churned
    ones included); a blank cell, or data without the column, takes the scorecard tier at the
    default weights and thresholds on current ARR (missing for accounts with no ARR).
    """
    assigned = accounts["tier"].astype(object) if has_assigned_tiers(accounts) else None
    if assigned is not None and assigned.notna().all():
        return assigned, "assigned"
    thresholds = SCORECARD_THRESHOLDS if score_dimensions(accounts) else REVENUE_ONLY_THRESHOLDS
    default = assign_tiers(scorecard(accounts), thresholds).astype(object).where(accounts["arr"] > 0)
    if assigned is None:
        return default, "scorecard"
    return assigned.where(assigned.notna(), default), "assigned"


def tier_start_arr(arr: pd.Series, tier: pd.Series) -> dict[str, float]:
    """The smallest ARR in the Strategic and Key tiers (where a revenue-only tier starts, in
    currency per year), for those of the two that have accounts."""
    frame = pd.DataFrame({"arr": arr.astype(float), "tier": tier.astype(object)}).dropna(subset=["tier"])
    starts = frame.groupby("tier")["arr"].min()
    return {t: float(starts[t]) for t in TIERS[:2] if t in starts}


def tier_distribution(arr: pd.Series, tier: pd.Series) -> pd.DataFrame:
    """Accounts, ARR, share of ARR and mean ARR per tier (rows in :data:`TIERS` order).

    Accounts with no tier (no current ARR) are left out; ``arr_share`` sums to 1.
    """
    frame = pd.DataFrame({"arr": arr.astype(float), "tier": tier}).dropna(subset=["tier"])
    grouped = frame.groupby("tier", observed=False)["arr"]
    table = pd.DataFrame({"accounts": grouped.size(), "arr": grouped.sum()}).reindex(TIERS)
    table = table.fillna(0)
    table["accounts"] = table["accounts"].astype(int)
    total = table["arr"].sum()
    table["arr_share"] = table["arr"] / total if total > 0 else 0.0
    table["mean_arr"] = (table["arr"] / table["accounts"].replace(0, np.nan)).fillna(0.0)
    table.index.name = "tier"
    return table
