"""Saved scenarios on a temporary SQLite file: owner scoping, rename/delete, restart, reports,
schema versions."""

import json
import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portfolio.fingerprint import dataset_fingerprint
from reporting.simulation_report import SCHEMA_VERSION, SimulationReport, histogram, simulation_report
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation
from storage.scenarios import ScenarioStore, _ScenarioRow

V1_REPORT = Path(__file__).parent / "data" / "simulation_report_v1.json"
"""A report as the Strata before schema versions saved it (version 1: no ``schema_version``)."""
OLDER = "This scenario was saved by an older Strata and cannot be shown; run it again."


@pytest.fixture
def store(tmp_path):
    return ScenarioStore(f"sqlite:///{tmp_path / 'scenarios.db'}")


def small_report() -> SimulationReport:
    frame = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "account_name": ["A", "B", "C"],
            "arr": [3e5, 2e5, 1e5],
            "tier": ["Strategic", "Key", "Standard"],
        }
    )
    result = run_simulation(
        frame, Assumptions(), SimulationSettings(paths=200, horizon=4), Scenario(promote=("B",))
    )
    return simulation_report(result)


def test_save_list_get_rename_delete_scoped_to_the_owner(store, tmp_path):
    report = small_report()
    first = store.save("alice", "  Promote   B ", "f" * 64, "demo", {"promote": ["B"]}, report)
    second = store.save("alice", "Baseline only", "f" * 64, "demo", {}, report)
    store.save("bob", "Bob's", "e" * 64, "upload.csv", {}, report)

    assert [s.name for s in store.list("alice")] == ["Baseline only", "Promote B"]
    loaded = store.get("alice", first)
    assert loaded.inputs == {"promote": ["B"]} and loaded.report == report
    assert loaded.problem is None
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
        store.save("alice", name, "f" * 64, "demo", {}, small_report())
    assert store.list("alice") == []


def test_fingerprint_follows_the_data():
    frame = pd.DataFrame({"account_id": ["A", "B"], "arr": [1.0, 2.0]})
    assert dataset_fingerprint(frame) == dataset_fingerprint(frame.copy())
    assert dataset_fingerprint(frame) != dataset_fingerprint(frame.assign(arr=[1.0, 2.5]))
    assert dataset_fingerprint(frame) != dataset_fingerprint(frame.rename(columns={"arr": "x"}))


def test_report_is_json_and_histograms_count_every_path():
    report = small_report()
    assert SimulationReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report
    assert set(report.fan) == {"Baseline", "Scenario"}
    assert len(report.fan["Baseline"].p50) == 5  # today + 4 quarters
    counts = report.ending_histogram.counts
    assert sum(counts["Baseline"]) == sum(counts["Scenario"]) == 200
    assert sum(report.delta_histogram.counts["delta"]) == 200
    # outliers land in the end bins: 0..99 plus one huge value, 10 bins over the 0.5–99.5% range
    spread = histogram({"x": np.append(np.arange(100.0), 1e9)}, bins=10)
    assert sum(spread.counts["x"]) == 101 and spread.counts["x"][-1] >= 1


def _insert_row(store: ScenarioStore, owner: str, name: str, report_json: str) -> int:
    """A row written straight into the table, as an older (or newer) Strata would have."""
    with Session(store.engine) as session, session.begin():
        return session.execute(
            insert(_ScenarioRow).values(
                owner=owner,
                name=name,
                fingerprint="f" * 64,
                data_label="demo",
                inputs="{}",
                report=report_json,
                created=datetime.now(UTC),
            )
        ).inserted_primary_key[0]


def test_the_schema_version_is_saved_inside_the_report_json(store):
    report = replace(small_report(), saved_as="shown as loaded")
    scenario_id = store.save("alice", "x", "f" * 64, "demo", {}, report)
    with Session(store.engine) as session:
        saved = json.loads(session.scalar(select(_ScenarioRow.report)))
    assert saved["schema_version"] == SCHEMA_VERSION == 4
    assert saved["saved_as"] is None  # the name it was loaded under is not part of the results
    assert store.get("alice", scenario_id).report == replace(report, saved_as=None)


