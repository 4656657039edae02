"""Issue 14 item 5: SAM coverage without a SAM column, and one definition of the strategic SAMs."""

import pandas as pd
import pytest

from conftest import DEMO
from portfolio.analysis import analyze
from portfolio.capacity import workload
from portfolio.ingest import load_file
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting import figures
from reporting.kpis import overview_kpis
from reporting.simulator import default_sams

# SAM X: 2 strategic + 50 standard accounts; SAM Y: 1 strategic account.
MIXED = pd.DataFrame(
    {
        "account_id": [f"A{i}" for i in range(53)],
        "arr": [1.0] * 53,
        "sam": ["X"] * 52 + ["Y"],
    }
)
MIXED_TIERS = pd.Series(["Strategic"] * 2 + ["Standard"] * 50 + ["Strategic"])


def test_strategic_sams_do_not_move_with_capacity():
    """Measured before: time split by load gave X 0.2/(0.2+50/75) = 0.23 strategic FTE at
    capacity 10 and 0.333/(0.333+0.667) = 0.33 at capacity 6, so lowering capacity *raised*
    the strategic SAMs (1.23 → 1.33). Now: the SAMs carrying strategic accounts, X and Y = 2."""
    at_10 = workload(MIXED, MIXED_TIERS, {"Strategic": 10})
    at_6 = workload(MIXED, MIXED_TIERS, {"Strategic": 6})
    assert at_10.strategic_sams == at_6.strategic_sams == 2


def test_simulator_default_is_the_same_whole_number_at_any_capacity():
    accounts = load_file(DEMO).accounts
    at_10 = analyze_with(accounts, DEFAULT_SETTINGS)
    at_6 = analyze_with(accounts, {**DEFAULT_SETTINGS, "capacity": {"Strategic": 6}})
    # the demo's strategic accounts are carried by 4 SAMs
    assert default_sams(at_10) == default_sams(at_6) == 4
    assert at_10.workload.strategic_sams == 4


def test_without_a_sam_column_strategic_sams_are_unknown_and_the_simulator_uses_the_need():
    accounts = load_file(DEMO).accounts.drop(columns="sam")
    analysis = analyze(accounts)
    assert analysis.workload.strategic_sams is None and not analysis.workload.has_sams
    # 50 strategic accounts at 10 per SAM need 5
    assert default_sams(analysis) == 5


def _card(analysis, title):
    return next(k for k in overview_kpis(analysis) if k.title == title)


def test_sam_coverage_card_without_a_sam_column_asks_for_the_headcount():
    accounts = load_file(DEMO).accounts.drop(columns="sam")
    card = _card(analyze(accounts), "SAM coverage")
    assert card.value.startswith("–") and card.tone == "secondary"
    assert card.reading.startswith("no SAM column: enter the SAM headcount")
    entered = _card(analyze(accounts, available_headcount=30), "SAM coverage")
    assert entered.value.startswith("30 /")


def test_strategic_card_is_not_green_when_the_strategic_sams_are_over_capacity():
    """Measured before: "12.5 per SAM (norm 5–15)" in green while the 4 strategic SAMs carry
    14–15 strategic accounts each against a capacity of 10 (140–150% load)."""
    analysis = analyze_with(load_file(DEMO).accounts, DEFAULT_SETTINGS)
    card = _card(analysis, "Strategic accounts")
    assert card.tone != "success"
    assert "12.5 per SAM on 4 strategic SAMs" in card.reading and "capacity 10" in card.reading
    roomy = analyze_with(load_file(DEMO).accounts, {**DEFAULT_SETTINGS, "capacity": {"Strategic": 15}})
    assert _card(roomy, "Strategic accounts").tone == "success"


def test_capacity_chart_explains_instead_of_an_empty_chart():
    accounts = load_file(DEMO).accounts.drop(columns="sam")
    fig = figures.sam_load_figure(analyze(accounts))
    assert fig.data == ()
    text = fig.layout.annotations[0].text
    assert "No SAM column" in text and "headcount" in text
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


@pytest.mark.parametrize("capacity", [6, 10, 15])
def test_strategic_sams_are_whole_people(capacity):
    w = workload(MIXED, MIXED_TIERS, {"Strategic": capacity})
    assert isinstance(w.strategic_sams, int)


def test_capacity_takeaways_without_a_sam_column_say_so():
    from reporting.takeaways import takeaways

    accounts = load_file(DEMO).accounts.drop(columns="sam")
    text = takeaways(analyze(accounts))
    assert text["sam-workload"] == "No SAM column in the data: per-SAM load cannot be shown."
    assert text["sam-headcount"].endswith("no SAM column: enter the SAM headcount to compare.")


def test_capacity_page_names_the_same_strategic_sams_as_the_overview_and_simulator():
    from reporting.takeaways import takeaways

    analysis = analyze_with(load_file(DEMO).accounts, DEFAULT_SETTINGS)
    text = takeaways(analysis)["sam-headcount"]
    assert text.endswith("27 are available, 4 of them carrying strategic accounts.")
    assert default_sams(analysis) == analysis.workload.strategic_sams == 4
