"""A simulation result as plain JSON: what the Simulator page draws and a saved scenario keeps.

Besides :meth:`SimulationResult.to_dict` (percentiles, NRR/GRR, risk, staffing, comparison) it
holds the fan (ARR percentiles per period) of each variant and pre-binned histograms of ending
ARR and of the paired difference, so that charts can be redrawn without the path arrays.
"""

from __future__ import annotations

import numpy as np

from simulation.model import SimulationResult

HISTOGRAM_BINS = 50
TAIL = (1, 99)
"""Histogram range in percentiles: the extreme 2% of paths are counted in the end bins (a thin
tail would otherwise squash the bulk of the distribution into a few bars)."""


def histogram(values: dict[str, np.ndarray], bins: int = HISTOGRAM_BINS) -> dict:
    """Counts per series on shared bin edges spanning the 1st–99th percentile of all values.

    Values beyond the range fall in the first or last bin, so every path is counted.
    """
    pooled = np.concatenate(list(values.values()))
    lo, hi = np.percentile(pooled, TAIL)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    counts = {name: np.histogram(np.clip(v, lo, hi), bins=edges)[0].tolist()
              for name, v in values.items()}
    return {"edges": edges.tolist(), "counts": counts}


def simulation_report(result: SimulationResult) -> dict:
    """JSON-ready report: ``to_dict()`` plus ``headline``, ``fan``, ``ending_histogram`` and
    (with a scenario) ``delta_histogram``."""
    report = result.to_dict()
    report["headline"] = result.headline()
    outcomes = [result.baseline] + ([result.scenario] if result.scenario is not None else [])
    report["fan"] = {o.name: o.fan().reset_index().to_dict("list") for o in outcomes}
    report["ending_histogram"] = histogram({o.name: o.ending_arr for o in outcomes})
    if result.comparison is not None:
        report["delta_histogram"] = histogram({"delta": result.comparison.delta})
    return report
