"""The week planner: an officer's week, Monday to Sunday: engagements, abstractions, absences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from slo.services import permissions
from slo.services.actors import Actor
from slo.services.errors import NotFound
from slo.store.db import Store

from .lines import ENGAGEMENT_COLUMNS, AbstractionLine, EngagementLine, abstractions_between, engagement_lines
from .scope import MAX_ROWS, week_start


@dataclass
class AbsenceLine:
    officer: str
    date_from: str
    date_to: str
    kind: str


@dataclass
class Week:
    officer: str
    officer_name: str
    monday: date
    engagements: list[EngagementLine]
    abstractions: list[AbstractionLine]
    absences: list[AbsenceLine]

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]


def week(store: Store, actor: Actor, officer: str, monday: date) -> Week:
    """The week of ``officer`` holding ``monday`` (any day of it)."""
    db = store.db
    monday = week_start(monday)
    row = db.execute("SELECT name FROM officers WHERE collar_number = ?", [officer]).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {officer!r}")
    permissions.require(db, actor, permissions.VIEW, officer, what=f"officer {officer}'s week")
    sunday = monday + timedelta(days=6)
    engagements = engagement_lines(
        db.execute(
            f"SELECT {ENGAGEMENT_COLUMNS} FROM engagements e LEFT JOIN schools s ON s.urn = e.school "
            "WHERE e.officer = ? AND e.starts_at >= ? AND e.starts_at < ? ORDER BY e.starts_at, e.ref LIMIT ?",
            [officer, monday.isoformat(), (sunday + timedelta(days=1)).isoformat(), MAX_ROWS],
        ).fetchall(),
        actor,
    )
    absences = [
        AbsenceLine(*r)
        for r in db.execute(
            "SELECT officer, date_from, date_to, kind FROM absences WHERE officer = ? AND date_from <= ? "
            "AND date_to >= ? ORDER BY date_from",
            [officer, sunday.isoformat(), monday.isoformat()],
        ).fetchall()
    ]
    abstractions = abstractions_between(db, actor, [officer], monday, sunday)
    return Week(officer, row[0], monday, engagements, abstractions, absences)
