"""The Simulator page's callbacks and helpers, called directly (no browser)."""

import importlib
import json
from dataclasses import replace

import pandas as pd
import pytest
from dash._callback import GLOBAL_CALLBACK_MAP

from dashboard import ids, state
from portfolio.whatif import DEFAULT_SETTINGS
from reporting import simulator
from reporting.simulation_report import SimulationReport
from simulation import Assumptions

FORM = dict(
    horizon=8, period="quarter", nrr_volatility=5, strategic_sams=None, staffing="hire", cost_per_sam=180_000
)


@pytest.fixture(scope="module")
def page(dash_app):
    return importlib.import_module("dashboard.pages.simulator")


def preview(page, selected, assumptions, **form) -> dict:
    """The preview callback's report (its dict form, as the page's store holds it)."""
    data, error = page.preview(
        selected=selected,
        form={**FORM, **form, "assumptions": assumptions},
        settings=DEFAULT_SETTINGS,
        data_version=0,
    )
    assert error == ""
    return data


def component_ids(component) -> list:
    """Every id in a layout tree."""
    found = [component.id] if getattr(component, "id", None) is not None else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found += component_ids(child)
    return found


def find(component, component_id):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            hit = find(child, component_id)
            if hit is not None:
                return hit
    return None


def test_fill_select_preview_and_show(request_ctx, page):
    rows, assumption_rows, sams, *treatment, warnings = page.fill_controls(
        data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5
    )
    assert warnings is None  # the demo calibrates within the bounds
    assert len(rows) == 1071 and rows[0]["score"] >= rows[-1]["score"]
    assert [r["tier"] for r in assumption_rows] == ["Strategic", "Key", "Standard"]
    assert sams == 4.0  # the demo's SAMs give the strategic tier 4 FTE
    # the demo's strategic accounts had too few churns to estimate the effect: assumed, prefilled
    assert treatment == [0.85, 2.0, 6.0]

    chosen, message = page.promote_next(_clicks=1, n=3, rows=rows, selected=[])
    chosen = chosen["ids"]
    assert message == ""
    expected = [r["account_id"] for r in rows if r["tier"] != "Strategic"][:3]
    assert chosen == expected
    more = page.promote_next(_clicks=2, n=2, rows=rows, selected={"ids": chosen})[0]["ids"]
    assert more[:3] == chosen and len(more) == 5 and len(set(more)) == 5
    assert page.clear_selection(_clicks=1) == ({"ids": []}, {}, "")  # and no re-tiering

    data = preview(page, {"ids": chosen}, assumption_rows)
    assert json.loads(json.dumps(data)) == data  # the store's form is JSON
    report = SimulationReport.from_dict(data)
    assert report.settings.paths == simulator.PREVIEW_PATHS
    assert report.scenario.promote == tuple(chosen) and report.delta is not None
    assert report.fingerprint == state.data_fingerprint()
    assert state.last_report() == report  # kept for the board pack and chart downloads
    outputs = page.show_report(data)
    headline, cards, fan, ending, delta, table, split, treatment_text, precision, *summaries = outputs[:-3]
    renewals, renewal_text, timing = outputs[-3:]
    # the renewal calendar: bars per quarter, its text summary and how churn is timed
    assert [t.name for t in renewals.data] == ["ARR up for renewal", "Churned ARR (mean, P5–P95)"]
    assert len(renewals.data[0].x) == report.settings.horizon
    assert renewal_text == simulator.renewal_summary(report) and renewal_text.endswith(timing)
    assert timing.startswith("Churn follows renewal dates (annual terms) for ")
    # each chart's screen-reader summary: the headline for the fan, the comparison for the others
    text = simulator.chart_summaries(report)
    assert summaries == [text[chart] for chart in page.SUMMARY_ORDER]
    assert len(summaries) == 4
    assert summaries[0] == report.headline and summaries[2].startswith("The scenario ends ")
    assert len(cards) == 5 and "Promoting 3 accounts" in str(headline)
    assert "Preview: 1,000 paths" in str(headline)
    assert "from the move with today's 4 strategic SAMs" in str(headline)
    assert (
        treatment_text.startswith("Assumed, not measured in this data (")
        and "churn 15% less" in treatment_text
    )
    # the portfolio NRR volatility and, assumed, why
    assert "Portfolio NRR volatility 5 points a year (assumed): a B2B book's" in treatment_text
    assert precision.startswith("1,000 paths: the delta's Monte Carlo error is ±")
    assert [bar for bar in split.data[0].x] == ["Baseline", "The move", "The staffing", "Scenario"]
    # baseline and scenario medians in the fan; the paired-difference histogram counts every path
    assert {t.name for t in fan.data} >= {"Baseline", "Scenario"}
    assert {t.name for t in ending.data} == {"Baseline", "Scenario"}
    assert sum(delta.data[0].y) == simulator.PREVIEW_PATHS
    assert "Strategic SAMs" in str(table)

    baseline_only = preview(page, [], assumption_rows)
    _, _, _, _, delta, table, split, *_, delta_text, split_text, _, _, _ = page.show_report(baseline_only)
    assert delta_text == split_text == simulator.NO_SCENARIO
    assert not delta.data and "Tick accounts" in str(delta.layout.annotations[0].text)
    assert not split.data
    assert "No scenario" in str(table)


