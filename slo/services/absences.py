"""Absences: an officer unavailable (annual leave, sickness, rest day, training course) and the
planned work it takes away.

Unavailability is not abstraction (docs/abstractions.md keeps them apart in every figure), but
it lets the same young people down, so an absence does to the officer's planned engagements what
a full-day abstraction does (docs/desk.md, "Absences"):

* :func:`preview` says, before anything is written, what recording (or correcting) an absence
  would do: the officer's *planned* engagements on its days (each cancelled), and for a
  correction the sessions it cancelled on days it no longer covers (each planned again).
* :func:`record_absence` writes the absence and, in the same ``BEGIN IMMEDIATE`` transaction,
  cancels every planned engagement of the officer starting on a day of it with
  ``cancel_reason = officer_unavailable`` (through
  :func:`slo.services.abstractions.cancel_engagements`: audited, the calendar SEQUENCE raised, so
  the head teacher's calendar shows it cancelled). With ``replaces`` (the key
  ``officer/date_from`` of the stored absence) it corrects that absence instead: its days can be
  moved, cut back or made longer; the sessions it had cancelled on days no longer covered are
  planned again, unless their slot has gone (:func:`slo.services.abstractions.slot_gone`), and
  those are listed to rebook.
* Which sessions an absence cancelled is not stored as a link (an absence has no ref): they are
  the officer's engagements on its days cancelled as ``officer_unavailable`` and not by an
  abstraction. An engagement cancelled that way by hand on such a day is treated as the
  absence's.

The result names young people only by ref (the desk looks up the name for the officer's own
screen); the audit rows hold keys and field names only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from slo.models.entities import Absence, Engagement
from slo.models.enums import CancelReason, label
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import audit, history, permissions, records
from .abstractions import (
    CancelledEngagement,
    NotReinstated,
    _cancelled_entry,
    _engagements,
    cancel_engagements,
    give_back,
    planned_engagements,
)
from .actors import Actor
from .errors import Conflict, NotFound

if TYPE_CHECKING:
    from sqlite_utils import Database

ENTITY = "absences"


@dataclass
class AbsencePreview:
    """What recording (or correcting) an absence would do, before anything is written."""

    absence: Absence
    #: planned engagements on its days: each would be cancelled (officer unavailable)
    cancels: list[CancelledEngagement] = field(default_factory=list)
    #: (a correction) sessions it cancelled on days it would no longer cover: each planned again
    #: unless its slot has gone
    gives_back: list[CancelledEngagement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class AbsenceResult:
    """What :func:`record_absence` did."""

    absence: Absence | None
    #: planned engagements on its days, now cancelled with ``officer_unavailable``
    cancelled: list[CancelledEngagement] = field(default_factory=list)
    #: sessions on days given back (a correction), planned again
    reinstated: list[CancelledEngagement] = field(default_factory=list)
    #: sessions on days given back whose slot has gone: still cancelled
    not_reinstated: list[NotReinstated] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def let_down(self) -> list[str]:
        """Refs of the young people whose 1:1 sessions it cancelled (each once, in time order)."""
        return list(dict.fromkeys(c.young_person for c in self.cancelled if c.one_to_one and c.young_person))

    @property
    def to_rebook(self) -> list[NotReinstated]:
        """Every session to offer for rebooking: those it cancelled, and those it could not give back."""
        a = self.absence
        why = f"{a.officer} is away ({label(a.kind).lower()}, {_span(a.date_from, a.date_to)})" if a else ""
        return [NotReinstated(c, why) for c in self.cancelled] + list(self.not_reinstated)


# ---------------------------------------------------------------- reading


def _span(a: date, b: date) -> str:
    return a.isoformat() if a == b else f"{a.isoformat()} to {b.isoformat()}"


def key_of(officer: str, date_from: date | str) -> str:
    """An absence's key as records names it: ``officer/date_from``."""
    day = date_from.isoformat() if isinstance(date_from, date) else date_from
    return f"{officer}/{day}"


