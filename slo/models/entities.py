"""One pydantic model per entity of the data dictionary (``docs/spec/bundle.md``, format ``slo-bundle/1``).

Each model states every rule that concerns a single record: types, formats,
enumerations, and the required-when rules. Beside them, each model's ``facts``
(:class:`~slo.models.facts.EntityFacts`) declare, once, what the rest of the product
needs to know about the entity: its natural key, owner, personal data, JSON and 0/1
columns, references with their roles, and its no-overlap rule. The rules that apply
those facts across records live in :mod:`slo.models.rules`.
Unknown fields are refused (``extra="forbid"``): a typo must never be dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from .enums import (
    FSM,
    SEN,
    AbsenceKind,
    AbstractionCategory,
    CancelReason,
    EngagementKind,
    EngagementStatus,
    Ethnicity,
    EthnicityMissingReason,
    Outcome,
    Partner,
    Phase,
    Portion,
    Proposed,
    ReasonCode,
    ReferralStatus,
    ReviewStatus,
    RiskFactor,
    Role,
    Sex,
    Timing,
    UniformPolicy,
    Weekday,
)
from .facts import MANAGED, EntityFacts, Overlap, Owner, Reference
from .types import CollarNumber, HalfDays, IsoDate, Line, LocalDateTime, Multiline, Ref, Urn

DEFAULT_WORKING_DAYS = [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]


class Record(BaseModel):
    """Base of every entity: strict about unknown fields, validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)

    #: what the product knows about the entity besides its fields (every model declares its own)
    facts: ClassVar[EntityFacts]

    def key(self) -> str:
        """The natural key as one readable string (``PC1000``, ``123456/2026-09-01``)."""
        parts = []
        for name in self.facts.key:
            value = getattr(self, name)
            parts.append(value.isoformat() if isinstance(value, date) else str(value))
        return "/".join(parts)

    def to_bundle(self) -> dict[str, Any]:
        """The record as the bundle writes it: every field, enums as words, ISO dates."""
        return self.model_dump(mode="json")


def _span_check(start: date, end: date | None, start_name: str, end_name: str) -> None:
    if end is not None and end < start:
        raise ValueError(f"{end_name} must be on or after {start_name}")


class Team(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "teams",
        owner=MANAGED,
        references=(
            Reference("sergeant", "officers", role="sergeant", while_named=True, named_as="the sergeant of team"),
        ),
    )
    ref: Ref
    name: Line
    sergeant: CollarNumber | None = None


class Officer(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "officers",
        key=("collar_number",),
        owner=MANAGED,
        json_fields=("working_days",),
        references=(Reference("team", "teams"),),
    )
    collar_number: CollarNumber
    name: Line
    role: Role
    team: Ref | None = None
    working_days: list[Weekday] = Field(default_factory=lambda: list(DEFAULT_WORKING_DAYS))
    start_date: IsoDate
    end_date: IsoDate | None = None

    @field_validator("working_days", mode="before")
    @classmethod
    def _default_days(cls, value: Any) -> Any:
        return list(DEFAULT_WORKING_DAYS) if value is None else value

    @field_validator("working_days")
    @classmethod
    def _unique_days(cls, value: list[Weekday]) -> list[Weekday]:
        if not value:
            raise ValueError("must name at least one day")
        if len(set(value)) != len(value):
            raise ValueError("names a day twice")
        order = list(Weekday)
        return sorted(value, key=order.index)

    @model_validator(mode="after")
    def _dates(self) -> Officer:
        _span_check(self.start_date, self.end_date, "start_date", "end_date")
        return self


