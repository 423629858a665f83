"""OutcomeForm: what the school decided after a consultation, and the deadlines that follow."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from slo.models import Consultation
from slo.models.enums import Outcome, label
from slo.services.consultations import record_outcome
from slo.services.queries.forms import OutcomeFormData, outcome_form
from slo.tui.widgets.controls import Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .consultation import deadline_lines
from .problems import FieldProblems
from .values import enum_choices, parse_day, parse_days, text_or_none


class OutcomeForm(FormScreen[OutcomeFormData]):
    """Record the outcome of a consultation: no exclusion, suspension, managed move..."""

    CSS_PATH = "outcome.tcss"
    FORM_TITLE = "Outcome of a consultation"
    HELP = (
        "Record what the school decided. Outcome: type e.g. 'susp', 'none', 'managed', Enter. 'Outcome on' is the "
        "day of the decision (required unless the outcome is pending). For an exclusion give the first day "
        "it applies, if known, so the deadlines (full-time provision from day 6, governors' review) are exact; "
        "they are shown after saving."
    )
    MODEL = Consultation

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.existing: Consultation | None = None
        self._exclusion_start: date | None = None

    def compose_fields(self) -> ComposeResult:
        yield Static("", id="outcome-summary", markup=False)
        yield FormField("Outcome", Picker(enum_choices(Outcome), id="in-outcome",
                                          placeholder="no exclusion, suspension, managed move..."),
                        field="outcome", required=True)
        yield FormField("Outcome on", Input(placeholder="YYYY-MM-DD", id="in-outcome_on", compact=True),
                        field="outcome_on", hint="required unless the outcome is pending")
        yield FormField("Exclusion starts", Input(placeholder="YYYY-MM-DD (optional)", id="in-exclusion_start",
                                                  compact=True), field="exclusion_start")
        yield FormField("Suspension days", Input(placeholder="e.g. 3 or 2.5 (optional)", id="in-suspension_days",
                                                 compact=True), field="suspension_days")
        yield FormField("Follow up on", Input(placeholder="YYYY-MM-DD (optional)", id="in-follow_up_on",
                                              compact=True), field="follow_up_on")

    def load(self) -> OutcomeFormData:
        return outcome_form(self.store, self.actor, self.ref)

    def fill(self, data: OutcomeFormData) -> None:
        c = self.existing = data.existing
        self.query_one("#outcome-summary", Static).update(Text(
            f"{c.ref}: {data.young_person_name} at {data.school_name}, consulted {c.consulted_on.isoformat()}, "
            f"proposed {label(c.proposed.value).lower()} ({', '.join(r.value for r in c.reasons)})\n"
        ))
        if c.outcome != Outcome.PENDING:
            self.picker("outcome").set_value(c.outcome.value, notify=False)
        self.input("outcome_on").value = (c.outcome_on or self.today()).isoformat()
        self.input("exclusion_start").value = data.exclusion_start or ""
        if c.suspension_days is not None:
            self.input("suspension_days").value = f"{c.suspension_days:g}"
        self.input("follow_up_on").value = c.follow_up_on.isoformat() if c.follow_up_on else ""

    def collect(self) -> dict[str, Any]:
        assert self.existing is not None
        problems: dict[str, str] = {}
        values = self.existing.model_dump()
        values["outcome"] = self.pick_value("outcome", problems)
        values["outcome_on"] = text_or_none(self.input("outcome_on").value)
        if values["outcome"] == "pending":
            values["outcome_on"] = None
        days = parse_days(self.input("suspension_days").value, problems, "suspension_days")
        if days is not None:
            values["suspension_days"] = days
        follow = text_or_none(self.input("follow_up_on").value)
        values["follow_up_on"] = follow
        self._exclusion_start = parse_day(self.input("exclusion_start").value, "exclusion_start", problems)
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: Consultation) -> SaveResult:
        result = record_outcome(
            self.store, self.actor, self.ref, model.outcome.value, model.outcome_on or self.today(),
            exclusion_start=self._exclusion_start, suspension_days=model.suspension_days,
            follow_up_on=model.follow_up_on,
        )
        lines = deadline_lines(result.deadlines)
        return SaveResult(self.ref, list(result.warnings), lines)
