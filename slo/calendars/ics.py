"""Building the head teachers' calendar files (RFC 5545) with icalendar.

Every component and property of a file is an :mod:`icalendar` object
(``Calendar``, ``Event``, ``Timezone``/``TimezoneStandard``/``TimezoneDaylight``,
``vText``, ``vDatetime``, ``vInt``, ``vDuration``, ``vUTCOffset``) and the
bytes are icalendar's ``Calendar.to_ical()``: icalendar escapes TEXT values
(``\\``, ``;``, ``,``, CR and LF, correctly from 7.3.0) and folds lines at 75
octets without splitting a character. The file is a ``VCALENDAR`` with
``METHOD:PUBLISH``, one ``VTIMEZONE`` (Europe/London, only the years the file
needs) and one ``VEVENT`` per engagement, every time with
``TZID=Europe/London``. The tests parse every file with icalendar, vobject and
recurring-ical-events, and import it into khal and calcurse.

What icalendar does not do for us, done here:

- :func:`sanitise` every text first: icalendar writes NUL, ESC and the other
  control characters raw, and a literal backslash sequence confuses some
  readers; a stored text can never add a line, a property or a component.
- the ``VTIMEZONE`` is built from the zone database's transitions
  (:func:`transitions`), one ``STANDARD``/``DAYLIGHT`` per clock change, no
  ``RRULE``/``RDATE``. icalendar's generated one (``Timezone.from_tzid``,
  ``Calendar.add_missing_timezones``, 7.3.2) puts the spring change at 02:00
  local with ``TZOFFSETFROM:+0000``, i.e. 02:00 GMT, an hour after the real
  change at 01:00 GMT (RFC 5545 reads the onset in the offset before the
  change), and lists later years as ``RDATE``.
- no ``Calendar.new``/``Event.new``: the first always gives the calendar a
  ``UID`` (random unless given), the second a random ``UID`` and a ``DTSTAMP``
  of now unless given. Ours are stable (``<ref>@slo-desk``, ``DTSTAMP`` from
  the engagement's ``updated_at``), so the same data always gives the same
  bytes (the incremental export compares them).
- ``REFRESH-INTERVAL`` carries ``VALUE=DURATION``, which RFC 7986 requires and
  icalendar's ``refresh_interval`` setter leaves out.

Speed: each event is built once, with typed values set directly (no type
guessing), and the ``VTIMEZONE`` component is built once per year range and
shared by every file of that range. ``benchmarks/bench_calendars.py`` measures
the export against icalendar's own straightforward build-and-serialise.

``icalendar`` is imported on first use, so a run with nothing to rebuild (and
every other command) does not pay for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import icalendar

PRODID = "-//SLO Desk//slo-desk 0.1//EN"
TZID = "Europe/London"
LONDON = ZoneInfo(TZID)
UID_DOMAIN = "slo-desk"
#: how often subscribed calendars are asked to refresh (REFRESH-INTERVAL, X-PUBLISHED-TTL)
REFRESH = timedelta(hours=12)
#: the title of an event whose title sanitises to nothing
DEFAULT_SUMMARY = "Police schools liaison"

# C0/C1 controls, DEL, line/paragraph separators, invisible format characters
# (soft hyphen, zero-width spaces and joiners, bidi marks, overrides and
# isolates, BOM), lone surrogates and the two non-characters: none may reach a
# file (an invisible character could also hide a name from the name guard).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\ufffe\uffff]"
)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def sanitise(value: str | None) -> str:
    """One line of safe text: control characters out, backslashes become ``/``, spaces collapsed.

    icalendar escapes ``;``, ``,``, CR and LF itself, but writes NUL, ESC and
    the other controls raw: they are removed here, before icalendar sees the
    text. Backslashes are neutralised because some clients (Debian's khal
    0.10.5, ics.py) mis-read an escaped backslash followed by a letter as a
    line break.
    """
    if not value:
        return ""
    value = value.replace("\\", "/")
    # whitespace controls become a space (so words stay apart), the rest go
    value = _UNSAFE.sub("", _SPACES.sub(" ", value))
    return _SPACES.sub(" ", value).strip()


_SAFE_REF = re.compile(r"[A-Za-z0-9._~-]+")


def uid_for(ref: str) -> str:
    """The event's UID: derived from the engagement ref alone, so it never changes.

    Letters, digits, ``-``, ``.``, ``_`` and ``~`` stay as they are; anything
    else is percent-encoded (UTF-8), so the UID is plain ASCII with nothing to
    escape and still unique per ref.
    """
    if _SAFE_REF.fullmatch(ref):
        return ref + "@" + UID_DOMAIN
    from urllib.parse import quote

    return f"{quote(ref, safe='')}@{UID_DOMAIN}"


@lru_cache(maxsize=65536)
def utc_stamp(value: datetime) -> datetime:
    """A naive Europe/London time as an aware UTC time (DTSTAMP is written in UTC, with ``Z``)."""
    return value.replace(tzinfo=LONDON).astimezone(UTC)


_LABEL_SEPARATORS = re.compile(r"\s*[,;][\s,;]*")


def calendar_label(value: str) -> str:
    """Text for ``NAME``/``X-WR-CALNAME``: sanitised, with ``,`` and ``;`` turned into `` - ``.

    Readers disagree about these two properties: icalendar keeps their value
    raw (an escaped ``\\,`` shows its backslash), vobject cuts an unescaped
    value at the first comma. A label without either character reads the same
    everywhere.
    """
    return _SPACES.sub(" ", _LABEL_SEPARATORS.sub(" - ", sanitise(value))).strip(" -") or DEFAULT_SUMMARY


# ---------------------------------------------------------------- time zone


def transitions(first_year: int, last_year: int) -> list[tuple[datetime, datetime, datetime]]:
    """Europe/London's offset changes that matter from 1 January ``first_year`` to the end of ``last_year``.

    Each is ``(before, after, local_onset)``: aware times just before and at the
    change, and the onset as local time in the offset before it (RFC 5545
    DTSTART). The last change before 1 January ``first_year`` comes first, so
    the definition covers the whole span.
    """
    utc = UTC
    found = []
    moment = datetime(first_year - 1, 1, 1, tzinfo=utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=utc)
    day = timedelta(days=1)
    prev = moment.astimezone(LONDON).utcoffset()
    while moment < end:
        nxt = moment + day
        offset = nxt.astimezone(LONDON).utcoffset()
        if offset != prev:
            lo, hi = int(moment.timestamp()), int(nxt.timestamp())  # the change is in (lo, hi]: to the second
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if datetime.fromtimestamp(mid, LONDON).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            before = datetime.fromtimestamp(lo, LONDON)
            after = datetime.fromtimestamp(hi, LONDON)
            onset = (datetime.fromtimestamp(hi, utc) + _offset(before)).replace(tzinfo=None)
            found.append((before, after, onset))
            prev = offset
        moment = nxt
    start = datetime(first_year, 1, 1, tzinfo=utc)
    earlier = [t for t in found if t[1] < start]
    return earlier[-1:] + [t for t in found if t[1] >= start]


def _offset(moment: datetime) -> timedelta:
    """The UTC offset of an aware ``moment`` (always known for a time in Europe/London)."""
    offset = moment.utcoffset()
    assert offset is not None, moment
    return offset


@lru_cache(maxsize=64)
def vtimezone(first_year: int, last_year: int) -> icalendar.Timezone:
    """The ``VTIMEZONE`` for Europe/London covering ``first_year``..``last_year``.

    One ``STANDARD``/``DAYLIGHT`` observance per clock change (no RRULE or
    RDATE, which some clients handle badly), limited to the years the file
    needs, computed from the system's zone database. Built once per year range
    and shared by every calendar of that range: treat it as read-only.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vDatetime, vText, vUTCOffset

    tz = Timezone()
    tz["TZID"] = vText(TZID)
    for before, after, onset in transitions(first_year, last_year):
        observance = TimezoneDaylight() if after.dst() else TimezoneStandard()
        observance["DTSTART"] = vDatetime(onset)  # naive: local time in TZOFFSETFROM
        observance["TZNAME"] = vText(after.tzname() or "")
        observance["TZOFFSETFROM"] = vUTCOffset(_offset(before))
        observance["TZOFFSETTO"] = vUTCOffset(_offset(after))
        tz.add_component(observance)
    return tz


