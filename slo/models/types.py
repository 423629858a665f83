"""Field types shared by the models: strict ISO dates, local date-times, clean text, keys."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints

from .refusals import shown
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


#: The dates SLO Desk accepts anywhere: bundle fields, the desk's forms, term dates and every
#: command-line date. Wide enough for any real record (an officer who joined in 1960, a review
#: decades ahead), narrow enough that every calculation on a date (a window of a year, the
#: academic year after it, a review six years on, bank holidays) stays far from Python's
#: limits (years 1 and 9999), where ``9999-12-30`` used to end ``slo due`` in a traceback.
EARLIEST_DATE = date(1900, 1, 1)
_D = TypeVar("_D", bound=date)
LATEST_DATE = date(2100, 12, 31)


def check_date_range(value: _D, text: str | None = None) -> _D:
    """``value`` if it lies between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`, else ValueError."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        shown = text if text is not None else value.isoformat()
        span = f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
        raise ValueError(f"{shown!r} is outside the dates SLO Desk accepts ({span})")
    return value


def parse_date(value: Any) -> date:
    """A date written ``YYYY-MM-DD`` (or a ``date``) inside the accepted range; anything else is refused.

    The one date rule of SLO Desk: the models, the term dates import and every
    command-line date use it, so each refuses the same dates with the same words.
    """
    if isinstance(value, datetime):
        raise ValueError("expected a date YYYY-MM-DD, not a date-time")
    if isinstance(value, date):
        return check_date_range(value)
    if not isinstance(value, str) or not _DATE.match(value):
        given = f", not {shown(value)}" if isinstance(value, str) else ""
        raise ValueError(f"expected a date written YYYY-MM-DD{given}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None
    return check_date_range(day, value)


def parse_local_datetime(value: Any) -> datetime:
    """A local Europe/London time ``YYYY-MM-DDTHH:MM`` without offset, its day inside the accepted range."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("expected a local time without a UTC offset")
        return check_date_range(value)
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ValueError("expected a local date-time written YYYY-MM-DDTHH:MM (no offset)")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date-time") from None
    return check_date_range(moment, value)


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


#: the most days one suspension may be recorded with: a year of days (the legal maximum in a
#: school year is 45 school days; anything over a year is a typo, and 1e19 days overflowed SQLite)
MAX_HALF_DAYS = 366.0


def _half_steps(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number of days")
    if value <= 0:
        raise ValueError("must be more than 0")
    if value > MAX_HALF_DAYS:
        raise ValueError(f"must be at most {MAX_HALF_DAYS:g} days")
    if not float(value * 2).is_integer():
        raise ValueError("must be in half-day steps (e.g. 1, 1.5, 2)")
    return value


HalfDays = Annotated[
    float,
    AfterValidator(_half_steps),
    PlainSerializer(lambda v: int(v) if float(v).is_integer() else v),
]
