"""Converting between models and table rows.

Tables are named after the bundle sections and keyed by natural keys (``facts.key``).
Lists are JSON arrays (``facts.json_fields``); booleans are 0/1 (``facts.bool_fields``);
dates and date-times are their bundle spellings, so rows sort and compare correctly as
text. Every fact used here is declared on the model (:mod:`slo.models.facts`).
"""

from __future__ import annotations

import json
from typing import Any

from slo.models.entities import ENTITY_MODELS, Record


def to_row(record: Record) -> dict[str, Any]:
    """A model as a row of its table (bundle fields only)."""
    data = record.to_bundle()
    facts = record.facts
    for field, value in list(data.items()):
        if field in facts.json_fields and value is not None:
            data[field] = json.dumps(value)
        elif isinstance(value, bool):
            data[field] = int(value)
    return data


def _bundle_values(entity: str, row: dict[str, Any], *, whole_numbers: bool = False) -> dict[str, Any]:
    """The model's fields of ``row`` with JSON lists and 0/1 booleans decoded (database-only columns
    dropped); with ``whole_numbers``, a whole number read from a REAL column becomes an ``int``."""
    model = ENTITY_MODELS[entity]
    facts = model.facts
    data = {}
    for field in model.model_fields:
        value = row.get(field)
        if field in facts.json_fields and isinstance(value, str):
            value = json.loads(value)
        elif field in facts.bool_fields and value is not None:
            value = bool(value)
        elif whole_numbers and isinstance(value, float) and value.is_integer():
            value = int(value)
        data[field] = value
    return data


def from_row(entity: str, row: dict[str, Any]) -> Record:
    """A table row as its model (database-only columns are dropped)."""
    return ENTITY_MODELS[entity].model_validate(_bundle_values(entity, row))


def bundle_row(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """A table row straight to its bundle dict, without re-validating (fast export).

    A whole number in a REAL column (``suspension_days``) is written as an integer, as
    the model writes it (``HalfDays``), so export -> import -> export is byte-identical.
    """
    return _bundle_values(entity, row, whole_numbers=True)


def key_columns(entity: str) -> tuple[str, ...]:
    """The columns that identify a row of ``entity`` (its natural key, ``facts.key``)."""
    return ENTITY_MODELS[entity].facts.key


def key_where(entity: str) -> str:
    """``"col1 = ? AND col2 = ?"`` for the entity's natural key (column names are ours, not user text)."""
    return " AND ".join(f"[{c}] = ?" for c in key_columns(entity))


def key_values(record: Record) -> list[Any]:
    """The values of ``record``'s natural key as its table stores them."""
    row = to_row(record)
    return [row[c] for c in record.facts.key]