def get_absence(db: Database, key: str) -> Absence:
    record = records.get(db, ENTITY, key)
    assert isinstance(record, Absence)
    return record


def _covers(a: Absence | None, e: Engagement) -> bool:
    return a is not None and e.officer == a.officer and a.date_from <= e.starts_at.date() <= a.date_to


def taken_by(db: Database, absence: Absence) -> list[Engagement]:
    """The engagements ``absence`` cancelled: the officer's, starting on one of its days, cancelled
    as ``officer_unavailable`` and not by an abstraction (see the module notes)."""
    return _engagements(
        db,
        "SELECT * FROM engagements WHERE officer = ? AND status = 'cancelled' AND cancel_reason = ? "
        "AND abstraction IS NULL AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, ref",
        [absence.officer, CancelReason.OFFICER_UNAVAILABLE.value, absence.date_from.isoformat(),
         (absence.date_to + timedelta(days=1)).isoformat()],
    )


def warnings_for(db: Database, absence: Absence) -> list[str]:
    """Days of the absence that are also in one of the officer's abstractions (they count in neither
    rate twice: docs/abstractions.md)."""
    out = []
    for ref, a, b in db.execute(
        "SELECT ref, date_from, date_to FROM abstractions WHERE officer = ? AND date_from <= ? AND date_to >= ? "
        "ORDER BY date_from, ref",
        [absence.officer, absence.date_to.isoformat(), absence.date_from.isoformat()],
    ).fetchall():
        first = max(date.fromisoformat(a), absence.date_from)
        last = min(date.fromisoformat(b), absence.date_to)
        when = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        out.append(f"{when} is also in {absence.officer}'s abstraction {ref}: an abstraction on a day of absence "
                   "counts nothing in the abstraction rate")
    return out


def _stored(db: Database, replaces: str | None, new: Absence) -> Absence | None:
    """The absence ``replaces`` names (None: a new one). A new absence whose key is taken is refused."""
    if replaces is None:
        if records.get_row(db, ENTITY, new.key()) is not None:
            raise Conflict(f"{new.officer} already has an absence from {new.date_from}: correct that one instead; "
                           "nothing was recorded")
        return None
    try:
        old = get_absence(db, replaces)
    except NotFound:
        raise NotFound(f"no absence {replaces} to correct (it was deleted or moved meanwhile); nothing was changed"
                       ) from None
    if old.officer != new.officer:
        raise ValidationFailed([Problem(ENTITY, replaces, "officer",
                                        f"cannot change from {old.officer} to {new.officer}: record an absence "
                                        "for the other officer instead")])
    return old


def _plan(db: Database, old: Absence | None, new: Absence) -> tuple[list[Engagement], list[Engagement]]:
    """(planned engagements ``new`` cancels, engagements ``old`` cancelled that ``new`` gives back)."""
    cancels = planned_engagements(db, new.officer, new.date_from, new.date_to)
    gives_back = [e for e in taken_by(db, old) if not _covers(new, e)] if old is not None else []
    return cancels, gives_back


def preview(store: Store, actor: Actor, absence: Absence, *, replaces: str | None = None) -> AbsencePreview:
    """What :func:`record_absence` would do with the same arguments; writes nothing (a refusal of
    permission is audited, as for recording)."""
    db = store.db
    permissions.require(db, actor, permissions.WRITE, absence.officer, what=f"officer {absence.officer}'s absences")
    old = _stored(db, replaces, absence)
    cancels, gives_back = _plan(db, old, absence)
    return AbsencePreview(absence, [_cancelled_entry(db, e) for e in cancels],
                          [_cancelled_entry(db, e) for e in gives_back], warnings_for(db, absence))


# ---------------------------------------------------------------- writing


