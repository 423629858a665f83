"""Roles and permissions: one table of role x action x ownership.

``PERMISSIONS[(role, action)]`` is the widest ownership scope in which that
role may perform that action:

* ``own``  - records of the acting officer's own caseload (their engagements,
  abstractions, absences, consultations; schools they are assigned to; the young
  people they look after, below);
* ``team`` - records of any officer in the acting officer's team;
* ``any``  - every record.

A missing entry means "never". :func:`require` enforces it and raises
:class:`PermissionDenied` with a sentence a user understands. Screens and
commands never decide permissions themselves: they call this module.

Whose a record is comes from its model (``facts.owner``, :mod:`slo.models.facts`);
:func:`require_write` and :func:`require_view` read it. **Deny by default**: a model
that declares no owner is refused to everyone, admins and scheduled jobs included.

* ``Owner(officer=F)``: the record is the officer named by field ``F``'s.
* ``Owner(managed=True)``: changing it needs ``manage`` (admins); it is reference data
  anyone with ``view`` may see (teams, officers, schools), or, with ``officer=F`` as
  well, the named officer's (assignments).
* ``Owner(young_person=F)``: the record is about a young person, and belongs to **that
  young person's officers**: the officers assigned to the young person's school, and
  every officer who has a consultation or an engagement with them. To change it, the
  assignment must cover today (the school is in the officer's caseload now); to see it,
  any assignment counts, past or present (as the desk's lists). A young person with no
  school belongs only to the officers who worked with them (a new one with no school:
  admins only). The record is then the actor's ``own`` if they are one of those
  officers, their ``team``'s if one of those officers is in their team.
* Both the record as stored and as it will be must be within the actor's scope (a
  colleague's record cannot be taken over by saving it under one's own collar number).
* Moving a young person to another school needs that school in the actor's scope now:
  its assigned officer is the actor (an SLO), in their team (a sergeant), or anyone (an
  admin). Moving a child between teams is therefore an admin's job.
* A record that names a young person (a 1:1 session, a consultation, a referral) may be
  written only by someone who may see that young person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, NoReturn

from . import audit
from .actors import Actor
from .errors import PermissionDenied

if TYPE_CHECKING:  # annotations only: checking a permission must not build the pydantic models
    from sqlite_utils import Database

    from slo.models.entities import Record, YoungPerson

OWN, TEAM, ANY = "own", "team", "any"
_RANK = {OWN: 0, TEAM: 1, ANY: 2}

# action names
VIEW = "view"                      # see a record (caseload, school, young person)
WRITE = "write"                    # create or change caseload records
REVIEW_ABSTRACTION = "review_abstraction"
IMPORT = "import"                  # load a bundle
MANAGE = "manage"                  # officers, teams, schools, assignments, term dates
EXPORT_BUNDLE = "export_bundle"    # named export of everything
EXPORT_CALENDARS = "export_calendars"
CALENDAR_LINKS = "calendar_links"  # issue, rotate and revoke a school's calendar subscription link
REPORT = "report"                  # the continuity report with collar numbers and refs
REPORT_EVALUATION = "report_evaluation"
VIEW_AUDIT = "view_audit"
ERASE = "erase"
MANAGE_ACCESS = "manage_access"  # bind principals to officers (slo access)

PERMISSIONS: dict[tuple[str, str], str] = {
    ("slo", VIEW): TEAM,
    ("slo", WRITE): OWN,
    ("slo", EXPORT_CALENDARS): OWN,
    ("slo", CALENDAR_LINKS): OWN,
    ("slo", REPORT): OWN,
    ("sergeant", VIEW): TEAM,
    ("sergeant", WRITE): TEAM,
    ("sergeant", REVIEW_ABSTRACTION): TEAM,
    ("sergeant", EXPORT_CALENDARS): TEAM,
    ("sergeant", CALENDAR_LINKS): OWN,
    ("sergeant", REPORT): TEAM,
    ("sergeant", REPORT_EVALUATION): TEAM,
    ("inspector", VIEW): ANY,
    ("inspector", EXPORT_CALENDARS): ANY,
    ("inspector", REPORT): ANY,
    ("inspector", REPORT_EVALUATION): ANY,
    ("admin", VIEW): ANY,
    ("admin", WRITE): ANY,
    ("admin", IMPORT): ANY,
    ("admin", MANAGE): ANY,
    ("admin", EXPORT_BUNDLE): ANY,
    ("admin", EXPORT_CALENDARS): ANY,
    ("admin", CALENDAR_LINKS): ANY,
    ("admin", REPORT): ANY,
    ("admin", REPORT_EVALUATION): ANY,
    ("admin", VIEW_AUDIT): ANY,
    ("admin", ERASE): ANY,
    ("admin", MANAGE_ACCESS): ANY,
    ("evaluator", REPORT_EVALUATION): ANY,
    ("system", VIEW): ANY,
    ("system", WRITE): ANY,
    ("system", IMPORT): ANY,
    ("system", MANAGE): ANY,
    ("system", EXPORT_CALENDARS): ANY,
    ("system", REPORT): ANY,
    ("system", REPORT_EVALUATION): ANY,
}

_ACTION_WORDS = {
    VIEW: "see",
    WRITE: "change",
    REVIEW_ABSTRACTION: "review abstractions of",
    IMPORT: "import data into",
    MANAGE: "manage officers and schools in",
    EXPORT_BUNDLE: "export every record of",
    EXPORT_CALENDARS: "export calendars for",
    CALENDAR_LINKS: "manage the calendar link of",
    REPORT: "run the continuity report for",
    REPORT_EVALUATION: "produce the evaluation dataset for",
    VIEW_AUDIT: "read the audit log of",
    ERASE: "erase records from",
    MANAGE_ACCESS: "grant or revoke access to",
}


def team_of(db: Database, collar: str) -> str | None:
    row = db.execute("SELECT team FROM officers WHERE collar_number = ?", [collar]).fetchone()
    return row[0] if row else None


def ownership(db: Database, actor: Actor, officer: str | None) -> str:
    """How the record's officer relates to the actor: ``own``, ``team`` or ``any``."""
    if officer is None:
        return ANY
    if officer == actor.collar:
        return OWN
    if actor.team is not None and team_of(db, officer) == actor.team:
        return TEAM
    return ANY


