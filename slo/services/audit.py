"""The audit log: who did what to which record, when; append-only and hash-chained.

Every creation, change, view of a personal record, export, disclosure, refusal
and deletion is written with :func:`record`, inside the same transaction as the
change it describes. Each row carries ``hash = SHA-256(prev_hash + canonical
JSON of the row)``, so altering, removing or reordering any row breaks the chain
(:func:`verify_chain`). The table's triggers refuse UPDATE and DELETE.

``detail`` must never hold personal data (names, notes, advice): keys, counts
and changed field names only, so that erasing a young person leaves no trace
of them in the log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

LONDON = ZoneInfo("Europe/London")
GENESIS = "0" * 64

# Operations (DPA 2018 s.62: collection, alteration, consultation, disclosure, combination, erasure)
CREATE = "create"
UPDATE = "update"
VIEW = "view"
EXPORT = "export"
DISCLOSURE = "disclosure"
DELETE = "delete"
ERASE = "erase"
IMPORT = "import"
REFUSED = "refused"
CHECK = "check"


def now_local() -> datetime:
    """The current time in Europe/London, without tzinfo, to the second."""
    return datetime.now(LONDON).replace(tzinfo=None, microsecond=0)


def _canonical(row: dict[str, Any]) -> str:
    fields = {k: row.get(k) for k in ("at", "actor", "operation", "entity", "key", "detail")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(row)).encode("utf-8")).hexdigest()


def last_hash(db: Database) -> str:
    row = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def record(
    db: Database,
    actor: str,
    operation: str,
    entity: str,
    key: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> str:
    """Append one audit row (call inside the write transaction of the change). Returns its hash."""
    return record_many(db, actor, operation, entity, [(key, detail)], at=at)


def record_many(
    db: Database,
    actor: str,
    operation: str,
    entity: str,
    items: list[tuple[str | None, dict[str, Any] | None]],
    *,
    at: datetime | None = None,
) -> str:
    """Append one audit row per (key, detail), chained, in one executemany."""
    if not db.conn.in_transaction:
        raise RuntimeError("audit.record must run inside the write transaction of the change")
    stamp = (at or now_local()).isoformat(timespec="seconds")
    prev = last_hash(db)
    rows = []
    for key, detail in items:
        row = {
            "at": stamp,
            "actor": actor,
            "operation": operation,
            "entity": entity,
            "key": key,
            "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else None,
        }
        row["prev_hash"] = prev
        row["hash"] = prev = row_hash(prev, row)
        rows.append(row)
    db.conn.executemany(
        "INSERT INTO audit (at, actor, operation, entity, key, detail, prev_hash, hash) "
        "VALUES (:at, :actor, :operation, :entity, :key, :detail, :prev_hash, :hash)",
        rows,
    )
    return prev


@dataclass
class ChainReport:
    ok: bool
    rows: int
    last_hash: str
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain(db: Database) -> ChainReport:
    """Walk the whole log and check every link; name the first bad row."""
    prev = GENESIS
    count = 0
    cursor = db.execute(
        "SELECT id, at, actor, operation, entity, key, detail, prev_hash, hash FROM audit ORDER BY id"
    )
    cols = [c[0] for c in cursor.description]
    for values in cursor:
        row = dict(zip(cols, values))
        count += 1
        if row["prev_hash"] != prev:
            return ChainReport(False, count, prev, row["id"], "does not link to the row before it")
        if row_hash(prev, row) != row["hash"]:
            return ChainReport(False, count, prev, row["id"], "its content does not match its hash")
        prev = row["hash"]
    return ChainReport(True, count, prev)
