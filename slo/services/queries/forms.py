"""What each form (``slo/tui/screens/forms/``) reads: the record it edits and what it shows beside it.

One function per form, returning one dataclass the form fills itself from, plus the small
reads forms make while someone types (a title that may name a child, a school's policy,
the sessions an abstraction would cancel). Reading a personal record to edit it is a
view, audited as the record screens' are (:func:`slo.services.records.view`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from slo.services import permissions, records
from slo.services.abstractions import CancelledEngagement, cancelled_by, get_abstraction, planned_engagements
from slo.services.abstractions import warnings_for as abstraction_warnings_for
from slo.services.actors import Actor
from slo.services.privacy import names_in_text
from slo.store.db import Store

from .pickers import (
    Option,
    PupilSummary,
    SchoolSummary,
    describe_school,
    describe_young_person,
    officer_may_pick,
    officer_options,
)
from .week import AbsenceLine

if TYPE_CHECKING:
    from slo.models import Absence, Abstraction, Consultation, Engagement, Referral, YoungPerson


def _officers(store: Store, actor: Actor) -> list[Option] | None:
    """The officer picker's choices, when ``actor`` may write for others (else None: no picker)."""
    return officer_options(store, actor) if officer_may_pick(actor) else None


# --------------------------------------------------------------------------- engagement, consultation


@dataclass
class EngagementFormData:
    existing: Engagement | None
    young_person: PupilSummary | None
    school: SchoolSummary | None
    officers: list[Option] | None


def engagement_form(
    store: Store, actor: Actor, *, ref: str | None, school: str | None, young_person: str | None
) -> EngagementFormData:
    """The engagement ``ref`` (or a new one at ``school``, with ``young_person``); the school
    follows the young person when none is given."""
    from slo.services.engagements import get_engagement

    existing = get_engagement(store.db, ref) if ref else None
    if existing is not None:
        school, young_person = existing.school, existing.young_person
    pupil = describe_young_person(store, actor, young_person)
    if school is None and pupil is not None:
        school = pupil.school
    return EngagementFormData(existing, pupil, describe_school(store, school), _officers(store, actor))


@dataclass
class ConsultationFormData:
    existing: Consultation | None
    young_person: PupilSummary | None
    school: SchoolSummary | None
    officers: list[Option] | None


def consultation_form(
    store: Store, actor: Actor, *, ref: str | None, young_person: str | None, school: str | None
) -> ConsultationFormData:
    """The consultation ``ref`` (a view: audited), or a new one about ``young_person`` at ``school``
    (the pupil's school when none is given)."""
    from slo.models import Consultation

    existing: Consultation | None = None
    if ref:
        record = records.view(store, actor, "consultations", ref)
        assert isinstance(record, Consultation)
        existing = record
        young_person, school = record.young_person, record.school
    pupil = describe_young_person(store, actor, young_person)
    if school is None and pupil is not None:
        school = pupil.school
    return ConsultationFormData(existing, pupil, describe_school(store, school), _officers(store, actor))


def title_names_a_child(store: Store, officer: str, title: str) -> bool:
    """The title names one of ``officer``'s young people (a head teacher's calendar shows titles)."""
    return bool(names_in_text(store.db, officer, title))


# --------------------------------------------------------------------------- outcome, referral


@dataclass
class OutcomeFormData:
    existing: Consultation
    young_person_name: str
    school_name: str
    exclusion_start: str | None


def outcome_form(store: Store, actor: Actor, ref: str) -> OutcomeFormData:
    """The consultation whose outcome is recorded (a view: audited), with its pupil's and school's names."""
    from slo.models import Consultation

    existing = records.view(store, actor, "consultations", ref)
    assert isinstance(existing, Consultation)
    row = store.db.execute(
        "SELECT y.given_name || ' ' || y.family_name, s.name, c.exclusion_start FROM consultations c "
        "JOIN young_people y ON y.ref = c.young_person JOIN schools s ON s.urn = c.school WHERE c.ref = ?",
        [ref],
    ).fetchone()
    name, school, start = row if row else ("", "", None)
    return OutcomeFormData(existing, name, school, start)


@dataclass
class ReferralFormData:
    existing: Referral | None
    young_person: PupilSummary | None
    consultations: list[Option]
    consultation: str | None


