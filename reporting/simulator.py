"""The Simulator page's work without Dash: page inputs → simulation → report, and its tables.

The form is a dict: ``horizon`` (periods), ``period`` (month|quarter), ``nrr_volatility`` (portfolio NRR
volatility in points a year; the data's or the assumed figure when it equals it or is None),
``strategic_sams`` (SAMs on the strategic tier today; None = from the data), ``staffing``
("hire": the scenario hires or releases what the move changes in the SAMs needed; "keep": it
keeps today's SAMs), ``cost_per_sam`` (currency per year), ``margin_pct`` and
``discount_pct`` (percent), ``hazard_ratio``, ``uplift_pct`` (points of annual growth) and
``ramp_months`` (the strategic treatment effect; None = estimated from the data, else assumed)
``assumptions`` (the assumption grid's rows, percentages; empty = calibrated/defaults) and
``retier`` ({account id: tier}: a re-tiering from the Tiers page, the tier each ticked account
moves to; empty = ticked accounts move into or out of Strategic).

The baseline is always the tiers the company runs today (:func:`portfolio.tiers.current_tiers`:
the assigned ``tier`` column, else the scorecard at the default weights and thresholds), never
the What-if scorecard; the What-if settings' segment filter picks the accounts simulated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.fingerprint import dataset_fingerprint
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from portfolio.tiers import current_tiers
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with, finite_number
from reporting.simulation_report import ReportInputs, SimulationReport, simulation_report
from simulation import (
    Assumptions,
    Scenario,
    SimulationSettings,
    TreatmentEffect,
    explicit_effect,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
    starting_treatment,
)
from simulation.economics import DEFAULT_DISCOUNT_RATE, DEFAULT_MARGIN
from simulation.model import DEFAULT_COST_PER_SAM, paths_for_error

PREVIEW_PATHS = 1_000
# The automatic preview runs inside the web request: its cost grows with accounts × periods ×
# paths (100,000 accounts took 21 s, 300,000 killed a worker at its 30 s timeout). Above this
# many account-periods it is not run; the page says to press Run (a background simulation).
# 10,000 accounts × 20 months took 1.8 s here (load 4 on 2 cores), × 60 months 8.0 s.
PREVIEW_MAX_ACCOUNT_PERIODS = 200_000
FULL_PATHS = (2_000, 5_000, 10_000, 20_000, 50_000)
DEFAULT_FORM = {
    "horizon": 12,
    "period": "quarter",
    "nrr_volatility": None,
    "strategic_sams": None,
    "staffing": "hire",
    "scenario_sams": None,
    "cost_per_sam": DEFAULT_COST_PER_SAM,
    "margin_pct": 100 * DEFAULT_MARGIN,
    "discount_pct": 100 * DEFAULT_DISCOUNT_RATE,
    "hazard_ratio": None,
    "uplift_pct": None,
    "ramp_months": None,
    "assumptions": [],
    "retier": {},
}
TREATMENT_FIELDS = ("hazard_ratio", "uplift_pct", "ramp_months")
"""Form fields that, when given, make the treatment effect explicit."""
FIGURES = (("annual_churn", "churn_pct"), ("expansion_drift", "drift_pct"), ("volatility", "volatility_pct"))
"""Assumption figures and their grid columns (percent)."""
GRID_STEP = 1e-4
"""The grid's precision as a fraction (0.01 percentage points)."""


def base_assumptions(analysis: PortfolioAnalysis, nrr_volatility: float | None) -> Assumptions:
    """:func:`simulation.starting_assumptions` with the page's portfolio NRR volatility (points a
    year): explicit when given and different from the starting figure, else the starting one."""
    start = starting_assumptions(analysis)
    if nrr_volatility is None or abs(nrr_volatility / 100 - start.nrr_volatility) < 1e-9:
        return start
    return parse_assumptions({"nrr_volatility": nrr_volatility / 100}, base=start)


def _points(value) -> float | None:
    """A form's number of points (finite), or None when empty; ValueError otherwise."""
    return None if value is None or value == "" else _number(value, "portfolio NRR volatility")


def assumption_rows(assumptions: Assumptions) -> list[dict]:
    """The assumption grid: one row per tier, figures in percent, where they came from."""
    rows = []
    for tier, a in assumptions.tiers.items():
        basis = f"calibrated on {a.accounts} accounts" if a.source == "calibrated" else a.source
        rows.append(
            {
                "tier": tier,
                **{col: round(100 * getattr(a, name), 2) for name, col in FIGURES},
                "source": basis + (f" — {a.note}" if a.note else ""),
            }
        )
    return rows