def test_calibration_warnings_show_under_the_assumptions(request_ctx, page):
    """An order export: the transactional warning, the years the order model pooled and the
    out-of-bounds fallbacks, named."""
    from conftest import real_file
    from portfolio.ingest import load_file

    loaded = load_file(real_file("Sample - Superstore.csv"))
    state.save_data(loaded.accounts, {"source": "superstore.csv", "shape": loaded.report.shape, "notes": []})
    *_, warnings = page.fill_controls(data_version=1, settings=DEFAULT_SETTINGS, nrr_volatility=5)
    text = str(warnings)
    assert "This file is order (transactional) revenue" in text
    assert "Order data: calibrated on 3 year(s) of the history pooled" in text


def test_keep_todays_sams_keeps_them_and_hire_adds_what_the_move_needs(request_ctx, page):
    """The "keep today's SAMs" radio: with 20 promoted accounts, the scenario has the baseline's
    SAMs and adds none; "hire" adds the SAMs 20 more strategic accounts need."""
    rows, assumption_rows, sams, *_ = page.fill_controls(
        data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5
    )
    twenty, _ = page.promote_next(_clicks=1, n=20, rows=rows, selected=[])

    keep = SimulationReport.from_dict(preview(page, twenty, assumption_rows, staffing="keep"))
    assert len(keep.scenario.promote) == 20
    assert keep.scenario.staffing.sams == keep.baseline.staffing.sams == sams
    economics = keep.comparison.economics
    assert economics.added_sams == 0 and economics.sam_cost == 0
    assert (keep.comparison.staffing.mean, keep.comparison.staffing.p5) == (0, 0)
    table = page.show_report(keep.to_dict())[5]
    assert "The scenario keeps today's SAMs" in str(table)

    hire = SimulationReport.from_dict(preview(page, twenty, assumption_rows, staffing="hire"))
    # 50 → 70 strategic accounts at 10 per SAM: the tier needs 2 more SAMs
    assert hire.comparison.economics.added_sams == 2
    assert hire.scenario.staffing.sams == hire.baseline.staffing.sams + 2
    assert hire.move.staffing.sams == hire.baseline.staffing.sams


def test_the_staffing_radio_is_the_forms_staffing_input_and_page_ids_are_unique(page):
    """The radio and the staffing table once shared an id, so the form never saw the radio."""
    layout = page.layout()
    every = component_ids(layout)
    assert len(every) == len(set(map(str, every))), sorted(map(str, every))
    radio = find(layout, ids.SIM_STAFFING)
    assert type(radio).__name__ == "RadioItems"
    assert {o["value"] for o in radio.options} == {"hire", "keep"}
    assert page.FORM_CONTROLS["staffing"] == (ids.SIM_STAFFING, "value")


