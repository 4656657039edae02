"""Issue 14 item 11: the what-if settings live server-side with the session's data.

Measured before the fix: after a browser reload the thresholds fell back to 50/70 while the
uploaded file was revenue-only (its defaults are 80/95): the settings lived in the browser's
memory store, the data on the server. Here a "reload" is a fresh layout in the same session, a
"second tab" another request with the same cookie.
"""

import base64

import dash
import pytest

from dashboard import follow_data, ids, show_filter, state, update_settings
from portfolio.whatif import DEFAULT_SETTINGS

REVENUE_ONLY = "account_id,account_name,arr,arr_prior,segment,region\n" + "".join(
    f"A{i},Acct {i},{1000 * (i + 1)},{900 * (i + 1)},{'Enterprise' if i % 2 else 'SMB'},"
    f"{'EMEA' if i < 10 else 'NA'}\n"
    for i in range(20)
)
CONTROLS = dict(
    weight_ids=[{"dim": d} for d in DEFAULT_SETTINGS["weights"]],
    capacity_ids=[{"tier": t} for t in DEFAULT_SETTINGS["capacity"]],
    filter_ids=[{"column": c} for c in ("segment", "industry", "region", "sam")],
)


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def find(component, component_id):
    """The component with ``component_id`` in a layout tree (None when absent)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.fixture
def pages(dash_app):
    from dashboard.pages import data, retention

    return data, retention


def reload(dash_app):
    """The layout a reload (or a second tab with the same cookie) gets."""
    return dash_app.layout()


def test_a_reload_keeps_a_revenue_only_uploads_thresholds(request_ctx, dash_app, pages):
    data, _ = pages
    out = data.on_upload(contents=upload(REVENUE_ONLY), filename="retail.csv", version=0)
    assert out["version"] == 1
    layout = reload(dash_app)
    assert find(layout, ids.SETTINGS).data["thresholds"] == [80, 95]  # was 50/70 before the fix
    assert find(layout, ids.THRESHOLDS).value == [80, 95]


def settings_from_controls(thresholds, filters=None, **extra):
    weights = list(DEFAULT_SETTINGS["weights"].values())
    return update_settings(
        thresholds=thresholds,
        weights=weights,
        capacities=[6, 25, 75],
        headcount=None,
        previous=None,
        revenue_bands=None,
        filters=filters or [[], [], [], []],
        **CONTROLS,
        **extra,
    )


def test_what_if_changes_survive_a_reload_and_a_second_tab_but_not_another_session(dash_app, pages):
    server = dash_app.server
    with server.test_request_context("/"):
        server.preprocess_request()
        pages[0].on_upload(contents=upload(REVENUE_ONLY), filename="retail.csv", version=0)
        settings, error, *_ = settings_from_controls([60, 90], [["Enterprise"], [], [], []])
        assert error == "" and settings["filter"] == {"segment": ["Enterprise"]}
        cookie = state.cookie_value(server.extensions["strata_cookie_key"], state.session_id(), None)
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()  # the second tab: same cookie, fresh page
        layout = reload(dash_app)
        assert find(layout, ids.THRESHOLDS).value == [60, 90]
        assert find(layout, {"type": ids.FILTER, "column": "segment"}).value == ["Enterprise"]
        assert find(layout, {"type": ids.CAPACITY, "tier": "Strategic"}).value == 6
        assert find(layout, {"type": ids.FILTER_BOX, "column": "industry"}).style == {"display": "none"}
        assert find(layout, {"type": ids.FILTER_BOX, "column": "region"}).style == {}
    with server.test_request_context("/"):
        server.preprocess_request()  # someone else: the demo and its defaults
        assert find(reload(dash_app), ids.THRESHOLDS).value == [50, 70]


def test_a_new_upload_resets_the_settings_to_that_files_defaults(request_ctx, pages):
    data, _ = pages
    data.on_upload(contents=upload(REVENUE_ONLY), filename="retail.csv", version=0)
    settings_from_controls([60, 90], [["SMB"], [], [], []])
    scored = "account_id,arr,strategic_fit\nA,1,7\nB,2,3\n"
    data.on_upload(contents=upload(scored), filename="scored.csv", version=1)
    out = follow_data(2, CONTROLS["weight_ids"], CONTROLS["capacity_ids"], CONTROLS["filter_ids"])
    settings, thresholds, weights, capacities, headcount, bands, filters, options, boxes, currency = out
    assert currency == "auto"  # as the new data says
    assert options == [[], [], [], []]
    assert settings["thresholds"] == thresholds == [50, 70] and settings["filter"] == {}
    assert capacities == [10, 25, 75] and filters == [[], [], [], []]
    assert boxes == [{"display": "none"}] * 4  # the new file has no segment, industry, region, SAM
    assert weights == list(DEFAULT_SETTINGS["weights"].values()) and headcount is None and bands == ""


def test_a_filter_that_leaves_no_accounts_is_a_message_and_changes_nothing(request_ctx, pages):
    data, _ = pages
    data.on_upload(contents=upload(REVENUE_ONLY), filename="retail.csv", version=0)
    settings_from_controls([80, 95], [["SMB"], [], [], []])
    # SMB accounts are A0, A2, … A18; in NA (A10–A19): A10 … A18; "Enterprise" in nowhere
    settings, error, *_ = settings_from_controls([80, 95], [["SMB"], [], ["Nowhere"], []])
    assert settings is dash.no_update
    assert error == "The filter Segment: SMB · Region: Nowhere leaves no accounts."
    assert state.current_settings()["filter"] == {"segment": ["SMB"]}  # unchanged
    assert show_filter(state.current_settings(), 1) == "Filtered to Segment: SMB (10 of 20 accounts)."


def test_the_retention_switch_is_kept_with_the_data(request_ctx, dash_app, pages):
    _, retention = pages
    settings = retention.set_tier_basis("scorecard", DEFAULT_SETTINGS)
    assert settings["tier_basis"] == "scorecard" and state.current_settings()["tier_basis"] == "scorecard"
    assert find(retention.layout(), ids.RET_BASIS).value == "scorecard"  # the page after a reload
    with pytest.raises(dash.exceptions.PreventUpdate):
        retention.set_tier_basis("scorecard", settings)  # the page appearing with the kept value