def assumptions_from_rows(rows: list[dict], base: Assumptions) -> Assumptions:
    """Grid rows → assumptions; a figure that differs from ``base`` becomes explicit.

    ValueError (from :func:`simulation.parse_assumptions`) names a bad value.
    """
    overrides: dict[str, dict[str, float]] = {}
    for row in rows or []:
        tier = row.get("tier")
        if tier not in base.tiers:
            continue
        for name, col in FIGURES:
            try:
                # a missing or empty cell is None: float() raises the TypeError handled below
                value = float(row.get(col)) / 100  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ValueError(f"{tier}: {col.replace('_pct', '')} must be a number (percent)") from None
            # the grid shows 2 decimals of a percent: closer than half a step is "unchanged"
            if abs(value - getattr(base.tiers[tier], name)) > GRID_STEP / 2:
                overrides.setdefault(tier, {})[name] = value
    return parse_assumptions({"tiers": overrides}, base=base) if overrides else base


def default_sams(analysis: PortfolioAnalysis) -> float:
    """SAMs on the strategic tier today: the data's SAMs carrying strategic accounts (whole
    people, :attr:`portfolio.capacity.Workload.strategic_sams`), else — without a SAM column,
    or when none carries one — the whole SAMs the tier needs at the capacity set."""
    known = analysis.workload.strategic_sams
    if known:
        return float(known)
    return float(analysis.workload.by_tier.loc[TIERS[0], "required_headcount"])


def treatment_from_form(analysis: PortfolioAnalysis, form: dict) -> TreatmentEffect:
    """The estimated (or assumed) effect, with the figures the form changes made explicit (a
    field left as prefilled by :func:`treatment_fields` keeps the estimate and its interval).
    ValueError names a bad field."""
    base = starting_treatment(analysis)
    shown = treatment_fields(base)
    given = {}
    for name in TREATMENT_FIELDS:
        value = form.get(name)
        if value in (None, ""):
            continue
        number = _number(value, name)
        if abs(number - shown[name]) > 1e-6:
            given[name] = number
    uplift = given.get("uplift_pct")
    return explicit_effect(
        base,
        hazard_ratio=given.get("hazard_ratio"),
        uplift=None if uplift is None else uplift / 100,
        ramp_months=given.get("ramp_months"),
    )


def treatment_fields(effect: TreatmentEffect) -> dict:
    """The form's treatment fields as the effect gives them (to prefill the inputs)."""
    return {
        "hazard_ratio": round(effect.hazard_ratio.value, 3),
        "uplift_pct": round(100 * effect.uplift.value, 2),
        "ramp_months": effect.ramp_months,
    }


def _number(value, name: str) -> float:
    """``value`` as a finite float (:func:`portfolio.whatif.finite_number`), the field named
    for people (``cost_per_sam`` → "cost per SAM")."""
    return finite_number(value, name.replace("_pct", "").replace("_", " "))


def baseline_tiers(accounts: pd.DataFrame, analysis: PortfolioAnalysis) -> pd.Series:
    """Today's tiers (:func:`portfolio.tiers.current_tiers` of the whole portfolio ``accounts``)
    of the accounts ``analysis`` covers (its segment filter): the simulator's baseline."""
    if analysis.current_tier is not None:
        return analysis.current_tier
    return current_tiers(accounts)[0].reindex(analysis.accounts.index)


def candidate_rows(analysis: PortfolioAnalysis, accounts: pd.DataFrame) -> list[dict]:
    """Active accounts for the selection grid with today's tier (:func:`baseline_tiers`) and
    the What-if score, highest score first."""
    tier = baseline_tiers(accounts, analysis)
    frame = analysis.accounts.assign(tier=tier)
    active = frame[tier.notna() & (frame["arr"] > 0)]
    frame = pd.DataFrame(
        {
            "account_id": active["account_id"].astype(str),
            "account_name": active["account_name"],
            "tier": active["tier"].astype(str),
            "score": active["score"].round(1),
            "arr": active["arr"],
        }
    ).sort_values(["score", "arr"], ascending=False, kind="stable")
    return frame.to_dict("records")


