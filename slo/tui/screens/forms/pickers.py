"""Searches the forms' pickers run as someone types (in the picker's thread worker).

Each wraps a read model of :mod:`slo.services.queries.pickers`, which decides what the
acting officer may be offered; these only turn its options into the picker's choices.
"""

from __future__ import annotations

from collections.abc import Callable

from slo.services import Store
from slo.services.actors import Actor
from slo.services.queries.pickers import school_options, young_person_options
from slo.tui.widgets.controls import Choice

from .values import choices

Search = Callable[[str], list[Choice]]


def school_search(store: Store, officer_of: Callable[[], str | None]) -> Search:
    """Schools by name or URN, the schools of ``officer_of()`` first."""

    def search(text: str) -> list[Choice]:
        return choices(school_options(store, officer_of(), text))

    return search


def young_person_search(
    store: Store,
    school_of: Callable[[], str | None] | None = None,
    prefer_school_of: Callable[[], str | None] | None = None,
    *,
    actor: Actor | None = None,
) -> Search:
    """Young people ``actor`` may see, by name or ref: only pupils of ``school_of()`` when it gives
    a school; pupils of ``prefer_school_of()`` first. Without an actor nothing is offered."""

    def search(text: str) -> list[Choice]:
        school = school_of() if school_of else None
        preferred = prefer_school_of() if prefer_school_of else None
        return choices(young_person_options(store, actor, text, school=school, prefer_school=preferred))

    return search
