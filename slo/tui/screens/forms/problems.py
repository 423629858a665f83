"""Problems found on a form, in words a user understands: pydantic's errors translated, and the
field each belongs to (a problem is shown next to its field)."""

from __future__ import annotations

import re
from typing import Any

from slo.models.enums import label as enum_label
from slo.models.refusals import given_words

#: the date forms use in their examples
EXAMPLE_DATE = "2026-11-27"

_ENUM = re.compile(r"^Input should be (.*)$")
_QUOTED = re.compile(r"'([^']*)'")


class FieldProblems(Exception):
    """Raised by a form's ``collect``/``build`` with problems found before the model (field -> words)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def _words_list(values: list[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def with_labels(message: str, labels: dict[str, str]) -> str:
    """``message`` with every model field name it mentions replaced by the form's label (lower case)."""
    for name, words in sorted(labels.items(), key=lambda kv: -len(kv[0])):
        message = re.sub(rf"\b{re.escape(name)}\b", words.lower(), message)
    return message


def friendly(error: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """A pydantic error entry in words a user understands, naming the value given
    (``must be 14 or less (given 15)``; :func:`slo.models.refusals.given_words`)."""
    return _words(error, labels or {}) + given_words(error)


def _words(error: dict[str, Any], labels: dict[str, str]) -> str:
    kind = error.get("type", "")
    msg = str(error.get("msg", ""))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    ctx = error.get("ctx") or {}
    text_input = isinstance(error.get("input"), str) or error.get("input") is None
    if kind in ("missing", "string_too_short") or (kind == "too_short" and text_input):
        return "required: please fill this in"
    if kind == "too_short":
        least = ctx.get("min_length")
        return "choose at least one" if least == 1 else f"choose at least {least}"
    if kind == "too_long":
        return f"choose at most {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind in ("enum", "literal_error"):
        m = _ENUM.match(msg)
        options = _QUOTED.findall(m.group(1)) if m else []
        if not options:
            return "choose one from the list"
        return "choose one of: " + _words_list([enum_label(o) for o in options])
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "enter a whole number"
    if kind in ("float_parsing", "float_type"):
        return "enter a number"
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less"
    if kind in ("bool_type", "bool_parsing"):
        return "choose yes or no"
    if kind == "string_pattern_mismatch":
        return "not in the expected form"
    if "date-time" in msg and ("YYYY-MM-DDTHH:MM" in msg or "not a real date-time" in msg):
        return f"use a date YYYY-MM-DD, e.g. {EXAMPLE_DATE}, and a time HH:MM, e.g. 09:30"
    if "expected a date" in msg:
        return f"use YYYY-MM-DD, e.g. {EXAMPLE_DATE}"
    if "is not a real date" in msg:
        return f"not a real date: use YYYY-MM-DD, e.g. {EXAMPLE_DATE}"
    # the models' own sentences: name the fields as the form does
    return with_labels(msg, labels)


def problem_field(error: dict[str, Any], fields: list[str]) -> str | None:
    """The model field an error belongs to (model-level rules: the field the sentence names)."""
    loc = error.get("loc") or ()
    if loc and isinstance(loc[0], str):
        return loc[0]
    msg = str(error.get("msg", ""))
    # "X is required unless ...", "ends_at must be after starts_at": the first field named
    hits = sorted((m.start(), f) for f in fields for m in [re.search(rf"\b{re.escape(f)}\b", msg)] if m)
    return hits[0][1] if hits else None
