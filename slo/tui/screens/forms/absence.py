"""AbsenceForm: record (or correct) an officer's unavailability (leave, sickness, rest day, course)
and see what it takes away.

An absence cancels every planned engagement of the officer on its days, with the reason "officer
unavailable" (:func:`slo.services.absences.record_absence`). The form lists them as the dates are
typed (a worker asks :func:`slo.services.queries.forms.absence_effects`), naming the young person
of each 1:1 session (the desk is the officer's own view). Correcting an absence (``key``:
``officer/date_from``) also lists the sessions it cancelled on days it would no longer cover,
which are planned again. After saving, the form says what was cancelled and who was let down, and
ctrl+r offers to rebook those sessions (:class:`~slo.tui.screens.rebook.RebookScreen`).
Dismisses with the absence's key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from slo.models import Absence
from slo.models.enums import AbsenceKind, label
from slo.models.rules import Problem
from slo.models.types import parse_date
from slo.services.absences import NotReinstated, record_absence
from slo.services.errors import USER_ERRORS
from slo.services.queries.forms import (
    AbsenceEffects,
    AbsenceFormData,
    SessionLine,
    absence_at,
    absence_effects,
    absence_form,
    cancelled_sessions,
    officer_form,
)
from slo.tui import bindings
from slo.tui.desk import desk_of
from slo.tui.messages import FormSaved
from slo.tui.widgets.controls import Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import enum_choices, follow_from, text_or_none

#: after saving, at most this many sessions are listed one by one (the rest are counted)
MAX_LISTED = 12
#: a span longer than this is not previewed (it is still saved, and the service cancels what it covers)
PREVIEW_DAYS = 366


def _when(start: datetime, end: datetime | None) -> str:
    return start.strftime("%a %d %b %Y %H:%M") + (end.strftime("-%H:%M") if end is not None else "")


def session_words(s: SessionLine) -> Text:
    """One session as the form lists it: ref, when, school, and the young person let down."""
    text = Text(f"{s.ref} · {_when(s.starts_at, s.ends_at)} · {s.school_name or s.school}")
    if s.one_to_one:
        text.append(" · 1:1 with " + s.young_person_name if s.young_person_name else " · a 1:1 session")
    return text


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def let_down(sessions: list[SessionLine]) -> list[str]:
    """The young people whose 1:1 sessions are in ``sessions``, each once."""
    return list(dict.fromkeys(s.young_person_name for s in sessions if s.one_to_one and s.young_person_name))


class AbsenceForm(FormScreen[AbsenceFormData]):
    """Unavailability is not abstraction: annual leave, sickness, rest days, courses."""

    CSS_PATH = "absence.tcss"
    FORM_TITLE = "Absence (unavailability, not abstraction)"
    HELP = (
        "Record a span of days when the officer is unavailable: annual leave, sickness, rest day, "
        "training course. Abstractions (taken off schools work while on duty) have their own form. "
        "One officer's absences must not overlap. Dates are YYYY-MM-DD, both days included. "
        "Saving cancels every planned session of the officer on those days (officer unavailable): the "
        "form lists them, and the young people let down, before you save. Correcting an absence plans "
        "again the sessions of days it no longer covers. After saving, ctrl+r rebooks what was cancelled."
    )
    MODEL = Absence
    BINDINGS = bindings.ABSENCE_FORM

    def __init__(self, officer: str | None = None, key: str | None = None) -> None:
        super().__init__()
        self.officer = officer
        #: the absence being corrected (``officer/date_from``); None: a new one
        self.key = key
        self._from_value = ""
        self._round = 0
        self.effects: AbsenceEffects | None = None
        #: after saving: the sessions to offer for rebooking
        self.to_rebook: list[NotReinstated] = []

    def compose_fields(self) -> ComposeResult:
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"),
                        field="officer", required=True, classes="-hidden")
        yield FormField("Kind", Picker(enum_choices(AbsenceKind), id="in-kind",
                                       placeholder="e.g. leave, sick, rest"), field="kind", required=True)
        yield FormField("From", Input(placeholder="YYYY-MM-DD", id="in-date_from", compact=True),
                        field="date_from", required=True)
        yield FormField("To (inclusive)", Input(placeholder="YYYY-MM-DD", id="in-date_to", compact=True),
                        field="date_to", required=True)
        with Vertical(id="absence-effects"):
            yield Static(Text("Planned sessions on those days: none", style="dim"), id="absence-effects-title")
            yield Static("", id="absence-effects-list", markup=False)

    # ----- loading
    def load(self) -> AbsenceFormData:
        if self.key is not None:
            return absence_form(self.store, self.actor, self.officer, self.key)
        new = officer_form(self.store, self.actor, self.officer)
        return AbsenceFormData(new.officer, new.officers)

    def fill(self, data: AbsenceFormData) -> None:
        self.fill_officer(data.officers, data.officer)
        existing = data.existing
        if existing is not None:
            self.picker("officer").disabled = True  # another officer's absence is recorded, not moved
            self.picker("kind").set_value(existing.kind.value, notify=False)
            self.input("date_to").value = existing.date_to.isoformat()
            self.input("date_from").value = existing.date_from.isoformat()
            self.query_one("#form-title", Static).update(
                Text(f"Correct absence: {existing.officer} from {existing.date_from.isoformat()}"))
        else:
            today = self.today().isoformat()
            self.input("date_to").value = today
            self.input("date_from").value = today

    def after_loaded(self) -> None:
        self.field("kind").focus_control()
        self.refresh_effects()

    @on(Input.Changed, "#in-date_from, #in-date_to")
    def _dates_changed(self, event: Input.Changed) -> None:
        if event.input.id == "in-date_from":
            self._from_value = follow_from(self, self._from_value, event.value)
        self.refresh_effects()

    @on(Picker.Changed, "#in-officer")
    def _officer_changed(self, event: Picker.Changed) -> None:
        self.refresh_effects()

    # ----- what it takes away (before saving)
    def draft(self) -> Absence | None:
        """The absence as typed so far, read quietly; None while its dates cannot be read."""
        officer = self.picker("officer").value or (self.data.officer if self.data else None)
        try:
            d1 = parse_date(self.input("date_from").value.strip())
            d2 = parse_date(self.input("date_to").value.strip())
        except ValueError:
            return None
        if not officer or d2 < d1 or (d2 - d1).days > PREVIEW_DAYS:
            return None
        # the kind changes nothing it cancels
        kind = AbsenceKind(self.picker("kind").value or AbsenceKind.OTHER.value)
        try:
            return Absence(officer=officer, date_from=d1, date_to=d2, kind=kind)
        except ValueError:
            return None

    def refresh_effects(self) -> None:
        if not self.loaded:
            return
        self._round += 1
        round_, draft = self._round, self.draft()
        if draft is None:
            self._effects_read(round_, None, None)
            return
        store, actor, key = self.store, self.actor, self.key

        def work() -> None:
            try:
                found, problem = absence_effects(store, actor, draft, key), None
            except USER_ERRORS as exc:
                found, problem = None, str(exc)
            self.app.call_from_thread(self._effects_read, round_, found, problem)

        self.run_worker(work, thread=True, group="absence-effects", exit_on_error=False)

    def _effects_read(self, round_: int, effects: AbsenceEffects | None, problem: str | None) -> None:
        if round_ != self._round:
            return  # the dates changed since: a later answer is on its way
        self.effects = effects
        title = self.query_one("#absence-effects-title", Static)
        body = self.query_one("#absence-effects-list", Static)
        if effects is None:
            title.update(Text(problem or "Planned sessions on those days: type both dates to see them",
                              style="dim"))
            body.update("")
            return
        lines: list[Text] = []
        n = len(effects.cancels)
        if n:
            head = f"Saving cancels {_plural(n, 'planned session')} (officer unavailable):"
            lines += [Text("  ") + session_words(s) for s in effects.cancels]
            names = let_down(effects.cancels)
            if names:
                lines.append(Text("Let down: " + ", ".join(names), style="bold"))
        else:
            head = "Planned sessions on those days: none"
        if effects.gives_back:
            lines.append(Text(f"Planned again ({_plural(len(effects.gives_back), 'session')} on days no longer "
                              "covered), unless their slot has gone:"))
            lines += [Text("  ") + session_words(s) for s in effects.gives_back]
        lines += [Text(w, style="dim") for w in effects.warnings]
        title.update(Text(head, style="bold" if n else "dim"))
        body.update(Text("\n").join(lines))

    # ----- saving
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
        result = record_absence(self.store, self.actor, model, replaces=self.key, now=desk_of(self.app).now())
        if not (result.cancelled or result.reinstated or result.not_reinstated or result.warnings):
            return SaveResult(model.key())  # it took nothing away: the form closes at once
        cancelled = cancelled_sessions(self.store, result.cancelled)
        span = _span(model.date_from, model.date_to)
        lines = [f"{'Corrected' if self.key else 'Recorded'} the absence {span} ({label(model.kind).lower()})."]
        if cancelled:
            lines.append(f"It cancelled {_plural(len(cancelled), 'planned session')} (officer unavailable):")
            lines += ["  " + session_words(s).plain for s in cancelled[:MAX_LISTED]]
            if len(cancelled) > MAX_LISTED:
                lines.append(f"  and {len(cancelled) - MAX_LISTED} more (ctrl+r lists them all)")
            names = let_down(cancelled)
            if names:
                lines.append(f"{_plural(len(names), 'young person', 'young people')} let down: {', '.join(names)}.")
        else:
            lines.append("It cancelled no sessions.")
        back = cancelled_sessions(self.store, result.reinstated)
        if back:
            lines.append(f"Planned again: {_plural(len(back), 'session')} on days no longer covered:")
            lines += ["  " + session_words(s).plain for s in back[:MAX_LISTED]]
            if len(back) > MAX_LISTED:
                lines.append(f"  and {len(back) - MAX_LISTED} more")
        lines += [f"{n.engagement.ref} stays cancelled: {n.why}" for n in result.not_reinstated]
        self.to_rebook = result.to_rebook
        if self.to_rebook:
            lines.append(f"ctrl+r rebooks {'it' if len(self.to_rebook) == 1 else 'them'} into the next free "
                         "slots; Enter or Escape closes (rebook later from the school's engagements).")
        return SaveResult(model.key(), warnings=list(result.warnings), notes=lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rebook":
            return self.saved_key is not None and bool(self.to_rebook)
        return True

    @on(FormSaved)
    def _saved_show_rebook(self, message: FormSaved) -> None:
        self.refresh_bindings()  # ctrl+r appears when there is something to rebook
        # what it did is listed now (its first line names the absence): the fields and the preview of
        # what it would do make room for it (at 80x24 a week's sessions fit)
        self.query_one("#form-body").add_class("-hidden")

    def action_rebook(self) -> None:
        """After saving: close the form and offer the cancelled sessions for rebooking."""
        if self.saved_key is None or not self.to_rebook:
            return
        from slo.tui.screens.rebook import RebookScreen

        sessions, app = self.to_rebook, self.app
        self.dismiss(self.saved_key)
        app.push_screen(RebookScreen(sessions, why="Cancelled because the officer is away"))


def _span(a: date, b: date) -> str:
    return a.isoformat() if a == b else f"{a.isoformat()} to {b.isoformat()}"
