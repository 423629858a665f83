"""Refusals of the models in words, each naming the value given: the one translation of pydantic's errors.

Every path that builds a model from what a person gave (bundle import, the GIAS and
term dates imports, the command line, the services behind the desk's forms) turns a
pydantic ``ValidationError`` into :class:`~slo.models.rules.Problem` lines with
:func:`problems_from` (or one error with :func:`describe`). A problem names the record,
the field and the value given, cleaned of control characters and shortened::

    consultations CON-1, field reasons.0: 'XX' should be 'PP', 'PA', ... or 'PH'
    young_people YP-1, field year_group: '9' (text) should be a whole number
    engagements ENG-1: ends_at must be after starts_at (starts_at '2026-01-05T09:00', ends_at '2026-01-05T08:00')

This module only reads error entries (plain dicts): it does not import pydantic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .rules import Problem, ValidationFailed
from .text import clean_line

if TYPE_CHECKING:  # annotations only
    from pydantic import ValidationError

#: the most characters of a value a refusal quotes (then ``…``)
SHOWN_CHARACTERS = 40
#: the most digits of a number a refusal quotes (a 5,000-digit integer is "a 5000-digit number")
SHOWN_DIGITS = 20

#: pydantic's patterns of our field types, in words (``slo.models.types``)
PATTERN_WORDS = {
    "^[0-9]{6}$": "a 6-digit URN",
    "^[A-Za-z0-9]{1,12}$": "a collar number (1 to 12 letters or digits)",
}

#: pydantic's wording for a type it expected, in ours
_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}

_PREFIXES = ("Value error, ", "Assertion failed, ")
_SHOULD = re.compile(r"^(?:Input|String|List|Value|Tuple|Set) should ")


def shown(value: Any) -> str:
    """A value as a refusal quotes it: text in quotes, cleaned and shortened; JSON words otherwise."""
    if isinstance(value, str):  # as given, once cleaned: no escapes a person would have to decode
        return f"'{_shorten(clean_line(value))}'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        return _shorten(repr(value))
    if isinstance(value, (date, datetime)):
        return f"'{value.isoformat()}'"
    if isinstance(value, (list, tuple, dict)):
        return _shorten(clean_line(_compact(value, 3)))
    return _shorten(clean_line(repr(value)))  # an object from a program, not from a person


def _integer(value: int) -> str:
    """An integer, its digits cut after :data:`SHOWN_DIGITS` with the count (``1234567890…`` (5000 digits))."""
    if abs(value) < 10**SHOWN_DIGITS:
        return str(value)
    if value.bit_length() > 14000:  # str() refuses integers of more than 4,300 digits: estimate
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    digits = str(abs(value))
    return f"{'-' if value < 0 else ''}{digits[:SHOWN_DIGITS // 2]}… ({len(digits)} digits)"


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _compact(value: Any, depth: int) -> str:
    """JSON-like text of a list or object, at most ``depth`` levels and a few items deep (it is shortened)."""
    if depth <= 0:
        return "…"
    if isinstance(value, dict):
        items = list(value.items())[:5]
        inner = ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_compact(v, depth - 1)}" for k, v in items)
        return "{" + inner + (", …" if len(value) > 5 else "") + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_compact(v, depth - 1) for v in list(value)[:5])
        return "[" + inner + (", …" if len(value) > 5 else "") + "]"
    if isinstance(value, str):
        return json.dumps(_shorten(value), ensure_ascii=False)
    return shown(value)


def _field(error: Mapping[str, Any]) -> str | None:
    loc = [str(p) for p in error.get("loc", ())]
    return ".".join(loc) if loc else None


def _kind_of(value: Any) -> str:
    """`` (text)`` after a value whose type was wrong, when quoting it alone would hide that."""
    if isinstance(value, str):
        return " (text)"
    if isinstance(value, (list, tuple)):
        return " (a list)"
    if isinstance(value, dict):
        return " (an object)"
    return ""


def describe(error: Mapping[str, Any]) -> tuple[str | None, str]:
    """``(field, message)`` for one pydantic error entry; the message names the value given.

    ``field`` is the dotted path (``reasons.0``), None for a rule of the whole record; such a
    message is followed by the values of the fields it names.
    """
    kind = str(error.get("type", ""))
    field = _field(error)
    msg = str(error.get("msg", "invalid"))
    for prefix in _PREFIXES:
        msg = msg.removeprefix(prefix)
    ctx = error.get("ctx") or {}
    has_value = "input" in error
    value = error.get("input")
    if kind == "extra_forbidden":
        return field, "unknown field (not in bundle format 1)"
    if kind == "missing":
        return field, "is required"
    if field is None:
        return None, msg + (_named_values(msg, value) if isinstance(value, Mapping) else "")
    if not has_value:
        return field, msg
    given = shown(value)
    if kind in ("string_too_short", "too_short") and isinstance(value, str) and ctx.get("min_length") == 1:
        return field, f"is empty (given {given})" if clean_line(value) != value else "is empty"
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        return field, f"{given} has {len(value)} characters; at most {ctx.get('max_length')}"
    if kind in ("too_short", "too_long") and isinstance(value, (list, tuple)):
        least, most = ctx.get("min_length"), ctx.get("max_length")
        bound = f"at least {least}" if kind == "too_short" else f"at most {most}"
        return field, f"{given} has {len(value)} item{'' if len(value) == 1 else 's'}; {bound}"
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern", "")))
        if words:
            return field, f"{given} should be {words}"
    if kind in ("float_type", "float_parsing") and isinstance(value, int) and not isinstance(value, bool):
        return field, f"{given} is too large a number"
    if kind in _TYPE_WORDS:
        return field, f"{given}{_kind_of(value)} should be {_TYPE_WORDS[kind]}"
    should = _SHOULD.match(msg)
    if should:  # "Input should be ..." -> "'XX' should be ..." (no re.sub: the value may hold backslashes)
        return field, f"{given} should {msg[should.end():]}"
    if given in msg or (isinstance(value, str) and value and repr(value) in msg):
        return field, msg  # the model's own sentence quotes it already
    return field, f"{msg} (given {given})"


def given_words(error: Mapping[str, Any]) -> str:
    """`` (given 15)``: the value of a field's error, for a message worded elsewhere (the desk's forms);
    empty for a missing or empty value and for a rule of the whole record."""
    value = error.get("input")
    if "input" not in error or _field(error) is None or error.get("type") in ("missing", "extra_forbidden"):
        return ""
    if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
        return ""
    if isinstance(value, str) and not clean_line(value):
        return ""
    return f" (given {shown(value)})"


def _named_values(msg: str, record: Mapping[str, Any]) -> str:
    """`` (starts_at '…', ends_at '…')``: the values of the record's fields that ``msg`` names, in its order."""
    named = sorted(
        (m.start(), name) for name in record if isinstance(name, str)
        for m in [re.search(rf"\b{re.escape(name)}\b", msg)] if m
    )
    if not named:
        return ""
    return " (" + ", ".join(f"{name} {shown(record[name])}" for _, name in named[:4]) + ")"


def problems_from(exc: ValidationError, entity: str | None = None, key: str = "") -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem` of record ``entity`` ``key``.

    ``entity`` defaults to the section of the model that refused (its ``facts.entity``), else
    the model's name; an empty ``key`` (a record not made yet) is left out of the line.
    """
    where = entity or _entity_of(exc.title)
    return [Problem(where, key, *describe(error)) for error in _errors(exc)]


def refusal(exc: ValidationError, entity: str | None = None, key: str = "") -> ValidationFailed:
    """:func:`problems_from` as the one-line :class:`ValidationFailed` to raise."""
    return ValidationFailed(problems_from(exc, entity, key))


def one_line(exc: ValidationError, entity: str | None = None, key: str = "") -> str:
    """The first problem of ``exc`` (and how many more) on one line."""
    return str(refusal(exc, entity, key))


def _errors(exc: ValidationError) -> Iterable[Mapping[str, Any]]:
    # include_url=False: the line is for a person; the context (patterns, bounds) is kept
    return exc.errors(include_url=False)


def _entity_of(title: str) -> str:
    from .entities import ENTITY_MODELS

    for name, model in ENTITY_MODELS.items():
        if model.__name__ == title:
            return name
    return title
