"""Converting between models and table rows.

Tables are named after the bundle sections and keyed by natural keys. Lists are
JSON arrays; booleans are 0/1; dates and date-times are their bundle spellings,
so rows sort and compare correctly as text.
"""

from __future__ import annotations

import json
from typing import Any

from slo.models.entities import ENTITY_MODELS, Record

#: columns holding JSON lists
JSON_COLUMNS = {
    ("officers", "working_days"),
    ("consultations", "reasons"),
    ("consultations", "risk_factors"),
}

#: the columns that identify a row (the natural key)
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    name: model.key_fields for name, model in ENTITY_MODELS.items()
}


def to_row(record: Record) -> dict[str, Any]:
    """A model as a row of its table (bundle fields only)."""
    data = record.to_bundle()
    entity = record.entity
    for field, value in list(data.items()):
        if (entity, field) in JSON_COLUMNS and value is not None:
            data[field] = json.dumps(value)
        elif isinstance(value, bool):
            data[field] = int(value)
    return data


def from_row(entity: str, row: dict[str, Any]) -> Record:
    """A table row as its model (database-only columns are dropped)."""
    model = ENTITY_MODELS[entity]
    data = {}
    for field in model.model_fields:
        value = row.get(field)
        if (entity, field) in JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
        elif entity == "referrals" and field == "outcome22" and value is not None:
            value = bool(value)
        data[field] = value
    return model.model_validate(data)


def bundle_row(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """A table row straight to its bundle dict, without re-validating (fast export)."""
    model = ENTITY_MODELS[entity]
    out = {}
    for field in model.model_fields:
        value = row.get(field)
        if (entity, field) in JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
        elif entity == "referrals" and field == "outcome22" and value is not None:
            value = bool(value)
        elif entity == "consultations" and field == "suspension_days" and value is not None:
            value = int(value) if float(value).is_integer() else value
        out[field] = value
    return out


def key_where(entity: str) -> str:
    """``"col1 = ? AND col2 = ?"`` for the entity's natural key (column names are ours, not user text)."""
    return " AND ".join(f"[{c}] = ?" for c in KEY_COLUMNS[entity])


def key_values(record: Record) -> list[Any]:
    return [to_row(record)[c] for c in KEY_COLUMNS[record.entity]]
