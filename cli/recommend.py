"""``portfolio recommend``: which accounts deserve the strategic SAMs, and how sure we are."""

from __future__ import annotations

import argparse
import json

from cli.errors import CliError
from cli.options import load_and_analyze, source_info
from portfolio.formatting import money, percent
from reporting.decisions import decision_inputs, scenario_of
from simulation import SimulationSettings
from simulation.recommend import Band, Recommendation, recommend
from simulation.sensitivity import HitPlan, Sensitivity, tornado


def ids(values: list[str]) -> list[str]:
    """``['A1,A2', 'A3']`` → ``['A1', 'A2', 'A3']``."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    if args.target is not None and not args.target > 0:
        raise CliError(f"--target: the ARR target must be a positive amount, got {args.target:g}")
    try:
        settings = SimulationSettings(
            horizon=args.horizon,
            period=args.period,
            seed=args.seed,
            cost_per_sam=args.cost_per_sam,
            margin=args.margin / 100,
            discount_rate=args.discount_rate / 100,
            strategic_sams=args.current_sams,
        )
        inputs = decision_inputs(analysis, settings)
        rec = recommend(
            inputs.accounts,
            sams=args.sams,
            budget=args.budget,
            max_moves=args.max_moves,
            keep=ids(args.keep),
            exclude=ids(args.exclude),
            assumptions=inputs.assumptions,
            treatment=inputs.treatment,
            settings=inputs.settings,
        )
        sensitivity = plan = None
        if args.target is not None:
            sensitivity = tornado(
                inputs.accounts,
                scenario_of(rec),
                assumptions=inputs.assumptions,
                treatment=inputs.treatment,
                settings=inputs.settings,
                paths=args.paths,
            )
            plan = sensitivity.hit_plan(args.target)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        payload = {**rec.to_dict(), "source": source_info(result)}
        if sensitivity is not None and plan is not None:
            payload |= {"sensitivity": sensitivity.to_dict(), "hit_plan": plan.to_dict()}
        print(json.dumps(payload, indent=2))
    else:
        print(render(rec, result.report.source, sensitivity, plan))
    return 0


def band(b: Band) -> str:
    """'+$1.2M (P5 +$0.4M, P95 +$2.0M)'."""
    return f"{money(b.mean, signed=True)} (P5 {money(b.p5, signed=True)}, P95 {money(b.p95, signed=True)})"


def render(rec: Recommendation, source: str, sensitivity: Sensitivity | None, plan: HitPlan | None) -> str:
    """The text printed by ``portfolio recommend``."""
    lines = [f"Portfolio: {source}", rec.headline(), *[f"  note: {n}" for n in rec.notes], ""]
    lines.append(f"Strategic treatment: {rec.treatment_sentence}")
    lines.append(
        f"Recommended set: {len(rec.selected)} accounts (today {len(rec.current)} on {rec.today_sams:g} SAMs)"
    )
    for title, moves in (("Make strategic", rec.add), ("Return to key", rec.remove)):
        if moves:
            lines.append(f"{title} ({len(moves)}):  expected NPV, P5–P95 of the effect")
            lines += [
                f"  {m.account_id:<10} {m.account_name[:28]:<28} ARR {money(m.arr):>9}  {band(m.gain)}"
                for m in moves
            ]
    more, fewer = rec.marginal_sam_value["one_more"], rec.marginal_sam_value["one_fewer"]
    lines.append(
        "Marginal SAM (net of its cost): one more "
        + (money(more, signed=True) if more is not None else "–")
        + ", one fewer "
        + (money(fewer, signed=True) if fewer is not None else "–")
    )
    if sensitivity is not None and plan is not None:
        lines += ["", f"What moves the NPV ({sensitivity.paths:,} paths, same random numbers):"]
        lines += [
            f"  {s.name:<28} {s.low_label:>12} → {money(s.npv_low):>9}   "
            f"{s.high_label:>12} → {money(s.npv_high):>9}"
            for s in sensitivity.swings
        ]
        lines += [
            "",
            f"P(ending ARR ≥ {money(plan.target)}): baseline {percent(plan.baseline)} "
            f"(± {percent(plan.baseline_error)}), with the recommendation {percent(plan.scenario)} "
            f"(± {percent(plan.scenario_error)}); moved most by {plan.driver} "
            f"({percent(plan.driver_low)} to {percent(plan.driver_high)})",
        ]
    return "\n".join(lines)
