"""HandoverForm: hand a school from its officer to another in one step (admins).

Choose the incoming officer and the first day they have the school; the form lists the outgoing
officer's planned engagements at the school from that day, each to move to the incoming officer or
(ticked) to cancel with the reason chosen. One the incoming officer could not take as it is (not one
of their working days, an absence or abstraction that day, another engagement at that time) is
ticked to cancel and says why. Saving does it all in one transaction
(:func:`slo.services.handover.hand_over`) and dismisses with the handover's id: the screen then shows
the handover note for the incoming officer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from slo.models.types import CollarNumber, IsoDate, parse_date
from slo.services.errors import USER_ERRORS
from slo.services.handover import HandoverPlan, hand_over, plan_handover
from slo.services.queries.admin import SchoolFormData, school_form
from slo.tui.desk import desk_of
from slo.tui.widgets.controls import KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from .assignment import school_line
from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import choices, parse_day


class HandoverChoice(BaseModel):
    incoming: CollarNumber
    day: IsoDate
    cancel_reason: Literal["officer_unavailable", "school", "other"] = "officer_unavailable"


class HandoverForm(FormScreen[SchoolFormData]):
    """Hand school ``urn`` to another schools liaison officer."""

    FORM_TITLE = "Hand the school over"
    HELP = (
        "Move the school from its officer to another in one step: the outgoing assignment ends the day before "
        "the handover day and the incoming one starts on it; the outgoing officer's planned visits and sessions "
        "at the school from that day move to the incoming officer (the head teacher's calendar follows), or "
        "are cancelled if ticked (with the reason chosen: o officer unavailable, s the school, x other). Ones "
        "the incoming officer cannot take as they are come ticked, with why. The incoming officer gets a "
        "handover note: the school's open consultations and deadlines, planned sessions, young people seen "
        "last term, the head teacher and the uniform policy. ctrl+s saves, Escape discards."
    )
    MODEL = HandoverChoice
    CSS_PATH = "abstraction.tcss"

    def __init__(self, urn: str) -> None:
        super().__init__()
        self.urn = urn
        self.plan: HandoverPlan | None = None
        self._key: tuple[str, str] | None = None

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="handover-school")
        yield FormField("To", Picker(id="in-incoming", placeholder="the incoming officer: collar number or name"),
                        field="incoming", required=True)
        yield FormField("From (first day)", Input(placeholder="YYYY-MM-DD", id="in-day", compact=True),
                        field="day", required=True, hint="the incoming officer has the school from this day")
        yield FormField("If cancelled", KeyChoice([("o", "officer_unavailable", "Officer unavailable"),
                                                   ("s", "school", "The school"), ("x", "other", "Other")],
                                                  value="officer_unavailable", allow_blank=False,
                                                  id="in-cancel_reason"), field="cancel_reason")
        with Vertical(id="abs-sessions"):
            yield Static(Text("Choose the incoming officer and the day.", style="dim"), id="abs-sessions-title")
            yield Vertical(id="abs-sessions-list")

    def load(self) -> SchoolFormData:
        return school_form(self.store, self.actor, self.urn, today=self.today())

    def fill(self, data: SchoolFormData) -> None:
        self.query_one("#handover-school", Static).update(school_line(data))
        self.picker("incoming").choices = choices([o for o in data.officers
                                                   if not data.current or o.value != data.current[0]])
        self.input("day").value = (self.today() + timedelta(days=1)).isoformat()
        if data.current is None:
            self.show_message("The school has no officer today: assign one with a instead.")

    def after_loaded(self) -> None:
        self.field("incoming").focus_control()

    # ----- the plan
    def _inputs(self) -> tuple[str, date] | None:
        incoming = self.picker("incoming").value
        try:
            day = parse_date(self.input("day").value.strip())
        except ValueError:
            return None
        return (incoming, day) if incoming else None

    def refresh_plan(self) -> None:
        got = self._inputs()
        key = (got[0], got[1].isoformat()) if got else None
        if key == self._key:
            return
        self._key = key
        if got is None:
            self.run_worker(self._show_plan(None, "Choose the incoming officer and the day."), group="plan",
                            exclusive=True)
            return
        incoming, day = got
        store, actor, urn = self.store, self.actor, self.urn

        def work() -> None:
            try:
                plan: HandoverPlan | None = plan_handover(store, actor, urn, incoming, day)
                problem = None
            except USER_ERRORS as exc:
                plan, problem = None, str(exc)
            self.app.call_from_thread(lambda: self.run_worker(self._show_plan(plan, problem), group="plan",
                                                              exclusive=True))

        self.run_worker(work, thread=True, group="plan-load", exclusive=True, exit_on_error=False)

    async def _show_plan(self, plan: HandoverPlan | None, problem: str | None) -> None:
        self.plan = plan
        box = self.query_one("#abs-sessions-list", Vertical)
        await box.remove_children()
        title = self.query_one("#abs-sessions-title", Static)
        if plan is None:
            title.update(Text(problem or "", style="bold red" if problem and "Choose" not in problem else "dim"))
            return
        n = len(plan.engagements)
        head = (f"{plan.outgoing_name} ({plan.outgoing}) has the school until {plan.day - timedelta(days=1)}; "
                f"{plan.incoming_name} ({plan.incoming}) from {plan.day}.\n")
        head += (f"{n} planned engagement{'s' if n != 1 else ''} from {plan.day}: each moves to {plan.incoming} "
                 "unless ticked to cancel." if n else "No planned engagement to move.")
        title.update(Text(head, style="bold"))
        boxes = []
        for i, e in enumerate(plan.engagements):
            label = Text(f"cancel  {e.starts_at:%a %d %b %Y %H:%M}-{e.ends_at:%H:%M} · ")
            label.append(e.title)
            if e.one_to_one:
                label.append(" · 1:1 session")
            if e.clash:
                label.append(f" · cannot move: {e.clash}", style="bold yellow")
            boxes.append(Checkbox(label, value=bool(e.clash), id=f"hand-cancel-{i}", classes="hand-cancel",
                                  disabled=bool(e.clash)))
        if boxes:
            await box.mount_all(boxes)

    def checked(self) -> list[str]:
        if self.plan is None:
            return []
        out = []
        for i, e in enumerate(self.plan.engagements):
            cb = next(iter(self.query(f"#hand-cancel-{i}").results(Checkbox)), None)
            if cb is not None and cb.value:
                out.append(e.ref)
        return out

    @on(Input.Changed, "#in-day")
    def _day_changed(self, event: Input.Changed) -> None:
        if self.loaded:
            self.refresh_plan()

    @on(Picker.Changed, "#in-incoming")
    def _officer_changed(self, event: Picker.Changed) -> None:
        if self.loaded:
            self.refresh_plan()

    # ----- saving
    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        incoming = self.pick_value("incoming", problems)
        day = parse_day(self.input("day").value, "day", problems)
        if problems:
            raise FieldProblems(problems)
        return {"incoming": incoming, "day": day, "cancel_reason": self.key_choice("cancel_reason").value}

    def persist(self, model: HandoverChoice) -> SaveResult:
        cancel = self.app.call_from_thread(self.checked)
        done = hand_over(self.store, self.actor, self.urn, model.incoming, model.day, cancel=cancel,
                         cancel_reason=model.cancel_reason, now=desk_of(self.app).now())
        return SaveResult(str(done.id))
