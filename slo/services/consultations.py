"""Pre-exclusion consultations and referrals: the use cases behind the desk's forms and the CLI.

Rules (see ``docs/consultations.md``):

* Who may write: a consultation belongs to its ``officer``; an SLO writes their
  own, a sergeant their team's, an admin any (``permissions.require_write``). A
  referral belongs to its young person's officers (``Referral.facts.owner``: the
  officers assigned to their school, and those with a consultation or a session
  with them, so the officer of its consultation among them); with none, only an
  admin writes it (deny by default).
* Suspension days in an academic year (1 Sep - 31 Aug): over 30 earns a
  warning, over 45 (the legal maximum) a stronger warning. Never a refusal:
  the school decides, the officer records.
* Referral status moves ``made -> accepted | declined | waiting_list``,
  ``waiting_list -> accepted | declined``, ``accepted -> completed``;
  ``declined`` and ``completed`` are final. ``outcome22`` may be true only
  when the referral is completed (Outcome 22 is recorded only once the
  activity is done). Every status change (and the first status) writes an
  audit row ``status_change`` with ``{"from": old, "to": new}``: that is the
  referral's history (:func:`referral_history`).
* Advice is private: it never goes into audit details (field names only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from slo.models.entities import Consultation, Referral, YoungPerson
from slo.models.refusals import refusal
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import audit, history, permissions, records, refs, schooldays
from .actors import Actor
from .errors import Conflict, NotFound
from .schooldays import Deadline
from .young_people import EthnicityAnswer, with_ethnicity

if TYPE_CHECKING:
    from sqlite_utils import Database

#: over this many suspension days in an academic year, a warning
YEAR_WARNING_DAYS = 30.0

#: allowed referral status changes
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "made": frozenset({"accepted", "declined", "waiting_list"}),
    "waiting_list": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"completed"}),
    "declined": frozenset(),
    "completed": frozenset(),
}

STATUS_CHANGE = "status_change"


@dataclass
class ConsultationResult:
    consultation: Consultation
    warnings: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


# --------------------------------------------------------------------------- suspension totals


def suspension_days_in_year(db: Database, young_person: str, on: date) -> float:
    """Suspension days of a young person's suspensions starting in the academic year holding ``on``."""
    first, last = schooldays.academic_year(on)
    return schooldays.suspension_total(schooldays.exclusions_of(db, young_person), first, last)


def _year_warnings(db: Database, consultation: Consultation) -> list[str]:
    if consultation.outcome != "suspension" or consultation.outcome_on is None:
        return []
    row = db.execute("SELECT exclusion_start FROM consultations WHERE ref = ?", [consultation.ref]).fetchone()
    start = date.fromisoformat(row[0]) if row and row[0] else consultation.outcome_on
    total = suspension_days_in_year(db, consultation.young_person, start)
    first, last = schooldays.academic_year(start)
    year = f"{first.year}/{str(last.year)[2:]}"
    who = consultation.young_person
    if total > schooldays.SUSPENSION_CAP_DAYS:
        return [
            f"{who} would have {total:g} suspension days in {year}: more than the legal maximum of 45 "
            "in an academic year; raise it with the head teacher"
        ]
    if total > YEAR_WARNING_DAYS:
        return [f"{who} has {total:g} suspension days in {year} (over 30; the legal maximum is 45)"]
    return []


def _other_warnings(consultation: Consultation) -> list[str]:
    out = []
    if consultation.outcome_on and consultation.outcome_on < consultation.consulted_on:
        out.append(f"{consultation.ref}: outcome_on is before consulted_on")
    if consultation.follow_up_on and consultation.follow_up_on < consultation.consulted_on:
        out.append(f"{consultation.ref}: follow_up_on is before consulted_on")
    if consultation.outcome == "suspension" and consultation.suspension_days is None:
        out.append(f"{consultation.ref}: suspension_days is not recorded; totals and deadlines count it as 0")
    return out


def _result(db: Database, consultation: Consultation) -> ConsultationResult:
    warnings = _year_warnings(db, consultation) + _other_warnings(consultation)
    return ConsultationResult(consultation, warnings, schooldays.deadlines_for(db, consultation.ref))


# --------------------------------------------------------------------------- consultations


def get_consultation(db: Database, ref: str) -> Consultation:
    return records.get(db, "consultations", ref)  # type: ignore[return-value]


