"""Saved scenarios in a real database (SQLite by default, any SQLAlchemy URL).

A saved scenario keeps its name, owner (the browser session, or the signed-in user), the
fingerprint and label of the data it was run on, its inputs (settings, assumptions,
promoted/demoted accounts, SAMs) and its report (summary results, fan, histograms), and when it
was created. Every query is scoped to an owner: nobody lists, loads, renames or deletes
another owner's scenarios.

The report is kept as :meth:`reporting.simulation_report.SimulationReport.to_dict`'s JSON, which
carries its ``schema_version`` (rows saved before it existed have none: version 1). Reading a
row converts an older version when it can; when it cannot (or the row is from a newer Strata),
the scenario is still listed, with ``report`` None and ``problem`` saying so ("This scenario was
saved by an older Strata and cannot be shown; run it again.") instead of an exception.

The URL comes from the settings (``STRATA_DATABASE_URL``, e.g.
``postgresql+psycopg://user@host/strata``); by default a SQLite file, see
:func:`default_database_path`.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import CursorResult, DateTime, Integer, String, Text, create_engine, delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from reporting.simulation_report import SimulationReport, UnreadableReport

MAX_NAME = 120
MAX_DELETE = 1_000  # scenarios one request may delete (100,000 ids timed a worker out)
_CODE_ROOT = Path(__file__).resolve().parents[1]  # the checkout, or site-packages when installed


def default_database_path(environ: Mapping[str, str], code_root: Path = _CODE_ROOT) -> Path:
    """Where the saved scenarios live when ``STRATA_DATABASE_URL`` is unset.

    In a checkout (``code_root`` holds Strata's pyproject.toml): ``instance/strata.db`` in the
    checkout, as always (git ignores it). Installed (e.g. from a wheel): ``strata/strata.db`` in the
    user's data directory, ``$XDG_DATA_HOME`` (default ``~/.local/share``), or
    ``%LOCALAPPDATA%`` on Windows. Not beside the code, since site-packages may be read-only
    and is replaced by every upgrade; and not relative to the current directory, since then
    the saved scenarios would depend on where the app happened to be started (a gunicorn
    started from another directory, or a service without a working directory, would show an
    empty list). A per-user directory is the same however the app is started. A deployment
    with several machines sets ``STRATA_DATABASE_URL`` instead.
    """
    if _is_strata_checkout(code_root):
        return code_root / "instance" / "strata.db"
    xdg = environ.get("XDG_DATA_HOME", "")
    if sys.platform == "win32" and environ.get("LOCALAPPDATA"):
        base = Path(environ["LOCALAPPDATA"])
    elif xdg and Path(xdg).is_absolute():  # the XDG spec says a relative one is ignored
        base = Path(xdg)
    else:
        base = Path.home() / ".local" / "share"
    return base / "strata" / "strata.db"


def _is_strata_checkout(code_root: Path) -> bool:
    # Strata's own pyproject.toml: site-packages can hold another one (a package that ships
    # its pyproject.toml at the top level, as dash-bootstrap-components 2.0 does).
    try:
        project = tomllib.loads((code_root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return project.get("project", {}).get("name") == "strata"


def default_database_url(environ: Mapping[str, str]) -> str:
    """The SQLite file at :func:`default_database_path` (its folder created when missing);
    ``environ`` is the environment the settings were read from."""
    path = default_database_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class _Base(DeclarativeBase):
    pass


class _ScenarioRow(_Base):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    fingerprint: Mapped[str] = mapped_column(String(64))
    data_label: Mapped[str] = mapped_column(String(255))
    inputs: Mapped[str] = mapped_column(Text)
    report: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class SavedScenario:
    """A saved scenario as read back: ``inputs`` is the saved JSON, ``report`` the results
    (None when this Strata cannot show them; ``problem`` then says why, for the user)."""

    id: int
    name: str
    fingerprint: str
    data_label: str
    inputs: dict
    report: SimulationReport | None
    created: datetime
    problem: str | None = None


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValueError("a scenario needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"scenario names are at most {MAX_NAME} characters")
    return name


class ScenarioStore:
    """Save, list, load, rename and delete scenarios, always for one owner at a time."""

    def __init__(self, url: str | None = None) -> None:
        """``url``: a SQLAlchemy URL; None is the default SQLite file for an empty environment
        (the settings resolve the real default, see :class:`storage.settings.Settings`)."""
        self.engine = create_engine(url or default_database_url({}))
        try:
            _Base.metadata.create_all(self.engine)
        except DBAPIError:
            # Several app processes starting on a fresh database race to create the table
            # (gunicorn -w 2): the loser sees "already exists"; checking again then finds it.
            _Base.metadata.create_all(self.engine)

    def _check_unique(self, session: Session, owner: str, name: str, scenario_id: int | None = None) -> None:
        """ValueError when the owner already has another scenario of that name (any case)."""
        names = session.scalars(
            select(_ScenarioRow.name).where(
                _ScenarioRow.owner == owner, _ScenarioRow.id != (scenario_id or -1)
            )
        )
        if name.casefold() in {n.casefold() for n in names}:
            raise ValueError(f"you already have a scenario called “{name}”: choose another name")

    def save(
        self, owner: str, name: str, fingerprint: str, data_label: str, inputs: dict, report: SimulationReport
    ) -> int:
        """Store a scenario; returns its id. ValueError for an empty, over-long or taken name."""
        name = _clean_name(name)
        saved = json.dumps(replace(report, saved_as=None).to_dict())
        row = _ScenarioRow(
            owner=owner,
            name=name,
            fingerprint=fingerprint,
            data_label=data_label[:255],
            inputs=json.dumps(inputs),
            report=saved,
            created=datetime.now(UTC),
        )
        with Session(self.engine) as session, session.begin():
            self._check_unique(session, owner, name)
            session.add(row)
            session.flush()
            return row.id

    def list(self, owner: str) -> list[SavedScenario]:
        """The owner's scenarios, newest first."""
        query = (
            select(_ScenarioRow)
            .where(_ScenarioRow.owner == owner)
            .order_by(_ScenarioRow.created.desc(), _ScenarioRow.id.desc())
        )
        with Session(self.engine) as session:
            return [self._read(row) for row in session.scalars(query)]

    def get(self, owner: str, scenario_id: int) -> SavedScenario | None:
        with Session(self.engine) as session:
            row = session.get(_ScenarioRow, scenario_id)
            return self._read(row) if row is not None and row.owner == owner else None

    def rename(self, owner: str, scenario_id: int, name: str) -> bool:
        """True when the owner's scenario was renamed; ValueError for a bad or taken name."""
        name = _clean_name(name)
        query = (
            update(_ScenarioRow)
            .where(_ScenarioRow.id == scenario_id, _ScenarioRow.owner == owner)
            .values(name=name)
        )
        with Session(self.engine) as session, session.begin():
            self._check_unique(session, owner, name, scenario_id)
            # UPDATE and DELETE give a CursorResult (Session.execute is typed as returning Result)
            return cast(CursorResult, session.execute(query)).rowcount == 1

    def delete(self, owner: str, scenario_id: int) -> bool:
        """True when the owner's scenario was deleted."""
        return self.delete_many(owner, [scenario_id]) == 1

    def delete_many(self, owner: str, scenario_ids: Collection[int]) -> int:
        """Delete the owner's scenarios of these ids in one statement; how many were deleted.
        ValueError above :data:`MAX_DELETE` ids (nothing deleted)."""
        chosen = set(scenario_ids)
        if len(chosen) > MAX_DELETE:
            raise ValueError(f"delete at most {MAX_DELETE:,} scenarios at a time ({len(chosen):,} selected)")
        if not chosen:
            return 0
        query = delete(_ScenarioRow).where(_ScenarioRow.id.in_(chosen), _ScenarioRow.owner == owner)
        with Session(self.engine) as session, session.begin():
            return cast(CursorResult, session.execute(query)).rowcount

    @staticmethod
    def _read(row: _ScenarioRow) -> SavedScenario:
        created = row.created if row.created.tzinfo else row.created.replace(tzinfo=UTC)
        report, problem = read_report(row.report)
        try:
            inputs = json.loads(row.inputs)
        except ValueError:
            inputs = {}
        return SavedScenario(
            row.id,
            row.name,
            row.fingerprint,
            row.data_label,
            inputs if isinstance(inputs, dict) else {},
            report,
            created,
            problem,
        )


def read_report(text: str) -> tuple[SimulationReport | None, str | None]:
    """A saved report's JSON → (the report, None), or (None, why it cannot be shown)."""
    try:
        return SimulationReport.from_dict(json.loads(text)), None
    except UnreadableReport as exc:
        return None, exc.message("This scenario")
    except (TypeError, ValueError):  # not JSON at all
        return None, UnreadableReport("damaged", None).message("This scenario")
