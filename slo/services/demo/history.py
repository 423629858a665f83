"""The demo's recent history, made through the real services: withdrawn challenges and a handover.

The bulk generator (:mod:`.generator`) writes rows straight to the schema, including challenges
and the upheld results of old ones (the same row :func:`slo.services.abstractions.resolve_challenge`
writes: an upheld challenge changes nothing but its review fields). What changes other records is
made here by the services themselves, so every row they touch (engagements, assignments, the
record history, the handover, the audit log) is the one the desk would have written:

* **Two withdrawn challenges**, one in each of the first two teams (``NHT-North``, ``NHT-South``):
  the team's first SLO records a full-day abstraction (public order, two days where the officer
  is free, a fortnight ahead: their planned sessions those days are cancelled); the team's
  sergeant challenges it three working days before ``today``; it is withdrawn on ``today``.
  PC1000 returns on its second day (cut back to the first), the other officer on its first (the
  abstraction is removed, its history kept). The sessions of the days given back are planned
  again, their calendar entries un-cancelled.
* **One handover**: the admin ``A1`` hands PC1000 a school of their team-mate ``PC1001`` from the
  first school day a week or more after ``today`` (a Monday where there is one). PC1001's planned
  engagements there from that day move to PC1000, those that would clash for PC1000 are cancelled
  (as the desk's handover form does), and PC1000's due list shows the unread handover note.

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

#: the withdrawn abstractions are booked for days at least this far after today
AHEAD_DAYS = 14
#: what a sergeant writes when challenging an abstraction booked ahead
CHALLENGE_NOTE = "Booked over planned 1:1 sessions & a lesson; please find cover from the relief first."
#: and when it is withdrawn
WITHDRAWN_NOTE = "Control room found cover from the relief: officer back on schools work."


@dataclass
class History:
    """What :func:`play` did, for the progress line and the tests."""

    withdrawn: list[str] = field(default_factory=list)  # abstraction refs
    reinstated: int = 0  # sessions planned again
    handover: int | None = None  # the handovers row's id
    handed: str | None = None  # URN of the school handed over
    moved: int = 0
    cancelled: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.withdrawn)} challenge(s) withdrawn ({self.reinstated} session(s) planned again)"]
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
    """The first school day from the Monday on or after ``day`` (a holiday week: the next term's)."""
    day += timedelta(days=(7 - day.weekday()) % 7)
    while not is_school_day(day):
        day += timedelta(days=1)
    return day


def _free_days(store: Store, officer: str, start: date) -> list[date]:
    """The first two consecutive days from ``start`` (within four weeks) that are school days
    ``officer`` works, is neither absent nor abstracted on, and has planned sessions; failing that,
    the first such day alone."""
    db = store.db
    row = db.execute("SELECT working_days FROM officers WHERE collar_number = ?", [officer]).fetchone()
    works = {WEEKDAY_INDEX[d] for d in json.loads(row[0] if row and row[0] else "[]")} or set(range(5))

    def free(day: date) -> bool:
        iso = day.isoformat()
        return (day.weekday() in works and is_school_day(day)
                and db.execute("SELECT 1 FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? "
                               "UNION ALL SELECT 1 FROM abstractions WHERE officer = ? AND date_from <= ? "
                               "AND date_to >= ?", [officer, iso, iso, officer, iso, iso]).fetchone() is None
                and db.execute("SELECT 1 FROM engagements WHERE officer = ? AND status = 'planned' "
                               "AND substr(starts_at, 1, 10) = ?", [officer, iso]).fetchone() is not None)

    days = [start + timedelta(days=n) for n in range(28)]
    usable = [day for day in days if free(day)]
    pairs = [[day, day + timedelta(days=1)] for day in usable if day + timedelta(days=1) in usable]
    return pairs[0] if pairs else usable[:1]


def _withdraw(store: Store, today: date, officer: str, sergeant: str, *, remove: bool, out: History) -> None:
    """``officer`` records a full-day abstraction booked a fortnight ahead (the sessions of its days
    cancelled); their sergeant challenges it; it is withdrawn today, from its second day (cut back to
    the first) or, with ``remove`` or a single day, from its first (removed, its history kept)."""
    days = _free_days(store, officer, today + timedelta(days=AHEAD_DAYS))
    if not days:
        return
    made = abstractions.record_abstraction(store, load_actor(store.db, officer), abstractions.make_abstraction({
        "officer": officer, "date_from": days[0], "date_to": days[-1], "portion": "full",
        "category": "public_order", "requested_by": "Events planning", "reason": "Football match [Cat C]",
    }))
    ref = made.abstraction.ref
    actor = load_actor(store.db, sergeant)
    challenged_at = datetime.combine(_working_day_before(today, 3), time(10, 15))
    abstractions.review_abstraction(store, actor, ref, accept=False, note=CHALLENGE_NOTE, now=challenged_at)
    back = days[0] if remove or len(days) == 1 else days[1]
    result = abstractions.resolve_challenge(store, actor, ref, withdrawn=True, note=WITHDRAWN_NOTE,
                                            returned_on=back, now=datetime.combine(today, time(8, 30)))
    out.withdrawn.append(ref)
    out.reinstated += len(result.reinstated)


def _hand_over(store: Store, today: date, out: History) -> None:
    """A1 hands PC1000 the school of PC1001's with most planned engagements from the handover day."""
    day = _first_school_day(today + timedelta(days=7))
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
                                now=datetime.combine(today, time(9, 0)))
    out.handover, out.handed = result.id, urn
    out.moved, out.cancelled = len(result.moved), len(result.cancelled)


def play(store: Store, team_slos: list[tuple[str, str]], today: date) -> History:
    """Make the history above. ``team_slos`` is (first SLO, sergeant) of each of the first two teams."""
    out = History()
    for n, (officer, sergeant) in enumerate(team_slos):
        _withdraw(store, today, officer, sergeant, remove=n == 1, out=out)
    _hand_over(store, today, out)
    return out


__all__ = ["History", "play"]