MAX_GRID_ROWS = 1_000_000
"""Most rows the selection grid can send back: the ingest's row limit (one row per account)."""


def selected_ids(selected: object) -> list[str]:
    """Account ids from the grid's ``selectedRows`` as the browser sends them: row dicts, or
    ``{"ids": [...]}`` as set by the "promote the next" and "clear" buttons (the grid echoes that
    back before it turns it into rows). Each id once, in order. ValueError says what is wrong
    (not a list, a row without ``account_id``, more than :data:`MAX_GRID_ROWS`)."""
    if selected is None:
        return []
    if isinstance(selected, dict):
        ids = selected.get("ids", [])
    elif isinstance(selected, list):
        if not all(isinstance(row, dict) and _is_id(row.get("account_id")) for row in selected):
            raise ValueError("every selected row must have an account_id")
        ids = [row["account_id"] for row in selected]
    else:
        raise ValueError("the selection must be a list of rows")
    if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
        raise ValueError("the selection's ids must be a list of account ids")
    if len(ids) > MAX_GRID_ROWS:
        raise ValueError(f"at most {MAX_GRID_ROWS:,} accounts can be selected")
    return list(dict.fromkeys(str(i) for i in ids))


def _is_id(value: object) -> bool:
    """An account id as the grid holds it: non-empty text (or a number, as JSON may give it)."""
    return (isinstance(value, str) and value != "") or (
        isinstance(value, int | float) and not isinstance(value, bool)
    )


def next_by_score(rows: object, selected: list[str], n: object) -> list[str]:
    """``selected`` plus the ``n`` highest-scoring non-strategic accounts not yet selected.

    ``rows`` are the grid's rows, highest score first (:func:`candidate_rows`), as the browser
    sends them back. Linear in rows + selected (a set of the chosen ids). ValueError says what
    is wrong with ``rows`` (not a list of rows with ``account_id`` and ``tier``, more than
    :data:`MAX_GRID_ROWS`) or ``n`` (not a whole number ≥ 0)."""
    count = 0 if n in (None, "") else _number(n, "number of accounts")
    if count < 0 or count != int(count):
        raise ValueError("the number of accounts to promote must be a whole number, 0 or more")
    if not isinstance(rows, list) or len(rows) > MAX_GRID_ROWS:
        raise ValueError(f"the account list must be a list of at most {MAX_GRID_ROWS:,} rows")
    if not all(isinstance(r, dict) and _is_id(r.get("account_id")) and "tier" in r for r in rows):
        raise ValueError("every account row must have an account_id and a tier")
    chosen = list(dict.fromkeys(selected))
    taken = set(chosen)
    extra: list[str] = []
    for row in rows:
        if len(extra) >= count:
            break
        account = str(row["account_id"])
        if row["tier"] != TIERS[0] and account not in taken:
            extra.append(account)
            taken.add(account)
    return chosen + extra


def check_form(form: object) -> dict:
    """The form as the browser sends it → :data:`DEFAULT_FORM` with the values given, checked
    for type and kind (the simulation checks ranges): ``horizon`` a whole number,
    ``nrr_volatility`` empty or a finite number, ``period`` and ``staffing`` one of their choices,
    ``assumptions`` a list of rows. ValueError names the field."""
    if not isinstance(form, dict):
        raise ValueError("the form must be an object")
    form = {**DEFAULT_FORM, **{k: v for k, v in form.items() if v is not None}}
    horizon = _number(form["horizon"], "horizon")
    if horizon != int(horizon):
        raise ValueError("horizon must be a whole number of periods")
    if form["period"] not in ("month", "quarter"):
        raise ValueError("period must be month or quarter")
    if form["staffing"] not in ("hire", "keep"):
        raise ValueError("staffing must be hire or keep")
    scenario_sams = form["scenario_sams"]
    if scenario_sams not in (None, ""):
        scenario_sams = _number(scenario_sams, "scenario SAMs")
        if scenario_sams < 0:
            raise ValueError("scenario SAMs must be zero or more")
    if not isinstance(form["assumptions"], list) or not all(isinstance(r, dict) for r in form["assumptions"]):
        raise ValueError("assumptions must be a list of rows")
    retier = form["retier"] or {}
    if not isinstance(retier, dict) or not all(isinstance(a, str) and t in TIERS for a, t in retier.items()):
        raise ValueError(f"the re-tiering must give each account one of the tiers {', '.join(TIERS)}")
    return {
        **form,
        "horizon": int(horizon),
        "nrr_volatility": _points(form["nrr_volatility"]),
        "retier": retier,
        "scenario_sams": None if scenario_sams in (None, "") else scenario_sams,
    }