def test_every_simulator_button_triggers_one_callback_with_it_as_its_only_input(dash_app):
    buttons = {
        ids.SIM_NEXT_BTN,
        ids.SIM_CLEAR_BTN,
        ids.SIM_RUN,
        ids.SIM_SAVE,
        ids.SIM_RENAME,
        ids.SIM_DELETE,
        ids.SIM_LOAD,
        ids.SIM_COMPARE,
    }
    triggered_by = {}
    # registered callbacks wait in Dash's global map until the app's first request
    # server callbacks only: a clientside one (Run's focus keeping) runs in the browser
    for output, entry in {**GLOBAL_CALLBACK_MAP, **dash_app.callback_map}.items():
        clicks = [i["id"] for i in entry["inputs"] if i["id"] in buttons]
        if clicks and "callback" in entry:
            assert len(entry["inputs"]) == 1, entry["inputs"]
            triggered_by.setdefault(clicks[0], []).append(output)
    assert set(triggered_by) == buttons
    assert all(len(outputs) == 1 for outputs in triggered_by.values())


def test_assumption_grid_edits_become_explicit_and_display_rounding_does_not():
    base = Assumptions()
    rows = simulator.assumption_rows(base)
    assert simulator.assumptions_from_rows(rows, base) == base
    odd = simulator.parse_assumptions({"tiers": {"Key": {"annual_churn": 0.0634441}}}, base)
    shown = simulator.assumption_rows(odd)  # 6.34 in the grid
    assert simulator.assumptions_from_rows(shown, odd).tiers["Key"].annual_churn == 0.0634441
    rows[1]["churn_pct"] = 10
    edited = simulator.assumptions_from_rows(rows, base)
    assert edited.tiers["Key"].annual_churn == pytest.approx(0.10)
    assert edited.tiers["Key"].source == "explicit" and edited.tiers["Standard"] == base.tiers["Standard"]
    rows[2]["drift_pct"] = "lots"
    with pytest.raises(ValueError, match="Standard: drift must be a number"):
        simulator.assumptions_from_rows(rows, base)


def test_save_list_load_compare_rename_delete(request_ctx, page, dash_app):
    rows, assumption_rows, *_ = page.fill_controls(
        data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5
    )
    first = preview(page, {"ids": simulator.next_by_score(rows, [], 2)}, assumption_rows)
    second = preview(page, [], assumption_rows)

    def save(name, data, version=0):
        return page.save_scenario(_clicks=1, name=name, data=data, version=version)

    def saved_names(version=0):
        return [r["name"] for r in page.list_saved(saved_version=version, data_version=0)]

    assert "Nothing to save yet" in str(save("x", None)[1])
    assert "needs a name" in str(save("  ", first)[1]) and saved_names() == []
    version, message = save("Promote two", first)
    assert version == 1 and "Saved as #" in str(message)
    assert save("Baseline", second, 1)[0] == 2
    listed = page.list_saved(saved_version=2, data_version=0)
    assert [r["name"] for r in listed] == ["Baseline", "Promote two"]
    assert all(r["data"].endswith("this data") for r in listed)
    assert listed[0]["summary"] == SimulationReport.from_dict(second).headline
    by_name = {r["name"]: {"id": r["id"]} for r in listed}

    version, message, loaded = page.load_scenario(_clicks=1, selected=[by_name["Promote two"]], version=3)
    assert version is page.no_update and "Loaded “Promote two”" in str(message)
    shown = SimulationReport.from_dict(loaded)
    assert shown.saved_as == "Promote two"
    assert shown == SimulationReport.from_dict({**first, "saved_as": "Promote two"})
    assert "saved scenario: Promote two" in str(page.show_report(loaded)[0])

    note, table = page.compare_scenarios(_clicks=1, selected=list(by_name.values()))
    assert "Promote two" in str(table) and "Baseline" in str(table)
    assert "share the baseline of “Baseline”" in note  # newest first: "Baseline" is the reference
    assert "already have a scenario called" in str(save("promote TWO", first, 2)[1])
    many = [{"id": r["id"]} for r in listed] * 3  # six selected
    note, _ = page.compare_scenarios(_clicks=1, selected=many)
    assert note.startswith(f"Showing the first {page.MAX_COMPARE} of {len(many)} selected.")

    assert (
        page.rename_scenario(_clicks=1, name="Promote A and B", selected=[by_name["Promote two"]], version=3)[
            0
        ]
        == 4
    )
    assert saved_names(4).count("Promote A and B") == 1
    assert "needs a name" in str(
        page.rename_scenario(_clicks=1, name=" ", selected=[by_name["Baseline"]], version=4)[1]
    )
    for callback in (page.rename_scenario, page.delete_scenarios, page.load_scenario):
        kwargs = {"name": "x"} if callback is page.rename_scenario else {}
        assert "Select a saved scenario first" in str(
            callback(_clicks=1, selected=[], version=4, **kwargs)[1]
        )

    # new data: the saved scenario says it was run on other data
    state.save_data(
        pd.DataFrame({"account_id": ["X"], "account_name": ["X"], "arr": [1.0], "arr_prior": [1.0]}),
        {"source": "tiny.csv", "notes": []},
    )
    assert all(r["data"].endswith("other data") for r in page.list_saved(saved_version=4, data_version=1))
    _, message, _ = page.load_scenario(_clicks=1, selected=[by_name["Baseline"]], version=4)
    assert "was run on other data" in str(message) and "text-warning" in str(message)
    before = saved_names(4)
    assert "run on other data" in str(save("stale", first, 4)[1])
    assert saved_names(5) == before  # not saved

    assert page.delete_scenarios(_clicks=1, selected=[{"id": r["id"]} for r in listed], version=4)[0] == 5
    assert page.list_saved(saved_version=5, data_version=1) == []


