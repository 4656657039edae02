"""Issue 14 item 8: the segment filter on every page, the simulator and the exports; retention
by segment on the Retention page. Called directly, in a request with its own session (the
demo portfolio, which has segment, industry, region and SAM columns)."""

import importlib

import pandas as pd
import pytest

from conftest import DEMO
from dashboard import exporting
from portfolio.whatif import DEFAULT_SETTINGS

ENTERPRISE = {**DEFAULT_SETTINGS, "filter": {"segment": ["Enterprise"]}}


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO)


def page(name: str):
    return importlib.import_module(f"dashboard.pages.{name}")


def test_the_filter_changes_the_overview_and_tiers_figures(request_ctx, dash_app, demo):
    enterprise = demo[(demo["segment"] == "Enterprise") & (demo["arr"] > 0)]
    _, _, all_tiers, *_ = page("overview").update_overview(DEFAULT_SETTINGS, 0)
    _, _, ent_tiers, *_ = page("overview").update_overview(ENTERPRISE, 0)
    accounts = lambda fig: sum(fig.data[0].y)  # noqa: E731 (the accounts bars)
    assert accounts(all_tiers) == (demo["arr"] > 0).sum()
    assert accounts(ent_tiers) == len(enterprise)
    migration = page("tiers").update_tiers(ENTERPRISE, 0)[5]
    assert "Current × proposed" in str(migration)


def test_retention_by_segment_is_drawn_from_the_filtered_accounts(request_ctx, dash_app, demo):
    existing = demo[demo["arr_prior"] > 0]
    starting = existing.groupby("segment")["arr_prior"].sum().sort_values(ascending=False)
    figure, *_ = page("retention").update_retention(DEFAULT_SETTINGS, 0, "All", "segment")
    assert figure.layout.title.text.startswith("Retention by segment")
    assert list(figure.data[0].x) == list(starting.index)
    nrr = existing.groupby("segment")["arr"].sum() / starting
    assert list(figure.data[0].y) == pytest.approx(list(nrr[starting.index]), abs=1e-12)
    options = page("retention").group_options(0)
    assert [o["value"] for o in options] == ["tier", "segment", "industry", "region", "sam"]
    assert not any(o.get("disabled") for o in options)  # the demo has every attribute
    figure, *_ = page("retention").update_retention(ENTERPRISE, 0, "All", "segment")
    assert list(figure.data[0].x) == ["Enterprise"]
    by_tier, *_ = page("retention").update_retention(DEFAULT_SETTINGS, 0, "All", "colour")
    assert by_tier.layout.title.text.startswith("Retention by tier")  # an altered request


def test_the_simulator_offers_only_the_filtered_accounts(request_ctx, dash_app, demo):
    enterprise = demo[(demo["segment"] == "Enterprise") & (demo["arr"] > 0)]
    rows, *_ = page("simulator").fill_controls(0, ENTERPRISE, None)
    assert sorted(r["account_id"] for r in rows) == sorted(enterprise["account_id"])
    assert {r["tier"] for r in rows} <= set(enterprise["tier"])  # today's (assigned) tiers


def test_export_footnotes_say_the_filter(request_ctx):
    source, _, _ = exporting._source(ENTERPRISE)
    assert source == "Demo portfolio (synthetic) — filtered to Segment: Enterprise"
    assert exporting._source(DEFAULT_SETTINGS)[0] == "Demo portfolio (synthetic)"
