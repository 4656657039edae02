"""Strategic treatment as an explicit, estimated, uncertain effect.

Putting an account under a strategic account manager (SAM) changes it by a **treatment
effect**, not by copying the Strategic tier's averages (a tier average mostly reflects account
size and how accounts were chosen). The effect has two parts, each with a 90% interval:

* ``hazard_ratio`` HR — multiplies the account's annual churn hazard λ = −ln(1 − c), so its
  annual churn becomes 1 − (1 − c)^HR;
* ``uplift`` u — added to the account's annual log-growth drift (0.02 = two points a year);

reached in full after ``ramp_months`` (linearly), and lost over the same ramp when an account
leaves the strategic tier. An account's *attention* a ∈ [0, 1] is the share of full strategic
treatment it gets: 0 outside the strategic tier, q = min(1, SAMs × capacity / strategic
accounts) inside it. The baseline is the data as it is, so a variant applies the effect scaled
by the change of attention e = a − a_baseline and the ramp r(t) ∈ [0, 1]:

    hazard λ(t) = λ · HR^(e·r(t)),      drift d(t) = d + u · e · r(t).

A promoted account has e = q (from 0), a demoted one e = −q_baseline, an account that stays
strategic e = q − q_baseline (the SAMs' load changed). With no SAM attention anywhere e = 0 and
nothing changes.

Where the effect comes from (``source``):

* ``estimated`` — from the data, when it says which accounts are run as strategic (an assigned
  ``tier`` column) and has prior-year ARR: a complementary log-log binomial GLM of churn (its
  coefficient is the log hazard ratio of a discrete-time proportional-hazards model) and an OLS
  of retained accounts' log growth, each on *strategic* plus log prior ARR (and the scorecard
  score when there is one), fitted on the accounts whose size lies inside the size range of
  both groups. The interval is the Wald 90% interval of the coefficient.
* ``assumed`` — :data:`ASSUMED_EFFECT` when the data cannot identify the effect (no assigned
  tier, too few comparable accounts or churn events, no prior ARR): deliberately modest, far
  below the raw gap between tiers, with an interval that includes no effect at all.
* ``explicit`` — given by the user (``--hazard-ratio``, ``--uplift``, the Simulator page).
"""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np
import pandas as pd

from portfolio.schema import TIERS

Z90 = 1.6448536269514722
"""Φ⁻¹(0.95): a 90% interval is estimate ± Z90 standard errors."""
MIN_GROUP = 20
"""Accounts needed in each group (strategic and not) inside the common size range."""
MIN_EVENTS = 5
"""Churned accounts needed in each group to estimate a hazard ratio."""
MAX_UPLIFT = 1.0
"""|uplift| above 100 points of annual drift is refused."""
STRATEGIC = TIERS[0]


