"""The history of each record: every correction keeps the earlier version.

Every change of one record made through the services (:func:`slo.services.records.write_record`,
and the few use cases that write a column of their own: a rebooking, a review, an exclusion's
first day) also writes one row of the ``history`` table (migration m010) in the same
transaction: who made it, when, from where (``source``), and for a correction the value of each
changed field before and after, in the bundle's spellings. A record created by mistake may be
deleted (:func:`slo.services.records.delete`): its history stays, ending with a ``delete`` row
that holds its last values, so what was deleted can still be read.

The history is the record's own, not the audit log's: the audit log says *that* a record
changed and which fields (names only, no personal data), the history says *what* it was. So the
history is personal data like the record: it is shown where the record is (same permissions,
the view audited) and erased with it (:func:`erase_young_person`, called by
:func:`slo.services.retention.erase_young_person`).

A record imported from a bundle has no ``create`` row (the import is audited as one import);
its history starts with its first change in the desk or on the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

CREATE = "create"
UPDATE = "update"
DELETE = "delete"

#: what the history of a young person's erased record says where their data was
ERASED = "[erased]"

#: the name under which a deletion's reason is kept among its row's changes (never a field's name)
REASON = "_reason"


@dataclass(frozen=True)
class Change:
    """One field of one change: its value before and after (``None``: empty, or not there)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Entry:
    """One change of one record."""

    id: int
    at: str
    actor: str
    operation: str
    source: str
    changes: tuple[Change, ...]
    #: why a record was deleted (the officer's words; only on a ``delete`` row)
    reason: str | None = None


