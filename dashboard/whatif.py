"""The what-if settings applied to this browser session's data."""

from __future__ import annotations

import logging

from dash.exceptions import PreventUpdate

from dashboard import state
from portfolio.analysis import PortfolioAnalysis
from portfolio.changes import Changes, changes_or_note
from portfolio.whatif import DEFAULT_SETTINGS, HistoryViews, analyze_with, history_with, read_settings

logger = logging.getLogger(__name__)


def checked_settings(settings: dict | None) -> dict:
    """``settings`` when :func:`portfolio.whatif.read_settings` accepts them, else the defaults.
    Rejected settings cannot come from the controls (their callback checks them first), only
    from an altered request."""
    try:
        read_settings(settings)
    except ValueError as exc:
        logger.warning("what-if settings rejected, defaults used: %s", str(exc)[:200])
        return DEFAULT_SETTINGS
    return settings or DEFAULT_SETTINGS


def analyze_session(settings: dict | None) -> PortfolioAnalysis:
    """Analyse this browser session's data (the demo by default) under the what-if settings
    (:func:`checked_settings`)."""
    return analyze_with(state.current_data()[0], checked_settings(settings))


def changes_session(view: str | None) -> tuple[Changes | None, str]:
    """What changed between this session's snapshots (``view`` "FROM|TO", default the last
    two), or None and why not (:func:`portfolio.changes.changes_or_note`)."""
    return changes_or_note(state.current_data()[0], view if isinstance(view, str) else None)


def history_session(settings: dict | None) -> HistoryViews:
    """The quarterly trend and the cohorts of this session's data under the what-if settings
    (:func:`checked_settings`)."""
    return history_with(state.current_data()[0], {**DEFAULT_SETTINGS, **checked_settings(settings)})


def keep_switch(settings: dict | None, name: str, value: object, offered: tuple) -> dict:
    """A page's switch (tier basis, convention, data kind) into the what-if settings, kept
    server-side with the session's data (:func:`state.save_settings`): ``settings`` with
    ``name`` = ``value``. PreventUpdate for a value not ``offered`` (only an altered request
    sends one) or for no change (the page appearing with the kept value)."""
    if value not in offered:
        raise PreventUpdate
    changed = {**read_settings(checked_settings(settings)), name: value}
    if changed == state.current_settings():
        raise PreventUpdate
    state.save_settings(changed)
    return changed