def allowed(db: Database, actor: Actor, action: str, officer: str | None = None) -> bool:
    scope = PERMISSIONS.get((actor.role, action))
    if scope is None:
        return False
    if officer is None:
        # an action not about one officer's records: any grant covers it at the
        # actor's own scope (e.g. an SLO reporting on their own work)
        return True
    return _RANK[ownership(db, actor, officer)] <= _RANK[scope]


def _in_scope(actor: Actor, action: str, relation: str | None) -> bool:
    """Whether ``actor``'s grant for ``action`` covers a record of this relation (None: a record of
    nobody in particular, which any grant covers, as :func:`allowed` with no officer)."""
    scope = PERMISSIONS.get((actor.role, action))
    return scope is not None and (relation is None or _RANK[relation] <= _RANK[scope])


def relation_to_officers(db: Database, actor: Actor, officers: Iterable[str]) -> str:
    """How records belonging to all of ``officers`` relate to the actor: ``own`` if the actor is
    one of them, ``team`` if one is in the actor's team, else ``any`` (also when there are none)."""
    collars = sorted(set(officers))
    if actor.collar in collars:
        return OWN
    if actor.team is not None and collars:
        marks = ",".join("?" * len(collars))
        hit = db.execute(
            f"SELECT 1 FROM officers WHERE team = ? AND collar_number IN ({marks}) LIMIT 1", [actor.team, *collars]
        ).fetchone()
        if hit:
            return TEAM
    return ANY