def differences(old: dict[str, Any] | None, new: dict[str, Any] | None, fields: Iterable[str] | None = None
                ) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose values differ (``fields``: only those).

    A new record (``old`` None) has none: its values are the record itself, and the first
    correction keeps them as its "before". A deleted record (``new`` None) keeps every value
    it had (before) so the deletion can be read back.
    """
    if old is None:
        return {}
    after = new or {}
    names = list(fields) if fields is not None else sorted(set(old) | set(after))
    out: dict[str, list[Any]] = {}
    for name in names:
        before, now = old.get(name), after.get(name)
        if new is None:
            if before is not None:
                out[name] = [before, None]
        elif before != now:
            out[name] = [before, now]
    return out


def record_change(
    db: Database,
    actor: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    *,
    source: str,
    young_person: str | None = None,
    fields: Iterable[str] | None = None,
    at: str | None = None,
    reason: str | None = None,
) -> str | None:
    """Write the history row of one change (inside the write transaction of the change).

    ``old`` and ``new`` are the record's bundle values before and after (``None``: it did not
    exist before / it was deleted). ``reason``: why it was deleted (kept with the row, under
    :data:`REASON`, erased and redacted like the values). Returns the operation written, or None
    when nothing changed (a correction that changed no field writes no row).
    """
    if not db.conn.in_transaction:
        raise RuntimeError("history.record_change must run inside the write transaction of the change")
    if old is None and new is None:
        return None
    operation = CREATE if old is None else DELETE if new is None else UPDATE
    changes = differences(old, new, fields)
    if operation == UPDATE and not changes:
        return None
    if reason and operation == DELETE:
        changes[REASON] = [reason, None]
    if at is None:
        from .audit import now_local

        at = now_local().isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO history (entity, key, at, actor, operation, source, changes, young_person) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [entity, key, at, actor, operation, source, json.dumps(changes, ensure_ascii=False, sort_keys=True),
         young_person],
    )
    return operation


def rekey(db: Database, entity: str, old_key: str, new_key: str) -> int:
    """A record whose natural key changed (an absence moved to another first day) keeps its history."""
    if old_key == new_key:
        return 0
    return int(db.execute("UPDATE history SET key = ? WHERE entity = ? AND key = ?",
                          [new_key, entity, old_key]).rowcount)


def _entry(row: tuple) -> Entry:
    id_, at, actor, operation, source, changes = row
    data = json.loads(changes or "{}")
    reason = data.pop(REASON, [None])[0]
    return Entry(id_, at, actor, operation, source,
                 tuple(Change(name, pair[0], pair[1]) for name, pair in sorted(data.items())), reason)


def history_of(db: Database, entity: str, key: str) -> list[Entry]:
    """The changes of one record, oldest first."""
    rows = db.execute(
        "SELECT id, at, actor, operation, source, changes FROM history WHERE entity = ? AND key = ? ORDER BY id",
        [entity, key],
    ).fetchall()
    return [_entry(r) for r in rows]


def deleted(db: Database, entity: str, key: str) -> Entry | None:
    """The deletion of a record that is no longer there (None if it was never deleted, or came back)."""
    row = db.execute(
        "SELECT id, at, actor, operation, source, changes FROM history WHERE entity = ? AND key = ? "
        "ORDER BY id DESC LIMIT 1",
        [entity, key],
    ).fetchone()
    entry = _entry(row) if row else None
    return entry if entry is not None and entry.operation == DELETE else None


def deletions_about(db: Database, young_person: str, limit: int = 200) -> list[tuple[str, str, Entry]]:
    """``(entity, key, deletion)`` of the records about a young person that were deleted, newest first."""
    rows = db.execute(
        "SELECT entity, key, id, at, actor, operation, source, changes FROM history "
        "WHERE young_person = ? AND operation = 'delete' ORDER BY id DESC LIMIT ?",
        [young_person, limit],
    ).fetchall()
    return [(r[0], r[1], _entry(r[2:])) for r in rows]


# --------------------------------------------------------------------------- erasure

#: records that are erased whole with a young person: their history goes with them
ERASED_WITH_THEM = ("young_people", "consultations", "referrals")


def erase_young_person(
    db: Database,
    ref: str,
    redact: Callable[[str, str, str], str],
    *,
    dropped_fields: dict[str, tuple[str, ...]] | None = None,
) -> int:
    """Erase a young person from the history (inside the erasure's write transaction).

    * the history of their own record, of their consultations and referrals (and of such
      records deleted earlier) is deleted, as the records are;
    * in every other row, a value equal to their ref becomes empty where the record now
      holds nothing (``dropped_fields``: e.g. a 1:1 session's ``young_person`` and ``notes``,
      which the erasure empties) and ``[erased]`` elsewhere;
    * every text value goes through ``redact(entity, key, text)`` (the erasure's name
      matcher), which returns the text with the young person's names replaced.

    Returns the number of rows deleted or rewritten.
    """
    dropped_fields = dropped_fields or {}
    marks = ", ".join("?" for _ in ERASED_WITH_THEM)
    own = db.execute(
        f"SELECT DISTINCT entity, key FROM history WHERE young_person = ? AND entity IN ({marks})",
        [ref, *ERASED_WITH_THEM],
    ).fetchall()
    touched = 0
    for entity, key in own + [("young_people", ref)]:
        touched += int(db.execute("DELETE FROM history WHERE entity = ? AND key = ?", [entity, key]).rowcount)
    updates: list[tuple[str, str | None, int]] = []
    for id_, entity, key, changes, about in db.execute(
        "SELECT id, entity, key, changes, young_person FROM history"
    ).fetchall():
        data = json.loads(changes or "{}")
        about_them = about == ref or any(ref in pair for pair in data.values())
        drop = dropped_fields.get(entity, ()) if about_them else ()
        new_data: dict[str, list[Any]] = {}
        for name, pair in data.items():
            new_pair = []
            for value in pair:
                if name in drop:
                    value = None
                elif value == ref:
                    value = ERASED
                elif isinstance(value, str) and value:
                    value = redact(entity, key, value)
                new_pair.append(value)
            if new_pair[0] != new_pair[1]:
                new_data[name] = new_pair
        new_about = None if about == ref else about
        if new_data != data or new_about != about:
            updates.append((json.dumps(new_data, ensure_ascii=False, sort_keys=True), new_about, id_))
    for text, about, id_ in updates:
        db.execute("UPDATE history SET changes = ?, young_person = ? WHERE id = ?", [text, about, id_])
    return touched + len(updates)
