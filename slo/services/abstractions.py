"""Abstractions: record what an officer was taken off schools work for, what it cancelled,
and the sergeant's review.

See ``docs/abstractions.md`` for the rules in full. In short:

* :func:`record_abstraction` creates one abstraction (the officer themselves, their team's
  sergeant or an admin: permission ``write``). A ref of :data:`NEW_REF` (``"new"``) is
  replaced by a generated ``ABS-<yyyymmdd of date_from>-<n>``. An abstraction overlapping
  another of the same officer is refused, naming it, and nothing is written. A span that
  touches the officer's absences (or their non-working days) is recorded with a warning:
  those days count nothing in the abstraction rate.
* ``full``: every *planned* engagement of the officer starting on a day of the span is
  cancelled (``cancel_reason = abstraction``, ``abstraction = <ref>``) in the same
  transaction. ``half``: only the refs listed in ``cancel``. A listed ref must be a planned
  engagement of that officer within the span. Each cancellation bumps the engagement's
  calendar ``sequence`` and ``updated_at`` and is audited.
* :func:`review_abstraction`: only a sergeant of the abstracted officer's team (never the
  officer themselves) may accept or challenge; a challenge needs a note. A review can be
  changed later. Audited with the old and new status, never the note.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from slo.models.entities import Abstraction, Engagement
from slo.models.enums import WEEKDAY_INDEX, CancelReason, EngagementKind, EngagementStatus, Portion, ReviewStatus
from slo.models.refusals import refusal
from slo.models.rules import Problem, ValidationFailed
from slo.models.text import clean_line
from slo.store.db import Store
from slo.store.rows import from_row, to_row

from . import audit, history, permissions, records
from .actors import Actor
from .errors import Conflict, NotFound, PermissionDenied

if TYPE_CHECKING:
    from sqlite_utils import Database

#: pass this as ``Abstraction.ref`` to have :func:`record_abstraction` generate the ref
NEW_REF = "new"
REF_PREFIX = "ABS-"


@dataclass
class CancelledEngagement:
    ref: str
    school: str
    school_name: str
    starts_at: datetime
    one_to_one: bool
    ends_at: datetime | None = None
    kind: str = ""
    #: the young person's ref (never a name); the desk may look the name up for the officer
    young_person: str | None = None


@dataclass
class AbstractionResult:
    abstraction: Abstraction
    cancelled: list[CancelledEngagement]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def get_abstraction(db: Database, ref: str) -> Abstraction:
    record = records.get(db, "abstractions", ref)
    assert isinstance(record, Abstraction)
    return record


def _engagements(db: Database, sql: str, params: list) -> list[Engagement]:
    cursor = db.execute(sql, params)
    cols = [c[0] for c in cursor.description]
    return [from_row("engagements", dict(zip(cols, r, strict=True))) for r in cursor.fetchall()]  # type: ignore[misc]


def planned_engagements(db: Database, officer: str, date_from: date, date_to: date) -> list[Engagement]:
    """The officer's planned engagements starting on a day from ``date_from`` to ``date_to`` (inclusive)."""
    return _engagements(
        db,
        "SELECT * FROM engagements WHERE officer = ? AND status = 'planned' "
        "AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, ref",
        [officer, date_from.isoformat(), (date_to + timedelta(days=1)).isoformat()],
    )


def _cancelled_entry(db: Database, e: Engagement) -> CancelledEngagement:
    row = db.execute("SELECT name FROM schools WHERE urn = ?", [e.school]).fetchone()
    return CancelledEngagement(
        ref=e.ref,
        school=e.school,
        school_name=row[0] if row else "",
        starts_at=e.starts_at,
        one_to_one=e.young_person is not None or e.kind == EngagementKind.ONE_TO_ONE,
        ends_at=e.ends_at,
        kind=e.kind.value,
        young_person=e.young_person,
    )


def cancelled_by(db: Database, ref: str) -> list[CancelledEngagement]:
    """The engagements that abstraction ``ref`` cancelled, in time order."""
    found = _engagements(
        db,
        "SELECT * FROM engagements WHERE abstraction = ? AND status = 'cancelled' ORDER BY starts_at, ref",
        [ref],
    )
    return [_cancelled_entry(db, e) for e in found]


