"""Per-tier assumptions of the Monte Carlo model, and where they come from.

Each tier has three annual figures:

* ``annual_churn`` — probability that an account churns within a year (logo churn);
* ``expansion_drift`` — annual log-growth of a retained account's ARR (median growth e^drift);
* ``volatility`` — annual standard deviation of that log-growth.

The defaults rest on published SaaS benchmarks: a strategic tier keeps GRR at 92–98% and
NRR at 120%+; key accounts a little lower; the long tail churns most and barely grows.
With these defaults the model's expected one-year NRR is ≈ (1 − churn)·e^(drift + vol²/2):
Strategic 0.96·e^0.22 ≈ 1.20, Key 0.92·e^0.11 ≈ 1.03, Standard 0.85·e^0.075 ≈ 0.92.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from portfolio.jsonfile import read_json
from portfolio.schema import TIERS
from simulation.size_model import SizeModel

MAX_NRR_VOLATILITY = 0.5
DEFAULT_NRR_VOLATILITY = 0.05
NRR_VOLATILITY_RATIONALE = (
    "a B2B book's year-to-year swing in net retention. Public "
    "B2B SaaS companies' median NRR fell about 10 points over 2022–23 (≈120% to ≈110%), the "
    "sharpest two-year move in their reported history, i.e. about 5 points a year in a bad "
    "cycle; in ordinary years a company's NRR moves 2–5 points. One standard deviation is a "
    "notable year, two a 2022-style downturn."
)
"""Why the default portfolio NRR volatility is what it is (shown as its source's text)."""
NRR_VOLATILITY_SOURCES = ("assumed", "calibrated", "explicit")


def nrr_volatility_sentence(nrr_volatility: float, source: str) -> str:
    """The portfolio NRR volatility and where it comes from, in one or two sentences (the
    assumed default with its rationale)."""
    text = f"Portfolio NRR volatility {100 * nrr_volatility:g} points a year ({source})"
    if source == "calibrated":
        return (
            f"{text}: the market's part of the history's quarterly NRR swing; the accounts' own "
            "luck adds the rest in the simulation."
        )
    if source == "assumed":
        return f"{text}: {NRR_VOLATILITY_RATIONALE}"
    return text + "."


@dataclass(frozen=True)
class TierAssumption:
    """Annual churn probability, log-growth drift and volatility of one tier.

    ``source`` says where the figures come from (``default``, ``calibrated``, ``explicit``),
    ``accounts`` how many accounts a calibration rests on, ``note`` why a fallback was used.
    """

    annual_churn: float
    expansion_drift: float
    volatility: float
    source: str = "default"
    accounts: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        checks = {
            "annual_churn": 0 <= self.annual_churn <= 1,
            "expansion_drift": -3 <= self.expansion_drift <= 3,
            "volatility": 0 <= self.volatility <= 3,
        }
        for name, ok in checks.items():
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and ok):
                limits = {
                    "annual_churn": "between 0 and 1",
                    "expansion_drift": "between -3 and 3",
                    "volatility": "between 0 and 3",
                }[name]
                raise ValueError(f"{name} must be a number {limits}, got {value!r}")

    def to_dict(self) -> dict:
        return {
            "annual_churn": self.annual_churn,
            "expansion_drift": self.expansion_drift,
            "volatility": self.volatility,
            "source": self.source,
            "accounts": self.accounts,
            "note": self.note,
        }


DEFAULT_TIER_ASSUMPTIONS: dict[str, TierAssumption] = {
    "Strategic": TierAssumption(0.04, 0.20, 0.20),
    "Key": TierAssumption(0.08, 0.08, 0.25),
    "Standard": TierAssumption(0.15, 0.03, 0.30),
}


