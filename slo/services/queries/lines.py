"""Rows that several screens list: engagements (school, week) and abstractions (caseload, week)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from slo.services.actors import Actor

from .scope import MAX_ROWS, require_view


@dataclass
class EngagementLine:
    ref: str
    officer: str
    school: str
    school_name: str
    young_person: str | None
    kind: str
    title: str
    starts_at: str
    ends_at: str
    status: str
    cancel_reason: str | None


#: the columns of :class:`EngagementLine`, in order (``engagements e LEFT JOIN schools s``)
ENGAGEMENT_COLUMNS = (
    "e.ref, e.officer, e.school, COALESCE(s.name, e.school), e.young_person, e.kind, e.title, "
    "e.starts_at, e.ends_at, e.status, e.cancel_reason"
)


@dataclass
class AbstractionLine:
    ref: str
    officer: str
    date_from: str
    date_to: str
    portion: str
    category: str
    review_status: str


def abstractions_between(
    db: Database, actor: Actor, officers: list[str] | None, date_from: date, date_to: date
) -> list[AbstractionLine]:
    """Abstractions of ``officers`` (None: everyone's) overlapping the span (at most MAX_ROWS)."""
    require_view(db, actor, "abstractions")
    params: list[Any] = [date_to.isoformat(), date_from.isoformat()]
    who = ""
    if officers is not None:
        who = f" AND officer IN ({', '.join('?' for _ in officers) or 'NULL'})"
        params.extend(officers)
    rows = db.execute(
        "SELECT ref, officer, date_from, date_to, portion, category, review_status FROM abstractions "
        f"WHERE date_from <= ? AND date_to >= ?{who} ORDER BY date_from, ref LIMIT {MAX_ROWS}",
        params,
    ).fetchall()
    return [AbstractionLine(*r) for r in rows]