def overlapping(
    db: Database, officer: str, date_from: date, date_to: date, *, exclude: str | None = None
) -> list[Abstraction]:
    """The officer's abstractions sharing a day with the span."""
    cursor = db.execute(
        "SELECT * FROM abstractions WHERE officer = ? AND date_from <= ? AND date_to >= ? "
        "ORDER BY date_from, ref",
        [officer, date_to.isoformat(), date_from.isoformat()],
    )
    cols = [c[0] for c in cursor.description]
    out = [from_row("abstractions", dict(zip(cols, r, strict=True))) for r in cursor.fetchall()]
    return [a for a in out if a.key() != exclude]  # type: ignore[misc]


def awaiting_review(db: Database, team: str) -> list[Abstraction]:
    """Pending abstractions of the officers of ``team``, oldest first."""
    cursor = db.execute(
        "SELECT a.* FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "WHERE o.team = ? AND a.review_status = 'pending' ORDER BY a.date_from, a.ref",
        [team],
    )
    cols = [c[0] for c in cursor.description]
    return [from_row("abstractions", dict(zip(cols, r, strict=True))) for r in cursor.fetchall()]  # type: ignore[misc]


def new_ref(db: Database, date_from: date) -> str:
    """``ABS-<yyyymmdd>-<n>``: n is one more than the highest ever used for that date, a removed
    abstraction's included (its history keeps its ref: a new record under it would share that history)."""
    prefix = f"{REF_PREFIX}{date_from.strftime('%Y%m%d')}-"
    highest = 0
    for (ref,) in db.execute(
        "SELECT ref FROM abstractions WHERE substr(ref, 1, ?) = ? "
        "UNION SELECT key FROM history WHERE entity = 'abstractions' AND substr(key, 1, ?) = ?",
        [len(prefix), prefix, len(prefix), prefix],
    ):
        tail = ref[len(prefix):]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1}"


# ---------------------------------------------------------------- warnings


def _days(a: date, b: date) -> Iterator[date]:
    d = a
    while d <= b:
        yield d
        d += timedelta(days=1)


def warnings_for(db: Database, abstraction: Abstraction) -> list[str]:
    """Why some days of the span count nothing in the rate (absences, non-working days)."""
    out: list[str] = []
    officer = abstraction.officer
    span_from, span_to = abstraction.date_from, abstraction.date_to
    rows = db.execute(
        "SELECT date_from, date_to, kind FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? "
        "ORDER BY date_from",
        [officer, span_to.isoformat(), span_from.isoformat()],
    ).fetchall()
    for a, b, kind in rows:
        first = max(date.fromisoformat(a), span_from)
        last = min(date.fromisoformat(b), span_to)
        when = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        out.append(
            f"{when} falls on {officer}'s absence ({kind.replace('_', ' ')} from {a}): "
            "an abstraction on a day of absence counts nothing in the abstraction rate"
        )
    row = db.execute("SELECT working_days FROM officers WHERE collar_number = ?", [officer]).fetchone()
    if row and row[0]:
        working = {WEEKDAY_INDEX[d] for d in json.loads(row[0])}
        off = [d for d in _days(span_from, span_to) if d.weekday() not in working]
        if off:
            listed = ", ".join(d.isoformat() for d in off[:5]) + (" ..." if len(off) > 5 else "")
            out.append(
                f"{len(off)} day(s) of the span are not {officer}'s working days ({listed}): "
                "they count nothing in the abstraction rate"
            )
    return out


# ---------------------------------------------------------------- recording


def make_abstraction(data: dict) -> Abstraction:
    """An :class:`Abstraction` from form or command-line values; refusals as :class:`ValidationFailed`."""
    from pydantic import ValidationError

    values = {"ref": NEW_REF, **data}
    try:
        return Abstraction.model_validate(values)
    except ValidationError as exc:
        key = str(values.get("ref"))
        raise refusal(exc, "abstractions", "(new)" if key == NEW_REF else key) from None


def _officer_exists(db: Database, collar: str) -> None:
    if db.execute("SELECT 1 FROM officers WHERE collar_number = ?", [collar]).fetchone() is None:
        raise NotFound(f"no officer with collar number {collar!r} in this database")


def _to_cancel(
    db: Database, abstraction: Abstraction, cancel: list[str]
) -> list[Engagement]:
    planned = planned_engagements(db, abstraction.officer, abstraction.date_from, abstraction.date_to)
    by_ref = {e.ref: e for e in planned}
    for ref in cancel:
        if ref not in by_ref:
            row = db.execute("SELECT officer, status, starts_at FROM engagements WHERE ref = ?", [ref]).fetchone()
            if row is None:
                why = "does not exist"
            elif row[0] != abstraction.officer:
                why = f"is not {abstraction.officer}'s engagement"
            elif row[1] != "planned":
                why = f"is {row[1]}, not planned"
            else:
                why = f"starts {row[2].replace('T', ' ')}, outside {abstraction.date_from} to {abstraction.date_to}"
            raise Conflict(f"cannot cancel engagement {ref}: it {why}; nothing was recorded")
    if abstraction.portion == Portion.FULL:
        return planned
    wanted = set(cancel)
    return [e for e in planned if e.ref in wanted]