@dataclass(frozen=True)
class Interval:
    """A figure with its 90% interval; ``low`` ≤ ``value`` ≤ ``high``."""

    value: float
    low: float
    high: float

    def to_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class TreatmentEffect:
    """The effect of full strategic treatment on one account (see the module docstring).

    Parameters
    ----------
    hazard_ratio : churn hazard ratio (treated / comparable untreated), with its 90% interval.
    uplift : added annual log-growth drift (fraction: 0.02 = 2 points), with its 90% interval.
    ramp_months : months until the effect is reached in full (0 = at once).
    source : ``estimated``, ``assumed`` or ``explicit``.
    accounts_used : accounts behind an estimate (0 otherwise).
    note : why the effect is assumed, or what the estimate rests on.

    Example
    -------
    >>> effect = TreatmentEffect(Interval(0.6, 0.4, 0.9), Interval(0.03, 0.0, 0.06), 6.0)
    >>> round(effect.churn_with(0.10), 4)   # 1 − 0.9^0.6
    0.0613
    """

    hazard_ratio: Interval
    uplift: Interval
    ramp_months: float = 6.0
    source: str = "assumed"
    accounts_used: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        _check_effect(self.hazard_ratio, self.uplift, self.ramp_months)

    @property
    def log_hazard_sd(self) -> float:
        """Standard deviation of ln HR implied by the 90% interval (log scale, symmetric)."""
        return (math.log(self.hazard_ratio.high) - math.log(self.hazard_ratio.low)) / (2 * Z90)

    @property
    def uplift_sd(self) -> float:
        """Standard deviation of the uplift implied by its 90% interval."""
        return (self.uplift.high - self.uplift.low) / (2 * Z90)

    def churn_with(self, annual_churn: float, attention: float = 1.0) -> float:
        """Annual churn under ``attention`` of the effect: 1 − (1 − c)^(HR^attention)."""
        return 1 - (1 - annual_churn) ** (self.hazard_ratio.value**attention)

    def sentence(self) -> str:
        """One sentence a CFO reads: where the effect comes from first (an assumption must not
        read as a finding), the effect and its interval; an estimate says it is an association
        (accounts chosen for strategic treatment may differ in ways the data does not record)."""
        hr, up = self.hazard_ratio, self.uplift
        less = lambda r: f"{abs(1 - r) * 100:.0f}% {'less' if r <= 1 else 'more'}"  # noqa: E731
        churn = (
            f"strategic accounts churn {less(hr.value)} than comparable accounts "
            f"(90% interval {_ratio_range(hr)})"
        )
        growth = (
            f"grow {up.value * 100:+.1f} points a year faster (90% interval "
            f"{up.low * 100:+.1f} to {up.high * 100:+.1f})"
        )
        ramp = f"full effect after {self.ramp_months:g} months"
        effect = f"{churn} and {growth}; {ramp}"
        if self.source == "estimated":
            return (
                f"Estimated from {self.accounts_used:,} accounts of comparable size: {effect}. "
                "An association, not proof of cause: accounts chosen for strategic treatment may "
                "differ in ways the data does not record."
            )
        if self.source == "explicit":
            return f"As entered: {effect}."
        why = f" ({self.note})" if self.note else ""
        return f"Assumed, not measured in this data{why}: {effect}."

    @classmethod
    def from_dict(cls, data: dict) -> TreatmentEffect:
        """The inverse of :meth:`to_dict`."""
        interval = lambda d: Interval(float(d["value"]), float(d["low"]), float(d["high"]))  # noqa: E731
        return cls(
            interval(data["hazard_ratio"]),
            interval(data["uplift"]),
            float(data["ramp_months"]),
            str(data["source"]),
            int(data["accounts_used"]),
            str(data["note"]),
        )

    def to_dict(self) -> dict:
        return {
            "hazard_ratio": {**self.hazard_ratio.to_dict(), "source": self.source},
            "uplift": {**self.uplift.to_dict(), "source": self.source},
            "ramp_months": self.ramp_months,
            "accounts_used": self.accounts_used,
            "source": self.source,
            "note": self.note,
        }


def _ratio_range(hr: Interval) -> str:
    """'10–60% less', or 'from 20% less to 5% more' when the interval spans no effect."""
    lo, hi = (1 - hr.high) * 100, (1 - hr.low) * 100  # reductions in percent
    if lo >= 0:
        return f"{lo:.0f}–{hi:.0f}% less"
    if hi <= 0:
        return f"{-hi:.0f}–{-lo:.0f}% more"
    return f"from {-lo:.0f}% more to {hi:.0f}% less"


def _check_effect(hazard_ratio: Interval, uplift: Interval, ramp_months: float) -> None:
    """ValueError naming the field: HR > 0, |uplift| ≤ 1, ordered intervals, ramp ≥ 0."""
    for name, value in (("hazard ratio", hazard_ratio), ("uplift", uplift)):
        figures = (value.low, value.value, value.high)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in figures):
            raise ValueError(f"{name} must be a finite number")
        if not value.low <= value.value <= value.high:
            raise ValueError(f"{name}: the interval must hold the value (low ≤ value ≤ high)")
    if hazard_ratio.low <= 0:
        raise ValueError(f"hazard ratio must be above 0, got {hazard_ratio.low:g}")
    if max(abs(uplift.low), abs(uplift.high)) > MAX_UPLIFT:
        raise ValueError("uplift must be within ±100 points of annual growth (±1.0)")
    if not (isinstance(ramp_months, int | float) and 0 <= ramp_months < math.inf):
        raise ValueError(f"ramp must be zero or more months, got {ramp_months!r}")


ASSUMED_EFFECT = TreatmentEffect(
    hazard_ratio=Interval(0.85, 0.7225, 1.00),
    uplift=Interval(0.02, 0.00, 0.04),
    ramp_months=6.0,
    source="assumed",
    note="the data cannot separate strategic treatment from account size and selection; a "
    "modest effect is assumed (15% less churn, +2 points of growth), uncertain down to none",
)
"""The conservative default: a 15% lower churn hazard (0.72–1.00, symmetric on the log scale:
0.85² / 1) and +2 points a year of growth (0 to +4), in full after 6 months. Raw tier gaps are
far larger (the demo's Standard tier churns several times as often as its Strategic tier) and
mostly reflect size and selection."""


