"""Load test: simulated users against ``gunicorn app:server -w 2`` on loopback, bounded in time.

Each user has its own cookie jar (its own session) and loops: load the Overview page (HTML,
layout, dependencies, then the page's callback), move the tier thresholds a few times (the
Overview callback with new what-if settings: analysis + KPIs + figures), and now and then upload
a small CSV through the Data page's callback and go back to the demo. Requests go through Dash's
real HTTP endpoints, as the browser sends them.

Run: ``.venv/bin/python benchmarks/load_test.py [--users 50] [--seconds 60] [--think 1]``
(``--think 0``: no pause between a user's actions, the saturation case); ``--signed-in``: a
users file with one user per simulated user, each signing in with HTTP basic auth (as a
deployment off loopback must); with ``REDIS_URL`` set the server keeps its sessions in that
Redis. Prints requests, throughput, p50/p95/max latency per kind and the error count. The
client runs on the same 2-core machine as the server, so it competes with it for CPU.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from portfolio.whatif import DEFAULT_SETTINGS

ROOT = Path(__file__).resolve().parents[1]
UPLOAD = "account_id,account_name,arr,arr_prior\n" + "".join(
    f"L{i},Load test {i},{1000 + 37 * i},{900 + 41 * i}\n" for i in range(200)
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def callback_payload(
    dependencies: list[dict], output_part: str, changed: str, values: dict[str, object]
) -> dict:
    """A ``_dash-update-component`` body for the callback whose output names ``output_part``
    and that ``changed`` ("id.property") triggers. ``values`` gives its inputs' and states'
    values by "id.property", listed in the order the app declares them; a pattern-matched
    one that is not given matches no component on the page (an empty list)."""
    spec = next(
        d
        for d in dependencies
        if output_part in d["output"] and changed in (f"{i['id']}.{i['property']}" for i in d["inputs"])
    )
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1]} for o in spec["output"].strip(".").split("...")
    ]

    def listed(dependencies: list[dict]) -> list:
        return [
            {**d, "value": values[f"{d['id']}.{d['property']}"]}
            if f"{d['id']}.{d['property']}" in values
            else []
            for d in dependencies
        ]

    return {
        "output": spec["output"],
        "outputs": outputs,
        "inputs": listed(spec["inputs"]),
        "changedPropIds": [changed],
        "state": listed(spec.get("state", [])),
    }


class User(threading.Thread):
    def __init__(
        self, url: str, stop_at: float, results: dict, seed: int, think: float, auth: tuple | None
    ) -> None:
        super().__init__(daemon=True)
        self.url, self.stop_at, self.results, self.think = url, stop_at, results, think
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.http.auth = auth

    def timed(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        start = time.perf_counter()
        try:
            response = self.http.request(method, self.url + path, timeout=30, **kwargs)
            ok = response.status_code == 200
        except requests.RequestException as exc:
            response, ok = None, False
            self.results["reasons"].append(type(exc).__name__)
        if response is not None and not ok:
            self.results["reasons"].append(f"HTTP {response.status_code}")
        self.results[kind].append((time.perf_counter() - start, ok))
        return response

    def overview(self, settings: dict, version: int) -> None:
        body = callback_payload(
            self.dependencies,
            "overview-kpis",
            "app-settings.data",
            {"app-settings.data": settings, "app-data-version.data": version},
        )
        self.timed("what-if change", "POST", "/_dash-update-component", json=body)

    def page_load(self) -> None:
        start = time.perf_counter()
        ok = True
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            response = self.timed("page load (part)", "GET", path)
            ok = ok and response is not None and response.status_code == 200
            if path == "/_dash-dependencies" and ok:
                self.dependencies = response.json()
        if ok:
            self.overview(SETTINGS, 0)
        self.results["page load"].append((time.perf_counter() - start, ok))

    def upload(self) -> None:
        contents = "data:text/csv;base64," + base64.b64encode(UPLOAD.encode()).decode()
        body = callback_payload(
            self.dependencies,
            "data-report",
            "data-upload.contents",
            {
                "data-upload.contents": contents,
                "data-upload.filename": "load.csv",
                "app-data-version.data": 0,
            },
        )
        response = self.timed("upload", "POST", "/_dash-update-component", json=body)
        if response is not None and response.status_code == 200 and "200 accounts" not in response.text:
            self.results["upload"][-1] = (self.results["upload"][-1][0], False)

    def pause(self) -> None:
        """A person's pause between actions: ``think`` seconds on average (uniform ±50%)."""
        if self.think:
            time.sleep(self.random.uniform(0.5, 1.5) * self.think)

    def run(self) -> None:
        while time.perf_counter() < self.stop_at:
            self.page_load()
            for _ in range(3):
                self.pause()
                key = self.random.randint(30, 60)
                self.overview({**SETTINGS, "thresholds": [key, self.random.randint(key + 5, 90)]}, 0)
            if self.random.random() < 0.2:
                self.pause()
                self.upload()
                self.overview(SETTINGS, 1)
            self.pause()


