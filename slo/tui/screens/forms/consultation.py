"""ConsultationForm: log a pre-exclusion consultation fast.

Common path (form opened from the caseload, nothing preset), keys other than typed text:
type a name + Enter (young person) · ``b`` (before decision; ``a`` after) · type "susp" + Enter
(proposed) · type a code or words + Enter per reason (up to 3; the third moves on) · ctrl+s.
Consulted on defaults to today, the officer to the acting officer, the school to the pupil's.

Saved with :func:`slo.services.consultations.log_consultation`: a new consultation's ref
(``CON-<consulted on>-XXXXXX``) is made inside the write transaction, and an ethnicity given
for the pupil on the way is saved in that same transaction (both or neither).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from slo.models import Consultation
from slo.models.enums import ETHNICITY_LABELS, REASON_LABELS, EthnicityMissingReason, Proposed, RiskFactor, label
from slo.services import refs
from slo.services.consultations import log_consultation
from slo.services.queries.forms import ConsultationFormData, consultation_form
from slo.services.queries.pickers import PupilSummary, SchoolSummary, describe_school, describe_young_person
from slo.services.schooldays import Deadline
from slo.services.young_people import EthnicityAnswer
from slo.tui import bindings
from slo.tui.widgets.controls import Choice, KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .pickers import school_search, young_person_search
from .problems import FieldProblems
from .values import enum_choices, parse_days, text_or_none

#: DfE reason codes: typed by code ("PA") or by words ("assault"). "Other" is never offered.
REASON_CHOICES = [Choice(code, text, code=code) for code, text in REASON_LABELS.items()]
ETHNICITY_CHOICES = [Choice(code, text, code=code) for code, text in ETHNICITY_LABELS.items()] + [
    Choice(f"reason:{r.value}", f"No code: {label(r.value).lower()}", words=r.value) for r in EthnicityMissingReason
]
TIMING_KEYS = [("b", "before_decision", "Before the decision"), ("a", "after_decision", "After (told once decided)")]


def ethnicity_answer(choice: str | None) -> EthnicityAnswer | None:
    """An :data:`ETHNICITY_CHOICES` value as what the pupil gave (a code, or ``reason:...``)."""
    if not choice:
        return None
    if choice.startswith("reason:"):
        return EthnicityAnswer(missing_reason=choice.split(":", 1)[1])
    return EthnicityAnswer(ethnicity=choice)


def deadline_lines(deadlines: list[Deadline]) -> list[str]:
    return [
        f"Due {d.due_on.isoformat()}: {d.title}" + (" (provisional)" if d.provisional else "") for d in deadlines
    ]


class ConsultationForm(FormScreen[ConsultationFormData]):
    """A head teacher consulted the officer (or told them) about a pupil at risk of exclusion."""

    CSS_PATH = "consultation.tcss"
    FORM_TITLE = "Consultation before a suspension or exclusion"
    HELP = (
        "Log that a school consulted you about a pupil at risk of suspension or exclusion. Young person: type "
        "part of a name, Enter picks (ctrl+n makes a new one). Timing: one key, b = before the decision, "
        "a = after (told once the head had decided). Proposed: type e.g. 'susp', Enter. Reasons: up to 3 DfE "
        "codes, type the code (PA) or words (assault), Enter each; Backspace in the empty box removes the last. "
        "Advice is private. ctrl+s saves and shows warnings (suspension days over 30 or 45 in the year) and "
        "deadlines before closing."
    )
    MODEL = Consultation
    BINDINGS = bindings.CONSULTATION_FORM

    def __init__(self, young_person: str | None = None, school: str | None = None, ref: str | None = None) -> None:
        super().__init__()
        self.young_person = young_person
        self.school = school
        self.ref = ref
        self.existing: Consultation | None = None
        self._officer: str | None = None
        self._pupil: PupilSummary | None = None
        self._ethnicity_prompted = False
        self._ethnicity: EthnicityAnswer | None = None
        #: the school in the form (its pupils come first in the young person search)
        self._school: str | None = school
        #: the user picked the school in this form (else it follows the pupil)
        self._school_chosen = False

    def compose_fields(self) -> ComposeResult:
        pupils = young_person_search(self.store, prefer_school_of=lambda: self._school, actor=self.actor)
        yield FormField("Young person", Picker(search=pupils, id="in-young_person",
                                               placeholder="name or ref; ctrl+n for a new one"),
                        field="young_person", required=True)
        yield FormField("Timing", KeyChoice(TIMING_KEYS, id="in-timing"), field="timing", required=True)
        yield FormField("Proposed", Picker(enum_choices(Proposed), id="in-proposed",
                                           placeholder="suspension, permanent, managed move..."),
                        field="proposed", required=True)
        yield FormField("Reasons (1-3)", Picker(REASON_CHOICES, id="in-reasons", limit=3,
                                                placeholder="code (PA) or words (assault), Enter each"),
                        field="reasons", required=True)
        yield FormField("Consulted on", Input(placeholder="YYYY-MM-DD", id="in-consulted_on", compact=True),
                        field="consulted_on", required=True)
        yield FormField("School", Picker(search=school_search(self.store, lambda: self._officer), id="in-school",
                                         placeholder="school name or URN"), field="school", required=True)
        yield FormField("Consulted by", Input(placeholder="e.g. Deputy head (optional)", id="in-consulted_by",
                                              compact=True), field="consulted_by")
        yield FormField("Suspension days", Input(placeholder="e.g. 3 or 2.5 (optional)", id="in-suspension_days",
                                                 compact=True), field="suspension_days")
        yield FormField("Risk factors", Picker(enum_choices(RiskFactor), id="in-risk_factors", limit=len(RiskFactor),
                                               placeholder="type, Enter each (optional)", advance=False),
                        field="risk_factors")
        yield FormField("Advice (private)", TextArea(id="in-advice"), field="advice")
        yield FormField("Follow up on", Input(placeholder="YYYY-MM-DD (optional)", id="in-follow_up_on",
                                              compact=True), field="follow_up_on")
        yield FormField("Ethnicity (optional)", Picker(ETHNICITY_CHOICES, id="in-ethnicity",
                                                       placeholder="code (W1...) or: not asked, declined, not known"),
                        field="ethnicity", classes="-hidden",
                        hint="Not recorded for this young person. Optional: pick a code or why it is missing, "
                             "or press ctrl+s to save without it.")
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"), field="officer",
                        required=True, classes="-hidden")

    # ----- loading
    def load(self) -> ConsultationFormData:
        return consultation_form(self.store, self.actor, ref=self.ref, young_person=self.young_person,
                                 school=self.school)

    def fill(self, data: ConsultationFormData) -> None:
        existing = self.existing = data.existing
        self._officer = self.fill_officer(data.officers, existing.officer if existing else self.actor.collar)
        if data.young_person:
            self._pupil = data.young_person
            self.picker("young_person").set_value(data.young_person.ref, data.young_person.label, notify=False)
        if data.school:
            self.picker("school").set_value(data.school.urn, data.school.label, notify=False)
            self._school = data.school.urn
        self.input("consulted_on").value = (existing.consulted_on if existing else self.today()).isoformat()
        if existing:
            self.key_choice("timing").set_value(existing.timing.value)
            self.picker("proposed").set_value(existing.proposed.value, notify=False)
            self.picker("reasons").set_values([r.value for r in existing.reasons], notify=False)
            self.input("consulted_by").value = existing.consulted_by or ""
            if existing.suspension_days is not None:
                self.input("suspension_days").value = f"{existing.suspension_days:g}"
            self.picker("risk_factors").set_values([r.value for r in existing.risk_factors or []], notify=False)
            self.text_area("advice").text = existing.advice or ""
            self.input("follow_up_on").value = existing.follow_up_on.isoformat() if existing.follow_up_on else ""

    def after_loaded(self) -> None:
        target = "timing" if self.picker("young_person").value else "young_person"
        self.field(target).focus_control()

    # ----- live behaviour
    @on(Picker.Changed, "#in-officer")
    def _officer_changed(self, event: Picker.Changed) -> None:
        self._officer = event.picker.value

    @on(Picker.Changed, "#in-school")
    def _school_changed(self, event: Picker.Changed) -> None:
        # presets and the pupil's school are set without a Changed message: this is the user's pick
        self._school = event.picker.value
        self._school_chosen = event.picker.value is not None

    @on(Picker.Changed, "#in-young_person")
    def _young_person_changed(self, event: Picker.Changed) -> None:
        ref, store, actor = event.picker.value, self.store, self.actor
        previous = self._pupil

        def work() -> None:
            info = describe_young_person(store, actor, ref)
            school = describe_school(store, info.school) if info else None
            self.app.call_from_thread(self._pupil_described, info, school, previous)

        self.run_worker(work, thread=True, exclusive=True, group="pupil")

    def _pupil_described(
        self, info: PupilSummary | None, school: SchoolSummary | None, previous: PupilSummary | None
    ) -> None:
        self._pupil = info
        pupil = self.picker("young_person")
        if info and pupil.picked and pupil.picked[0].value == info.ref and pupil.picked[0].label == info.ref:
            # made inline (ctrl+n): show the name, not only the new ref
            pupil.set_value(info.ref, info.label, notify=False)
        picker = self.picker("school")
        # the school follows the pupil unless the user picked it in this form (a school preset
        # from the caseload or the school screen is only where the search starts)
        follows = picker.value is None or not self._school_chosen or (
            previous is not None and picker.value == previous.school)
        if school and follows and picker.value != school.urn:
            picker.set_value(school.urn, school.label, notify=False)
            self._school = school.urn
        if not self.needs_ethnicity():
            self.field("ethnicity").add_class("-hidden")

    def needs_ethnicity(self) -> bool:
        return self._pupil is not None and self._pupil.ethnicity_missing

    def action_new_young_person(self) -> None:
        from .young_person import YoungPersonForm

        def made(ref: str | None) -> None:
            if ref:
                picker = self.picker("young_person")
                picker.input.value = ""
                picker.set_value(ref, ref)
                self.field("timing").focus_control()

        self.app.push_screen(YoungPersonForm(school=self.picker("school").value), made)

    # ----- values
    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        values: dict[str, Any] = {
            "ref": self.ref or refs.NEW,
            "young_person": self.pick_value("young_person", problems),
            "school": self.pick_value("school", problems),
            "officer": self.pick_value("officer", problems),
            "consulted_on": text_or_none(self.input("consulted_on").value),
            "consulted_by": text_or_none(self.input("consulted_by").value),
            "timing": self.key_choice("timing").value,
            "proposed": self.pick_value("proposed", problems),
            "reasons": self.pick_values("reasons", problems),
            "suspension_days": parse_days(self.input("suspension_days").value, problems, "suspension_days"),
            "risk_factors": self.pick_values("risk_factors", problems) or None,
            "advice": text_or_none(self.text_area("advice").text),
            "follow_up_on": text_or_none(self.input("follow_up_on").value),
        }
        self._ethnicity = ethnicity_answer(self.pick_value("ethnicity", problems)) if self._ethnicity_prompted else None
        if self.existing:
            values["outcome"] = self.existing.outcome.value
            values["outcome_on"] = self.existing.outcome_on
        if problems:
            raise FieldProblems(problems)
        return values

    def action_save(self) -> None:
        # Ethnicity missing with no reason: offer it once, never force it (ctrl+s again saves without it).
        if (self.saved_key is None and not self.saving and self.loaded and not self._ethnicity_prompted
                and self.needs_ethnicity()):
            if self.validate_form() is None:
                return
            self._ethnicity_prompted = True
            self.field("ethnicity").remove_class("-hidden")
            self.field("ethnicity").focus_control()
            self.set_status(
                "Optional: ethnicity is not recorded. Pick a code or a reason, or ctrl+s to save without it.")
            return
        super().action_save()

    def persist(self, model: Consultation) -> SaveResult:
        result = log_consultation(self.store, self.actor, model, ethnicity=self._ethnicity)
        return SaveResult(result.consultation.ref, list(result.warnings), deadline_lines(result.deadlines))