def test_a_saved_scenario_from_an_older_strata_says_so(request_ctx, page, dash_app):
    store, owner = dash_app.server.extensions["strata_scenarios"], state.owner()
    rows, assumption_rows, *_ = page.fill_controls(
        data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5
    )
    current_data = preview(page, {"ids": simulator.next_by_score(rows, [], 1)}, assumption_rows)
    current = SimulationReport.from_dict(current_data)
    ok = _insert(store, owner, "Saved now", current.fingerprint, current_data)
    # a row of the tier-copying model (schema version 2): listed, but its results not shown
    old = _insert(store, owner, "Ancient", current.fingerprint, {**current_data, "schema_version": 2})
    older = "This scenario was saved by an older Strata and cannot be shown; run it again."

    listed = {r["name"]: r for r in page.list_saved(saved_version=9, data_version=0)}
    assert listed["Saved now"]["summary"] == current.headline
    assert listed["Ancient"]["summary"] == older

    _, message, loaded = page.load_scenario(_clicks=1, selected=[{"id": ok}], version=9)
    assert "Loaded “Saved now”" in str(message)
    assert SimulationReport.from_dict(loaded) == replace(current, saved_as="Saved now")

    _, message, loaded = page.load_scenario(_clicks=1, selected=[{"id": old}], version=9)
    assert older in str(message)
    assert loaded is page.no_update  # the result on screen stays

    note, table = page.compare_scenarios(_clicks=1, selected=[{"id": old}, {"id": ok}])
    assert "Saved now" in str(table) and "Ancient" not in str(table)
    assert "“Ancient”: This scenario was saved by an older Strata" in note
    note, table = page.compare_scenarios(_clicks=1, selected=[{"id": old}])
    assert table is None and "older Strata" in note
    for scenario_id in (ok, old):
        store.delete(owner, scenario_id)


def _insert(store, owner: str, name: str, fingerprint: str, report: dict) -> int:
    """A scenario row written directly, as an older Strata would have written it."""
    from datetime import UTC, datetime

    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from storage.scenarios import _ScenarioRow

    with Session(store.engine) as session, session.begin():
        return session.execute(
            insert(_ScenarioRow).values(
                owner=owner,
                name=name,
                fingerprint=fingerprint,
                data_label="demo",
                inputs="{}",
                report=json.dumps(report),
                created=datetime.now(UTC),
            )
        ).inserted_primary_key[0]