def record_abstraction(
    store: Store, actor: Actor, abstraction: Abstraction, *, cancel: list[str] | None = None,
    source: str = "desk",
) -> AbstractionResult:
    """Record a new abstraction and cancel what it takes away (see the module notes)."""
    db = store.db
    cancel = list(dict.fromkeys(cancel or []))
    for ref in cancel:
        # a ref typed on the command line is not cleaned by a model: one that no stored ref can equal (a
        # control character, an undecodable byte that SQLite cannot even be asked about) is refused here
        if not isinstance(ref, str) or not ref or clean_line(ref) != ref:
            raise Conflict(f"cannot cancel engagement {ref!r}: not a valid ref; nothing was recorded")
    _officer_exists(db, abstraction.officer)
    permissions.require(
        db, actor, permissions.WRITE, abstraction.officer, what=f"officer {abstraction.officer}'s abstractions"
    )
    with store.write() as db:
        data = abstraction.model_dump()
        data.update(review_status=ReviewStatus.PENDING, reviewed_by=None, reviewed_at=None, review_note=None)
        if abstraction.ref.strip().lower() == NEW_REF:
            data["ref"] = new_ref(db, abstraction.date_from)
        elif records.get_row(db, "abstractions", abstraction.ref) is not None:
            raise Conflict(f"abstraction {abstraction.ref} already exists; nothing was recorded")
        new = Abstraction.model_validate(data)
        clash = overlapping(db, new.officer, new.date_from, new.date_to)
        if clash:
            other = clash[0]
            raise Conflict(
                f"abstraction of {new.officer} from {new.date_from} to {new.date_to} overlaps their abstraction "
                f"{other.ref} ({other.date_from} to {other.date_to}); nothing was recorded"
            )
        targets = _to_cancel(db, new, cancel)
        warnings = warnings_for(db, new)
        records.write_record(db, actor, new, source=source)
        cancelled = cancel_engagements(db, actor, targets, CancelReason.ABSTRACTION, abstraction=new.ref,
                                       source="abstraction")
        return AbstractionResult(new, cancelled, warnings)


def cancel_engagements(
    db: Database, actor: Actor, engagements: list[Engagement], reason: CancelReason, *,
    abstraction: str | None = None, source: str,
) -> list[CancelledEngagement]:
    """Cancel each of ``engagements`` with ``reason`` (linked to ``abstraction`` if given) inside the
    caller's write transaction, each through :func:`slo.services.records.write_record` (audited, its
    calendar SEQUENCE raised, its history kept); returns what was cancelled. Shared by abstractions
    and absences (:mod:`slo.services.absences`)."""
    out: list[CancelledEngagement] = []
    for e in engagements:
        changed = e.model_copy(update={"status": EngagementStatus.CANCELLED, "cancel_reason": reason,
                                       "abstraction": abstraction})
        records.write_record(db, actor, Engagement.model_validate(changed.model_dump()), source=source)
        out.append(_cancelled_entry(db, e))
    return out


# ---------------------------------------------------------------- re-shape: cut back, move, remove


@dataclass
class NotReinstated:
    """A session the abstraction no longer covers that could not be put back: offer to rebook it."""

    engagement: CancelledEngagement
    #: why its slot has gone, in words ("its time has passed", "PC1000 has ENG-9 at that time")
    why: str


