"""The README's back-test table: `portfolio backtest FILE --json` on the demo and every file in
../shared/real-data, as a Markdown table on stdout.

    .venv/bin/python benchmarks/backtest_table.py [--paths N] [--seed S]

Run from the repository's root (it calls ``python -m cli`` with this interpreter).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "real-data"
FIGURES = (("nrr", "NRR"), ("grr", "GRR"), ("arr_churn", "ARR churn"))


def files() -> list[Path]:
    real = sorted(p for p in REAL_DATA.glob("*") if p.suffix.lower() in (".csv", ".xlsx", ".tsv"))
    return [ROOT / "data" / "demo_accounts.csv", *real]


def backtest(path: Path, paths: int, seed: int) -> dict:
    command = [sys.executable, "-m", "cli", "backtest", str(path), "--json"]
    command += ["--paths", str(paths), "--seed", str(seed)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return json.loads(done.stdout)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def mark(checks: list[dict]) -> str:
    if not checks:
        return "–"
    failed = [c["name"] for c in checks if not c["passed"]]
    return "pass" if not failed else "**fail**: " + "; ".join(failed)


def rows(name: str, result: dict) -> list[str]:
    """Markdown rows of one file: each overall figure, then its tiers' checks in one row."""
    if "error" in result:
        return [f"| {name} | – | – | – | – | error: {result['error']['message']} |"]
    checks = result["targets"]["checks"]
    out = []
    for key, label in FIGURES:
        band = result["simulated"][key]
        simulated = f"{pct(band['p5'])} – {pct(band['p50'])} – {pct(band['p95'])}"
        mine = [c for c in checks if c["figure"] == key and c["tier"] is None]
        first = f"{name} | {result['mode']}" if key == "nrr" else " | "
        out.append(f"| {first} | {label} | {pct(result['observed'][key])} | {simulated} | {mark(mine)} |")
    tiers = [c for c in checks if c["tier"] is not None]
    passed = sum(c["passed"] for c in tiers)
    summary = f"{passed} of {len(tiers)} pass" if tiers else "no tier with 30+ accounts"
    failed = [c["name"] for c in tiers if not c["passed"]]
    out.append(
        f"|  |  | tiers (30+ accounts) |  |  | {summary}{'; fail: ' + ', '.join(failed) if failed else ''} |"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    lines = [
        "| file | mode | figure | observed | simulated P5 – P50 – P95 | target |",
        "|---|---|---|---:|---:|---|",
    ]
    for path in files():
        lines += rows(path.name, backtest(path, args.paths, args.seed))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
