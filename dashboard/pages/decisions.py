"""Decisions: "I have N strategic SAMs: which accounts, who owns them, how sure are we?".

The recommendation and the balanced books follow the SAM count (and keep/exclude lists, a move
limit); "How sure are we?" runs the tornado and keeps each run's ending ARR per path in a store
so that P(hit plan) follows the target without simulating again. Computation lives in
:mod:`simulation.recommend`, :mod:`portfolio.books`, :mod:`simulation.sensitivity` and
:mod:`reporting.decisions`; the callbacks only read the controls and show the results.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids
from dashboard.components import (
    CHART_NAMES,
    GRAPH_CONFIG,
    chart_name_id,
    kpi_card,
    page_header,
    plain_table,
    table_region,
    table_toggle,
    tier_label,
)
from dashboard.whatif import analyze_session, checked_settings, whole_book_session
from portfolio.formatting import money, percent
from reporting import decisions
from reporting.figures import message_figure
from reporting.simulator import default_sams
from simulation import Scenario, SimulationSettings
from simulation.recommend import Recommendation
from simulation.sensitivity import hit_plan, tornado


def _chart(component_id: str, name: str) -> html.Div:
    """A chart with its "View as table" (built by :mod:`dashboard.chart_tables` from this page's
    stores); no Download menu: the board pack renders the analysis and simulator charts only."""
    return html.Div(
        [
            html.Span(CHART_NAMES[name], id=chart_name_id(component_id), hidden=True),
            html.Div(table_toggle(component_id, name), className="chart-toolbar"),
            dcc.Graph(id=component_id, config=GRAPH_CONFIG),
            table_region(component_id, name),
        ]
    )


def _field(label: str, control, width: int) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0"), control], md=width)


def _controls() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    _field(
                        "Strategic SAMs",
                        dbc.Input(id=ids.DEC_SAMS, type="number", min=1, step=1, size="sm"),
                        2,
                    ),
                    _field(
                        "Max moves (blank: any)",
                        dbc.Input(id=ids.DEC_MAX_MOVES, type="number", min=0, step=1, size="sm"),
                        2,
                    ),
                    _field(
                        "Must keep (account ids, comma-separated)",
                        dbc.Input(id=ids.DEC_KEEP, type="text", size="sm", debounce=True),
                        3,
                    ),
                    _field(
                        "Must exclude (account ids)",
                        dbc.Input(id=ids.DEC_EXCLUDE, type="text", size="sm", debounce=True),
                        3,
                    ),
                    dbc.Col(
                        dbc.Button("Recommend", id=ids.DEC_RUN, color="primary", size="sm", className="mt-3"),
                        md=2,
                    ),
                ],
                className="g-2 align-items-end",
            )
        ),
        className="mb-3",
    )


def layout(**_):
    return html.Div(
        [
            dcc.Store(id=ids.DEC_SCENARIO),
            dcc.Store(id=ids.DEC_PATHS),
            dcc.Store(id=ids.DEC_OWNER_MOVES),
            dcc.Download(id=ids.DEC_DOWNLOAD),
            page_header(
                "Decisions",
                "I have N strategic SAMs: which accounts, who owns them, how sure are we? The "
                "recommendation maximises the expected NPV of strategic treatment (the "
                "Simulator's treatment model, with its uncertainty) for the SAMs you have.",
            ),
            _controls(),
            html.Div(id=ids.DEC_ERROR, className="text-danger", role="alert"),
            html.Div(
                id=ids.DEC_HEADLINE,
                role="status",
                **{"aria-live": "polite"},
                className="alert alert-light border",
            ),
            dbc.Row(id=ids.DEC_KPIS, className="mb-2"),
            html.H5("Which accounts", className="mt-3"),
            dbc.Row(
                [
                    dbc.Col(_chart(ids.DEC_GAINS, "decisions-gains"), lg=12),
                    dbc.Col(
                        [
                            html.Div(
                                id=ids.DEC_MOVES_TABLE, style={"maxHeight": "460px", "overflowY": "auto"}
                            ),
                            dbc.Button(
                                "Simulate this",
                                id=ids.DEC_SIMULATE,
                                color="outline-primary",
                                size="sm",
                                className="mt-2",
                                disabled=True,
                                href="/simulator",
                            ),
                            html.Div(
                                "Opens the Simulator with these moves ticked and the scenario staffed "
                                "with the SAM count here (its Scenario SAMs field), so its NPV is this "
                                "recommendation's plus the luck of the draw.",
                                className="small text-muted",
                            ),
                        ],
                        lg=12,
                    ),
                ]
            ),
            html.H5("Who owns them", className="mt-3"),
            html.P(id=ids.DEC_BOOKS_NOTE, className="small text-muted"),
            dbc.Row(
                [
                    dbc.Col(_chart(ids.DEC_BOOKS, "decisions-books"), lg=7),
                    dbc.Col(
                        [
                            html.Div(
                                id=ids.DEC_BOOKS_TABLE, style={"maxHeight": "420px", "overflowY": "auto"}
                            ),
                            dbc.Button(
                                "Download the moves list (CSV)",
                                id=ids.DEC_DOWNLOAD_BTN,
                                color="outline-secondary",
                                size="sm",
                                className="mt-2",
                            ),
                        ],
                        lg=5,
                    ),
                ]
            ),
            html.H5("How sure are we", className="mt-3"),
            html.P(
                "Each assumption moved over its interval, one at a time, on the same random paths "
                "(1,000 paths a run; takes a few seconds). Intervals: the treatment's 90% intervals, "
                "ramp 0 to twice its length, margin ±10 points, discount ±5 points, churn odds "
                "×0.8/×1.25 and growth ±3 points per tier, portfolio NRR volatility ±3 points. The baseline "
                "is the data as it is: the treatment, ramp, margin and discount do not move its ARR.",
                className="small text-muted",
            ),
            dbc.Button("How sure are we?", id=ids.DEC_SENS_RUN, color="primary", size="sm", disabled=True),
            dcc.Loading(
                dbc.Row(
                    [
                        dbc.Col(_chart(ids.DEC_TORNADO_NPV, "decisions-tornado-npv"), lg=6),
                        dbc.Col(_chart(ids.DEC_TORNADO_ARR, "decisions-tornado-arr"), lg=6),
                    ]
                )
            ),
            dbc.Row(
                [
                    _field(
                        "ARR target at the horizon (currency)",
                        dbc.Input(id=ids.DEC_TARGET, type="number", min=0, size="sm", debounce=True),
                        4,
                    ),
                    dbc.Col(html.Div(id=ids.DEC_HIT, role="status", **{"aria-live": "polite"}), md=8),
                ],
                className="align-items-end mb-4",
            ),
        ]
    )


@callback(
    output=Output(ids.DEC_SAMS, "value"),
    inputs=dict(settings=Input(ids.SETTINGS, "data"), _version=Input(ids.SESSION_VERSION, "data")),
)
def fill_sams(settings, _version):
    """Today's strategic SAMs (the data's, else what the tier needs) as the starting count."""
    return max(1, round(default_sams(analyze_session(settings))))


def _ids(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def _whole(value, what: str, least: int) -> int | None:
    if value in (None, ""):
        return None
    if not float(value).is_integer() or float(value) < least:
        raise ValueError(f"{what} must be a whole number of at least {least}")
    return int(value)


@callback(
    output=dict(
        headline=Output(ids.DEC_HEADLINE, "children"),
        kpis=Output(ids.DEC_KPIS, "children"),
        gains=Output(ids.DEC_GAINS, "figure"),
        moves=Output(ids.DEC_MOVES_TABLE, "children"),
        books=Output(ids.DEC_BOOKS, "figure"),
        books_table=Output(ids.DEC_BOOKS_TABLE, "children"),
        books_note=Output(ids.DEC_BOOKS_NOTE, "children"),
        owner_moves=Output(ids.DEC_OWNER_MOVES, "data"),
        scenario=Output(ids.DEC_SCENARIO, "data"),
        href=Output(ids.DEC_SIMULATE, "href"),
        simulate_off=Output(ids.DEC_SIMULATE, "disabled"),
        sens_off=Output(ids.DEC_SENS_RUN, "disabled"),
        paths=Output(ids.DEC_PATHS, "data", allow_duplicate=True),
        tornado_npv=Output(ids.DEC_TORNADO_NPV, "figure", allow_duplicate=True),
        tornado_arr=Output(ids.DEC_TORNADO_ARR, "figure", allow_duplicate=True),
        error=Output(ids.DEC_ERROR, "children"),
    ),
    inputs=dict(_clicks=Input(ids.DEC_RUN, "n_clicks"), sams=Input(ids.DEC_SAMS, "value")),
    state=dict(
        max_moves=State(ids.DEC_MAX_MOVES, "value"),
        keep=State(ids.DEC_KEEP, "value"),
        exclude=State(ids.DEC_EXCLUDE, "value"),
        settings=State(ids.SETTINGS, "data"),
    ),
    prevent_initial_call=True,
)
def answer(_clicks, sams, max_moves, keep, exclude, settings):
    """The recommended set for the SAM count and the books balanced after it; a bad input gets
    a message and leaves what is shown as it was."""
    unchanged = {k: no_update for k in _OUTPUTS}
    settings = checked_settings(settings)
    analysis = analyze_session(settings)
    whole = whole_book_session(settings, analysis)
    try:
        n = _whole(sams, "the number of strategic SAMs", 1)
        if n is None:
            return {**unchanged, "error": "Enter the number of strategic SAMs."}
        options = dict(max_moves=_whole(max_moves, "the maximum number of moves", 0))
        if whole is analysis:
            rec = decisions.recommend_for(analysis, n, keep=_ids(keep), exclude=_ids(exclude), **options)
        else:
            segment = analysis.accounts["account_id"]
            rec = decisions.recommend_in_book(
                whole, segment, n, keep=_ids(keep), exclude=_ids(exclude), **options
            )
    except ValueError as exc:
        return {**unchanged, "error": f"Cannot recommend: {exc}."}
    books_problem = ""
    try:
        assignment = decisions.assign_for(whole, rec)
    except ValueError as exc:  # the recommendation stands; the books say why they cannot be balanced
        assignment, books_problem = None, f"The books cannot be balanced: {exc}."
    scenario = {
        "promote": [a.account_id for a in rec.add],
        "demote": [a.account_id for a in rec.remove],
        "sams": rec.sams,
        "recommendation": rec.to_dict(),  # for the charts' "View as table"
        "books": assignment.to_dict() if assignment is not None else {"before": [], "after": []},
    }
    staffing = "keep" if rec.sams == rec.today_sams else "hire"
    query = urlencode(
        {
            "promote": ",".join(scenario["promote"]),
            "demote": ",".join(scenario["demote"]),
            "staffing": staffing,
            "sams": rec.sams,  # the Simulator staffs the scenario with exactly these
        }
    )
    return {
        "headline": " ".join(
            [
                rec.headline(),
                *(n[0].upper() + n[1:] + "." for n in rec.notes),
                f"Treatment effect: {rec.treatment_sentence}",
            ]
        ),
        "kpis": _kpis(rec),
        "gains": decisions.gains_figure(rec),
        "moves": _moves_table(rec),
        **_books(assignment, books_problem),
        "scenario": scenario,
        "href": f"/simulator?{query}",
        "simulate_off": not (rec.add or rec.remove),
        "sens_off": False,
        "paths": None,
        "tornado_npv": NOT_YET,
        "tornado_arr": NOT_YET,
        "error": "",
    }


def _books(assignment, problem: str) -> dict:
    """The "who owns them" outputs: the chart, the table, the note and the moves list."""
    if assignment is None:
        none = message_figure("SAM books", problem)
        return {"books": none, "books_table": None, "books_note": problem, "owner_moves": []}
    note = [
        "Strategic and key accounts assigned to SAMs after the recommendation: "
        f"{len(assignment.moves)} change owner.",
        *[n[0].upper() + n[1:] + "." for n in assignment.notes],
    ]
    return {
        "books": decisions.books_figure(assignment),
        "books_table": _books_table(assignment),
        "books_note": " ".join(note),
        "owner_moves": assignment.moves_frame().to_dict("records"),
    }


_OUTPUTS = (
    "headline",
    "kpis",
    "gains",
    "moves",
    "books",
    "books_table",
    "books_note",
    "owner_moves",
    "scenario",
    "href",
    "simulate_off",
    "sens_off",
    "paths",
    "tornado_npv",
    "tornado_arr",
    "error",
)
NOT_YET = message_figure(
    "How sure are we?", "Press “How sure are we?” to move each assumption over its interval."
)


def _kpis(rec: Recommendation) -> list:
    npv = rec.expected_npv
    more, fewer = rec.marginal_sam_value["one_more"], rec.marginal_sam_value["one_fewer"]
    marginal = money(more, signed=True) if more is not None else "–"
    return [
        kpi_card(
            "Recommended set",
            f"{len(rec.selected)} accounts",
            f"today {len(rec.current)} on {rec.today_sams:g} SAMs; {len(rec.add)} in, {len(rec.remove)} out",
        ),
        kpi_card(
            "Expected NPV against today",
            money(npv.mean, signed=True),
            f"P5 {money(npv.p5, signed=True)} to P95 {money(npv.p95, signed=True)} "
            "(the effect's uncertainty)",
            "success" if npv.p5 > 0 else "warning",
        ),
        kpi_card(
            "One more SAM",
            marginal,
            "net of its cost; one fewer: " + (money(fewer, signed=True) if fewer is not None else "–"),
        ),
    ]


def _moves_table(rec: Recommendation) -> html.Div:
    rows = [
        {
            "move": tier_label("Strategic") if m in rec.add else tier_label("Key"),
            "account": f"{m.account_name} ({m.account_id})",
            "arr": m.arr,
            "gain": f"{money(m.gain.mean, signed=True)} ({money(m.gain.p5)} to {money(m.gain.p95)})",
        }
        for m in (*rec.add, *rec.remove)
    ]
    if not rows:
        return html.P("No move: today's strategic set is the best for these SAMs.")
    return plain_table(
        pd.DataFrame(rows),
        {"move": "To", "account": "Account", "arr": "ARR", "gain": "Expected NPV (P5 to P95)"},
        {"arr": money},
        right=("arr",),
    )


def _books_table(assignment) -> html.Div:
    before = {b.sam: b for b in assignment.before}
    rows = [
        {
            "sam": b.sam,
            "before": f"{before[b.sam].strategic}/{before[b.sam].key} · {before[b.sam].load:.0%}",
            "after": f"{b.strategic}/{b.key} · {b.load:.0%}",
            "arr": b.arr,
        }
        for b in assignment.after
        if b.strategic or b.key or before[b.sam].strategic or before[b.sam].key
    ]
    table = plain_table(
        pd.DataFrame(rows),
        {
            "sam": "SAM",
            "before": "Today",
            "after": "Balanced",
            "arr": "ARR after",
        },
        {"arr": money},
        right=("arr",),
    )
    return html.Div(
        [html.P("Strategic/key accounts · load (share of one SAM)", className="small mb-1"), table]
    )


@callback(
    output=Output(ids.DEC_DOWNLOAD, "data"),
    inputs=dict(_clicks=Input(ids.DEC_DOWNLOAD_BTN, "n_clicks")),
    state=dict(moves=State(ids.DEC_OWNER_MOVES, "data")),
    prevent_initial_call=True,
)
def download_moves(_clicks, moves):
    """The moves list as CSV (account, tier, ARR, from, to)."""
    columns = ["account_id", "account_name", "tier", "arr", "from_sam", "to_sam"]
    frame = pd.DataFrame(moves or [], columns=columns)
    return dcc.send_data_frame(frame.to_csv, "strata-sam-moves.csv", index=False)


@callback(
    output=[
        Output(ids.DEC_TORNADO_NPV, "figure"),
        Output(ids.DEC_TORNADO_ARR, "figure"),
        Output(ids.DEC_PATHS, "data"),
        Output(ids.DEC_ERROR, "children", allow_duplicate=True),
    ],
    inputs=dict(_clicks=Input(ids.DEC_SENS_RUN, "n_clicks")),
    state=dict(scenario=State(ids.DEC_SCENARIO, "data"), settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def how_sure(_clicks, scenario, settings):
    """The tornado of the recommended move; the ending ARR per path of each run is kept (whole
    currency units) for P(hit plan)."""
    if not scenario:
        return no_update, no_update, no_update, "Press Recommend first."
    analysis = whole_book_session(settings, analyze_session(settings))  # the book it was solved on
    inputs = decisions.decision_inputs(analysis, SimulationSettings())
    move = Scenario(tuple(scenario["promote"]), tuple(scenario["demote"]), float(scenario["sams"]))
    try:
        result = tornado(
            inputs.accounts,
            move,
            assumptions=inputs.assumptions,
            treatment=inputs.treatment,
            settings=inputs.settings,
        )
    except ValueError as exc:
        return no_update, no_update, no_update, f"Cannot run the sensitivity: {exc}."
    whole = lambda a: np.rint(a).astype(np.int64).tolist()  # noqa: E731
    paths = {
        "baseline": whole(result.baseline_ending),
        "scenario": whole(result.scenario_ending),
        "runs": [[s.name, whole(s.endings[0][1]), whole(s.endings[1][1])] for s in result.swings],
        **result.to_dict(),  # the tornado's readings, for its "View as table"
    }
    return decisions.tornado_figure(result, "npv"), decisions.tornado_figure(result, "arr"), paths, ""


@callback(
    output=Output(ids.DEC_HIT, "children"),
    inputs=dict(target=Input(ids.DEC_TARGET, "value"), paths=Input(ids.DEC_PATHS, "data")),
)
def show_hit_plan(target, paths):
    """P(ending ARR ≥ target) for baseline and the recommendation, and what moves it most."""
    if target in (None, ""):
        return "Enter an ARR target to see the probability of reaching it."
    if not paths:
        return "Press “How sure are we?” first: the probability comes from its simulated paths."
    try:
        runs = [(name, np.asarray(lo), np.asarray(hi)) for name, lo, hi in paths["runs"]]
        plan = hit_plan(float(target), np.asarray(paths["baseline"]), np.asarray(paths["scenario"]), runs)
    except (ValueError, TypeError) as exc:
        return html.Span(f"Cannot compute: {exc}.", className="text-danger")
    return html.Span(
        [
            f"P(ARR at the horizon ≥ {money(plan.target)}): baseline ",
            html.Strong(percent(plan.baseline)),
            f" (± {percent(plan.baseline_error)}), with the recommendation ",
            html.Strong(percent(plan.scenario)),
            f" (± {percent(plan.scenario_error)}). Moved most by {plan.driver}: "
            f"{percent(plan.driver_low)} to {percent(plan.driver_high)} over its interval.",
        ]
    )


dash.register_page(__name__, path="/decisions", name="Decisions", order=5.5, layout=layout)
