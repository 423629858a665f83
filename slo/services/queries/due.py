"""The Due screen: everything due for the person using the desk, by name, and what each item opens.

The items are :func:`slo.services.due.due_items` with ``names=True`` (the schools' and the young
people's names: the list is the person's own, or their team's for a sergeant); nothing here is
written to the audit log, as with the caseload's Due line (opening an item's record is audited by
the record's screen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from slo.services.actors import Actor
from slo.store.db import Store

if TYPE_CHECKING:
    from slo.services.due import DueItem

#: the windows the Due screen offers, in days from today (overdue items are always listed)
WINDOWS = (7, 28)
#: the most items listed
MAX_DUE = 500

#: what Enter opens for each kind of item: the record (entity) the item's ref names
OPENS = {
    "follow_up": "consultations",
    "outcome_missing": "consultations",
    "provision_day6": "consultations",
    "governors_review": "consultations",
    "suspension_cap": "consultations",
    "abstraction_review": "abstractions",
    "challenge_result": "abstractions",
    "retention_review": "young_people",
    "handover_note": "handovers",
}


@dataclass(frozen=True)
class Opens:
    """What an item opens: a record (``entity``, ``key``), or a screen (``entity`` ``handovers``)."""

    entity: str
    key: str


def opens(item: DueItem) -> Opens | None:
    """The record (or screen) an item is about, or None for a kind the desk has no screen for."""
    entity = OPENS.get(item.kind)
    return Opens(entity, item.ref) if entity else None


def due_list(store: Store, actor: Actor, on: date, days: int = WINDOWS[0]) -> list[DueItem]:
    """Everything due for ``actor`` from ``on`` over ``days`` days, overdue items first, by name."""
    from slo.services.due import due_items

    items = due_items(store, actor, on, days, names=True)
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.kind, i.ref))[:MAX_DUE]
