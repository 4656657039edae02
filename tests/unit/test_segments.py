"""Issue 14 item 8: the segment filter and retention by an account attribute, hand-worked.

The issue's 5-row file with a segment and a region:

| id | tier      | prior | now | segment    | region |
|----|-----------|-------|-----|------------|--------|
| A  | Strategic | 400   | 500 | Enterprise | EMEA   |
| C  | Strategic | 200   | 0   | SMB        | EMEA   |
| B  | Key       | 300   | 300 | Enterprise | NA     |
| D  | Standard  | 250   | 150 | SMB        | NA     |
| E  | Standard  | 0     | 50  | SMB        | (none) |

Enterprise (A, B): start 700, now 800 → NRR 800/700 = 1.142857; GRR (400 + 300)/700 = 1.
SMB (C, D; E is new): start 450, now 0 + 150 → NRR 150/450 = 0.3333; GRR (0 + 150)/450 =
0.3333; new 50, one churned.
"""

import pandas as pd
import pytest

from portfolio.retention import BLANK, retention_by_attribute
from portfolio.segments import (
    describe_filter,
    filter_mask,
    filter_note,
    filter_options,
    parse_filter_args,
    read_filter,
)
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with, filtered_accounts, read_settings

TOL = 1e-12  # sums of a few whole numbers, one division: exact to rounding


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A", "C", "B", "D", "E"],
            "account_name": ["Alpha", "Gamma", "Beta", "Delta", "Epsilon"],
            "tier": ["Strategic", "Strategic", "Key", "Standard", "Standard"],
            "arr_prior": [400.0, 200.0, 300.0, 250.0, 0.0],
            "arr": [500.0, 0.0, 300.0, 150.0, 50.0],
            "segment": ["Enterprise", "SMB", "Enterprise", "SMB", "SMB"],
            "region": ["EMEA", "EMEA", "NA", "NA", None],
        }
    )


def test_retention_by_segment(accounts):
    by = retention_by_attribute(accounts, "segment")
    assert list(by) == ["Enterprise", "SMB"]  # largest starting ARR first
    assert by["Enterprise"].nrr == pytest.approx(800 / 700, abs=TOL)
    assert by["Enterprise"].grr == pytest.approx(1.0, abs=TOL)
    assert by["SMB"].nrr == pytest.approx(150 / 450, abs=TOL)
    assert by["SMB"].grr == pytest.approx(150 / 450, abs=TOL)
    assert by["SMB"].bridge.new == 50 and by["SMB"].churned_accounts == 1
    assert by["SMB"].bridge.ending == 200  # 450 − 100 contraction − 200 churn + 50 new


def test_retention_by_region_puts_blank_cells_in_their_own_group(accounts):
    by = retention_by_attribute(accounts, "region")
    # EMEA (A, C): start 600, now 500 → NRR 0.8333; NA (B, D): start 550, now 450 → 0.8182;
    # the blank region (E) has no starting ARR
    assert list(by) == ["EMEA", "NA", BLANK]
    assert by["EMEA"].nrr == pytest.approx(500 / 600, abs=TOL)
    assert by["NA"].nrr == pytest.approx(450 / 550, abs=TOL)
    assert by[BLANK].existing_accounts == 0 and by[BLANK].bridge.new == 50
    with pytest.raises(ValueError, match="needs the column"):
        retention_by_attribute(accounts, "industry")


def test_the_filter_keeps_values_within_a_column_or_and_across_columns_and(accounts):
    assert filter_mask(accounts, {"segment": ["SMB"]}).tolist() == [False, True, False, True, True]
    both = {"segment": ["SMB", "Enterprise"], "region": ["NA"]}
    assert filter_mask(accounts, both).tolist() == [False, False, True, True, False]
    assert describe_filter(both) == "Segment: SMB, Enterprise · Region: NA"
    assert filter_options(accounts) == {"segment": ["Enterprise", "SMB"], "region": ["EMEA", "NA"]}
    assert filter_note({}, 5, 5) == "All 5 accounts (no filter)."


