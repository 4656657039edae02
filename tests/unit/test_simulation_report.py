"""The typed simulation report (reporting.simulation_report) and the Simulator page's pure helpers
(reporting.simulator): round trips, the CLI layout, schema versions, tables and sentences."""

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from reporting import simulator
from reporting.simulation_report import (
    SCHEMA_VERSION,
    Distribution,
    SimulationReport,
    UnreadableReport,
    simulation_report,
)
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation

V1_REPORT = Path(__file__).parent / "data" / "simulation_report_v1.json"
V1_ACCOUNTS = pd.DataFrame({
    "account_id": ["A", "B", "C", "D", "E", "F"],
    "account_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
    "arr": [500.0, 250.0, 150.0, 75.0, 25.0, 10.0],
    "arr_prior": [400.0, 300.0, 0.0, 75.0, 50.0, 12.0],
})
"""The accounts the version-1 fixture was run on: ``simulate(V1_ACCOUNTS, None, {"horizon": 4},
["B", "C", "D"], 200)`` with the Strata of before the typed report."""
FRAME = pd.DataFrame({"account_id": ["A", "B", "C"], "account_name": ["A", "B", "C"],
                      "arr": [3e5, 2e5, 1e5], "tier": ["Strategic", "Key", "Standard"]})


@pytest.fixture(scope="module")
def result():
    return run_simulation(FRAME, Assumptions(), SimulationSettings(paths=200, horizon=4),
                          Scenario(promote=("B",)))


@pytest.fixture(scope="module")
def report(result):
    return simulation_report(result)


@pytest.fixture(scope="module")
def baseline_only():
    return simulation_report(run_simulation(FRAME, Assumptions(),
                                            SimulationSettings(paths=100, horizon=4)))


def test_round_trip_through_json_is_exact_and_the_report_is_frozen(report, baseline_only):
    for r in (report, baseline_only):
        data = r.to_dict()
        assert data["schema_version"] == SCHEMA_VERSION
        assert SimulationReport.from_dict(json.loads(json.dumps(data))) == r
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.headline = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.baseline.ending_arr.mean = 0.0


def test_figures_are_the_simulation_results(result, report):
    """The typed report carries exactly the figures of SimulationResult.to_dict(), so the CLI's
    --json layout (summary_dict) is what it printed before the typed report."""
    assert report.summary_dict() == {**result.to_dict(), "headline": result.headline()}
    assert list(report.summary_dict()) == ["settings", "correlation", "baseline", "ending_arr",
                                           "scenario", "comparison", "delta", "headline"]
    assert report.target is report.scenario and report.delta is report.comparison.delta
    assert report.scenario.promote == ("B",) and report.scenario.demote == ()
    assert report.variant("Baseline") is report.baseline
    assert report.comparison.delta.mean == pytest.approx(
        report.scenario.ending_arr.mean - report.baseline.ending_arr.mean, rel=1e-6)


def test_a_baseline_alone_has_no_scenario_parts(baseline_only):
    r = baseline_only
    assert r.scenario is None and r.comparison is None and r.delta is None
    assert r.delta_histogram is None and r.target is r.baseline and set(r.fan) == {"Baseline"}
    assert set(r.summary_dict()) == {"settings", "correlation", "baseline", "ending_arr", "headline"}
    with pytest.raises(KeyError):
        r.variant("Scenario")


def test_version_1_converts_to_the_report_todays_code_computes():
    """A version-1 dict saved by the Strata before the typed report reads back as the same
    report this Strata computes for the same inputs (same seed, same numbers)."""
    v1 = json.loads(V1_REPORT.read_text())
    again = simulator.simulate(V1_ACCOUNTS, None, {"horizon": 4}, ["B", "C", "D"], 200)
    assert SimulationReport.from_dict(v1) == again


@pytest.mark.parametrize(("data", "reason"), [
    ([1, 2], "damaged"),
    ({"schema_version": "2"}, "damaged"),
    ({"schema_version": 0}, "damaged"),
    ({"schema_version": True}, "damaged"),
    ({"schema_version": SCHEMA_VERSION + 1}, "newer"),
    ({"schema_version": SCHEMA_VERSION, "settings": {}}, "damaged"),
    ({"settings": {"paths": 10}}, "older"),  # version 1 without what version 2 needs
])
def test_unreadable_layouts_raise_one_error_with_a_sentence_for_the_user(data, reason):
    with pytest.raises(UnreadableReport) as caught:
        SimulationReport.from_dict(data)
    assert caught.value.reason == reason and isinstance(caught.value, ValueError)
    assert caught.value.message("This scenario").startswith("This scenario ")
    assert caught.value.message().endswith("run it again.")


