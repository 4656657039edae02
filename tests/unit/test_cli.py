"""The `portfolio` console script: JSON keys, readable output, exit codes, error JSON."""

import csv
import json

import pytest

from cli import main
from conftest import DEMO, real_file


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_analyze_demo_json_has_the_documented_keys(capsys):
    status, out, _ = run(capsys, "analyze", str(DEMO), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["accounts"] == 1200
    with DEMO.open(newline="") as handle:  # whole dollars: the float sum is exact
        assert data["total_arr"] == sum(float(row["arr"]) for row in csv.DictReader(handle))
    assert {"gini", "hhi", "top_20pct_share", "accounts_for_80pct"} <= set(data["concentration"])
    assert set(data["tiers"]) == {"Strategic", "Key", "Standard"}
    assert {"accounts", "arr"} <= set(data["tiers"]["Strategic"])
    retention = data["retention"]
    assert {"nrr", "grr", "by_tier", "bridge"} <= set(retention)
    assert set(retention["bridge"]) == {
        "starting",
        "expansion",
        "contraction",
        "churn",
        "reactivation",
        "new",
        "ending",
    }
    assert {"nrr", "grr"} <= set(retention["by_tier"]["Strategic"])
    assert "required_headcount" in data["workload"]
    assert 0 < data["concentration"]["top_20pct_share"] < 1  # a fraction, not a percent


def test_analyze_readable(capsys):
    status, out, _ = run(capsys, "analyze", str(DEMO))
    assert status == 0
    for heading in ("Concentration", "Tiers", "Retention", "SAM workload", "Gini"):
        assert heading in out


def test_what_if_options_change_the_result(capsys):
    _, base, _ = run(capsys, "analyze", str(DEMO), "--json")
    _, strict, _ = run(
        capsys,
        "analyze",
        str(DEMO),
        "--json",
        "--thresholds",
        "80,60",
        "--capacity",
        "Strategic=5",
        "--headcount",
        "40",
        "--weights",
        "revenue=50",
    )
    base, strict = json.loads(base), json.loads(strict)
    assert strict["tiers"]["Strategic"]["accounts"] < base["tiers"]["Strategic"]["accounts"]
    assert strict["scorecard"]["weights"]["revenue"] == 50
    assert strict["workload"]["available_headcount"] == 40


def test_real_order_export(capsys):
    status, out, _ = run(capsys, "analyze", str(real_file("SaaS-Sales.csv")), "--json")
    data = json.loads(out)
    assert status == 0 and data["accounts"] == 99 and data["source"]["shape"] == "history"
    assert data["source"]["as_of"] == "2023-12-31"


def test_bad_file_exit_1_with_readable_message(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,arr\nA,-1\nA,2\n")
    status, out, err = run(capsys, "analyze", str(bad))
    assert status == 1 and out == ""
    assert "negative ARR" in err and "duplicate account id" in err and "Traceback" not in err


def test_bad_file_json_error(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    status, out, _ = run(capsys, "analyze", str(bad), "--json")
    data = json.loads(out)
    assert status == 1 and "missing required column" in data["error"]["message"]
    assert data["error"]["report"]["missing_required"] == ["arr"]  # "name" stands in for ids


def test_missing_file(capsys, tmp_path):
    status, _, err = run(capsys, "analyze", str(tmp_path / "nope.csv"))
    assert status == 1 and "cannot open file" in err


@pytest.mark.parametrize(
    "option,value,fragment",
    [
        ("--thresholds", "50,70", "thresholds must satisfy"),
        ("--thresholds", "high", "STRATEGIC,KEY"),
        ("--weights", "revenue=lots", "NAME=NUMBER"),
        ("--weights", "colour=3", "unknown scorecard dimension"),
        ("--capacity", "Strategic=0", "between 0.1 and 10,000"),
        ("--mapping", "Ref=acct", "unknown column"),
    ],
)
def test_bad_options_exit_2(capsys, option, value, fragment):
    status, _, err = run(capsys, "analyze", str(DEMO), option, value)
    assert status == 2 and fragment in err


def test_mapping_and_accounts_out(capsys, tmp_path):
    source = tmp_path / "odd.csv"
    source.write_text("Ref,Money,Was\nr1,100,90\nr2,=1+2,10\n".replace("=1+2", "50"))
    out_file = tmp_path / "tiers.csv"
    status, _, _ = run(
        capsys,
        "analyze",
        str(source),
        "--mapping",
        "Ref=account_id",
        "--mapping",
        "Money=arr",
        "--mapping",
        "Was=arr_prior",
        "--accounts-out",
        str(out_file),
    )
    assert status == 0
    assert (
        out_file.read_text(encoding="utf-8-sig")
        .splitlines()[0]
        .startswith("account_id,account_name,arr (USD),arr_prior (USD),score,tier")  # currency: issue 14
    )


def test_demo_command_reproduces_the_shipped_file(capsys, tmp_path):
    target = tmp_path / "demo.csv"
    status, out, _ = run(capsys, "demo", "--out", str(target))
    assert status == 0 and "1,200 synthetic accounts" in out
    assert target.read_bytes() == DEMO.read_bytes()


def _top_key_accounts(n: int) -> list[str]:
    from portfolio.analysis import analyze
    from portfolio.ingest import load_file

    accounts = analyze(load_file(DEMO).accounts).accounts
    key = accounts[accounts["tier"] == "Key"].sort_values("score", ascending=False)
    return key["account_id"].astype(str).head(n).tolist()


def test_simulate_json_has_the_documented_keys(capsys):
    promote = _top_key_accounts(3)
    status, out, _ = run(
        capsys, "simulate", str(DEMO), "--paths", "500", "--horizon", "8", "--promote", *promote, "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert set(data["ending_arr"]) == {"p5", "p25", "p50", "p75", "p95", "mean"}
    assert {"mean", "p5", "p95", "prob_better"} <= set(data["delta"])
    assert data["scenario"]["promote"] == promote
    assert data["scenario"]["tier_counts"]["Strategic"] == data["baseline"]["tier_counts"]["Strategic"] + 3
    # the demo carries prior-year ARR, so the assumptions are calibrated from it
    assert data["assumptions"]["Key"]["source"] == "calibrated"
    # issue 12's documented keys
    treatment = data["treatment"]
    assert {"value", "low", "high", "source"} <= set(treatment["hazard_ratio"])
    assert {"value", "low", "high", "source"} <= set(treatment["uplift"])
    assert {"ramp_months", "accounts_used"} <= set(treatment)
    assert {"mean", "p5", "p95"} <= set(data["delta"]["move"]) and "staffing" in data["delta"]
    assert {"added_sams", "released_sams", "sam_cost", "npv", "payback_years"} <= set(data["economics"])
    assert {"p5", "p50", "p95"} <= set(data["annual"]["nrr"]) and data["annual"]["year"] == 1
    assert set(data["mc_error"]) == {"ending_arr_mean", "delta_mean", "prob_better", "npv_mean"}
    # today's strategic SAMs as the Simulator page reads them: the demo's SAMs give 4 FTE
    assert data["baseline"]["staffing"]["sams"] == 4.0
    assert data["settings"]["paths"] == 500 and data["headline"].startswith("Promoting 3 accounts")
    # same seed → same numbers
    status, again, _ = run(
        capsys, "simulate", str(DEMO), "--paths", "500", "--horizon", "8", "--promote", *promote, "--json"
    )
    assert json.loads(again)["delta"] == data["delta"]


def test_simulate_readable_with_assumptions_file(capsys, tmp_path):
    assumptions = tmp_path / "a.json"
    assumptions.write_text(
        json.dumps({"tiers": {"Strategic": {"annual_churn": 0.03}}, "nrr_volatility": 0.02})
    )
    status, out, _ = run(
        capsys,
        "simulate",
        str(DEMO),
        "--paths",
        "200",
        "--period",
        "month",
        "--horizon",
        "24",
        "--assumptions",
        str(assumptions),
    )
    assert status == 0
    assert (
        "portfolio NRR volatility 2 points/yr (explicit)" in out
        and "Portfolio NRR volatility 2 points a year (explicit)." in out
        and "explicit" in out
        and "ending ARR p50" in out
    )
    assert "Expected ARR by month 24" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--promote", "NO-SUCH-ID"], "unknown or inactive account id(s): NO-SUCH-ID"),
        (["--horizon", "99"], "horizon must be 1–20 quarters"),
        (["--nrr-volatility", "80"], "portfolio NRR volatility must be between 0 and 50 points"),
        (["--assumptions", "missing.json"], "cannot read assumptions file"),
        (["--scenario", "missing.json"], "--scenario: cannot read scenario file missing.json"),
    ],
)
def test_simulate_bad_options_exit_2_with_json_error(capsys, argv, fragment):
    status, out, _ = run(capsys, "simulate", str(DEMO), "--paths", "50", "--json", *argv)
    assert status == 2
    assert fragment in json.loads(out)["error"]["message"]


def test_simulate_real_order_export(capsys):
    status, out, _ = run(capsys, "simulate", str(real_file("SaaS-Sales.csv")), "--paths", "300", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["baseline"]["start_arr"] == pytest.approx(733_947.02, abs=0.01)  # Σ 2023 Sales
    assert data["ending_arr"]["p5"] < data["ending_arr"]["p50"] < data["ending_arr"]["p95"]
    assert any(w.startswith("This file is order (transactional) revenue") for w in data["warnings"])


def test_simulate_prints_the_calibration_warnings(capsys):
    # Superstore: the order model names the years it pooled (its figures are inside the order
    # bounds; before the order model the fitted drift and volatility fell back, named)
    status, out, _ = run(capsys, "simulate", str(real_file("Sample - Superstore.csv")), "--paths", "200")
    assert status == 0
    assert "  warning: This file is order (transactional) revenue" in out
    assert "  warning: Order data: calibrated on 3 year(s) of the history pooled" in out
    _, demo, _ = run(capsys, "simulate", str(DEMO), "--paths", "200")
    assert "warning:" not in demo


def test_simulate_takes_the_treatment_and_money_and_names_a_bad_field(capsys):
    status, out, _ = run(
        capsys,
        "simulate",
        str(DEMO),
        "--paths",
        "200",
        "--horizon",
        "8",
        "--hazard-ratio",
        "0.6",
        "--uplift",
        "3",
        "--ramp-months",
        "3",
        "--margin",
        "70",
        "--discount-rate",
        "8",
        "--workers",
        "1",
        "--json",
    )
    data = json.loads(out)
    assert status == 0 and data["treatment"]["source"] == "explicit"
    assert data["treatment"]["hazard_ratio"]["value"] == 0.6
    assert data["treatment"]["uplift"]["value"] == pytest.approx(0.03)
    assert data["settings"]["margin"] == pytest.approx(0.7)
    for argv, message in (
        (["--hazard-ratio", "0"], "hazard ratio must be above 0"),
        (["--uplift", "150"], "uplift must be within ±100 points"),
        (["--margin", "120"], "margin must be between 0% and 100%"),
        (["--ramp-months", "30"], "ramp (30 months) must be within the horizon"),
    ):
        status, out, err = run(capsys, "simulate", str(DEMO), "--paths", "100", "--horizon", "8", *argv)
        assert status == 2 and message in err, (argv, err)


def test_export_under_a_filter_recommends_on_the_whole_book():
    """`portfolio export --format pptx --filter …`: the executive summary's move is solved on
    the whole book (the SAMs keep their whole books, as on the Decisions page), so the command
    analyses the book both filtered (for the figures) and whole (for the move)."""
    from cli.options import load_and_analyze_books
    from cli.parser import build_parser
    from exports.pack import recommended_move
    from reporting.decisions import SEGMENT_NOTE

    args = build_parser().parse_args(
        ["export", str(DEMO), "--out", "x", "--format", "pptx", "--filter", "segment=Enterprise"]
    )
    _, analysis, whole = load_and_analyze_books(args)
    enterprise = set(analysis.accounts["account_id"])
    assert len(whole.accounts) == 1200 > len(enterprise)
    move = recommended_move(analysis, whole)
    assert move is not None and move.notes[-1].startswith(SEGMENT_NOTE.split("{")[0])
    assert {a.account_id for a in (*move.add, *move.remove)} <= enterprise  # only the filter's accounts move
    plain = build_parser().parse_args(["export", str(DEMO), "--out", "x", "--format", "pptx"])
    _, analysis, whole = load_and_analyze_books(plain)
    assert whole is analysis
