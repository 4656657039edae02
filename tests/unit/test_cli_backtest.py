"""`portfolio backtest`: JSON shape, readable table, modes, exit codes (as tests/unit/test_cli.py)."""

import json

import pytest

from cli import main
from conftest import DEMO


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_backtest_demo_json(capsys):
    status, out, _ = run(capsys, "backtest", str(DEMO), "--json", "--paths", "500", "--seed", "5")
    assert status == 0
    data = json.loads(out)
    assert {"mode", "reason", "observed", "simulated", "targets", "settings", "source"} == set(data)
    assert data["mode"] == "in-sample" and "snapshot" in data["reason"]
    assert data["settings"] == {"paths": 500, "seed": 5}
    # the back-test tiers by the scorecard on prior ARR (issue 14: analyze's --tier-basis scorecard)
    _, analyzed, _ = run(capsys, "analyze", str(DEMO), "--json", "--tier-basis", "scorecard")
    retention = json.loads(analyzed)["retention"]
    # the back-test's observed year is the analysis's retention (start-of-year tiers)
    assert data["observed"]["nrr"] == pytest.approx(retention["nrr"], abs=1e-12)
    assert data["observed"]["grr"] == pytest.approx(retention["grr"], abs=1e-12)
    for tier, figures in data["observed"]["by_tier"].items():
        assert figures["nrr"] == pytest.approx(retention["by_tier"][tier]["nrr"], abs=1e-12)
        assert figures["accounts"] == retention["by_tier"][tier]["existing_accounts"]
    assert all(set(band) == {"p5", "p50", "p95"} for band in (data["simulated"]["nrr"],))


def test_backtest_readable(capsys):
    status, out, _ = run(capsys, "backtest", str(DEMO), "--paths", "300")
    assert status == 0
    assert "In-sample: the file is a snapshot" in out
    assert "Observed" in out and "Simulated P5–P95" in out and "Strategic (" in out
    assert "checks pass" in out


HISTORY = "Customer ID,Order Date,Sales\n" + "".join(
    f"C{i},{year}-0{1 + i % 9}-15,{100 + 10 * i + 5 * (year - 2020)}\n"
    for i in range(8)
    for year in (2020, 2021, 2022, 2023)
)


def test_backtest_history_out_of_sample_and_short_history_in_sample(capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HISTORY)
    status, out, _ = run(capsys, "backtest", str(path), "--json", "--paths", "200", "--as-of", "2023-12-31")
    data = json.loads(out)
    assert status == 0 and data["mode"] == "out-of-sample"
    assert "year to 2022-12-31" in data["reason"]
    # start: 2022 revenue 110 + 10i; end: 2023 revenue 115 + 10i; nobody churns
    start = sum(110 + 10 * i for i in range(8))
    assert data["observed"]["nrr"] == pytest.approx((start + 8 * 5) / start)
    assert data["observed"]["grr"] == pytest.approx(1.0) and data["observed"]["arr_churn"] == 0
    short = tmp_path / "short.csv"
    short.write_text("\n".join(line for line in HISTORY.splitlines() if ",2020-" not in line) + "\n")
    status, out, _ = run(capsys, "backtest", str(short), "--json", "--paths", "200")
    data = json.loads(out)
    assert status == 0 and data["mode"] == "in-sample" and "less than 36 months" in data["reason"]


def test_backtest_bad_input(capsys, tmp_path):
    status, _, err = run(capsys, "backtest", str(tmp_path / "missing.csv"))
    assert status == 1 and "cannot open file" in err
    no_prior = tmp_path / "now.csv"
    no_prior.write_text("account_id,arr\nA,100\nB,200\n")
    status, _, err = run(capsys, "backtest", str(no_prior))
    assert status == 2 and err.count("\n") == 1 and "no prior-year ARR and no revenue history" in err
    status, out, _ = run(capsys, "backtest", str(no_prior), "--json")
    assert status == 2 and "no prior-year ARR" in json.loads(out)["error"]["message"]
    status, _, err = run(capsys, "backtest", str(DEMO), "--paths", "0")
    assert status == 2 and "paths must be" in err