def school_officers(db: Database, urn: str | None, on: date | None) -> set[str]:
    """The officers assigned to school ``urn`` on day ``on`` (any day, past or present, when None)."""
    if urn is None:
        return set()
    if on is None:
        rows = db.execute("SELECT officer FROM assignments WHERE school = ?", [urn]).fetchall()
    else:
        day = on.isoformat()
        rows = db.execute(
            "SELECT officer FROM assignments WHERE school = ? AND start_date <= ?"
            " AND (end_date IS NULL OR end_date >= ?)",
            [urn, day, day],
        ).fetchall()
    return {r[0] for r in rows}


def worked_with(db: Database, young_person: str) -> set[str]:
    """The officers with a consultation or an engagement with ``young_person``."""
    rows = db.execute(
        "SELECT officer FROM consultations WHERE young_person = :yp "
        "UNION SELECT officer FROM engagements WHERE young_person = :yp",
        {"yp": young_person},
    ).fetchall()
    return {r[0] for r in rows}


def young_person_officers(db: Database, ref: str, school: str | None, on: date | None) -> set[str]:
    """The young person's officers (see the module docstring): assigned to ``school`` on ``on``
    (any time when None), and every officer who worked with them."""
    return school_officers(db, school, on) | worked_with(db, ref)


def _stored_school(db: Database, young_person: str) -> str | None:
    row = db.execute("SELECT school FROM young_people WHERE ref = ?", [young_person]).fetchone()
    return row[0] if row else None


def record_relation(db: Database, actor: Actor, record: Record, *, on: date | None) -> str | None:
    """How ``record`` relates to the actor under its model's owner rule (``own``/``team``/``any``;
    None for managed reference data, which belongs to nobody in particular).

    ``on``: the day an assignment must cover for a young person's school to count (None: any).
    Raises :class:`ValueError` for a model without an owner (callers refuse before asking).
    """
    owner = record.facts.owner
    if owner is None:
        raise ValueError(f"{record.facts.entity} declares no owner")
    if owner.officer:
        return ownership(db, actor, getattr(record, owner.officer))
    if owner.young_person:
        ref = getattr(record, owner.young_person)
        if ref is None:
            return ANY
        school = record.school if isinstance(record, _young_person_model()) else _stored_school(db, ref)
        return relation_to_officers(db, actor, young_person_officers(db, ref, school, on))
    return None  # managed reference data (the manage grant decides who changes it)


#: the entity whose records are the young people themselves
YOUNG_PEOPLE = "young_people"


def _young_person_model() -> type[YoungPerson]:
    from slo.models.entities import YoungPerson  # loaded by now: a record is being checked

    return YoungPerson


def _refuse(db: Database, actor: Actor, action: str, target: str, message: str | None = None) -> NoReturn:
    log_refusal(db, actor, action, target)
    words = _ACTION_WORDS.get(action, action)
    raise PermissionDenied(message or f"{actor.collar} ({actor.role}) may not {words} {target}")


def _what(record: Record) -> str:
    """The record as a refusal names it: ``young_people YP-0001``, or ``new young people`` for one
    whose ref is made when it is saved."""
    from .records import is_new

    return f"new {record.facts.words}" if is_new(record) else f"{record.facts.entity} {record.key()}"


def _write_action(record: Record) -> str:
    owner = record.facts.owner
    return MANAGE if owner is not None and owner.managed else WRITE


def require_write_grant(db: Database, actor: Actor, record: Record) -> None:
    """Refuse (audited) unless ``actor``'s role may write records of this kind at all, and the
    model declares an owner. Nothing about the record's contents is looked at, so a role with
    no grant learns nothing from the refusal (not even whether what it names exists)."""
    what = _what(record)
    if record.facts.owner is None:
        _refuse(db, actor, WRITE, what,
                f"{actor.collar} ({actor.role}) may not change {what}: no owner is declared for {record.facts.words}")
    action = _write_action(record)
    if (actor.role, action) not in PERMISSIONS:
        _refuse(db, actor, action, what)


