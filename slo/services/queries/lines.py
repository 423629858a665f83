"""Rows that several screens list: engagements (school, week) and abstractions (caseload, week)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from slo.services.actors import Actor

from .scope import MAX_ROWS, require_view

if TYPE_CHECKING:
    from sqlite_utils import Database


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
    #: the young person of a 1:1 session, by name: only in the desk of the officer who met them
    young_person_name: str | None = None


#: the columns of :class:`EngagementLine`, in order (``engagements e LEFT JOIN schools s``), then the
#: young person's name (a 1:1 session's), which :func:`engagement_lines` keeps for the officer's own only
ENGAGEMENT_COLUMNS = (
    "e.ref, e.officer, e.school, COALESCE(s.name, e.school), e.young_person, e.kind, e.title, "
    "e.starts_at, e.ends_at, e.status, e.cancel_reason, "
    "(SELECT y.given_name || ' ' || y.family_name FROM young_people y WHERE y.ref = e.young_person)"
)


def engagement_lines(rows: Iterable[Sequence[Any]], actor: Actor) -> list[EngagementLine]:
    """Rows of ``ENGAGEMENT_COLUMNS`` as lines. A 1:1 session's stored title is the head teacher's
    anonymised one ("Liaison officer: 1:1 session", what the school's calendar shows); in the desk of
    the officer who held it the line names the young person they met ("1:1 with Jamie Lee").
    Anyone else (a sergeant, an admin) reads the anonymised title and no name."""
    out = []
    for *fields, name in rows:
        line = EngagementLine(*fields)
        if line.kind == "one_to_one" and name and line.officer == actor.collar:
            line.young_person_name = name
            line.title = f"1:1 with {name}"
        out.append(line)
    return out


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