SETTINGS = DEFAULT_SETTINGS  # what the browser's settings store holds on a first visit


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def signed_in_users(count: int, users_file: Path) -> list[tuple[str, str] | None]:
    """Write a users file with ``count`` users; their (name, password) pairs."""
    from werkzeug.security import generate_password_hash

    logins = [(f"load{i}", f"load-test-password-{i}") for i in range(count)]
    users_file.write_text("".join(f"{n}:{generate_password_hash(p)}\n" for n, p in logins))
    return list(logins)


def wait_until_up(url: str, auth: tuple[str, str] | None, log: Path) -> None:
    deadline = time.perf_counter() + 60
    while True:
        try:
            if requests.get(url, timeout=2, auth=auth).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.perf_counter() > deadline:
            sys.exit(f"gunicorn did not answer within 60 s (its log: {log})")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's actions, seconds (0: none)"
    )
    parser.add_argument("--signed-in", action="store_true", help="one user each, HTTP basic auth")
    args = parser.parse_args()
    port = free_port()
    work = tempfile.mkdtemp(prefix="strata-load-")
    env = {**os.environ, "STRATA_CACHE_DIR": work, "STRATA_DATABASE_URL": f"sqlite:///{work}/scenarios.db"}
    env.pop("STRATA_USERS_FILE", None)
    logins: list[tuple[str, str] | None] = [None] * args.users
    if args.signed_in:
        logins = signed_in_users(args.users, Path(work) / "users")
        env["STRATA_USERS_FILE"] = str(Path(work) / "users")
    log = Path(work) / "gunicorn.log"  # a file, not a pipe nobody reads (a full pipe blocks it)
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "app:server",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, logins[0], log)
        results: dict[str, list] = defaultdict(list)
        stop_at = time.perf_counter() + args.seconds
        users = [User(url, stop_at, results, seed, args.think, logins[seed]) for seed in range(args.users)]
        started = time.perf_counter()
        for user in users:
            user.start()
            time.sleep(0.05)  # ramp up over ~2.5 s
        for user in users:
            user.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"{args.users} users{' signed in' if args.signed_in else ''}, think time {args.think:g} s, "
        f"{elapsed:.0f} s, gunicorn -w 2 on loopback (client on the same machine)"
    )
    print("| request | count | per second | p50 ms | p95 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total_errors = 0
    for kind in ("page load", "what-if change", "upload", "page load (part)"):
        rows = results.get(kind, [])
        if not rows:
            continue
        times = [1000 * t for t, _ in rows]
        errors = sum(not ok for _, ok in rows)
        total_errors += errors if kind != "page load (part)" else 0
        print(
            f"| {kind} | {len(rows):,} | {len(rows) / elapsed:.1f} | {percentile(times, 50):.0f} "
            f"| {percentile(times, 95):.0f} | {max(times):.0f} | {errors} |"
        )
    print(f"errors: {total_errors}")
    reasons = results.get("reasons", [])
    if reasons:
        print("error kinds:", {r: reasons.count(r) for r in set(reasons)})


if __name__ == "__main__":
    main()
