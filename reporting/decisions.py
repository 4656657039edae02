"""Decisions: the inputs the recommendation, the book balancing and the tornado share, and their
figures — "I have N strategic SAMs: which accounts, who owns them, how sure are we?".

:func:`decision_inputs` builds what the simulator would use for the analysed data (the
simulated accounts, the calibrated assumptions, the estimated or assumed treatment effect,
today's strategic SAMs), so the recommendation, the Decisions page, the CLI and the board pack
agree with the Simulator. Figures are pure Plotly (no Dash).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from portfolio.analysis import PortfolioAnalysis
from portfolio.books import Assignment, assign_books
from portfolio.formatting import money
from portfolio.schema import TIERS
from reporting.chart_tables import ChartTable
from reporting.figures import _figure, _line, escape_text, money_axis, plain_text
from reporting.simulator import default_sams
from reporting.theme import ACCENT, TIER_COLORS, VARIANT_COLORS, rgba
from simulation import Assumptions, Scenario, SimulationSettings, TreatmentEffect, simulation_accounts
from simulation.calibration import starting_assumptions, starting_treatment
from simulation.recommend import Recommendation, recommend
from simulation.sensitivity import Sensitivity, Swing


@dataclass(frozen=True)
class DecisionInputs:
    """The simulated accounts, assumptions, treatment effect and settings (today's SAMs set)."""

    accounts: pd.DataFrame
    assumptions: Assumptions
    treatment: TreatmentEffect
    settings: SimulationSettings


def decision_inputs(
    analysis: PortfolioAnalysis, settings: SimulationSettings | None = None
) -> DecisionInputs:
    """What the Simulator would use for ``analysis``: its accounts and tiers, the calibrated
    assumptions and treatment effect, the strategic capacity per SAM and today's strategic SAMs
    (:func:`reporting.simulator.default_sams`) unless ``settings`` says otherwise."""
    settings = settings or SimulationSettings()
    capacity = float(analysis.workload.by_tier.loc[TIERS[0], "capacity"])
    today = settings.strategic_sams if settings.strategic_sams is not None else default_sams(analysis)
    return DecisionInputs(
        simulation_accounts(analysis.accounts, _today(analysis), start=analysis.facts.as_of),
        starting_assumptions(analysis),
        starting_treatment(analysis),
        replace(settings, strategic_capacity=capacity, strategic_sams=today),
    )


NO_SAM_COLUMN = (
    "the data has no SAM column, so 'today' assumes {today:g} strategic SAMs — what the tier needs "
    "at the set capacity, not people the data names: the NPV is against a fully staffed tier"
)


def _today(analysis: PortfolioAnalysis) -> pd.Series:
    """The tiers the company runs today (the Simulator's baseline), the scorecard's without them."""
    return analysis.current_tier if analysis.current_tier is not None else analysis.tiers.tier


def recommend_for(analysis: PortfolioAnalysis, sams: float | None = None, **options) -> Recommendation:
    """:func:`simulation.recommend.recommend` on ``analysis`` with the Simulator's inputs;
    ``options``: budget, max_moves, keep, exclude, settings (cost per SAM, margin, …)."""
    inputs = decision_inputs(analysis, options.pop("settings", None))
    rec = recommend(
        inputs.accounts,
        sams=sams,
        assumptions=inputs.assumptions,
        treatment=inputs.treatment,
        settings=inputs.settings,
        **options,
    )
    if not analysis.workload.has_sams:
        rec = replace(rec, notes=(*rec.notes, NO_SAM_COLUMN.format(today=inputs.settings.strategic_sams)))
    return rec


SEGMENT_NOTE = (
    "under the segment filter the SAMs keep their whole books: the {kept} strategic account(s) "
    "outside the filter keep their slots, only accounts in the filter move, and the SAM count, "
    "load and NPV are the whole book's"
)


def recommend_in_book(
    whole: PortfolioAnalysis,
    segment_ids,
    sams: float | None = None,
    *,
    keep=(),
    exclude=(),
    **options,
) -> Recommendation:
    """The recommendation under a segment filter, as a revenue leader reads it: the SAMs serve
    their whole books (the rule of the Overview and Capacity pages), so it is solved on the
    whole book ``whole`` with today's strategic accounts outside the segment kept (they hold
    their slots) and the other accounts outside it excluded; only accounts in ``segment_ids``
    move. ``keep``/``exclude``: the user's lists; ``options`` as :func:`recommend_for`."""
    frame = simulation_accounts(whole.accounts, _today(whole))  # the accounts recommend knows
    outside = ~frame["account_id"].isin({str(i) for i in segment_ids})
    strategic = frame["tier"] == TIERS[0]
    user_keep, user_exclude = [str(i) for i in keep], [str(i) for i in exclude]
    kept = frame.loc[outside & strategic, "account_id"]
    keep_all = [*user_keep, *(i for i in kept if i not in set(user_exclude))]
    left_out = frame.loc[outside & ~strategic, "account_id"]
    exclude_all = [*user_exclude, *(i for i in left_out if i not in set(user_keep))]
    rec = recommend_for(whole, sams, keep=keep_all, exclude=exclude_all, **options)
    return replace(rec, notes=(*rec.notes, SEGMENT_NOTE.format(kept=len(kept))))


def scenario_of(rec: Recommendation) -> Scenario:
    """The recommendation as a Simulator scenario: its adds, removes and SAMs."""
    return Scenario(
        promote=tuple(a.account_id for a in rec.add),
        demote=tuple(a.account_id for a in rec.remove),
        strategic_sams=float(rec.sams),
        name=f"Recommended set, {rec.sams} SAMs",
    )


def recommended_tiers(analysis: PortfolioAnalysis, rec: Recommendation | None) -> pd.Series:
    """Today's tiers with the recommendation's adds made strategic and removes made key."""
    tiers = _today(analysis).astype(object).copy()
    if rec is None:
        return tiers
    ids = analysis.accounts["account_id"].astype(str)
    tiers[ids.isin([a.account_id for a in rec.add]).to_numpy()] = TIERS[0]
    tiers[ids.isin([a.account_id for a in rec.remove]).to_numpy()] = TIERS[1]
    return tiers


def assign_for(analysis: PortfolioAnalysis, rec: Recommendation | None = None, **options) -> Assignment:
    """Book balancing of ``analysis`` (after ``rec``'s moves when given) with its capacity per
    tier and headcount; ``options``: change_weight, respect, time_limit."""
    capacity = analysis.workload.by_tier["capacity"].astype(float).to_dict()
    headcount = analysis.workload.available_headcount
    return assign_books(
        analysis.accounts,
        recommended_tiers(analysis, rec),
        capacity=capacity,
        headcount=int(headcount) if headcount else None,
        strategic_sams=rec.sams if rec is not None else None,
        **options,
    )


def gains_figure(rec: Recommendation, top: int = 15) -> go.Figure:
    """The moves' expected NPV gain per account (one strategic slot each) with P5–P95 bars:
    accounts taken on in the strategic tier's colour, accounts returned to key in the key one;
    at most ``top`` each way, largest first (the title says so when there are more)."""
    moves = [*rec.add[:top], *rec.remove[:top]][::-1]
    if not moves:
        return _figure(
            "No move: today's strategic set is the best for these SAMs",
            xaxis=dict(visible=False),
            yaxis=dict(visible=False),
        )
    names = escape_text(pd.Series([f"{m.account_name} ({m.account_id})" for m in moves])).tolist()
    means = [m.gain.mean for m in moves]
    trace = dict(
        type="bar",
        orientation="h",
        y=names,
        x=means,
        marker_color=[TIER_COLORS[TIERS[0]] if m in rec.add else TIER_COLORS[TIERS[1]] for m in moves],
        error_x=dict(
            type="data",
            symmetric=False,
            array=[m.gain.p95 - m.gain.mean for m in moves],
            arrayminus=[m.gain.mean - m.gain.p5 for m in moves],
            color="#555",
        ),
        customdata=[
            [
                money(m.gain.p5, signed=True),
                money(m.gain.p95, signed=True),
                money(m.arr),
                money(m.gain.mean, signed=True),
            ]
            for m in moves
        ],
        hovertemplate="%{y}<br>expected NPV %{customdata[3]} (P5 %{customdata[0]}, P95 %{customdata[1]})"
        "<br>ARR %{customdata[2]}<extra></extra>",
        showlegend=False,
    )
    clipped = len(rec.add) > top or len(rec.remove) > top
    return _figure(
        f"Expected NPV of each move, P5–P95: {len(rec.add)} made strategic (blue), "
        f"{len(rec.remove)} returned to key (orange)"
        + (f"<br>the {top} largest each way shown; every move is in the table" if clipped else ""),
        [trace],
        xaxis=dict(title="Expected NPV against today (per account = one strategic slot)", **money_axis()),
        yaxis=dict(title=None),
        height=max(360, 24 * len(moves) + 140),
        shapes=[_line("x", 0.0, dict(color="#888", width=1))],
    )


def books_figure(assignment: Assignment) -> go.Figure:
    """Each SAM's load before and after balancing (share of one SAM), against capacity."""
    before = {b.sam: b for b in assignment.before}
    after = [
        b for b in assignment.after if b.strategic or b.key or before[b.sam].strategic or before[b.sam].key
    ]
    names = escape_text(pd.Series([b.sam for b in after], dtype=str)).tolist()
    traces = [
        dict(
            type="bar",
            x=names,
            y=[before[b.sam].load for b in after],
            name="Today",
            marker_color=rgba(VARIANT_COLORS["Baseline"], 0.45),
            hovertemplate="%{x}: %{y:.0%} of one SAM today<extra></extra>",
        ),
        dict(
            type="bar",
            x=names,
            y=[b.load for b in after],
            name="Balanced",
            marker_color=TIER_COLORS[TIERS[0]],
            hovertemplate="%{x}: %{y:.0%} of one SAM after balancing<extra></extra>",
        ),
    ]
    return _figure(
        f"SAM books before and after balancing: {len(assignment.moves)} accounts change owner",
        traces,
        barmode="group",
        yaxis=dict(title="Load (share of one SAM's capacity)", tickformat=".0%"),
        xaxis=dict(title=None, tickangle=-40),
        shapes=[_line("y", 1.0, dict(color=ACCENT, dash="dash", width=2))],
    )


TORNADO_MEASURES = {
    "npv": ("Scenario NPV against the baseline", "npv", "NPV of the move"),
    "arr": ("Baseline expected ending ARR", "arr", "Baseline ending ARR"),
}


def tornado_figure(sensitivity: Sensitivity, measure: str = "npv") -> go.Figure:
    """Bars from the centre to each assumption's low and high end (same paths), largest first."""
    title, key, short = TORNADO_MEASURES[measure]
    centre = sensitivity.npv if key == "npv" else sensitivity.arr
    swings = sorted(
        sensitivity.swings,
        key=lambda s: abs(getattr(s, f"{key}_high") - getattr(s, f"{key}_low")),
    )
    names = [plain_text(s.name) for s in swings]
    widest = max(
        (abs(getattr(s, f"{key}_{end}") - centre) for s in swings for end in ("low", "high")), default=0
    )

    def label(s: Swing, end: str) -> str:
        """The end's setting on its bar, left off bars too short to hold it (the hover has it)."""
        return getattr(s, f"{end}_label") if abs(getattr(s, f"{key}_{end}") - centre) > 0.06 * widest else ""

    traces = [
        dict(
            type="bar",
            orientation="h",
            y=names,
            x=[getattr(s, f"{key}_{end}") - centre for s in swings],
            base=centre,
            name=f"{end} end",
            marker_color=color,
            text=[label(s, end) for s in swings],
            customdata=[
                [getattr(s, f"{end}_label"), money(getattr(s, f"{key}_{end}") - centre, signed=True)]
                for s in swings
            ],
            textposition="inside",
            hovertemplate="%{y} at %{customdata[0]}: %{customdata[1]} against the centre<extra></extra>",
        )
        for end, color in (("low", rgba(VARIANT_COLORS["Baseline"], 0.55)), ("high", TIER_COLORS[TIERS[0]]))
    ]
    return _figure(
        f"{short}: {plain_text(swings[-1].name).lower()} moves it most",
        traces,
        barmode="overlay",
        xaxis=dict(title=f"{title} (centre {money(centre)}, {sensitivity.paths:,} paths)", **money_axis()),
        yaxis=dict(title=None),
        height=max(380, 26 * len(swings) + 140),
        shapes=[_line("x", centre, dict(color="#444", width=1))],
    )


def gains_table(result: dict) -> ChartTable:
    """The moves chart's data: each account in or out with its expected NPV and P5–P95."""
    rec = result["recommendation"]
    rows = [
        {
            "Move": move,
            "Account": f"{a['account_name']} ({a['account_id']})",
            "ARR": money(a["arr"]),
            "Expected NPV": money(a["gain"]["mean"], signed=True),
            "P5": money(a["gain"]["p5"], signed=True),
            "P95": money(a["gain"]["p95"], signed=True),
        }
        for move, key in (("made strategic", "add"), ("returned to key", "remove"))
        for a in rec[key]
    ]
    note = "" if rows else "No move: today's strategic set is the best for these SAMs."
    return ChartTable(pd.DataFrame(rows), ("ARR", "Expected NPV", "P5", "P95"), note)


def books_table(result: dict) -> ChartTable:
    """The books chart's data: each SAM's accounts, load and ARR today and after balancing."""
    books = result["books"]
    before = {b["sam"]: b for b in books["before"]}
    rows = [
        {
            "SAM": b["sam"],
            "Strategic today": before[b["sam"]]["strategic"],
            "Key today": before[b["sam"]]["key"],
            "Load today": f"{before[b['sam']]['load']:.0%}",
            "Strategic after": b["strategic"],
            "Key after": b["key"],
            "Load after": f"{b['load']:.0%}",
            "ARR after": money(b["arr"]),
        }
        for b in books["after"]
        if b["strategic"] or b["key"] or before[b["sam"]]["strategic"] or before[b["sam"]]["key"]
    ]
    numeric = tuple(c for c in (rows[0] if rows else {}) if c != "SAM")
    return ChartTable(pd.DataFrame(rows), numeric, "Load: share of one SAM's capacity.")


def _tornado_table(key: str, label: str):
    def table(sensitivity: dict) -> ChartTable:
        rows = [
            {
                "Assumption": s["name"],
                "Low": s["low"],
                "High": s["high"],
                f"{label} at low": money(s[f"{key}_low"]),
                f"{label} at high": money(s[f"{key}_high"]),
            }
            for s in sensitivity["swings"]
        ]
        centre = money(sensitivity[key])
        note = f"Centre {centre}; {sensitivity['paths']:,} paths a run, the same random numbers in every run."
        return ChartTable(pd.DataFrame(rows), (f"{label} at low", f"{label} at high"), note)

    return table


DECISION_TABLES = {
    "decisions-gains": gains_table,
    "decisions-books": books_table,
    "decisions-tornado-npv": _tornado_table("npv", "NPV"),
    "decisions-tornado-arr": _tornado_table("arr", "Ending ARR"),
}
"""Each Decisions chart's "View as table", from the page's stores (plain dicts)."""
