"""Admin use cases for officers and assignments: add, edit, set a leaving date; assign a school, end an
assignment. Handing a school from one officer to the next is :mod:`slo.services.handover`.

Every use case needs permission ``manage`` (admins), writes through
:func:`slo.services.records.write_record` (validated against the database, audited, history kept) in
one ``BEGIN IMMEDIATE`` transaction, and refuses in one line naming the record, the field and the value.

**A leaving date** (:func:`set_leaving_date`) is the officer's last day in post (``end_date``). In the
same transaction every assignment of theirs that runs past it ends on it (their schools have no
officer from the next day until someone takes them: :func:`slo.services.handover.hand_over`); after
the transaction, when the day has already passed, every access binding of theirs (SSH keys, accounts)
is revoked at once with :func:`slo.services.identity.revoke` (their key's line leaves the serving
account's ``authorized_keys``); a leaving date still to come is enforced by the desk and ``slo``
refusing leavers, and by the scheduler's leavers job, which revokes their keys the day after. Their
planned engagements after the date are not touched: the result lists them (by school) for the
handovers that move them to the next officer, or cancel them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from slo.models import Assignment, Officer
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import audit, permissions, records
from .actors import Actor
from .errors import Conflict, NotFound


@dataclass
class LeavingResult:
    officer: Officer
    #: (URN, school name) of each assignment ended on the leaving date
    schools: list[tuple[str, str]] = field(default_factory=list)
    #: planned engagements after the leaving date, by URN (hand the school over to move them)
    planned_after: dict[str, int] = field(default_factory=dict)
    #: access bindings revoked now (a leaving date already passed)
    revoked: int = 0
    notes: list[str] = field(default_factory=list)


def validated(model: type[Officer] | type[Assignment], data: dict, key: str) -> Officer | Assignment:
    """``model`` from ``data``; a value the model refuses is a :class:`ValidationFailed` naming the field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(model.facts.entity, key, ".".join(str(p) for p in e.get("loc", ())) or None,
                            str(e.get("msg", "invalid")).removeprefix("Value error, ")) for e in exc.errors()]
        raise ValidationFailed(problems) from None


def _require(store: Store, actor: Actor, what: str) -> None:
    permissions.require(store.db, actor, permissions.MANAGE, what=what)


def get_officer(store: Store, collar: str) -> Officer:
    record = records.get(store.db, "officers", collar)
    assert isinstance(record, Officer)
    return record


def add_officer(store: Store, actor: Actor, officer: Officer) -> Officer:
    """A new officer (refused when the collar number is taken)."""
    _require(store, actor, f"officer {officer.collar_number}")
    with store.write() as db:
        if records.get_row(db, "officers", officer.collar_number) is not None:
            raise Conflict(f"officer {officer.collar_number} already exists; nothing was added")
        records.write_record(db, actor, officer, source="admin")
    return officer


def edit_officer(store: Store, actor: Actor, officer: Officer) -> Officer:
    """Change an officer's name, role, team, working days or dates (the collar number stays)."""
    _require(store, actor, f"officer {officer.collar_number}")
    with store.write() as db:
        if records.get_row(db, "officers", officer.collar_number) is None:
            raise NotFound(f"no officer with collar number {officer.collar_number!r}")
        records.write_record(db, actor, officer, source="admin")
    return officer


