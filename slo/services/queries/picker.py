"""The "who are you?" screen: the officers to choose from, and the chosen one as the acting user.

Who may be chosen is :mod:`slo.services.identity`'s answer: every officer on a demo database (or
for an in-process caller that passed no principal), otherwise only the principal's own officers.
"""

from __future__ import annotations

from slo.services import identity
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import MAX_ROWS


def officers(store: Store, principal: identity.Principal | None = None) -> list[Actor]:
    """The officers the principal may choose, by role then collar number (at most MAX_ROWS)."""
    return identity.officers_for(store.db, principal)[:MAX_ROWS]


def acting_officer(store: Store, collar: str, principal: identity.Principal | None = None) -> Actor:
    """The officer the desk will act as, checked against the principal's bindings (refused, audited,
    if it may not act as them; :class:`NotFound` on a demo if there is no such officer)."""
    return identity.choose(store, principal, collar)
