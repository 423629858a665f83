"""Young people: add or edit one (its pseudonymous ref made inside the write transaction), and
record the ethnicity a pupil gave (with a consultation: :func:`slo.services.consultations.log_consultation`).

A young person's ref is ``YP-XXXXXX`` (:mod:`slo.services.refs`): random, it carries nothing
about the child (no initials, no date of birth), so it can appear in reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from slo.models.entities import YoungPerson
from slo.store.db import Store

from . import refs
from .actors import Actor


def save_young_person(store: Store, actor: Actor, person: YoungPerson) -> YoungPerson:
    """Add (ref :data:`refs.NEW`) or edit a young person; returns the saved record."""
    return refs.save_with_ref(store, actor, person)


@dataclass(frozen=True)
class EthnicityAnswer:
    """A self-defined ethnicity code, or why there is none (not asked, declined, not known)."""

    ethnicity: str | None = None
    missing_reason: str | None = None


def with_ethnicity(person: YoungPerson, answer: EthnicityAnswer) -> YoungPerson:
    """``person`` with ``answer`` recorded (validated as any young person is)."""
    if answer.ethnicity:
        update = {"ethnicity": answer.ethnicity, "ethnicity_missing_reason": None}
    else:
        update = {"ethnicity_missing_reason": answer.missing_reason}
    return YoungPerson.model_validate({**person.model_dump(), **update})
