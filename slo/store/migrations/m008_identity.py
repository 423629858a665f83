"""Migration m008: who may act as which officer (``access``), and demo databases marked as such.

Shipped once landed; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

ACCESS = """
CREATE TABLE access (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('unix', 'ssh')),
    principal TEXT NOT NULL,
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    public_key TEXT,
    authorized_keys TEXT,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    revoked_by TEXT,
    revoked_at TEXT,
    revoked_reason TEXT
);
CREATE UNIQUE INDEX access_active ON access(kind, principal, officer) WHERE revoked_at IS NULL;
CREATE INDEX access_officer ON access(officer)
"""


@migrations()
def m008_identity(db: Database) -> None:
    """The ``access`` table binds principals to officers, and ``meta.database_kind`` marks a demo.

    A principal is an operating-system account (``kind='unix'``, ``principal`` = the
    account name) or an SSH public key (``kind='ssh'``, ``principal`` = its
    ``SHA256:`` fingerprint, ``public_key`` = ``type base64`` without the comment,
    ``authorized_keys`` = the file its forced-command line was written to). A row
    is never deleted: revoking sets ``revoked_at``/``revoked_by``/``revoked_reason``
    (``revoked`` or ``leaver``), so the history of who could act as whom stays.

    Databases made by ``slo demo`` before this migration are recognised by their
    first audit row (actor ``demo``, written by the demo builder and nothing else)
    and marked as demos, so that they keep accepting any ``--user``.
    """
    for statement in ACCESS.split(";\n"):
        db.execute(statement.strip())
    first = db.execute("SELECT actor, detail FROM audit ORDER BY id LIMIT 1").fetchone()
    if first is not None and first[0] == "demo" and '"source":"demo"' in (first[1] or ""):
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('database_kind', 'demo')")
