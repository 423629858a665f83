"""School days and the exclusion deadline clock.

A *school day* of a local authority is a weekday, not a bank holiday of its
nation (England or Wales, from the ``holidays`` library), inside one of the
authority's terms (table ``term_dates``, imported from CSV or entered in the
desk). Where the authority has no term dates, or the day lies outside the span
its term dates cover, every weekday that is not a bank holiday counts, and any
deadline counted over such a day is marked **provisional**.

Deadlines of an exclusion (``outcome`` suspension or permanent exclusion; the
exclusion starts on ``consultations.exclusion_start`` when set, else on
``outcome_on``; the first day counts as school day 1 when it is a school day,
else day 1 is the next school day):

* ``provision_day6`` - the 6th school day: full-time education must be provided
  from then. Always for a permanent exclusion; for a suspension of more than 5
  days, or of unknown length (then the title says "if it lasts beyond day 5").
* ``governors_review`` - the 15th school day: governors must consider
  reinstatement. Always for a permanent exclusion; for a suspension that takes
  the pupil's suspension days in that term past 15.
* ``suspension_cap`` - due on the first day of a suspension that brings the
  pupil's total in the academic year (1 Sep - 31 Aug) to 40 days or more
  (:data:`CAP_WARNING_DAYS`, nearing the legal maximum of 45).

Term dates are trusted only where they are dense: a gap of more than
:data:`MAX_HOLIDAY_DAYS` between two terms of an authority is missing data,
not a holiday, so days inside it count as in a span without term dates
(weekdays minus bank holidays, provisional). A typo'd term years away can
therefore never make the days between look like one long holiday and give a
confident deadline years later. Term dates themselves must lie near today
(:func:`term_window`).

Terms for the "15 days in a term" rule are the three terms of the school
year: autumn 1 Sep - 31 Dec, spring 1 Jan - Easter Monday, summer the day after
Easter Monday - 31 Aug (imported rows are often half-terms, so they are not
used to split terms).
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import holidays
from dateutil.easter import easter

from slo.models.rules import Problem, ValidationFailed
from slo.models.types import parse_date
from slo.store.db import Store

from . import audit, permissions
from .actors import Actor
from .errors import NotFound
from .files import read_input

if TYPE_CHECKING:
    from sqlite_utils import Database

#: the legal maximum of suspension days in an academic year
SUSPENSION_CAP_DAYS = 45.0
#: a year's total at or above this raises a ``suspension_cap`` deadline
CAP_WARNING_DAYS = 40.0
#: a suspension taking the term's total past this needs the governors
TERM_GOVERNORS_DAYS = 15.0
#: outcomes that are exclusions and start the clock
EXCLUSION_OUTCOMES = ("suspension", "permanent_exclusion")

#: the 22 principal areas of Wales (lower case; GIAS and common spellings)
WELSH_AUTHORITIES = frozenset(
    name.lower()
    for name in (
        "Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Carmarthenshire", "Ceredigion",
        "Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Anglesey",
        "Merthyr Tydfil", "Monmouthshire", "Neath Port Talbot", "Newport", "Pembrokeshire",
        "Powys", "Rhondda Cynon Taf", "Rhondda Cynon Taff", "Swansea", "Torfaen",
        "Vale of Glamorgan", "The Vale of Glamorgan", "Wrexham",
    )
)

CSV_HEADER = ["local_authority", "term_start", "term_end"]

#: a gap between two terms longer than this (in days) is missing term dates, not a holiday: the
#: longest school holiday in England and Wales, the summer one, is at most about seven weeks
MAX_HOLIDAY_DAYS = 70
#: term dates are accepted from this many academic years before the current one ...
TERM_YEARS_BACK = 7
#: ... to this many after it (authorities publish a year or two ahead; a term further away is a typo)
TERM_YEARS_AHEAD = 3
#: the largest term dates file read (a few hundred authorities, ten years of half-terms: under 1 MB)
TERMS_MAX_BYTES = 4_000_000


# --------------------------------------------------------------------------- calendar


def nation_of(local_authority: str | None) -> str:
    """``"WLS"`` for a Welsh authority, else ``"ENG"``."""
    if local_authority and local_authority.strip().lower() in WELSH_AUTHORITIES:
        return "WLS"
    return "ENG"


@lru_cache(maxsize=128)
def bank_holidays(year: int, nation: str = "ENG") -> frozenset[date]:
    """The bank holidays of one year in England (``ENG``) or Wales (``WLS``); cached per year."""
    return frozenset(holidays.UK(subdiv=nation, years=year).keys())


def academic_year(on: date) -> tuple[date, date]:
    """The academic year holding ``on``: 1 September to 31 August."""
    first = on.year if on.month >= 9 else on.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def term_of(on: date) -> tuple[date, date]:
    """The school term holding ``on`` (autumn, spring to Easter Monday, summer)."""
    easter_monday = easter(on.year) + timedelta(days=1)
    if on.month >= 9:
        return date(on.year, 9, 1), date(on.year, 12, 31)
    if on <= easter_monday:
        return date(on.year, 1, 1), easter_monday
    return easter_monday + timedelta(days=1), date(on.year, 8, 31)


def term_window(today: date) -> tuple[date, date]:
    """The first and last days term dates may cover, seen from ``today``.

    From 1 September :data:`TERM_YEARS_BACK` academic years before the current
    one (history for the deadlines of past exclusions; records are reviewed
    for erasure after six years) to 31 August :data:`TERM_YEARS_AHEAD` academic
    years after it. On 2 December 2026: 2019-09-01 to 2030-08-31.
    """
    first, last = academic_year(today)
    return date(first.year - TERM_YEARS_BACK, 9, 1), date(last.year + TERM_YEARS_AHEAD, 8, 31)


def _far_from_today(start: date, end: date, today: date) -> tuple[str, str] | None:
    """(field, message) when a term lies outside :func:`term_window`, else None."""
    lo, hi = term_window(today)
    rule = (f"term dates must lie between {lo.isoformat()} and {hi.isoformat()} (this academic year, "
            f"the {TERM_YEARS_BACK} before it and the {TERM_YEARS_AHEAD} after it)")
    if start < lo:
        return "term_start", f"{start.isoformat()} is too far in the past: {rule}"
    if end > hi:
        return "term_end", f"{end.isoformat()} is too far ahead: {rule}"
    return None


@dataclass(frozen=True)
class Term:
    local_authority: str
    term_start: date
    term_end: date


class SchoolCalendar:
    """The school days of one local authority (or of none: weekdays minus bank holidays)."""

    def __init__(self, local_authority: str | None, terms: list[tuple[date, date]] | None = None):
        self.local_authority = local_authority
        self.nation = nation_of(local_authority)
        spans = sorted(terms or [])
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]
        self.first = self._starts[0] if spans else None
        self.last = max(self._ends) if spans else None
        #: (first day, last day) of each gap between terms too long to be a holiday
        self._gaps: list[tuple[date, date]] = []
        reach = None
        for start, end in spans:
            if reach is not None and (start - reach).days - 1 > MAX_HOLIDAY_DAYS:
                self._gaps.append((reach + timedelta(days=1), start - timedelta(days=1)))
            reach = end if reach is None else max(reach, end)
        self._gap_starts = [g for g, _ in self._gaps]

    @classmethod
    def load(cls, db: Database, local_authority: str | None) -> SchoolCalendar:
        if not local_authority:
            return cls(None, [])
        rows = db.execute(
            "SELECT term_start, term_end FROM term_dates WHERE local_authority = ? ORDER BY term_start",
            [local_authority],
        ).fetchall()
        return cls(local_authority, [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in rows])

    @classmethod
    def for_school(cls, db: Database, urn: str | None) -> SchoolCalendar:
        row = db.execute("SELECT local_authority FROM schools WHERE urn = ?", [urn]).fetchone() if urn else None
        return cls.load(db, row[0] if row else None)

    def known(self, day: date) -> bool:
        """True when term dates cover ``day`` (so it is not provisional): inside the span the
        authority's terms cover, and not inside a gap longer than :data:`MAX_HOLIDAY_DAYS`."""
        if self.first is None or self.last is None or not self.first <= day <= self.last:
            return False
        i = bisect_right(self._gap_starts, day) - 1
        return i < 0 or day > self._gaps[i][1]

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in bank_holidays(day.year, self.nation):
            return False
        if not self.known(day):
            return True
        # terms never overlap (enforced on entry), so only the latest start before ``day`` can hold it
        i = bisect_right(self._starts, day) - 1
        return i >= 0 and day <= self._ends[i]

    def nth_school_day(self, start: date, n: int) -> tuple[date, bool]:
        """The ``n``-th school day counting ``start`` as day 1 when it is a school day.

        Returns (the day, provisional).
        """
        if n < 1:
            raise ValueError("n must be 1 or more")
        day = start
        provisional = False
        count = 0
        while True:
            provisional = provisional or not self.known(day)
            if self.is_school_day(day):
                count += 1
                if count == n:
                    return day, provisional
            day += timedelta(days=1)

    def school_days_after(self, start: date, n: int) -> tuple[date, bool]:
        """The ``n``-th school day after ``start`` (``start`` itself not counted)."""
        return self.nth_school_day(start + timedelta(days=1), n)

    def count_school_days(self, first: date, last: date) -> tuple[int, bool]:
        """School days from ``first`` to ``last`` inclusive, and whether provisional."""
        count, provisional, day = 0, False, first
        while day <= last:
            provisional = provisional or not self.known(day)
            count += self.is_school_day(day)
            day += timedelta(days=1)
        return count, provisional


