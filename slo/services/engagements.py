"""Engagement use cases: book or change one, deliver or cancel, find the officer's next free slot, rebook.

Status changes (``docs/abstractions.md``):

* ``planned -> delivered`` and ``planned -> cancelled`` (a ``cancel_reason`` is required);
* ``cancelled -> planned`` reinstates a cancelled engagement (clears the reason and the
  abstraction link);
* ``cancelled -> cancelled`` with another reason corrects the reason;
* a **delivered** engagement is final: it can be neither cancelled nor made planned again
  (it happened; correcting a mistaken "delivered" is an admin's bundle edit);
* ``cancelled -> delivered`` is refused: reinstate it as planned first.

Every change goes through :func:`slo.services.records.write_record`, so the calendar
``sequence`` and ``updated_at`` move and the change is audited and kept in the record's history
(:mod:`slo.services.history`) in the same transaction.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from slo.models.entities import Engagement
from slo.models.enums import WEEKDAY_INDEX, CancelReason, EngagementStatus
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store
from slo.store.rows import to_row

from . import audit, history, permissions, records, refs
from .actors import Actor
from .errors import Conflict, NotFound

if TYPE_CHECKING:
    from sqlite_utils import Database

#: school hours in which a rebooked engagement is placed
DAY_START = time(9, 0)
DAY_END = time(15, 30)
#: slots start on these minute steps
STEP_MINUTES = 15
#: how far ahead :func:`next_free_slot` looks before giving up
SEARCH_DAYS = 366


def get_engagement(db: Database, ref: str) -> Engagement:
    record = records.get(db, "engagements", ref)
    assert isinstance(record, Engagement)
    return record


def save_engagement(store: Store, actor: Actor, engagement: Engagement) -> Engagement:
    """Book a new engagement (ref :data:`refs.NEW`: ``ENG-<start day>-XXXXXX``, made inside the write
    transaction) or change one; returns it as saved. A change to what a calendar shows raises
    its ``sequence``."""
    return refs.save_with_ref(store, actor, engagement)


def _check_transition(old: Engagement, status: EngagementStatus, reason: CancelReason | None) -> None:
    ref = old.ref
    if status == EngagementStatus.CANCELLED and reason is None:
        raise ValidationFailed(
            [Problem("engagements", ref, "cancel_reason", "is required when cancelling (abstraction, "
                     "officer_unavailable, school, young_person or other)")]
        )
    if status != EngagementStatus.CANCELLED and reason is not None:
        raise ValidationFailed(
            [Problem("engagements", ref, "cancel_reason", "is only for cancelling")]
        )
    if old.status == EngagementStatus.DELIVERED and status != EngagementStatus.DELIVERED:
        raise Conflict(f"engagement {ref} was delivered; a delivered engagement cannot be {status.value}")
    if old.status == EngagementStatus.CANCELLED and status == EngagementStatus.DELIVERED:
        raise Conflict(f"engagement {ref} is cancelled; reinstate it as planned before marking it delivered")


def set_status(
    store: Store, actor: Actor, ref: str, status: str, cancel_reason: str | None = None
) -> Engagement:
    """Deliver, cancel (with a reason) or reinstate engagement ``ref``; returns the saved engagement."""
    try:
        new_status = EngagementStatus(status)
    except ValueError:
        raise ValidationFailed(
            [Problem("engagements", ref, "status", f"{status!r} is not one of planned, delivered, cancelled")]
        ) from None
    try:
        reason = CancelReason(cancel_reason) if cancel_reason else None
    except ValueError:
        raise ValidationFailed(
            [Problem("engagements", ref, "cancel_reason", f"{cancel_reason!r} is not a cancel reason")]
        ) from None
    old = get_engagement(store.db, ref)
    permissions.require(store.db, actor, permissions.WRITE, old.officer, what=f"engagement {ref}")
    _check_transition(old, new_status, reason)
    with store.write() as db:
        current = get_engagement(db, ref)  # re-read inside the transaction
        _check_transition(current, new_status, reason)
        data = current.model_dump()
        data["status"] = new_status
        data["cancel_reason"] = reason
        if new_status != EngagementStatus.CANCELLED or reason != CancelReason.ABSTRACTION:
            data["abstraction"] = None
        else:
            data["abstraction"] = current.abstraction
        new = Engagement.model_validate(data)
        records.write_record(db, actor, new, source="status")
        return new


# ---------------------------------------------------------------- free slots


def _officer_row(db: Database, officer: str) -> tuple[list[str], date, date | None]:
    row = db.execute(
        "SELECT working_days, start_date, end_date FROM officers WHERE collar_number = ?", [officer]
    ).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {officer!r} in this database")
    days = json.loads(row[0]) if row[0] else ["mon", "tue", "wed", "thu", "fri"]
    return days, date.fromisoformat(row[1]), date.fromisoformat(row[2]) if row[2] else None


def _busy_days(db: Database, table: str, officer: str, start: date, end: date) -> set[date]:
    out: set[date] = set()
    rows = db.execute(
        f"SELECT date_from, date_to FROM [{table}] WHERE officer = ? AND date_from <= ? AND date_to >= ?",
        [officer, end.isoformat(), start.isoformat()],
    )
    for a, b in rows:
        d = max(date.fromisoformat(a), start)
        last = min(date.fromisoformat(b), end)
        while d <= last:
            out.add(d)
            d += timedelta(days=1)
    return out


def _round_up(moment: datetime) -> datetime:
    late = moment.second or moment.microsecond
    moment = moment.replace(second=0, microsecond=0) + (timedelta(minutes=1) if late else timedelta())
    extra = (-moment.minute) % STEP_MINUTES
    return moment + timedelta(minutes=extra)


def next_free_slot(
    db: Database, officer: str, school: str, after: datetime, duration_minutes: int
) -> tuple[datetime, datetime]:
    """The officer's first free slot of ``duration_minutes`` starting at or after ``after``.

    On one of the officer's working days (``officers.working_days``, within their time in
    post), within school hours 09:00-15:30, not on a day of absence or abstraction (of
    either portion), and not overlapping another *planned* engagement of the officer at
    any school. Starts fall on quarter hours. ``school`` names the school the slot is for
    (every school keeps the same hours here). Raises :class:`Conflict` if nothing is free
    within a year.
    """
    if duration_minutes <= 0:
        raise ValidationFailed([Problem("engagements", "-", "duration", "must be at least one minute")])
    day_length = (datetime.combine(date.min, DAY_END) - datetime.combine(date.min, DAY_START))
    duration = timedelta(minutes=duration_minutes)
    if duration > day_length:
        raise Conflict(f"an engagement of {duration_minutes} minutes does not fit in school hours 09:00-15:30")
    working, in_post, out_of_post = _officer_row(db, officer)
    weekdays = {WEEKDAY_INDEX[d] for d in working}
    first = after.date()
    last = first + timedelta(days=SEARCH_DAYS)
    blocked = _busy_days(db, "absences", officer, first, last) | _busy_days(db, "abstractions", officer, first, last)
    booked: dict[date, list[tuple[datetime, datetime]]] = {}
    rows = db.execute(
        "SELECT starts_at, ends_at FROM engagements WHERE officer = ? AND status = 'planned' "
        "AND ends_at > ? AND starts_at < ? ORDER BY starts_at",
        [officer, first.isoformat(), (last + timedelta(days=1)).isoformat()],
    )
    for s, e in rows:
        start, end = datetime.fromisoformat(s), datetime.fromisoformat(e)
        d = start.date()
        while d <= end.date():
            booked.setdefault(d, []).append((start, end))
            d += timedelta(days=1)
    day = first
    while day <= last:
        if (
            day.weekday() in weekdays
            and day >= in_post
            and (out_of_post is None or day <= out_of_post)
            and day not in blocked
        ):
            candidate = datetime.combine(day, DAY_START)
            if day == first and after > candidate:
                candidate = _round_up(after)
            close = datetime.combine(day, DAY_END)
            moved = True
            while moved and candidate + duration <= close:
                moved = False
                for s, e in sorted(booked.get(day, [])):
                    if s < candidate + duration and candidate < e:
                        candidate = _round_up(e)
                        moved = True
            if candidate + duration <= close:
                return candidate, candidate + duration
        if out_of_post is not None and day > out_of_post:
            break
        day += timedelta(days=1)
    raise Conflict(f"officer {officer} has no free {duration_minutes}-minute slot in school hours within a year")


# ---------------------------------------------------------------- rebooking


def _rebook_ref(db: Database, ref: str) -> str:
    base = ref
    n = 1
    while True:
        candidate = f"{base}-R{n}"
        if db.execute("SELECT 1 FROM engagements WHERE ref = ?", [candidate]).fetchone() is None:
            return candidate
        n += 1


def rebook(store: Store, actor: Actor, cancelled_ref: str, *, after: datetime | None = None) -> Engagement:
    """A new planned engagement from cancelled engagement ``cancelled_ref``.

    Same officer, school, kind, title and young person (not the private notes), at
    :func:`next_free_slot` from the day after the cancelled one (or from ``after``, or
    from now if that is later), same duration; ``rebooked_from`` links it to the
    cancelled one. An engagement is rebooked at most once. The new ref is
    ``<cancelled ref>-R<n>``. Audited (operation ``create``, detail ``rebooked_from``).
    """
    old = get_engagement(store.db, cancelled_ref)
    permissions.require(store.db, actor, permissions.WRITE, old.officer, what=f"engagement {cancelled_ref}")
    with store.write() as db:
        old = get_engagement(db, cancelled_ref)
        if old.status != EngagementStatus.CANCELLED:
            raise Conflict(
                f"engagement {cancelled_ref} is {old.status.value}; only a cancelled engagement can be rebooked")
        done = db.execute(
            "SELECT ref FROM engagements WHERE rebooked_from = ? ORDER BY ref LIMIT 1", [cancelled_ref]
        ).fetchone()
        if done:
            raise Conflict(f"engagement {cancelled_ref} was already rebooked as {done[0]}")
        if after is None:
            after = max(datetime.combine(old.starts_at.date() + timedelta(days=1), time()), audit.now_local())
        minutes = int((old.ends_at - old.starts_at).total_seconds() // 60)
        start, end = next_free_slot(db, old.officer, old.school, after, minutes)
        new = Engagement(
            ref=_rebook_ref(db, cancelled_ref),
            officer=old.officer,
            school=old.school,
            young_person=old.young_person,
            kind=old.kind,
            title=old.title,
            starts_at=start,
            ends_at=end,
            status=EngagementStatus.PLANNED,
        )
        problems = records.check_against_database(db, new)
        if problems:
            raise ValidationFailed(problems)
        row: dict[str, Any] = to_row(new)
        row["rebooked_from"] = cancelled_ref
        row["updated_at"] = audit.now_local().isoformat(timespec="seconds")
        cols = list(row)
        db.execute(
            f"INSERT INTO engagements ({', '.join(f'[{c}]' for c in cols)}) "
            f"VALUES ({', '.join(':' + c for c in cols)})",
            row,
        )
        audit.record(
            db, actor.collar, audit.CREATE, "engagements", new.ref,
            {"fields": sorted(Engagement.model_fields), "rebooked_from": cancelled_ref, "source": "rebook"},
        )
        history.record_change(db, actor.collar, "engagements", new.ref, None, new.to_bundle(), source="rebook",
                              young_person=new.young_person)
        return new


def rebooked_from(db: Database, ref: str) -> str | None:
    """The engagement that ``ref`` was rebooked from, if any."""
    row = db.execute("SELECT rebooked_from FROM engagements WHERE ref = ?", [ref]).fetchone()
    return row[0] if row else None


__all__ = [
    "DAY_END",
    "DAY_START",
    "get_engagement",
    "next_free_slot",
    "rebook",
    "rebooked_from",
    "set_status",
]