@dataclass
class ReshapeResult:
    """What :func:`reshape_abstraction` (or a withdrawal) did to one abstraction."""

    ref: str
    #: the abstraction as it is now; None when it was removed (no day of it was left)
    abstraction: Abstraction | None
    #: sessions on the days given back, planned again (their calendar entries un-cancelled)
    reinstated: list[CancelledEngagement] = field(default_factory=list)
    #: sessions on the days given back whose slot has gone: still cancelled, to rebook
    to_rebook: list[NotReinstated] = field(default_factory=list)
    #: sessions on days newly covered (a full-day abstraction moved or made longer)
    cancelled: list[CancelledEngagement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        return self.abstraction is None

    @property
    def notes(self) -> list[str]:
        """One sentence per session left cancelled: ``E-9 stays cancelled: its time has passed``."""
        return [f"{n.engagement.ref} stays cancelled: {n.why}" for n in self.to_rebook]


def _abstraction_row_update(db: Database, new: Abstraction) -> None:
    """Write every field of ``new`` over its row (the ref never changes)."""
    row = to_row(new)
    cols = [c for c in row if c != "ref"]
    db.execute(
        f"UPDATE abstractions SET {', '.join(f'[{c}] = :{c}' for c in cols)} WHERE ref = :ref", row
    )


def _write_abstraction(db: Database, actor: Actor, old: Abstraction, new: Abstraction, *, source: str,
                       detail: dict | None = None) -> list[str]:
    """Update one abstraction inside the open transaction and audit it (field names, never text);
    returns the changed fields (none: nothing written)."""
    fields = records.changed_fields(old, new)
    if not fields:
        return []
    problems = records.check_against_database(db, new)
    if problems:
        raise ValidationFailed(problems)
    _abstraction_row_update(db, new)
    history.record_change(db, actor.collar, "abstractions", new.ref, old.to_bundle(), new.to_bundle(),
                          source=source)
    audit.record(db, actor.collar, audit.UPDATE, "abstractions", new.ref,
                 {"fields": fields, "source": source, **(detail or {})})
    return fields


def _delete_abstraction(db: Database, actor: Actor, old: Abstraction, *, source: str) -> None:
    """Remove an abstraction none of whose days is left (its last values stay in the record history;
    the audit row names the fields it had, never their text). Nothing may refer to it any more."""
    db.execute("DELETE FROM abstractions WHERE ref = ?", [old.ref])
    history.record_change(db, actor.collar, "abstractions", old.ref, old.to_bundle(), None, source=source)
    audit.record(db, actor.collar, audit.DELETE, "abstractions", old.ref,
                 {"fields": sorted(k for k, v in old.to_bundle().items() if v is not None), "source": source})


def _span_words(a: date, b: date) -> str:
    return a.isoformat() if a == b else f"{a.isoformat()} to {b.isoformat()}"


def slot_gone(db: Database, e: Engagement, now: datetime, *, exclude: str | None = None) -> str | None:
    """Why cancelled engagement ``e`` cannot simply be planned again at its own time (None: it can).

    It was rebooked meanwhile (putting it back would book it twice); its time has passed; its
    officer is no longer in post that day; an absence or another
    abstraction (not ``exclude``) covers the day; or the officer has another planned engagement
    overlapping it (booked since it was cancelled)."""
    officer, day = e.officer, e.starts_at.date()
    rebooked = db.execute("SELECT ref FROM engagements WHERE rebooked_from = ? ORDER BY ref LIMIT 1",
                          [e.ref]).fetchone()
    if rebooked:
        return f"it was rebooked as {rebooked[0]}"
    if e.starts_at < now:
        return "its time has passed"
    row = db.execute("SELECT start_date, end_date FROM officers WHERE collar_number = ?", [officer]).fetchone()
    if row and (day.isoformat() < row[0] or (row[1] and day.isoformat() > row[1])):
        return f"{officer} is not in post on {day.isoformat()}"
    absence = db.execute(
        "SELECT kind FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? LIMIT 1",
        [officer, day.isoformat(), day.isoformat()],
    ).fetchone()
    if absence:
        return f"{officer} is absent that day ({absence[0].replace('_', ' ')})"
    other = db.execute(
        "SELECT ref FROM abstractions WHERE officer = ? AND date_from <= ? AND date_to >= ? AND ref <> ? LIMIT 1",
        [officer, day.isoformat(), day.isoformat(), exclude or ""],
    ).fetchone()
    if other:
        return f"{officer} is abstracted that day ({other[0]})"
    clash = db.execute(
        "SELECT ref, starts_at, ends_at FROM engagements WHERE officer = ? AND status = 'planned' AND ref <> ? "
        "AND starts_at < ? AND ends_at > ? ORDER BY starts_at LIMIT 1",
        [officer, e.ref, e.ends_at.isoformat(timespec="minutes"), e.starts_at.isoformat(timespec="minutes")],
    ).fetchone()
    if clash:
        return f"{officer} has {clash[0]} at that time ({clash[1][11:16]}-{clash[2][11:16]})"
    return None


def give_back(db: Database, actor: Actor, e: Engagement, now: datetime, *, keep_link: bool, exclude: str,
              source: str) -> tuple[CancelledEngagement, str | None]:
    """Plan ``e`` again (its calendar entry un-cancelled: the status change raises its SEQUENCE), or,
    when its slot has gone, leave it cancelled (unlinked when the abstraction goes) and say why.
    Shared by abstractions and absences (``exclude``: an abstraction not to count as taking the day)."""
    why = slot_gone(db, e, now, exclude=exclude)
    entry = _cancelled_entry(db, e)
    if why is None:
        back = e.model_copy(update={"status": EngagementStatus.PLANNED, "cancel_reason": None, "abstraction": None})
        records.write_record(db, actor, Engagement.model_validate(back.model_dump()), source=source)
    elif not keep_link:
        # the abstraction is removed: the session stays cancelled because of it, without the link
        unlinked = e.model_copy(update={"abstraction": None})
        records.write_record(db, actor, Engagement.model_validate(unlinked.model_dump()), source=source)
    return entry, why


def _covers(a: Abstraction, e: Engagement, cancel: set[str] | None) -> bool:
    """``a`` still takes away engagement ``e``: same officer, a day of its span, and for a half day
    one of the sessions it cancels (``cancel`` None: whatever it cancelled already)."""
    return (e.officer == a.officer and a.date_from <= e.starts_at.date() <= a.date_to
            and (a.portion == Portion.FULL or cancel is None or e.ref in cancel))


def reshape(
    db: Database, actor: Actor, old: Abstraction, new: Abstraction | None, *,
    cancel: list[str] | None = None, source: str = "reshape", now: datetime | None = None,
) -> ReshapeResult:
    """Re-work the sessions abstraction ``old`` takes away now that it is ``new`` (None: it goes),
    inside the caller's write transaction; the caller writes (or deletes) the abstraction itself,
    before or after (it must be deleted only after this has run: nothing may link to it then).

    * Each engagement ``old`` cancelled that ``new`` no longer covers (another day, another
      officer, a half day's session not in ``cancel``) is planned again, unless its slot has gone
      (:func:`slot_gone`, or it was rebooked meanwhile): then it stays cancelled, listed in
      ``to_rebook`` with why; with ``new`` None it loses the link and keeps ``cancel_reason``.
    * ``new`` cancels, as :func:`record_abstraction` does, the officer's planned engagements it
      newly covers: a full day every one on a day ``old`` did not already take (full, same
      officer), a half day the refs of ``cancel`` (each must be a planned engagement of the
      officer in the span, else :class:`Conflict`).

    Every engagement change goes through :func:`slo.services.records.write_record` (audited, the
    calendar SEQUENCE raised). ``result.abstraction`` is ``new``."""
    now = now or audit.now_local()
    wanted = set(cancel) if cancel is not None else None
    result = ReshapeResult(old.ref, new)
    linked = _engagements(db, "SELECT * FROM engagements WHERE abstraction = ? ORDER BY starts_at, ref", [old.ref])
    kept: set[str] = set()
    for e in linked:
        if new is not None and e.status == EngagementStatus.CANCELLED and _covers(new, e, wanted):
            kept.add(e.ref)
            continue
        if e.status != EngagementStatus.CANCELLED:
            # a link left on a planned or delivered engagement (an odd import): only the link goes
            if new is None:
                records.write_record(db, actor, Engagement.model_validate(
                    e.model_copy(update={"abstraction": None}).model_dump()), source=source)
            continue
        entry, why = give_back(db, actor, e, now, keep_link=new is not None, exclude=old.ref, source=source)
        if why is None:
            result.reinstated.append(entry)
        else:
            result.to_rebook.append(NotReinstated(entry, why))
    if new is not None:
        if new.portion == Portion.FULL:
            targets = [e for e in planned_engagements(db, new.officer, new.date_from, new.date_to)
                       if not (old.portion == Portion.FULL and _covers(old, e, None))]
        else:
            targets = _to_cancel(db, new, sorted((wanted or set()) - kept))
        result.cancelled = cancel_engagements(db, actor, targets, CancelReason.ABSTRACTION, abstraction=new.ref,
                                              source=source)
        result.warnings = warnings_for(db, new)
    return result


def reshape_in(
    db: Database, actor: Actor, old: Abstraction, date_from: date | None, date_to: date | None, *,
    source: str, now: datetime, changes: dict | None = None,
) -> ReshapeResult:
    """:func:`reshape_abstraction` inside an open write transaction (no permission check here):
    write the new days (or delete the abstraction when none is left) and :func:`reshape`.

    ``changes`` are other fields to write with the new dates (a withdrawal's review fields)."""
    ref = old.ref
    data = old.model_dump()
    data.update(changes or {})
    current = Abstraction.model_validate(data)
    if date_from is None or date_to is None or date_to < date_from:
        if changes:
            _write_abstraction(db, actor, old, current, source=source)
        result = reshape(db, actor, current, None, source=source, now=now)
        _delete_abstraction(db, actor, get_abstraction(db, ref), source=source)
        return result
    new = Abstraction.model_validate({**data, "date_from": date_from, "date_to": date_to})
    clash = overlapping(db, new.officer, new.date_from, new.date_to, exclude=ref)
    if clash:
        other = clash[0]
        raise Conflict(
            f"abstraction {ref} of {new.officer} from {new.date_from} to {new.date_to} would overlap their "
            f"abstraction {other.ref} ({other.date_from} to {other.date_to}); nothing was changed"
        )
    moved = (old.date_from, old.date_to) != (new.date_from, new.date_to)
    _write_abstraction(db, actor, old, new, source=source,
                       detail={"from": [old.date_from.isoformat(), new.date_from.isoformat()],
                               "to": [old.date_to.isoformat(), new.date_to.isoformat()]} if moved else None)
    return reshape(db, actor, old, new, source=source, now=now)


def reshape_abstraction(
    store: Store, actor: Actor, ref: str, date_from: date | None, date_to: date | None, *,
    source: str = "desk", now: datetime | None = None,
) -> ReshapeResult:
    """Cut back, extend or move abstraction ``ref`` to ``date_from..date_to`` (or remove it: no day
    left, ``date_to`` before ``date_from`` or None), in one transaction:

    * the sessions it cancelled on days it no longer covers are planned again (calendar
      entries un-cancelled, SEQUENCE raised), unless their slot has gone (their time has passed,
      the officer is absent or abstracted that day, or another planned engagement of the officer
      overlaps them): those stay cancelled and are listed in ``to_rebook`` (rebook them with
      :func:`slo.services.engagements.rebook`);
    * a ``full`` abstraction cancels the planned engagements of days it newly covers;
    * a removed abstraction's record is deleted (its history kept); sessions left cancelled
      lose their link to it and keep ``cancel_reason = abstraction``.

    Permission ``write`` on the officer's records (the officer, their sergeant, an admin), as for
    recording one. The ref never changes.
    """
    db = store.db
    current = get_abstraction(db, ref)
    permissions.require(db, actor, permissions.WRITE, current.officer, what=f"officer {current.officer}'s abstractions")
    with store.write() as db:
        old = get_abstraction(db, ref)
        return reshape_in(db, actor, old, date_from, date_to, source=source, now=now or audit.now_local())


#: the review's fields, which a correction never changes (the review is the sergeant's)
REVIEW_FIELDS = ("review_status", "reviewed_by", "reviewed_at", "review_note", "challenged_to", "resolved_on",
                 "resolution_note")


def correct_abstraction(
    store: Store, actor: Actor, abstraction: Abstraction, *, cancel: list[str] | None = None,
    source: str = "desk", now: datetime | None = None,
) -> ReshapeResult:
    """Correct abstraction ``abstraction.ref``: its days, portion, category, who asked, its reason.

    Before review: whoever may record it (the officer, their sergeant, an admin). After review
    (accepted, challenged...): only a sergeant of the officer's team; the officer and an admin
    are refused (audited). The review's fields and the officer stay as stored. New days go
    through :func:`reshape` in the same transaction: sessions no longer covered are planned again
    (or listed to rebook), a full day cancels what it newly covers; a half day's ``cancel`` lists
    the sessions it takes away (None: the ones it cancels now). Audited, kept in the history."""
    db = store.db
    ref = abstraction.ref
    current = get_abstraction(db, ref)
    what = f"officer {current.officer}'s abstractions"
    permissions.require(db, actor, permissions.WRITE, current.officer, what=what)
    if current.review_status != ReviewStatus.PENDING and actor.role != "sergeant":
        permissions.log_refusal(db, actor, permissions.WRITE, f"abstraction {ref}")
        raise PermissionDenied(
            f"abstraction {ref} was reviewed ({current.review_status.value}): only a sergeant may correct it "
            "now; nothing was changed")
    if abstraction.officer != current.officer:
        raise ValidationFailed([Problem("abstractions", ref, "officer",
                                        f"cannot change from {current.officer} to {abstraction.officer}: record "
                                        "an abstraction for the other officer instead")])
    with store.write() as db:
        old = get_abstraction(db, ref)
        data = abstraction.model_dump()
        data.update({name: getattr(old, name) for name in REVIEW_FIELDS})
        new = Abstraction.model_validate(data)
        clash = overlapping(db, new.officer, new.date_from, new.date_to, exclude=ref)
        if clash:
            other = clash[0]
            raise Conflict(
                f"abstraction {ref} of {new.officer} from {new.date_from} to {new.date_to} would overlap their "
                f"abstraction {other.ref} ({other.date_from} to {other.date_to}); nothing was changed")
        moved = (old.date_from, old.date_to) != (new.date_from, new.date_to)
        _write_abstraction(db, actor, old, new, source=source,
                           detail={"from": [old.date_from.isoformat(), new.date_from.isoformat()],
                                   "to": [old.date_to.isoformat(), new.date_to.isoformat()]} if moved else None)
        return reshape(db, actor, old, new, cancel=cancel, source=source, now=now or audit.now_local())


# ---------------------------------------------------------------- review

#: what a review may change each status to (docs/abstractions.md, "The review lifecycle")
REVIEW_MOVES: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.PENDING: frozenset({ReviewStatus.ACCEPTED, ReviewStatus.CHALLENGED}),
    ReviewStatus.ACCEPTED: frozenset({ReviewStatus.ACCEPTED, ReviewStatus.CHALLENGED}),
    ReviewStatus.CHALLENGED: frozenset({ReviewStatus.ACCEPTED, ReviewStatus.CHALLENGED,
                                        ReviewStatus.UPHELD, ReviewStatus.WITHDRAWN}),
    # an upheld challenge may be taken further (challenged again), or the abstraction withdrawn later
    ReviewStatus.UPHELD: frozenset({ReviewStatus.CHALLENGED, ReviewStatus.UPHELD, ReviewStatus.WITHDRAWN}),
    ReviewStatus.WITHDRAWN: frozenset(),
}