def test_a_row_of_the_tier_copying_model_says_run_it_again(store):
    """Rows saved before the treatment-effect model (versions 1 and 2) are listed, can be
    renamed and deleted, and say why their results cannot be shown."""
    v1 = json.loads(V1_REPORT.read_text())
    scenario_id = _insert_row(store, "alice", "From last year", json.dumps(v1))
    loaded = store.get("alice", scenario_id)
    assert loaded.report is None and loaded.problem == OLDER
    assert [s.problem for s in store.list("alice")] == [OLDER]


@pytest.mark.parametrize(
    ("report_json", "problem"),
    [
        # older than version 1 could hold: no chart data
        (
            json.dumps(
                {
                    k: v
                    for k, v in json.loads(V1_REPORT.read_text()).items()
                    if k not in ("fan", "ending_histogram")
                }
            ),
            OLDER,
        ),
        (json.dumps({"settings": {"paths": 100}, "baseline": {}}), OLDER),
        (json.dumps({**json.loads(V1_REPORT.read_text()), "schema_version": 2}), OLDER),
        # version 3: the correlation model, before the portfolio NRR volatility
        (json.dumps({**json.loads(V1_REPORT.read_text()), "schema_version": 3}), OLDER),
        (
            json.dumps({**json.loads(V1_REPORT.read_text()), "schema_version": 5}),
            "This scenario was saved by a newer Strata and cannot be shown here; run it again.",
        ),
        (
            json.dumps({"schema_version": 4, "settings": {}}),
            "This scenario could not be read (its saved results are damaged); run it again.",
        ),
        ("{not json", "This scenario could not be read (its saved results are damaged); run it again."),
        ("[1, 2]", "This scenario could not be read (its saved results are damaged); run it again."),
    ],
)
def test_a_row_that_cannot_be_shown_says_why_instead_of_raising(store, report_json, problem):
    scenario_id = _insert_row(store, "alice", "Unreadable", report_json)
    good = store.save("alice", "Good", "f" * 64, "demo", {}, small_report())
    listed = {s.name: s for s in store.list("alice")}
    assert listed["Unreadable"].report is None and listed["Unreadable"].problem == problem
    assert listed["Good"].report is not None and listed["Good"].problem is None
    assert store.get("alice", scenario_id).problem == problem
    assert store.rename("alice", scenario_id, "Still there") and store.delete("alice", scenario_id)
    assert [s.id for s in store.list("alice")] == [good]


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


def test_names_are_unique_per_owner(store):
    store.save("alice", "Promote five", "f" * 64, "demo", {}, small_report())
    with pytest.raises(ValueError, match="already have a scenario called “promote FIVE”"):
        store.save("alice", "promote FIVE", "f" * 64, "demo", {}, small_report())
    other = store.save("alice", "Other", "f" * 64, "demo", {}, small_report())
    with pytest.raises(ValueError, match="choose another name"):
        store.rename("alice", other, "Promote five")
    assert store.rename("alice", other, "other")  # its own name in another case is fine
    assert store.save("bob", "Promote five", "f" * 64, "demo", {}, small_report())  # another owner


def test_delete_many_is_one_statement_scoped_and_capped(store):
    """Security re-test N2: 100,000 ids ran one transaction each (a worker timed out). Now one
    DELETE for all the ids, only the owner's rows, and at most MAX_DELETE ids a request."""
    from sqlalchemy import event

    from storage.scenarios import MAX_DELETE

    report = small_report()
    mine = [store.save("alice", f"S{i}", "f" * 64, "demo", {}, report) for i in range(3)]
    bobs = store.save("bob", "Bob's", "e" * 64, "demo", {}, report)
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert store.delete_many("alice", [mine[0], mine[1], bobs, 99_999]) == 2
    assert [s for s in statements if s.lstrip().upper().startswith("DELETE")] == [statements[0]]
    assert len(statements) == 1
    assert [s.id for s in store.list("alice")] == [mine[2]] and store.get("bob", bobs) is not None
    with pytest.raises(ValueError, match=r"delete at most 1,000 scenarios at a time \(1,001 selected\)"):
        store.delete_many("alice", range(mine[2], mine[2] + MAX_DELETE + 1))
    assert [s.id for s in store.list("alice")] == [mine[2]]  # nothing deleted
    assert store.delete_many("alice", []) == 0
