"""The reports preview kept between openings (migration m012, docs/performance.md).

Counting the force's figures for a term takes most of a second on a national database, and the
figures change only when something they are counted from does. So the last figures counted for a
scope and period are kept (``report_previews``), with the database's data version at the time:
``data_version.n``, which a trigger on each table the report reads moves on every insert, update
and deletion. Kept figures are *current* when that number has not moved since and they were
counted to the same day; otherwise they are what the figures were when they were made, and the
desk shows them as that while it counts again.

What is kept is what the desk's preview shows: officers', teams' and the force's figures and
counts of schools and young people; no child's name or ref. Keeping is not a change of any
record, so it is not audited, and a database that cannot be written (read-only, or held by
another writer) simply keeps nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from slo.services import audit
from slo.store.db import Store, StoreError

from .definitions import DEFINITIONS_VERSION


@dataclass(frozen=True)
class KeptPreview:
    """Figures kept for a scope and period, and whether they are still the figures."""

    figures: dict[str, Any]
    #: when they were counted (local time, to the second)
    made_at: str
    #: nothing they are counted from has changed since, and they are counted to the same day
    current: bool


def scope_key(level: str, key: str | None) -> str:
    """``force``, ``team:REF`` or ``officer:COLLAR``: the name a scope is kept under."""
    return level if key is None else f"{level}:{key}"


def data_version(store: Store) -> int:
    """The number the triggers move on every change to what the report counts (0 before m012's
    triggers have seen any)."""
    row = store.conn.execute("SELECT n FROM data_version WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def kept(store: Store, scope: str, date_from: date, date_to: date, counted_to: date) -> KeptPreview | None:
    """The figures last kept for ``scope`` over ``date_from..date_to`` (None if none, or if kept
    under other definitions), current or not (:class:`KeptPreview`)."""
    conn = store.conn
    row = conn.execute(
        "SELECT counted_to, data_version, definitions, made_at, figures FROM report_previews "
        "WHERE scope = ? AND date_from = ? AND date_to = ?",
        [scope, date_from.isoformat(), date_to.isoformat()],
    ).fetchone()
    if row is None or row[2] != DEFINITIONS_VERSION:
        return None
    current = row[0] == counted_to.isoformat() and row[1] == data_version(store)
    return KeptPreview(json.loads(row[4]), row[3], current)


def count_and_keep(store: Store, scope: str, date_from: date, date_to: date, counted_to: date,
                   count: Callable[[], dict[str, Any]], *, made_at: str | None = None) -> dict[str, Any]:
    """``count()``'s figures, kept for ``scope`` and the period. The data version is read in the
    same read transaction as the counting (one snapshot of the database), so figures are never kept
    under a number that changes they did not see had already moved."""
    conn = store.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        version = data_version(store)
        figures = count()
    finally:
        if began and conn.in_transaction:
            conn.execute("COMMIT")
    text = json.dumps(figures, separators=(",", ":"), sort_keys=True)
    with suppress(StoreError, sqlite3.OperationalError), store.write() as db:
        db.execute(
            "INSERT OR REPLACE INTO report_previews (scope, date_from, date_to, counted_to, data_version, "
            "definitions, made_at, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [scope, date_from.isoformat(), date_to.isoformat(), counted_to.isoformat(), version,
             DEFINITIONS_VERSION, made_at or audit.now_local().isoformat(sep=" "), text],
        )
    return figures
