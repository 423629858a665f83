"""The school screen: details, who covered it when, its engagements, consultations and young people.

A school is not a personal record: reading it writes no ``view`` audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slo.services.actors import Actor
from slo.store.db import Store

from .lines import ENGAGEMENT_COLUMNS, EngagementLine, engagement_lines
from .scope import MAX_ROWS, require_school

if TYPE_CHECKING:
    from sqlite_utils import Database

    from slo.models import School


@dataclass
class AssignmentLine:
    officer: str
    officer_name: str
    start_date: str
    end_date: str | None


@dataclass
class SchoolDetail:
    school: School
    assignments: list[AssignmentLine]
    engagements_total: int
    #: the first page of its engagements, newest first, when asked for (``first_page``)
    engagements: list[EngagementLine] = field(default_factory=list)


def school_detail(store: Store, actor: Actor, urn: str, *, first_page: int = 0) -> SchoolDetail:
    """A school's details and who covered it when; with ``first_page``, that many of its newest
    engagements too (what the school screen shows first, read in one go: one scope check, one message)."""
    # the pydantic models: not needed for the desk's first screen
    from slo.models import School
    from slo.services import records

    db = store.db
    require_school(db, actor, urn)
    school = records.get(db, "schools", urn)
    assert isinstance(school, School)
    rows = db.execute(
        "SELECT a.officer, COALESCE(o.name, ''), a.start_date, a.end_date FROM assignments a "
        "LEFT JOIN officers o ON o.collar_number = a.officer WHERE a.school = ? "
        "ORDER BY a.start_date DESC LIMIT 500",
        [urn],
    ).fetchall()
    total = db.execute("SELECT COUNT(*) FROM engagements WHERE school = ?", [urn]).fetchone()[0]
    engagements = _engagements(db, actor, urn, 0, first_page) if first_page else []
    return SchoolDetail(school, [AssignmentLine(*r) for r in rows], total, engagements)


def school_engagements(
    store: Store, actor: Actor, urn: str, *, offset: int = 0, limit: int = 200
) -> list[EngagementLine]:
    """One page of the school's engagements, newest first."""
    db = store.db
    require_school(db, actor, urn)
    return _engagements(db, actor, urn, offset, limit)


def _engagements(db: Database, actor: Actor, urn: str, offset: int, limit: int) -> list[EngagementLine]:
    rows = db.execute(
        f"SELECT {ENGAGEMENT_COLUMNS} FROM engagements e LEFT JOIN schools s ON s.urn = e.school "
        "WHERE e.school = ? ORDER BY e.starts_at DESC, e.ref LIMIT ? OFFSET ?",
        [urn, min(limit, MAX_ROWS), max(offset, 0)],
    ).fetchall()
    return engagement_lines(rows, actor)


@dataclass
class ConsultationLine:
    ref: str
    young_person: str
    young_person_name: str
    school: str
    officer: str
    consulted_on: str
    proposed: str
    outcome: str
    outcome_on: str | None
    #: before_decision or after_decision: whether the school consulted before deciding
    timing: str = ""


def school_consultations(store: Store, actor: Actor, urn: str, *, limit: int = 500) -> list[ConsultationLine]:
    """The school's consultations, newest first."""
    db = store.db
    require_school(db, actor, urn)
    rows = db.execute(
        "SELECT c.ref, c.young_person, COALESCE(y.given_name || ' ' || y.family_name, c.young_person), "
        "c.school, c.officer, c.consulted_on, c.proposed, c.outcome, c.outcome_on, c.timing "
        "FROM consultations c LEFT JOIN young_people y ON y.ref = c.young_person "
        "WHERE c.school = ? ORDER BY c.consulted_on DESC, c.ref LIMIT ?",
        [urn, min(limit, MAX_ROWS)],
    ).fetchall()
    return [ConsultationLine(*r) for r in rows]


@dataclass
class YoungPersonLine:
    ref: str
    given_name: str
    family_name: str
    year_group: int | None
    school: str | None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def school_young_people(store: Store, actor: Actor, urn: str, *, limit: int = MAX_ROWS) -> list[YoungPersonLine]:
    """The young people known at the school (names only: listing is not a view of the record)."""
    db = store.db
    require_school(db, actor, urn)
    rows = db.execute(
        "SELECT ref, given_name, family_name, year_group, school FROM young_people WHERE school = ? "
        "ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, ref LIMIT ?",
        [urn, min(limit, MAX_ROWS)],
    ).fetchall()
    return [YoungPersonLine(*r) for r in rows]
