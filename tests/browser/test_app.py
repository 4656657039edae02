"""Real-browser tests (dash_duo, headless Chromium against the app on loopback)."""

import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_helpers import click, gunicorn, kpi, open_page, simulator_headline, upload, wait_for_kpi

pytestmark = pytest.mark.browser

GRAPHS_PER_PAGE = {"/": 2, "/concentration": 2, "/tiers": 2, "/retention": 2, "/capacity": 2, "/simulator": 3}
GOOD_CSV = "account_id,account_name,arr,arr_prior\nA,Acme,1000,900\nB,Beta,500,0\nC,Gamma,250,300\n"
BROKEN_CSV = "account_id,arr\nA,-5\nA,ten\n"


def test_every_page_renders_its_figures_without_console_errors(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    for path, n_graphs in GRAPHS_PER_PAGE.items():
        open_page(dash_duo, path)
        until(
            lambda n=n_graphs: len(dash_duo.find_elements(".js-plotly-plot .main-svg")) >= n,
            timeout=10,
            msg=f"{path} did not draw {n_graphs} figures",
        )
    open_page(dash_duo, "/data")
    dash_duo.wait_for_element(".ag-row", timeout=10)
    assert dash_duo.get_logs() == []


def test_moving_the_strategic_threshold_changes_the_strategic_count(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    before = int(kpi(dash_duo, "Strategic accounts").split()[0])
    handle = dash_duo.find_elements("#whatif-thresholds [role=slider]")[-1]
    handle.click()
    handle.send_keys(*[Keys.ARROW_RIGHT] * 8)
    until(
        lambda: int(kpi(dash_duo, "Strategic accounts").split()[0]) < before,
        timeout=10,
        msg="the strategic count did not fall when the threshold rose",
    )


def test_upload_updates_kpis_and_broken_file_keeps_them(dash_duo, dash_app, tmp_path):
    dash_duo.start_server(dash_app)
    wait_for_kpi(dash_duo, "Accounts", "1,200")
    upload(dash_duo, tmp_path, "good.csv", GOOD_CSV)
    dash_duo.wait_for_contains_text("#data-ok", "3 accounts", timeout=10)
    open_page(dash_duo, "/")
    wait_for_kpi(dash_duo, "Accounts", "3")
    assert kpi(dash_duo, "Total ARR") == "$1.75k"

    upload(dash_duo, tmp_path, "broken.csv", BROKEN_CSV)
    dash_duo.wait_for_contains_text("#data-error", "negative ARR", timeout=10)
    assert "duplicate account id" in dash_duo.find_element("#data-error").text
    open_page(dash_duo, "/")
    wait_for_kpi(dash_duo, "Accounts", "3")
    assert dash_duo.get_logs() == []


def test_two_browser_sessions_keep_separate_data(dash_duo, dash_app, tmp_path):
    dash_duo.start_server(dash_app)
    upload(dash_duo, tmp_path, "mine.csv", GOOD_CSV)
    dash_duo.wait_for_contains_text("#data-ok", "3 accounts", timeout=10)
    mine = dash_duo.driver.get_cookie("strata_sid")
    dash_duo.driver.delete_all_cookies()  # a second browser session: no cookie yet
    dash_duo.driver.get(dash_duo.server_url)
    wait_for_kpi(dash_duo, "Accounts", "1,200")
    dash_duo.driver.add_cookie({"name": mine["name"], "value": mine["value"]})
    dash_duo.driver.get(dash_duo.server_url)
    wait_for_kpi(dash_duo, "Accounts", "3")


@pytest.fixture(params=["diskcache", "redis"])
def gunicorn_url(request, tmp_path):
    """``gunicorn app:server -w 2`` with its own session store (a diskcache directory, or Redis
    as in a scale-out deployment) and a fresh database, as on a new deployment (both workers
    create the scenarios table at once)."""
    env = {
        **os.environ,
        "STRATA_CACHE_DIR": str(tmp_path / "store"),
        "STRATA_DATABASE_URL": f"sqlite:///{tmp_path / 'scenarios.db'}",
    }
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
        env["STRATA_SECRET_KEY"] = os.environ["STRATA_SECRET_KEY"]  # set by the redis_url fixture
    service, url = gunicorn(tmp_path, env)
    try:
        yield url
        assert service.running(), f"gunicorn stopped:\n{service.log()}"
    finally:
        service.stop()


def save_scenario(dash_duo, name: str) -> None:
    """Save the preview on the Simulator page under this name."""
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    dash_duo.find_element("#sim-save-name").send_keys(name)
    click(dash_duo, "#sim-save")
    dash_duo.wait_for_contains_text("#sim-saved-grid", name, timeout=10)


def saved_names(dash_duo, expected: str) -> str:
    """The saved-scenario list once it shows ``expected`` (so it has loaded)."""
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-saved-grid", expected, timeout=20)
    return dash_duo.find_element("#sim-saved-grid").text


def test_sessions_stay_separate_under_gunicorn_with_two_workers(dash_duo, gunicorn_url, tmp_path):
    """Uploads and saved scenarios of one browser session are never seen by another."""
    driver = dash_duo.driver
    driver.get(gunicorn_url)
    wait_for_kpi(dash_duo, "Accounts", "1,200", timeout=30)  # the second worker may still boot
    upload(dash_duo, tmp_path, "mine.csv", GOOD_CSV)
    dash_duo.wait_for_contains_text("#data-ok", "3 accounts", timeout=10)
    save_scenario(dash_duo, "Mine only")
    for _ in range(6):  # full reloads: requests land on both workers, the data follows the cookie
        driver.get(gunicorn_url)
        wait_for_kpi(dash_duo, "Accounts", "3")
    mine = driver.get_cookie("strata_sid")

    driver.delete_all_cookies()  # another person: no cookie, so the demo data and no scenarios
    driver.get(gunicorn_url)
    wait_for_kpi(dash_duo, "Accounts", "1,200")
    assert driver.get_cookie("strata_sid")["value"] != mine["value"]
    save_scenario(dash_duo, "Theirs only")
    assert "Mine only" not in saved_names(dash_duo, "Theirs only")

    driver.add_cookie({"name": mine["name"], "value": mine["value"]})  # back to the first
    driver.get(gunicorn_url)
    wait_for_kpi(dash_duo, "Accounts", "3")
    assert "Theirs only" not in saved_names(dash_duo, "Mine only")
    assert dash_duo.get_logs() == []


def test_simulator_full_run_with_progress_then_save_and_reload(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    click(dash_duo, "#sim-next-button")  # promote the next 5 by score
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting 5 accounts", timeout=20)

    Select(dash_duo.find_element("#sim-paths")).select_by_value("2000")
    click(dash_duo, "#sim-run")
    dash_duo.wait_for_contains_text("#sim-progress", "done: 2,000 paths", timeout=60)
    dash_duo.wait_for_contains_text("#sim-headline", "Full run: 2,000 paths", timeout=20)
    assert "Promoting 5 accounts" in simulator_headline(dash_duo)
    until(lambda: len(dash_duo.find_elements("#sim-fan-graph .main-svg")) > 0, timeout=10)
    assert len(dash_duo.find_elements("#sim-delta-graph .bars path")) > 0  # the paired deltas

    dash_duo.find_element("#sim-save-name").send_keys("Top 5 promoted")
    click(dash_duo, "#sim-save")
    dash_duo.wait_for_contains_text("#sim-saved-message", "Saved as #", timeout=10)
    dash_duo.wait_for_contains_text("#sim-saved-grid", "Top 5 promoted", timeout=10)

    click(dash_duo, "#sim-clear-button")  # back to a baseline-only preview
    until(lambda: "Promoting" not in simulator_headline(dash_duo), timeout=20)
    click(dash_duo, "#sim-saved-grid .ag-row .ag-checkbox-input")
    click(dash_duo, "#sim-load")
    dash_duo.wait_for_contains_text("#sim-saved-message", "Loaded “Top 5 promoted”", timeout=10)
    dash_duo.wait_for_contains_text("#sim-headline", "saved scenario: Top 5 promoted", timeout=10)
    assert "Full run: 2,000 paths" in simulator_headline(dash_duo)
    assert "Promoting 5 accounts" in simulator_headline(dash_duo)
    assert dash_duo.get_logs() == []


def run_process(me, before: set[int]):
    """The process the embedded background manager forked for a run (a copy of this one)."""
    runs = [child for child in me.children() if child.pid not in before and child.cmdline() == me.cmdline()]
    assert len(runs) == 1
    return runs[0]


def ended(process) -> bool:
    import psutil

    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_cancelled_run_changes_nothing_and_saves_nothing(dash_duo, dash_app):
    import psutil

    me = psutil.Process()
    dash_duo.start_server(dash_app)  # in this process: its runs are forked children of it
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    before = {child.pid for child in me.children()}
    Select(dash_duo.find_element("#sim-paths")).select_by_value("50000")
    click(dash_duo, "#sim-run")
    dash_duo.wait_for_contains_text("#sim-progress", "% of 50,000 paths", timeout=30)
    run = run_process(me, before)
    click(dash_duo, "#sim-cancel")
    # the cancel has happened: the run's process is gone (so no result can come from it), and
    # the page is done with the run (Run comes back once Dash's last poll found it stopped)
    until(lambda: ended(run), timeout=10, msg="the cancelled run's process is still running")
    until(
        lambda: dash_duo.find_element("#sim-run").is_enabled(),
        timeout=10,
        msg="the run button did not come back after cancelling",
    )
    assert "Preview: 1,000 paths" in simulator_headline(dash_duo)
    assert "done" not in dash_duo.find_element("#sim-progress").text
    assert "Run failed" not in dash_duo.find_element("#sim-error").text  # cancelled, not lost
    # nothing saved: the session's last simulation (what the board pack shows) is still the
    # preview, and the session has no saved scenario
    session = dash_duo.driver.get_cookie("strata_sid")["value"].partition(".")[0]  # <id>.<signature>
    report = dash_app.server.extensions["strata_store"].get(session, "report", dict)
    assert report["settings"]["paths"] == 1000
    assert dash_app.server.extensions["strata_scenarios"].list(session) == []


def test_a_run_whose_process_dies_says_run_failed_and_can_be_retried(dash_duo, dash_app):
    import psutil

    me = psutil.Process()
    dash_duo.start_server(dash_app)  # in this process: its runs are forked children of it
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    before = {child.pid for child in me.children()}
    Select(dash_duo.find_element("#sim-paths")).select_by_value("50000")
    click(dash_duo, "#sim-run")
    dash_duo.wait_for_contains_text("#sim-progress", "% of 50,000 paths", timeout=30)
    run_process(me, before).kill()  # as the out-of-memory killer would
    dash_duo.wait_for_contains_text("#sim-error", "Run failed", timeout=20)
    assert "Press Run to retry" in dash_duo.find_element("#sim-error").text
    assert dash_duo.find_element("#sim-run").is_enabled()
    assert dash_duo.find_element("#sim-progress").text == "failed"
    assert dash_duo.get_logs() == []


def downloaded(dash_duo, name: str) -> Path:
    path = Path(dash_duo.download_path) / name
    until(lambda: path.exists() and path.stat().st_size > 0, timeout=60, msg=f"{name} was not downloaded")
    return path


def test_board_pack_and_chart_downloads_deliver_files(dash_duo, dash_app):
    from pptx import Presentation

    dash_duo.start_server(dash_app)
    wait_for_kpi(dash_duo, "Accounts", "1,200")
    click(dash_duo, "#export-pack-pptx")
    deck = Presentation(str(downloaded(dash_duo, "strata-board-pack.pptx")))
    assert len(deck.slides) == 9  # cover, summary, KPIs, five charts, method
    assert sum(shape.has_chart for slide in deck.slides for shape in slide.shapes) >= 5  # native charts

    click(dash_duo, ".chart-export .dropdown-toggle")
    click(dash_duo, "[id*='\"format\":\"svg\"'][id*='tier-distribution']")
    svg = downloaded(dash_duo, "strata-tier-distribution.svg").read_bytes()
    assert svg.lstrip().startswith(b"<svg") and b"Tier distribution" in svg
    assert dash_duo.get_logs() == []


def test_account_names_with_markup_are_shown_as_text(dash_duo, dash_app, tmp_path):
    hostile = (Path(__file__).resolve().parents[1] / "corpus" / "html_names.csv").read_text()
    dash_duo.start_server(dash_app)
    upload(dash_duo, tmp_path, "html_names.csv", hostile)
    dash_duo.wait_for_contains_text("#data-ok", "3 accounts", timeout=10)
    dash_duo.wait_for_contains_text("#data-grid", "<script>alert(1)</script>", timeout=10)
    assert "<b>Bold & Co</b>" in dash_duo.find_element("#data-grid").text  # literal, not bold
    assert not dash_duo.find_elements("#data-grid b, #data-grid img, #data-grid script")
    open_page(dash_duo, "/concentration")
    dash_duo.wait_for_contains_text("#concentration-topn-table", "<img src=x onerror=alert(2)>", timeout=10)
    assert not dash_duo.find_elements("#concentration-topn-table img")
    assert dash_duo.get_logs() == []  # no alert, no script error
