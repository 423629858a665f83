"""The audit log screen (admins): who did what to which record, when, in sentences; filtered and paged.

Each row reads as a sentence made from its columns and its detail (which holds keys, counts and field
names only, never personal data): ``update abstraction ABS-20260302-1 fields: date_to (withdrawal)``,
``view young person YP-0001``, ``refused review abstractions: officer PC1000 (ABS-1)``.

Filters take what is typed as it is typed (each a prefix or words, case-insensitive):

* ``who``: the actor's collar number starts with it (``S1`` finds S100, S101...);
* ``what``: every word is in the operation and the entity (``update abstr``, ``view young``);
* ``record``: the record's key starts with it (``ABS-2026``, ``YP-00``);
* ``on``: the time starts with it (``2026-01``, ``2026-01-07T09``).

Paging is by position in the log (keyset: rows older than the last one shown), so a page is always
:data:`PAGE` rows whatever the filters, and the count of matching rows says how many pages there are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slo.services import permissions
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import escape_like

#: rows a page
PAGE = 200

#: how an entity reads, one record
ENTITY_WORDS = {
    "teams": "team", "officers": "officer", "schools": "school", "assignments": "assignment",
    "young_people": "young person", "engagements": "engagement", "absences": "absence",
    "abstractions": "abstraction", "consultations": "consultation", "referrals": "referral",
    "term_dates": "term dates", "calendar_links": "calendar link", "calendar_settings": "calendar settings",
    "handovers": "handover", "permission": "", "audit": "audit log",
}

#: detail keys written into the sentence in their own way (the rest follow as "key value")
_SPECIAL = ("fields", "review", "source", "target", "count")


@dataclass
class AuditLine:
    id: int
    at: str
    actor: str
    operation: str
    entity: str
    key: str | None
    detail: str | None

    @property
    def when(self) -> str:
        """``2026-01-07 09:30``."""
        return self.at.replace("T", " ")[:16]

    @property
    def sentence(self) -> str:
        return describe(self.operation, self.entity, self.key, self.detail)


@dataclass
class AuditPage:
    lines: list[AuditLine]
    #: rows matching the filters, in all
    total: int
    #: the page shown (0 = newest)
    page: int
    page_size: int = PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_row(self) -> int:
        return self.page * self.page_size + 1 if self.lines else 0

    @property
    def last_row(self) -> int:
        return self.page * self.page_size + len(self.lines)

    @property
    def has_older(self) -> bool:
        return self.last_row < self.total

    @property
    def label(self) -> str:
        """``Page 2 of 37 · rows 201-400 of 7,312 · 200 rows a page``."""
        if not self.total:
            return "No entry matches the filters."
        return (f"Page {self.page + 1} of {self.pages} · rows {self.first_row:,}-{self.last_row:,} of "
                f"{self.total:,} · {self.page_size} rows a page")


def _value(value: Any) -> str:
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:8])
        return shown + (f" and {len(value) - 8} more" if len(value) > 8 else "")
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe(operation: str, entity: str, key: str | None, detail: str | None) -> str:
    """One audit row as a sentence (keys, counts and field names only: that is all the row holds)."""
    try:
        data = json.loads(detail) if detail else {}
    except ValueError:
        data = {"detail": detail}
    if not isinstance(data, dict):
        data = {"detail": data}
    words = [operation]
    if entity == "permission":
        # a refusal: the key is the action refused
        words.append((key or "").replace("_", " "))
    else:
        what = ENTITY_WORDS.get(entity, entity.replace("_", " "))
        if what:
            words.append(what)
        if key:
            words.append(key)
    text = " ".join(w for w in words if w)
    if "target" in data:
        text += f": {_value(data['target'])}"
    if "count" in data:
        n = data["count"]
        text += f": {n:,} record{'s' if n != 1 else ''}" if isinstance(n, int) else f": {n}"
    if data.get("fields"):
        text += " fields: " + _value(data["fields"])
    review = data.get("review")
    if isinstance(review, dict) and "from" in review:
        text += f"; review {review.get('from')} → {review.get('to')}"
    rest = [f"{k.replace('_', ' ')} {_value(v)}" for k, v in data.items() if k not in _SPECIAL]
    if rest:
        text += "; " + "; ".join(rest)
    if data.get("source"):
        text += f" ({str(data['source']).replace('_', ' ')})"
    return text


def _where(who: str | None, what: str | None, record: str | None, on: str | None) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if who and who.strip():
        where.append("actor LIKE ? ESCAPE '\\'")
        params.append(escape_like(who.strip()) + "%")
    for word in (what or "").split():
        where.append("(operation || ' ' || replace(entity, '_', ' ') || ' ' || COALESCE(key, '')) LIKE ? ESCAPE '\\'")
        params.append(f"%{escape_like(word)}%")
    if record and record.strip():
        where.append("key LIKE ? ESCAPE '\\'")
        params.append(escape_like(record.strip()) + "%")
    if on and on.strip():
        where.append("at LIKE ? ESCAPE '\\'")
        params.append(escape_like(on.strip().replace(" ", "T")) + "%")
    return (" WHERE " + " AND ".join(where)) if where else "", params


def audit_log(
    store: Store,
    actor: Actor,
    *,
    who: str | None = None,
    what: str | None = None,
    record: str | None = None,
    on: str | None = None,
    page: int = 0,
    before: int | None = None,
    page_size: int = PAGE,
) -> AuditPage:
    """One page of the audit log, newest first, filtered (admin only: ``view_audit``).

    ``before``: the id of the oldest row of the page before (keyset paging; None: the newest page);
    ``page`` is that page's number, for the label. Letters the filters use as wildcards (``%``,
    ``_``) are letters."""
    db = store.db
    permissions.require(db, actor, permissions.VIEW_AUDIT, what="the audit log")
    where, params = _where(who, what, record, on)
    total = int(db.execute(f"SELECT COUNT(*) FROM audit{where}", params).fetchone()[0])
    bound = ""
    page_params = list(params)
    if before is not None:
        bound = (" AND " if where else " WHERE ") + "id < ?"
        page_params.append(before)
    rows = db.execute(
        f"SELECT id, at, actor, operation, entity, key, detail FROM audit{where}{bound} ORDER BY id DESC LIMIT ?",
        [*page_params, max(1, min(page_size, 2000))],
    ).fetchall()
    return AuditPage([AuditLine(*r) for r in rows], total, page if before is not None else 0, page_size)