def retiering(moves: pd.DataFrame) -> dict[str, str]:
    """The re-tiering a migration's moves make (:attr:`portfolio.migration.Migration.moves`):
    {account id: proposed tier}, the form's ``retier``."""
    return dict(zip(moves["account_id"].astype(str), moves["proposed_tier"].astype(str), strict=True))


def scenario_moves(frame: pd.DataFrame, selected: list[str], retier: dict[str, str]) -> pd.DataFrame:
    """The accounts the scenario moves: ``account_id``, ``arr``, ``current_tier``,
    ``target_tier``, ``move`` ("promotion"/"demotion"). ``frame``: the simulated accounts
    (:func:`simulation.simulation_accounts`, today's tiers); ``selected``: ticked ids (unknown
    ones ignored); ``retier``: a ticked account's target tier, else Strategic for a
    non-strategic account and Key for a strategic one. An account whose target is its own tier
    does not move."""
    rank = {tier: r for r, tier in enumerate(TIERS)}
    ticked = frame[frame["account_id"].isin(set(selected))]
    target = ticked["account_id"].map(retier)
    default = ticked["tier"].map(lambda t: TIERS[1] if t == TIERS[0] else TIERS[0])
    moves = pd.DataFrame(
        {
            "account_id": ticked["account_id"],
            "arr": ticked["arr"],
            "current_tier": ticked["tier"],
            "target_tier": target.where(target.notna(), default),
        }
    )
    step = moves["target_tier"].map(rank).astype(float) - moves["current_tier"].map(rank).astype(float)
    moves = moves[step != 0].assign(move=step[step != 0].map(lambda d: "promotion" if d < 0 else "demotion"))
    order = {a: i for i, a in enumerate(dict.fromkeys(selected))}
    return moves.sort_values("account_id", key=lambda ids: ids.map(order)).reset_index(drop=True)


def simulate(
    accounts: pd.DataFrame,
    whatif: dict | None,
    form: dict,
    selected: list[str],
    paths: int,
    progress: Callable[[float], None] | None = None,
) -> SimulationReport:
    """Run baseline (and the scenario the selection makes) and return the report.

    Ticked non-strategic accounts are promoted, ticked strategic accounts demoted. With
    ``staffing`` "keep" the scenario keeps today's strategic SAMs; with "hire" it hires what the
    move needs; ``scenario_sams``, when given, is the scenario's strategic SAMs whatever the
    staffing choice (the Decisions page's "Simulate this" sets it to the SAMs it recommended
    for). The report carries ``inputs`` (what produced it), ``fingerprint`` (the data it was
    run on) and ``assumption_rows``.
    """
    form = check_form(form)
    analysis = analyze_with(accounts, whatif)
    frame = simulation_accounts(
        analysis.accounts, baseline_tiers(accounts, analysis), start=analysis.facts.as_of
    )
    assumptions = assumptions_from_rows(
        form["assumptions"], base_assumptions(analysis, _points(form.get("nrr_volatility")))
    )
    known = set(frame["account_id"])
    chosen = [a for a in dict.fromkeys(selected or []) if a in known]
    moves = scenario_moves(frame, chosen, form["retier"])
    promote = tuple(moves.loc[moves["move"] == "promotion", "account_id"])
    demote = tuple(moves.loc[moves["move"] == "demotion", "account_id"])
    targets = tuple(zip(moves["account_id"], moves["target_tier"], strict=True)) if form["retier"] else ()
    sams = form["strategic_sams"]
    sams = default_sams(analysis) if sams in (None, "") else _number(sams, "strategic SAMs")
    scenario = None
    if promote or demote:
        staffed = None if form["staffing"] == "hire" else sams
        staffed = staffed if form["scenario_sams"] is None else form["scenario_sams"]
        scenario = Scenario(promote, demote, staffed, targets=targets)
    settings = SimulationSettings(
        paths=int(paths),
        horizon=form["horizon"],
        period=form["period"],
        strategic_capacity=float(analysis.workload.by_tier.loc[TIERS[0], "capacity"]),
        strategic_sams=sams,
        cost_per_sam=_number(form["cost_per_sam"], "cost per SAM"),
        margin=_number(form["margin_pct"], "margin") / 100,
        discount_rate=_number(form["discount_pct"], "discount rate") / 100,
    )
    result = run_simulation(
        frame, assumptions, settings, scenario, progress, treatment=treatment_from_form(analysis, form)
    )
    return replace(
        simulation_report(result),
        inputs=ReportInputs(form, tuple(chosen), whatif, int(paths)),
        fingerprint=dataset_fingerprint(accounts),
        assumption_rows=tuple(assumption_rows(assumptions)),
    )