# ---------------------------------------------------------------- events and calendars


@dataclass(frozen=True)
class CalEvent:
    """One event as it will appear in a school's calendar (text not yet sanitised)."""

    ref: str
    starts_at: datetime
    ends_at: datetime
    sequence: int
    summary: str
    location: str
    description: tuple[str, ...]  # lines; each is sanitised on its own, then joined with newlines
    cancelled: bool
    stamp: datetime  # DTSTAMP, naive Europe/London


def build_event(ev: CalEvent) -> icalendar.Event:
    """The ``VEVENT`` of one engagement: every text sanitised, both times with ``TZID=Europe/London``."""
    from icalendar import Event, vDatetime, vInt, vText

    event = Event()
    event["UID"] = vText(uid_for(ev.ref))
    event["DTSTAMP"] = vDatetime(utc_stamp(ev.stamp))
    event["DTSTART"] = vDatetime(ev.starts_at.replace(tzinfo=LONDON))
    event["DTEND"] = vDatetime(ev.ends_at.replace(tzinfo=LONDON))
    event["SEQUENCE"] = vInt(int(ev.sequence))
    event["SUMMARY"] = vText(sanitise(ev.summary) or DEFAULT_SUMMARY)
    event["LOCATION"] = vText(sanitise(ev.location))
    event["DESCRIPTION"] = vText("\n".join(sanitise(line) for line in ev.description))
    event["STATUS"] = vText("CANCELLED" if ev.cancelled else "CONFIRMED")
    return event


def build_calendar(name: str, events: list[CalEvent]) -> icalendar.Calendar:
    """A school's whole calendar as an icalendar ``Calendar`` (events in the order given)."""
    from icalendar import Calendar, vDuration, vText

    label = calendar_label(name)
    cal = Calendar()
    cal["VERSION"] = vText("2.0")
    cal["PRODID"] = vText(PRODID)
    cal["CALSCALE"] = vText("GREGORIAN")
    cal["METHOD"] = vText("PUBLISH")
    cal.calendar_name = label  # NAME and X-WR-CALNAME, once each
    cal["X-WR-TIMEZONE"] = vText(TZID)
    cal["REFRESH-INTERVAL"] = vDuration(REFRESH, params={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vDuration(REFRESH)
    if events:
        first = min(min(e.starts_at.year, e.ends_at.year) for e in events)
        last = max(max(e.starts_at.year, e.ends_at.year) for e in events)
        cal.add_component(vtimezone(first, last))
        for ev in events:
            cal.add_component(build_event(ev))
    return cal


def render_calendar(name: str, events: list[CalEvent]) -> bytes:
    """A whole ``.ics`` file (UTF-8, CRLF, no byte-order mark), serialised by icalendar."""
    return build_calendar(name, events).to_ical()
