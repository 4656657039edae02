"""``portfolio assign``: which SAM owns which strategic and key account, books balanced."""

from __future__ import annotations

import argparse
import json

from cli.errors import CliError
from cli.options import load_and_analyze, source_info
from portfolio.books import Assignment
from portfolio.formatting import money
from reporting.decisions import assign_for, recommend_for


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    try:
        rec = recommend_for(analysis, args.sams) if args.sams is not None else None
        assignment = assign_for(analysis, rec, change_weight=args.change_weight, respect=args.respect)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.moves_out:
        assignment.moves_frame().to_csv(args.moves_out, index=False)
    if args.json:
        payload = {**assignment.to_dict(), "source": source_info(result)}
        if rec is not None:
            payload["recommendation"] = rec.to_dict()
        print(json.dumps(payload, indent=2))
    else:
        print(render(assignment, result.report.source))
    return 0


def render(assignment: Assignment, source: str) -> str:
    """The text printed by ``portfolio assign``."""
    lines = [f"Portfolio: {source}", *[f"  note: {n}" for n in assignment.notes], ""]
    lines.append(
        f"{'SAM':<22}{'strategic':>10}{'key':>6}{'load':>7}{'ARR':>10}   "
        f"{'strategic':>10}{'key':>6}{'load':>7}{'ARR':>10}   (today, then balanced)"
    )
    before = {b.sam: b for b in assignment.before}
    for b in assignment.after:
        a = before[b.sam]
        if not (a.strategic or a.key or b.strategic or b.key):
            continue
        lines.append(
            f"{b.sam[:21]:<22}{a.strategic:>10}{a.key:>6}{a.load:>7.0%}{money(a.arr):>10}   "
            f"{b.strategic:>10}{b.key:>6}{b.load:>7.0%}{money(b.arr):>10}"
        )
    lines += ["", f"Moves ({len(assignment.moves)}):"]
    lines += [
        f"  {m.account_id:<10} {m.tier:<9} {money(m.arr):>9}  {m.from_sam or '(nobody)'} → {m.to_sam}"
        for m in assignment.moves
    ]
    return "\n".join(lines)
