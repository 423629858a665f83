"""The term dates screen: every local authority's terms (everyone may look; admins change them)."""

from __future__ import annotations

from slo.services.schooldays import Term, list_terms
from slo.store.db import Store


def terms(store: Store, *, authority: str = "") -> list[Term]:
    """Every term whose local authority contains ``authority`` (any case), by authority and start."""
    needle = authority.strip().lower()
    return [t for t in list_terms(store.db) if needle in t.local_authority.lower()]
