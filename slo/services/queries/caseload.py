"""The caseload screen: the schools currently assigned to the officers of a scope, and its header."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slo.services.actors import Actor
from slo.store.db import Store

from .lines import AbstractionLine, abstractions_between
from .scope import MAX_ROWS, OWN, dict_rows, like_pattern, officers_in_scope, week_start

if TYPE_CHECKING:
    from slo.services.due import DueItem

#: the most "due" items the header lists
MAX_DUE = 200


@dataclass
class CaseloadRow:
    urn: str
    name: str
    phase: str
    uniform_policy: str
    officer: str
    next_visit: str | None
    sessions_this_week: int
    open_consultations: int
    last_delivered: str | None
    days_since_delivered: int | None

    @property
    def plain_clothes(self) -> bool:
        return self.uniform_policy == "plain_clothes_only"


def caseload(
    store: Store, actor: Actor, on: date, *, scope: str = OWN, text: str | None = None, limit: int = MAX_ROWS
) -> list[CaseloadRow]:
    """The schools currently assigned to the officers of ``scope``, with their figures on ``on``.

    ``text`` filters by (part of) the school's name or URN; its ``%`` and ``_`` are letters.
    """
    db = store.conn  # plain sqlite3: read while the desk starts, before sqlite-utils is imported
    officers = officers_in_scope(store, actor, scope)
    monday = week_start(on)
    params: dict[str, Any] = {
        "on": on.isoformat(),
        "wk_from": monday.isoformat(),
        "wk_to": (monday + timedelta(days=7)).isoformat(),
        "limit": min(limit, MAX_ROWS),
    }
    where = ["a.start_date <= :on", "(a.end_date IS NULL OR a.end_date >= :on)"]
    if officers is not None:
        names = []
        for i, collar in enumerate(officers):
            params[f"o{i}"] = collar
            names.append(f":o{i}")
        where.append(f"a.officer IN ({', '.join(names) or 'NULL'})")
    if text and text.strip():
        params["like"] = like_pattern(text.strip())
        where.append("(s.name LIKE :like ESCAPE '\\' OR s.urn LIKE :like ESCAPE '\\')")
    sql = f"""
        SELECT s.urn, s.name, s.phase, s.uniform_policy, a.officer,
          (SELECT MIN(e.starts_at) FROM engagements e
             WHERE e.school = s.urn AND e.status = 'planned' AND e.starts_at >= :on) AS next_visit,
          (SELECT COUNT(*) FROM engagements e WHERE e.school = s.urn AND e.status != 'cancelled'
             AND e.starts_at >= :wk_from AND e.starts_at < :wk_to) AS sessions_this_week,
          (SELECT COUNT(*) FROM consultations c
             WHERE c.school = s.urn AND c.outcome = 'pending') AS open_consultations,
          (SELECT MAX(e.starts_at) FROM engagements e WHERE e.school = s.urn
             AND e.status = 'delivered' AND e.starts_at < date(:on, '+1 day')) AS last_delivered
        FROM assignments a JOIN schools s ON s.urn = a.school
        WHERE {' AND '.join(where)}
        ORDER BY s.name COLLATE NOCASE, s.urn
        LIMIT :limit
    """
    out = []
    for r in dict_rows(db.execute(sql, params)):
        last = r["last_delivered"]
        days = (on - datetime.fromisoformat(last).date()).days if last else None
        out.append(CaseloadRow(days_since_delivered=days, **r))
    return out


@dataclass
class CaseloadHeader:
    """Above the caseload: this week's abstractions of its officers, and what is due in 7 days."""

    abstractions: list[AbstractionLine]
    due: list[DueItem] = field(default_factory=list)


def caseload_header(store: Store, actor: Actor, on: date, *, scope: str = OWN) -> CaseloadHeader:
    """This week's abstractions of the caseload's officers, and what is due for ``actor`` (by name:
    the list is the actor's own, or their team's for a sergeant)."""
    # imported here: what is due needs the school-day calendar (holidays, ~0.1 s to import),
    # which the caseload's rows, read while the desk starts, do not
    from slo.services.due import due_items

    db = store.db
    officers = officers_in_scope(store, actor, scope)
    monday = week_start(on)
    abstractions = abstractions_between(db, actor, officers, monday, monday + timedelta(days=6))
    return CaseloadHeader(abstractions, due_items(store, actor, on, 7, names=True)[:MAX_DUE])