class _Calendars(dict[str | None, SchoolCalendar]):
    """A per-call cache of calendars by school URN."""

    def __init__(self, db: Database):
        super().__init__()
        self.db = db
        self._by_la: dict[str | None, SchoolCalendar] = {}

    def school(self, urn: str | None) -> SchoolCalendar:
        if urn not in self:
            row = None
            if urn:
                row = self.db.execute("SELECT local_authority FROM schools WHERE urn = ?", [urn]).fetchone()
            la = (row[0] or None) if row else None
            key = la.lower() if la else None
            if key not in self._by_la:
                self._by_la[key] = SchoolCalendar.load(self.db, la)
            self[urn] = self._by_la[key]
        return self[urn]


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    kind: str
    ref: str
    due_on: date
    provisional: bool
    title: str


@dataclass(frozen=True)
class Exclusion:
    """One exclusion as the clock sees it (from a consultation row)."""

    ref: str
    young_person: str
    school: str
    officer: str
    outcome: str
    start: date
    days: float | None


_EXCLUSION_SQL = (
    "SELECT ref, young_person, school, officer, outcome, outcome_on, exclusion_start, suspension_days "
    "FROM consultations WHERE outcome IN ('suspension', 'permanent_exclusion') AND outcome_on IS NOT NULL"
)


