"""Currency, as-of date and data kind (issue 14, items 2–4): detection by hand-worked examples
and on the files in ../shared/real-data, the user's choices, JSON fields and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from cli import main
from conftest import DEMO, real_file
from exports.pack import build_pack
from portfolio.account_list import to_csv_bytes
from portfolio.analysis import analyze
from portfolio.currency import currency_in_cells, currency_in_header, currency_of_countries, validate_currency
from portfolio.datafacts import DataFacts, chosen, facts_of, retention_names, trend_of_kind, with_facts
from portfolio.formatting import current_currency, money, using_currency
from portfolio.ingest import load_bytes, load_file, parse_money
from portfolio.trends import Trend

UK = "online_retail_ii_accounts.csv"
SAAS = "SaaS-Sales.csv"
SUPERSTORE = "Sample - Superstore.csv"


def cells(*values: str) -> pd.Series:
    return pd.Series(list(values))


# ------------------------------------------------------------------ currency from the cells


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (("£1,200", "£300.50", "1.5"), "GBP"),  # unmarked cells do not count against the mark
        (("1.234,50 EUR", "(500) EUR", "-20 eur"), "EUR"),  # code after the number, any case
        (("€ 1 200", "€3"), "EUR"),
        (("US$5", "$3", "-$4"), "USD"),
        (("A$1,000", "AUD 20"), "AUD"),
        (("¥5000",), "JPY"),
        (("CHF 1'234.50",), "CHF"),
    ],
)
def test_currency_marks_in_amount_cells(values, code):
    assert currency_in_cells(cells(*values), "ARR")[0] == code


def test_unmarked_cells_say_nothing():
    assert currency_in_cells(cells("1,200", "3.5", "(40)", "1e3"), "ARR") == (None, "")


def test_mixed_currencies_take_the_most_frequent_and_say_so():
    code, phrase = currency_in_cells(cells("£1", "£2", "€3"), "ARR")
    assert code == "GBP"
    assert phrase == "£ in the ARR column (2 cells; also EUR in 1 cells: amounts are not converted)"


@pytest.mark.parametrize(
    ("text", "value"), [("A$1,000", 1000.0), ("1.234,50 EUR", 1234.5), ("¥500", 500.0), ("(£20)", -20.0)]
)
def test_money_cells_with_any_offered_mark_parse(text, value):
    assert parse_money(text) == value


def test_country_majority_names_the_currency():
    # 3 of 4 rows United Kingdom = 75% ≥ 50%
    code, phrase = currency_of_countries(
        cells("United Kingdom", "United Kingdom", "France", "united kingdom"), "Country"
    )
    assert (code, phrase) == ("GBP", "the Country column: 75% of rows United Kingdom")
    # exactly half is a majority (≥ 50%); 2 of 5 is not
    assert currency_of_countries(cells("Germany", "Japan"), "Country")[0] in ("EUR", "JPY")
    assert currency_of_countries(cells("Germany", "Germany", "Japan", "Japan", "Chile"), "Country")[0] is None
    assert currency_of_countries(cells("Atlantis", "Atlantis"), "Country") == (None, "")


def test_cells_beat_the_country_column():
    data = b"account_id,Country,ARR\nA,United States,\xc2\xa3100\nB,United States,\xc2\xa3200\n"
    facts = facts_of(load_bytes(data, "x.csv").accounts)
    assert (facts.currency, facts.currency_source) == ("GBP", "£ in the ARR column")


def test_unknown_currency_code_message():
    with pytest.raises(ValueError, match=r"unknown currency code 'XYZ': use one of USD, EUR, GBP"):
        validate_currency("XYZ")
    assert validate_currency(" gbp ") == "GBP"


# ------------------------------------------------------------------ the user's choices


def test_choice_overrides_detection_and_the_fallback_only_fills_silence():
    detected = DataFacts(currency="GBP", currency_source="£ in the ARR column")
    assert chosen(detected, currency="eur").currency == "EUR"
    assert chosen(detected, fallback="EUR").currency == "GBP"  # the file said GBP
    silent = DataFacts()
    assert chosen(silent, fallback="EUR").currency_source == "STRATA_CURRENCY"
    kind = chosen(silent, data_kind="transactional")
    assert kind.transactional and "not shown" in kind.data_kind_reason
    with pytest.raises(ValueError, match="data kind must be subscription or transactional, not 'weekly'"):
        chosen(silent, data_kind="weekly")


def test_facts_round_trip_through_a_dict_and_bad_fields_fall_back():
    facts = DataFacts(
        currency="GBP",
        currency_source="chosen",
        as_of=pd.Timestamp("2011-11-30"),
        as_of_source="the as-of date given",
        data_kind="transactional",
        data_kind_reason="orders",
    )
    assert DataFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts
    broken = DataFacts.from_dict({"currency": "XYZ", "as_of": "soon", "data_kind": 3})
    assert (broken.currency, broken.as_of, broken.data_kind) == ("USD", None, "subscription")
    assert DataFacts.from_dict(None) == DataFacts()


def test_retention_names_follow_the_data_kind():
    assert retention_names(False) == ("NRR", "GRR")
    assert retention_names(True) == (
        "Net repeat-revenue retention",
        "Gross repeat-revenue retention",
    )


def test_trend_benchmarks_follow_the_chosen_kind():
    trend = Trend(points=[object()], subscription_like=True, kind_reason="steady")  # type: ignore[list-item]
    judged = trend_of_kind(trend, DataFacts(data_kind="transactional", data_kind_reason="orders"))
    assert (judged.subscription_like, judged.kind_reason) == (False, "orders")
    assert trend_of_kind(Trend(note="snapshot"), DataFacts()).note == "snapshot"


# ------------------------------------------------------------------ number format


def test_money_prints_k_m_b_in_the_current_currency_and_the_block_ends():
    assert money(1.6e9) == "$1.60B"  # never "G"
    assert money(45_300) == "$45.3k"
    with using_currency("GBP"):
        assert (money(1.6e9), money(-800), money(2_500_000, signed=True)) == ("£1.60B", "−£800", "+£2.50M")
        assert money(10, "€") == "€10"  # an explicit symbol still wins
    assert current_currency() == "USD"


# ------------------------------------------------------------------ as-of date


def test_snapshot_as_of_column_and_flag():
    data = b"account_id,ARR,As Of\nA,100,2024-03-31\nB,200,2024-06-30\n"
    result = load_bytes(data, "x.csv")
    facts = facts_of(result.accounts)
    assert (facts.as_of, facts.as_of_source) == (pd.Timestamp("2024-06-30"), "the As Of column")
    assert result.as_of == pd.Timestamp("2024-06-30")
    assert any("holds 2 dates" in n for n in result.report.notes)
    given = load_bytes(data, "x.csv", as_of="2024-07-01")
    assert facts_of(given.accounts).as_of == pd.Timestamp("2024-07-01")  # the flag beats the column


def test_snapshot_without_a_date_has_no_as_of_and_a_bad_flag_is_rejected():
    data = b"account_id,ARR\nA,100\n"
    assert load_bytes(data, "x.csv").as_of is None  # never today's date
    bad = load_bytes(data, "x.csv", as_of="yesterday-ish")
    assert not bad.ok
    assert "as-of date is not a date" in bad.report.summary()


# ------------------------------------------------------------------ the real files


@pytest.mark.parametrize(
    ("name", "currency", "kind", "as_of"),
    [
        (UK, "GBP", "subscription", None),
        (SAAS, "USD", "transactional", "2023-12-31"),  # last Order Date in the file
        (SUPERSTORE, "USD", "transactional", "2017-12-30"),  # last Order Date (12/30/2017)
    ],
)
def test_real_files(name, currency, kind, as_of):
    result = load_file(real_file(name))
    facts = facts_of(result.accounts)
    assert (facts.currency, facts.data_kind, facts.to_dict()["as_of"]) == (currency, kind, as_of)


def test_uk_file_is_in_pounds_from_its_country_column_and_dated_by_the_flag():
    result = load_file(real_file(UK), as_of="2011-11-30")
    facts = facts_of(result.accounts)
    assert facts.currency_source.startswith("the Country column: 91% of rows United Kingdom")
    assert facts.as_of == pd.Timestamp("2011-11-30")
    assert facts.symbol == "£"


def test_demo_is_a_dollar_subscription_snapshot():
    facts = facts_of(load_file(DEMO).accounts)
    assert (facts.currency, facts.data_kind, facts.as_of) == ("USD", "subscription", None)


def test_analysis_json_carries_the_facts():
    accounts = with_facts(
        load_file(DEMO).accounts,
        DataFacts(currency="EUR", as_of=pd.Timestamp("2024-01-31"), data_kind="transactional"),
    )
    out = analyze(accounts).to_dict()
    assert (out["currency"], out["as_of"], out["data_kind"]) == ("EUR", "2024-01-31", "transactional")
    assert out["retention"]["names"]["net"] == "Net repeat-revenue retention"
    assert out["retention"]["benchmarks_apply"] is False


# ------------------------------------------------------------------ the CLI


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_json_fields_for_the_uk_file(capsys):
    status, out, _ = run(capsys, "analyze", str(real_file(UK)), "--as-of", "2011-11-30", "--json")
    payload = json.loads(out)
    assert status == 0
    assert (payload["currency"], payload["as_of"], payload["data_kind"]) == (
        "GBP",
        "2011-11-30",
        "subscription",
    )
    assert payload["source"]["as_of"] == "2011-11-30"


def test_cli_text_uses_pounds_and_the_flags_override(capsys):
    _, out, _ = run(capsys, "analyze", str(real_file(UK)))
    assert "total ARR           £7,970,786" in out
    assert "$" not in out
    _, out, _ = run(
        capsys, "analyze", str(real_file(UK)), "--currency", "EUR", "--data-kind", "transactional"
    )
    assert "€7,970,786" in out and "Net repeat-revenue retention" in out
    assert "Repeat-revenue retention (tier at start of period)" in out and "NRR 80.7%" not in out
    assert current_currency() == "USD"  # the command's currency ended with it


def test_cli_order_export_is_repeat_revenue_retention(capsys):
    _, out, _ = run(capsys, "analyze", str(real_file(SUPERSTORE)), "--json")
    payload = json.loads(out)
    assert payload["data_kind"] == "transactional"
    assert payload["retention"]["benchmarks_apply"] is False
    _, text, _ = run(capsys, "analyze", str(real_file(SUPERSTORE)))
    assert "Repeat-revenue retention" in text and "benchmarks" in text


def test_cli_bad_currency_code_is_a_message(capsys):
    status, _, err = run(capsys, "analyze", str(DEMO), "--currency", "XYZ")
    assert status == 2
    assert "--currency: unknown currency code 'XYZ'" in err
    status, out, _ = run(capsys, "analyze", str(DEMO), "--currency", "XYZ", "--json")
    assert status == 2 and "unknown currency code" in json.loads(out)["error"]["message"]


def test_cli_currency_env_fills_silence_only(capsys, monkeypatch):
    monkeypatch.setenv("STRATA_CURRENCY", "EUR")
    _, out, _ = run(capsys, "analyze", str(DEMO), "--json")
    assert json.loads(out)["currency"] == "EUR"
    _, out, _ = run(capsys, "analyze", str(real_file(UK)), "--json")
    assert json.loads(out)["currency"] == "GBP"
    monkeypatch.setenv("STRATA_CURRENCY", "nope")
    status, _, err = run(capsys, "analyze", str(DEMO))
    assert status == 2 and "STRATA_CURRENCY: unknown currency code 'nope'" in err


# ------------------------------------------------------------------ downloads and the board pack


@pytest.mark.parametrize(
    ("header", "code"),
    [("ARR (GBP)", "GBP"), ("Sales €", "EUR"), ("Revenue USD", "USD"), ("Gross margin", None), ("ARR", None)],
)
def test_currency_named_in_the_amount_header(header, code):
    assert currency_in_header(header)[0] == code


def test_downloaded_list_names_its_currency_and_reads_back_in_it():
    accounts = with_facts(load_file(DEMO).accounts, DataFacts(currency="GBP"))
    analysis = analyze(accounts)
    text = to_csv_bytes(analysis.accounts, analysis.facts.currency)
    header = text.decode("utf-8-sig").splitlines()[0].split(",")
    assert "arr (GBP)" in header and "arr_prior (GBP)" in header
    again = load_bytes(text, "list.csv")
    assert facts_of(again.accounts).currency == "GBP"
    assert again.accounts["arr"].sum() == pytest.approx(analysis.accounts["arr"].sum())


def test_board_pack_title_and_footnote_carry_the_data_date_and_currency_never_today():
    accounts = load_file(real_file(UK)).accounts  # no as-of date in the file
    with using_currency("GBP"):
        pack = build_pack(analyze(accounts), UK)
    assert pack.subtitle == f"{UK} · as-of date not given · amounts in GBP"
    assert pack.footnote == f"Source: {UK} · as-of date not given · amounts in GBP · Strata"
    assert str(date.today().year) not in pack.subtitle + pack.footnote
    kpis = next(s for s in pack.slides if s.key == "kpis")
    assert kpis.rows[0][1] == "£7.97M"
    dated = load_file(real_file(UK), as_of="2011-11-30").accounts
    assert "data as of 2011-11-30" in build_pack(analyze(dated), UK).subtitle
    method = next(s for s in pack.slides if s.key == "method")
    assert method.bullets[0].startswith("Data: amounts in GBP (the Country column")


def test_money_axes_and_hovers_follow_the_currency_with_b_for_billions():
    from reporting import figures

    analysis = analyze(load_file(real_file(UK)).accounts)
    with using_currency("GBP"):
        bridge, pareto = figures.arr_bridge_figure(analysis), figures.pareto_figure(analysis)
        retention = figures.retention_by_tier_figure(analysis)
    assert bridge.layout.yaxis.tickprefix == "£"
    assert bridge.layout.yaxis.exponentformat == "B"  # Plotly's "SI" would print 1.6G
    assert bridge.layout.yaxis.tickformat is None
    assert "(ARR £%{customdata:,.0f})" in pareto.data[0].hovertemplate
    assert "benchmark 92–98%" in str(retention.layout.annotations)  # a subscription snapshot
    orders = analyze(load_file(real_file(SUPERSTORE)).accounts)
    shown = figures.retention_by_tier_figure(orders)
    assert "benchmark" not in str(shown.layout.annotations) and len(shown.layout.shapes) == 1  # the 100% line
    assert shown.layout.annotations[0].text == "<b>Net repeat-revenue retention by tier</b>"


def test_cli_simulate_json_carries_the_facts(capsys):
    status, out, _ = run(
        capsys,
        "simulate",
        str(real_file(UK)),
        "--paths",
        "200",
        "--horizon",
        "4",
        "--as-of",
        "2011-11-30",
        "--json",
    )
    payload = json.loads(out)
    assert status == 0
    assert (payload["currency"], payload["as_of"], payload["data_kind"]) == (
        "GBP",
        "2011-11-30",
        "subscription",
    )


def test_facts_travel_with_a_frame_without_being_copied():
    """pandas deep-copies ``attrs`` on every operation: the (immutable) facts are shared, not
    copied each time (a copy per operation was ~20 ms of each what-if callback)."""
    from portfolio.datafacts import DataFacts, facts_of, with_facts

    facts = DataFacts(currency="GBP", as_of=pd.Timestamp("2011-12-09"))
    frame = with_facts(pd.DataFrame({"arr": [1.0, 2.0]}), facts)
    derived = frame[frame["arr"] > 1].assign(double=lambda f: 2 * f["arr"])
    assert facts_of(derived) is facts and facts_of(derived).currency == "GBP"


def test_every_snapshot_travels_with_a_frame_without_being_copied():
    from portfolio.carried import snapshots_of, with_snapshots

    everything = pd.DataFrame({"account_id": ["A", "A"], "snapshot_date": ["2024-03-31", "2024-06-30"]})
    frame = with_snapshots(pd.DataFrame({"arr": [1.0, 2.0]}), everything)
    assert snapshots_of(frame[frame["arr"] > 1]) is everything
    assert snapshots_of(pd.DataFrame({"arr": [1.0]})) is None
