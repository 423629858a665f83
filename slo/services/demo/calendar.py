"""An approximate English school calendar for the demo data (no I/O).

Real term dates differ by local authority; the demo only needs plausible ones:
weekends, the summer holiday (22 July - 31 August), October half term (the
week holding 28 October), Christmas (20 December - 3 January), February half
term (the week holding 16 February), Easter (the Monday before Easter Sunday
to the Sunday after Easter Monday's week, computed), the early May bank
holiday and May half term (the week of the last Monday of May).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=4)


@lru_cache(maxsize=16)
def holidays(year: int) -> tuple[tuple[date, date], ...]:
    """Inclusive holiday spans that touch calendar ``year``."""
    spans = [
        (date(year - 1, 12, 20), date(year, 1, 3)),
        _week_of(date(year, 2, 16)),
        (easter_sunday(year) - timedelta(days=6), easter_sunday(year) + timedelta(days=7)),
        # early May bank holiday: the first Monday of May
        ((date(year, 5, 1) + timedelta(days=(7 - date(year, 5, 1).weekday()) % 7)),) * 2,
        _week_of(date(year, 5, 31) - timedelta(days=date(year, 5, 31).weekday())),
        (date(year, 7, 22), date(year, 8, 31)),
        _week_of(date(year, 10, 28)),
        (date(year, 12, 20), date(year + 1, 1, 3)),
    ]
    return tuple(spans)


def is_school_day(day: date) -> bool:
    """A weekday outside the holidays above."""
    if day.weekday() >= 5:
        return False
    return not any(start <= day <= end for start, end in holidays(day.year))


def school_days(start: date, end: date) -> list[date]:
    """Every school day from ``start`` to ``end`` inclusive."""
    out = []
    day = start
    while day <= end:
        if is_school_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def academic_year_start(day: date) -> date:
    """1 September of the academic year holding ``day``."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def terms(first: date, last: date) -> list[tuple[date, date]]:
    """The demo's terms (half-terms: each span of school weeks between two holidays, first and last
    day a weekday) of every academic year from the one holding ``first`` to the one holding ``last``.

    They agree with :func:`is_school_day`: a single bank holiday inside a term (the early May one)
    is left to the bank-holiday calendar that reads them (``slo.services.schooldays``)."""
    begin = academic_year_start(first)
    end = date(academic_year_start(last).year + 1, 8, 31)
    breaks = sorted({span for year in range(begin.year, end.year + 1) for span in holidays(year)
                     if span[0] != span[1]})
    out: list[tuple[date, date]] = []
    day = begin
    for start, stop in breaks:
        if stop < day:
            continue
        term_end = start - timedelta(days=1)
        _add_term(out, day, min(term_end, end))
        day = stop + timedelta(days=1)
        if day > end:
            break
    if day <= end:
        _add_term(out, day, end)
    return out


def _add_term(out: list[tuple[date, date]], start: date, end: date) -> None:
    while start.weekday() >= 5:
        start += timedelta(days=1)
    while end.weekday() >= 5:
        end -= timedelta(days=1)
    if start <= end:
        out.append((start, end))
