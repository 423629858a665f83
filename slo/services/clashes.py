"""Clash checks for booking or moving an engagement: warnings, never refusals.

:func:`booking_clashes` says what an engagement (new, or a correction of one) clashes with:

=================  ============  ====================================================================
kind               next to       when
=================  ============  ====================================================================
``own_overlap``    time          the officer has another engagement (not cancelled) at the same time
``school_overlap`` time          another officer has an engagement (not cancelled) at the same school
                                 at the same time
``weekend``        date          a day of it is a Saturday or Sunday
``bank_holiday``   date          a day of it is a bank holiday (England or Wales, by the school's
                                 local authority)
``school_holiday`` date          the school's term dates are known and the day is outside every term
``not_working``    date          a day of it is not one of the officer's working days
``outside_hours``  time          it starts before or ends after school hours (09:00-15:30, the hours
                                 a rebooking keeps to: :data:`slo.services.engagements.DAY_START`)
``abstraction``    date          a day of it is covered by one of the officer's abstractions
``absence``        date          a day of it is covered by one of the officer's absences
``no_visits``      school        the school's policy is NO VISITS
``uniform``        dress         the officer is to go in uniform to a school that accepts officers in
                                 plain clothes only
=================  ============  ====================================================================

Each :class:`Clash` names what it clashes with in plain words ("Overlaps your assembly at
Ashmead School, Thu 08 Jan 2026 10:00-11:00"). The desk shows each next to its field; saving
anyway takes one more deliberate key (docs/forms.md). A cancelled engagement clashes with
nothing. The messages are for the officer's own desk: a 1:1 session of theirs names the young
person; nothing here is written to the audit log or leaves the app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from slo.models.entities import Engagement
from slo.models.enums import WEEKDAY_INDEX, EngagementStatus, label
from slo.models.types import format_local_datetime
from slo.store.db import Store

from . import permissions
from .actors import Actor
from .schooldays import SchoolCalendar, bank_holidays

if TYPE_CHECKING:
    from sqlite_utils import Database

#: school hours (the same as a rebooking's: slo.services.engagements.DAY_START / DAY_END)
SCHOOL_OPENS = time(9, 0)
SCHOOL_CLOSES = time(15, 30)
#: at most this many overlapping engagements are named one by one
MAX_NAMED = 3


@dataclass(frozen=True)
class Clash:
    kind: str
    #: the form field the warning belongs next to: ``date``, ``time``, ``school`` or ``dress``
    field: str
    message: str


def _day(d: date) -> str:
    return d.strftime("%a %d %b %Y")


def _span(start: datetime, end: datetime) -> str:
    if start.date() == end.date():
        return f"{_day(start.date())} {start:%H:%M}-{end:%H:%M}"
    return f"{_day(start.date())} {start:%H:%M} to {_day(end.date())} {end:%H:%M}"


def _days(e: Engagement) -> list[date]:
    last = (e.ends_at - timedelta(microseconds=1)).date() if e.ends_at > e.starts_at else e.starts_at.date()
    out: list[date] = []
    d = e.starts_at.date()
    while d <= last and len(out) < 32:
        out.append(d)
        d += timedelta(days=1)
    return out


def _whose(officer: str, you: str | None) -> str:
    return "your" if officer == you else f"{officer}'s"


def _overlaps(db: Database, e: Engagement, you: str | None) -> list[Clash]:
    rows = db.execute(
        "SELECT e.ref, e.officer, e.school, COALESCE(s.name, e.school), e.kind, e.title, e.starts_at, e.ends_at, "
        "y.given_name || ' ' || y.family_name FROM engagements e LEFT JOIN schools s ON s.urn = e.school "
        "LEFT JOIN young_people y ON y.ref = e.young_person "
        "WHERE e.status != 'cancelled' AND e.ref != ? AND e.starts_at < ? AND e.ends_at > ? "
        "AND (e.officer = ? OR e.school = ?) ORDER BY e.starts_at, e.ref LIMIT 50",
        [e.ref, format_local_datetime(e.ends_at), format_local_datetime(e.starts_at),
         e.officer, e.school],
    ).fetchall()
    own, school = [], []
    for ref, officer, urn, school_name, kind, title, starts, ends, name in rows:
        span = _span(datetime.fromisoformat(starts), datetime.fromisoformat(ends))
        what = label(kind).lower() if kind != "one_to_one" else "1:1 session"
        if officer == e.officer:
            # the officer's own desk may name the young person of their own 1:1 session
            who = f" with {name}" if name and officer == you else ""
            where = "here" if urn == e.school else f"at {school_name}"
            own.append(f"{_whose(officer, you)} {what}{who} {where}, {span} ({ref})")
        else:
            school.append(f"{officer}'s {what} ('{title}') at this school, {span} ({ref})")
    out = []
    if own:
        more = f" and {len(own) - MAX_NAMED} more" if len(own) > MAX_NAMED else ""
        out.append(Clash("own_overlap", "time", "Overlaps " + "; ".join(own[:MAX_NAMED]) + more))
    if school:
        more = f" and {len(school) - MAX_NAMED} more" if len(school) > MAX_NAMED else ""
        out.append(Clash("school_overlap", "time", "The school already has " + "; ".join(school[:MAX_NAMED]) + more))
    return out


def _calendar(db: Database, e: Engagement, days: list[date]) -> list[Clash]:
    out: list[Clash] = []
    cal = SchoolCalendar.for_school(db, e.school)
    row = db.execute("SELECT working_days FROM officers WHERE collar_number = ?", [e.officer]).fetchone()
    working = {WEEKDAY_INDEX[d] for d in json.loads(row[0])} if row and row[0] else set(range(5))
    weekend = [d for d in days if d.weekday() >= 5]
    if weekend:
        out.append(Clash("weekend", "date", f"{', '.join(_day(d) for d in weekend)}: a weekend, schools are closed"))
    import holidays

    named, outside = [], []
    for d in days:
        if d in bank_holidays(d.year, cal.nation):
            named.append(f"{_day(d)} ({holidays.UK(subdiv=cal.nation, years=d.year).get(d) or 'bank holiday'})")
        elif d.weekday() < 5 and cal.known(d) and not cal.is_school_day(d):
            outside.append(_day(d))
    if named:
        out.append(Clash("bank_holiday", "date", f"A bank holiday: {', '.join(named)}"))
    if outside:
        out.append(Clash("school_holiday", "date",
                         f"Outside the school's terms ({cal.local_authority} term dates): {', '.join(outside)}"))
    off = [d for d in days if d.weekday() not in working and d.weekday() < 5]
    if off:
        out.append(Clash("not_working", "date",
                         f"{', '.join(_day(d) for d in off)}: not one of {e.officer}'s working days"))
    return out


def _hours(e: Engagement) -> list[Clash]:
    opens, closes = SCHOOL_OPENS.strftime("%H:%M"), SCHOOL_CLOSES.strftime("%H:%M")
    problems = []
    if e.starts_at.time() < SCHOOL_OPENS or e.starts_at.time() >= SCHOOL_CLOSES:
        problems.append(f"starts at {e.starts_at:%H:%M}")
    if e.ends_at.date() > e.starts_at.date():
        problems.append(f"ends the next day or later ({_day(e.ends_at.date())} {e.ends_at:%H:%M})")
    elif e.ends_at.time() > SCHOOL_CLOSES:
        problems.append(f"ends at {e.ends_at:%H:%M}")
    if not problems:
        return []
    return [Clash("outside_hours", "time", f"Outside school hours ({opens}-{closes}): it {' and '.join(problems)}")]


def _time_away(db: Database, e: Engagement, days: list[date], you: str | None) -> list[Clash]:
    first, last = days[0].isoformat(), days[-1].isoformat()
    out = []
    for ref, date_from, date_to, portion, category in db.execute(
        "SELECT ref, date_from, date_to, portion, category FROM abstractions WHERE officer = ? "
        "AND date_from <= ? AND date_to >= ? ORDER BY date_from",
        [e.officer, last, first],
    ).fetchall():
        span = date_from if date_from == date_to else f"{date_from} to {date_to}"
        part = "half day" if portion == "half" else "full day"
        out.append(Clash("abstraction", "date",
                         f"In {_whose(e.officer, you)} abstraction {ref}: {label(category).lower()}, {part}, {span}"))
    for date_from, date_to, kind in db.execute(
        "SELECT date_from, date_to, kind FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? "
        "ORDER BY date_from",
        [e.officer, last, first],
    ).fetchall():
        span = date_from if date_from == date_to else f"{date_from} to {date_to}"
        who = "You are" if e.officer == you else f"{e.officer} is"
        out.append(Clash("absence", "date", f"{who} away then: {label(kind).lower()}, {span}"))
    return out


def _policy(db: Database, e: Engagement, in_uniform: bool | None) -> list[Clash]:
    row = db.execute("SELECT name, uniform_policy FROM schools WHERE urn = ?", [e.school]).fetchone()
    if row is None:
        return []
    name, policy = row
    if policy == "no_visits":
        return [Clash("no_visits", "school", f"{name}'s policy is NO VISITS: agree this with the head teacher first")]
    if policy == "plain_clothes_only" and in_uniform:
        return [Clash("uniform", "dress", f"{name} accepts officers in plain clothes only: you are down to go in "
                                         "uniform")]
    return []


def booking_clashes(db: Database, engagement: Engagement, *, in_uniform: bool | None = None,
                    you: str | None = None) -> list[Clash]:
    """What ``engagement`` clashes with (see the module docstring); ``you``: the acting officer's
    collar (their own engagements are "your ..."); ``in_uniform``: how the officer is to go (None:
    not said)."""
    if engagement.status == EngagementStatus.CANCELLED:
        return []
    days = _days(engagement)
    return (
        _overlaps(db, engagement, you)
        + _hours(engagement)
        + _calendar(db, engagement, days)
        + _time_away(db, engagement, days, you)
        + _policy(db, engagement, in_uniform)
    )


def check_booking(store: Store, actor: Actor, engagement: Engagement, *, in_uniform: bool | None = None
                  ) -> list[Clash]:
    """:func:`booking_clashes` for a person booking or moving ``engagement`` (the desk's form runs
    it in a worker as the officer types; nothing is written). Only someone who may write the
    officer's engagements is told (the messages name their engagements): anyone else gets an
    empty list here, and the save that follows is refused as usual."""
    db = store.db
    if not permissions.allowed(db, actor, permissions.WRITE, engagement.officer):
        return []
    return booking_clashes(db, engagement, in_uniform=in_uniform, you=actor.collar)


__all__ = ["Clash", "booking_clashes", "check_booking"]
