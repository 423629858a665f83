"""OfficerForm (add or edit an officer) and LeavingForm (an officer's last day in post): admins.

A new officer's collar number is typed once; when editing it is shown and kept. Working days are
typed as day names (``mon tue wed thu fri``). The leaving form shows the officer's schools today:
saving ends those assignments on the last day and, once it has passed, revokes their access (SSH
keys, accounts) at once (:func:`slo.services.officers.set_leaving_date`); the form then says what
it did and which schools need a handover.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from slo.models import Officer
from slo.models.enums import Role, Weekday
from slo.models.types import IsoDate
from slo.services.officers import add_officer, edit_officer, set_leaving_date
from slo.services.queries.admin import OfficerFormData, officer_form
from slo.tui.widgets.controls import Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import choices, enum_choices, parse_day, text_or_none

DAY_WORDS = {d.value: d.value for d in Weekday} | {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun", "tues": "tue", "thur": "thu", "thurs": "thu",
}


def parse_days(text: str, problems: dict[str, str]) -> list[str] | None:
    """``mon tue wed`` (or ``Monday, Tuesday``) as the model's day words; None when empty."""
    words = [w for w in text.replace(",", " ").lower().split() if w]
    if not words:
        return None
    out = []
    for w in words:
        if w not in DAY_WORDS:
            problems["working_days"] = f"{w!r} is not a day: type days such as mon tue wed thu fri"
            return None
        out.append(DAY_WORDS[w])
    return out


class OfficerForm(FormScreen[OfficerFormData]):
    """Add an officer, or edit one (``collar``)."""

    FORM_TITLE = "Officer"
    HELP = (
        "An officer of the force: collar number (letters and digits, kept once saved), name, role (schools "
        "liaison officer, sergeant, inspector, admin, evaluator), team, working days (mon tue wed thu fri) "
        "and first day in post. Set a leaving date with x on the officers screen (it handles their schools "
        "and access). ctrl+s saves, Escape discards."
    )
    MODEL = Officer
    CSS_PATH = "absence.tcss"

    def __init__(self, collar: str | None = None) -> None:
        super().__init__()
        self.collar = collar

    def compose_fields(self) -> ComposeResult:
        yield FormField("Collar number", Input(id="in-collar_number", compact=True), field="collar_number",
                        required=True)
        yield FormField("Name", Input(id="in-name", compact=True), field="name", required=True)
        yield FormField("Role", Picker(enum_choices(Role), id="in-role", placeholder="e.g. slo, sergeant"),
                        field="role", required=True)
        yield FormField("Team", Picker(id="in-team", placeholder="team (none for admins and evaluators)"),
                        field="team")
        yield FormField("Working days", Input(value="mon tue wed thu fri", id="in-working_days", compact=True),
                        field="working_days", hint="day names, e.g. tue wed thu fri sat")
        yield FormField("In post from", Input(placeholder="YYYY-MM-DD", id="in-start_date", compact=True),
                        field="start_date", required=True)

    def load(self) -> OfficerFormData:
        return officer_form(self.store, self.actor, self.collar, today=self.today())

    def fill(self, data: OfficerFormData) -> None:
        self.picker("team").choices = choices(data.teams)
        o = data.officer
        if o is None:
            self.input("start_date").value = self.today().isoformat()
            return
        self.query_one("#form-title", Static).update(Text(f"Officer {o.collar_number}"))
        box = self.input("collar_number")
        box.value = o.collar_number
        box.disabled = True
        self.input("name").value = o.name
        self.picker("role").set_value(o.role.value, notify=False)
        if o.team:
            self.picker("team").set_value(o.team, notify=False)
        self.input("working_days").value = " ".join(d.value for d in o.working_days)
        self.input("start_date").value = o.start_date.isoformat()

    def after_loaded(self) -> None:
        self.field("name" if self.collar else "collar_number").focus_control()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        existing = self.data.officer if self.data else None
        values: dict[str, Any] = {
            "collar_number": text_or_none(self.input("collar_number").value),
            "name": text_or_none(self.input("name").value),
            "role": self.pick_value("role", problems),
            "team": self.pick_value("team", problems),
            "working_days": parse_days(self.input("working_days").value, problems),
            "start_date": text_or_none(self.input("start_date").value),
            "end_date": existing.end_date if existing else None,
        }
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: Officer) -> SaveResult:
        if self.collar:
            edit_officer(self.store, self.actor, model)
        else:
            add_officer(self.store, self.actor, model)
        return SaveResult(model.collar_number)


class LeavingDay(BaseModel):
    end_date: IsoDate


class LeavingForm(FormScreen[OfficerFormData]):
    """An officer's last day in post."""

    FORM_TITLE = "Leaving date"
    HELP = (
        "The officer's last day in post. Saving ends their assignments on that day (their schools have no "
        "officer from the next day: hand each over with h on the schools screen, which also moves their "
        "planned visits to the next officer) and, once the day has passed, revokes their access to SLO "
        "Desk (SSH keys, accounts) at once; until then they may still use it, and they are refused from "
        "the next day in any case. ctrl+s saves, Escape discards."
    )
    MODEL = LeavingDay
    CSS_PATH = "absence.tcss"

    def __init__(self, collar: str) -> None:
        super().__init__()
        self.collar = collar

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="leaving-summary")
        yield FormField("Last day in post", Input(placeholder="YYYY-MM-DD", id="in-end_date", compact=True),
                        field="end_date", required=True)

    def load(self) -> OfficerFormData:
        return officer_form(self.store, self.actor, self.collar, today=self.today())

    def fill(self, data: OfficerFormData) -> None:
        o = data.officer
        assert o is not None
        text = Text()
        text.append(f"{o.name} ({o.collar_number}), {o.role.value}, in post from {o.start_date}\n", style="bold")
        if data.schools:
            text.append(f"Schools today ({len(data.schools)}): " + ", ".join(f"{n} ({u})" for u, n in data.schools))
        else:
            text.append("No school assigned today.", style="dim")
        self.query_one("#leaving-summary", Static).update(text)
        self.input("end_date").value = (o.end_date or self.today()).isoformat()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        day = parse_day(self.input("end_date").value, "end_date", problems)
        if problems or day is None:
            raise FieldProblems(problems or {"end_date": "give the last day in post, YYYY-MM-DD"})
        return {"end_date": day}

    def persist(self, model: LeavingDay) -> SaveResult:
        done = set_leaving_date(self.store, self.actor, self.collar, model.end_date, today=self.today())
        lines = [f"{self.collar}'s last day in post: {model.end_date}."]
        if done.schools:
            lines.append("Assignments ended on that day: " + ", ".join(f"{n} ({u})" for u, n in done.schools))
        if done.revoked:
            lines.append(f"Access revoked now: {done.revoked} key(s) or account(s).")
        lines += done.notes
        return SaveResult(self.collar, notes=lines)
