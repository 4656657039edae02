"""The typed simulation report (reporting.simulation_report) and the Simulator page's pure helpers
(reporting.simulator): round trips, the CLI layout, schema versions, tables and sentences."""

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
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
from simulation.engine import antithetic_partner

V1_REPORT = Path(__file__).parent / "data" / "simulation_report_v1.json"
V1_ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D", "E", "F"],
        "account_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
        "arr": [500.0, 250.0, 150.0, 75.0, 25.0, 10.0],
        "arr_prior": [400.0, 300.0, 0.0, 75.0, 50.0, 12.0],
    }
)
"""The accounts the version-1 fixture was run on: ``simulate(V1_ACCOUNTS, None, {"horizon": 4},
["B", "C", "D"], 200)`` with the Strata of before the typed report."""
FRAME = pd.DataFrame(
    {
        "account_id": ["A", "B", "C"],
        "account_name": ["A", "B", "C"],
        "arr": [3e5, 2e5, 1e5],
        "tier": ["Strategic", "Key", "Standard"],
    }
)


@pytest.fixture(scope="module")
def result():
    return run_simulation(
        FRAME, Assumptions(), SimulationSettings(paths=200, horizon=4), Scenario(promote=("B",))
    )


@pytest.fixture(scope="module")
def report(result):
    return simulation_report(result)


@pytest.fixture(scope="module")
def baseline_only():
    return simulation_report(run_simulation(FRAME, Assumptions(), SimulationSettings(paths=100, horizon=4)))


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
    """The typed report's figures are the statistics of the result's path arrays; the CLI's
    --json layout (summary_dict) has the keys the README documents, in order."""
    summary = report.summary_dict()
    assert list(summary) == [
        "settings",
        "nrr_volatility",
        "nrr_volatility_source",
        "assumptions",
        "treatment",
        "baseline",
        "move",
        "scenario",
        "delta",
        "economics",
        "required_sams_change",
        "ending_arr",
        "annual",
        "mc_error",
        "headline",
    ]
    assert set(summary["delta"]) >= {"mean", "p5", "p95", "prob_better", "move", "staffing"}
    assert set(summary["economics"]) >= {"added_sams", "released_sams", "sam_cost", "npv", "payback_years"}
    assert set(summary["mc_error"]) == {"ending_arr_mean", "delta_mean", "prob_better", "npv_mean"}
    assert set(summary["annual"]["nrr"]) >= {"p5", "p50", "p95"}
    assert summary["treatment"] == {**result.treatment.to_dict(), "sentence": result.treatment.sentence()}
    assert summary["settings"]["paths"] == result.settings.paths == 200
    assert summary["headline"] == report.headline == result.headline()

    c, comparison = result.comparison, report.comparison
    paths = result.settings.paths
    assert comparison.delta.mean == c.delta.mean()
    assert comparison.delta.p5 == np.percentile(c.delta, 5)
    assert comparison.delta.prob_better == (c.delta > 0).mean() == c.prob_better
    assert comparison.move.mean == c.move_delta.mean()
    assert comparison.staffing.p95 == np.percentile(c.staffing_delta, 95)
    assert comparison.economics.npv.mean == c.npv.mean()
    assert comparison.economics.npv_move.p50 == np.percentile(c.move_npv, 50)
    assert comparison.economics.payback_years == c.payback_years
    # Monte Carlo errors on the antithetic pairs' means: sd(pair means) / √pairs
    partner = antithetic_partner(paths)
    first = np.flatnonzero(np.arange(paths) < partner)
    assert len(first) == 96  # 200 paths: blocks of 64, 64, 64 paired; the last 8 have no partner

    def pair_error(values: np.ndarray) -> float:
        return ((values[first] + values[partner[first]]) / 2).std(ddof=1) / np.sqrt(len(first))

    assert comparison.delta_error == pair_error(c.delta)
    assert comparison.prob_better_error == pair_error((c.delta > 1e-7 * c.start_arr).astype(float))
    for variant, outcome in ((report.baseline, result.baseline), (report.scenario, result.scenario)):
        assert variant.name == outcome.name and variant.start_arr == outcome.start_arr
        assert variant.ending_arr.mean == outcome.ending_arr.mean()
        assert variant.ending_arr.p95 == np.percentile(outcome.ending_arr, 95)
        assert variant.nrr.p50 == np.percentile(outcome.nrr, 50)
        assert variant.grr.mean == outcome.grr.mean()
        assert variant.first_year.nrr.mean == outcome.annual_nrr(1).mean()
        assert variant.prob_lose_top10 == outcome.paths.lost_top.mean()
        assert variant.staffing == outcome.staffing
    assert report.move.ending_arr.mean == result.move.ending_arr.mean()
    assert summary["ending_arr"] == report.scenario.ending_arr.to_dict()
    assert summary["delta"]["move"] == comparison.move.to_dict()

    assert report.target is report.scenario and report.delta is report.comparison.delta
    assert report.scenario.promote == ("B",) and report.scenario.demote == ()
    assert report.variant("Baseline") is report.baseline
    assert report.comparison.delta.mean == pytest.approx(
        report.scenario.ending_arr.mean - report.baseline.ending_arr.mean, rel=1e-6
    )


