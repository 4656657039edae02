"""What changed between two snapshots, drawn and said: the strategic ARR walk, the tier
migration heatmap, the one-sentence takeaway and the account tables (pure; no Dash)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from portfolio.changes import NEEDS_SNAPSHOTS, NO_ARR, Changes
from portfolio.formatting import money
from reporting.chart_tables import ChartTable
from reporting.figures import _figure, message_figure, plain_text, waterfall_figure

NO_CHANGES_TITLE = "What changed — needs two snapshots"


def _period(found: Changes) -> str:
    return f"{found.start:%Y-%m-%d} → {found.end:%Y-%m-%d}"


def strategic_walk_figure(found: Changes | None, note: str = NEEDS_SNAPSHOTS) -> go.Figure:
    """Strategic ARR at the earlier date → + entered (accounts that became Strategic) − left
    (churned or demoted) ± change of those Strategic at both dates → strategic ARR now."""
    if found is None:
        return message_figure(NO_CHANGES_TITLE, note)
    steps = [
        (f"Strategic ARR {found.start:%Y-%m-%d}", found.strategic_from, "absolute"),
        ("Entered (became Strategic)", found.entered, "relative"),
        ("Left (churned or demoted)", -found.left, "relative"),
        ("Change of those staying", found.stayed_change, "relative"),
        (f"Strategic ARR {found.end:%Y-%m-%d}", found.strategic_to, "total"),
    ]
    top = max(found.strategic_from, found.strategic_to, found.strategic_from + found.entered)
    return waterfall_figure(f"Strategic ARR, {_period(found)}", steps, top, signed=True)


MIGRATION_SCALE = [[0, "#ffffff"], [1, "#9ecae1"]]
"""Cells from white (no account) to a light blue (the most), light enough for black text."""


def migration_heatmap(found: Changes | None, note: str = NEEDS_SNAPSHOTS) -> go.Figure:
    """Accounts by tier at the earlier date (rows) and the later (columns), No ARR included, as
    a grid of cells coloured by the number of accounts; each cell's text gives the accounts and
    their ARR then → now. Drawn as bars (the page's Plotly bundle has no heatmap trace)."""
    if found is None:
        return message_figure("Tier migration — needs two snapshots", note)
    counts = found.accounts
    rows = [f"{b} then" for b in counts.index]
    cells = [
        (i, j, int(counts.iloc[i, j]), found.arr_from.iloc[i, j], found.arr_to.iloc[i, j])
        for i in range(len(counts.index))
        for j in range(len(counts.columns))
    ]
    bars = dict(
        type="bar",
        orientation="h",
        y=[rows[c[0]] for c in cells],
        x=[1] * len(cells),
        base=[c[1] for c in cells],
        width=0.94,
        marker=dict(
            color=[c[2] for c in cells],
            colorscale=MIGRATION_SCALE,
            cmin=0,
            cmax=max(1, int(counts.to_numpy().max())),
            line=dict(color="#cccccc", width=1),
        ),
        text=[f"{c[2]:,} · {money(c[3])} → {money(c[4])}" if c[2] else "" for c in cells],
        textposition="inside",
        insidetextanchor="middle",
        textfont=dict(color="#222222"),
        customdata=[[counts.columns[c[1]], f"{c[2]:,}"] for c in cells],
        hovertemplate="%{y} → %{customdata[0]} now: %{customdata[1]} account(s); ARR %{text}<extra></extra>",
    )
    return _figure(
        f"Tier migration, {_period(found)} (accounts · ARR then → now)",
        [bars],
        showlegend=False,
        barmode="overlay",
        yaxis=dict(autorange="reversed", type="category"),
        xaxis=dict(
            tickvals=[j + 0.5 for j in range(len(counts.columns))],
            ticktext=[f"{a} now" for a in counts.columns],
            range=[0, len(counts.columns)],
            side="top",
            showgrid=False,
            zeroline=False,
        ),
        margin=dict(t=110),
    )


def changes_takeaway(found: Changes | None) -> str:
    """One sentence for the slide: the strategic ARR walk and the accounts behind it."""
    if found is None:
        return NEEDS_SNAPSHOTS
    new, lost = found.new_strategic, found.lost_strategic
    churned = int((lost["reason"] == "churned").sum()) if len(lost) else 0
    return (
        f"Strategic ARR went from {money(found.strategic_from)} to {money(found.strategic_to)} "
        f"between {found.start:%Y-%m-%d} and {found.end:%Y-%m-%d}: {len(new)} account(s) became "
        f"Strategic ({money(found.entered, signed=True)}), {len(lost)} left it ({churned} churned, "
        f"{len(lost) - churned} demoted; {money(-found.left, signed=True)}), and those staying "
        f"changed by {money(found.stayed_change, signed=True)}."
    )


ACCOUNT_HEADERS = {
    "account_name": "Account",
    "arr_from": "ARR then",
    "arr_to": "ARR now",
    "change": "Change",
    "tier_from": "Tier then",
    "tier_to": "Tier now",
}
"""Columns of :func:`account_rows` as the page heads them (lost accounts add ``reason``)."""


def account_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Account rows as text cells: money compact, the change signed, names shown literally."""
    out = frame.copy()
    out["account_name"] = [plain_text(n) for n in out["account_name"]]
    for column in ("arr_from", "arr_to"):
        out[column] = out[column].map(money)
    out["change"] = out["change"].map(lambda v: money(v, signed=True))
    for column in ("tier_from", "tier_to"):
        out[column] = out[column].map(lambda t: "—" if t == NO_ARR else t)
    return out


def strategic_walk_table(found: Changes | None, note: str = NEEDS_SNAPSHOTS) -> ChartTable:
    """The strategic ARR walk as a table: each step and its ARR (signed for the steps)."""
    if found is None:
        return ChartTable(pd.DataFrame(), (), note)
    rows = [
        {"Step": f"Strategic ARR {found.start:%Y-%m-%d}", "ARR": money(found.strategic_from)},
        {"Step": "Entered (became Strategic)", "ARR": money(found.entered, signed=True)},
        {"Step": "Left (churned or demoted)", "ARR": money(-found.left, signed=True)},
        {"Step": "Change of those staying", "ARR": money(found.stayed_change, signed=True)},
        {"Step": f"Strategic ARR {found.end:%Y-%m-%d}", "ARR": money(found.strategic_to)},
    ]
    return ChartTable(pd.DataFrame(rows), ("ARR",), f"Strategic tier, {_period(found)}.")


def migration_table(found: Changes | None, note: str = NEEDS_SNAPSHOTS) -> ChartTable:
    """The migration matrix as a table: one row per (tier then, tier now) with accounts."""
    if found is None:
        return ChartTable(pd.DataFrame(), (), note)
    rows = [
        {
            "Tier then": b,
            "Tier now": a,
            "Accounts": f"{int(found.accounts.loc[b, a]):,}",
            "ARR then": money(found.arr_from.loc[b, a]),
            "ARR now": money(found.arr_to.loc[b, a]),
        }
        for b in found.accounts.index
        for a in found.accounts.columns
        if found.accounts.loc[b, a]
    ]
    return ChartTable(
        pd.DataFrame(rows),
        ("Accounts", "ARR then", "ARR now"),
        f"Tiers {_period(found)}; No ARR: absent or 0.",
    )


CHANGES_CHARTS: dict[str, Callable[..., go.Figure]] = {
    "changes-strategic-walk": strategic_walk_figure,
    "changes-migration": migration_heatmap,
}
"""The What changed page's charts by export name, each ``(changes or None, note) → figure``."""
CHANGES_TABLES: dict[str, Callable[..., ChartTable]] = {
    "changes-strategic-walk": strategic_walk_table,
    "changes-migration": migration_table,
}
"""Their tables, by the same names and arguments."""
