"""Field types shared by the models: strict ISO dates, local date-times, clean text, keys."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints

from .text import clean_line, clean_multiline

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _line(value: Any) -> str:
    return clean_line(_text(value))


def _multiline(value: Any) -> str:
    return clean_multiline(_text(value))


def parse_date(value: Any) -> date:
    """A date written ``YYYY-MM-DD`` (or a ``date``); anything else is refused."""
    if isinstance(value, datetime):
        raise ValueError("expected a date YYYY-MM-DD, not a date-time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("expected a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


def parse_local_datetime(value: Any) -> datetime:
    """A local Europe/London time ``YYYY-MM-DDTHH:MM`` without offset."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("expected a local time without a UTC offset")
        return value
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ValueError("expected a local date-time written YYYY-MM-DDTHH:MM (no offset)")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date-time") from None


def format_local_datetime(value: datetime) -> str:
    """The bundle's spelling: minutes, plus seconds only when they are not zero."""
    return value.strftime("%Y-%m-%dT%H:%M:%S" if value.second else "%Y-%m-%dT%H:%M")


IsoDate = Annotated[
    date, BeforeValidator(parse_date), PlainSerializer(lambda d: d.isoformat(), return_type=str)
]
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(parse_local_datetime),
    PlainSerializer(format_local_datetime, return_type=str),
]

Line = Annotated[str, BeforeValidator(_line), StringConstraints(min_length=1, max_length=500)]
Multiline = Annotated[str, BeforeValidator(_multiline), StringConstraints(max_length=20000)]
Ref = Annotated[str, BeforeValidator(_line), StringConstraints(min_length=1, max_length=64)]
CollarNumber = Annotated[
    str,
    BeforeValidator(_text),
    StringConstraints(pattern=r"^[A-Za-z0-9]{1,12}$"),
]
Urn = Annotated[str, BeforeValidator(_text), StringConstraints(pattern=r"^[0-9]{6}$")]


def _half_steps(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number of days")
    if value <= 0:
        raise ValueError("must be more than 0")
    if not float(value * 2).is_integer():
        raise ValueError("must be in half-day steps (e.g. 1, 1.5, 2)")
    return value


HalfDays = Annotated[
    float,
    AfterValidator(_half_steps),
    PlainSerializer(lambda v: int(v) if float(v).is_integer() else v),
]