def _exclusion(row: tuple[Any, ...]) -> Exclusion:
    ref, yp, school, officer, outcome, outcome_on, start, days = row
    return Exclusion(
        ref, yp, school, officer, outcome, date.fromisoformat(start or outcome_on),
        None if days is None else float(days),
    )


def exclusions_of(db: Database, young_person: str) -> list[Exclusion]:
    """Every suspension and permanent exclusion of a young person, by start then ref."""
    rows = db.execute(_EXCLUSION_SQL + " AND young_person = ?", [young_person]).fetchall()
    return sorted((_exclusion(r) for r in rows), key=lambda e: (e.start, e.ref))


def suspension_total(exclusions: list[Exclusion], first: date, last: date, *, upto: str | None = None) -> float:
    """Suspension days starting in [first, last]; with ``upto``, only up to and including that ref."""
    total = 0.0
    for e in exclusions:
        if e.outcome != "suspension" or not first <= e.start <= last:
            continue
        total += e.days or 0.0
        if e.ref == upto:
            break
    return total


def _deadlines(exc: Exclusion, siblings: list[Exclusion], cal: SchoolCalendar) -> list[Deadline]:
    out: list[Deadline] = []
    px = exc.outcome == "permanent_exclusion"
    what = "permanent exclusion" if px else "suspension"
    if px or exc.days is None or exc.days > 5:
        due, prov = cal.nth_school_day(exc.start, 6)
        suffix = " (if the suspension lasts beyond day 5)" if not px and exc.days is None else ""
        out.append(Deadline(
            "provision_day6", exc.ref, due, prov,
            f"6th school day of the {what}: full-time education must be provided{suffix}",
        ))
    term_total = 0.0
    if not px:
        t_first, t_last = term_of(exc.start)
        term_total = suspension_total(siblings, t_first, t_last, upto=exc.ref)
    if px or term_total > TERM_GOVERNORS_DAYS:
        due, prov = cal.nth_school_day(exc.start, 15)
        why = "permanent exclusion" if px else f"suspensions this term reach {term_total:g} days (over 15)"
        out.append(Deadline(
            "governors_review", exc.ref, due, prov,
            f"Governors must consider reinstatement by the 15th school day ({why})",
        ))
    if not px:
        y_first, y_last = academic_year(exc.start)
        year_total = suspension_total(siblings, y_first, y_last, upto=exc.ref)
        if year_total >= CAP_WARNING_DAYS:
            due, prov = cal.nth_school_day(exc.start, 1)
            if year_total > SUSPENSION_CAP_DAYS:
                title = f"Suspension days this year: {year_total:g}, over the legal maximum of 45"
            else:
                title = f"Suspension days this year: {year_total:g} of the legal maximum of 45"
            out.append(Deadline("suspension_cap", exc.ref, due, prov, title))
    return out


