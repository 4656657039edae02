"""Monte Carlo simulator of churn and expansion by tier (pure NumPy, no Dash).

Typical use::

    from simulation import Assumptions, Scenario, SimulationSettings, run_simulation
    result = run_simulation(frame, Assumptions(), SimulationSettings(paths=10_000),
                            Scenario(promote=("ACME-001",)))
    result.comparison.summary().delta  # Delta: p5…p95, mean, prob_better (simulation.summary)
    result.headline()
"""

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
