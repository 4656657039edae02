"""CPU time of the Tiers page's callback for one what-if threshold move at 10,000 accounts.

Builds the app (its own cache directory and database), keeps ``generate_demo(10_000, seed=7)``
as a session's data, shows the page once, then moves the Key threshold nine times (50, 51, …)
and reports the median and least process time of ``update_tiers`` (ms): the server's part of a
threshold move on the Tiers page, less noisy than wall time on a shared machine.

Run: .venv/bin/python benchmarks/bench_tiers_callback.py
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import create_app, state
from portfolio.demo import generate_demo
from portfolio.ingest import load_file
from portfolio.whatif import DEFAULT_SETTINGS


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(cache_dir=folder, database_url=f"sqlite:///{folder}/scenarios.db")
        tiers = importlib.import_module("dashboard.pages.tiers")
        path = Path(folder) / "accounts.csv"
        generate_demo(10_000, seed=7).to_csv(path, index=False)
        accounts = load_file(path).accounts
        with app.server.test_request_context("/"):
            app.server.preprocess_request()
            state.save_data(accounts, {"source": path.name, "notes": []})
            tiers.update_tiers({**DEFAULT_SETTINGS, "thresholds": [49, 70]}, 1)
            times = []
            for key in range(50, 59):
                start = time.process_time()
                tiers.update_tiers({**DEFAULT_SETTINGS, "thresholds": [key, 70]}, 1)
                times.append((time.process_time() - start) * 1000)
    print(
        f"update_tiers, 10,000 accounts: median {statistics.median(times):.1f} ms CPU, least {min(times):.1f}"
    )


if __name__ == "__main__":
    main()
