"""AbsenceForm: record an officer's unavailability (leave, sickness, rest day, course)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from slo.models import Absence
from slo.models.enums import AbsenceKind, label
from slo.tui.widgets.form_field import FormField

from .base import FieldProblems, FormScreen, SaveResult, enum_choices, text_or_none
from .controls import Picker


class AbsenceForm(FormScreen):
    """Unavailability is not abstraction: annual leave, sickness, rest days, courses."""

    CSS_PATH = "absence.tcss"
    FORM_TITLE = "Absence (unavailability, not abstraction)"
    HELP = (
        "Record a span of days when the officer is unavailable: annual leave, sickness, rest day, "
        "training course. Abstractions (taken off schools work while on duty) have their own form. "
        "One officer's absences must not overlap. Dates are YYYY-MM-DD, both days included."
    )
    MODEL = Absence
    BINDINGS = FormScreen.BINDINGS

    def __init__(self, officer: str | None = None) -> None:
        super().__init__()
        self.officer = officer

    def compose_fields(self) -> ComposeResult:
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"),
                        field="officer", required=True, classes="-hidden")
        yield FormField("Kind", Picker(enum_choices(AbsenceKind), id="in-kind",
                                       placeholder="e.g. leave, sick, rest"), field="kind", required=True)
        yield FormField("From", Input(placeholder="YYYY-MM-DD", id="in-date_from", compact=True),
                        field="date_from", required=True)
        yield FormField("To (inclusive)", Input(placeholder="YYYY-MM-DD", id="in-date_to", compact=True),
                        field="date_to", required=True)

    def load(self, db: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"officer": self.officer or self.actor.collar}
        self.load_officers(db, data)
        return data

    def fill(self, data: dict[str, Any]) -> None:
        self.fill_officer(data, data["officer"])
        today = self.today().isoformat()
        self.input("date_from").value = today
        self.input("date_to").value = today

    def after_loaded(self) -> None:
        self.field("kind").focus_control()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        values = {
            "officer": self.pick_value("officer", problems),
            "kind": self.pick_value("kind", problems),
            "date_from": text_or_none(self.input("date_from").value),
            "date_to": text_or_none(self.input("date_to").value),
        }
        if problems:
            raise FieldProblems(problems)
        return values

    def problem_words(self, problem: Any) -> str:
        # "overlaps the same officer's absence PC1000/2026-02-16": name the other absence in words
        msg = problem.message
        if "overlaps" in msg:
            other = msg.rsplit(" ", 1)[-1]
            officer, _, start = other.partition("/")
            row = self.store.db.execute(
                "SELECT date_from, date_to, kind FROM absences WHERE officer = ? AND date_from = ?",
                [officer, start],
            ).fetchone()
            if row:
                return f"overlaps the absence {row[0]} to {row[1]} ({label(row[2]).lower()})"
        return super().problem_words(problem)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        # an overlap names no field: show it beside the dates
        super().show_problems([(f or ("date_from" if "overlaps" in m else None), m) for f, m in problems])

    def persist(self, model: Any) -> SaveResult:
        from slo.services import records

        records.save(self.store, self.actor, model)
        return SaveResult(model.key())
