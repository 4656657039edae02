"""The Data page's server-side files (STRATA_DATA_DIR, issue 16 item 4): listed by name, loaded
by name into the session (accounts and quarters, not lines); a name leading out of the
directory is refused with a message and nothing loaded changes."""

from dataclasses import replace
from importlib import import_module

import pytest

from dashboard import state
from portfolio.ingest.history import quarters_of

HISTORY = "Customer ID,Order Date,Sales\nC1,2023-06-30,100\nC1,2022-06-30,70\nC2,2023-01-02,5\n"


@pytest.fixture
def data_page(request_ctx, monkeypatch, tmp_path):
    """The Data page with ``tmp_path/data`` as the data directory (``secret.csv`` outside)."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "orders.csv").write_text(HISTORY)
    (tmp_path / "secret.csv").write_text(HISTORY)
    (root / "link.csv").symlink_to(tmp_path / "secret.csv")
    configured = replace(state.settings(), data_dir=str(root))
    monkeypatch.setattr(state, "settings", lambda: configured)
    return import_module("dashboard.pages.data")


def test_lists_and_loads_by_name(data_page):
    options, style = data_page.list_server_files(None)
    assert options == ["orders.csv"] and style == {"display": "block"}
    out = data_page.on_server_file(1, "orders.csv", 3)
    assert out["version"] == 4 and "Loaded orders.csv: 2 accounts (history)" in str(out["report"])
    accounts, meta = state.current_data()
    assert meta["source"] == "orders.csv" and sorted(accounts["account_id"]) == ["C1", "C2"]
    assert quarters_of(accounts) is not None  # the quarters are kept (trends), not the lines


@pytest.mark.parametrize("name", ["../secret.csv", "link.csv", "/etc/passwd", "missing.csv"])
def test_a_name_out_of_the_directory_changes_nothing(data_page, name):
    before, fingerprint = state.current_data()[1], state.data_fingerprint()
    out = data_page.on_server_file(1, name, 3)
    assert out["version"] is data_page.no_update
    assert "was rejected" in str(out["report"])
    assert state.current_data()[1] == before and state.data_fingerprint() == fingerprint


def test_hidden_without_a_data_directory(request_ctx):
    data_page = import_module("dashboard.pages.data")
    assert state.settings().data_dir is None
    assert data_page.list_server_files(None) == ([], {"display": "none"})