class School(Record):
    facts: ClassVar[EntityFacts] = EntityFacts("schools", key=("urn",), owner=MANAGED)
    urn: Urn
    name: Line
    phase: Phase
    local_authority: Line | None = None
    postcode: Line | None = None
    head_teacher: Line | None = None
    head_teacher_email: Line | None = None
    uniform_policy: UniformPolicy = UniformPolicy.UNIFORM_WELCOME

    @field_validator("uniform_policy", mode="before")
    @classmethod
    def _default_policy(cls, value: Any) -> Any:
        return UniformPolicy.UNIFORM_WELCOME if value is None else value


class Assignment(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "assignments",
        key=("school", "start_date"),
        owner=Owner(officer="officer", managed=True),
        references=(Reference("officer", "officers"), Reference("school", "schools")),
        overlap=Overlap(
            "school", "start_date", "end_date",
            "a school has at most one assigned officer on any day; overlaps assignment",
        ),
    )
    officer: CollarNumber
    school: Urn
    start_date: IsoDate
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _dates(self) -> Assignment:
        _span_check(self.start_date, self.end_date, "start_date", "end_date")
        return self


class YoungPerson(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "young_people",
        owner=Owner(young_person="ref"),
        personal=True,
        references=(Reference("school", "schools"),),
    )
    ref: Ref
    given_name: Line
    family_name: Line
    date_of_birth: IsoDate | None = None
    school: Urn | None = None
    year_group: StrictInt | None = Field(default=None, ge=0, le=14)
    sex: Sex = Sex.UNKNOWN
    ethnicity: Ethnicity | None = None
    ethnicity_missing_reason: EthnicityMissingReason | None = None
    sen: SEN = SEN.UNKNOWN
    fsm: FSM = FSM.UNKNOWN

    @field_validator("sex", "sen", "fsm", mode="before")
    @classmethod
    def _unknown_default(cls, value: Any) -> Any:
        return "unknown" if value is None else value

    @model_validator(mode="after")
    def _ethnicity_reason(self) -> YoungPerson:
        if self.ethnicity_missing_reason is not None and self.ethnicity not in (None, Ethnicity.NS):
            raise ValueError(
                "ethnicity_missing_reason may be given only when ethnicity is empty or NS"
            )
        return self

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Engagement(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "engagements",
        owner=Owner(officer="officer"),
        personal_text=("title", "notes"),
        references=(
            Reference("officer", "officers"),
            Reference("school", "schools"),
            Reference("young_person", "young_people"),
            Reference("abstraction", "abstractions"),
        ),
        calendar_fields=("starts_at", "ends_at", "title", "status", "kind", "school", "officer", "young_person"),
    )
    ref: Ref
    officer: CollarNumber
    school: Urn
    young_person: Ref | None = None
    kind: EngagementKind
    title: Line
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    status: EngagementStatus
    cancel_reason: CancelReason | None = None
    abstraction: Ref | None = None
    notes: Multiline | None = None

    @model_validator(mode="after")
    def _rules(self) -> Engagement:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.status == EngagementStatus.CANCELLED and self.cancel_reason is None:
            raise ValueError("cancel_reason is required when status is cancelled")
        if self.status != EngagementStatus.CANCELLED and self.cancel_reason is not None:
            raise ValueError("cancel_reason must be empty unless status is cancelled")
        return self


class Absence(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "absences",
        key=("officer", "date_from"),
        owner=Owner(officer="officer"),
        references=(Reference("officer", "officers"),),
        overlap=Overlap("officer", "date_from", "date_to", "overlaps the same officer's absence"),
    )
    officer: CollarNumber
    date_from: IsoDate
    date_to: IsoDate
    kind: AbsenceKind

    @model_validator(mode="after")
    def _dates(self) -> Absence:
        _span_check(self.date_from, self.date_to, "date_from", "date_to")
        return self


