"""Saved scenarios on a temporary SQLite file: owner scoping, rename/delete, restart, reports."""

import json
import multiprocessing

import numpy as np
import pandas as pd
import pytest

from portfolio.fingerprint import dataset_fingerprint
from reporting.simulation_report import histogram, simulation_report
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation
from storage.scenarios import ScenarioStore


@pytest.fixture
def store(tmp_path):
    return ScenarioStore(f"sqlite:///{tmp_path / 'scenarios.db'}")


def small_report() -> dict:
    frame = pd.DataFrame({"account_id": ["A", "B", "C"], "account_name": ["A", "B", "C"],
                          "arr": [3e5, 2e5, 1e5], "tier": ["Strategic", "Key", "Standard"]})
    result = run_simulation(frame, Assumptions(), SimulationSettings(paths=200, horizon=4),
                            Scenario(promote=("B",)))
    return simulation_report(result)


def test_save_list_get_rename_delete_scoped_to_the_owner(store, tmp_path):
    report = small_report()
    first = store.save("alice", "  Promote   B ", "f" * 64, "demo", {"promote": ["B"]}, report)
    second = store.save("alice", "Baseline only", "f" * 64, "demo", {}, report)
    store.save("bob", "Bob's", "e" * 64, "upload.csv", {}, report)

    assert [s.name for s in store.list("alice")] == ["Baseline only", "Promote B"]
    loaded = store.get("alice", first)
    assert loaded.inputs == {"promote": ["B"]} and loaded.report == json.loads(json.dumps(report))
    assert loaded.created.tzinfo is not None
    assert store.get("bob", first) is None  # not Bob's
    assert not store.rename("bob", first, "hijack") and not store.delete("bob", first)

    assert store.rename("alice", first, "Promote Beta")
    assert store.get("alice", first).name == "Promote Beta"
    assert store.delete("alice", second)
    assert [s.id for s in store.list("alice")] == [first]

    reopened = ScenarioStore(f"sqlite:///{tmp_path / 'scenarios.db'}")  # an app restart
    assert [s.name for s in reopened.list("alice")] == ["Promote Beta"]
    assert [s.name for s in reopened.list("bob")] == ["Bob's"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_names_are_required_and_bounded(store, name):
    with pytest.raises(ValueError, match="name"):
        store.save("alice", name, "f" * 64, "demo", {}, {})
    assert store.list("alice") == []


def test_fingerprint_follows_the_data():
    frame = pd.DataFrame({"account_id": ["A", "B"], "arr": [1.0, 2.0]})
    assert dataset_fingerprint(frame) == dataset_fingerprint(frame.copy())
    assert dataset_fingerprint(frame) != dataset_fingerprint(frame.assign(arr=[1.0, 2.5]))
    assert dataset_fingerprint(frame) != dataset_fingerprint(frame.rename(columns={"arr": "x"}))


def test_report_is_json_and_histograms_count_every_path():
    report = small_report()
    json.dumps(report)  # JSON-ready
    assert set(report["fan"]) == {"Baseline", "Scenario"}
    assert len(report["fan"]["Baseline"]["p50"]) == 5  # today + 4 quarters
    counts = report["ending_histogram"]["counts"]
    assert sum(counts["Baseline"]) == sum(counts["Scenario"]) == 200
    assert sum(report["delta_histogram"]["counts"]["delta"]) == 200
    # outliers land in the end bins: 0..99 plus one huge value, 10 bins over the 0.5–99.5% range
    spread = histogram({"x": np.append(np.arange(100.0), 1e9)}, bins=10)
    assert sum(spread["counts"]["x"]) == 101 and spread["counts"]["x"][-1] >= 1


def _open_store(url: str, barrier) -> None:
    barrier.wait()
    ScenarioStore(url)


def test_processes_starting_together_on_a_fresh_database_all_open_it(tmp_path):
    """gunicorn -w 2 on a new deployment: every worker creates the table at the same moment."""
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        url = f"sqlite:///{tmp_path / f'fresh{attempt}.db'}"
        barrier = context.Barrier(4)
        workers = [context.Process(target=_open_store, args=(url, barrier)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]
