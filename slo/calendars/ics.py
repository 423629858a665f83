"""Writing iCalendar (RFC 5545) text for the head teachers' calendars.

A small, strict serialiser for the one shape of file we publish: a
``VCALENDAR`` with ``METHOD:PUBLISH``, one ``VTIMEZONE`` (Europe/London, only
the years the file needs) and ``VEVENT``s whose times all carry
``TZID=Europe/London``. It is an order of magnitude faster than building
``icalendar`` objects and serialising them (see ``benchmarks/bench_calendars.py``),
and the tests parse every file it writes with icalendar, vobject and
recurring-ical-events, and import it into khal and calcurse.

Every text value passes :func:`sanitise` (control characters removed,
backslashes turned into ``/``) and then :func:`escape_text` (RFC 5545 TEXT
escaping of ``;``, ``,`` and newlines), so no stored text can add a property,
a parameter or a component. Long lines are folded at 75 octets without
splitting a UTF-8 character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

PRODID = "-//SLO Desk//slo-desk 0.1//EN"
TZID = "Europe/London"
LONDON = ZoneInfo(TZID)
UID_DOMAIN = "slo-desk"
CRLF = "\r\n"

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

    Backslashes are neutralised because some clients (Debian's khal 0.10.5,
    ics.py) mis-read an escaped backslash followed by a letter as a line break.
    """
    if not value:
        return ""
    value = value.replace("\\", "/")
    # whitespace controls become a space (so words stay apart), the rest go
    value = _UNSAFE.sub("", _SPACES.sub(" ", value))
    return _SPACES.sub(" ", value).strip()


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping (3.3.11): backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with a space), never inside a character."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts = []
    start, limit = 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: step back to the character's start
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def text_line(name: str, value: str) -> str:
    return fold(f"{name}:{escape_text(value)}")


def local_stamp(value: datetime) -> str:
    """A naive Europe/London time as an iCalendar local DATE-TIME."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}T{value.hour:02d}{value.minute:02d}{value.second:02d}"


@lru_cache(maxsize=65536)
def utc_stamp(value: datetime) -> str:
    """A naive Europe/London time as an iCalendar UTC DATE-TIME (for DTSTAMP)."""
    aware = value.replace(tzinfo=LONDON).astimezone(timezone.utc)
    return local_stamp(aware) + "Z"


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


def _offset(value: datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def transitions(first_year: int, last_year: int) -> list[tuple[datetime, datetime, datetime]]:
    """Europe/London's offset changes that matter from 1 January ``first_year`` to the end of ``last_year``.

    Each is ``(before, after, local_onset)``: aware times just before and at the
    change, and the onset as local time in the offset before it (RFC 5545
    DTSTART). The last change before 1 January ``first_year`` comes first, so
    the definition covers the whole span.
    """
    from datetime import timedelta

    utc = timezone.utc
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
            hi = datetime.fromtimestamp(hi, utc)
            onset = (hi + before.utcoffset()).replace(tzinfo=None)
            found.append((before, after, onset))
            prev = offset
        moment = nxt
    start = datetime(first_year, 1, 1, tzinfo=utc)
    earlier = [t for t in found if t[1] < start]
    return earlier[-1:] + [t for t in found if t[1] >= start]


@lru_cache(maxsize=64)
def vtimezone(first_year: int, last_year: int) -> str:
    """The ``VTIMEZONE`` for Europe/London covering ``first_year``..``last_year`` (CRLF lines).

    One observance per clock change (no RRULE or RDATE, which some clients
    handle badly), limited to the years the file needs, computed from the
    system's zone database.
    """
    lines = ["BEGIN:VTIMEZONE", "TZID:" + TZID]
    for before, after, onset in transitions(first_year, last_year):
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        lines += [
            "BEGIN:" + kind,
            "DTSTART:" + local_stamp(onset),
            "TZNAME:" + (after.tzname() or ""),
            "TZOFFSETFROM:" + _offset(before),
            "TZOFFSETTO:" + _offset(after),
            "END:" + kind,
        ]
    lines.append("END:VTIMEZONE")
    return CRLF.join(lines) + CRLF


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


def render_event(ev: CalEvent) -> str:
    description = "\n".join(sanitise(line) for line in ev.description)
    return (
        "BEGIN:VEVENT" + CRLF
        + "UID:" + uid_for(ev.ref) + CRLF
        + "DTSTAMP:" + utc_stamp(ev.stamp) + CRLF
        + "DTSTART;TZID=" + TZID + ":" + local_stamp(ev.starts_at) + CRLF
        + "DTEND;TZID=" + TZID + ":" + local_stamp(ev.ends_at) + CRLF
        + "SEQUENCE:" + str(int(ev.sequence)) + CRLF
        + text_line("SUMMARY", sanitise(ev.summary) or "Police schools liaison") + CRLF
        + text_line("LOCATION", sanitise(ev.location)) + CRLF
        + text_line("DESCRIPTION", description) + CRLF
        + ("STATUS:CANCELLED" if ev.cancelled else "STATUS:CONFIRMED") + CRLF
        + "END:VEVENT" + CRLF
    )


_LABEL_SEPARATORS = re.compile(r"\s*[,;][\s,;]*")


def calendar_label(value: str) -> str:
    """Text for ``NAME``/``X-WR-CALNAME``: sanitised, with ``,`` and ``;`` turned into `` - ``.

    Readers disagree about these two properties: icalendar keeps their value
    raw (an escaped ``\\,`` shows its backslash), vobject cuts an unescaped
    value at the first comma. A label without either character reads the same
    everywhere.
    """
    return _SPACES.sub(" ", _LABEL_SEPARATORS.sub(" - ", sanitise(value))).strip(" -") or "Police schools liaison"


def render_calendar(name: str, events: list[CalEvent]) -> bytes:
    """A whole ``.ics`` file (UTF-8, CRLF, no byte-order mark)."""
    name = calendar_label(name)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + PRODID,
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        text_line("NAME", name),
        text_line("X-WR-CALNAME", name),
        "X-WR-TIMEZONE:" + TZID,
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
    ]
    out = [CRLF.join(head) + CRLF]
    if events:
        first = min(min(e.starts_at.year, e.ends_at.year) for e in events)
        last = max(max(e.starts_at.year, e.ends_at.year) for e in events)
        out.append(vtimezone(first, last))
        out.extend(render_event(e) for e in events)
    out.append("END:VCALENDAR" + CRLF)
    return "".join(out).encode("utf-8")