def set_leaving_date(store: Store, actor: Actor, collar: str, last_day: date, *,
                     today: date | None = None) -> LeavingResult:
    """``collar``'s last day in post is ``last_day``: their assignments running past it end on it,
    their access is revoked when the day has passed (see the module notes)."""
    _require(store, actor, f"officer {collar}")
    today = today or audit.now_local().date()
    with store.write() as db:
        row = records.get_row(db, "officers", collar)
        if row is None:
            raise NotFound(f"no officer with collar number {collar!r}")
        old = get_officer(store, collar)
        if last_day < old.start_date:
            raise ValidationFailed([Problem("officers", collar, "end_date",
                                            f"{last_day} is before their first day in post ({old.start_date})")])
        new = validated(Officer, {**old.model_dump(), "end_date": last_day}, collar)
        assert isinstance(new, Officer)
        records.write_record(db, actor, new, source="leaving")
        result = LeavingResult(new)
        for school, start, name in db.execute(
            "SELECT a.school, a.start_date, s.name FROM assignments a JOIN schools s ON s.urn = a.school "
            "WHERE a.officer = ? AND (a.end_date IS NULL OR a.end_date > ?) ORDER BY s.name, a.school",
            [collar, last_day.isoformat()],
        ).fetchall():
            if start > last_day.isoformat():
                raise Conflict(f"officer {collar} is assigned to school {school} from {start}, after their last "
                               f"day {last_day}: end or hand over that assignment first; nothing was changed")
            ended = Assignment(officer=collar, school=school, start_date=start, end_date=last_day)
            records.write_record(db, actor, ended, source="leaving")
            result.schools.append((school, name))
        for school, n in db.execute(
            "SELECT school, COUNT(*) FROM engagements WHERE officer = ? AND status = 'planned' AND starts_at >= ? "
            "GROUP BY school ORDER BY school", [collar, (last_day + timedelta(days=1)).isoformat()],
        ).fetchall():
            result.planned_after[school] = n
    if last_day < today:
        result.revoked = _revoke_access(store, actor, collar, result)
    else:
        result.notes.append(f"{collar} may use SLO Desk until {last_day}; their keys are revoked the day after "
                            "(the scheduler's leavers job), and they are refused from then on in any case")
    if result.schools:
        result.notes.append(f"{len(result.schools)} school(s) have no officer from {last_day + timedelta(days=1)}: "
                            "hand each over (h on the schools screen)")
    if result.planned_after:
        n = sum(result.planned_after.values())
        result.notes.append(f"{n} planned engagement(s) after {last_day}: a handover moves them to the next officer "
                            "or cancels them")
    return result


def _revoke_access(store: Store, actor: Actor, collar: str, result: LeavingResult) -> int:
    """Every access binding of a leaver, now (identity's revoke: an admin's action, audited)."""
    from . import identity

    try:
        done = identity.revoke(store, actor, collar, every=True)
    except NotFound:
        return 0  # no key, no account: nothing to revoke
    result.notes.extend(done.warnings)
    return len(done.revoked)


# ---------------------------------------------------------------- assignments


def assign(store: Store, actor: Actor, assignment: Assignment) -> Assignment:
    """A new assignment of an officer to a school (a school has one officer on any day: an overlap is
    refused naming the other assignment). The officer must be a schools liaison officer in post."""
    _require(store, actor, f"school {assignment.school}")
    with store.write() as db:
        row = db.execute("SELECT role, start_date, end_date FROM officers WHERE collar_number = ?",
                         [assignment.officer]).fetchone()
        if row is None:
            raise NotFound(f"no officer with collar number {assignment.officer!r}")
        if row[0] != "slo":
            raise ValidationFailed([Problem("assignments", assignment.key(), "officer",
                                            f"{assignment.officer} is a {row[0]}, not a schools liaison officer")])
        if row[2] and assignment.start_date.isoformat() > row[2]:
            raise ValidationFailed([Problem("assignments", assignment.key(), "start_date",
                                            f"{assignment.start_date} is after {assignment.officer}'s last day "
                                            f"({row[2]})")])
        if records.get_row(db, "assignments", assignment.key()) is not None:
            raise Conflict(f"school {assignment.school} already has an assignment starting {assignment.start_date}")
        records.write_record(db, actor, assignment, source="admin")
    return assignment


def end_assignment(store: Store, actor: Actor, school: str, start_date: date, last_day: date) -> Assignment:
    """The assignment of ``school`` that started on ``start_date`` ends on ``last_day``."""
    _require(store, actor, f"school {school}")
    with store.write() as db:
        key = f"{school}/{start_date.isoformat()}"
        old = records.get(db, "assignments", key)
        assert isinstance(old, Assignment)
        new = validated(Assignment, {**old.model_dump(), "end_date": last_day}, key)
        assert isinstance(new, Assignment)
        records.write_record(db, actor, new, source="admin")
    return new


__all__ = [
    "LeavingResult",
    "add_officer",
    "assign",
    "edit_officer",
    "end_assignment",
    "get_officer",
    "set_leaving_date",
    "validated",
]
