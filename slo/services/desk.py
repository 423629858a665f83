"""Read queries for the desk's screens, scoped by the acting officer's permissions.

Every function takes ``(db or store, actor, ...)`` and returns plain dataclasses
(no Textual here). Scope, from :mod:`slo.services.permissions`:

* an SLO sees their own caseload and may view the schools and young people of
  their team;
* a sergeant sees the team;
* an admin or inspector sees everything;
* a role without the ``view`` permission (evaluator) sees nothing.

Every list is bounded (``LIMIT``) so no screen ever loads a whole table.
User text only ever reaches SQL as a bound parameter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from slo.models.enums import ETHNICITY_LABELS, label
from slo.store.db import Store

from . import permissions
from .actors import Actor
from .errors import NotFound, PermissionDenied

#: the most rows any desk view loads at once
MAX_ROWS = 2000

OWN, TEAM, ALL = "own", "team", "all"


# --------------------------------------------------------------------------- scope


def view_scope(actor: Actor) -> str | None:
    """The widest scope in which ``actor`` may view records (own/team/any), or None."""
    return permissions.PERMISSIONS.get((actor.role, permissions.VIEW))


def _refuse(db: Database, actor: Actor, target: str) -> None:
    permissions.log_refusal(db, actor, permissions.VIEW, target)
    raise PermissionDenied(f"{actor.collar} ({actor.role}) may not see {target}")


def _require_view(db: Database, actor: Actor, target: str) -> str:
    scope = view_scope(actor)
    if scope is None:
        _refuse(db, actor, target)
    return scope  # type: ignore[return-value]


def officers_in_scope(db: Database, actor: Actor, scope: str) -> list[str] | None:
    """Collar numbers a caseload in ``scope`` covers (None = every officer)."""
    granted = _require_view(db, actor, "caseloads")
    if scope == OWN:
        return [actor.collar]
    if scope == ALL:
        if granted != permissions.ANY:
            _refuse(db, actor, "every officer's caseload")
        return None
    if scope == TEAM:
        if actor.team is None:
            return [actor.collar]
        rows = db.execute(
            "SELECT collar_number FROM officers WHERE team = ? ORDER BY collar_number", [actor.team]
        ).fetchall()
        return sorted({r[0] for r in rows} | {actor.collar})
    raise ValueError(f"unknown scope {scope!r}")


#: the acting officer and their team's officers (parameters: collar, team)
_TEAM_OFFICERS = "(SELECT collar_number FROM officers WHERE collar_number = ? OR (team IS NOT NULL AND team = ?))"


def _school_filter(actor: Actor, alias: str = "s") -> tuple[str, list[Any]]:
    """SQL condition (and parameters) selecting the schools ``actor`` may view.

    A school any of whose assignments (past or present) was to the actor or an officer of
    their team. The officers come first, then their assignments by the ``assignments_officer``
    index (joining every assignment to its officer read all 20,000 of a national database).
    """
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    return (
        f"{alias}.urn IN (SELECT a.school FROM assignments a WHERE a.officer IN {_TEAM_OFFICERS})",
        [actor.collar, actor.team],
    )


def _young_person_filter(actor: Actor, alias: str = "y") -> tuple[str, list[Any]]:
    """SQL condition selecting the young people ``actor`` may view (for lists and searches).

    Known at a school the actor may view, or in a consultation or an engagement of the
    actor or their team (:func:`_young_person_visible` states the same rule for one person).
    """
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    school_sql, school_params = _school_filter(actor, "_s")
    sql = (
        f"({alias}.school IN (SELECT _s.urn FROM schools _s WHERE {school_sql})"
        f" OR {alias}.ref IN (SELECT young_person FROM consultations WHERE officer IN {_TEAM_OFFICERS})"
        f" OR {alias}.ref IN (SELECT young_person FROM engagements WHERE young_person IS NOT NULL"
        f" AND officer IN {_TEAM_OFFICERS}))"
    )
    return sql, school_params + [actor.collar, actor.team, actor.collar, actor.team]


def _young_person_visible(actor: Actor, alias: str = "y") -> tuple[str, list[Any]]:
    """:func:`_young_person_filter`'s rule for one row ``alias``: lookups by its school and its ref
    (the list form gathers every engagement of the team first: about 6 ms on a national database)."""
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    sql = (
        f"(EXISTS (SELECT 1 FROM assignments a WHERE a.school = {alias}.school AND a.officer IN {_TEAM_OFFICERS})"
        f" OR EXISTS (SELECT 1 FROM consultations c WHERE c.young_person = {alias}.ref"
        f" AND c.officer IN {_TEAM_OFFICERS})"
        f" OR EXISTS (SELECT 1 FROM engagements e WHERE e.young_person = {alias}.ref"
        f" AND e.officer IN {_TEAM_OFFICERS}))"
    )
    return sql, [actor.collar, actor.team] * 3


def require_school(db: Database, actor: Actor, urn: str) -> None:
    sql, params = _school_filter(actor)
    if db.execute("SELECT 1 FROM schools WHERE urn = ?", [urn]).fetchone() is None:
        raise NotFound(f"no school with URN {urn!r}")
    if db.execute(f"SELECT 1 FROM schools s WHERE s.urn = ? AND {sql}", [urn, *params]).fetchone() is None:
        _refuse(db, actor, f"school {urn}")


def require_young_person(db: Database, actor: Actor, ref: str) -> None:
    sql, params = _young_person_visible(actor)
    if db.execute("SELECT 1 FROM young_people WHERE ref = ?", [ref]).fetchone() is None:
        raise NotFound(f"no young person {ref!r}")
    if db.execute(f"SELECT 1 FROM young_people y WHERE y.ref = ? AND {sql}", [ref, *params]).fetchone() is None:
        _refuse(db, actor, f"young person {ref}")


def escape_like(text: str) -> str:
    """The user's text with LIKE's wildcards made letters (use with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE wildcards in the user's text escaped (use with ESCAPE '\\')."""
    return f"%{escape_like(text)}%"


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def _rows(cursor) -> list[dict[str, Any]]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


# --------------------------------------------------------------------------- caseload


@dataclass
class CaseloadRow:
    urn: str
    name: str
    phase: str
    uniform_policy: str
    officer: str
    next_visit: str | None
    sessions_this_week: int
    open_consultations: int
    last_delivered: str | None
    days_since_delivered: int | None

    @property
    def plain_clothes(self) -> bool:
        return self.uniform_policy == "plain_clothes_only"


def caseload(
    db: Database, actor: Actor, on: date, *, scope: str = OWN, text: str | None = None, limit: int = MAX_ROWS
) -> list[CaseloadRow]:
    """The schools currently assigned to the officers of ``scope``, with their figures on ``on``."""
    officers = officers_in_scope(db, actor, scope)
    monday = week_start(on)
    params: dict[str, Any] = {
        "on": on.isoformat(),
        "wk_from": monday.isoformat(),
        "wk_to": (monday + timedelta(days=7)).isoformat(),
        "limit": min(limit, MAX_ROWS),
    }
    where = ["a.start_date <= :on", "(a.end_date IS NULL OR a.end_date >= :on)"]
    if officers is not None:
        names = []
        for i, collar in enumerate(officers):
            params[f"o{i}"] = collar
            names.append(f":o{i}")
        where.append(f"a.officer IN ({', '.join(names) or 'NULL'})")
    if text and text.strip():
        params["like"] = like_pattern(text.strip())
        where.append("(s.name LIKE :like ESCAPE '\\' OR s.urn LIKE :like ESCAPE '\\')")
    sql = f"""
        SELECT s.urn, s.name, s.phase, s.uniform_policy, a.officer,
          (SELECT MIN(e.starts_at) FROM engagements e
             WHERE e.school = s.urn AND e.status = 'planned' AND e.starts_at >= :on) AS next_visit,
          (SELECT COUNT(*) FROM engagements e WHERE e.school = s.urn AND e.status != 'cancelled'
             AND e.starts_at >= :wk_from AND e.starts_at < :wk_to) AS sessions_this_week,
          (SELECT COUNT(*) FROM consultations c
             WHERE c.school = s.urn AND c.outcome = 'pending') AS open_consultations,
          (SELECT MAX(e.starts_at) FROM engagements e WHERE e.school = s.urn
             AND e.status = 'delivered' AND e.starts_at < date(:on, '+1 day')) AS last_delivered
        FROM assignments a JOIN schools s ON s.urn = a.school
        WHERE {' AND '.join(where)}
        ORDER BY s.name COLLATE NOCASE, s.urn
        LIMIT :limit
    """
    out = []
    for r in _rows(db.execute(sql, params)):
        last = r["last_delivered"]
        days = (on - datetime.fromisoformat(last).date()).days if last else None
        out.append(CaseloadRow(days_since_delivered=days, **r))
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
    """Abstractions of ``officers`` overlapping the span (at most MAX_ROWS)."""
    _require_view(db, actor, "abstractions")
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


@dataclass
class CaseloadHeader:
    abstractions: list[AbstractionLine]
    due: list[Any] = field(default_factory=list)
    due_available: bool = False


def caseload_header(store: Store, actor: Actor, on: date, *, scope: str = OWN) -> CaseloadHeader:
    """This week's abstractions of the caseload's officers, and what is due (if that service exists)."""
    db = store.db
    officers = officers_in_scope(db, actor, scope)
    monday = week_start(on)
    header = CaseloadHeader(abstractions_between(db, actor, officers, monday, monday + timedelta(days=6)))
    try:
        from slo.services.due import due_items  # provided by the due issue
    except ImportError:
        return header
    try:
        header.due = list(due_items(store, actor, on, 7))[:200]
        header.due_available = True
    except NotImplementedError:
        pass
    return header


# --------------------------------------------------------------------------- early reads


class EarlyRead:
    """A read started in a thread of its own before the desk's screens exist.

    ``slo`` starts the home caseload's query while Textual is still being
    imported (about 0.3 s of the interpreter's time, during which SQLite's part
    of the query runs with the GIL released); the screen takes the result for its
    first load instead of starting a worker after the first paint.
    """

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name="slo-early-read", daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            self._error = exc
        finally:
            self._done.set()

    def ready(self) -> bool:
        """Finished, with a value (an error is raised again by :meth:`wait`)."""
        return self._done.is_set() and self._error is None

    def wait(self) -> Any:
        """The value, once the read has finished; its exception if it failed."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


_early: dict[tuple, EarlyRead] = {}
_early_lock = threading.Lock()


def home_caseload_scope(role: str) -> str | None:
    """The scope of the caseload the desk opens on for ``role`` (None: home is another screen)."""
    if role == "sergeant":
        return None  # the team screen
    if role in ("admin", "inspector"):
        return ALL
    return OWN


def start_home_caseload(store: Store, actor: Actor, on: date) -> None:
    """Start reading the caseload the desk will open on (see :class:`EarlyRead`)."""
    scope = home_caseload_scope(actor.role)
    if scope is None or view_scope(actor) is None:
        return
    key = (id(store), actor.collar, scope, on.isoformat())
    with _early_lock:
        _early[key] = EarlyRead(lambda: caseload(store.db, actor, on, scope=scope))


def take_home_caseload(store: Store, actor: Actor, on: date, scope: str) -> EarlyRead | None:
    """The early read of exactly this caseload (unfiltered), once; None when there is none."""
    with _early_lock:
        return _early.pop((id(store), actor.collar, scope, on.isoformat()), None)


# --------------------------------------------------------------------------- school


@dataclass
class AssignmentLine:
    officer: str
    officer_name: str
    start_date: str
    end_date: str | None


@dataclass
class SchoolDetail:
    school: Any  # slo.models.School
    assignments: list[AssignmentLine]
    engagements_total: int
    calendar_path: Path | None


def school_detail(db: Database, actor: Actor, urn: str, exports: Path | None = None) -> SchoolDetail:
    """A school's details and who covered it when (a school is not a personal record: no view audit)."""
    from . import records  # the pydantic models: not needed for the desk's first screen

    require_school(db, actor, urn)
    school = records.get(db, "schools", urn)
    rows = db.execute(
        "SELECT a.officer, COALESCE(o.name, ''), a.start_date, a.end_date FROM assignments a "
        "LEFT JOIN officers o ON o.collar_number = a.officer WHERE a.school = ? "
        "ORDER BY a.start_date DESC LIMIT 500",
        [urn],
    ).fetchall()
    total = db.execute("SELECT COUNT(*) FROM engagements WHERE school = ?", [urn]).fetchone()[0]
    path = None
    if exports is not None:
        try:
            from slo.calendars import calendar_path

            path = calendar_path(exports, urn, school.name)
        except (ImportError, AttributeError, NotImplementedError):
            path = None
    return SchoolDetail(school, [AssignmentLine(*r) for r in rows], total, path)


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


_ENGAGEMENT_COLUMNS = (
    "e.ref, e.officer, e.school, COALESCE(s.name, e.school), e.young_person, e.kind, e.title, "
    "e.starts_at, e.ends_at, e.status, e.cancel_reason"
)


def school_engagements(
    db: Database, actor: Actor, urn: str, *, offset: int = 0, limit: int = 200
) -> list[EngagementLine]:
    """One page of the school's engagements, newest first."""
    require_school(db, actor, urn)
    rows = db.execute(
        f"SELECT {_ENGAGEMENT_COLUMNS} FROM engagements e LEFT JOIN schools s ON s.urn = e.school "
        "WHERE e.school = ? ORDER BY e.starts_at DESC, e.ref LIMIT ? OFFSET ?",
        [urn, min(limit, MAX_ROWS), max(offset, 0)],
    ).fetchall()
    return [EngagementLine(*r) for r in rows]


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


def school_consultations(db: Database, actor: Actor, urn: str, *, limit: int = 500) -> list[ConsultationLine]:
    require_school(db, actor, urn)
    rows = db.execute(
        "SELECT c.ref, c.young_person, COALESCE(y.given_name || ' ' || y.family_name, c.young_person), "
        "c.school, c.officer, c.consulted_on, c.proposed, c.outcome, c.outcome_on "
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


def school_young_people(db: Database, actor: Actor, urn: str, *, limit: int = MAX_ROWS) -> list[YoungPersonLine]:
    """The young people known at the school (names only: listing is not a view of the record)."""
    require_school(db, actor, urn)
    rows = db.execute(
        "SELECT ref, given_name, family_name, year_group, school FROM young_people WHERE school = ? "
        "ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, ref LIMIT ?",
        [urn, min(limit, MAX_ROWS)],
    ).fetchall()
    return [YoungPersonLine(*r) for r in rows]


# --------------------------------------------------------------------------- young person


@dataclass
class ChronologyItem:
    on: str  # ISO date or date-time, sorts as text
    kind: str  # session, consultation, outcome, referral
    ref: str
    summary: str
    consultation: str | None = None  # the consultation this line is about, if any


@dataclass
class DeadlineLine:
    kind: str
    ref: str
    due_on: str
    provisional: bool
    title: str


@dataclass
class YoungPersonDetail:
    person: Any  # slo.models.YoungPerson
    school_name: str | None
    chronology: list[ChronologyItem]
    deadlines: list[DeadlineLine]
    deadlines_available: bool

    @property
    def ethnicity_text(self) -> str:
        return ethnicity_text(self.person.ethnicity, self.person.ethnicity_missing_reason)


def ethnicity_text(code: str | None, reason: str | None) -> str:
    """The ethnicity with its source, or why it is missing."""
    why = f" (reason: {label(str(reason))})" if reason else ""
    if not code:
        return "Not recorded" + (why or " (no reason recorded)")
    text = f"{code} {ETHNICITY_LABELS.get(str(code), '')} (self-defined, 18+1 code)"
    if str(code) == "NS":
        text += why or " (no reason recorded)"
    return text


def young_person(
    store: Store, actor: Actor, ref: str, *, limit: int = MAX_ROWS, audit_view: bool = True
) -> YoungPersonDetail:
    """Open a young person's record: checks scope, writes the ``view`` audit row, builds the chronology.

    ``audit_view=False`` only to refresh a record the same person has open on screen
    (its opening was audited already).
    """
    from . import records  # the pydantic models: not needed for the desk's first screen

    db = store.db
    require_young_person(db, actor, ref)
    if audit_view:
        person = records.view(store, actor, "young_people", ref)
    else:
        person = records.get(db, "young_people", ref)
    school_name = None
    if person.school:
        row = db.execute("SELECT name FROM schools WHERE urn = ?", [person.school]).fetchone()
        school_name = row[0] if row else None
    items: list[ChronologyItem] = []
    for r in db.execute(
        "SELECT e.ref, e.starts_at, e.kind, e.title, e.status, e.cancel_reason, COALESCE(s.name, e.school) "
        "FROM engagements e LEFT JOIN schools s ON s.urn = e.school WHERE e.young_person = ? "
        "ORDER BY e.starts_at DESC LIMIT ?",
        [ref, limit],
    ):
        status = r[4] + (f" ({label(r[5])})" if r[5] else "")
        items.append(ChronologyItem(r[1], "session", r[0], f"{label(r[2])}: {r[3]} at {r[6]} - {status}"))
    for r in db.execute(
        "SELECT ref, consulted_on, proposed, reasons, outcome, outcome_on, suspension_days FROM consultations "
        "WHERE young_person = ? ORDER BY consulted_on DESC LIMIT ?",
        [ref, limit],
    ):
        import json

        reasons = ", ".join(json.loads(r[3]) if r[3] else [])
        items.append(
            ChronologyItem(r[1], "consultation", r[0], f"Proposed {label(r[2])} ({reasons}); outcome {label(r[4])}", r[0])
        )
        if r[4] != "pending" and r[5]:
            days = f", {r[6]:g} days" if r[6] else ""
            items.append(ChronologyItem(r[5], "outcome", r[0], f"Outcome: {label(r[4])}{days}", r[0]))
    for r in db.execute(
        "SELECT ref, made_on, partner, status, outcome22, consultation FROM referrals WHERE young_person = ? "
        "ORDER BY made_on DESC LIMIT ?",
        [ref, limit],
    ):
        o22 = " - outcome 22" if r[4] else ""
        items.append(ChronologyItem(r[1], "referral", r[0], f"Referral to {label(r[2])}: {label(r[3])}{o22}", r[5]))
    order = {"outcome": 0, "referral": 1, "consultation": 2, "session": 3}
    items.sort(key=lambda i: (i.on[:10], i.on, -order.get(i.kind, 9), i.ref), reverse=True)
    deadlines, available = [], False
    try:
        from slo.services.schooldays import deadlines_for_young_person  # provided by the schooldays issue

        deadlines = [
            DeadlineLine(d.kind, d.ref, d.due_on.isoformat(), bool(d.provisional), d.title)
            for d in deadlines_for_young_person(db, ref)
        ]
        available = True
    except (ImportError, NotImplementedError):
        pass
    return YoungPersonDetail(person, school_name, items[:limit], deadlines, available)


# --------------------------------------------------------------------------- week


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


def week(db: Database, actor: Actor, officer: str, monday: date) -> Week:
    """An officer's week, Monday to Sunday: engagements, abstractions, absences."""
    monday = week_start(monday)
    row = db.execute("SELECT name FROM officers WHERE collar_number = ?", [officer]).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {officer!r}")
    permissions.require(db, actor, permissions.VIEW, officer, what=f"officer {officer}'s week")
    sunday = monday + timedelta(days=6)
    engagements = [
        EngagementLine(*r)
        for r in db.execute(
            f"SELECT {_ENGAGEMENT_COLUMNS} FROM engagements e LEFT JOIN schools s ON s.urn = e.school "
            "WHERE e.officer = ? AND e.starts_at >= ? AND e.starts_at < ? ORDER BY e.starts_at, e.ref LIMIT ?",
            [officer, monday.isoformat(), (sunday + timedelta(days=1)).isoformat(), MAX_ROWS],
        ).fetchall()
    ]
    absences = [
        AbsenceLine(*r)
        for r in db.execute(
            "SELECT officer, date_from, date_to, kind FROM absences WHERE officer = ? AND date_from <= ? "
            "AND date_to >= ? ORDER BY date_from",
            [officer, sunday.isoformat(), monday.isoformat()],
        ).fetchall()
    ]
    return Week(officer, row[0], monday, engagements, abstractions_between(db, actor, [officer], monday, sunday), absences)


# --------------------------------------------------------------------------- search (command palette)


@dataclass
class SearchHit:
    kind: str  # school | young_person
    key: str
    name: str
    detail: str


def search(db: Database, actor: Actor, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Schools and young people whose name contains ``text`` (within the actor's scope)."""
    text = (text or "").strip()
    if not text or view_scope(actor) is None:
        return []
    like = like_pattern(text)
    sql, params = _school_filter(actor)
    hits = [
        SearchHit("school", r[0], r[1], f"{label(r[2])} school, URN {r[0]}")
        for r in db.execute(
            f"SELECT s.urn, s.name, s.phase FROM schools s WHERE {sql} AND (s.name LIKE ? ESCAPE '\\' "
            "OR s.urn LIKE ? ESCAPE '\\') ORDER BY s.name COLLATE NOCASE LIMIT ?",
            [*params, like, like, limit],
        ).fetchall()
    ]
    ysql, yparams = _young_person_filter(actor)
    hits += [
        SearchHit("young_person", r[0], f"{r[1]} {r[2]}", f"Young person {r[0]}" + (f", year {r[3]}" if r[3] is not None else ""))
        for r in db.execute(
            f"SELECT y.ref, y.given_name, y.family_name, y.year_group FROM young_people y WHERE {ysql} AND "
            "(y.given_name || ' ' || y.family_name LIKE ? ESCAPE '\\' OR y.ref LIKE ? ESCAPE '\\') "
            "ORDER BY y.family_name COLLATE NOCASE, y.given_name COLLATE NOCASE LIMIT ?",
            [*yparams, like, like, limit],
        ).fetchall()
    ]
    return hits


# --------------------------------------------------------------------------- audit log


@dataclass
class AuditLine:
    id: int
    at: str
    actor: str
    operation: str
    entity: str
    key: str | None
    detail: str | None


def audit_log(
    db: Database,
    actor: Actor,
    *,
    who: str | None = None,
    entity: str | None = None,
    operation: str | None = None,
    on: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[AuditLine]:
    """One page of the audit log, newest first, filtered (admin only: ``view_audit``)."""
    permissions.require(db, actor, permissions.VIEW_AUDIT, what="the audit log")
    where, params = [], []
    for column, value in (("actor", who), ("entity", entity), ("operation", operation)):
        if value and value.strip():
            where.append(f"{column} = ?")
            params.append(value.strip())
    if on and on.strip():
        where.append("at LIKE ? ESCAPE '\\'")
        params.append(like_pattern(on.strip())[1:])  # prefix match on the date
    sql = "SELECT id, at, actor, operation, entity, key, detail FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    params += [min(limit, MAX_ROWS), max(offset, 0)]
    return [AuditLine(*r) for r in db.execute(sql, params).fetchall()]
