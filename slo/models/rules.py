"""Rules that need more than one record: problems, and the no-overlap sweep.

The rules themselves are declared on each model (``facts.references`` with their roles,
``facts.overlap``: :mod:`slo.models.facts`); this module is the pure (no I/O) part of
applying them. The services apply them to one record against the database
(``records.check_against_database``) or to a whole import (``bundle``, which checks
references in SQL and overlaps over the owners the bundle touched), so validation
applies to the result as a whole (the bundle format's rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .facts import Overlap
from .text import clean_line

if TYPE_CHECKING:  # annotations only: importing rules must not build the pydantic models
    from .entities import Record


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record, named the way a user can find it."""

    entity: str
    key: str
    field: str | None
    message: str

    def __str__(self) -> str:
        """``entity key, field name: message`` on one line, without control characters.

        Keys and field names may come straight from a user's file (an unknown
        field, a key that failed validation), so the line is cleaned: it must
        not carry a newline or an ESC sequence to the terminal.
        """
        where = f"{self.entity} {self.key}" if self.key else self.entity
        if self.field:
            where += f", field {self.field}"
        return clean_line(f"{where}: {self.message}")


class ValidationFailed(ValueError):
    """Raised with every problem found; ``str()`` is one clear line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "invalid data"
        others = len(problems) - 1
        more = f" (and {others} more problem{'' if others == 1 else 's'})" if others else ""
        super().__init__(first + more)


@dataclass(frozen=True)
class Span:
    """An inclusive span of days belonging to an owner (an officer or a school)."""

    owner: str
    start: date
    end: date | None  # None = open-ended
    key: str

    def overlaps(self, other: Span) -> bool:
        a_end = self.end or date.max
        b_end = other.end or date.max
        return self.start <= b_end and other.start <= a_end


def find_overlaps(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pairs of spans of the same owner that share at least one day (sorted sweep)."""
    by_owner: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_owner[span.owner].append(span)
    found: list[tuple[Span, Span]] = []
    for owner_spans in by_owner.values():
        owner_spans.sort(key=lambda s: (s.start, s.key))
        latest: Span | None = None  # the span reaching furthest so far
        for span in owner_spans:
            if latest is not None and latest.overlaps(span):
                found.append((latest, span))
            if latest is None or (span.end or date.max) > (latest.end or date.max):
                latest = span
    return found


def spans_of(overlap: Overlap, records: Iterable[Record]) -> list[Span]:
    """The spans of ``records`` under one no-overlap rule (``facts.overlap`` of their entity)."""
    out = []
    for r in records:
        out.append(Span(getattr(r, overlap.owner), getattr(r, overlap.start), getattr(r, overlap.end), r.key()))
    return out


def check_overlaps(entity: str, overlap: Overlap, spans: Iterable[Span], new_keys: set[str]) -> list[Problem]:
    """Overlapping spans of one owner; reported against a record of the bundle when possible."""
    problems = []
    for a, b in find_overlaps(spans):
        # Report on the newer record (the one being imported) and name the other.
        subject, other = (b, a) if b.key in new_keys or a.key not in new_keys else (a, b)
        problems.append(Problem(entity, subject.key, None, f"{overlap.words} {other.key}"))
    return problems
