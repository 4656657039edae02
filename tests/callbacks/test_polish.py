"""User-visible leftovers of the executive and CFO reviews (issues 14 and 17), checked through the
page callbacks without a browser."""

import importlib

import pandas as pd
import pytest

from dashboard import state
from portfolio.whatif import DEFAULT_SETTINGS

# three accounts, no tier column: today's tiers are the scorecard at the default thresholds,
# so at the default settings the proposed tiers equal them and nothing moves
NO_TIER_COLUMN = pd.DataFrame(
    {
        "account_id": ["a", "b", "c"],
        "account_name": ["A", "B", "C"],
        "arr": [300.0, 200.0, 100.0],
        "arr_prior": [250.0, 200.0, 120.0],
    }
)


@pytest.fixture(scope="module")
def tiers(dash_app):
    return importlib.import_module("dashboard.pages.tiers")


def test_retiering_button_is_disabled_with_a_reason_when_no_account_moves(request_ctx, tiers):
    state.save_data(NO_TIER_COLUMN, {"source": "three.csv", "notes": []})
    settings = state.current_settings()  # this file's defaults (revenue-only cut-offs)
    assert tiers.update_tiers(settings, 0)[-2:] == (True, tiers.NO_MOVES)
    # lower cut-offs promote accounts: the button is offered again
    assert tiers.update_tiers({**settings, "thresholds": [10, 20]}, 0)[-2:] == (False, "")
    assert tiers.NO_MOVES.startswith("No account changes tier")


def test_retiering_button_is_enabled_when_the_matrix_moves_accounts(request_ctx, tiers):
    # the demo's assigned tiers differ from the scorecard's for some accounts
    assert tiers.update_tiers(DEFAULT_SETTINGS, 0)[-2:] == (False, "")


def test_segment_filter_heading_says_when_the_file_has_nothing_to_filter_by(request_ctx, dash_app):
    from dashboard import show_no_filter_columns

    assert show_no_filter_columns(0) == ""  # the demo has segment, industry, region and SAM
    state.save_data(NO_TIER_COLUMN, {"source": "three.csv", "notes": []})
    assert show_no_filter_columns(1) == "None: the file has no segment, industry, region or SAM column."


def test_threshold_values_are_in_the_label_not_over_the_tick_labels(dash_app):
    """Review: at 80/95 (a revenue-only file) the always-shown handle labels covered the 70 and
    100 tick labels; the values are now written under the slider's label."""
    from dashboard import ids, show_thresholds

    assert show_thresholds([80, 95]) == "Key ≥ 80 · Strategic ≥ 95"
    assert show_thresholds(None) == "Key, Strategic"
    slider = dash_app.layout()[ids.THRESHOLDS]  # the layout is built per request
    assert slider.tooltip == {"placement": "bottom", "always_visible": False}  # shown while moved


def test_decisions_under_a_segment_filter_keep_each_sams_whole_book(request_ctx, dash_app):
    """Review: under Segment = Enterprise the recommendation gave all 4 SAMs' slots (40) to
    Enterprise accounts, as if the SAMs served nobody else. Now the SAMs keep their whole
    books: today's strategic accounts outside the filter keep their slots, only Enterprise
    accounts move, and the headline says so."""
    decisions = importlib.import_module("dashboard.pages.decisions")
    accounts, _ = state.current_data()
    enterprise = set(accounts.loc[accounts["segment"] == "Enterprise", "account_id"].astype(str))
    settings = {**DEFAULT_SETTINGS, "filter": {"segment": ["Enterprise"]}}
    out = decisions.answer(_clicks=1, sams=4, max_moves=None, keep="", exclude="", settings=settings)
    assert out["error"] == ""
    scenario = out["scenario"]
    assert set(scenario["promote"]) | set(scenario["demote"]) <= enterprise  # only they move
    whole = decisions.analyze_session(DEFAULT_SETTINGS)
    today = whole.current_tier if whole.current_tier is not None else whole.tiers.tier
    strategic = set(whole.accounts.loc[today == "Strategic", "account_id"].astype(str))
    outside = {
        i
        for i in strategic
        if i not in enterprise and whole.accounts.set_index("account_id").loc[i, "arr"] > 0
    }
    selected = set(scenario["recommendation"]["selected"])
    assert outside and outside <= selected  # they hold their slots
    assert len(selected) <= 4 * 10  # 4 SAMs × 10 accounts, for the whole book
    assert f"the {len(outside)} strategic account(s) outside the filter keep their slots" in out["headline"]


def test_decisions_sensitivity_and_the_packs_move_use_the_book_the_move_was_solved_on(request_ctx, dash_app):
    """Under a segment filter the recommendation is solved on the whole book (above), but its
    "How sure are we?" ran on the Enterprise accounts alone (another baseline, another NPV at the
    centre of the tornado), and the board pack's executive summary recommended a move solved as
    if the SAMs served Enterprise only. Both now use the whole book: the sensitivity under the
    filter equals the unfiltered one for the same move, and the pack's move is the page's."""
    from exports.pack import recommended_move
    from reporting.decisions import SEGMENT_NOTE
    from reporting.simulator import default_sams

    decisions = importlib.import_module("dashboard.pages.decisions")
    settings = {**DEFAULT_SETTINGS, "filter": {"segment": ["Enterprise"]}}
    sams = default_sams(decisions.analyze_session(DEFAULT_SETTINGS))
    out = decisions.answer(_clicks=1, sams=sams, max_moves=None, keep="", exclude="", settings=settings)
    filtered = decisions.how_sure(_clicks=1, scenario=out["scenario"], settings=settings)[2]
    whole = decisions.how_sure(_clicks=1, scenario=out["scenario"], settings=DEFAULT_SETTINGS)[2]
    assert filtered["npv"] == whole["npv"] and filtered["arr"] == whole["arr"]
    analysis = decisions.analyze_session(settings)
    move = recommended_move(analysis, decisions.whole_book_session(settings, analysis))
    assert move is not None and SEGMENT_NOTE.split(":")[0] in move.notes[-1]
    assert {a.account_id for a in move.add} == set(out["scenario"]["promote"])
    assert {a.account_id for a in move.remove} == set(out["scenario"]["demote"])
