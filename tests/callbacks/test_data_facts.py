"""Currency, as-of date and data kind in the dashboard (issue 14): kept with the session's data
through the store, the currency each callback prints in, the cards of order data, and a bad
choice changing nothing."""

import contextvars
import json

import pandas as pd

from conftest import real_file
from dashboard import ids, state
from portfolio.datafacts import facts_of
from portfolio.formatting import current_currency
from portfolio.ingest import load_file
from portfolio.whatif import DEFAULT_SETTINGS, read_settings

UK = "online_retail_ii_accounts.csv"


def isolated(test):
    """Run ``test`` in a context of its own: the currency it sets ends with it."""
    return contextvars.copy_context().run(test)


def callback_request(server, cookie: str | None, settings: dict | None):
    """A Dash callback request of this session sending the settings store (None: not sent)."""
    body = {"output": "x.children", "inputs": [], "state": []}
    if settings is not None:
        body["inputs"] = [{"id": ids.SETTINGS, "property": "data", "value": settings}]
    headers = {"Cookie": f"{state.COOKIE}={cookie}"} if cookie else {}
    return server.test_request_context(
        "/_dash-update-component",
        method="POST",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def upload_uk(server) -> str:
    """Store the UK retailer's file, dated 2011-11-30, as a session's data; its cookie."""
    result = load_file(real_file(UK), as_of="2011-11-30")
    with server.test_request_context("/"):
        server.preprocess_request()
        state.save_data(result.accounts, {"source": UK, "shape": "snapshot", "demo": False, "notes": []})
        response = server.process_response(server.response_class())
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(state.COOKIE))
    return header.split(";", 1)[0].split("=", 1)[1]


def test_facts_survive_the_session_store(dash_app):
    server = dash_app.server
    cookie = upload_uk(server)

    def check():
        with callback_request(server, cookie, None):
            server.preprocess_request()
            accounts, meta = state.current_data()
            facts = facts_of(accounts)
            assert (facts.currency, facts.as_of, facts.data_kind) == (
                "GBP",
                pd.Timestamp("2011-11-30"),
                "subscription",
            )
            assert facts.currency_source.startswith("the Country column")
            assert meta["as_of"] == "2011-11-30"
            assert current_currency() == "GBP"  # the callback prints pounds

    isolated(check)


def test_each_callback_prints_in_its_session_currency_or_the_one_chosen(dash_app):
    server = dash_app.server
    cookie = upload_uk(server)

    def check():
        with callback_request(server, cookie, {**DEFAULT_SETTINGS, "currency": "EUR"}):
            server.preprocess_request()
            assert current_currency() == "EUR"
        with callback_request(server, cookie, {**DEFAULT_SETTINGS, "currency": "XYZ"}):  # altered
            server.preprocess_request()
            assert current_currency() == "GBP"  # ignored: the data's currency
        with callback_request(server, None, None):  # another browser: the demo, in dollars
            server.preprocess_request()
            assert current_currency() == "USD"

    isolated(check)


def test_overview_cards_in_pounds_and_repeat_revenue_for_order_data(dash_app):
    from dashboard.pages.overview import update_overview  # pages register with the app

    server = dash_app.server
    cookie = upload_uk(server)

    def check():
        with callback_request(server, cookie, DEFAULT_SETTINGS):
            server.preprocess_request()
            cards, *_ = update_overview(DEFAULT_SETTINGS, 1)
            text = str(cards)
            assert "£7.97M" in text and "$" not in text
            assert "'NRR'" in text and "benchmark" in text
            orders = {**DEFAULT_SETTINGS, "data_kind": "transactional"}
            cards, *_ = update_overview(orders, 1)
            text = str(cards)
            assert "Net repeat-revenue retention" in text and "order data: no SaaS benchmark applies" in text
            assert "border-danger" not in text.split("Net repeat-revenue retention")[1][:400]

    isolated(check)


def test_a_currency_or_data_kind_not_offered_is_a_message():
    for bad, message in (
        ({"currency": "XYZ"}, "unknown currency code 'XYZ'"),
        ({"data_kind": "weekly"}, "data kind must be subscription or transactional"),
    ):
        try:
            read_settings({**DEFAULT_SETTINGS, **bad})
        except ValueError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"{bad} accepted")
    assert read_settings({**DEFAULT_SETTINGS, "currency": "gbp"})["currency"] == "GBP"