def referral_form(
    store: Store, actor: Actor, *, ref: str | None, young_person: str | None, consultation: str | None
) -> ReferralFormData:
    """The referral ``ref`` (a view: audited), or a new one for ``young_person`` (the young person
    of ``consultation`` when only that is given), with the pupil's consultations to link."""
    from slo.models import Referral

    from .pickers import consultation_options

    existing: Referral | None = None
    if ref:
        record = records.view(store, actor, "referrals", ref)
        assert isinstance(record, Referral)
        existing = record
        young_person, consultation = record.young_person, record.consultation
    if consultation and not young_person:
        row = store.db.execute("SELECT young_person FROM consultations WHERE ref = ?", [consultation]).fetchone()
        young_person = row[0] if row else None
    return ReferralFormData(existing, describe_young_person(store, actor, young_person),
                            consultation_options(store, young_person), consultation)


# --------------------------------------------------------------------------- young person


@dataclass
class YoungPersonFormData:
    existing: YoungPerson | None
    school: SchoolSummary | None


def young_person_form(store: Store, actor: Actor, *, ref: str | None, school: str | None) -> YoungPersonFormData:
    """The young person ``ref`` (a view: audited), or a new one at ``school``."""
    from slo.models import YoungPerson

    existing: YoungPerson | None = None
    if ref:
        record = records.view(store, actor, "young_people", ref)
        assert isinstance(record, YoungPerson)
        existing = record
        school = record.school
    return YoungPersonFormData(existing, describe_school(store, school))


# --------------------------------------------------------------------------- engagement status


@dataclass
class EngagementStatusFormData:
    existing: Engagement
    school_name: str


def engagement_status_form(store: Store, actor: Actor, ref: str) -> EngagementStatusFormData:
    """The engagement to deliver, cancel or rebook, and its school's name."""
    from slo.services.engagements import get_engagement

    existing = get_engagement(store.db, ref)
    row = store.db.execute("SELECT name FROM schools WHERE urn = ?", [existing.school]).fetchone()
    return EngagementStatusFormData(existing, row[0] if row else existing.school)


# --------------------------------------------------------------------------- absence, abstraction


@dataclass
class OfficerFormData:
    """A form about one officer's time (absence, abstraction): whose, and whom else it may be for."""

    officer: str
    officers: list[Option] | None


def officer_form(store: Store, actor: Actor, officer: str | None) -> OfficerFormData:
    return OfficerFormData(officer or actor.collar, _officers(store, actor))


def absence_at(store: Store, officer: str, date_from: str) -> AbsenceLine | None:
    """The officer's absence starting on ``date_from`` (a refusal for an overlap names it)."""
    row = store.db.execute(
        "SELECT officer, date_from, date_to, kind FROM absences WHERE officer = ? AND date_from = ?",
        [officer, date_from],
    ).fetchone()
    return AbsenceLine(*row) if row else None


@dataclass
class AbsenceFormData(OfficerFormData):
    """The absence form: whose, whom else it may be for, and the absence being corrected (None: new)."""

    existing: Absence | None = None


def absence_form(store: Store, actor: Actor, officer: str | None, key: str | None) -> AbsenceFormData:
    """A new absence of ``officer`` (default the actor), or absence ``key`` (``officer/date_from``) to correct."""
    if key is None:
        return AbsenceFormData(officer or actor.collar, _officers(store, actor))
    from slo.models import Absence

    record = records.view(store, actor, "absences", key)
    assert isinstance(record, Absence)
    return AbsenceFormData(record.officer, _officers(store, actor), record)


@dataclass
class AbsenceEffects:
    """What saving an absence would do to planned work, with the young people's names (the officer's view)."""

    cancels: list[SessionLine]
    gives_back: list[SessionLine]
    warnings: list[str]


def absence_effects(store: Store, actor: Actor, absence: Absence, replaces: str | None) -> AbsenceEffects:
    """:func:`slo.services.absences.preview` for the absence form (nothing is written)."""
    from slo.services.absences import preview

    if not permissions.allowed(store.db, actor, permissions.WRITE, absence.officer):
        return AbsenceEffects([], [], [])  # saving is refused (and that refusal audited), not each look
    p = preview(store, actor, absence, replaces=replaces)
    return AbsenceEffects(cancelled_sessions(store, p.cancels), cancelled_sessions(store, p.gives_back),
                          p.warnings)


