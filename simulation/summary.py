"""A simulation's summary figures as plain, frozen dataclasses read by attribute.

:meth:`simulation.model.Outcome.summary` gives a :class:`VariantSummary` (a variant's outcome at
the horizon) and :meth:`simulation.model.Comparison.summary` a :class:`ComparisonSummary`
(scenario − baseline, the move and the staffing apart, the money). Their ``to_dict`` is the
JSON-ready layout :class:`reporting.simulation_report.SimulationReport` stores and prints;
``from_dict`` reads it back. Distributions are over the simulated paths.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


def _plain(cls, data: dict):
    """``cls`` from a dict holding (at least) one key per field."""
    return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Distribution:
    """Percentiles (P5, P25, P50, P75, P95) and mean of a figure across simulated paths, in the
    figure's unit (ARR in currency per year; NRR/GRR and shares as fractions)."""

    p5: float
    p25: float
    p50: float
    p75: float
    p95: float
    mean: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict):
        return _plain(cls, data)


@dataclass(frozen=True)
class Delta(Distribution):
    """Scenario − baseline on the same paths, and ``prob_better`` = P(scenario > baseline)."""

    prob_better: float


@dataclass(frozen=True)
class AnnualRetention:
    """NRR and GRR of one year of the horizon (``year`` 1 = the first), as companies report
    them: ARR at the year's end / at its start, and Σ min(ARR_i(end), ARR_i(start)) over
    accounts active at its end / ARR at its start (fractions, across paths)."""

    year: int
    nrr: Distribution
    grr: Distribution

    def to_dict(self) -> dict:
        return {"year": self.year, "nrr": self.nrr.to_dict(), "grr": self.grr.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> AnnualRetention:
        return cls(
            int(data["year"]), Distribution.from_dict(data["nrr"]), Distribution.from_dict(data["grr"])
        )


@dataclass(frozen=True)
class Staffing:
    """The strategic tier's accounts, the SAMs on it, the SAMs it needs (⌈accounts /
    capacity⌉), its load (accounts / (SAMs × capacity); None with no SAMs) and each strategic
    account's attention q = min(1, 1 / load)."""

    strategic_accounts: int
    required_sams: int
    sams: float
    load: float | None
    attention: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Staffing:
        return _plain(cls, data)


@dataclass(frozen=True)
class VariantSummary:
    """One variant's (baseline's or scenario's) outcome at the horizon.

    Attributes
    ----------
    name : "Baseline", "Move with today's SAMs" or the scenario's name.
    start_arr : today's ARR, currency per year.
    ending_arr : ARR at the horizon; ``ending_arr_error`` the Monte Carlo error of its mean.
    nrr, grr : net and gross retention over the horizon.
    annual : NRR and GRR of each whole year of the horizon (empty under a year).
    prob_lose_top10 : P(at least one of today's ten largest accounts churns by the horizon).
    expected_churned_arr : mean ARR lost to churn, currency per year.
    top10_share : share of ARR held by the ten largest accounts at the horizon.
    expected_revenue : mean revenue earned over the horizon, currency.
    tier_counts : accounts per tier (read-only).
    staffing : the strategic tier's SAMs.
    """

    name: str
    start_arr: float
    ending_arr: Distribution
    ending_arr_error: float
    nrr: Distribution
    grr: Distribution
    annual: tuple[AnnualRetention, ...]
    prob_lose_top10: float
    expected_churned_arr: float
    top10_share: Distribution
    expected_revenue: float
    tier_counts: dict[str, int]
    staffing: Staffing

    @property
    def first_year(self) -> AnnualRetention | None:
        """Year 1's NRR and GRR, when the horizon covers a year."""
        return self.annual[0] if self.annual else None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "start_arr": self.start_arr,
            "ending_arr": self.ending_arr.to_dict(),
            "ending_arr_error": self.ending_arr_error,
            "nrr": self.nrr.to_dict(),
            "grr": self.grr.to_dict(),
            "annual": [year.to_dict() for year in self.annual],
            "prob_lose_top10": self.prob_lose_top10,
            "expected_churned_arr": self.expected_churned_arr,
            "top10_share": self.top10_share.to_dict(),
            "expected_revenue": self.expected_revenue,
            "tier_counts": dict(self.tier_counts),
            "staffing": self.staffing.to_dict(),
        }

    @classmethod
    def _fields_from(cls, data: dict) -> dict[str, Any]:
        return dict(
            name=data["name"],
            start_arr=data["start_arr"],
            ending_arr=Distribution.from_dict(data["ending_arr"]),
            ending_arr_error=data["ending_arr_error"],
            nrr=Distribution.from_dict(data["nrr"]),
            grr=Distribution.from_dict(data["grr"]),
            annual=tuple(AnnualRetention.from_dict(year) for year in data["annual"]),
            prob_lose_top10=data["prob_lose_top10"],
            expected_churned_arr=data["expected_churned_arr"],
            top10_share=Distribution.from_dict(data["top10_share"]),
            expected_revenue=data["expected_revenue"],
            tier_counts={str(t): int(n) for t, n in data["tier_counts"].items()},
            staffing=Staffing.from_dict(data["staffing"]),
        )

    @classmethod
    def from_dict(cls, data: dict) -> VariantSummary:
        return cls(**cls._fields_from(data))


