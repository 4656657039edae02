"""Monte Carlo engine speed and memory (issue 4's targets).

1. The floor: the time NumPy takes just to draw N·P·T float32 normals (PCG64, one thread, drawn
   into a chunk-sized buffer). The engine — one portfolio, one worker — should be within 1.5×.
2. The target case: 1,200 accounts × 10,000 paths × 12 quarters, under 3 s on 2 cores
   (baseline alone, and baseline + a promote-8 scenario on common random numbers).
3. The interactive preview: 1,000 paths, baseline + scenario, under 0.3 s.
4. Memory: 100,000 accounts × 1,000 paths × 12 quarters in a child process; peak RSS under
   1.5 GB (the float32 path cube alone would be 4.8 GB).
5. Issue 13's target (``--process``): the whole ``portfolio simulate`` process on the demo file,
   baseline + a promote-8 scenario, 10,000 paths × 12 quarters, ``--workers 1`` and every core,
   against the time NumPy takes to draw one float32 standard normal per account-period-path on
   one thread (measured in the same run): at most 1.0× on one worker, 0.6× on every core.

Run: ``.venv/bin/python benchmarks/bench_simulation.py`` (add ``--quick`` for a smoke run,
``--process`` for case 5 alone).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

from portfolio.analysis import analyze
from portfolio.demo import generate_demo
from portfolio.ingest import finalize_accounts, load_file
from portfolio.resources import demo_accounts_path
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation, simulation_accounts


def best_of(repeats: int, fn) -> float:
    """Fastest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def demo_portfolio(n_accounts: int):
    accounts = finalize_accounts(generate_demo(n_accounts))
    analysis = analyze(accounts)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier, start=analysis.facts.as_of)
    key = analysis.accounts[analysis.accounts["tier"] == "Key"].sort_values("score", ascending=False)
    return frame, tuple(key["account_id"].astype(str).head(8))


def draw_floor(cells: int, accounts: int) -> float:
    """Seconds to draw ``cells`` float32 standard normals, in chunk-sized pieces, one thread."""
    rows = max(64, (1 << 18) // accounts)
    buffer = np.empty((rows, accounts), np.float32)
    rng = np.random.default_rng(1)
    full, rest = divmod(cells, buffer.size)

    def draw() -> None:
        for _ in range(full):
            rng.standard_normal(out=buffer, dtype=np.float32)
        rng.standard_normal(rest, dtype=np.float32)

    return best_of(3, draw)


def memory_child(n_accounts: int, paths: int) -> None:
    frame, _ = demo_portfolio(n_accounts)
    start = time.perf_counter()
    run_simulation(frame, Assumptions(), SimulationSettings(paths=paths, horizon=12))
    print(f"{time.perf_counter() - start:.2f}")


def child_run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def process_ratio(paths: int = 10_000, periods: int = 12, repeats: int = 3) -> None:
    """Case 5: ``portfolio simulate`` as a process against the one-thread draw floor, in wall
    time and in CPU time (on a shared, loaded machine CPU time is the steadier of the two)."""
    demo = demo_accounts_path()
    analysis = analyze(load_file(demo).accounts)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier, start=analysis.facts.as_of)
    key = analysis.accounts[analysis.accounts["tier"] == "Key"].sort_values("score", ascending=False)
    promote = [str(a) for a in key["account_id"].head(8)]
    cpu_start = time.process_time()
    floor = draw_floor(len(frame) * paths * periods, len(frame))
    floor_cpu = (time.process_time() - cpu_start) / 3  # draw_floor runs it 3 times
    print(
        f"Draw floor: {len(frame):,} accounts × {paths:,} paths × {periods} quarters = "
        f"{floor:.2f} s wall (best of 3), {floor_cpu:.2f} s CPU (mean)"
    )
    print("| `portfolio simulate`, demo, baseline + scenario | wall | vs floor | CPU | vs floor |")
    print("|---|---:|---:|---:|---:|")
    for workers in (1, os.cpu_count() or 1):
        command = [sys.executable, "-m", "cli", "simulate", str(demo), "--paths", str(paths)]
        command += ["--horizon", str(periods), "--workers", str(workers), "--promote", *promote]
        runs = [child_run(command) for _ in range(repeats)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        ratios = f"{wall / floor:.2f}× | {cpu:.2f} s | {cpu / floor_cpu:.2f}×"
        print(f"| --workers {workers} | {wall:.2f} s | {ratios} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--process", action="store_true", help="case 5 only: the CLI process vs the floor")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    if args.process:
        process_ratio(1_000 if args.quick else 10_000)
        return

    n_accounts, paths, periods = (1_200, 1_000 if args.quick else 10_000, 12)
    frame, promote = demo_portfolio(n_accounts)
    scenario = Scenario(promote=promote)
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
    )
    print(f"Portfolio: demo, {len(frame):,} accounts with ARR; {paths:,} paths × {periods} quarters\n")

    floor = draw_floor(len(frame) * paths * periods, len(frame))
    print(f"| case | time | vs draw floor ({floor:.2f} s) |")
    print("|---|---:|---:|")
    for label, workers, chosen in (
        ("baseline, 1 worker", 1, None),
        ("baseline + scenario, 1 worker", 1, scenario),
        ("baseline, 2 workers", 2, None),
        ("baseline + scenario, 2 workers", 2, scenario),
    ):
        settings = SimulationSettings(paths=paths, horizon=periods, workers=workers)
        seconds = best_of(3, lambda s=settings, c=chosen: run_simulation(frame, Assumptions(), s, c))
        print(f"| {label} | {seconds:.2f} s | {seconds / floor:.2f}× |")
    preview = SimulationSettings(paths=1_000, horizon=periods, workers=2)
    seconds = best_of(5, lambda: run_simulation(frame, Assumptions(), preview, scenario))
    print(f"| preview: 1,000 paths, baseline + scenario, 2 workers | {seconds * 1000:.0f} ms | |")

    big_accounts, big_paths = (10_000, 100) if args.quick else (100_000, 1_000)
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(big_accounts), str(big_paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cube_gb = big_accounts * big_paths * periods * 4 / 1e9
    print(
        f"\nMemory: {big_accounts:,} accounts × {big_paths:,} paths × {periods} quarters: "
        f"{child.stdout.strip()} s, peak RSS {peak_mb:,.0f} MB "
        f"(the float32 path cube would be {cube_gb:.1f} GB)"
    )


if __name__ == "__main__":
    main()
