"""The audit log screen (admins): who did what to which record, when; filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slo.services import permissions
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import MAX_ROWS, like_pattern


@dataclass
class AuditLine:
    id: int
    at: str
    actor: str
    operation: str
    entity: str
    key: str | None
    detail: str | None


def audit_log(
    store: Store,
    actor: Actor,
    *,
    who: str | None = None,
    entity: str | None = None,
    operation: str | None = None,
    on: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[AuditLine]:
    """One page of the audit log, newest first, filtered (admin only: ``view_audit``).

    ``who``, ``entity`` and ``operation`` match exactly; ``on`` is a prefix of the time
    (``2026-01``), its ``%`` and ``_`` letters.
    """
    db = store.db
    permissions.require(db, actor, permissions.VIEW_AUDIT, what="the audit log")
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("actor", who), ("entity", entity), ("operation", operation)):
        if value and value.strip():
            where.append(f"{column} = ?")
            params.append(value.strip())
    if on and on.strip():
        where.append("at LIKE ? ESCAPE '\\'")
        params.append(like_pattern(on.strip())[1:])  # prefix match on the date
    sql = "SELECT id, at, actor, operation, entity, key, detail FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    params += [min(limit, MAX_ROWS), max(offset, 0)]
    return [AuditLine(*r) for r in db.execute(sql, params).fetchall()]