def _consultation_row(db: Database, ref: str) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = db.execute(_EXCLUSION_SQL.replace("WHERE", "WHERE ref = ? AND", 1), [ref]).fetchone()
    if row is None and db.execute("SELECT 1 FROM consultations WHERE ref = ?", [ref]).fetchone() is None:
        raise NotFound(f"no consultation {ref!r}")
    return row


def deadlines_for(db: Database, consultation_ref: str, *, _cals: _Calendars | None = None) -> list[Deadline]:
    """The deadlines of one consultation's exclusion (none unless suspension/permanent exclusion)."""
    row = _consultation_row(db, consultation_ref)
    if row is None:
        return []
    exc = _exclusion(row)
    cals = _cals if _cals is not None else _Calendars(db)
    return _deadlines(exc, exclusions_of(db, exc.young_person), cals.school(exc.school))


def deadlines_for_young_person(db: Database, young_person: str) -> list[Deadline]:
    """Every deadline of every exclusion of a young person, by (due_on, kind, ref)."""
    exclusions = exclusions_of(db, young_person)
    cals = _Calendars(db)
    out: list[Deadline] = []
    for exc in exclusions:
        out.extend(_deadlines(exc, exclusions, cals.school(exc.school)))
    return sorted(out, key=lambda d: (d.due_on, d.kind, d.ref))


def deadlines_between(
    db: Database, officers: list[str] | None, first: date, last: date
) -> list[tuple[Exclusion, Deadline]]:
    """Deadlines due in [first, last] of exclusions by these officers (None = everyone)."""
    # the 15th school day can be months away over the summer holiday: look back far enough
    since = (first - timedelta(days=150)).isoformat()
    sql = _EXCLUSION_SQL + " AND COALESCE(exclusion_start, outcome_on) BETWEEN ? AND ?"
    params: list = [since, last.isoformat()]
    if officers is not None:
        if not officers:
            return []
        sql += f" AND officer IN ({', '.join('?' for _ in officers)})"
        params += officers
    rows = db.execute(sql, params).fetchall()
    cals = _Calendars(db)
    siblings: dict[str, list[Exclusion]] = {}
    out = []
    for row in rows:
        exc = _exclusion(row)
        if exc.young_person not in siblings:
            siblings[exc.young_person] = exclusions_of(db, exc.young_person)
        for d in _deadlines(exc, siblings[exc.young_person], cals.school(exc.school)):
            if first <= d.due_on <= last:
                out.append((exc, d))
    return out


# --------------------------------------------------------------------------- term dates