@dataclass
class SessionLine:
    """A planned session an abstraction cancels (or would): the desk names the young person to
    their officer, who needs to know who was let down."""

    ref: str
    school: str
    school_name: str
    starts_at: datetime
    ends_at: datetime | None
    title: str
    one_to_one: bool
    young_person_name: str | None = None


def _young_person_name(store: Store, ref: str | None) -> str | None:
    if not ref:
        return None
    row = store.db.execute("SELECT given_name, family_name FROM young_people WHERE ref = ?", [ref]).fetchone()
    return f"{row[0]} {row[1]}" if row else ref


def planned_sessions(store: Store, officer: str, date_from: date, date_to: date) -> list[SessionLine]:
    """The officer's planned engagements in the span (what a full-day abstraction would cancel)."""
    db = store.db
    out = []
    for e in planned_engagements(db, officer, date_from, date_to):
        school = db.execute("SELECT name FROM schools WHERE urn = ?", [e.school]).fetchone()
        out.append(SessionLine(
            e.ref, e.school, school[0] if school else "", e.starts_at, e.ends_at, e.title,
            e.young_person is not None or e.kind.value == "one_to_one", _young_person_name(store, e.young_person),
        ))
    return out


def cancelled_sessions(store: Store, cancelled: list[CancelledEngagement]) -> list[SessionLine]:
    """What an abstraction cancelled, with the young people's names (for the officer's own view)."""
    return [
        SessionLine(c.ref, c.school, c.school_name, c.starts_at, c.ends_at, "", c.one_to_one,
                    _young_person_name(store, c.young_person) if c.one_to_one else None)
        for c in cancelled
    ]


@dataclass
class AbstractionFormData(OfficerFormData):
    """The abstraction form: for a correction, the abstraction and the sessions it cancels now."""

    existing: Abstraction | None = None
    cancels: list[str] = field(default_factory=list)


def abstraction_form(store: Store, actor: Actor, officer: str | None, ref: str | None = None) -> AbstractionFormData:
    """What the abstraction form loads: whose, and for a correction (``ref``) the stored abstraction
    (permission as to see the officer's records, refused and audited otherwise)."""
    from slo.services import permissions
    from slo.services.abstractions import get_abstraction

    if ref is None:
        return AbstractionFormData(officer or actor.collar, _officers(store, actor))
    existing = get_abstraction(store.db, ref)
    permissions.require(store.db, actor, permissions.VIEW, existing.officer, what=f"abstraction {ref}")
    cancels = [r[0] for r in store.db.execute(
        "SELECT ref FROM engagements WHERE abstraction = ? AND status = 'cancelled' ORDER BY starts_at, ref", [ref])]
    return AbstractionFormData(existing.officer, _officers(store, actor), existing, cancels)


def abstraction_warnings(store: Store, abstraction: Abstraction) -> list[str]:
    """Days of the span that count nothing in the rate (absences, non-working days)."""
    return abstraction_warnings_for(store.db, abstraction)


# --------------------------------------------------------------------------- review


@dataclass
class ReviewFormData:
    abstraction: Abstraction
    officer_name: str
    cancelled: int
    one_to_one: int
    schools: list[str] = field(default_factory=list)
    #: ``actor`` is a sergeant of the officer's team, and not the officer
    may_review: bool = False


def review_form(store: Store, actor: Actor, ref: str) -> ReviewFormData:
    """The abstraction a sergeant reviews, what it cancelled, and whether ``actor`` may review it."""
    db = store.db
    a = get_abstraction(db, ref)
    officer = db.execute("SELECT name FROM officers WHERE collar_number = ?", [a.officer]).fetchone()
    cancelled = cancelled_by(db, ref)
    may = (
        permissions.allowed(db, actor, permissions.REVIEW_ABSTRACTION, a.officer)
        and actor.collar != a.officer
        and actor.role == "sergeant"
    )
    return ReviewFormData(
        a, officer[0] if officer else "", len(cancelled), sum(1 for c in cancelled if c.one_to_one),
        sorted({f"{c.school} {c.school_name}" for c in cancelled}), may,
    )
