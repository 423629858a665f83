"""Refs of new records, made inside the write transaction that saves the record.

A form (or any caller) builds a record with the ref :data:`NEW`; the use case that
saves it calls :func:`assign` inside its ``with store.write() as db:`` block, so the
ref is checked unused and taken in one ``BEGIN IMMEDIATE`` transaction (two desks
saving at once cannot both take it). Refs never change once made.

=================  ==============================  ===========================
entity             ref                             day
=================  ==============================  ===========================
engagements        ``ENG-<yyyymmdd>-XXXXXX``       the start day
consultations      ``CON-<yyyymmdd>-XXXXXX``       consulted on
referrals          ``REF-<yyyymmdd>-XXXXXX``       made on
young_people       ``YP-XXXXXX``                   none: the ref says nothing about the child
=================  ==============================  ===========================

``XXXXXX`` is six random characters from :data:`ALPHABET` (no I, O, 0, 1: a ref can
be read aloud over a radio). Abstractions number their refs by day instead
(:func:`slo.services.abstractions.new_ref`).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from slo.models.entities import Consultation, Engagement, Record, Referral, YoungPerson
from slo.store.db import Store

from . import records
from .actors import Actor

if TYPE_CHECKING:
    from sqlite_utils import Database

#: the ref of a record not saved yet (the same word as an abstraction's, ``slo abstraction add``)
NEW = records.NEW_REF
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

R = TypeVar("R", bound=Record)

#: is this ref taken? one statement per entity (no table name is ever built from a value)
#: a deleted record's ref is taken too: its history keeps the ref, and a new record must not share it
_TAKEN = {
    "engagements": "SELECT 1 FROM engagements WHERE ref = :ref "
                   "UNION ALL SELECT 1 FROM history WHERE entity = 'engagements' AND key = :ref",
    "consultations": "SELECT 1 FROM consultations WHERE ref = :ref "
                     "UNION ALL SELECT 1 FROM history WHERE entity = 'consultations' AND key = :ref",
    "referrals": "SELECT 1 FROM referrals WHERE ref = :ref "
                 "UNION ALL SELECT 1 FROM history WHERE entity = 'referrals' AND key = :ref",
    "young_people": "SELECT 1 FROM young_people WHERE ref = :ref "
                    "UNION ALL SELECT 1 FROM history WHERE entity = 'young_people' AND key = :ref",
}


def is_new(ref: str) -> bool:
    """``ref`` stands for "make one when saving"."""
    return ref.strip().lower() == NEW


def random_code(n: int = 6) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def _shape(record: Record) -> tuple[str, date | None]:
    """The prefix of ``record``'s refs and the day they carry."""
    if isinstance(record, Engagement):
        return "ENG", record.starts_at.date()
    if isinstance(record, Consultation):
        return "CON", record.consulted_on
    if isinstance(record, Referral):
        return "REF", record.made_on
    if isinstance(record, YoungPerson):
        return "YP", None
    raise ValueError(f"{record.facts.entity} records do not get a random ref")


def make_ref(db: Database, record: Record) -> str:
    """A fresh ref for ``record``, unused in its table (call inside the write transaction)."""
    prefix, day = _shape(record)
    middle = f"{day:%Y%m%d}-" if day else ""
    taken = _TAKEN[record.facts.entity]
    while True:
        ref = f"{prefix}-{middle}{random_code()}"
        if db.execute(taken, {"ref": ref}).fetchone() is None:
            return ref


def assign(db: Database, record: R) -> R:
    """``record`` with a fresh ref if its ref is :data:`NEW`, else ``record`` itself."""
    ref = getattr(record, "ref", None)
    if not isinstance(ref, str) or not is_new(ref):
        return record
    return record.model_copy(update={"ref": make_ref(db, record)})


def save_with_ref(store: Store, actor: Actor, record: R) -> R:
    """Save one record (new, with the ref :data:`NEW`, or an edit) as :func:`records.save` does
    (:func:`records.check_write` first), its ref made inside the write transaction; returns the
    record as saved."""
    records.check_write(store.db, actor, record)
    with store.write() as db:
        saved = assign(db, record)
        records.write_record(db, actor, saved)
    return saved
