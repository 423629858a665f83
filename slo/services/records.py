"""Generic record use cases: read one record, save (create or replace) one record, delete one
created by mistake.

:func:`save` is the one write path for a single record from the desk's forms
and the CLI: it checks permission, validates the record against the rest of
the database (references, overlaps; the model already checked the record
itself), writes it and its audit row in one ``BEGIN IMMEDIATE`` transaction.
Use cases with side effects (an abstraction that cancels sessions, a review)
live in their own modules and build on these helpers.

Every write here also keeps the record's history (:mod:`slo.services.history`): one row per
change, in the same transaction, with each changed field before and after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slo.models.entities import ENTITY_MODELS, Record
from slo.models.rules import Problem, Span, ValidationFailed, check_overlaps, spans_of
from slo.store.db import Store
from slo.store.rows import from_row, key_columns, key_where, to_row

from . import audit, history, permissions
from .actors import Actor
from .errors import Conflict, NotFound

if TYPE_CHECKING:
    from sqlite_utils import Database


def split_key(entity: str, key: str) -> list[str]:
    """The parts of a natural key written ``a/b`` (:meth:`Record.key`), one per key column."""
    cols = key_columns(entity)
    parts = key.split("/", len(cols) - 1) if len(cols) > 1 else [key]
    if len(parts) != len(cols):
        raise NotFound(f"{entity} key {key!r} should be " + "/".join(cols))
    return parts


def get_row(db: Database, entity: str, key: str) -> dict[str, Any] | None:
    """The table row with this natural key (every column, database-only ones included), or None."""
    cursor = db.execute(f"SELECT * FROM [{entity}] WHERE {key_where(entity)}", split_key(entity, key))
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([c[0] for c in cursor.description], values, strict=True))


def get(db: Database, entity: str, key: str) -> Record:
    """The record with this natural key, or :class:`NotFound`."""
    row = get_row(db, entity, key)
    if row is None:
        raise NotFound(f"no {entity.replace('_', ' ')} record {key!r}")
    return from_row(entity, row)


def _exists(db: Database, entity: str, value: str) -> bool:
    (col,) = key_columns(entity)  # references name entities with a one-column key
    return db.execute(f"SELECT 1 FROM [{entity}] WHERE [{col}] = ?", [value]).fetchone() is not None


def _held_roles(db: Database, record: Record) -> list[Problem]:
    """An officer whose new role breaks a reference that needs the role while it names them
    (``Reference.while_named``: a team's sergeant must stay a sergeant), as a bundle import checks."""
    problems: list[Problem] = []
    role = getattr(record, "role", None)  # only officers have roles: for any other entity nothing matches
    if role is None:
        return problems
    for model in ENTITY_MODELS.values():
        facts = model.facts
        for ref in facts.references:
            if ref.entity != record.facts.entity or not ref.while_named or ref.role is None or role == ref.role:
                continue
            key_sql = " || '/' || ".join(f"[{c}]" for c in facts.key)
            for (key,) in db.execute(
                f"SELECT {key_sql} FROM [{facts.entity}] WHERE [{ref.field}] = ? ORDER BY 1", [record.key()]
            ).fetchall():
                problems.append(Problem(record.facts.entity, record.key(), "role",
                                        f"is {ref.named_as} {key}; expected {ref.role!r}"))
    return problems


def check_against_database(db: Database, record: Record) -> list[Problem]:
    """References (with their roles) and overlaps of one record, checked against the database."""
    problems: list[Problem] = []
    facts = record.facts
    entity = facts.entity
    for ref in facts.references:
        value = getattr(record, ref.field)
        if value is None:
            continue
        if not _exists(db, ref.entity, value):
            problems.append(Problem(
                entity, record.key(), ref.field, f"names {ref.entity.replace('_', ' ')} {value!r}, which does not exist"
            ))
            continue
        if ref.role:
            actual = db.execute("SELECT role FROM officers WHERE collar_number = ?", [value]).fetchone()[0]
            if actual != ref.role:
                problems.append(Problem(
                    entity, record.key(), ref.field, f"officer {value!r} has role {actual!r}; expected {ref.role!r}"
                ))
    problems.extend(_held_roles(db, record))
    overlap = facts.overlap
    if overlap is not None:
        owner = getattr(record, overlap.owner)
        rows = db.execute(f"SELECT * FROM [{entity}] WHERE [{overlap.owner}] = ?", [owner])
        cols = [c[0] for c in rows.description]
        others = [from_row(entity, dict(zip(cols, r, strict=True))) for r in rows]
        others = [o for o in others if o.key() != record.key()]
        spans: list[Span] = spans_of(overlap, [*others, record])
        problems.extend(check_overlaps(entity, overlap, spans, {record.key()}))
    return problems


def changed_fields(old: Record | None, new: Record) -> list[str]:
    """The fields whose bundle value differs (every field for a new record), sorted."""
    if old is None:
        return sorted(type(new).model_fields)
    a, b = old.to_bundle(), new.to_bundle()
    return sorted(k for k in b if a.get(k) != b.get(k))


def young_person_of(record: Record) -> str | None:
    """The young person a record is about (their own record, a consultation, a referral, a 1:1),
    so that erasing them finds its history."""
    if record.facts.entity == "young_people":
        return str(record.key())
    value = getattr(record, "young_person", None)
    return str(value) if value else None


def write_record(db: Database, actor: Actor, record: Record, *, source: str = "desk") -> str:
    """Validate against the database, upsert, audit and keep the history of ``record`` inside an
    open write transaction (the history row holds each changed field before and after).

    Returns ``"create"``, ``"update"`` or ``"unchanged"``. Raises
    :class:`ValidationFailed` (the caller's transaction then rolls back).
    """
    problems = check_against_database(db, record)
    if problems:
        raise ValidationFailed(problems)
    facts = record.facts
    entity = facts.entity
    old_row = get_row(db, entity, record.key())
    old = from_row(entity, old_row) if old_row else None
    fields = changed_fields(old, record)
    if old is not None and not fields:
        return "unchanged"
    row = to_row(record)
    cols = list(row)
    conflict = ", ".join(facts.key)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in facts.key)
    extra = ""
    on_calendar = bool(facts.calendar_fields)  # such tables keep updated_at and the calendar sequence
    if on_calendar:
        extra = ", updated_at = :_now"
        row["_now"] = audit.now_local().isoformat(timespec="seconds")
        if old is not None and set(fields) & set(facts.calendar_fields):
            extra += ", sequence = sequence + 1"
    db.execute(
        f"INSERT INTO [{entity}] ({', '.join(f'[{c}]' for c in cols)}"
        + (", updated_at" if on_calendar else "")
        + f") VALUES ({', '.join(':' + c for c in cols)}"
        + (", :_now" if on_calendar else "")
        + f") ON CONFLICT ({conflict}) DO UPDATE SET {updates}{extra}",
        row,
    )
    op = audit.CREATE if old is None else audit.UPDATE
    audit.record(db, actor.collar, op, entity, record.key(), {"fields": fields, "source": source})
    history.record_change(db, actor.collar, entity, record.key(), old.to_bundle() if old else None,
                          record.to_bundle(), source=source, young_person=young_person_of(record))
    return op