def explicit_effect(
    base: TreatmentEffect,
    *,
    hazard_ratio: float | None = None,
    uplift: float | None = None,
    ramp_months: float | None = None,
) -> TreatmentEffect:
    """``base`` with the figures the user gave; a given figure is exact (no interval)."""
    hr = base.hazard_ratio if hazard_ratio is None else Interval(hazard_ratio, hazard_ratio, hazard_ratio)
    up = base.uplift if uplift is None else Interval(uplift, uplift, uplift)
    ramp = base.ramp_months if ramp_months is None else ramp_months
    if hazard_ratio is not None and hazard_ratio <= 0:
        raise ValueError(f"hazard ratio must be above 0, got {hazard_ratio:g}")
    if (hazard_ratio, uplift, ramp_months) == (None, None, None):
        return base
    _check_effect(hr, up, ramp)
    return replace(base, hazard_ratio=hr, uplift=up, ramp_months=float(ramp), source="explicit", note="")


def estimate_treatment(
    accounts: pd.DataFrame, assigned_tier: pd.Series | None, score: pd.Series | None = None
) -> TreatmentEffect:
    """The treatment effect estimated from accounts with prior-year ARR, else the assumption.

    ``accounts`` needs ``arr`` and ``arr_prior`` (currency per year); ``assigned_tier`` is the
    tier the company runs (None when the file has none: then nothing says which accounts got
    strategic treatment and the effect is assumed); ``score`` (0–100) is added as a covariate
    when given. Churn: GLM binomial, complementary log-log link, ``churned ~ strategic +
    ln(prior) [+ score]``, so exp(coefficient) is the hazard ratio. Growth: OLS ``ln(arr/prior)
    ~ strategic + ln(prior) [+ score]`` on retained accounts; the coefficient is the uplift.
    """
    if assigned_tier is None or assigned_tier.isna().all():
        return replace(
            ASSUMED_EFFECT,
            note="the file does not say which accounts are run as "
            "strategic (no assigned tier column), so a modest effect is assumed",
        )
    prior = accounts["arr_prior"].fillna(0).astype(float)
    arr = accounts["arr"].fillna(0).astype(float)
    frame = pd.DataFrame(
        {
            "strategic": (assigned_tier.astype(object) == STRATEGIC).astype(float),
            "log_prior": np.log(prior.where(prior > 0)),
            "churned": (arr <= 0).astype(float),
            "log_growth": np.log(arr.where(arr > 0) / prior.where(prior > 0)),
        },
        index=accounts.index,
    )
    if score is not None and score.notna().any():
        frame["score"] = score.astype(float)
    frame = frame[frame["log_prior"].notna() & assigned_tier.notna()]
    if "score" in frame:
        frame = frame[frame["score"].notna()]
    comparable, why = _common_support(frame)
    if comparable is None:
        return replace(ASSUMED_EFFECT, note=why)
    fitted = _hazard_ratio(comparable)
    hazard, kept = fitted if fitted is not None else (None, 0.0)
    retained = comparable[comparable["churned"] == 0]
    uplift = _uplift(retained, kept) if hazard is not None else None
    if hazard is None or uplift is None:
        return replace(
            ASSUMED_EFFECT,
            note="too few churned accounts of comparable size in "
            f"each group (at least {MIN_EVENTS} needed) to estimate the effect",
        )
    group = "strategic" if kept >= 0 else "other"
    note = (
        f"growth uplift bounded (Lee's trimming bounds): {abs(kept):.1%} of the {group} survivors "
        "would have churned in the other group, so the survivors are not comparable"
    )
    return TreatmentEffect(
        hazard, uplift, ASSUMED_EFFECT.ramp_months, "estimated", len(comparable), note=note
    )


