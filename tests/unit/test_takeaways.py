"""The ARR bridge's text summary, worked by hand on the accounts of test_retention.py.

| account | prior | now | start tier | movement       |
|---------|-------|-----|------------|----------------|
| A       | 100   | 120 | Strategic  | expansion 20   |
| B       | 200   | 150 | Key        | contraction 50 |
| C       | 50    | 0   | Strategic  | churn 50       |
| D       | 0     | 80  | (new)      | new 80         |
| E       | 150   | 150 | Key        | flat           |

All tiers: 500 → 500. Strategic (A, C and the new D, which is Strategic now): 150 + 20 − 50 + 80
= 200. Key (B, E): 350 − 50 = 300.
"""

from types import SimpleNamespace

import pandas as pd

from portfolio.datafacts import DataFacts
from portfolio.retention import retention, retention_by_tier
from reporting.takeaways import arr_bridge_takeaway

PRIOR = pd.Series([100.0, 200.0, 50.0, 0.0, 150.0])
NOW = pd.Series([120.0, 150.0, 0.0, 80.0, 150.0])
START = pd.Series(["Strategic", "Key", "Strategic", None, "Key"])
NOW_TIER = pd.Series(["Strategic", "Key", None, "Strategic", "Key"])
ANALYSIS = SimpleNamespace(
    retention=retention(NOW, PRIOR),
    retention_by_tier=retention_by_tier(NOW, PRIOR, START, NOW_TIER),
    facts=DataFacts(),  # subscription data: NRR/GRR against the SaaS benchmarks
    retention_names=("NRR", "GRR"),
)


def test_bridge_summary_for_all_tiers_by_hand():
    expected = "ARR went from $500 to $500: expansion $20, contraction −$50, churn −$50, new $80."
    assert arr_bridge_takeaway(ANALYSIS) == expected
    assert arr_bridge_takeaway(ANALYSIS, "All") == expected  # the page's "All" is no tier


def test_bridge_summary_for_one_tier_by_hand():
    assert arr_bridge_takeaway(ANALYSIS, "Strategic") == (
        "Strategic accounts' ARR went from $150 to $200: expansion $20, contraction $0, churn −$50, new $80."
    )
    assert arr_bridge_takeaway(ANALYSIS, "Key") == (
        "Key accounts' ARR went from $350 to $300: expansion $0, contraction −$50, churn $0, new $0."
    )


def test_bridge_summary_without_prior_arr():
    no_prior = SimpleNamespace(retention=None, retention_by_tier={})
    assert arr_bridge_takeaway(no_prior, "Key") == "The ARR bridge needs a prior-year ARR column."