def check_write(db: Database, actor: Actor, record: Record) -> Record | None:
    """Everything to check before the transaction that writes ``record``; returns the stored version.

    A role that may not write such records at all is refused first (it learns nothing, not even
    whether what the record names exists); then the record is validated against the database (a
    school that does not exist is named as such, not called "not in your caseload"); then the
    permission is checked on the stored version and on the new one, under the model's owner rule
    (:func:`slo.services.permissions.require_write`; a model without one is refused). Refusals
    are audited in their own transaction, so call this before opening the write transaction.
    """
    permissions.require_write_grant(db, actor, record)
    problems = check_against_database(db, record)
    if problems:
        raise ValidationFailed(problems)
    stored = None if is_new(record) else get_row(db, record.facts.entity, record.key())
    old = from_row(record.facts.entity, stored) if stored is not None else None
    permissions.require_write(db, actor, record, old)
    return old


def is_new(record: Record) -> bool:
    """``record`` is to be created with a ref made when it is saved (``slo.services.refs.NEW``)."""
    ref = getattr(record, "ref", None)
    return isinstance(ref, str) and ref.strip().lower() == NEW_REF


#: the ref of a record not saved yet (``slo.services.refs.NEW``, which imports this module)
NEW_REF = "new"


def save(store: Store, actor: Actor, record: Record, *, source: str = "desk") -> str:
    """Create or replace one record: :func:`check_write`, then :func:`write_record` in one transaction.

    Returns ``"create"``, ``"update"`` or ``"unchanged"``.
    """
    check_write(store.db, actor, record)
    with store.write() as db:
        return write_record(db, actor, record, source=source)


def view(store: Store, actor: Actor, entity: str, key: str) -> Record:
    """Read a record for a person (its model's owner rule); a personal record's view is audited."""
    record = get(store.db, entity, key)
    permissions.require_view(store.db, actor, record)
    if record.facts.personal:
        with store.write() as db:
            audit.record(db, actor.collar, audit.VIEW, entity, key)
    return record


# --------------------------------------------------------------------------- deleting a mistake

#: what may be deleted (a record created by mistake), as a person names one of them; everything
#: else is corrected or ended instead
DELETABLE = {"engagements": "engagement", "consultations": "consultation", "referrals": "referral",
             "young_people": "young person", "absences": "absence", "abstractions": "abstraction"}


def one_of(entity: str) -> str:
    """One record of ``entity`` as a person says it (``young person``)."""
    return DELETABLE.get(entity) or entity.replace("_", " ")