def same_inputs(report: SimulationReport, form: dict, selected: list[str], whatif: dict | None) -> bool:
    """True when ``report`` was run on this form (as checked by :func:`check_form`), these
    ticked accounts and these what-if settings (compared as JSON: the report went through its
    dict form)."""
    if report.inputs is None:
        return False
    try:
        now = check_form(form)
    except ValueError:
        return False
    as_json = lambda value: json.dumps(value, sort_keys=True, default=str)  # noqa: E731
    ran = report.inputs
    return (as_json(ran.form), list(ran.selected), as_json(ran.whatif)) == (
        as_json(now),
        [a for a in dict.fromkeys(selected)],
        as_json(whatif),
    )


def settings_mismatch(report: SimulationReport, whatif: dict | None) -> str | None:
    """Why ``report`` does not belong beside figures made under the what-if settings
    ``whatif`` (None when it does, or when either side does not say)."""
    if report.inputs is None or whatif is None:
        return None
    ran, now = {**DEFAULT_SETTINGS, **(report.inputs.whatif or {})}, {**DEFAULT_SETTINGS, **whatif}
    # the tier basis only relabels retention: a run under another basis still belongs
    changed = [name for name in DEFAULT_SETTINGS if name != "tier_basis" and ran.get(name) != now.get(name)]
    if not changed:
        return None
    return (
        f"the last simulation was run with other what-if settings ({', '.join(changed)}) "
        "than these slides; run it again on the Simulator page."
    )


def preview_refusal(accounts: int, horizon: object) -> str | None:
    """Why the automatic preview is not run for ``accounts`` accounts over ``horizon`` periods
    (None when it is: accounts × periods ≤ :data:`PREVIEW_MAX_ACCOUNT_PERIODS`; a horizon that
    is not a finite number counts as 1, the simulation then says what is wrong with it)."""
    try:
        periods = max(1, math.ceil(float(horizon)))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        periods = 1
    if accounts * periods <= PREVIEW_MAX_ACCOUNT_PERIODS:
        return None
    return (
        f"Large portfolio ({accounts:,} accounts × {periods:,} periods, over "
        f"{PREVIEW_MAX_ACCOUNT_PERIODS:,}): no automatic preview; press Run for a background simulation."
    )


def run_label(report: SimulationReport) -> tuple[bool, str]:
    """(is it a preview, the badge text): "Preview: 1,000 paths, seed …" or "Full run: …"."""
    s = report.settings
    preview = s.paths == PREVIEW_PATHS
    return preview, f"{'Preview' if preview else 'Full run'}: {s.paths:,} paths, seed {s.seed}"


