"""Reading a form's boxes into values, and the fixed choices its pickers offer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

from slo.models.enums import label as enum_label
from slo.models.types import parse_date
from slo.services.queries.pickers import Option
from slo.tui.widgets.controls import Choice

from .problems import EXAMPLE_DATE


def text_or_none(value: str | None) -> str | None:
    """The text without surrounding space; None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def enum_choices(enum: type[Enum], *, skip: tuple[str, ...] = ()) -> list[Choice]:
    """Every member of ``enum`` (by its label, matched by its value too), less ``skip``."""
    return [Choice(m.value, enum_label(m.value), words=m.value) for m in enum if m.value not in skip]


def choices(options: Iterable[Option]) -> list[Choice]:
    """A read model's options as a picker's choices."""
    return [Choice(o.value, o.label, code=o.code) for o in options]


def parse_days(text: str, problems: dict[str, str], name: str) -> float | None:
    """A number of school days (``2``, ``2.5``); empty is None; anything else is a problem."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems[name] = "enter a number of school days, e.g. 2 or 2.5"
        return None


def parse_day(text: str, name: str, problems: dict[str, str]) -> date | None:
    """A date typed YYYY-MM-DD; empty is None; anything else is a problem saying how to write one."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        problems[name] = (f"not a real date: use YYYY-MM-DD, e.g. {EXAMPLE_DATE}" if "real" in str(exc)
                          else f"use YYYY-MM-DD, e.g. {EXAMPLE_DATE}")
        return None


def follow_date(before: str, after: str, other: str) -> str | None:
    """The new value of a "To" box when its "From" box changed from ``before`` to ``after``, or None
    to leave it: To follows From while it still held From's old value (or nothing, or a day before
    the new From). Only a complete date moves it."""
    try:
        new_from = parse_date(after.strip())
    except ValueError:
        return None
    other = other.strip()
    if not other or other == before.strip():
        return new_from.isoformat()
    try:
        if parse_date(other) < new_from:
            return new_from.isoformat()
    except ValueError:
        return None
    return None


def follow_from(form: Any, before: str, after: str) -> str:
    """In a form with ``date_from`` and ``date_to`` boxes: move To after From (:func:`follow_date`);
    returns From's last complete date, to pass as ``before`` next time (a date half typed is not one)."""
    to_box = form.input("date_to")
    moved = follow_date(before, after, to_box.value)
    if moved is not None and moved != to_box.value:
        to_box.value = moved
    try:
        parse_date(after.strip())
    except ValueError:
        return before
    return after