def test_a_baseline_alone_has_no_scenario_parts(baseline_only):
    r = baseline_only
    assert r.scenario is None and r.comparison is None and r.delta is None
    assert r.delta_histogram is None and r.target is r.baseline and set(r.fan) == {"Baseline"}
    assert set(r.summary_dict()) == {
        "settings",
        "nrr_volatility",
        "nrr_volatility_source",
        "assumptions",
        "treatment",
        "baseline",
        "ending_arr",
        "annual",
        "mc_error",
        "headline",
    }
    assert r.variants == (r.baseline,) and r.move is None
    with pytest.raises(KeyError):
        r.variant("Scenario")


def test_reports_of_the_tier_copying_model_say_they_must_be_run_again():
    """Versions 1 and 2 came from the model that copied the strategic tier's averages onto a
    promoted account: their figures cannot be converted, and the user is told so."""
    v1 = json.loads(V1_REPORT.read_text())
    for old in (v1, {**v1, "schema_version": 2}):
        with pytest.raises(UnreadableReport) as caught:
            SimulationReport.from_dict(old)
        assert caught.value.reason == "older"
        assert caught.value.message("This scenario") == (
            "This scenario was saved by an older Strata and cannot be shown; run it again."
        )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([1, 2], "damaged"),
        ({"schema_version": "2"}, "damaged"),
        ({"schema_version": 0}, "damaged"),
        ({"schema_version": True}, "damaged"),
        ({"schema_version": SCHEMA_VERSION + 1}, "newer"),
        ({"schema_version": SCHEMA_VERSION, "settings": {}}, "damaged"),
        ({"settings": {"paths": 10}}, "older"),  # version 1
        ({"schema_version": 2}, "older"),
    ],
)
def test_unreadable_layouts_raise_one_error_with_a_sentence_for_the_user(data, reason):
    with pytest.raises(UnreadableReport) as caught:
        SimulationReport.from_dict(data)
    assert caught.value.reason == reason and isinstance(caught.value, ValueError)
    assert caught.value.message("This scenario").startswith("This scenario ")
    assert caught.value.message().endswith("run it again.")


def test_distribution_reads_its_own_fields_only():
    values = {"p5": 1.0, "p25": 2.0, "p50": 3.0, "p75": 4.0, "p95": 5.0, "mean": 3.1}
    assert Distribution.from_dict({**values, "extra": 9}).to_dict() == values


def test_result_cards_staffing_rows_and_economics_sentence(report, baseline_only):
    cards = simulator.result_kpis(report)
    assert [c[0] for c in cards] == [
        "Expected ARR at the horizon",
        "Scenario − baseline",
        "NPV of the scenario",
        "Year-1 NRR / GRR",
        "Lose a top-10 account",
    ]
    assert "(Monte Carlo)" in cards[0][2] and "after 4 quarters" in cards[0][2]
    assert "the move" in cards[1][2] and "the staffing" in cards[1][2] and "of paths" in cards[1][2]
    assert [c[0] for c in simulator.result_kpis(baseline_only)] == [
        "Expected ARR at the horizon",
        "Year-1 NRR / GRR",
        "Lose a top-10 account",
    ]

    rows = simulator.staffing_rows(report)
    assert [r["run"] for r in rows] == ["Baseline", "Scenario"]  # no SAM change: no move column
    assert [r["strategic accounts"] for r in rows] == [1, 2]
    assert [r["SAMs"] for r in rows] == ["1", "1"]  # 2 strategic accounts still need one SAM

    assert simulator.economics_text(baseline_only) == "No scenario: tick accounts to compare."
    assert simulator.economics_text(report).startswith("The scenario keeps today's SAMs; NPV of the move ")
    hiring = dataclasses.replace(
        report,
        comparison=dataclasses.replace(
            report.comparison,
            economics=dataclasses.replace(report.comparison.economics, added_sams=2.0, sam_cost=360_000.0),
        ),
    )
    assert simulator.economics_text(hiring).startswith("2 more SAM(s) cost $360k a year; NPV")
    assert simulator.precision_text(baseline_only).startswith("100 paths: expected ARR ± $")


