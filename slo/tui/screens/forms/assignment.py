"""AssignmentForm (an officer takes a school from a day) and EndAssignmentForm (the school's current
assignment ends on a day): admins. A school has one officer on any day: an overlap is refused naming
the other assignment. To move a school from one officer to the next in one step (with its planned
visits and a note for the incoming officer) use the handover form instead (``h``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from slo.models import Assignment
from slo.models.types import IsoDate
from slo.services.officers import assign, end_assignment
from slo.services.queries.admin import SchoolFormData, school_form
from slo.tui.widgets.controls import Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import choices, parse_day, text_or_none


def school_line(data: SchoolFormData) -> Text:
    text = Text()
    text.append(f"{data.name} ({data.urn})\n", style="bold")
    if data.current:
        collar, name, start = data.current
        text.append(f"Officer today: {name} ({collar}) since {start}")
    else:
        text.append("No officer today.", style="bold yellow")
    return text


class AssignmentForm(FormScreen[SchoolFormData]):
    """A schools liaison officer takes school ``urn`` from a day (until a day, or open-ended)."""

    FORM_TITLE = "Assign an officer"
    HELP = (
        "Assign a schools liaison officer to this school from a day (and until a day, or leave it open). A "
        "school has one officer on any day. To hand a school from its officer to another, with its planned "
        "visits and a note for the incoming officer, use h (handover) instead. ctrl+s saves, Escape discards."
    )
    MODEL = Assignment
    CSS_PATH = "absence.tcss"

    def __init__(self, urn: str) -> None:
        super().__init__()
        self.urn = urn

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="assign-school")
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"), field="officer",
                        required=True)
        yield FormField("From", Input(placeholder="YYYY-MM-DD", id="in-start_date", compact=True),
                        field="start_date", required=True)
        yield FormField("Until (inclusive)", Input(placeholder="YYYY-MM-DD (empty: open-ended)", id="in-end_date",
                                                   compact=True), field="end_date")

    def load(self) -> SchoolFormData:
        return school_form(self.store, self.actor, self.urn, today=self.today())

    def fill(self, data: SchoolFormData) -> None:
        self.query_one("#assign-school", Static).update(school_line(data))
        self.picker("officer").choices = choices(data.officers)
        self.input("start_date").value = self.today().isoformat()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        values = {"officer": self.pick_value("officer", problems), "school": self.urn,
                  "start_date": text_or_none(self.input("start_date").value),
                  "end_date": text_or_none(self.input("end_date").value)}
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: Assignment) -> SaveResult:
        assign(self.store, self.actor, model)
        return SaveResult(model.key())


class LastDay(BaseModel):
    end_date: IsoDate


class EndAssignmentForm(FormScreen[SchoolFormData]):
    """The school's current assignment ends on a day (the school has no officer after it)."""

    FORM_TITLE = "End the assignment"
    HELP = ("The school's officer stops covering it after the last day given; the school then has no officer "
            "until someone is assigned. ctrl+s saves, Escape discards.")
    MODEL = LastDay
    CSS_PATH = "absence.tcss"

    def __init__(self, urn: str) -> None:
        super().__init__()
        self.urn = urn

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="assign-school")
        yield FormField("Last day", Input(placeholder="YYYY-MM-DD", id="in-end_date", compact=True),
                        field="end_date", required=True)

    def load(self) -> SchoolFormData:
        return school_form(self.store, self.actor, self.urn, today=self.today())

    def fill(self, data: SchoolFormData) -> None:
        self.query_one("#assign-school", Static).update(school_line(data))
        self.input("end_date").value = self.today().isoformat()
        if data.current is None:
            self.show_message("The school has no officer today: there is no assignment to end.")

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        day = parse_day(self.input("end_date").value, "end_date", problems)
        if problems or day is None:
            raise FieldProblems(problems or {"end_date": "give the last day, YYYY-MM-DD"})
        return {"end_date": day}

    def persist(self, model: LastDay) -> SaveResult:
        current = self.data.current if self.data else None
        if current is None:
            raise FieldProblems({"end_date": "the school has no officer today"})
        done = end_assignment(self.store, self.actor, self.urn, date.fromisoformat(current[2]), model.end_date)
        return SaveResult(done.key())