def list_terms(db: Database, local_authority: str | None = None) -> list[Term]:
    """Term dates, of one authority or all, by authority then start."""
    sql = "SELECT local_authority, term_start, term_end FROM term_dates"
    params: list = []
    if local_authority:
        sql += " WHERE local_authority = ?"
        params.append(local_authority)
    sql += " ORDER BY local_authority COLLATE NOCASE, term_start"
    return [Term(a, date.fromisoformat(b), date.fromisoformat(c)) for a, b, c in db.execute(sql, params)]


def local_authorities(db: Database) -> list[str]:
    """Authorities named by schools or by term dates, sorted."""
    rows = db.execute(
        "SELECT local_authority FROM schools WHERE local_authority IS NOT NULL "
        "UNION SELECT local_authority FROM term_dates ORDER BY 1 COLLATE NOCASE"
    ).fetchall()
    seen: dict[str, str] = {}
    for (name,) in rows:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def _clean_la(value: str) -> str:
    from slo.models.text import clean_line

    return clean_line(value or "").strip()


def _check_terms(
    db: Database, new: list[tuple[str, date, date, str]]
) -> list[Problem]:
    """Overlaps among ``new`` (la, start, end, where) and with the database (same start = replace)."""
    problems: list[Problem] = []
    by_la: dict[str, list[tuple[date, date, str]]] = {}
    for la, start, end, where in new:
        by_la.setdefault(la.lower(), []).append((start, end, where))
    for la_key, spans in by_la.items():
        la_name = next(la for la, *_ in new if la.lower() == la_key)
        new_starts = {s for s, _, _ in spans}
        existing = [
            (t.term_start, t.term_end, f"existing term {t.term_start.isoformat()}")
            for t in list_terms(db, la_name)
            if t.term_start not in new_starts
        ]
        starts_seen: dict[date, str] = {}
        for s, _, where in spans:
            if s in starts_seen:
                problems.append(
                    Problem("term_dates", where, "term_start", f"repeats the term starting {s} ({starts_seen[s]})")
                )
            starts_seen.setdefault(s, where)
        everything = sorted(spans + existing)
        for (s1, e1, w1), (s2, _e2, w2) in zip(everything, everything[1:], strict=False):
            if s2 <= e1 and s1 != s2:
                first_new = w2 if not w2.startswith("existing") else w1
                other = w1 if first_new == w2 else w2
                problems.append(Problem("term_dates", first_new, "term_start", f"overlaps {other} of {la_name}"))
    return problems


def _write_terms(db: Database, actor: Actor, terms: list[tuple[str, date, date]], operation: str) -> None:
    counts: dict[str, int] = {}
    for la, start, end in terms:
        db.execute(
            "INSERT INTO term_dates (local_authority, term_start, term_end) VALUES (?, ?, ?) "
            "ON CONFLICT (local_authority, term_start) DO UPDATE SET term_end = excluded.term_end",
            [la, start.isoformat(), end.isoformat()],
        )
        counts[la] = counts.get(la, 0) + 1
    for la, n in sorted(counts.items()):
        audit.record(db, actor.collar, operation, "term_dates", la, {"rows": n})