def test_a_filtered_analysis_covers_the_filter_and_keeps_each_accounts_tier(accounts):
    full = analyze_with(accounts, DEFAULT_SETTINGS)
    smb = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": {"segment": ["SMB"]}})
    assert list(smb.accounts["account_id"]) == ["C", "D", "E"]
    assert smb.concentration.total_arr == 200  # 0 + 150 + 50
    assert smb.retention.nrr == pytest.approx(150 / 450, abs=TOL)
    # scored on the whole portfolio: the same tier as without the filter
    assert smb.accounts["tier"].equals(full.accounts["tier"].loc[smb.accounts.index])
    assert smb.retention_by_tier["Strategic"].bridge.starting == 200  # C only
    assert smb.filter_note == "Filtered to Segment: SMB (3 of 5 accounts)."
    assert (
        smb.to_dict()["filter"] == smb.filter_note
        and full.to_dict()["filter"] == "All 5 accounts (no filter)."
    )


def test_bad_filters_say_what_is_wrong(accounts):
    with pytest.raises(ValueError, match="leaves no accounts"):
        analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": {"segment": ["Nowhere"]}})
    with pytest.raises(ValueError, match="no Industry column"):
        filtered_accounts(accounts, {"filter": {"industry": ["Retail"]}})
    with pytest.raises(ValueError, match="cannot filter by 'colour'"):
        read_filter({"colour": ["red"]})
    with pytest.raises(ValueError, match="must be a list"):
        read_settings({"filter": {"segment": "SMB"}})
    assert read_filter({"segment": [], "region": ["NA"]}) == {"region": ["NA"]}


def test_cli_filter_items(accounts):
    assert parse_filter_args(["segment=Enterprise", "Segment=SMB", "region=NA"]) == {
        "segment": ["Enterprise", "SMB"],
        "region": ["NA"],
    }
    with pytest.raises(ValueError, match="expected COLUMN=VALUE"):
        parse_filter_args(["segment"])


def test_the_trend_follows_the_filter_on_an_order_history():
    """Superstore orders (a revenue history with Segment and Region): the last quarter's
    trailing-year revenue under segment=Consumer is the filtered snapshot's total ARR."""
    from conftest import real_file
    from portfolio.ingest import load_file
    from portfolio.whatif import history_with

    accounts = load_file(real_file("Sample - Superstore.csv")).accounts
    consumer = {**DEFAULT_SETTINGS, "filter": {"segment": ["Consumer"]}}
    trend = history_with(accounts, consumer).trend
    everyone = history_with(accounts, DEFAULT_SETTINGS).trend
    total = analyze_with(accounts, consumer).concentration.total_arr
    assert trend.points[-1].total_arr == pytest.approx(total, rel=1e-12)
    assert trend.points[-1].total_arr < everyone.points[-1].total_arr


def test_the_retention_chart_and_its_table_by_segment_agree(accounts):
    from reporting.chart_tables import retention_table
    from reporting.figures import retention_figure

    analysis = analyze_with(accounts, DEFAULT_SETTINGS)
    figure = retention_figure(analysis, "segment")
    assert list(figure.data[0].x) == ["Enterprise", "SMB"]
    assert list(figure.data[0].y) == pytest.approx([800 / 700, 150 / 450], abs=TOL)
    table = retention_table(analysis, "segment").frame
    assert table.to_dict("records") == [
        {"Segment": "Enterprise", "Accounts a year ago": "2", "NRR": "114.3%", "GRR": "100.0%"},
        {"Segment": "SMB", "Accounts a year ago": "2", "NRR": "33.3%", "GRR": "33.3%"},
    ]
    assert retention_figure(analysis, "industry").layout.title.text.startswith("Retention by tier")


def test_a_filter_does_not_make_an_overloaded_sam_look_free():
    """A SAM's load is their whole book whatever the filter (the executive review found the demo's
    SAM coverage card turning green under Segment = Enterprise): Ann's three accounts all count,
    though only one of them is Enterprise."""
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "account_name": ["Alpha", "Beta", "Gamma"],
            "arr": [300.0, 200.0, 100.0],
            "arr_prior": [300.0, 200.0, 100.0],
            "sam": ["Ann"] * 3,
            "segment": ["Enterprise", "SMB", "SMB"],
        }
    )
    full = analyze_with(accounts, DEFAULT_SETTINGS)
    enterprise = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": {"segment": ["Enterprise"]}})
    assert enterprise.concentration.total_arr == 300  # the figures cover the filter …
    assert enterprise.workload.by_sam.loc["Ann", "accounts"] == 3  # … the SAM's book does not
    assert enterprise.workload.by_sam.equals(full.workload.by_sam)
    assert enterprise.workload.by_tier.equals(full.workload.by_tier)