class Abstraction(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "abstractions",
        owner=Owner(officer="officer"),
        personal_text=("reason", "review_note", "requested_by", "challenged_to", "resolution_note"),
        references=(
            Reference("officer", "officers"),
            Reference("reviewed_by", "officers", role="sergeant", named_as="the reviewer of abstraction"),
        ),
        overlap=Overlap("officer", "date_from", "date_to", "overlaps the same officer's abstraction"),
    )
    ref: Ref
    officer: CollarNumber
    date_from: IsoDate
    date_to: IsoDate
    portion: Portion
    category: AbstractionCategory
    requested_by: Line
    reason: Multiline | None = None
    review_status: ReviewStatus = ReviewStatus.PENDING
    reviewed_by: CollarNumber | None = None
    reviewed_at: LocalDateTime | None = None
    review_note: Multiline | None = None
    #: the review lifecycle (docs/abstractions.md): to whom a challenge went, and its result
    challenged_to: Line | None = None
    resolved_on: IsoDate | None = None
    resolution_note: Multiline | None = None

    @field_validator("review_status", mode="before")
    @classmethod
    def _pending_default(cls, value: Any) -> Any:
        return "pending" if value is None else value

    @model_validator(mode="after")
    def _rules(self) -> Abstraction:
        _span_check(self.date_from, self.date_to, "date_from", "date_to")
        if self.reviewed_by is not None and self.reviewed_by == self.officer:
            raise ValueError("reviewed_by must not be the abstracted officer")
        if self.review_status == ReviewStatus.CHALLENGED and not self.review_note:
            raise ValueError("review_note is required when review_status is challenged")
        return self


class Consultation(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "consultations",
        owner=Owner(officer="officer"),
        personal=True,
        personal_text=("advice", "consulted_by"),
        json_fields=("reasons", "risk_factors"),
        references=(
            Reference("young_person", "young_people"),
            Reference("school", "schools"),
            Reference("officer", "officers"),
        ),
    )
    ref: Ref
    young_person: Ref
    school: Urn
    officer: CollarNumber
    consulted_on: IsoDate
    consulted_by: Line | None = None
    timing: Timing
    proposed: Proposed
    reasons: list[ReasonCode] = Field(min_length=1, max_length=3)
    suspension_days: HalfDays | None = None
    risk_factors: list[RiskFactor] | None = None
    advice: Multiline | None = None
    outcome: Outcome = Outcome.PENDING
    outcome_on: IsoDate | None = None
    follow_up_on: IsoDate | None = None

    @field_validator("suspension_days", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("expected a number of days")
        return value

    @field_validator("outcome", mode="before")
    @classmethod
    def _pending_default(cls, value: Any) -> Any:
        return "pending" if value is None else value

    @field_validator("reasons", "risk_factors")
    @classmethod
    def _unique(cls, value: list | None) -> list | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("names the same code twice")
        return value

    @model_validator(mode="after")
    def _rules(self) -> Consultation:
        if self.outcome != Outcome.PENDING and self.outcome_on is None:
            raise ValueError("outcome_on is required unless outcome is pending")
        return self


class Referral(Record):
    facts: ClassVar[EntityFacts] = EntityFacts(
        "referrals",
        owner=Owner(young_person="young_person"),
        personal=True,
        bool_fields=("outcome22",),
        references=(Reference("young_person", "young_people"), Reference("consultation", "consultations")),
    )
    ref: Ref
    young_person: Ref
    consultation: Ref | None = None
    partner: Partner
    made_on: IsoDate
    status: ReferralStatus
    outcome22: StrictBool | None = None


ENTITY_MODELS: dict[str, type[Record]] = {
    m.facts.entity: m
    for m in (
        Team,
        Officer,
        School,
        Assignment,
        YoungPerson,
        Engagement,
        Absence,
        Abstraction,
        Consultation,
        Referral,
    )
}

#: the bundle's section order
ENTITY_ORDER = list(ENTITY_MODELS)

#: an order to write in, parents before the records that refer to them
WRITE_ORDER = [
    "teams",
    "officers",
    "schools",
    "assignments",
    "young_people",
    "absences",
    "abstractions",
    "engagements",
    "consultations",
    "referrals",
]