def _referrers(db: Database, entity: str, key: str) -> list[str]:
    """``"<entity> <key>"`` of the records that name this one (its references, and a rebooking)."""
    out: list[str] = []
    for model in ENTITY_MODELS.values():
        facts = model.facts
        for ref in facts.references:
            if ref.entity != entity:
                continue
            key_sql = " || '/' || ".join(f"[{c}]" for c in facts.key)
            for (other,) in db.execute(
                f"SELECT {key_sql} FROM [{facts.entity}] WHERE [{ref.field}] = ? ORDER BY 1 LIMIT 3", [key]
            ).fetchall():
                out.append(f"{one_of(facts.entity)} {other}")
    if entity == "engagements":
        for (other,) in db.execute(
            "SELECT ref FROM engagements WHERE rebooked_from = ? ORDER BY ref LIMIT 3", [key]
        ).fetchall():
            out.append(f"engagement {other} (rebooked from it)")
    return out


def why_not_deletable(db: Database, record: Record) -> str | None:
    """Why ``record`` may not be deleted as a mistake (None: it may), in one line.

    The rule (docs/desk.md "Correcting a record"): only a record the officer may correct, of a
    kind listed in :data:`DELETABLE`, that nothing else refers to (a referral, a rebooking, a
    consultation or session about the young person), and that records nothing that has happened
    since: an engagement still planned (a delivered one happened; a cancelled one counts in the
    letdown figures, so it is corrected, not deleted), a referral not completed, an abstraction
    not yet reviewed (the sessions it cancelled are planned again, as when it is cut back to
    nothing). Anything else is corrected instead, and the correction is kept in its history.
    """
    entity = record.facts.entity
    what = f"{one_of(entity)} {record.key()}"
    if entity not in DELETABLE:
        return f"{what} cannot be deleted here: only a visit, session, consultation, referral, young person, " \
               "absence or abstraction created by mistake"
    status = getattr(record, "status", None)
    if entity == "engagements" and status is not None and str(status.value) != "planned":
        return f"{what} is {status.value}: only a planned engagement can be deleted (correct it instead)"
    if entity == "referrals" and status is not None and str(status.value) == "completed":
        return f"{what} is completed: a completed referral cannot be deleted (correct it instead)"
    review = getattr(record, "review_status", None)
    if entity == "abstractions" and review is not None and str(review.value) != "pending":
        return f"{what} was reviewed ({review.value}): only an abstraction awaiting review can be deleted"
    if entity != "abstractions":  # an abstraction's cancellations are given back when it goes
        others = _referrers(db, entity, record.key())
        if others:
            verb = "refers" if len(others) == 1 else "refer"
            return f"{what} cannot be deleted: {', '.join(others)} {verb} to it"
    return None


def delete(store: Store, actor: Actor, entity: str, key: str, reason: str) -> history.Entry:
    """Delete one record created by mistake (:func:`why_not_deletable`), with the officer's reason.

    Permission as for correcting it (:func:`check_write` on the stored version). One transaction:
    the row goes, the audit row names the fields it had (never their values, never the reason),
    and its history ends with a ``delete`` row holding its last values and the reason. An
    abstraction's or an absence's cancellations are re-worked as when it is cut back to nothing
    (:func:`slo.services.abstractions.reshape`, :func:`slo.services.absences.reshape`: the sessions
    it cancelled are planned again, or left cancelled where their slot has gone). Returns the
    history's ``delete`` entry.
    """
    from slo.models.text import clean_line

    if entity not in ENTITY_MODELS:
        raise NotFound(f"no kind of record called {entity!r}")
    table = ENTITY_MODELS[entity].facts.entity  # the schema's own name, never the caller's text
    reason = clean_line(reason or "").strip()
    record = get(store.db, table, key)
    if not reason:
        raise ValidationFailed([Problem(table, key, "reason", "say why it is deleted (it was created by mistake)")])
    permissions.require_write(store.db, actor, record, record)
    why = why_not_deletable(store.db, record)
    if why:
        raise Conflict(f"{why}; nothing was deleted")
    with store.write() as db:
        record = get(db, table, key)
        why = why_not_deletable(db, record)
        if why:
            raise Conflict(f"{why}; nothing was deleted")
        if table == "abstractions":
            from . import abstractions

            assert isinstance(record, abstractions.Abstraction)
            abstractions.reshape(db, actor, record, None, source="delete")
        db.execute(f"DELETE FROM [{table}] WHERE {key_where(table)}", split_key(table, key))
        if table == "absences":  # after the row has gone: the sessions it cancelled are planned again
            from . import absences

            assert isinstance(record, absences.Absence)
            absences.reshape(db, actor, record, None, source="delete")
        last = record.to_bundle()
        audit.record(db, actor.collar, audit.DELETE, table, key,
                     {"fields": sorted(k for k, v in last.items() if v is not None), "source": "desk",
                      "reason_given": True})
        history.record_change(db, actor.collar, table, key, last, None, source="desk",
                              young_person=young_person_of(record), reason=reason)
    gone = history.deleted(store.db, table, key)
    assert gone is not None
    return gone