def test_run_label_says_preview_or_full_run(report):
    assert simulator.run_label(report) == (False, "Full run: 200 paths, seed 20261122")
    preview = dataclasses.replace(report, settings=dataclasses.replace(report.settings, paths=1_000))
    assert simulator.run_label(preview) == (True, "Preview: 1,000 paths, seed 20261122")


def saved(id_, name, report, fingerprint="f", problem=None):
    return SimpleNamespace(
        id=id_,
        name=name,
        report=report,
        fingerprint=fingerprint,
        data_label="demo.csv",
        problem=problem,
        created=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )


def test_saved_rows_and_load_messages(report):
    unreadable = saved(2, "Old", None, problem="This scenario was saved by an older Strata …")
    rows = simulator.saved_rows([saved(1, "Mine", report), unreadable], "f")
    assert rows[0] == {
        "id": 1,
        "name": "Mine",
        "created": "2026-01-02 03:04 UTC",
        "data": "demo.csv · this data",
        "summary": report.headline,
    }
    assert rows[1]["summary"] == unreadable.problem
    assert simulator.load_message(saved(1, "Mine", report), "f") == (
        "ok",
        "Loaded “Mine”: its saved results are shown.",
    )
    level, text = simulator.load_message(saved(1, "Mine", report), "g")
    assert level == "warning" and "was run on other data (demo.csv, 2026-01-02 03:04 UTC)" in text
    assert simulator.load_message(unreadable, "f") == ("problem", unreadable.problem)


def test_compare_puts_scenarios_side_by_side_and_says_what_it_left_out(report, baseline_only):
    items = [
        saved(1, "Promote B", report, fingerprint="g"),
        saved(2, "Base", baseline_only, fingerprint="g"),
        saved(3, "Old", None, problem="cannot be shown"),
    ]
    table, note = simulator.compare(items, chosen=6, shown=4, accounts=FRAME, current_fingerprint="f")
    assert list(table.columns) == ["Promote B (#1)", "Base (#2)"]
    assert table.loc["promoted"].tolist() == ["B", "–"]
    assert table.loc["results"].tolist() == ["as saved, on other data (its own baseline)"] * 2
    assert table.loc["Δ vs baseline", "Base (#2)"] == "–"
    assert table.loc["treatment", "Base (#2)"].endswith("· assumed")
    assert note == "Showing the first 4 of 6 selected. “Old”: cannot be shown"


def test_compare_reruns_scenarios_on_the_first_ones_baseline():
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(12)],
            "account_name": [f"N{i}" for i in range(12)],
            "arr": [9e5, 8e5, 7e5] + [1e5] * 9,
            "arr_prior": [8e5, 8e5, 6e5] + [1e5] * 9,
            "tier": ["Strategic"] * 3 + ["Key"] * 9,
        }
    )
    first = simulator.simulate(accounts, None, {"horizon": 8, "strategic_sams": 1}, ["A5"], 500)
    other = simulator.simulate(accounts, None, {"horizon": 4, "strategic_sams": 2}, ["A6"], 500)
    items = [saved(1, "First", first, "f"), saved(2, "Other", other, "f")]
    table, note = simulator.compare(items, chosen=2, shown=4, accounts=accounts, current_fingerprint="f")
    assert table.loc["results"].tolist() == ["as saved", "re-run on the common baseline (500 paths)"]
    assert table.loc["baseline", "First (#1)"] == table.loc["baseline", "Other (#2)"]
    assert "8 quarters" in table.loc["baseline", "Other (#2)"]
    assert table.loc["promoted"].tolist() == ["A5", "A6"]
    assert "share the baseline of “First”" in note