#: a challenge awaiting its result is due on the sergeant's list this many working days after it was made
CHALLENGE_DUE_WORKING_DAYS = 5


def _may_review(db: Database, actor: Actor, current: Abstraction) -> None:
    """Only a sergeant of the abstracted officer's team, never the officer themselves (audited refusals)."""
    what = f"officer {current.officer} ({current.ref})"
    permissions.require(db, actor, permissions.REVIEW_ABSTRACTION, current.officer, what=what)
    if actor.collar == current.officer:
        permissions.log_refusal(db, actor, permissions.REVIEW_ABSTRACTION, what)
        raise PermissionDenied(f"{actor.collar} may not review their own abstraction {current.ref}")
    if actor.role != "sergeant":
        permissions.log_refusal(db, actor, permissions.REVIEW_ABSTRACTION, what)
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not review abstractions: only the team's sergeant")


def _check_move(current: Abstraction, to: ReviewStatus) -> None:
    now = current.review_status
    if to in REVIEW_MOVES[now]:
        return
    ref = current.ref
    if now == ReviewStatus.WITHDRAWN:
        raise Conflict(f"abstraction {ref} was withdrawn on {current.resolved_on}: its review is closed; "
                       "nothing was changed")
    if to in (ReviewStatus.UPHELD, ReviewStatus.WITHDRAWN):
        raise Conflict(f"abstraction {ref} is {now.value}, not challenged: only a challenge can be "
                       f"{to.value}; nothing was changed")
    raise Conflict(f"abstraction {ref} is {now.value}: it cannot be {to.value} now "
                   "(challenge it again to take it further); nothing was changed")


