"""A simulation result as a typed, frozen report: what the Simulator page draws, the board pack
prints and a saved scenario keeps.

:func:`simulation_report` turns a :class:`simulation.SimulationResult` (arrays over paths) into a
:class:`SimulationReport`: the summary figures of each variant, the comparison, the fan (ARR
percentiles per period) of each variant and pre-binned histograms of ending ARR and of the
paired difference, so that charts can be redrawn without the path arrays. Every part is a frozen
dataclass read by attribute; the summary figures' (:class:`VariantSummary`,
:class:`ComparisonSummary`, …) come from :mod:`simulation.summary` and are re-exported here.

The dict form (:meth:`SimulationReport.to_dict`, JSON-ready) is for transport only: the
Simulator page's ``dcc.Store``, the session store and the scenario database. It carries
:data:`SCHEMA_VERSION`; :meth:`SimulationReport.from_dict` reads the versions in
:data:`CONVERTIBLE_VERSIONS` back and raises :class:`UnreadableReport` (with a sentence for the
user) for the rest: older models' reports, a newer Strata's, damaged ones.
``portfolio simulate --json`` prints :meth:`SimulationReport.summary_dict`, its own documented
layout.

Example
-------
>>> import pandas as pd
>>> from simulation import Scenario, SimulationSettings, run_simulation
>>> frame = pd.DataFrame({"account_id": ["A", "B"], "account_name": ["A", "B"],
...                       "arr": [3e5, 1e5], "tier": ["Strategic", "Key"]})
>>> report = simulation_report(run_simulation(frame, settings=SimulationSettings(paths=100, horizon=4),
...                                           scenario=Scenario(promote=("B",))))
>>> report.scenario.promote, report.comparison.delta.prob_better <= 1
(('B',), True)
>>> SimulationReport.from_dict(report.to_dict()) == report
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulation import SimulationResult, TierAssumption, TreatmentEffect
from simulation.summary import (
    AnnualRetention,
    ComparisonSummary,
    Delta,
    Distribution,
    EconomicsSummary,
    RenewalCalendar,
    ScenarioSummary,
    Staffing,
    VariantSummary,
)

__all__ = [
    "CONVERTIBLE_VERSIONS",
    "DELTA",
    "HISTOGRAM_BINS",
    "SCHEMA_VERSION",
    "TAIL",
    "AnnualRetention",
    "ComparisonSummary",
    "Delta",
    "Distribution",
    "EconomicsSummary",
    "Fan",
    "Histogram",
    "RenewalCalendar",
    "ReportInputs",
    "ReportSettings",
    "ScenarioSummary",
    "SimulationReport",
    "Staffing",
    "UnreadableReport",
    "VariantSummary",
    "histogram",
    "simulation_report",
]

SCHEMA_VERSION = 4
"""Layout of :meth:`SimulationReport.to_dict`. 1: the untyped dicts of Strata before the typed
report (no ``schema_version`` key; ``ending_arr`` and ``delta`` repeated at the top level);
2: one key per field of the dataclasses, ``schema_version`` included; 3: the treatment-effect
model (the move and the staffing apart, NPV, annual retention, Monte Carlo errors); 4: the
factor model (``nrr_volatility`` replaces the correlation ρ; churn moves with the market;
renewal timing and the renewal calendar). Reports of versions 1 and 2 came from a model that
copied the strategic tier's averages onto promoted accounts, those of version 3 from the
correlation model; their figures cannot be converted, so they say so and ask for a new run."""
CONVERTIBLE_VERSIONS = (SCHEMA_VERSION,)
"""Versions :meth:`SimulationReport.from_dict` reads."""

HISTOGRAM_BINS = 50
TAIL = (1, 99)
"""Histogram range in percentiles: the extreme 2% of paths are counted in the end bins (a thin
tail would otherwise squash the bulk of the distribution into a few bars)."""
DELTA = "delta"
"""The one series of the paired-difference histogram."""


class UnreadableReport(ValueError):
    """A report dict this Strata cannot show: from an older layout that cannot be converted, a
    newer Strata, or damaged. ``reason`` is ``"older"``, ``"newer"`` or ``"damaged"``."""

    def __init__(self, reason: str, version: object) -> None:
        self.reason, self.version = reason, version
        super().__init__(self.message())

    def message(self, what: str = "This result") -> str:
        """The sentence for the user, about ``what`` (e.g. "This scenario")."""
        if self.reason == "older":
            return f"{what} was saved by an older Strata and cannot be shown; run it again."
        if self.reason == "newer":
            return f"{what} was saved by a newer Strata and cannot be shown here; run it again."
        return f"{what} could not be read (its saved results are damaged); run it again."


@dataclass(frozen=True)
class Fan:
    """Portfolio ARR percentiles and mean per period (index 0 = today), currency per year."""

    period: tuple[int, ...]
    p5: tuple[float, ...]
    p25: tuple[float, ...]
    p50: tuple[float, ...]
    p75: tuple[float, ...]
    p95: tuple[float, ...]
    mean: tuple[float, ...]

    def to_dict(self) -> dict:
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Fan:
        return cls(**{f.name: tuple(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True)
class Histogram:
    """Path counts per series (variant name, or :data:`DELTA`) on shared bin ``edges``."""

    edges: tuple[float, ...]
    counts: dict[str, tuple[int, ...]]

    def to_dict(self) -> dict:
        return {"edges": list(self.edges), "counts": {name: list(c) for name, c in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Histogram:
        return cls(tuple(data["edges"]), {str(k): tuple(v) for k, v in data["counts"].items()})


@dataclass(frozen=True)
class ReportSettings:
    """How the run was made: paths, horizon (periods), period (month|quarter), seed, capacity
    per strategic SAM (accounts), strategic SAMs today (None = what the tier needs), cost per
    SAM (currency per year), gross margin and discount rate (fractions)."""

    paths: int
    horizon: int
    period: str
    seed: int
    strategic_capacity: float
    strategic_sams: float | None
    cost_per_sam: float
    margin: float
    discount_rate: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> ReportSettings:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class ReportInputs:
    """What the Simulator page ran: its ``form`` (see :mod:`reporting.simulator`), the ticked
    account ids, the what-if settings and the number of paths."""

    form: dict
    selected: tuple[str, ...]
    whatif: dict | None
    paths: int

    def to_dict(self) -> dict:
        return {
            "form": self.form,
            "selected": list(self.selected),
            "whatif": self.whatif,
            "paths": self.paths,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ReportInputs:
        return cls(dict(data["form"]), tuple(map(str, data["selected"])), data["whatif"], int(data["paths"]))


@dataclass(frozen=True)
class SimulationReport:
    """A simulation's results, typed and immutable.

    Attributes
    ----------
    settings : how it was run.
    nrr_volatility : the portfolio NRR volatility (fraction a year; 0.05 = 5 points);
        ``nrr_volatility_source`` where it comes from (assumed, calibrated, explicit).
    assumptions : the tier figures every account starts from (its own tier's; read-only).
    treatment : the strategic treatment effect and where it comes from.
    headline : one plain-language sentence.
    baseline, scenario : each variant's outcome (no scenario: baseline only); ``move`` the
        scenario's moves with today's SAMs.
    comparison : scenario − baseline (with a scenario).
    fan : ARR percentiles per period, by variant name.
    ending_histogram : ending ARR per variant; ``delta_histogram`` the paired difference.
    inputs, fingerprint, assumption_rows : what produced it on the Simulator page (the form,
        the data's fingerprint, the assumption grid); None/empty elsewhere.
    saved_as : the saved scenario's name when loaded from one.
    renewal_calendar : the baseline's ARR up for renewal and churned ARR per quarter.
    """

    settings: ReportSettings
    nrr_volatility: float
    nrr_volatility_source: str
    assumptions: dict[str, TierAssumption]
    treatment: TreatmentEffect
    headline: str
    baseline: VariantSummary
    move: VariantSummary | None
    scenario: ScenarioSummary | None
    comparison: ComparisonSummary | None
    fan: dict[str, Fan]
    ending_histogram: Histogram
    delta_histogram: Histogram | None
    inputs: ReportInputs | None = None
    fingerprint: str | None = None
    assumption_rows: tuple[dict, ...] = ()
    saved_as: str | None = None
    renewal_calendar: RenewalCalendar | None = None

    @property
    def target(self) -> VariantSummary:
        """The variant the result is about: the scenario, else the baseline."""
        return self.scenario if self.scenario is not None else self.baseline

    @property
    def delta(self) -> Delta | None:
        """Scenario − baseline ending ARR (None without a scenario)."""
        return self.comparison.delta if self.comparison is not None else None

    @property
    def variants(self) -> tuple[VariantSummary, ...]:
        """Baseline, and with a scenario the move (when its staffing differs) and the scenario."""
        if self.scenario is None:
            return (self.baseline,)
        if self.move is None or self.move.staffing.sams == self.scenario.staffing.sams:
            return (self.baseline, self.scenario)
        return (self.baseline, self.move, self.scenario)

    def variant(self, name: str) -> VariantSummary:
        """The variant called ``name`` (KeyError if none is)."""
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)

    def summary_dict(self) -> dict:
        """The results without chart data or page inputs, in the layout ``portfolio simulate
        --json`` prints: ``settings``, ``nrr_volatility``,
        ``nrr_volatility_source``, ``assumptions``, ``treatment``,
        ``baseline``; with a scenario ``move``, ``scenario``, ``delta`` (with ``move`` and
        ``staffing``), ``economics``; then for the target variant ``ending_arr``, ``annual``
        (year 1) and ``mc_error``, and ``headline``."""
        target = self.target
        payload = {
            "settings": self.settings.to_dict(),
            "nrr_volatility": self.nrr_volatility,
            "nrr_volatility_source": self.nrr_volatility_source,
            "assumptions": {t: a.to_dict() for t, a in self.assumptions.items()},
            "treatment": {**self.treatment.to_dict(), "sentence": self.treatment.sentence()},
            "baseline": self.baseline.to_dict(),
        }
        error = {"ending_arr_mean": target.ending_arr_error}
        if self.scenario is not None and self.comparison is not None:
            comparison = self.comparison.to_dict()
            payload.update(
                move=self.move.to_dict() if self.move else None,
                scenario=self.scenario.to_dict(),
                delta=comparison["delta"],
                economics=comparison["economics"],
                required_sams_change=self.comparison.required_sams_change,
            )
            error.update(comparison["mc_error"])
        first = target.first_year
        payload.update(
            ending_arr=target.ending_arr.to_dict(),
            annual=first.to_dict() if first else None,
            mc_error=error,
            headline=self.headline,
        )
        return payload

    def to_dict(self) -> dict:
        """JSON-ready, one key per field, with ``schema_version``."""
        optional = lambda part: None if part is None else part.to_dict()  # noqa: E731
        return {
            "schema_version": SCHEMA_VERSION,
            "settings": self.settings.to_dict(),
            "nrr_volatility": self.nrr_volatility,
            "nrr_volatility_source": self.nrr_volatility_source,
            "assumptions": {t: a.to_dict() for t, a in self.assumptions.items()},
            "treatment": self.treatment.to_dict(),
            "headline": self.headline,
            "baseline": self.baseline.to_dict(),
            "move": optional(self.move),
            "scenario": optional(self.scenario),
            "comparison": optional(self.comparison),
            "fan": {name: fan.to_dict() for name, fan in self.fan.items()},
            "ending_histogram": self.ending_histogram.to_dict(),
            "delta_histogram": optional(self.delta_histogram),
            "inputs": optional(self.inputs),
            "fingerprint": self.fingerprint,
            "assumption_rows": [dict(row) for row in self.assumption_rows],
            "saved_as": self.saved_as,
            "renewal_calendar": optional(self.renewal_calendar),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SimulationReport:
        """Read :meth:`to_dict`'s form back. Raises :class:`UnreadableReport` for a layout it
        cannot read (an older model's, a newer Strata's, damaged; its ``message()`` is for the
        user), never anything else."""
        if not isinstance(data, dict):
            raise UnreadableReport("damaged", None)
        version = data.get("schema_version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise UnreadableReport("damaged", version)
        if version > SCHEMA_VERSION:
            raise UnreadableReport("newer", version)
        if version not in CONVERTIBLE_VERSIONS:
            raise UnreadableReport("older", version)
        try:
            return cls._read(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise UnreadableReport("damaged", version) from None

    @classmethod
    def _read(cls, data: dict) -> SimulationReport:
        optional = lambda part, value: None if value is None else part.from_dict(value)  # noqa: E731
        return cls(
            settings=ReportSettings.from_dict(data["settings"]),
            nrr_volatility=float(data["nrr_volatility"]),
            nrr_volatility_source=str(data["nrr_volatility_source"]),
            assumptions={t: TierAssumption(**a) for t, a in data["assumptions"].items()},
            treatment=TreatmentEffect.from_dict(data["treatment"]),
            headline=str(data["headline"]),
            baseline=VariantSummary.from_dict(data["baseline"]),
            move=optional(VariantSummary, data["move"]),
            scenario=optional(ScenarioSummary, data["scenario"]),
            comparison=optional(ComparisonSummary, data["comparison"]),
            fan={str(name): Fan.from_dict(f) for name, f in data["fan"].items()},
            ending_histogram=Histogram.from_dict(data["ending_histogram"]),
            delta_histogram=optional(Histogram, data["delta_histogram"]),
            inputs=optional(ReportInputs, data["inputs"]),
            fingerprint=data["fingerprint"],
            assumption_rows=tuple(dict(row) for row in data["assumption_rows"]),
            saved_as=data["saved_as"],
            renewal_calendar=optional(RenewalCalendar, data["renewal_calendar"]),
        )


def histogram(values: dict[str, np.ndarray], bins: int = HISTOGRAM_BINS) -> Histogram:
    """Counts per series on shared bin edges spanning the 1st–99th percentile of all values.

    Values beyond the range fall in the first or last bin, so every path is counted.
    """
    pooled = np.concatenate(list(values.values()))
    lo, hi = np.percentile(pooled, TAIL)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    counts = {
        name: tuple(np.histogram(np.clip(v, lo, hi), bins=edges)[0].tolist()) for name, v in values.items()
    }
    return Histogram(tuple(edges.tolist()), counts)


def simulation_report(result: SimulationResult) -> SimulationReport:
    """The typed report of a simulation result (its figures are those of
    :meth:`simulation.model.Outcome.summary` and :meth:`simulation.model.Comparison.summary`),
    with the headline, fans and histograms."""
    outcomes = [result.baseline] + ([result.scenario] if result.scenario is not None else [])
    fan = {o.name: Fan.from_dict(o.fan().reset_index().to_dict("list")) for o in outcomes}
    scenario = comparison = None
    if result.scenario is not None and result.comparison is not None:
        moves = result.scenario_definition
        assert moves is not None  # set together with the scenario (simulation.model.run_simulation)
        scenario = ScenarioSummary.of(result.scenario.summary(), moves.promote, moves.demote)
        comparison = result.comparison.summary()
    return SimulationReport(
        settings=ReportSettings(**{f.name: getattr(result.settings, f.name) for f in fields(ReportSettings)}),
        nrr_volatility=result.assumptions.nrr_volatility,
        nrr_volatility_source=result.assumptions.nrr_volatility_source,
        assumptions=dict(result.assumptions.tiers),
        treatment=result.treatment,
        headline=result.headline(),
        baseline=result.baseline.summary(),
        # the move is set together with the comparison (simulation.model.run_simulation)
        move=result.move.summary() if result.move is not None else None,
        scenario=scenario,
        comparison=comparison,
        fan=fan,
        ending_histogram=histogram({o.name: o.ending_arr for o in outcomes}),
        delta_histogram=(
            histogram({DELTA: result.comparison.delta}) if result.comparison is not None else None
        ),
        renewal_calendar=result.renewal_calendar,
    )
