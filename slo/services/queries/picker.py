"""The "who are you?" screen: the officers to choose from, and the chosen one as the acting user."""

from __future__ import annotations

from slo.services.actors import Actor, list_officers, load_actor
from slo.store.db import Store

from .scope import MAX_ROWS


def officers(store: Store) -> list[Actor]:
    """Every officer, by role then collar number (at most MAX_ROWS)."""
    return list_officers(store.db)[:MAX_ROWS]


def acting_officer(store: Store, collar: str) -> Actor:
    """The officer the desk will act as (:class:`NotFound` if there is none)."""
    return load_actor(store.db, collar)