def result_kpis(report: SimulationReport) -> list[tuple[str, str, str]]:
    """(title, value, reading) for the result cards; every simulated figure with its Monte
    Carlo error, every probability saying what of."""
    s = report.settings
    when = f"{s.horizon} {s.period}s"
    target = report.target
    ending = target.ending_arr
    cards = [
        (
            "Expected ARR at the horizon",
            money(ending.mean),
            f"± {money(target.ending_arr_error)} (Monte Carlo); P5 {money(ending.p5)} – "
            f"P95 {money(ending.p95)} after {when}",
        )
    ]
    c = report.comparison
    if c is not None:
        cards.append(
            (
                "Scenario − baseline",
                money(c.delta.mean, signed=True),
                f"± {money(c.delta_error)}; the move {money(c.move.mean, signed=True)}, the "
                f"staffing {money(c.staffing.mean, signed=True)}; ARR higher than the "
                f"baseline's on {percent(c.delta.prob_better, 0)} of paths "
                f"(± {percent(c.prob_better_error, 0)})",
            )
        )
        e = c.economics
        payback = (
            f"payback {e.payback_years:.1f} years"
            if e.payback_years is not None
            else "no payback within the horizon"
            if e.added_sams
            else "no SAM added"
        )
        cards.append(
            (
                "NPV of the scenario",
                money(e.npv.mean, signed=True),
                f"P5 {money(e.npv.p5)} – P95 {money(e.npv.p95)}; positive on "
                f"{percent(e.prob_positive, 0)} of paths; {money(e.npv_tail.mean, signed=True)} of it "
                f"is the ARR left at the horizon; {percent(e.margin, 0)} margin, "
                f"{percent(e.discount_rate, 0)} discount; {payback}",
            )
        )
    first = target.first_year
    if first is not None:
        cards.append(
            (
                "Year-1 NRR / GRR",
                f"{percent(first.nrr.p50, 0)} / {percent(first.grr.p50, 0)}",
                f"medians; P5–P95 NRR {percent(first.nrr.p5, 0)}–{percent(first.nrr.p95, 0)}, "
                f"GRR {percent(first.grr.p5, 0)}–{percent(first.grr.p95, 0)}",
            )
        )
    cards.append(
        (
            "Lose a top-10 account",
            percent(target.prob_lose_top10, 0),
            f"probability that one of today's 10 largest churns within {when}; expected "
            f"churned ARR {money(target.expected_churned_arr)}",
        )
    )
    return cards


def precision_text(report: SimulationReport) -> str:
    """How precise the run is, and how many paths a full run needs to pin the delta down to a
    tenth of itself."""
    c = report.comparison
    if c is None:
        return (
            f"{report.settings.paths:,} paths: expected ARR ± "
            f"{money(report.target.ending_arr_error)} (Monte Carlo error)."
        )
    sd = c.delta_error * report.settings.paths**0.5
    needed = paths_for_error(sd, abs(c.delta.mean) / 10, FULL_PATHS)
    share = c.delta_error / abs(c.delta.mean) if c.delta.mean else float("inf")
    return (
        f"{report.settings.paths:,} paths: the delta's Monte Carlo error is ± "
        f"{money(c.delta_error)} ({percent(share, 0)} of it). {needed:,} paths bring it "
        f"to about {money(sd / needed**0.5)}."
    )


def staffing_rows(report: SimulationReport) -> list[dict]:
    """Strategic staffing of the baseline, the move with today's SAMs and the scenario."""
    rows = []
    for variant in report.variants:
        staff = variant.staffing
        rows.append(
            {
                "run": variant.name,
                "strategic accounts": staff.strategic_accounts,
                "SAMs": f"{staff.sams:g}",
                "SAMs needed": staff.required_sams,
                "load": percent(staff.load, 0) if staff.load is not None else "–",
                "attention": percent(staff.attention, 0),
            }
        )
    return rows


def economics_text(report: SimulationReport) -> str:
    """One sentence on the SAMs the scenario adds or releases and what they are worth."""
    c = report.comparison
    if c is None:
        return "No scenario: tick accounts to compare."
    e = c.economics
    if e.added_sams:
        change = f"{e.added_sams:g} more SAM(s) cost {money(e.sam_cost)} a year"
    elif e.released_sams:
        change = f"{e.released_sams:g} SAM(s) released save {money(-e.sam_cost)} a year"
    else:
        change = "The scenario keeps today's SAMs"
    return (
        f"{change}; NPV of the move {money(e.npv_move.mean, signed=True)}, of the staffing "
        f"{money(e.npv_staffing.mean, signed=True)} (margin {percent(e.margin, 0)}, "
        f"discount {percent(e.discount_rate, 0)}; the ARR the move leaves at the horizon is "
        f"valued as decaying at the moved accounts' churn, {percent(e.tail_churn, 1)} a year, with "
        "no SAM cost after it)."
    )


def saved_rows(saved: list, current_fingerprint: str) -> list[dict]:
    """The saved-scenario grid: name, when, which data, and the headline (or why it cannot be
    shown). ``saved``: :class:`storage.scenarios.SavedScenario`-like items."""
    return [
        {
            "id": item.id,
            "name": item.name,
            "created": item.created.strftime("%Y-%m-%d %H:%M UTC"),
            "data": item.data_label
            + (" · this data" if item.fingerprint == current_fingerprint else " · other data"),
            "summary": item.report.headline if item.report is not None else item.problem,
        }
        for item in saved
    ]


