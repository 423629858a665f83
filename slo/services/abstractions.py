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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from slo.models.entities import Abstraction, Engagement
from slo.models.enums import WEEKDAY_INDEX, CancelReason, EngagementKind, EngagementStatus, Portion, ReviewStatus
from slo.models.rules import Problem, ValidationFailed
from slo.models.text import clean_line
from slo.store.db import Store
from slo.store.rows import from_row, to_row

from . import audit, permissions, records
from .actors import Actor
from .errors import Conflict, NotFound, PermissionDenied

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
    return [from_row("engagements", dict(zip(cols, r))) for r in cursor.fetchall()]  # type: ignore[misc]


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


def overlapping(db: Database, officer: str, date_from: date, date_to: date, *, exclude: str | None = None) -> list[Abstraction]:
    """The officer's abstractions sharing a day with the span."""
    cursor = db.execute(
        "SELECT * FROM abstractions WHERE officer = ? AND date_from <= ? AND date_to >= ? "
        "ORDER BY date_from, ref",
        [officer, date_to.isoformat(), date_from.isoformat()],
    )
    cols = [c[0] for c in cursor.description]
    out = [from_row("abstractions", dict(zip(cols, r))) for r in cursor.fetchall()]
    return [a for a in out if a.key() != exclude]  # type: ignore[misc]


def awaiting_review(db: Database, team: str) -> list[Abstraction]:
    """Pending abstractions of the officers of ``team``, oldest first."""
    cursor = db.execute(
        "SELECT a.* FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "WHERE o.team = ? AND a.review_status = 'pending' ORDER BY a.date_from, a.ref",
        [team],
    )
    cols = [c[0] for c in cursor.description]
    return [from_row("abstractions", dict(zip(cols, r))) for r in cursor.fetchall()]  # type: ignore[misc]


def new_ref(db: Database, date_from: date) -> str:
    """``ABS-<yyyymmdd>-<n>``: n is one more than the highest already used for that date."""
    prefix = f"{REF_PREFIX}{date_from.strftime('%Y%m%d')}-"
    highest = 0
    for (ref,) in db.execute("SELECT ref FROM abstractions WHERE substr(ref, 1, ?) = ?", [len(prefix), prefix]):
        tail = ref[len(prefix):]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1}"


# ---------------------------------------------------------------- warnings


def _days(a: date, b: date):
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
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ())) or None
            msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            key = str(values.get("ref"))
            problems.append(Problem("abstractions", "(new)" if key == NEW_REF else key, loc, msg))
        raise ValidationFailed(problems) from None


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
        cancelled: list[CancelledEngagement] = []
        for e in targets:
            changed = e.model_copy(
                update={
                    "status": EngagementStatus.CANCELLED,
                    "cancel_reason": CancelReason.ABSTRACTION,
                    "abstraction": new.ref,
                }
            )
            records.write_record(db, actor, Engagement.model_validate(changed.model_dump()), source="abstraction")
            cancelled.append(_cancelled_entry(db, e))
        return AbstractionResult(new, cancelled, warnings)


# ---------------------------------------------------------------- review


def review_abstraction(
    store: Store, actor: Actor, ref: str, *, accept: bool, note: str | None = None
) -> Abstraction:
    """Accept, or challenge with a note, abstraction ``ref``; returns the reviewed abstraction."""
    db = store.db
    current = get_abstraction(db, ref)
    what = f"officer {current.officer} ({ref})"
    permissions.require(db, actor, permissions.REVIEW_ABSTRACTION, current.officer, what=what)
    if actor.collar == current.officer:
        permissions.log_refusal(db, actor, permissions.REVIEW_ABSTRACTION, what)
        raise PermissionDenied(f"{actor.collar} may not review their own abstraction {ref}")
    if actor.role != "sergeant":
        permissions.log_refusal(db, actor, permissions.REVIEW_ABSTRACTION, what)
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not review abstractions: only the team's sergeant")
    note = note.strip() if note else None
    if not accept and not note:
        raise ValidationFailed(
            [Problem("abstractions", ref, "review_note", "a challenge needs a note saying why")]
        )
    status = ReviewStatus.ACCEPTED if accept else ReviewStatus.CHALLENGED
    with store.write() as db:
        old = get_abstraction(db, ref)
        data = old.model_dump()
        data.update(
            review_status=status,
            reviewed_by=actor.collar,
            reviewed_at=audit.now_local(),
            review_note=note or None,
        )
        new = Abstraction.model_validate(data)
        row = to_row(new)
        db.execute(
            "UPDATE abstractions SET review_status = ?, reviewed_by = ?, reviewed_at = ?, review_note = ? "
            "WHERE ref = ?",
            [row["review_status"], row["reviewed_by"], row["reviewed_at"], row["review_note"], ref],
        )
        audit.record(
            db, actor.collar, audit.UPDATE, "abstractions", ref,
            {
                "review": {"from": old.review_status.value, "to": new.review_status.value},
                "fields": records.changed_fields(old, new),
                "source": "review",
            },
        )
        return new


__all__ = [
    "NEW_REF",
    "AbstractionResult",
    "CancelledEngagement",
    "awaiting_review",
    "cancelled_by",
    "get_abstraction",
    "make_abstraction",
    "new_ref",
    "overlapping",
    "planned_engagements",
    "record_abstraction",
    "review_abstraction",
    "warnings_for",
]
