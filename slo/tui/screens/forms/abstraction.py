"""AbstractionForm: record that an officer was taken off schools work, and see what it cancelled.

A full-day abstraction cancels every planned engagement of the officer in the span; the form
lists them before saving. For a half day the same list has checkboxes: tick the sessions the
abstraction cancels. After saving, the form shows exactly what was cancelled (refs, schools,
times, and for a 1:1 session that a young person was let down, with their name: the desk is
the officer's own view). Dismisses with the new abstraction's ref.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static, TextArea
from textual.worker import Worker

from slo.models import Abstraction
from slo.models.enums import AbstractionCategory
from slo.models.types import parse_date
from slo.services.abstractions import NEW_REF, correct_abstraction, record_abstraction
from slo.services.queries.forms import (
    AbstractionFormData,
    SessionLine,
    abstraction_form,
    abstraction_warnings,
    cancelled_sessions,
    planned_sessions,
)
from slo.tui.widgets.controls import KeyChoice, Picker, WrapCheckbox
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import enum_choices, follow_from, text_or_none


def _when(start: datetime, end: datetime | None) -> str:
    text = start.strftime("%a %d %b %Y %H:%M")
    if end is not None:
        text += end.strftime("-%H:%M")
    return text


def describe_cancelled(cancelled: list[SessionLine]) -> list[str]:
    """One line per cancelled engagement, as the desk shows them after saving."""
    lines = []
    for c in cancelled:
        line = f"Cancelled {c.ref} · {c.school} {c.school_name} · {_when(c.starts_at, c.ends_at)}"
        if c.one_to_one:
            name = c.young_person_name
            line += " · a young person was let down" + (f": {name}" if name else "")
        lines.append(line)
    return lines


class AbstractionForm(FormScreen[AbstractionFormData]):
    """Record an abstraction (taken off schools work while on duty) and what it cancels."""

    FORM_TITLE = "Abstraction: taken off schools work"
    HELP = (
        "Record that the officer was taken off schools work while on duty (call handling, response, "
        "public order, mutual aid ...). Leave, sickness and rest days are absences, not abstractions. "
        "A full day cancels every planned engagement of the officer in the span; for a half day, tick "
        "the sessions it cancels (f / h choose the portion). After saving, the form lists what was "
        "cancelled. ctrl+s saves, Escape discards."
    )
    MODEL = Abstraction
    CSS_PATH = "abstraction.tcss"

    def __init__(self, officer: str | None = None, ref: str | None = None) -> None:
        super().__init__()
        self.officer = officer
        self.ref = ref
        self.sessions: list[SessionLine] = []
        self.sessions_shown = False
        self.cancelled: list[SessionLine] = []
        self._span: tuple[str, str, str] | None = None
        self._from_value = ""

    # ----- fields
    def compose_fields(self) -> ComposeResult:
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"),
                        field="officer", required=True, classes="-hidden")
        yield FormField("From", Input(placeholder="YYYY-MM-DD", id="in-date_from", compact=True),
                        field="date_from", required=True)
        yield FormField("To (inclusive)", Input(placeholder="YYYY-MM-DD", id="in-date_to", compact=True),
                        field="date_to", required=True)
        yield FormField("Portion", KeyChoice([("f", "full", "Full day"), ("h", "half", "Half day")],
                                             value="full", allow_blank=False, id="in-portion"),
                        field="portion", required=True, hint="of each day in the span")
        yield FormField("Category", Picker(enum_choices(AbstractionCategory), id="in-category",
                                           placeholder="e.g. call handling, public order, mutual aid"),
                        field="category", required=True)
        yield FormField("Requested by", Input(placeholder="who took the officer (a role or name)",
                                              id="in-requested_by", compact=True),
                        field="requested_by", required=True)
        yield FormField("Reason", TextArea(id="in-reason"), field="reason")
        with Vertical(id="abs-sessions"):
            yield Static(Text("Planned sessions in the span: none", style="dim"), id="abs-sessions-title")
            yield Vertical(id="abs-sessions-list")

    # ----- loading
    def load(self) -> AbstractionFormData:
        return abstraction_form(self.store, self.actor, self.officer, self.ref)

    def fill(self, data: AbstractionFormData) -> None:
        self.fill_officer(data.officers, data.officer)
        existing = data.existing
        if existing is None:
            today = self.today().isoformat()
            self.input("date_to").value = today
            self.input("date_from").value = today
        else:
            self.query_one("#form-title", Static).update(Text(f"Correct abstraction {existing.ref}"))
            self.input("date_to").value = existing.date_to.isoformat()
            self.input("date_from").value = existing.date_from.isoformat()
            self._from_value = existing.date_from.isoformat()
            self.key_choice("portion").set_value(existing.portion.value)
            self.picker("category").set_value(existing.category.value, notify=False)
            self.input("requested_by").value = existing.requested_by
            self.text_area("reason").text = existing.reason or ""
        self.refresh_sessions()

    def after_loaded(self) -> None:
        self.field("date_from").focus_control()

    # ----- the sessions list
    def _span_values(self) -> tuple[str, date, date] | None:
        try:
            officer = self.picker("officer").value or (self.data.officer if self.data else None)
            d1 = parse_date(self.input("date_from").value.strip())
            d2 = parse_date(self.input("date_to").value.strip())
        except ValueError:
            return None
        if not officer or d2 < d1 or (d2 - d1).days > 366:
            return None
        return officer, d1, d2

    def refresh_sessions(self) -> None:
        span = self._span_values()
        key = (span[0], span[1].isoformat(), span[2].isoformat()) if span else None
        if key == self._span and self.sessions_shown:
            self._apply_portion()
            return
        self._span = key
        if span is None:
            self._run_show([])
            return
        officer, d1, d2 = span
        store = self.store

        def work() -> None:
            rows = planned_sessions(store, officer, d1, d2)
            self.app.call_from_thread(self._sessions_read, rows)

        self.run_worker(work, thread=True, group="abs-sessions-load", exclusive=True, exit_on_error=False)

    def _sessions_read(self, rows: list[SessionLine]) -> None:
        self._run_show(rows)

    def _run_show(self, rows: list[SessionLine]) -> None:
        """Show ``rows`` in a worker that a newer span cancels. The worker is given a function, not a
        coroutine: one cancelled before it starts then leaves no coroutine never awaited."""

        async def show() -> None:
            await self._show_sessions(rows)

        _started: Worker[None] = self.run_worker(show, group="abs-sessions", exclusive=True)  # typed for mypy

    async def _show_sessions(self, rows: list[SessionLine]) -> None:
        self.sessions = rows
        box = self.query_one("#abs-sessions-list", Vertical)
        await box.remove_children()
        boxes = []
        for i, r in enumerate(rows):
            label = Text(f"{r.ref} · {_when(r.starts_at, r.ends_at)} · {r.school} {r.school_name} · ")
            label.append(r.title)
            if r.one_to_one:
                label.append(f" · 1:1 with {r.young_person_name}" if r.young_person_name else " · 1:1 session")
            boxes.append(WrapCheckbox(label, value=False, id=f"abs-cancel-{i}", classes="abs-cancel"))
        if boxes:
            await box.mount_all(boxes)
        self.sessions_shown = True
        self._apply_portion()

    def _apply_portion(self) -> None:
        full = self.key_choice("portion").value != "half"
        n = len(self.sessions)
        if not n:
            title = "Planned sessions in the span: none"
        elif full:
            title = f"Planned sessions in the span: {n}; a full day cancels all of them"
        else:
            title = f"Planned sessions in the span: {n}; tick the ones this half day cancels"
        self.query_one("#abs-sessions-title", Static).update(Text(title, style="bold" if n else "dim"))
        for cb in self.query(".abs-cancel").results(Checkbox):
            if full:
                cb.value = True
            cb.disabled = full

    def checked_refs(self) -> list[str]:
        out = []
        for i, r in enumerate(self.sessions):
            found = self.query(f"#abs-cancel-{i}").results(Checkbox)
            cb = next(iter(found), None)
            if cb is not None and cb.value:
                out.append(r.ref)
        return out

    @on(Input.Changed, "#in-date_from, #in-date_to")
    def _dates_changed(self, event: Input.Changed) -> None:
        if event.input.id == "in-date_from":
            self._from_value = follow_from(self, self._from_value, event.value)
        if self.loaded:
            self.refresh_sessions()

    @on(KeyChoice.Changed, "#in-portion")
    def _portion_changed(self, event: KeyChoice.Changed) -> None:
        if self.sessions_shown:
            if event.value == "half":
                for cb in self.query(".abs-cancel").results(Checkbox):
                    cb.value = False
            self._apply_portion()

    @on(Picker.Changed, "#in-officer")
    def _officer_changed(self, event: Picker.Changed) -> None:
        if self.loaded:
            self.refresh_sessions()

    # ----- saving
    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        existing = self.data.existing if self.data else None
        values: dict[str, Any] = {
            "ref": existing.ref if existing else NEW_REF,
            "officer": self.pick_value("officer", problems),
            "date_from": text_or_none(self.input("date_from").value),
            "date_to": text_or_none(self.input("date_to").value),
            "portion": self.key_choice("portion").value,
            "category": self.pick_value("category", problems),
            "requested_by": text_or_none(self.input("requested_by").value),
            "reason": text_or_none(self.text_area("reason").text),
        }
        if problems:
            raise FieldProblems(problems)
        if existing is not None:  # the review stays as the sergeant made it
            values.update(review_status=existing.review_status.value, reviewed_by=existing.reviewed_by,
                          reviewed_at=existing.reviewed_at, review_note=existing.review_note,
                          challenged_to=existing.challenged_to, resolved_on=existing.resolved_on,
                          resolution_note=existing.resolution_note)
        return values

    def precheck(self, model: Abstraction) -> list[tuple[str | None, str]]:
        return [("date_from", w) for w in abstraction_warnings(self.store, model)]

    def persist(self, model: Abstraction) -> SaveResult:
        cancel = self.app.call_from_thread(self.checked_refs) if model.portion.value == "half" else []
        if self.data is not None and self.data.existing is not None:
            return self._correct(model, cancel)
        result = record_abstraction(self.store, self.actor, model, cancel=cancel)
        self.cancelled = cancelled_sessions(self.store, result.cancelled)
        lines = [f"Recorded abstraction {result.abstraction.ref}."]
        if result.cancelled:
            lines.append(f"It cancelled {len(result.cancelled)} session(s):")
            lines += describe_cancelled(self.cancelled)
        else:
            lines.append("It cancelled no sessions.")
        return SaveResult(result.abstraction.ref, warnings=list(result.warnings), notes=lines)

    def _correct(self, model: Abstraction, ticked: list[str]) -> SaveResult:
        assert self.data is not None
        cancel = [*self.data.cancels, *ticked] if model.portion.value == "half" else None
        result = correct_abstraction(self.store, self.actor, model, cancel=cancel)
        lines = [f"Corrected abstraction {model.ref}."]
        if result.reinstated:
            lines.append(f"Planned again (no longer covered): {', '.join(e.ref for e in result.reinstated)}.")
        if result.cancelled:
            lines.append(f"Newly cancelled: {', '.join(e.ref for e in result.cancelled)}.")
        lines += result.notes
        return SaveResult(model.ref, warnings=list(result.warnings), notes=lines)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        # an overlap names no field: show it beside the dates
        super().show_problems([(f or ("date_from" if "overlaps" in m else None), m) for f, m in problems])
