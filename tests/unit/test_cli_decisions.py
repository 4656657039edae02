"""``portfolio recommend`` and ``portfolio assign`` (issue 17): JSON shape and clear errors."""

from __future__ import annotations

import json

import pytest

from cli import main
from conftest import DEMO


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_recommend_json_has_the_documented_keys(capsys):
    status, out, _ = run(capsys, "recommend", str(DEMO), "--sams", "6", "--max-moves", "10", "--json")
    assert status == 0
    data = json.loads(out)
    assert {"selected", "add", "remove", "expected_npv", "marginal_sam_value"} <= set(data)
    assert set(data["expected_npv"]) == {"mean", "p5", "p95"}
    assert len(data["add"]) + len(data["remove"]) <= 10
    assert len(data["selected"]) <= 60


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--budget", "1000"], "below the cost of one SAM"),
        (["--sams", "6", "--keep", "A10001", "--exclude", "A10001"], "both kept and excluded: A10001"),
        (["--sams", "6", "--target", "-5"], "--target: the ARR target must be a positive amount"),
        (["--sams", "2.5"], "whole number"),
    ],
)
def test_recommend_bad_input(capsys, argv, message):
    status, out, _ = run(capsys, "recommend", str(DEMO), *argv, "--json")
    assert status == 2
    assert message in json.loads(out)["error"]["message"]


def test_assign_json_and_moves_file(capsys, tmp_path):
    moves = tmp_path / "moves.csv"
    status, out, _ = run(capsys, "assign", str(DEMO), "--json", "--moves-out", str(moves))
    assert status == 0
    data = json.loads(out)
    assert {"before", "after", "moves", "optimal"} <= set(data)
    assert moves.read_text().startswith("account_id,account_name,tier,arr,from_sam,to_sam")
    before = {b["sam"]: b["load"] for b in data["before"]}
    assert all(b["load"] <= max(1.0, before[b["sam"]]) + 1e-9 for b in data["after"])
