"""The renewal calendar: ARR up for renewal and churned ARR per quarter (issue 13)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reporting.figures import renewal_calendar_figure
from reporting.simulation_report import SimulationReport, simulation_report
from reporting.simulator import renewal_summary
from simulation import Assumptions, SimulationSettings, TierAssumption, run_simulation


def calendar_run(period: str = "quarter", horizon: int = 8, paths: int = 20_000):
    # A (100) renews in 0.1 years (Q1), B (200) in 0.6 years (Q3), C (300) has no date; churn
    # 20% a year for all. Q1: 100 up, E[churn] = 100·0.2 + 300·(1 − 0.8^0.25) = 36.46;
    # Q2: 0 up, 300·(0.8^0.25 − 0.8^0.5) = 15.51; Q3: 200 up, 200·0.2 + 300·(0.8^0.5 − 0.8^0.75)
    # = 54.67; Q5 (next year): A again, 100·0.8·0.2 + 300·(0.8 − 0.8^1.25) = 16 + 13.57.
    figure = TierAssumption(0.2, 0.0, 0.2)
    assumptions = Assumptions({"Strategic": figure, "Key": figure, "Standard": figure}, 0.03)
    frame = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "account_name": ["A", "B", "C"],
            "arr": [100.0, 200.0, 300.0],
            "tier": ["Standard"] * 3,
            "renewal_years": [0.1, 0.6, np.nan],
            "renewal_past": [False, False, False],
        }
    )
    settings = SimulationSettings(paths=paths, horizon=horizon, period=period, seed=3)
    return run_simulation(frame, assumptions, settings)


def test_calendar_by_hand():
    result = calendar_run()
    calendar = result.renewal_calendar
    assert calendar.accounts == 3 and calendar.accounts_with_dates == 2
    assert [q.up_for_renewal for q in calendar.quarters] == [100, 0, 200, 0, 100, 0, 200, 0]
    assert [q.renewals for q in calendar.quarters] == [1, 0, 1, 0, 1, 0, 1, 0]
    uniform = lambda a, b: 300 * (0.8**a - 0.8**b)  # noqa: E731
    expected = {
        1: 20 + uniform(0, 0.25),
        2: uniform(0.25, 0.5),
        3: 40 + uniform(0.5, 0.75),
        5: 16 + uniform(1, 1.25),
    }
    active = result.baseline.paths.active_arr
    for quarter, value in expected.items():
        churned = active[:, quarter - 1] - active[:, quarter]
        q = calendar.quarters[quarter - 1]
        assert q.churned_mean == churned.mean()
        assert abs(q.churned_mean - value) < 4 * churned.std() / math.sqrt(20_000), quarter
        assert (q.churned_p5, q.churned_p95) == tuple(np.percentile(churned, [5, 95]))
    # the quarters add up to the churned ARR over the horizon on average
    total = sum(q.churned_mean for q in calendar.quarters)
    assert math.isclose(total, result.baseline.paths.churned_arr.mean(), rel_tol=1e-6)


def test_monthly_periods_make_the_same_quarters():
    result = calendar_run("month", 12, 2_000)
    calendar = result.renewal_calendar
    assert [q.up_for_renewal for q in calendar.quarters] == [100, 0, 200, 0]


def test_report_round_trip_figure_and_summary():
    report = simulation_report(calendar_run(paths=500))
    again = SimulationReport.from_dict(report.to_dict())
    assert again.renewal_calendar == report.renewal_calendar
    figure = renewal_calendar_figure(report)
    up, churned = figure.data
    assert list(up.x) == [f"Q{q}" for q in range(1, 9)] and list(up.y) == [100, 0, 200, 0, 100, 0, 200, 0]
    quarters = report.renewal_calendar.quarters
    np.testing.assert_allclose(churned.error_y.array, [q.churned_p95 - q.churned_mean for q in quarters])
    np.testing.assert_allclose(churned.error_y.arrayminus, [q.churned_mean - q.churned_p5 for q in quarters])
    assert figure.layout.yaxis.tickprefix == "$" and figure.layout.yaxis.exponentformat == "B"  # B, not G
    text = renewal_summary(report)
    assert "The busiest renewal quarter is Q3: $200 up for renewal" in text
    assert text.endswith(
        "Churn follows renewal dates (annual terms) for 2 of 3 accounts; the other 1 churn with a "
        "uniform hazard (1 without a date)."
    )