def test_distribution_reads_its_own_fields_only():
    values = {"p5": 1.0, "p25": 2.0, "p50": 3.0, "p75": 4.0, "p95": 5.0, "mean": 3.1}
    assert Distribution.from_dict({**values, "extra": 9}).to_dict() == values


def test_result_cards_staffing_rows_and_return_sentence(report, baseline_only):
    cards = simulator.result_kpis(report)
    assert [c[0] for c in cards] == ["Expected ARR at the horizon", "Scenario − baseline",
                                     "NRR / GRR over the horizon", "Lose a top-10 account"]
    assert "after 4 quarters" in cards[0][2] and "of paths" in cards[1][2]
    assert [c[0] for c in simulator.result_kpis(baseline_only)][1] == "NRR / GRR over the horizon"

    rows = simulator.staffing_rows(report)
    assert [r[""] for r in rows] == ["Baseline", "Scenario"]
    assert [r["strategic accounts"] for r in rows] == [1, 2]
    assert [r["SAMs"] for r in rows] == ["1", "1"]  # 2 strategic accounts still need one SAM

    assert simulator.return_text(baseline_only) == "No scenario: tick accounts to compare."
    assert simulator.return_text(report) == "The scenario adds no SAMs."
    hiring = dataclasses.replace(report, comparison=dataclasses.replace(
        report.comparison, added_sams=2.0, added_cost=360_000.0, return_on_sams=-0.5))
    text = simulator.return_text(hiring)
    assert text.startswith("2 more SAM(s) at $180,000/year cost $360,000 over the horizon")
    assert text.endswith("return -50%.")


def test_run_label_says_preview_or_full_run(report):
    assert simulator.run_label(report) == (False, "Full run: 200 paths, seed 20261122")
    preview = dataclasses.replace(report, settings=dataclasses.replace(report.settings,
                                                                       paths=1_000))
    assert simulator.run_label(preview) == (True, "Preview: 1,000 paths, seed 20261122")


def saved(id_, name, report, fingerprint="f", problem=None):
    return SimpleNamespace(id=id_, name=name, report=report, fingerprint=fingerprint,
                           data_label="demo.csv", problem=problem,
                           created=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))


def test_saved_rows_and_load_messages(report):
    unreadable = saved(2, "Old", None, problem="This scenario was saved by an older Strata …")
    rows = simulator.saved_rows([saved(1, "Mine", report), unreadable], "f")
    assert rows[0] == {"id": 1, "name": "Mine", "created": "2026-01-02 03:04 UTC",
                       "data": "demo.csv · this data", "summary": report.headline}
    assert rows[1]["summary"] == unreadable.problem
    assert simulator.load_message(saved(1, "Mine", report), "f") == (
        "ok", "Loaded “Mine”: its saved results are shown.")
    level, text = simulator.load_message(saved(1, "Mine", report), "g")
    assert level == "warning" and "was run on other data (demo.csv, 2026-01-02 03:04 UTC)" in text
    assert simulator.load_message(unreadable, "f") == ("problem", unreadable.problem)


def test_compare_puts_scenarios_side_by_side_and_says_what_it_left_out(report, baseline_only):
    items = [saved(1, "Promote B", report), saved(2, "Base", baseline_only, fingerprint="g"),
             saved(3, "Old", None, problem="cannot be shown")]
    table, note = simulator.compare(items, chosen=6, shown=4, current_fingerprint="f")
    assert list(table.columns) == ["Promote B (#1)", "Base (#2)"]
    assert table.loc["promoted / demoted"].tolist() == ["1 / 0", "0 / 0"]
    assert table.loc["data"].tolist() == ["demo.csv", "demo.csv (other data)"]
    assert table.loc["paths × horizon"].tolist() == ["200 × 4 quarters", "100 × 4 quarters"]
    assert table.loc["Δ vs baseline (mean)", "Base (#2)"] == "–"
    assert table.loc["SAMs added"].tolist() == ["0", "0"]
    assert note == "Showing the first 4 of 6 selected. “Old”: cannot be shown"