def load_message(item, current_fingerprint: str) -> tuple[str, str]:
    """(level, text) on loading a saved scenario: level "ok", "warning" (run on other data: its
    saved results are shown, not results for the data loaded now) or "problem" (unreadable)."""
    if item.report is None:
        return "problem", item.problem
    if item.fingerprint != current_fingerprint:
        return "warning", (
            f"“{item.name}” was run on other data ({item.data_label}, "
            f"{item.created:%Y-%m-%d %H:%M} UTC): its saved results are shown, not "
            "results for the data loaded now."
        )
    return "ok", f"Loaded “{item.name}”: its saved results are shown."


COMPARE_PATHS = 10_000
"""Paths of the re-runs that put compared scenarios on one baseline (a synchronous request)."""
BASELINE_FIELDS = ("horizon", "period", "nrr_volatility", "strategic_sams", "assumptions")
"""The form fields that fix the baseline (with the data, the what-if settings and the paths)."""


def baseline_settings(report: SimulationReport) -> tuple:
    """What fixes a run's baseline: what-if settings, horizon, period, portfolio NRR volatility, today's
    strategic SAMs, the tier figures, paths and seed (the data is compared by fingerprint)."""
    s = report.settings
    figures = tuple(
        (t, a.annual_churn, a.expansion_drift, a.volatility) for t, a in report.assumptions.items()
    )
    whatif = report.inputs.whatif if report.inputs is not None else None
    return (
        repr(whatif),
        s.horizon,
        s.period,
        report.nrr_volatility,
        report.baseline.staffing.sams,
        figures,
        s.paths,
        s.seed,
    )


def _ids(ids: tuple[str, ...]) -> str:
    return (", ".join(ids[:6]) + (f" … ({len(ids)})" if len(ids) > 6 else "")) if ids else "–"


def _column(item, report: SimulationReport, how: str) -> dict:
    """One scenario's column of the comparison table."""
    s, target, c = report.settings, report.target, report.comparison
    whatif = report.inputs.whatif if report.inputs is not None else None
    thresholds = "/".join(f"{t:g}" for t in (whatif or {}).get("thresholds", [])) or "default"
    hr, up = report.treatment.hazard_ratio, report.treatment.uplift
    staffing = report.inputs.form.get("staffing", "hire") if report.inputs is not None else "–"
    band = lambda d: f"{money(d.mean, signed=True)} (P5 {money(d.p5)}, P95 {money(d.p95)})"  # noqa: E731
    first = target.first_year
    return {
        "data": item.data_label,
        "baseline": (
            f"{report.baseline.staffing.sams:g} strategic SAMs · {s.horizon} {s.period}s "
            f"· thresholds {thresholds} · {s.paths:,} paths"
        ),
        "results": how,
        "promoted": _ids(report.scenario.promote if report.scenario else ()),
        "demoted": _ids(report.scenario.demote if report.scenario else ()),
        "strategic SAMs": (f"{report.baseline.staffing.sams:g} → {target.staffing.sams:g} ({staffing})"),
        "treatment": (
            f"HR {hr.value:.2f} ({hr.low:.2f}–{hr.high:.2f}), {100 * up.value:+.1f} pts, "
            f"{report.treatment.ramp_months:g} mo · {report.treatment.source}"
        ),
        "expected ending ARR": f"{money(target.ending_arr.mean)} ± {money(target.ending_arr_error)}",
        "Δ vs baseline": f"{money(c.delta.mean, signed=True)} ± {money(c.delta_error)}" if c else "–",
        "the move / the staffing": (
            f"{money(c.move.mean, signed=True)} / {money(c.staffing.mean, signed=True)}" if c else "–"
        ),
        "P(ARR above baseline)": percent(c.delta.prob_better, 0) if c else "–",
        "NPV": band(c.economics.npv) if c else "–",
        "payback": (
            f"{c.economics.payback_years:.1f} years" if c and c.economics.payback_years is not None else "–"
        ),
        "year-1 NRR / GRR (P50)": (
            f"{percent(first.nrr.p50, 0)} / {percent(first.grr.p50, 0)}" if first else "–"
        ),
        "P(lose a top-10 account)": percent(target.prob_lose_top10, 0),
    }


