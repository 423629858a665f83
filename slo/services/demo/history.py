"""The demo's recent history, made through the real services: withdrawn challenges and a handover.

The bulk generator (:mod:`.generator`) writes rows straight to the schema, including challenges
and the upheld results of old ones (the same row :func:`slo.services.abstractions.resolve_challenge`
writes: an upheld challenge changes nothing but its review fields). What changes other records is
made here by the services themselves, so every row they touch (engagements, assignments, the
record history, the handover, the audit log) is the one the desk would have written:

* **Two withdrawn challenges**, one in each of the first two teams (``NHT-North``, ``NHT-South``):
  an SLO of the team (PC1002 in NHT-North at the small scale: the last of the team; NHT-South's
  first) records a full-day public-order abstraction from today (or their next school day) to their
  next school day after it, cancelling their planned sessions on those days; the sergeant
  challenges it the working day before; early today it is withdrawn. NHT-North's officer returns on
  its last day (it is cut back to the days before: *Withdrawn*, and that day's sessions are back in
  the diary, their calendar entries un-cancelled); NHT-South's on its first (it is removed, its
  history kept, every session back).
* **A challenge awaiting its result, and one upheld**, in each of those teams: the latest
  abstraction (pending, or accepted and challenged after all) that ended six weeks to eight working
  days before ``today`` is challenged the working day after it ended, so its result is overdue
  today (on the sergeant's due list); the latest that ended three to thirteen weeks before is
  challenged the same way and upheld four working days later.
* **One handover**: early on ``today`` (or on the next school day, when ``today`` is not one) the
  admin ``A1`` hands PC1000 a school of their team-mate ``PC1001``. PC1001's planned engagements
  there from that day move to PC1000, those that would clash for PC1000 are cancelled (as the
  desk's handover form does), and PC1000's due list shows the unread handover note on opening.

Everything is dated from ``today`` (every ``now`` is given), so the same seed and day give the
same records. Runs after the demo's own audit rows, so the audit log reads in order: the demo
was created, then the sergeants and the admin did these things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from slo.models.enums import WEEKDAY_INDEX
from slo.services import abstractions, handover
from slo.services.actors import load_actor
from slo.store.db import Store

from .calendar import is_school_day

#: the challenge awaiting its result is of an abstraction that ended within this many days of today
AWAITING_WITHIN_DAYS = 42
#: what a sergeant writes when challenging an abstraction booked ahead
CHALLENGE_NOTE = "Booked over planned 1:1 sessions & a lesson; please find cover from the relief first."
#: a challenge still awaiting its result
AWAITING_NOTE = "Never reviewed at the time: two 1:1 sessions lost; asked who authorised it."
#: a challenge of an abstraction that has passed, and its upheld result
CHALLENGE_NOTES_PAST = "Third abstraction this month - raise at the tasking meeting & with the inspector."
UPHELD_NOTE = "Inspector confirmed: minimum staffing on response had to be met that day."
#: and when it is withdrawn
WITHDRAWN_NOTE = "Control room found cover from the relief: officer back on schools work."


@dataclass
class History:
    """What :func:`play` did, for the progress line and the tests."""

    withdrawn: list[str] = field(default_factory=list)  # abstraction refs
    awaiting: list[str] = field(default_factory=list)  # challenged, the result overdue
    upheld: list[str] = field(default_factory=list)
    reinstated: int = 0  # sessions planned again
    handover: int | None = None  # the handovers row's id
    handed: str | None = None  # URN of the school handed over
    moved: int = 0
    cancelled: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.withdrawn)} challenge(s) withdrawn ({self.reinstated} session(s) planned again), "
                 f"{len(self.upheld)} upheld, {len(self.awaiting)} awaiting a result"]
        if self.handed:
            parts.append(f"school {self.handed} handed from PC1001 to PC1000 ({self.moved} moved, "
                         f"{self.cancelled} cancelled)")
        return "history: " + ", ".join(parts)


def _working_day_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _first_school_day(day: date) -> date:
    """``day`` if it is a school day, else the next one."""
    while not is_school_day(day):
        day += timedelta(days=1)
    return day


def _span(store: Store, officer: str, start: date) -> list[date]:
    """The first day from ``start`` (within a fortnight) that is a school day ``officer`` works, is
    not absent or abstracted on, and has planned sessions, and the next such day (within a week, the
    days between also free of absences and abstractions); failing a second, the first alone."""
    db = store.db
    row = db.execute("SELECT working_days FROM officers WHERE collar_number = ?", [officer]).fetchone()
    works = {WEEKDAY_INDEX[d] for d in json.loads(row[0] if row and row[0] else "[]")} or set(range(5))

    def taken(day: date) -> bool:
        iso = day.isoformat()
        return db.execute("SELECT 1 FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? "
                          "UNION ALL SELECT 1 FROM abstractions WHERE officer = ? AND date_from <= ? "
                          "AND date_to >= ?", [officer, iso, iso, officer, iso, iso]).fetchone() is not None

    def usable(day: date) -> bool:
        return (day.weekday() in works and is_school_day(day) and not taken(day)
                and db.execute("SELECT 1 FROM engagements WHERE officer = ? AND status = 'planned' "
                               "AND substr(starts_at, 1, 10) = ?", [officer, day.isoformat()]).fetchone() is not None)

    first = next((start + timedelta(days=n) for n in range(14) if usable(start + timedelta(days=n))), None)
    if first is None:
        return []
    for n in range(1, 8):
        day = first + timedelta(days=n)
        if taken(day):
            break
        if usable(day):
            return [first, day]
    return [first]


def _withdraw(store: Store, today: date, officer: str, sergeant: str, *, remove: bool, out: History) -> None:
    """``officer`` records a full-day abstraction from today (or their next school day) to their next
    school day after it (their planned sessions on those days cancelled); their sergeant challenges it
    the working day before; early today it is withdrawn: with ``remove`` (or a single day) from its
    first day (removed, its history kept, every session back), else from its last (cut back to the
    days before it: the officer is back on schools work from then, those days' sessions back)."""
    days = _span(store, officer, today)
    if not days:
        return
    # the officer's next ref in the demo's own pattern (ABS-PC1002-024), never the desk's ABS-<day>-<n>: a
    # removed abstraction's ref stays in its history, and the desk numbers its own from what is left
    prefix = f"ABS-{officer}-"
    tails = [ref[len(prefix):] for (ref,) in store.db.execute(
        "SELECT ref FROM abstractions WHERE substr(ref, 1, ?) = ?", [len(prefix), prefix])]
    taken = [int(tail) for tail in tails if tail.isdigit()]
    made = abstractions.record_abstraction(store, load_actor(store.db, officer), abstractions.make_abstraction({
        "ref": f"{prefix}{max(taken, default=0) + 1:03d}",
        "officer": officer, "date_from": days[0], "date_to": days[-1], "portion": "full",
        "category": "public_order", "requested_by": "Events planning", "reason": "Football match [Cat C]",
    }))
    ref = made.abstraction.ref
    actor = load_actor(store.db, sergeant)
    challenged_at = datetime.combine(_working_day_before(today, 1), time(16, 30))
    abstractions.review_abstraction(store, actor, ref, accept=False, note=CHALLENGE_NOTE, now=challenged_at)
    back = days[0] if remove or len(days) == 1 else days[-1]
    result = abstractions.resolve_challenge(store, actor, ref, withdrawn=True, note=WITHDRAWN_NOTE,
                                            returned_on=back, now=datetime.combine(today, time(7, 30)))
    out.withdrawn.append(ref)
    out.reinstated += len(result.reinstated)


def _working_day_after(day: date, n: int = 1) -> date:
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _latest_unchallenged(store: Store, sergeant: str, first: date, last: date, besides: str = "") -> str | None:
    """The latest abstraction of ``sergeant``'s team ending from ``first`` to ``last`` that is pending
    or accepted (accepted ones may be challenged after all)."""
    row = store.db.execute(
        "SELECT a.ref FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "JOIN teams t ON t.ref = o.team WHERE t.sergeant = ? AND a.review_status IN ('pending', 'accepted') "
        "AND a.date_to BETWEEN ? AND ? AND a.ref <> ? ORDER BY a.review_status DESC, a.date_to DESC, a.ref LIMIT 1",
        [sergeant, first.isoformat(), last.isoformat(), besides],
    ).fetchone()
    return row[0] if row else None


def _challenge(store: Store, sergeant: str, ref: str, note: str, hour: time) -> date:
    """``sergeant`` challenges ``ref`` on the working day after it ended; returns that day."""
    ended = abstractions.get_abstraction(store.db, ref).date_to
    made = _working_day_after(ended)
    abstractions.review_abstraction(store, load_actor(store.db, sergeant), ref, accept=False, note=note,
                                    now=datetime.combine(made, hour))
    return made


def _challenges(store: Store, today: date, sergeant: str, out: History) -> None:
    """In ``sergeant``'s team: one challenge awaiting its result, overdue (the latest abstraction
    that ended six weeks to eight working days ago, challenged the working day after), and one
    upheld (the latest that ended three to thirteen weeks ago, upheld four working days after)."""
    awaiting = _latest_unchallenged(store, sergeant, today - timedelta(days=AWAITING_WITHIN_DAYS),
                                    _working_day_before(today, abstractions.CHALLENGE_DUE_WORKING_DAYS + 3))
    if awaiting:
        _challenge(store, sergeant, awaiting, AWAITING_NOTE, time(9, 40))
        out.awaiting.append(awaiting)
    upheld = _latest_unchallenged(store, sergeant, today - timedelta(days=91), today - timedelta(days=21),
                                  besides=awaiting or "")
    if upheld:
        made = _challenge(store, sergeant, upheld, CHALLENGE_NOTES_PAST, time(11, 5))
        abstractions.resolve_challenge(store, load_actor(store.db, sergeant), upheld, withdrawn=False,
                                       note=UPHELD_NOTE, now=datetime.combine(_working_day_after(made, 4),
                                                                              time(14, 20)))
        out.upheld.append(upheld)


def _hand_over(store: Store, today: date, out: History) -> None:
    """A1 hands PC1000 the school of PC1001's with most planned engagements from the handover day."""
    day = _first_school_day(today)
    row = store.db.execute(
        "SELECT a.school FROM assignments a WHERE a.officer = 'PC1001' AND a.start_date < ? AND a.end_date IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM assignments b WHERE b.school = a.school AND b.start_date > a.start_date) "
        "ORDER BY (SELECT count(*) FROM engagements e WHERE e.school = a.school AND e.officer = 'PC1001' "
        "AND e.status = 'planned' AND e.starts_at >= ?) DESC, a.school LIMIT 1",
        [day.isoformat(), day.isoformat()],
    ).fetchone()
    if row is None:
        return
    urn = row[0]
    admin = load_actor(store.db, "A1")
    plan = handover.plan_handover(store, admin, urn, "PC1000", day)
    result = handover.hand_over(store, admin, urn, "PC1000", day, cancel=[e.ref for e in plan.clashes],
                                now=datetime.combine(today, time(7, 45)))
    out.handover, out.handed = result.id, urn
    out.moved, out.cancelled = len(result.moved), len(result.cancelled)


def play(store: Store, team_slos: list[tuple[str, str]], today: date) -> History:
    """Make the history above. ``team_slos`` is (first SLO, sergeant) of each of the first two teams."""
    out = History()
    for n, (officer, sergeant) in enumerate(team_slos):
        _withdraw(store, today, officer, sergeant, remove=n == 1, out=out)
        _challenges(store, today, sergeant, out)
    _hand_over(store, today, out)
    return out


__all__ = ["History", "play"]
