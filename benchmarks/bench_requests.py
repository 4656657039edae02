"""Server time of what a user does on 100,000 accounts, as the app answers it (issues 14, 16).

The app is built as ``app.py`` builds it (session store on disk, the worker's memo of results,
:mod:`storage.memo`); a session uploads 100,000 demo accounts (read as an upload reads them);
then each request runs the page's own callbacks in that session's request context:

* **first page after the upload**: the Overview with nothing kept yet (the data read from the
  session store, scored, analysed, drawn);
* **page change**: the Overview again (everything kept);
* **threshold move**: the Overview under new thresholds (data kept; scored and analysed again);
* **segment filter**, **convention switch**, **tier-basis switch**: what the switch's callbacks
  do (the settings kept server-side, then the page redrawn: Overview for a filter, Retention for
  the others) with the data and the tiers kept from the page already on screen;
* **drill-down**: a chart click's two requests (the modal opening, its first block of rows)
  on a page already drawn;
* **grid**: one block of 100 rows of the Data page's grid (at row 50,000; sorted by name;
  a search).

Each figure is the median of ``--runs`` (CPU / wall milliseconds); before each run the
session's memo is emptied and warmed with what the page on screen already holds, so no run
is answered from a previous run's result.

Run: .venv/bin/python benchmarks/bench_requests.py [--accounts 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from dashboard import create_app, state
from dashboard.drilldown import drill_rows, open_modal
from dashboard.whatif import analyze_session, history_session
from portfolio.demo import generate_demo
from portfolio.ingest import load_bytes
from portfolio.ingest.columnar import load_large_file

BLOCK = {"startRow": 0, "endRow": 100}


def median_ms(run: Callable[[], object], prepare: Callable[[], object], runs: int) -> str:
    """Median CPU / wall milliseconds of ``run()``, each after ``prepare()`` (not timed)."""
    cpu, wall = [], []
    for _ in range(runs):
        prepare()
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return f"{1000 * statistics.median(cpu):.0f} / {1000 * statistics.median(wall):.0f}"


class Session:
    """One browser session of the app, with ``upload`` loaded as the Data page accepts a file."""

    def __init__(self, upload) -> None:
        folder = tempfile.mkdtemp(prefix="strata-bench-")
        self.server = create_app(cache_dir=folder, database_url=f"sqlite:///{folder}/scenarios.db").server
        self.memo = self.server.extensions["strata_memo"]
        with self.server.test_request_context("/"):
            self.server.preprocess_request()
            self.sid = state.session_id()
            self.cookie = state.cookie_value(self.server.extensions["strata_cookie_key"], self.sid, None)
            import_module("dashboard.pages.data").accept(upload, "bench.csv")
            self.settings = state.current_settings()

    @contextlib.contextmanager
    def request(self):
        """A callback request's context in this session."""
        headers = {"Cookie": f"{state.COOKIE}={self.cookie}"}
        with self.server.test_request_context("/_dash-update-component", headers=headers):
            self.server.preprocess_request()
            yield

    def run(self, fn: Callable[[], object]) -> Callable[[], object]:
        def in_request():
            with self.request():
                return fn()

        return in_request

    def empty(self) -> None:
        self.memo.forget(self.sid)

    def on_screen(self) -> None:
        """Empty the memo, then keep what a page drawn under the session's settings holds."""
        self.memo.forget(self.sid)
        with self.request():
            analyze_session(self.settings)
            history_session(self.settings)
            state.save_settings(self.settings)


