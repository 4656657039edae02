"""`portfolio analyze --trend`: the quarterly table, its JSON, and the one line without a history."""

import json
import re

from cli import main
from conftest import DEMO, real_file


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out


def test_trend_json_last_point_is_the_analysis(capsys):
    status, out = run(capsys, "analyze", str(real_file("SaaS-Sales.csv")), "--trend", "--json")
    assert status == 0
    data = json.loads(out)
    trend = data["trend"]
    assert [p["as_of"] for p in trend][:2] == ["2021-12-31", "2022-03-31"]
    assert len(trend) == 9
    last = trend[-1]
    assert set(last) >= {"as_of", "total_arr", "nrr", "grr", "strategic_share", "by_tier"}
    assert last["as_of"] == data["source"]["as_of"] == "2023-12-31"
    assert last["total_arr"] == data["total_arr"]
    assert (last["nrr"], last["grr"]) == (data["retention"]["nrr"], data["retention"]["grr"])
    for tier, figures in data["retention"]["by_tier"].items():
        assert (last["by_tier"][tier]["nrr"], last["by_tier"][tier]["grr"]) == (
            figures["nrr"],
            figures["grr"],
        )
        assert last["by_tier"][tier]["arr"] == data["tiers"][tier]["arr"]
    assert last["strategic_share"] == data["tiers"]["Strategic"]["arr_share"]
    assert data["trend_kind"]["subscription_like"] is False
    assert "trend_note" not in data


def test_trend_follows_the_thresholds(capsys):
    path = str(real_file("Sample - Superstore.csv"))
    _, default = run(capsys, "analyze", path, "--trend", "--json")
    _, strict = run(capsys, "analyze", path, "--trend", "--json", "--thresholds", "99,90")
    first, second = json.loads(default)["trend"][0], json.loads(strict)["trend"][0]
    assert second["strategic_share"] < first["strategic_share"]
    assert second["nrr"] == first["nrr"]  # the overall figures do not depend on tiers


def test_trend_table(capsys):
    status, out = run(capsys, "analyze", str(real_file("Sample - Superstore.csv")), "--trend")
    assert status == 0
    table = out.split("Trend —", 1)[1]
    assert "2015-12-30" in table and re.search(r"2017-12-30 +\$734k +96\.3% +35\.7%", table)
    # order data (issue 14): repeat-revenue retention, not NRR/GRR
    assert "Strategic net repeat" in table and "Order data, not subscriptions" in table


def test_snapshot_trend_is_one_line_and_empty_json(capsys):
    status, out = run(capsys, "analyze", str(DEMO), "--trend")
    assert status == 0
    assert out.rstrip().splitlines()[-1] == (
        "Trend: none — a trend needs a revenue history (dated order or invoice lines); this is a snapshot."
    )
    _, out = run(capsys, "analyze", str(DEMO), "--trend", "--json")
    data = json.loads(out)
    assert data["trend"] == [] and "snapshot" in data["trend_note"]


def test_short_history_says_why(capsys, tmp_path):
    path = tmp_path / "short.csv"
    lines = ["customer,date,amount"] + [
        f"C{i % 3},2023-{m:02d}-10,100" for i in range(3) for m in range(1, 13)
    ]
    path.write_text("\n".join(lines) + "\n")
    _, out = run(capsys, "analyze", str(path), "--trend", "--json")
    data = json.loads(out)
    assert data["trend"] == []
    assert "starts 2023-01-10" in data["trend_note"] and "on or after 2024-12-10" in data["trend_note"]


def test_without_trend_no_trend_keys(capsys):
    _, out = run(capsys, "analyze", str(DEMO), "--json")
    assert "trend" not in json.loads(out)