def require_write(db: Database, actor: Actor, record: Record, old: Record | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may write ``record`` (replacing ``old``,
    the stored version, if any), under the rules of the module docstring. Refusals are audited."""
    require_write_grant(db, actor, record)
    what = _what(record)
    action = _write_action(record)
    today = audit.now_local().date()
    if old is not None and not _in_scope(actor, action, record_relation(db, actor, old, on=today)):
        _refuse(db, actor, action, what)
    _require_school_in_caseload(db, actor, action, record, old, today)
    if not _in_scope(actor, action, record_relation(db, actor, record, on=today)):
        if old is None and isinstance(record, _young_person_model()) and not record.school:
            _refuse(db, actor, action, what, (
                f"{actor.collar} ({actor.role}) may not add {what} without a school: a young person "
                "belongs to the officers of their school (choose one in your caseload)"
            ))
        _refuse(db, actor, action, what)
    _require_named_young_people_visible(db, actor, record)


def _require_school_in_caseload(
    db: Database, actor: Actor, action: str, record: Record, old: Record | None, today: date
) -> None:
    """A young person added to or moved to a school: that school must be in the actor's scope today."""
    young_person = _young_person_model()
    if not isinstance(record, young_person) or record.school is None:
        return
    if isinstance(old, young_person) and old.school == record.school:
        return
    if not _in_scope(actor, action, relation_to_officers(db, actor, school_officers(db, record.school, today))):
        _refuse(db, actor, action, _what(record), (
            f"{actor.collar} ({actor.role}) may not move {_what(record)} to school {record.school}: "
            "it is not in their caseload (an admin moves a young person to another team's school)"
        ))


def _require_named_young_people_visible(db: Database, actor: Actor, record: Record) -> None:
    """Every young person the record names (besides the one it belongs to) must be one the actor may see."""
    owner = record.facts.owner
    for reference in record.facts.references:
        value = getattr(record, reference.field)
        if reference.entity != YOUNG_PEOPLE or value is None or (owner and reference.field == owner.young_person):
            continue
        officers = young_person_officers(db, value, _stored_school(db, value), None)
        if not _in_scope(actor, VIEW, relation_to_officers(db, actor, officers)):
            _refuse(db, actor, WRITE, _what(record), (
                f"{actor.collar} ({actor.role}) may not change {_what(record)}: "
                f"{reference.field} names young person {value}, whom they may not see"
            ))


def require_view(db: Database, actor: Actor, record: Record) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may see ``record`` (its model's owner rule)."""
    what = _what(record)
    if record.facts.owner is None:
        _refuse(db, actor, VIEW, what,
                f"{actor.collar} ({actor.role}) may not see {what}: no owner is declared for {record.facts.words}")
    if not _in_scope(actor, VIEW, record_relation(db, actor, record, on=None)):
        _refuse(db, actor, VIEW, what)


def require(db: Database, actor: Actor, action: str, officer: str | None = None, *, what: str = "") -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may do ``action`` on ``officer``'s records.

    The refusal is written to the audit log in its own short transaction, so it
    stays on the record although the action fails.
    """
    if allowed(db, actor, action, officer):
        return
    target = what or (f"officer {officer}'s records" if officer else "this database")
    message = (
        f"{actor.collar} ({actor.role}) may not {_ACTION_WORDS.get(action, action)} {target}"
    )
    log_refusal(db, actor, action, target)
    raise PermissionDenied(message)


def log_refusal(db: Database, actor: Actor, action: str, target: str) -> None:
    """Audit a refusal in its own transaction.

    Call :func:`require` *before* opening the write transaction of the action,
    so the refusal is committed although the action is not. (Inside an open
    transaction the row is written there and shares its fate.)
    """
    conn = db.conn
    # the target sentence may quote what the user typed: the log keeps only existing keys
    detail = {"target": audit.refusal_target(db, target)}
    if conn.in_transaction:
        audit.record(db, actor.collar, audit.REFUSED, "permission", action, detail)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        audit.record(db, actor.collar, audit.REFUSED, "permission", action, detail)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
