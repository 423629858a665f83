"""AbsenceForm: record an officer's unavailability (leave, sickness, rest day, course)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from slo.models import Absence
from slo.models.enums import AbsenceKind, label
from slo.models.rules import Problem
from slo.services import records
from slo.services.queries.forms import OfficerFormData, absence_at, officer_form
from slo.tui.widgets.controls import Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import enum_choices, follow_from, text_or_none


class AbsenceForm(FormScreen[OfficerFormData]):
    """Unavailability is not abstraction: annual leave, sickness, rest days, courses."""

    CSS_PATH = "absence.tcss"
    FORM_TITLE = "Absence (unavailability, not abstraction)"
    HELP = (
        "Record a span of days when the officer is unavailable: annual leave, sickness, rest day, "
        "training course. Abstractions (taken off schools work while on duty) have their own form. "
        "One officer's absences must not overlap. Dates are YYYY-MM-DD, both days included."
    )
    MODEL = Absence

    def __init__(self, officer: str | None = None) -> None:
        super().__init__()
        self.officer = officer
        self._from_value = ""

    def compose_fields(self) -> ComposeResult:
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"),
                        field="officer", required=True, classes="-hidden")
        yield FormField("Kind", Picker(enum_choices(AbsenceKind), id="in-kind",
                                       placeholder="e.g. leave, sick, rest"), field="kind", required=True)
        yield FormField("From", Input(placeholder="YYYY-MM-DD", id="in-date_from", compact=True),
                        field="date_from", required=True)
        yield FormField("To (inclusive)", Input(placeholder="YYYY-MM-DD", id="in-date_to", compact=True),
                        field="date_to", required=True)

    def load(self) -> OfficerFormData:
        return officer_form(self.store, self.actor, self.officer)

    def fill(self, data: OfficerFormData) -> None:
        self.fill_officer(data.officers, data.officer)
        today = self.today().isoformat()
        self.input("date_to").value = today
        self.input("date_from").value = today

    @on(Input.Changed, "#in-date_from")
    def _from_changed(self, event: Input.Changed) -> None:
        self._from_value = follow_from(self, self._from_value, event.value)

    def after_loaded(self) -> None:
        self.field("kind").focus_control()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        values: dict[str, Any] = {
            "officer": self.pick_value("officer", problems),
            "kind": self.pick_value("kind", problems),
            "date_from": text_or_none(self.input("date_from").value),
            "date_to": text_or_none(self.input("date_to").value),
        }
        if problems:
            raise FieldProblems(problems)
        return values

    def problem_words(self, problem: Problem) -> str:
        # "overlaps the same officer's absence PC1000/2026-02-16": name the other absence in words
        msg = problem.message
        if "overlaps" in msg:
            officer, _, start = msg.rsplit(" ", 1)[-1].partition("/")
            other = absence_at(self.store, officer, start)
            if other:
                return f"overlaps the absence {other.date_from} to {other.date_to} ({label(other.kind).lower()})"
        return super().problem_words(problem)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        # an overlap names no field: show it beside the dates
        super().show_problems([(f or ("date_from" if "overlaps" in m else None), m) for f, m in problems])

    def persist(self, model: Absence) -> SaveResult:
        records.save(self.store, self.actor, model)
        return SaveResult(model.key())
