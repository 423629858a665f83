"""Every enumeration and typed field of every model, with a hypothesis strategy of values it refuses.

Read from the models' own annotations, so a new field is covered without a line here. Key fields
are left out (a bad key names the record by its place; the hostile-input tests cover keys).
"""

from __future__ import annotations

import enum
import re
import types
import typing
from datetime import date, datetime

from hypothesis import strategies as st

from slo.models import ENTITY_MODELS

#: what each kind of field is, for the tests' expectations
ENUM, ENUM_LIST, INT, BOOL, DATE, DATETIME, NUMBER, PATTERN, LIST = (
    "enum", "enum list", "int", "bool", "date", "datetime", "number", "pattern", "list")

_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _unwrap(annotation):
    """(outer type, metadata) of an annotation, ``X | None`` and ``Annotated`` unwrapped."""
    metadata: list = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *more = typing.get_args(annotation)
            metadata.extend(more)
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation, metadata


def _pattern(metadata) -> str | None:
    for m in metadata:
        pattern = getattr(m, "pattern", None)
        if pattern:
            return pattern
    return None


def kind_of(annotation) -> tuple[str, object] | None:
    """The field's kind and what the strategy needs (the enum class, the pattern), or None for free text."""
    outer, metadata = _unwrap(annotation)
    if typing.get_origin(outer) is list:
        (item,) = typing.get_args(outer)
        item, _ = _unwrap(item)
        return (ENUM_LIST, item) if isinstance(item, type) and issubclass(item, enum.Enum) else (LIST, item)
    if isinstance(outer, type) and issubclass(outer, enum.Enum):
        return ENUM, outer
    if outer is bool:
        return BOOL, None
    if outer is int:
        return INT, None
    if outer is float:
        return NUMBER, None
    if outer is datetime:
        return DATETIME, None
    if outer is date:
        return DATE, None
    if outer is str and _pattern(metadata):
        return PATTERN, _pattern(metadata)
    return None


#: (entity, field, kind, detail) for every enumeration and typed field outside the keys
TYPED_FIELDS = [
    (entity, name, *found)
    for entity, model in ENTITY_MODELS.items()
    for name, info in model.model_fields.items()
    if name not in model.facts.key and (found := kind_of(info.annotation)) is not None
]

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)


def bad_value(kind: str, detail: object) -> st.SearchStrategy:
    """Values a field of this kind refuses (the wrong type, or a word outside the enumeration)."""
    if kind in (ENUM, ENUM_LIST):
        words = {str(m.value) for m in detail}  # type: ignore[attr-defined]
        value = st.one_of(_TEXT.filter(lambda t: t not in words), st.integers(-10**6, 10**6))
        return st.lists(value, min_size=1, max_size=1) if kind == ENUM_LIST else value
    if kind == INT:
        return st.one_of(_TEXT, st.floats(allow_nan=False).filter(lambda f: not f.is_integer()), st.booleans())
    if kind == BOOL:
        return st.one_of(_TEXT, st.integers(2, 10**6))
    if kind in (DATE, DATETIME):
        return st.one_of(_TEXT.filter(lambda t: not _DATE_TEXT.match(t.strip())), st.integers(), st.booleans())
    if kind == NUMBER:
        return st.one_of(_TEXT, st.booleans())
    if kind == PATTERN:
        return st.one_of(_TEXT.filter(lambda t: not re.fullmatch(str(detail), t)), st.integers(0, 10**9))
    return st.one_of(_TEXT, st.integers())  # a list field given one value