@dataclass(frozen=True)
class Assumptions:
    """Tier assumptions plus the portfolio NRR volatility: the standard deviation of the
    portfolio's one-year NRR that the shared market causes, as a fraction a year (0.05 = 5
    points; 0 = independent accounts), and where it comes from (``assumed``, ``calibrated``,
    ``explicit``).

    ``size``: the calibrated size model (:mod:`simulation.size_model`) that gives each account
    of a *calibrated* tier its own churn, drift and reversion from its ARR; None = tier figures
    only. ``warnings``: what the calibration could not use and why (figure, value, bound,
    fallback), and what kind of data it rests on; shown wherever the assumptions are.
    """

    tiers: dict[str, TierAssumption] = field(default_factory=lambda: dict(DEFAULT_TIER_ASSUMPTIONS))
    nrr_volatility: float = DEFAULT_NRR_VOLATILITY
    nrr_volatility_source: str = "assumed"
    size: SizeModel | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = [t for t in TIERS if t not in self.tiers]
        unknown = [t for t in self.tiers if t not in TIERS]
        if missing or unknown:
            raise ValueError(
                f"assumptions need exactly the tiers {', '.join(TIERS)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )
        v = self.nrr_volatility
        if not (isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= MAX_NRR_VOLATILITY):
            raise ValueError(
                f"portfolio NRR volatility must be between 0 and {100 * MAX_NRR_VOLATILITY:g} points "
                f"a year, got {v * 100 if isinstance(v, (int, float)) else v!r}"
            )
        if self.nrr_volatility_source not in NRR_VOLATILITY_SOURCES:
            raise ValueError(f"nrr_volatility_source must be one of {', '.join(NRR_VOLATILITY_SOURCES)}")

    def with_overrides(self, overrides: dict) -> Assumptions:
        """Apply a JSON-shaped override (see :func:`parse_assumptions`); overrides are explicit."""
        return parse_assumptions(overrides, base=self)

    def to_dict(self) -> dict:
        return {
            "tiers": {t: a.to_dict() for t, a in self.tiers.items()},
            "nrr_volatility": self.nrr_volatility,
            "nrr_volatility_source": self.nrr_volatility_source,
            "warnings": list(self.warnings),
        }


def parse_assumptions(data: object, base: Assumptions | None = None) -> Assumptions:
    """Read ``{"tiers": {"Strategic": {"annual_churn": …, …}, …}, "nrr_volatility": 0.05}``
    (``nrr_volatility`` a fraction a year: 0.05 = 5 points).

    Tiers and figures left out keep the ``base`` values (defaults when no base). Given figures
    are marked ``explicit`` (so is a given ``nrr_volatility``), and a tier with one is simulated
    on its tier figures alone (no size terms); explicit figures are validated, never bounded.
    Raises ValueError naming the offending key.
    """
    base = base or Assumptions()
    if not isinstance(data, dict):
        raise ValueError("assumptions must be a JSON object with 'tiers' and/or 'nrr_volatility'")
    unknown = set(data) - {"tiers", "nrr_volatility"}
    if "correlation" in unknown:
        raise ValueError(
            "'correlation' is no longer used: give 'nrr_volatility', the portfolio NRR volatility "
            "as a fraction a year (0.05 = 5 points)"
        )
    if unknown:
        raise ValueError(f"unknown key(s) in assumptions: {', '.join(sorted(unknown))}")
    tiers = dict(base.tiers)
    given = data.get("tiers", {})
    if not isinstance(given, dict):
        raise ValueError("'tiers' must be an object keyed by tier name")
    figures = ("annual_churn", "expansion_drift", "volatility")
    for tier, values in given.items():
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r} in assumptions; use {', '.join(TIERS)}")
        if not isinstance(values, dict) or set(values) - set(figures):
            raise ValueError(f"tier {tier!r}: expected an object with {', '.join(figures)}")
        try:
            tiers[tier] = replace(
                tiers[tier],
                **{k: float(v) for k, v in values.items()},
                source="explicit",
                accounts=0,
                note="",
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"tier {tier!r}: {exc}") from None
    volatility, source = _nrr_volatility(data, base)
    return replace(base, tiers=tiers, nrr_volatility=volatility, nrr_volatility_source=source)


def _nrr_volatility(data: dict, base: Assumptions) -> tuple[float, str]:
    """The given portfolio NRR volatility (explicit), or the base's with its source."""
    if "nrr_volatility" not in data:
        return base.nrr_volatility, base.nrr_volatility_source
    volatility = data["nrr_volatility"]
    try:
        return float(volatility), "explicit"
    except (TypeError, ValueError):
        raise ValueError(
            f"nrr_volatility must be a number (0.05 = 5 points a year), got {volatility!r}"
        ) from None


def load_assumptions(path: str | Path, base: Assumptions | None = None) -> Assumptions:
    """Read an assumptions JSON file; errors name the file and the problem."""
    return parse_assumptions(read_json(path, "assumptions file"), base)
