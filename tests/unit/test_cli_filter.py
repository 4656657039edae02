"""Issue 14 item 8: ``--filter COLUMN=VALUE`` on analyze, simulate and export."""

import json

import pandas as pd

from cli import main
from conftest import DEMO


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_analyze_filters_to_the_segment_and_says_so(capsys):
    demo = pd.read_csv(DEMO)
    enterprise = demo[demo["segment"] == "Enterprise"]
    status, out, _ = run(capsys, "analyze", str(DEMO), "--json", "--filter", "segment=Enterprise")
    data = json.loads(out)
    assert status == 0
    assert data["accounts"] == len(enterprise) and data["total_arr"] == float(enterprise["arr"].sum())
    covered = f"({len(enterprise):,} of {len(demo):,} accounts)"
    assert data["filter"] == f"Filtered to Segment: Enterprise {covered}."
    both = demo[demo["segment"].isin(["Enterprise", "SMB"]) & (demo["region"] == "EMEA")]
    argv = ["--filter", "segment=Enterprise", "--filter", "segment=SMB", "--filter", "region=EMEA"]
    status, out, _ = run(capsys, "analyze", str(DEMO), "--json", *argv)
    assert json.loads(out)["accounts"] == len(both)


def test_simulate_runs_on_the_filtered_accounts(capsys):
    demo = pd.read_csv(DEMO)
    active = demo[(demo["segment"] == "SMB") & (demo["arr"] > 0)]
    argv = ["simulate", str(DEMO), "--json", "--paths", "200", "--filter", "segment=SMB"]
    status, out, _ = run(capsys, *argv)
    data = json.loads(out)
    assert status == 0 and data["filter"].startswith("Filtered to Segment: SMB")
    assert sum(data["baseline"]["tier_counts"].values()) == len(active)
    assert data["baseline"]["start_arr"] == float(active["arr"].sum())


def test_a_filter_leaving_no_accounts_is_one_clear_line(capsys):
    status, _, err = run(capsys, "analyze", str(DEMO), "--filter", "segment=Nowhere")
    assert status != 0 and "--filter: the filter Segment: Nowhere leaves no accounts" in err
    status, _, err = run(capsys, "export", str(DEMO), "--out", "/tmp/x", "--filter", "colour=red")
    assert status != 0 and "cannot filter by 'colour'" in err