@dataclass(frozen=True)
class ScenarioSummary(VariantSummary):
    """The scenario's outcome and its moves: the account ids promoted to strategic and the
    strategic ones demoted to key."""

    promote: tuple[str, ...] = ()
    demote: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, variant: VariantSummary, promote: tuple[str, ...], demote: tuple[str, ...]
    ) -> ScenarioSummary:
        """``variant``'s figures with the scenario's moves."""
        figures = {f.name: getattr(variant, f.name) for f in fields(VariantSummary)}
        return cls(**figures, promote=tuple(map(str, promote)), demote=tuple(map(str, demote)))

    def to_dict(self) -> dict:
        return {**super().to_dict(), "promote": list(self.promote), "demote": list(self.demote)}

    @classmethod
    def from_dict(cls, data: dict) -> ScenarioSummary:
        return cls(
            **cls._fields_from(data),
            promote=tuple(map(str, data["promote"])),
            demote=tuple(map(str, data["demote"])),
        )


_NPV_PARTS = ("npv", "npv_move", "npv_staffing", "npv_tail")


@dataclass(frozen=True)
class EconomicsSummary:
    """The scenario in money (see :mod:`simulation.economics`): SAMs added or released, the
    change in SAM cost (currency per year; negative is a saving), the margin, discount rate and
    the tail's churn used (fractions; the treated accounts' own, weighted), the NPV (currency)
    in total, split into the move's and the staffing's, and the part of it that is the ARR left
    at the horizon (``npv_tail``), P(NPV > 0) across paths, and the payback in years (None: no
    added cost, or not within the horizon)."""

    added_sams: float
    released_sams: float
    sam_cost: float
    margin: float
    discount_rate: float
    tail_churn: float
    npv: Distribution
    npv_move: Distribution
    npv_staffing: Distribution
    npv_tail: Distribution
    prob_positive: float
    payback_years: float | None

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**out, **{k: getattr(self, k).to_dict() for k in _NPV_PARTS}}

    @classmethod
    def from_dict(cls, data: dict) -> EconomicsSummary:
        parts = {k: Distribution.from_dict(data[k]) for k in _NPV_PARTS}
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name not in parts}, **parts)


@dataclass(frozen=True)
class ComparisonSummary:
    """Scenario − baseline on the same paths, the move (with today's SAMs) and the staffing
    change apart (they add up to the total on every path), the money, and the Monte Carlo
    errors of the mean delta, of P(better) and of the mean NPV."""

    delta: Delta
    move: Distribution
    staffing: Distribution
    economics: EconomicsSummary
    required_sams_change: int
    delta_error: float
    prob_better_error: float
    npv_error: float

    def to_dict(self) -> dict:
        return {
            "delta": {
                **self.delta.to_dict(),
                "move": self.move.to_dict(),
                "staffing": self.staffing.to_dict(),
            },
            "economics": self.economics.to_dict(),
            "required_sams_change": self.required_sams_change,
            "mc_error": {
                "delta_mean": self.delta_error,
                "prob_better": self.prob_better_error,
                "npv_mean": self.npv_error,
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> ComparisonSummary:
        delta, error = data["delta"], data["mc_error"]
        return cls(
            Delta.from_dict(delta),
            Distribution.from_dict(delta["move"]),
            Distribution.from_dict(delta["staffing"]),
            EconomicsSummary.from_dict(data["economics"]),
            data["required_sams_change"],
            error["delta_mean"],
            error["prob_better"],
            error["npv_mean"],
        )


@dataclass(frozen=True)
class RenewalQuarter:
    """One quarter of the horizon (``quarter`` 1 = the first): today's ARR of the accounts
    with a known renewal in it (``up_for_renewal``, currency per year; ``renewals`` how many)
    and the ARR that churned in it across paths (today's ARR of the accounts that churned in
    the quarter, whatever their timing): mean, P5 and P95."""

    quarter: int
    up_for_renewal: float
    renewals: int
    churned_mean: float
    churned_p5: float
    churned_p95: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> RenewalQuarter:
        return _plain(cls, data)


@dataclass(frozen=True)
class RenewalCalendar:
    """The baseline's renewal calendar per quarter of the horizon; ``accounts_with_dates`` of
    the ``accounts`` churn at their renewals, the others with a uniform hazard (``timing``
    says so in a sentence)."""

    quarters: tuple[RenewalQuarter, ...]
    accounts: int
    accounts_with_dates: int
    timing: str

    def to_dict(self) -> dict:
        return {
            "quarters": [q.to_dict() for q in self.quarters],
            "accounts": self.accounts,
            "accounts_with_dates": self.accounts_with_dates,
            "timing": self.timing,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RenewalCalendar:
        return cls(
            tuple(RenewalQuarter.from_dict(q) for q in data["quarters"]),
            int(data["accounts"]),
            int(data["accounts_with_dates"]),
            str(data["timing"]),
        )