def _csv_rows(reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a malformed line (a lone CR, an oversized field) is a refusal, not a crash."""
    try:
        yield from reader
    except csv.Error as exc:
        why = str(exc).split(" - ")[0]  # drop csv's advice about "universal-newline mode"
        raise ValidationFailed(
            [Problem("term_dates", f"line {reader.line_num}", None, f"is not valid CSV ({why})")]
        ) from None


def import_term_dates(store: Store, actor: Actor, csv_path: str | Path, *, today: date | None = None) -> int:
    """Load ``local_authority,term_start,term_end`` rows; all or nothing. Returns rows written.

    Bad rows are refused with their line numbers (:class:`ValidationFailed`, one
    problem per bad row, keyed ``line N``); a term starting on the same day as
    one already stored for that authority replaces its end date. Dates follow
    the models' rule (strict ``YYYY-MM-DD``) and must lie in :func:`term_window`
    of ``today`` (default: today). The file must be a regular file of at most
    :data:`TERMS_MAX_BYTES` (a device or FIFO is refused before it is read).
    """
    permissions.require(store.db, actor, permissions.MANAGE, None, what="term dates")
    today = today or audit.now_local().date()
    path = Path(csv_path)
    data = read_input(path, "term_dates", limit=TERMS_MAX_BYTES)
    try:
        text = data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            [Problem("term_dates", f"line {line}", None, f"is not UTF-8 text (byte 0x{data[exc.start]:02x})")]
        ) from None
    reader = _csv_rows(csv.reader(io.StringIO(text)))
    problems: list[Problem] = []
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != CSV_HEADER:
        raise ValidationFailed(
            [Problem("term_dates", "line 1", None, "the header must be exactly " + ",".join(CSV_HEADER))]
        )
    rows: list[tuple[str, date, date, str]] = []
    for line_no, fields in enumerate(reader, start=2):
        where = f"line {line_no}"
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != 3:
            problems.append(Problem("term_dates", where, None, f"expected 3 fields, found {len(fields)}"))
            continue
        la = _clean_la(fields[0])
        if not la:
            problems.append(Problem("term_dates", where, "local_authority", "is empty"))
            continue
        dates = []
        for name, value in zip(("term_start", "term_end"), fields[1:], strict=True):
            try:
                dates.append(parse_date(value.strip()))
            except ValueError as exc:
                why = str(exc) if "outside" in str(exc) else f"{value.strip()[:40]!r} is not a date (YYYY-MM-DD)"
                problems.append(Problem("term_dates", where, name, why))
        if len(dates) != 2:
            continue
        wrong = _term_problem(dates[0], dates[1], today)
        if wrong:
            problems.append(Problem("term_dates", where, *wrong))
            continue
        rows.append((la, dates[0], dates[1], where))
    problems.extend(_check_terms(store.db, rows))
    if problems:
        problems.sort(key=lambda p: int(p.key.split()[-1]) if p.key.split()[-1].isdigit() else 0)
        raise ValidationFailed(problems)
    with store.write() as db:
        # re-check under the write lock (another user may have added terms meanwhile)
        late = _check_terms(db, rows)
        if late:
            raise ValidationFailed(late)
        _write_terms(db, actor, [(la, s, e) for la, s, e, _ in rows], audit.IMPORT)
    return len(rows)


def _term_problem(start: date, end: date, today: date) -> tuple[str, str] | None:
    """(field, message) for a term that cannot be right, else None."""
    if end < start:
        return "term_end", "is before term_start"
    if (end - start).days > 200:
        return "term_end", "makes a term longer than 200 days"
    return _far_from_today(start, end, today)


def add_term(
    store: Store, actor: Actor, local_authority: str, term_start: date, term_end: date, *, today: date | None = None
) -> Term:
    """Add one term (or change the end of the term starting that day); the same rules as the import."""
    permissions.require(store.db, actor, permissions.MANAGE, None, what="term dates")
    la = _clean_la(local_authority)
    where = f"{la or '?'} {term_start}"
    if not la:
        raise ValidationFailed([Problem("term_dates", where, "local_authority", "is empty")])
    wrong = _term_problem(term_start, term_end, today or audit.now_local().date())
    if wrong:
        raise ValidationFailed([Problem("term_dates", where, *wrong)])
    with store.write() as db:
        problems = _check_terms(db, [(la, term_start, term_end, where)])
        if problems:
            raise ValidationFailed(problems)
        _write_terms(db, actor, [(la, term_start, term_end)], audit.CREATE)
    return Term(la, term_start, term_end)


def delete_term(store: Store, actor: Actor, local_authority: str, term_start: date) -> None:
    permissions.require(store.db, actor, permissions.MANAGE, None, what="term dates")
    with store.write() as db:
        cur = db.execute(
            "DELETE FROM term_dates WHERE local_authority = ? AND term_start = ?",
            [local_authority, term_start.isoformat()],
        )
        if cur.rowcount == 0:
            raise NotFound(f"no term of {local_authority} starting {term_start}")
        audit.record(
            db, actor.collar, audit.DELETE, "term_dates", local_authority, {"term_start": term_start.isoformat()}
        )