def test_another_session_sees_none_of_my_scenarios(dash_app, page):
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()
        assumption_rows = page.fill_controls(data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5)[1]
        report = preview(page, [], assumption_rows)
        page.save_scenario(_clicks=1, name="Mine", data=report, version=0)
        mine = page.list_saved(saved_version=1, data_version=0)
        assert [r["name"] for r in mine] == ["Mine"]
        me = state.owner()
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()  # a new cookie-less visitor: another session
        assert page.list_saved(saved_version=1, data_version=0) == []
        _, message, report = page.load_scenario(_clicks=1, selected=[{"id": mine[0]["id"]}], version=0)
        assert "no longer exists" in str(message) and report is page.no_update
        page.delete_scenarios(_clicks=1, selected=[{"id": mine[0]["id"]}], version=0)
        page.rename_scenario(_clicks=1, name="Theirs", selected=[{"id": mine[0]["id"]}], version=0)
    kept = dash_app.server.extensions["strata_scenarios"].get(me, mine[0]["id"])
    assert kept is not None and kept.name == "Mine"  # neither deleted nor renamed by them


def test_background_jobs_find_the_session_the_manager_gave_them(request_ctx, dash_app, page):
    mine = pd.DataFrame({"account_id": ["Z"], "account_name": ["Zed"], "arr": [5.0], "arr_prior": [4.0]})
    state.save_data(mine, {"source": "z.csv", "notes": []})
    server = dash_app.server
    accounts, meta = state.data_outside_request(server, state.session_id())
    assert meta["source"] == "z.csv" and accounts["account_id"].tolist() == ["Z"]
    for unknown in ("../" * 8 + "x", "", None, "A" * 32, state.session_id() + "0"):
        assert state.data_outside_request(server, unknown)[1] == state.DEMO_META
    report = simulator.simulate(accounts, DEFAULT_SETTINGS, {}, [], 200)
    state.save_report_outside_request(server, state.session_id(), report)
    assert state.last_report() == report
    state.save_data(mine.assign(arr=[6.0]), {"source": "z2.csv", "notes": []})
    assert state.last_report() is None  # run on other data


def test_large_portfolio_gets_no_automatic_preview(request_ctx, page, monkeypatch):
    """Security re-test N1: the in-request preview of 100,000 accounts took 21.5 s (300,000
    killed a worker). Above PREVIEW_MAX_ACCOUNT_PERIODS (accounts × periods) the preview
    returns at once (bound: 2 s here, where the 1,000-path run took over 20 s) and the message
    says to press Run. At the budget, 10,000 accounts × 20 months took 1.8 s."""
    import time

    assumption_rows = page.fill_controls(data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5)[1]
    n = 100_000
    big = pd.DataFrame(
        {
            "account_id": [f"B{i}" for i in range(n)],
            "account_name": [f"Name {i}" for i in range(n)],
            "arr": [1000.0 + i for i in range(n)],
            "arr_prior": [900.0 + i for i in range(n)],
        }
    )
    monkeypatch.setattr(state, "current_data", lambda: (big, {}))
    start = time.perf_counter()
    form = {**FORM, "assumptions": assumption_rows}
    data, error = page.preview(selected=None, form=form, settings=DEFAULT_SETTINGS, data_version=0)
    assert time.perf_counter() - start < 2.0
    assert data is page.no_update
    assert error == (
        "Large portfolio (100,000 accounts × 8 periods, over 200,000): no automatic preview; "
        "press Run for a background simulation."
    )
    assert simulator.preview_refusal(10_000, 20) is None
    assert simulator.preview_refusal(10_000, 21) is not None  # 210,000 account-periods
    assert simulator.preview_refusal(3_333, 60) is None and simulator.preview_refusal(3_334, 60)
    assert simulator.preview_refusal(10_000, 21.0) is not None  # a number box may send a float
    assert simulator.preview_refusal(200_000, "x") is None  # the simulation says what is wrong
