"""Generic record use cases: read one record, save (create or replace) one record.

:func:`save` is the one write path for a single record from the desk's forms
and the CLI: it checks permission, validates the record against the rest of
the database (references, overlaps; the model already checked the record
itself), writes it and its audit row in one ``BEGIN IMMEDIATE`` transaction.
Use cases with side effects (an abstraction that cancels sessions, a review)
live in their own modules and build on these helpers.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from slo.models.entities import ENTITY_MODELS, Record
from slo.models.rules import (
    OVERLAP_RULES,
    REFERENCES,
    ROLE_RULES,
    Problem,
    Span,
    ValidationFailed,
    check_overlaps,
    spans_of,
)
from slo.store.db import Store
from slo.store.rows import KEY_COLUMNS, from_row, key_where, to_row

from . import audit, permissions
from .actors import Actor
from .errors import NotFound

#: the primary-key column of each entity's table
TABLE_KEY = {
    "teams": "ref",
    "officers": "collar_number",
    "schools": "urn",
    "young_people": "ref",
    "engagements": "ref",
    "abstractions": "ref",
    "consultations": "ref",
    "referrals": "ref",
}

#: entities whose records belong to one officer (field naming that officer)
OWNER_FIELD = {
    "engagements": "officer",
    "absences": "officer",
    "abstractions": "officer",
    "consultations": "officer",
    "assignments": "officer",
}

#: engagement fields a head teacher's calendar shows: a change to any raises its SEQUENCE
CALENDAR_FIELDS = {"starts_at", "ends_at", "title", "status", "kind", "school", "officer", "young_person"}

#: entities only an admin manages
MANAGED = {"teams", "officers", "schools", "assignments"}

#: entities holding personal data about a young person: reading one is audited
PERSONAL = {"young_people", "consultations", "referrals"}


def split_key(entity: str, key: str) -> list[str]:
    cols = KEY_COLUMNS[entity]
    parts = key.split("/", len(cols) - 1) if len(cols) > 1 else [key]
    if len(parts) != len(cols):
        raise NotFound(f"{entity} key {key!r} should be " + "/".join(cols))
    return parts


def get_row(db: Database, entity: str, key: str) -> dict[str, Any] | None:
    cursor = db.execute(f"SELECT * FROM [{entity}] WHERE {key_where(entity)}", split_key(entity, key))
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([c[0] for c in cursor.description], values))


def get(db: Database, entity: str, key: str) -> Record:
    """The record with this natural key, or :class:`NotFound`."""
    row = get_row(db, entity, key)
    if row is None:
        raise NotFound(f"no {entity.replace('_', ' ')} record {key!r}")
    return from_row(entity, row)


def _exists(db: Database, entity: str, value: str) -> bool:
    col = TABLE_KEY[entity]
    return db.execute(f"SELECT 1 FROM [{entity}] WHERE [{col}] = ?", [value]).fetchone() is not None


def check_against_database(db: Database, record: Record) -> list[Problem]:
    """References and overlaps of one record, checked against the database."""
    problems: list[Problem] = []
    entity = record.entity
    for (ent, field), target in REFERENCES.items():
        if ent != entity:
            continue
        value = getattr(record, field)
        if value is None:
            continue
        if not _exists(db, target, value):
            problems.append(
                Problem(entity, record.key(), field, f"names {target.replace('_', ' ')} {value!r}, which does not exist")
            )
            continue
        role = ROLE_RULES.get((ent, field))
        if role:
            actual = db.execute(
                "SELECT role FROM officers WHERE collar_number = ?", [value]
            ).fetchone()[0]
            if actual != role:
                problems.append(
                    Problem(entity, record.key(), field, f"officer {value!r} has role {actual!r}; expected {role!r}")
                )
    if entity == "officers" and record.role.value != "sergeant":
        # the same rule as a bundle import: a team's sergeant must stay a sergeant
        for (team,) in db.execute(
            "SELECT ref FROM teams WHERE sergeant = ? ORDER BY ref", [record.collar_number]
        ).fetchall():
            problems.append(
                Problem(entity, record.key(), "role", f"is the sergeant of team {team}; expected 'sergeant'")
            )
    if entity in OVERLAP_RULES:
        owner_field = OVERLAP_RULES[entity]
        owner = getattr(record, owner_field)
        rows = db.execute(f"SELECT * FROM [{entity}] WHERE [{owner_field}] = ?", [owner])
        cols = [c[0] for c in rows.description]
        others = [from_row(entity, dict(zip(cols, r))) for r in rows]
        others = [o for o in others if o.key() != record.key()]
        spans: list[Span] = spans_of(entity, others + [record])
        problems.extend(check_overlaps(entity, spans, {record.key()}))
    return problems


def changed_fields(old: Record | None, new: Record) -> list[str]:
    if old is None:
        return sorted(type(new).model_fields)
    a, b = old.to_bundle(), new.to_bundle()
    return sorted(k for k in b if a.get(k) != b.get(k))


def write_record(db: Database, actor: Actor, record: Record, *, source: str = "desk") -> str:
    """Validate against the database, upsert and audit ``record`` inside an open write transaction.

    Returns ``"create"``, ``"update"`` or ``"unchanged"``. Raises
    :class:`ValidationFailed` (the caller's transaction then rolls back).
    """
    problems = check_against_database(db, record)
    if problems:
        raise ValidationFailed(problems)
    entity = record.entity
    old_row = get_row(db, entity, record.key())
    old = from_row(entity, old_row) if old_row else None
    fields = changed_fields(old, record)
    if old is not None and not fields:
        return "unchanged"
    row = to_row(record)
    cols = list(row)
    conflict = ", ".join(KEY_COLUMNS[entity])
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in KEY_COLUMNS[entity])
    extra = ""
    if entity == "engagements":
        extra = ", updated_at = :_now"
        row["_now"] = audit.now_local().isoformat(timespec="seconds")
        if old is not None and set(fields) & CALENDAR_FIELDS:
            extra += ", sequence = sequence + 1"
    db.execute(
        f"INSERT INTO [{entity}] ({', '.join(f'[{c}]' for c in cols)}"
        + (", updated_at" if entity == "engagements" else "")
        + f") VALUES ({', '.join(':' + c for c in cols)}"
        + (", :_now" if entity == "engagements" else "")
        + f") ON CONFLICT ({conflict}) DO UPDATE SET {updates}{extra}",
        row,
    )
    op = audit.CREATE if old is None else audit.UPDATE
    audit.record(db, actor.collar, op, entity, record.key(), {"fields": fields, "source": source})
    return op


def required_action(record: Record) -> tuple[str, str | None]:
    """The permission action and the owning officer for writing ``record``."""
    if record.entity in MANAGED:
        return permissions.MANAGE, None
    owner_field = OWNER_FIELD.get(record.entity)
    return permissions.WRITE, getattr(record, owner_field) if owner_field else None


def save(store: Store, actor: Actor, record: Record, *, source: str = "desk") -> str:
    """Create or replace one record, with permission check, validation and audit.

    Returns ``"create"``, ``"update"`` or ``"unchanged"``.
    """
    action, officer = required_action(record)
    permissions.require(store.db, actor, action, officer, what=f"{record.entity} {record.key()}")
    with store.write() as db:
        return write_record(db, actor, record, source=source)


def view(store: Store, actor: Actor, entity: str, key: str) -> Record:
    """Read a record for a person; a personal record's view is audited."""
    record = get(store.db, entity, key)
    officer = getattr(record, OWNER_FIELD.get(entity, ""), None) if entity in OWNER_FIELD else None
    permissions.require(store.db, actor, permissions.VIEW, officer, what=f"{entity} {key}")
    if entity in PERSONAL:
        with store.write() as db:
            audit.record(db, actor.collar, audit.VIEW, entity, key)
    return record


def model_for(entity: str) -> type[Record]:
    return ENTITY_MODELS[entity]