def _clean(text: str | None) -> str | None:
    text = text.strip() if text else None
    return text or None


def review_abstraction(
    store: Store, actor: Actor, ref: str, *, accept: bool, note: str | None = None,
    challenged_to: str | None = None, now: datetime | None = None,
) -> Abstraction:
    """Accept, or challenge with a note, abstraction ``ref``; returns the reviewed abstraction.

    A challenge records to whom it went (``challenged_to``, default the abstraction's
    ``requested_by``); accepting clears it. ``reviewed_by``/``reviewed_at`` say who made the
    review and when (a challenge's result does not change them: see :func:`resolve_challenge`)."""
    db = store.db
    current = get_abstraction(db, ref)
    _may_review(db, actor, current)
    note = _clean(note)
    if not accept and not note:
        raise ValidationFailed(
            [Problem("abstractions", ref, "review_note", "a challenge needs a note saying why")]
        )
    status = ReviewStatus.ACCEPTED if accept else ReviewStatus.CHALLENGED
    _check_move(current, status)
    with store.write() as db:
        old = get_abstraction(db, ref)
        _check_move(old, status)
        data = old.model_dump()
        data.update(
            review_status=status,
            reviewed_by=actor.collar,
            reviewed_at=now or audit.now_local(),
            review_note=note,
            challenged_to=None if accept else (_clean(challenged_to) or old.requested_by),
            resolved_on=None,
            resolution_note=None,
        )
        new = Abstraction.model_validate(data)
        _write_abstraction(db, actor, old, new, source="review",
                           detail={"review": {"from": old.review_status.value, "to": new.review_status.value}})
        return new