def _common_support(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """Accounts whose ln(prior ARR) lies inside both groups' 5th–95th percentile range."""
    treated, control = frame[frame["strategic"] == 1], frame[frame["strategic"] == 0]
    if len(treated) < MIN_GROUP or len(control) < MIN_GROUP:
        return None, (
            f"{len(treated)} strategic and {len(control)} other accounts with prior ARR; "
            f"at least {MIN_GROUP} of each are needed to estimate the effect"
        )
    lo = max(treated["log_prior"].quantile(0.05), control["log_prior"].quantile(0.05))
    hi = min(treated["log_prior"].quantile(0.95), control["log_prior"].quantile(0.95))
    inside = frame[frame["log_prior"].between(lo, hi)]
    n_treated = int(inside["strategic"].sum())
    if n_treated < MIN_GROUP or len(inside) - n_treated < MIN_GROUP:
        return None, (
            f"strategic and other accounts barely overlap in size ({n_treated} "
            f"strategic and {len(inside) - n_treated} other accounts of comparable "
            f"size; at least {MIN_GROUP} of each are needed)"
        )
    return inside, ""


_IMPORT_LOCK = threading.Lock()


def _statsmodels():
    """statsmodels' GLM and OLS (as ``sm.GLM`` …) for the treatment effect, imported on first
    use (it takes a second) by one thread at a time: two Dash callbacks importing it at once left SciPy
    half-initialised ("_ndimage_api is not defined") for the whole process."""
    with _IMPORT_LOCK:  # the models we fit, not statsmodels.api (a third of a second less)
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM
        from statsmodels.regression.linear_model import OLS
    return SimpleNamespace(GLM=GLM, OLS=OLS, families=families)


def _design(frame: pd.DataFrame) -> np.ndarray:
    columns = ["strategic", "log_prior"] + (["score"] if "score" in frame else [])
    return np.column_stack([np.ones(len(frame)), frame[columns].to_numpy(float)])


def _hazard_ratio(frame: pd.DataFrame) -> tuple[Interval, float] | None:
    """exp of the strategic coefficient of a cloglog binomial GLM, with its Wald 90% interval,
    and the share of survivors the treatment keeps: with S_i the fitted survival of a strategic
    account and S_i^(1/HR) its survival untreated, k = Σ(S_i − S_i^(1/HR)) / Σ S_i over the
    strategic accounts (HR ≤ 1); for HR > 1 the same for the other accounts with the sign
    flipped, k = −Σ(S_i − S_i^HR) / Σ S_i."""
    events = frame.groupby("strategic")["churned"].sum()
    if len(events) < 2 or events.min() < MIN_EVENTS:
        return None
    sm = _statsmodels()  # only once there is something to fit (its import takes ~0.5 s)
    model = sm.GLM(
        frame["churned"].to_numpy(float),
        _design(frame),
        family=sm.families.Binomial(link=sm.families.links.CLogLog()),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit()
    beta, se = float(fit.params[1]), float(fit.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se)) or se <= 0:
        return None
    hr = math.exp(beta)
    survival = 1 - np.asarray(fit.predict(), dtype=float)
    treated = frame["strategic"].to_numpy() == 1
    group = survival[treated] if hr <= 1 else survival[~treated]
    other = group ** (1 / hr) if hr <= 1 else group**hr
    kept = float((group - other).sum() / group.sum()) * (1 if hr <= 1 else -1)
    return Interval(hr, math.exp(beta - Z90 * se), math.exp(beta + Z90 * se)), kept


def _uplift(retained: pd.DataFrame, kept: float = 0.0) -> Interval | None:
    """The strategic coefficient of an OLS of log growth on the survivors, bounded for the
    survivors the treatment keeps (Lee 2009, trimming bounds).

    The growth is seen only for accounts that survived; if treatment keeps a share k of its
    survivors who would have churned untreated (:func:`_hazard_ratio`), the survivors of the two
    groups are not alike. Lee's bounds drop that share of the larger survivor group's accounts
    — the lowest residuals for one bound, the highest for the other — and refit: between them
    lies the effect on the accounts that survive either way. The interval runs from the lower
    bound − 1.645 s.e. to the upper bound + 1.645 s.e.; the value is the bounds' midpoint.
    """
    groups = retained["strategic"].value_counts()
    if len(groups) < 2 or groups.min() < MIN_EVENTS:
        return None
    sm = _statsmodels()
    y, design = retained["log_growth"].to_numpy(float), _design(retained)
    fit = sm.OLS(y, design).fit()
    beta, se = float(fit.params[1]), float(fit.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se)):
        return None
    low = high = beta
    in_group = design[:, 1] == (1.0 if kept >= 0 else 0.0)
    trimmed = round(abs(kept) * int(in_group.sum()))
    if trimmed > 0:
        order = np.argsort(np.where(in_group, fit.resid, np.inf))[: in_group.sum()]  # group, lowest first
        bounds = []
        for drop in (order[:trimmed], order[-trimmed:]):
            keep = np.ones(len(y), dtype=bool)
            keep[drop] = False
            bounds.append(float(sm.OLS(y[keep], design[keep]).fit().params[1]))
        low, high = min(bounds), max(bounds)
    clip = lambda v: float(np.clip(v, -MAX_UPLIFT, MAX_UPLIFT))  # noqa: E731
    return Interval(clip((low + high) / 2), clip(low - Z90 * se), clip(high + Z90 * se))


def ramp_fractions(periods: int, period_years: float, ramp_months: float) -> np.ndarray:
    """(T+1,) share of the full effect during each period: min(1, (t − ½)·Δ·12 / ramp), the
    linear ramp at the middle of period t (index 0 = today, 0), so that Σ over the periods equals
    the integral of the ramp; 1 from the first period when the ramp is 0."""
    middle_months = (np.arange(periods + 1) - 0.5) * period_years * 12
    share = np.ones(periods + 1) if ramp_months <= 0 else np.minimum(1.0, middle_months / ramp_months)
    share[0] = 0.0
    return share
