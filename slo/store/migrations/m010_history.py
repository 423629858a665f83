"""Migration m010: the history of every record (docs/desk.md "A record's history").

``history`` holds one row per change of one record, written in the same transaction as the
change by :mod:`slo.services.history`: who (``actor``), when (``at``), what (``operation``:
``create``, ``update`` or ``delete``; ``source``: the desk, the command line, an abstraction...)
and, for a correction, each changed field's value before and after (``changes``: a JSON object
``{"field": [old, new]}`` in the bundle's spellings). A deletion keeps the last values, so a
record deleted by mistake can still be read. ``young_person`` is the young person the record is
about (their own record, a consultation, a referral, a 1:1 session), so erasing them finds
their history (the erasure also redacts their names and ref in every other row).

Unlike the audit log, which holds field names only, the history holds personal data: it is
read as the record is (same permissions, views audited) and erased with it.

Shipped once it is on main; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m010_history(db: Database) -> None:
    """The ``history`` table: earlier versions of each record, by (entity, key)."""
    db.execute(
        """
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL,
            key TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
            source TEXT NOT NULL,
            changes TEXT NOT NULL DEFAULT '{}',
            young_person TEXT
        )
        """
    )
    db.execute("CREATE INDEX history_record ON history(entity, key, id)")
    db.execute("CREATE INDEX history_young_person ON history(young_person) WHERE young_person IS NOT NULL")