@dataclass
class ResolveResult(ReshapeResult):
    """A challenge's result: the abstraction as it is now (None: removed) and the sessions given back."""

    status: ReviewStatus = ReviewStatus.UPHELD
    #: the first day the officer was back on schools work (withdrawn only)
    returned_on: date | None = None
    #: the abstraction's last day before the result (a return after it cut nothing)
    was_to: date | None = None


def resolve_challenge(
    store: Store, actor: Actor, ref: str, *, withdrawn: bool, note: str | None = None,
    returned_on: date | None = None, now: datetime | None = None,
) -> ResolveResult:
    """Record the result of the challenge of abstraction ``ref``: ``upheld`` (the abstraction stands)
    or ``withdrawn`` (the officer returns to schools work on ``returned_on``, default today).

    A withdrawal cuts the abstraction back to the days that already happened: ``date_to`` becomes
    the day before the return, or the abstraction is removed when the return is on or before its
    first day (its history kept); returning after its last day cuts nothing. The sessions it
    cancelled on the days given back are planned again, or listed to rebook where their slot has
    gone (:func:`reshape_abstraction`). ``resolved_on`` is the day the result is recorded;
    ``resolution_note`` says what was decided. Only the team's sergeant; from ``challenged`` (or an
    ``upheld`` one later withdrawn). One transaction, audited (field names and counts only)."""
    now = now or audit.now_local()
    today = now.date()
    db = store.db
    current = get_abstraction(db, ref)
    _may_review(db, actor, current)
    status = ReviewStatus.WITHDRAWN if withdrawn else ReviewStatus.UPHELD
    if not withdrawn and returned_on is not None:
        raise ValidationFailed([Problem("abstractions", ref, "returned_on",
                                        "a return date is only for a withdrawn abstraction")])
    _check_move(current, status)
    note = _clean(note)
    with store.write() as db:
        old = get_abstraction(db, ref)
        _check_move(old, status)
        changes = {"review_status": status, "resolved_on": today, "resolution_note": note}
        detail = {"review": {"from": old.review_status.value, "to": status.value}}
        if not withdrawn:
            data = old.model_dump()
            data.update(changes)
            new = Abstraction.model_validate(data)
            _write_abstraction(db, actor, old, new, source="review", detail=detail)
            return ResolveResult(ref, new, status=status, was_to=old.date_to)
        back = returned_on or today
        last = min(old.date_to, back - timedelta(days=1))
        # the review fields first (so the record's history ends with its result), then the days
        data = old.model_dump()
        data.update(changes)
        reviewed = Abstraction.model_validate(data)
        _write_abstraction(db, actor, old, reviewed, source="review", detail=detail)
        shaped = reshape_in(db, actor, reviewed, old.date_from, last, source="withdrawal", now=now)
        return ResolveResult(ref, shaped.abstraction, shaped.reinstated, shaped.to_rebook, shaped.cancelled,
                             shaped.warnings, status=status, returned_on=back, was_to=old.date_to)


def working_days_after(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (Monday to Friday, England's bank holidays excepted)."""
    from .schooldays import bank_holidays

    day, left = start, n
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays(day.year):
            left -= 1
    return day


def challenge_due_on(abstraction: Abstraction) -> date | None:
    """When a challenge awaiting its result is due on the sergeant's list (None unless challenged)."""
    if abstraction.review_status != ReviewStatus.CHALLENGED or abstraction.reviewed_at is None:
        return None
    return working_days_after(abstraction.reviewed_at.date(), CHALLENGE_DUE_WORKING_DAYS)


__all__ = [
    "NEW_REF",
    "AbstractionResult",
    "CancelledEngagement",
    "NotReinstated",
    "ReshapeResult",
    "ResolveResult",
    "awaiting_review",
    "cancel_engagements",
    "cancelled_by",
    "challenge_due_on",
    "correct_abstraction",
    "get_abstraction",
    "give_back",
    "make_abstraction",
    "new_ref",
    "overlapping",
    "planned_engagements",
    "record_abstraction",
    "reshape",
    "reshape_abstraction",
    "reshape_in",
    "resolve_challenge",
    "review_abstraction",
    "slot_gone",
    "warnings_for",
    "working_days_after",
]