def _move(db: Database, actor: Actor, old: Absence, new: Absence, *, source: str) -> None:
    """Correct ``old`` to ``new`` when its key (the first day) changes: the row moves to the new key,
    its history with it (:func:`slo.services.history.rekey`), one history row and one audit row
    (field names only) for the change. (:func:`slo.services.records.write_record` upserts by key,
    so it writes every other correction.)"""
    if records.get_row(db, ENTITY, new.key()) is not None:  # the new first day starts another absence
        raise ValidationFailed([Problem(ENTITY, new.key(), "date_from",
                                        f"overlaps the same officer's absence {new.key()}")])
    db.execute("UPDATE absences SET date_from = ?, date_to = ?, kind = ? WHERE officer = ? AND date_from = ?",
               [new.date_from.isoformat(), new.date_to.isoformat(), new.kind.value, old.officer,
                old.date_from.isoformat()])
    problems = records.check_against_database(db, new)  # after the move: it no longer overlaps itself
    if problems:
        raise ValidationFailed(problems)  # the caller's transaction rolls the move back
    history.rekey(db, ENTITY, old.key(), new.key())
    history.record_change(db, actor.collar, ENTITY, new.key(), old.to_bundle(), new.to_bundle(), source=source)
    audit.record(db, actor.collar, audit.UPDATE, ENTITY, new.key(),
                 {"fields": records.changed_fields(old, new), "source": source, "was": old.key()})


def reshape(db: Database, actor: Actor, old: Absence | None, new: Absence | None, *, source: str = "absence",
            now: datetime | None = None) -> AbsenceResult:
    """Re-work the planned work absence ``old`` takes away now that it is ``new`` (None: it was
    deleted; ``old`` None: it is new), inside the caller's write transaction, *after* the caller
    wrote (or deleted) the absence itself (a session given back must not find it covering its day).

    Sessions ``old`` cancelled that ``new`` no longer covers are planned again
    (:func:`slo.services.abstractions.give_back`) or, their slot gone, left cancelled and listed;
    ``new`` cancels every planned engagement of the officer on its days
    (:func:`slo.services.abstractions.cancel_engagements`, reason ``officer_unavailable``)."""
    now = now or audit.now_local()
    result = AbsenceResult(new)
    if old is not None:
        for e in taken_by(db, old):
            if _covers(new, e):
                continue
            entry, why = give_back(db, actor, e, now, keep_link=True, exclude="", source=source)
            if why is None:
                result.reinstated.append(entry)
            else:
                result.not_reinstated.append(NotReinstated(entry, why))
    if new is not None:
        targets = planned_engagements(db, new.officer, new.date_from, new.date_to)
        result.cancelled = cancel_engagements(db, actor, targets, CancelReason.OFFICER_UNAVAILABLE, source=source)
        result.warnings = warnings_for(db, new)
    return result


def record_absence(
    store: Store, actor: Actor, absence: Absence, *, replaces: str | None = None, source: str = "desk",
    now: datetime | None = None,
) -> AbsenceResult:
    """Record ``absence`` (or, with ``replaces`` = ``officer/date_from`` of a stored absence, correct
    that one to it) and re-work the officer's planned engagements, in one transaction (see the
    module notes).

    Permission: as for any record of the officer (:func:`slo.services.records.check_write`: the
    officer, their sergeant, an admin), on the stored absence and the new one. A span overlapping
    another absence of the officer is refused, naming it; nothing is written then."""
    db = store.db
    if replaces is None or replaces == absence.key():
        records.check_write(db, actor, absence)
    else:
        # a move to another first day: the stored absence would overlap the new key's, so the
        # database rules are checked once it has moved (inside the transaction)
        stored = _stored(db, replaces, absence)
        permissions.require_write(db, actor, absence, stored)
    with store.write() as db:
        old = _stored(db, replaces, absence)
        if old is not None and old.key() != absence.key():
            _move(db, actor, old, absence, source=source)
        else:
            records.write_record(db, actor, absence, source=source)
        return reshape(db, actor, old, absence, source="absence", now=now)


__all__ = [
    "AbsencePreview",
    "AbsenceResult",
    "get_absence",
    "key_of",
    "preview",
    "record_absence",
    "reshape",
    "taken_by",
    "warnings_for",
]
