"""The Simulator charts' text summaries, from hand-set numbers."""

from types import SimpleNamespace as NS

from reporting.simulator import NO_SCENARIO, chart_summaries

BASELINE = NS(ending_arr=NS(mean=10_000_000.0, p5=8_000_000.0, p95=12_000_000.0))
SCENARIO = NS(ending_arr=NS(mean=10_500_000.0, p5=8_400_000.0, p95=12_600_000.0))


def test_with_a_scenario_the_charts_say_the_comparison():
    comparison = NS(
        delta=NS(mean=500_000.0, prob_better=0.73), move=NS(mean=650_000.0), staffing=NS(mean=-150_000.0)
    )
    report = NS(
        headline="Promoting 3 accounts adds $500K.", target=SCENARIO, baseline=BASELINE, comparison=comparison
    )
    assert chart_summaries(report) == {
        "simulation-fan": "Promoting 3 accounts adds $500K.",
        "simulation-ending-arr": "Expected ARR at the horizon: baseline $10.0M, scenario $10.5M.",
        "simulation-delta": (
            "The scenario ends +$500k against the baseline on average, and ahead of it on 73% of paths."
        ),
        "simulation-decomposition": (
            "Of the +$500k difference, the move with today's SAMs gives +$650k and the staffing "
            "change −$150k."
        ),
    }


def test_without_a_scenario_the_charts_say_the_baseline():
    report = NS(headline="The baseline ends near $10M.", target=BASELINE, baseline=BASELINE, comparison=None)
    text = chart_summaries(report)
    assert text["simulation-fan"] == "The baseline ends near $10M."
    assert text["simulation-ending-arr"] == "Expected ARR at the horizon $10.0M (P5 $8.00M – P95 $12.0M)."
    assert text["simulation-delta"] == text["simulation-decomposition"] == NO_SCENARIO