def log_consultation(
    store: Store, actor: Actor, consultation: Consultation, *, ethnicity: EthnicityAnswer | None = None
) -> ConsultationResult:
    """Create (ref :data:`refs.NEW`: made here) or edit a consultation (every bundle field). Warnings
    never refuse.

    ``ethnicity``: what the pupil gave when their ethnicity was not recorded; saved on the young
    person in the same transaction as the consultation (both or neither).
    """
    consultation = Consultation.model_validate(consultation.model_dump())
    db = store.db
    # editing: the stored version must be writable too (a colleague's record cannot be taken over)
    records.check_write(db, actor, consultation)
    if ethnicity is not None:
        pupil = records.get(db, "young_people", consultation.young_person)
        assert isinstance(pupil, YoungPerson)
        permissions.require_write(db, actor, with_ethnicity(pupil, ethnicity), pupil)
    with store.write() as db:
        consultation = refs.assign(db, consultation)
        if ethnicity is not None:
            person = records.get(db, "young_people", consultation.young_person)
            assert isinstance(person, YoungPerson)
            records.write_record(db, actor, with_ethnicity(person, ethnicity))
        records.write_record(db, actor, consultation)
        if consultation.outcome not in schooldays.EXCLUSION_OUTCOMES:
            _set_exclusion_start(db, actor, consultation, None, source="desk")
        return _result(db, consultation)


def _set_exclusion_start(db: Database, actor: Actor, consultation: Consultation, start: str | None, *,
                         source: str) -> None:
    """Write the exclusion's first day (a database-only column) with its audit and history rows."""
    ref = consultation.ref
    old = db.execute("SELECT exclusion_start FROM consultations WHERE ref = ?", [ref]).fetchone()[0]
    if old == start:
        return
    db.execute("UPDATE consultations SET exclusion_start = ? WHERE ref = ?", [start, ref])
    audit.record(db, actor.collar, audit.UPDATE, "consultations", ref,
                 {"fields": ["exclusion_start"], "source": source})
    history.record_change(db, actor.collar, "consultations", ref, {"exclusion_start": old},
                          {"exclusion_start": start}, source=source, young_person=consultation.young_person)


def record_outcome(
    store: Store,
    actor: Actor,
    ref: str,
    outcome: str,
    outcome_on: date,
    *,
    exclusion_start: date | None = None,
    suspension_days: float | None = None,
    follow_up_on: date | None = None,
) -> ConsultationResult:
    """Record (or correct) what the school decided. ``None`` keyword arguments keep the stored value,
    except ``exclusion_start``, which is cleared unless the outcome is an exclusion."""
    current = get_consultation(store.db, ref)
    permissions.require(store.db, actor, permissions.WRITE, current.officer, what=f"consultations {ref}")
    data = current.model_dump()
    data["outcome"] = outcome
    data["outcome_on"] = None if outcome == "pending" else outcome_on
    if suspension_days is not None:
        data["suspension_days"] = suspension_days
    if follow_up_on is not None:
        data["follow_up_on"] = follow_up_on
    try:
        updated = Consultation.model_validate(data)
    except Exception as exc:  # pydantic ValidationError -> one clear line naming the value given
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            raise refusal(exc, "consultations", ref) from None
        raise
    if exclusion_start is not None and updated.outcome not in schooldays.EXCLUSION_OUTCOMES:
        raise ValidationFailed([Problem(
            "consultations", ref, "exclusion_start", "may be given only for a suspension or permanent exclusion"
        )])
    with store.write() as db:
        records.write_record(db, actor, updated)
        old_start = db.execute("SELECT exclusion_start FROM consultations WHERE ref = ?", [ref]).fetchone()[0]
        new_start = exclusion_start.isoformat() if exclusion_start is not None else None
        if updated.outcome in schooldays.EXCLUSION_OUTCOMES and exclusion_start is None:
            new_start = old_start  # keep a start given earlier
        _set_exclusion_start(db, actor, updated, new_start, source="outcome")
        return _result(db, updated)


def exclusion_start(db: Database, ref: str) -> date | None:
    row = db.execute("SELECT exclusion_start FROM consultations WHERE ref = ?", [ref]).fetchone()
    if row is None:
        raise NotFound(f"no consultation {ref!r}")
    return date.fromisoformat(row[0]) if row[0] else None


# --------------------------------------------------------------------------- referrals