def requests(session: Session) -> list[tuple[str, Callable[[], object], Callable[[], None]]]:
    """(label, the request's callbacks, what precedes it) for every measured request."""
    overview = import_module("dashboard.pages.overview")
    retention = import_module("dashboard.pages.retention")
    data_page = import_module("dashboard.pages.data")
    base, ready = session.settings, session.on_screen
    thresholds = iter([[40 + i % 10, 60 + i // 10] for i in range(400)])  # never one seen before
    rows = [
        ("first page after the upload (Overview)", lambda: overview.update_overview(base, 1), session.empty),
        ("page change (Overview, all kept)", lambda: overview.update_overview(base, 1), ready),
        (
            "threshold move (Overview)",
            lambda: overview.update_overview({**base, "thresholds": next(thresholds)}, 1),
            ready,
        ),
        (
            "segment filter: Segment = Enterprise (Overview)",
            lambda: overview.update_overview({**base, "filter": {"segment": ["Enterprise"]}}, 1),
            ready,
        ),
    ]
    for name, value, offered in (
        ("convention", "reactivation_as_expansion", retention.set_convention),
        ("convention", "renewal_base", retention.set_convention),
        ("tier_basis", "scorecard", retention.set_tier_basis),
    ):
        switched = {**base, name: value}
        rows.append(
            (
                f"{name.replace('_', ' ')} switch to {value} (Retention)",
                lambda v=value, f=offered, s=switched: (
                    f(v, base),
                    retention.update_retention(s, 1, "All", "tier"),
                ),
                ready,
            )
        )
    for label, selection in DRILLS.items():
        rows.append(
            (
                f"drill-down: {label}",
                lambda s=selection: (open_modal(s, base), drill_rows(BLOCK, s, base)),
                ready,
            )
        )
    for label, (request, search) in GRIDS.items():
        rows.append((label, lambda r=request, s=search: data_page.grid_rows(r, s, base), ready))
    return rows


DRILLS = {
    "tier bar (Standard)": {"chart": "tier-distribution", "key": "Standard"},
    "retention bar (Standard)": {"chart": "retention-by-tier", "key": "Standard"},
    "bridge bar (Ending ARR)": {"chart": "arr-bridge", "key": {"tier": "All", "step": "Ending ARR"}},
    "Pareto point (80% of accounts)": {"chart": "pareto", "key": 0.8},
    "action list (renewing within 180 days)": {"chart": "action-list", "key": "renewal-180"},
}
GRIDS = {
    "grid: a block at row 50,000": ({"startRow": 50_000, "endRow": 50_100}, None),
    "grid: sorted by name, at row 50,000": (
        {"startRow": 50_000, "endRow": 50_100, "sortModel": [{"colId": "account_name", "sort": "asc"}]},
        None,
    ),
    "grid: search 'summit'": (BLOCK, "summit"),
    "grid: search 'emea' (a region)": (BLOCK, "emea"),
}


def history_requests(session: Session) -> list[tuple[str, Callable[[], object], Callable[[], None]]]:
    """The Trends page after a convention switch, in a session holding a revenue history."""
    trends = import_module("dashboard.pages.trends")
    retention = import_module("dashboard.pages.retention")
    base = session.settings
    switched = {**base, "convention": "reactivation_as_expansion"}
    return [
        ("Trends page, all kept", lambda: trends.update_trends(base, 1), session.on_screen),
        (
            "convention switch to reactivation_as_expansion (Trends)",
            lambda: (
                retention.set_convention(switched["convention"], base),
                trends.update_trends(switched, 1),
            ),
            session.on_screen,
        ),
    ]


def history_upload(lines: int, accounts: int):
    """A synthetic revenue history (``bench_trends.synthetic_lines``, 3 years) read as a server
    file is (``STRATA_DATA_DIR``: the columnar reader)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_trends import synthetic_lines

    path = Path(tempfile.mkdtemp(prefix="strata-bench-")) / "orders.parquet"
    synthetic_lines(lines, accounts, 3).rename(columns={"date": "order_date"}).to_parquet(path)
    return load_large_file(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--history-lines", type=int, default=2_000_000, help="0: no revenue history part")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    csv = generate_demo(args.accounts, seed=7).to_csv(index=False).encode()
    session = Session(load_bytes(csv, "bench.csv"))  # as an upload reads it
    print(f"{args.accounts:,} accounts, median of {args.runs}, CPU / wall ms")
    for label, fn, prepare in requests(session):
        print(f"  {label:<58} {median_ms(session.run(fn), prepare, args.runs):>12}")
    if args.history_lines:
        history = Session(history_upload(args.history_lines, args.accounts))
        with history.request():
            shape = state.current_data()[0].shape
        print(f"revenue history: {args.history_lines:,} lines, {shape[0]:,} accounts")
        for label, fn, prepare in history_requests(history):
            print(f"  {label:<58} {median_ms(history.run(fn), prepare, args.runs):>12}")


if __name__ == "__main__":
    main()
