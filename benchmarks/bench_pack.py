"""Board pack timing on the demo (issue 17 item 4): the PPTX and PDF packs, with and without a
simulation (300 paths × 8 quarters, 3 Key accounts promoted), as the dashboard builds them.

Run from the repository root: ``python benchmarks/bench_pack.py`` (the PDF needs Chromium; the
PowerPoint pack starts no browser). Prints the best of ``--repeat`` runs in seconds, from the analysis to the
file's bytes (the analysis and the simulation themselves are not timed).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from exports.files import pack_bytes
from exports.pack import build_pack
from exports.render import ExportFailed
from portfolio.analysis import analyze
from portfolio.ingest import load_file
from reporting.simulation_report import simulation_report
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation, simulation_accounts

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_accounts.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    analysis = analyze(load_file(DEMO).accounts)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    key = frame[frame["tier"] == "Key"]["account_id"].head(3)
    result = run_simulation(
        frame, Assumptions(), SimulationSettings(paths=300, horizon=8), Scenario(promote=tuple(key))
    )
    report = simulation_report(result)
    for fmt in ("pptx", "pdf"):
        for label, rep in (("analysis only", None), ("with simulation", report)):
            times, size = [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                try:
                    size = len(pack_bytes(build_pack(analysis, "Demo", "2026-11-22", rep), fmt))
                except ExportFailed as exc:  # the renderer's 25 s limit, on a busy machine
                    print(f"{fmt} {label}: {exc}")
                    continue
                times.append(time.perf_counter() - start)
            runs = ", ".join(f"{t:.2f}" for t in times)
            best = f"{min(times):.2f} s" if times else "–"
            print(f"{fmt} {label:16s} best {best}  (runs {runs}; {size / 1e3:,.0f} kB)")


if __name__ == "__main__":
    main()
