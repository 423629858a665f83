"""AbstractionForm: record that an officer was taken off schools work, and see what it cancelled.

A full-day abstraction cancels every planned engagement of the officer in the span; the form
lists them before saving. For a half day the same list has checkboxes: tick the sessions the
abstraction cancels. After saving, the form shows exactly what was cancelled (refs, schools,
times, and for a 1:1 session that a young person was let down, with their name: the desk is
the officer's own view). Dismisses with the new abstraction's ref.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static, TextArea

from slo.models import Abstraction
from slo.models.enums import AbstractionCategory
from slo.models.types import parse_date
from slo.tui.widgets.form_field import FormField

from .forms.base import (
    FieldProblems,
    FormScreen,
    SaveResult,
    enum_choices,
    text_or_none,
)
from .forms.controls import KeyChoice, Picker


def _when(start, end) -> str:
    text = start.strftime("%a %d %b %Y %H:%M")
    if end is not None:
        text += end.strftime("-%H:%M")
    return text


def session_rows(db: Any, officer: str, date_from: date, date_to: date) -> list[dict[str, Any]]:
    """The officer's planned engagements in the span, described for the desk (thread side)."""
    from slo.services.abstractions import planned_engagements

    out = []
    for e in planned_engagements(db, officer, date_from, date_to):
        school = db.execute("SELECT name FROM schools WHERE urn = ?", [e.school]).fetchone()
        out.append({
            "ref": e.ref,
            "school": e.school,
            "school_name": school[0] if school else "",
            "when": _when(e.starts_at, e.ends_at),
            "title": e.title,
            "young_person": _young_person_name(db, e.young_person),
            "one_to_one": e.young_person is not None or e.kind.value == "one_to_one",
        })
    return out


def _young_person_name(db: Any, ref: str | None) -> str | None:
    if not ref:
        return None
    row = db.execute("SELECT given_name, family_name FROM young_people WHERE ref = ?", [ref]).fetchone()
    return f"{row[0]} {row[1]}" if row else ref


def describe_cancelled(db: Any, cancelled: list[Any]) -> list[str]:
    """One line per cancelled engagement, as the desk shows them after saving."""
    lines = []
    for c in cancelled:
        line = f"Cancelled {c.ref} · {c.school} {c.school_name} · {_when(c.starts_at, c.ends_at)}"
        if c.one_to_one:
            name = _young_person_name(db, c.young_person)
            line += " · a young person was let down" + (f": {name}" if name else "")
        lines.append(line)
    return lines


class AbstractionForm(FormScreen):
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
    CSS_PATH = "abstraction_form.tcss"
    BINDINGS = FormScreen.BINDINGS

    def __init__(self, officer: str | None = None) -> None:
        super().__init__()
        self.officer = officer
        self.sessions: list[dict[str, Any]] = []
        self.sessions_shown = False
        self.cancelled: list[Any] = []
        self._span: tuple[str, str, str] | None = None

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
    def load(self, db: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"officer": self.officer or self.actor.collar}
        self.load_officers(db, data)
        return data

    def fill(self, data: dict[str, Any]) -> None:
        self.fill_officer(data, data["officer"])
        today = self.today().isoformat()
        self.input("date_from").value = today
        self.input("date_to").value = today
        self.refresh_sessions()

    def after_loaded(self) -> None:
        self.field("date_from").focus_control()

    # ----- the sessions list
    def _span_values(self) -> tuple[str, date, date] | None:
        try:
            officer = self.picker("officer").value or (self.data or {}).get("officer")
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
            self.run_worker(self._show_sessions([]), group="abs-sessions", exclusive=True)
            return
        officer, d1, d2 = span
        store = self.store

        def work() -> None:
            rows = session_rows(store.db, officer, d1, d2)
            self.app.call_from_thread(self._show_sessions, rows)

        self.run_worker(work, thread=True, group="abs-sessions-load", exclusive=True, exit_on_error=False)

    async def _show_sessions(self, rows: list[dict[str, Any]]) -> None:
        self.sessions = rows
        box = self.query_one("#abs-sessions-list", Vertical)
        await box.remove_children()
        boxes = []
        for i, r in enumerate(rows):
            label = Text(f"{r['ref']} · {r['when']} · {r['school']} {r['school_name']} · ")
            label.append(r["title"])
            if r["one_to_one"]:
                label.append(f" · 1:1 with {r['young_person']}" if r["young_person"] else " · 1:1 session")
            boxes.append(Checkbox(label, value=False, id=f"abs-cancel-{i}", classes="abs-cancel"))
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
                out.append(r["ref"])
        return out

    @on(Input.Changed, "#in-date_from, #in-date_to")
    def _dates_changed(self, event: Input.Changed) -> None:
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
    def _officer_changed(self, event: Any) -> None:
        if self.loaded:
            self.refresh_sessions()

    # ----- saving
    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        values = {
            "ref": "new",
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
        return values

    def precheck(self, model: Any) -> list[tuple[str | None, str]]:
        from slo.services.abstractions import warnings_for

        return [("date_from", w) for w in warnings_for(self.store.db, model)]

    def persist(self, model: Any) -> SaveResult:
        from slo.services.abstractions import record_abstraction

        cancel = self.app.call_from_thread(self.checked_refs) if model.portion.value == "half" else []
        result = record_abstraction(self.store, self.actor, model, cancel=cancel)
        lines = [f"Recorded abstraction {result.abstraction.ref}."]
        if result.cancelled:
            lines.append(f"It cancelled {len(result.cancelled)} session(s):")
            lines += describe_cancelled(self.store.db, result.cancelled)
        else:
            lines.append("It cancelled no sessions.")
        self.cancelled = result.cancelled
        return SaveResult(result.abstraction.ref, warnings=list(result.warnings), notes=lines)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        # an overlap names no field: show it beside the dates
        super().show_problems([(f or ("date_from" if "overlaps" in m else None), m) for f, m in problems])
