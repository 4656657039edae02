"""Monte Carlo simulator of churn and expansion by tier (pure NumPy, no Dash).

Typical use::

    from simulation import Assumptions, Scenario, SimulationSettings, run_simulation
    result = run_simulation(frame, Assumptions(), SimulationSettings(paths=10_000),
                            Scenario(promote=("ACME-001",)))
    result.comparison.summary().delta  # Delta: p5…p95, mean, prob_better (simulation.summary)
    result.headline()

The names below are imported on first use (PEP 562), so that importing a light module of the
package (``simulation.defaults``) does not load the engine and SciPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulation.assumptions import Assumptions, TierAssumption, load_assumptions, parse_assumptions
    from simulation.calibration import (
        calibrate,
        calibrate_nrr_volatility,
        starting_assumptions,
        starting_treatment,
    )
    from simulation.model import (
        Scenario,
        SimulationResult,
        SimulationSettings,
        run_simulation,
        simulation_accounts,
    )
    from simulation.treatment import ASSUMED_EFFECT, Interval, TreatmentEffect, explicit_effect

__all__ = [
    "ASSUMED_EFFECT",
    "Assumptions",
    "Interval",
    "Scenario",
    "SimulationResult",
    "SimulationSettings",
    "TierAssumption",
    "TreatmentEffect",
    "calibrate",
    "calibrate_nrr_volatility",
    "explicit_effect",
    "load_assumptions",
    "parse_assumptions",
    "run_simulation",
    "simulation_accounts",
    "starting_assumptions",
    "starting_treatment",
]
_MODULE_OF = {
    "ASSUMED_EFFECT": "treatment",
    "Assumptions": "assumptions",
    "Interval": "treatment",
    "Scenario": "model",
    "SimulationResult": "model",
    "SimulationSettings": "model",
    "TierAssumption": "assumptions",
    "TreatmentEffect": "treatment",
    "calibrate": "calibration",
    "calibrate_nrr_volatility": "calibration",
    "explicit_effect": "treatment",
    "load_assumptions": "assumptions",
    "parse_assumptions": "assumptions",
    "run_simulation": "model",
    "simulation_accounts": "model",
    "starting_assumptions": "calibration",
    "starting_treatment": "calibration",
}
"""The module each public name is imported from, on first use."""


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    return getattr(importlib.import_module(f"simulation.{_MODULE_OF[name]}"), name)