def compare(
    saved: list, chosen: int, shown: int, accounts: pd.DataFrame, current_fingerprint: str
) -> tuple[pd.DataFrame, str]:
    """Saved scenarios side by side on **one baseline**, and a note.

    The reference is the first scenario run on the data loaded now. Every other scenario on
    this data whose baseline differs (see :func:`baseline_settings`) is re-run with its own
    moves, staffing and treatment on the reference's baseline (its what-if settings, horizon,
    portfolio NRR volatility, SAMs today, tier figures), at most :data:`COMPARE_PATHS` paths — the reference
    too when it had more. Scenarios run on other data are shown as saved, marked. Items
    without a readable report are left out with their reason.
    """
    notes = [f"“{item.name}”: {item.problem}" for item in saved if item.report is None]
    if chosen > shown:
        notes.insert(0, f"Showing the first {shown} of {chosen} selected.")
    readable = [item for item in saved if item.report is not None]
    here = [
        item
        for item in readable
        if item.fingerprint == current_fingerprint and item.report.inputs is not None
    ]
    reference = here[0].report if here else None
    paths = min(reference.settings.paths, COMPARE_PATHS) if reference else 0
    columns = {}
    for item in readable:
        report, how = item.report, "as saved"
        if item not in here:
            how = "as saved, on other data (its own baseline)"
        else:
            assert reference is not None  # the item is in ``here``
            if baseline_settings(report) != baseline_settings(reference) or report.settings.paths != paths:
                form = {**report.inputs.form, **{k: reference.inputs.form.get(k) for k in BASELINE_FIELDS}}
                report = simulate(
                    accounts, reference.inputs.whatif, form, list(report.inputs.selected), paths
                )
                how = f"re-run on the common baseline ({paths:,} paths)"
        columns[f"{item.name} (#{item.id})"] = _column(item, report, how)
    if reference is not None and len(here) > 1:
        notes.append(f"All scenarios on this data share the baseline of “{here[0].name}”.")
    return pd.DataFrame(columns), " ".join(notes)


NO_SCENARIO = "Tick accounts to promote or demote to see a scenario."
"""What the scenario charts (the delta and its decomposition) say without a scenario."""


def chart_summaries(report: SimulationReport) -> dict[str, str]:
    """One sentence per Simulator chart, by its export name, for the charts' screen-reader text
    summaries: the fan says the headline, the others the comparison's numbers (or, without a
    scenario, the baseline's ending ARR and :data:`NO_SCENARIO`)."""
    target = report.target.ending_arr
    c = report.comparison
    if c is None:
        return {
            "simulation-fan": report.headline,
            "simulation-ending-arr": (
                f"Expected ARR at the horizon {money(target.mean)} "
                f"(P5 {money(target.p5)} – P95 {money(target.p95)})."
            ),
            "simulation-delta": NO_SCENARIO,
            "simulation-decomposition": NO_SCENARIO,
        }
    return {
        "simulation-fan": report.headline,
        "simulation-ending-arr": (
            f"Expected ARR at the horizon: baseline {money(report.baseline.ending_arr.mean)}, "
            f"scenario {money(target.mean)}."
        ),
        "simulation-delta": (
            f"The scenario ends {money(c.delta.mean, signed=True)} against the baseline on "
            f"average, and ahead of it on {percent(c.delta.prob_better, 0)} of paths."
        ),
        "simulation-decomposition": (
            f"Of the {money(c.delta.mean, signed=True)} difference, the move with today's SAMs "
            f"gives {money(c.move.mean, signed=True)} and the staffing change "
            f"{money(c.staffing.mean, signed=True)}."
        ),
    }


def renewal_summary(report: SimulationReport) -> str:
    """The renewal calendar's text summary (for screen readers and the page): the quarter with
    the most ARR up for renewal, its expected churn with P5–P95, the first year's churn, and
    how churn is timed."""
    calendar = report.renewal_calendar
    if calendar is None:
        return "This result has no renewal calendar; run it again."
    quarters = calendar.quarters
    busiest = max(quarters, key=lambda q: q.up_for_renewal)
    first_year = sum(q.churned_mean for q in quarters[:4])
    text = f"Expected churned ARR over the first {min(4, len(quarters))} quarters: {money(first_year)}. "
    if busiest.up_for_renewal > 0:
        text += (
            f"The busiest renewal quarter is Q{busiest.quarter}: {money(busiest.up_for_renewal)} up for "
            f"renewal, {money(busiest.churned_mean)} expected to churn (P5 {money(busiest.churned_p5)} – "
            f"P95 {money(busiest.churned_p95)}). "
        )
    return text + calendar.timing
