"""The Simulator page's callbacks and helpers, called directly (no browser)."""

import importlib
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import ids, state
from portfolio.whatif import DEFAULT_SETTINGS
from reporting import simulator
from simulation import Assumptions

FORM = dict(horizon=8, period="quarter", correlation=0.3, sams=None, staffing="hire", cost=180_000)


@pytest.fixture(scope="module")
def page(dash_app):
    return importlib.import_module("dashboard.pages.simulator")


def trigger(page, monkeypatch, component_id):
    monkeypatch.setattr(page.dash, "ctx", SimpleNamespace(triggered_id=component_id))


def preview(page, selected, assumptions):
    return page.preview(selected, FORM["horizon"], FORM["period"], FORM["correlation"],
                        FORM["sams"], FORM["staffing"], FORM["cost"], assumptions,
                        DEFAULT_SETTINGS, 0)[0]


def test_fill_select_preview_and_show(request_ctx, page, monkeypatch):
    rows, assumption_rows, sams = page.fill_controls(0, DEFAULT_SETTINGS, 0.3)
    assert len(rows) == 1071 and rows[0]["score"] >= rows[-1]["score"]
    assert [r["tier"] for r in assumption_rows] == ["Strategic", "Key", "Standard"]
    assert sams == 4.0  # the demo's SAMs give the strategic tier 4 FTE

    trigger(page, monkeypatch, ids.SIM_NEXT_BTN)
    chosen = page.select_accounts(1, None, 3, rows, [])["ids"]
    expected = [r["account_id"] for r in rows if r["tier"] != "Strategic"][:3]
    assert chosen == expected

    report = preview(page, {"ids": chosen}, assumption_rows)
    assert report["settings"]["paths"] == simulator.PREVIEW_PATHS
    assert report["scenario"]["promote"] == chosen and "delta" in report
    assert report["fingerprint"] == state.data_fingerprint()
    headline, cards, fan, ending, delta, _table = page.show_report(report)
    assert all(isinstance(f, go.Figure) for f in (fan, ending, delta))
    assert len(cards) == 4 and "Promoting 3 accounts" in str(headline)


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


def test_save_list_load_compare_rename_delete(request_ctx, page, monkeypatch, dash_app):
    _, assumption_rows, _ = page.fill_controls(0, DEFAULT_SETTINGS, 0.3)
    rows = page.fill_controls(0, DEFAULT_SETTINGS, 0.3)[0]
    first = preview(page, {"ids": simulator.next_by_score(rows, [], 2)}, assumption_rows)
    second = preview(page, [], assumption_rows)

    def act(action, name=None, report=None, selected=None):
        trigger(page, monkeypatch, action)
        return page.act_on_saved(1, 1, 1, 1, 1, name, report, selected, 0)

    assert "Nothing to save yet" in str(act(ids.SIM_SAVE, "x", None)[1])
    assert "needs a name" in str(act(ids.SIM_SAVE, "  ", first)[1])
    assert act(ids.SIM_SAVE, "Promote two", first)[0] == 1
    act(ids.SIM_SAVE, "Baseline", second)
    listed = page.list_saved(2, 0)
    assert [r["name"] for r in listed] == ["Baseline", "Promote two"]
    assert all(r["data"].endswith("this data") for r in listed)
    by_name = {r["name"]: {"id": r["id"]} for r in listed}

    _, message, _, loaded = act(ids.SIM_LOAD, selected=[by_name["Promote two"]])
    assert "Loaded “Promote two”" in str(message) and loaded["saved_as"] == "Promote two"
    assert loaded["delta"] == first["delta"]

    _, _, table, _ = act(ids.SIM_COMPARE, selected=list(by_name.values()))
    assert "Promote two" in str(table) and "Baseline" in str(table)

    act(ids.SIM_RENAME, "Promote A and B", selected=[by_name["Promote two"]])
    assert {r["name"] for r in page.list_saved(3, 0)} == {"Baseline", "Promote A and B"}

    # new data: the saved scenario says it was run on other data
    state.save_data(pd.DataFrame({"account_id": ["X"], "account_name": ["X"], "arr": [1.0],
                                  "arr_prior": [1.0]}), {"source": "tiny.csv", "notes": []})
    assert all(r["data"].endswith("other data") for r in page.list_saved(3, 1))
    _, message, _, _ = act(ids.SIM_LOAD, selected=[by_name["Baseline"]])
    assert "was run on other data" in str(message)
    assert "run on other data" in str(act(ids.SIM_SAVE, "stale", first)[1])  # not saved

    act(ids.SIM_DELETE, selected=list(by_name.values()))
    assert page.list_saved(4, 1) == []


def test_another_session_sees_none_of_my_scenarios(dash_app, page, monkeypatch):
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()
        assumption_rows = page.fill_controls(0, DEFAULT_SETTINGS, 0.3)[1]
        report = preview(page, [], assumption_rows)
        trigger(page, monkeypatch, ids.SIM_SAVE)
        page.act_on_saved(1, None, None, None, None, "Mine", report, None, 0)
        mine = page.list_saved(1, 0)
        assert [r["name"] for r in mine] == ["Mine"]
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()  # a new cookie-less visitor: another session
        assert page.list_saved(1, 0) == []
        trigger(page, monkeypatch, ids.SIM_LOAD)
        _, message, _, report = page.act_on_saved(None, None, None, 1, None, None, None,
                                                  [{"id": mine[0]["id"]}], 0)
        assert "no longer exists" in str(message) and report is page.no_update


def test_background_jobs_find_the_session_by_its_cookie_and_only_by_a_valid_one(request_ctx,
                                                                               dash_app):
    mine = pd.DataFrame({"account_id": ["Z"], "account_name": ["Zed"], "arr": [5.0],
                         "arr_prior": [4.0]})
    state.save_data(mine, {"source": "z.csv", "notes": []})
    directory = dash_app.server.config["STRATA_STORE"]
    accounts, meta = state.data_outside_request(directory, {state.COOKIE: state.session_id()})
    assert meta["source"] == "z.csv" and accounts["account_id"].tolist() == ["Z"]
    for forged in ("../" * 8 + "x", "", "A" * 31, state.session_id() + "0"):
        assert state.data_outside_request(directory, {state.COOKIE: forged})[1] is state.DEMO_META
    state.save_report_outside_request(directory, {state.COOKIE: state.session_id()},
                                      {"fingerprint": state.data_fingerprint(), "x": 1})
    assert state.last_report() == {"fingerprint": state.data_fingerprint(), "x": 1}
