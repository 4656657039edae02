"""``portfolio analyze``: every portfolio metric of an account file, as text or JSON."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from cli.errors import CliError
from cli.options import filtered_source, load_and_analyze, source_info
from portfolio.account_list import write_accounts
from portfolio.analysis import PortfolioAnalysis
from portfolio.changes import NEEDS_SNAPSHOTS, Changes, changes, review_snapshots
from portfolio.datafacts import BENCHMARK_NOTE, describe, trend_of_kind
from portfolio.formatting import money, percent
from portfolio.ingest.history import quarters_of
from portfolio.migration import Migration
from portfolio.retention import CONVENTION_NAMES
from portfolio.schema import TIERS
from portfolio.trends import Trend, quarterly_trend, scorecard_tiering
from portfolio.whatif import migration_with


def run(args: argparse.Namespace) -> int:
    result, analysis = load_and_analyze(args)
    moves = migration_with(result.accounts, analysis)
    if args.accounts_out:
        write_accounts(analysis.accounts, args.accounts_out, analysis.facts.currency)
    trend = None
    if args.trend:
        tiering = scorecard_tiering(analysis.tiers.weights, analysis.tiers.thresholds)
        trend = quarterly_trend(quarters_of(result.accounts), tiering=tiering, convention=analysis.convention)
        trend = trend_of_kind(trend, analysis.facts)
    what_changed = changes_of(result.accounts, args) if getattr(args, "changes", False) else None
    if args.json:
        payload = analysis.to_dict()
        payload["migration"] = moves.to_dict()
        payload["source"] = source_info(result)
        if trend is not None:
            payload |= trend.to_dict()
        if what_changed is not None:
            payload["changes"] = what_changed.to_dict()
        print(json.dumps(payload, indent=2))
    else:
        print(render_text(analysis, filtered_source(result, analysis), result.report.notes, moves))
        if trend is not None:
            print("\n" + render_trend(trend))
        if what_changed is not None:
            print("\n" + render_changes(what_changed))
    return 0


def changes_of(accounts: pd.DataFrame, args: argparse.Namespace) -> Changes:
    """``--changes``: the comparison of the ``--from`` and ``--to`` snapshots (default the last
    two) of :func:`portfolio.changes.review_snapshots` (a snapshot file's dates, or a revenue
    history's quarter ends); CliError when there are none or a date is not one of them."""
    snapshots = review_snapshots(accounts)
    if snapshots is None:
        raise CliError(f"--changes: {NEEDS_SNAPSHOTS}")
    try:
        return changes(snapshots, args.from_date, args.to_date)
    except ValueError as exc:
        raise CliError(f"--changes: {exc}") from None


def render_changes(found: Changes) -> str:
    """The text of ``--changes``: tier migration, strategic ARR walk, gains, losses, movers."""
    lines = [
        f"What changed {found.start:%Y-%m-%d} → {found.end:%Y-%m-%d} "
        f"(tier: {'assigned tier column' if found.current_source == 'assigned' else 'default scorecard'})",
        "  accounts, tier then (rows) × tier now (columns):",
        *("    " + line for line in _table(found.accounts).splitlines()),
        f"  strategic ARR {money(found.strategic_from)} + entered {money(found.entered)} − left "
        f"{money(found.left)} + change of those staying {money(found.stayed_change)} = "
        f"{money(found.strategic_to)}",
    ]
    for title, frame, column in (
        ("new strategic accounts", found.new_strategic, "arr_to"),
        ("strategic accounts lost", found.lost_strategic, "arr_from"),
    ):
        lines.append(f"  {len(frame)} {title}")
        for row in frame.head(10).itertuples():
            reason = f", {row.reason}" if hasattr(row, "reason") else ""
            lines.append(
                f"    {row.account_name} ({row.account_id}): {money(getattr(row, column))}, "
                f"{row.tier_from} → {row.tier_to}{reason}"
            )
    lines.append("  biggest movers (ARR change):")
    for row in found.movers().itertuples():
        move = f"{row.tier_from} → {row.tier_to}"
        lines.append(f"    {row.account_name} ({row.account_id}): {money(row.change)} ({move})")
    return "\n".join(lines)


def render_trend(trend: Trend) -> str:
    """The quarterly table of ``--trend``: one row per quarter end (the year to it), or the
    one line saying why there is none."""
    if not trend.points:
        return f"Trend: none — {trend.note}."
    net, gross = ("NRR", "GRR") if trend.subscription_like else ("net repeat", "gross repeat")
    rows = {}
    for p in trend.points:
        b = p.retention.bridge
        rows[f"{p.as_of:%Y-%m-%d}"] = {
            "ARR": money(p.total_arr),
            net: percent(p.retention.nrr),
            gross: percent(p.retention.grr),
            "strategic share": percent(p.strategic_share),
            **{f"{t} {net}": percent(p.by_tier[t].nrr) for t in TIERS},
            **{f"{t} {gross}": percent(p.by_tier[t].grr) for t in TIERS},
            "expansion": money(b.expansion),
            "contraction": money(-b.contraction),
            "churn": money(-b.churn),
            "reactivation": money(b.reactivation),
            "new": money(b.new),
        }
    table = pd.DataFrame(rows).T.rename_axis("year to")
    convention = trend.points[-1].retention.convention
    lines = [
        f"Trend — trailing twelve months at each quarter end; {net}/{gross} retention under the "
        f"convention '{CONVENTION_NAMES[convention]}', by tier at the start of each year",
        *("  " + line for line in _table(table).splitlines()),
        f"  {trend.kind_reason}",
    ]
    return "\n".join(lines)


def render_reconciliation(analysis: PortfolioAnalysis) -> list[str]:
    """The walk between NRR/GRR conventions, indented, or the line saying why there is none."""
    walk = analysis.reconciliation
    if walk is None:
        return (
            [f"  Reconciliation: none — {analysis.reconciliation_note}"]
            if analysis.reconciliation_note
            else []
        )
    table = walk.to_frame().set_index("step")
    for column in table.columns[1:4]:
        table[column] = table[column].map(lambda v: money(v, precise=True))
    for column in ("NRR", "GRR"):
        table[column] = table[column].map(lambda v: "" if pd.isna(v) else percent(v))
    return ["  Reconciliation between conventions (sums to the cent)"] + [
        "    " + line for line in _table(table).splitlines()
    ]


def _table(frame: pd.DataFrame) -> str:
    return frame.to_string(justify="right")


def render_text(
    analysis: PortfolioAnalysis, source: str, notes: list[str], moves: Migration | None = None
) -> str:
    """The human-readable report printed by ``portfolio analyze``."""
    c = analysis.concentration
    lines = [f"Portfolio: {source}", f"  {describe(analysis.facts)}", *(f"  note: {n}" for n in notes), ""]
    lines += [
        "Concentration",
        f"  accounts            {len(analysis.accounts):,} ({c.active_accounts:,} with ARR)",
        f"  total ARR           {money(c.total_arr, precise=True)}",
        f"  Gini                {c.gini:.3f}",
        f"  HHI                 {c.hhi:,.0f}  (effective accounts {c.effective_accounts:.1f})",
        f"  top-1 share         {percent(c.top_1_share)}",
        f"  top-10 share        {percent(c.top_10_share)}",
        f"  top-20% share       {percent(c.top_20pct_share)}",
        f"  80% of ARR from     {c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct)})",
        "",
    ]
    t = analysis.tiers
    mode = "revenue-only" if t.revenue_only else "weighted scorecard"
    mode += (
        "; revenue "
        + {
            "column": "from the file's revenue_score column",
            "bands": f"points from ARR bands {t.revenue_bands}",
            "percentile": "as the ARR percentile",
        }[t.revenue_method]
    )
    lines.append(
        f"Tiers — {mode}; thresholds Strategic ≥ {t.thresholds.strategic:g}, Key ≥ {t.thresholds.key:g}"
    )
    dist = analysis.distribution
    shown = pd.DataFrame(
        {
            "accounts": dist["accounts"],
            "ARR": dist["arr"].map(lambda v: money(v, precise=True)),
            "ARR share": dist["arr_share"].map(percent),
            "mean ARR": dist["mean_arr"].map(lambda v: money(v, precise=True)),
        }
    )
    lines += ["  " + line for line in _table(shown).splitlines()]
    lines += [f"  warning: {w}" for w in t.warnings]
    if len(t.disagreements):
        lines.append(
            f"  {len(t.disagreements)} account(s) have an assigned tier that differs from the scorecard"
        )
    if moves is not None:
        current = "assigned tier" if moves.current_source == "assigned" else "default scorecard"
        lines.append(
            f"  current ({current}) × proposed (these settings), accounts: "
            f"{len(moves.promotions)} promotion(s), {len(moves.demotions)} demotion(s)"
        )
        lines += ["    " + line for line in _table(moves.accounts).splitlines()]
    lines.append("")
    if analysis.retention is None:
        lines += ["Retention: no prior-year ARR in the file", ""]
    else:
        r = analysis.retention
        net, gross = analysis.retention_names
        title = "Repeat-revenue retention" if analysis.facts.transactional else "Retention"
        lines.append(f"{title} (tier at start of period) — {net} {percent(r.nrr)}, {gross} {percent(r.grr)}")
        lines.append(f"  {analysis.tier_basis_note}")
        if analysis.facts.transactional:
            lines.append(f"  {BENCHMARK_NOTE}")
        lines.append(
            f"  Convention: {CONVENTION_NAMES[analysis.convention]} ({r.base_accounts:,} accounts); "
            f"{r.reactivated_accounts:,} reactivated account(s)"
        )
        if r.note:
            lines.append(f"  note: {r.note}")
        by_tier = pd.DataFrame(
            {
                tier: {
                    net: percent(x.nrr),
                    gross: percent(x.grr),
                    "accounts": x.existing_accounts,
                    **{k.title(): money(v) for k, v in x.bridge.to_dict().items()},
                }
                for tier, x in {**analysis.retention_by_tier, "All": r}.items()
            }
        ).T
        lines += ["  " + line for line in _table(by_tier).splitlines()]
        lines += render_reconciliation(analysis)
        lines.append("")
    w = analysis.workload
    lines.append(
        f"SAM workload — required {w.required_headcount} SAMs "
        f"({w.required_fte:.1f} FTE), available {w.available_headcount:g}"
    )
    by_tier = w.by_tier.assign(
        arr=w.by_tier["arr"].map(money),
        required_fte=w.by_tier["required_fte"].round(1),
        available_fte=w.by_tier["available_fte"].round(1),
        coverage=w.by_tier["coverage"].map(percent),
    )
    lines += ["  " + line for line in _table(by_tier).splitlines()]
    if w.overloaded_sams:
        lines.append(f"  over capacity: {', '.join(w.overloaded_sams)}")
    return "\n".join(lines)