def referral_owner(db: Database, referral: Referral) -> str | None:
    """The officer whose caseload a referral belongs to (see module docstring)."""
    if referral.consultation:
        row = db.execute("SELECT officer FROM consultations WHERE ref = ?", [referral.consultation]).fetchone()
        if row:
            return str(row[0])
    on = referral.made_on.isoformat()
    for day in (on, audit.now_local().date().isoformat()):
        row = db.execute(
            "SELECT a.officer FROM assignments a JOIN young_people y ON y.school = a.school "
            "WHERE y.ref = ? AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)",
            [referral.young_person, day, day],
        ).fetchone()
        if row:
            return str(row[0])
    row = db.execute(
        "SELECT officer FROM consultations WHERE young_person = ? ORDER BY consulted_on DESC, ref DESC LIMIT 1",
        [referral.young_person],
    ).fetchone()
    return row[0] if row else None


def _check_outcome22(referral: Referral) -> None:
    if referral.outcome22 and referral.status != "completed":
        raise ValidationFailed([Problem(
            "referrals", referral.ref, "outcome22",
            "may be true only when the referral is completed (Outcome 22 is recorded once the activity is done)",
        )])


def _check_transition(ref: str, old: str, new: str) -> None:
    if old == new:
        return
    if new not in REFERRAL_TRANSITIONS.get(old, frozenset()):
        allowed = sorted(REFERRAL_TRANSITIONS.get(old, frozenset()))
        then = ", ".join(allowed) if allowed else "nothing (it is final)"
        raise Conflict(f"referral {ref} is {old}; it can change to {then}, not {new}")


def _write_referral(db: Database, actor: Actor, referral: Referral, old_status: str | None) -> None:
    records.write_record(db, actor, referral)
    if old_status != referral.status:
        audit.record(db, actor.collar, STATUS_CHANGE, "referrals", referral.ref,
                     {"from": old_status, "to": referral.status})


def add_referral(store: Store, actor: Actor, referral: Referral) -> Referral:
    """Create (ref :data:`refs.NEW`: made here) or edit a referral; returns it as saved. An edit that
    changes the status follows the allowed transitions."""
    referral = Referral.model_validate(referral.model_dump())
    _check_outcome22(referral)
    db = store.db
    new = refs.is_new(referral.ref)
    old_row = None if new else records.get_row(db, "referrals", referral.ref)
    if referral.consultation:
        con = db.execute("SELECT young_person FROM consultations WHERE ref = ?", [referral.consultation]).fetchone()
        if con and con[0] != referral.young_person:
            raise ValidationFailed([Problem(
                "referrals", referral.ref, "consultation",
                f"consultation {referral.consultation} is about another young person",
            )])
    records.check_write(db, actor, referral)  # the young person's officers (deny by default)
    old_status = old_row["status"] if old_row else None
    if old_status is not None:
        _check_transition(referral.ref, old_status, referral.status)
    with store.write() as wdb:
        referral = refs.assign(wdb, referral)
        _write_referral(wdb, actor, referral, old_status)
    return referral


def set_referral_status(store: Store, actor: Actor, ref: str, status: str, outcome22: bool | None = None) -> Referral:
    """Move a referral to ``status`` (allowed transitions only); ``outcome22`` when completed.

    ``outcome22=None`` keeps the stored flag (cleared if the new status is not completed).
    """
    current: Referral = records.get(store.db, "referrals", ref)  # type: ignore[assignment]
    permissions.require_write(store.db, actor, current, current)
    _check_transition(ref, current.status, status)
    data = current.model_dump()
    data["status"] = status
    if outcome22 is not None:
        data["outcome22"] = outcome22
    elif status != "completed" and data.get("outcome22"):
        data["outcome22"] = None
    updated = Referral.model_validate(data)
    _check_outcome22(updated)
    with store.write() as db:
        _write_referral(db, actor, updated, current.status)
    return updated


@dataclass(frozen=True)
class StatusChange:
    at: str
    actor: str
    old: str | None
    new: str


def referral_history(db: Database, ref: str) -> list[StatusChange]:
    """Status changes of a referral, oldest first, from the audit log."""
    rows = db.execute(
        "SELECT at, actor, detail FROM audit WHERE entity = 'referrals' AND key = ? AND operation = ? ORDER BY id",
        [ref, STATUS_CHANGE],
    ).fetchall()
    out = []
    for at, who, detail in rows:
        d = json.loads(detail or "{}")
        out.append(StatusChange(at, who, d.get("from"), d.get("to")))
    return out


def referrals_of(db: Database, consultation_ref: str) -> list[Referral]:
    """Referrals linked to a consultation, by date then ref."""
    from slo.store.rows import from_row

    cur = db.execute("SELECT * FROM referrals WHERE consultation = ? ORDER BY made_on, ref", [consultation_ref])
    cols = [c[0] for c in cur.description]
    return [from_row("referrals", dict(zip(cols, r, strict=True))) for r in cur]  # type: ignore[misc]
