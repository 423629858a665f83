"""EngagementStatusForm: mark an engagement delivered, or cancelled with a reason; rebook a cancelled one.

Dismisses with the ref of the engagement whose status was set (not the rebooked one;
the new slot is shown before closing).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from slo.models import Engagement
from slo.models.enums import CancelReason, label
from slo.services.engagements import rebook, set_status
from slo.services.queries.forms import EngagementStatusFormData, engagement_status_form
from slo.tui.widgets.controls import KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import enum_choices

STATUS_KEYS = [("d", "delivered", "Delivered"), ("c", "cancelled", "Cancelled"), ("p", "planned", "Planned")]
YES_NO = [("y", "yes", "Yes"), ("n", "no", "No")]


class EngagementStatusForm(FormScreen[EngagementStatusFormData]):
    """Deliver / cancel / rebook one engagement."""

    CSS_PATH = "engagement_status.tcss"
    FORM_TITLE = "Delivered or cancelled?"
    HELP = (
        "Say what happened to a planned engagement: d = delivered, c = cancelled (then the reason: type e.g. "
        "'abstr', 'school', Enter), p = planned again (reinstate a cancelled one). A cancelled engagement can be "
        "rebooked in the officer's next free slot (y); the new date and time are shown before the form closes. "
        "The school's calendar is updated at the next export."
    )
    MODEL = Engagement

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.existing: Engagement | None = None
        self._rebook = False

    def compose_fields(self) -> ComposeResult:
        yield Static("", id="status-summary", markup=False)
        yield FormField("Status", KeyChoice(STATUS_KEYS, id="in-status", advance=False), field="status", required=True)
        yield FormField("Cancel reason", Picker(enum_choices(CancelReason), id="in-cancel_reason",
                                                placeholder="abstraction, officer unavailable, school..."),
                        field="cancel_reason", classes="-hidden")
        yield FormField("Rebook?", KeyChoice(YES_NO, value="no", allow_blank=False, id="in-rebook"),
                        field="rebook", classes="-hidden", hint="in the officer's next free slot at this school")

    def load(self) -> EngagementStatusFormData:
        return engagement_status_form(self.store, self.actor, self.ref)

    def fill(self, data: EngagementStatusFormData) -> None:
        e = self.existing = data.existing
        self.query_one("#status-summary", Static).update(Text(
            f"{e.ref}: {label(e.kind.value)} \u2014 {e.title}\n{data.school_name}, "
            f"{e.starts_at:%a %d %b %Y %H:%M}-{e.ends_at:%H:%M}; now {e.status.value}"
            + (f" ({label(e.cancel_reason.value).lower()})" if e.cancel_reason else "") + "\n"
        ))
        self.key_choice("status").set_value(e.status.value)
        self.key_choice("status").refresh()
        if e.cancel_reason:
            self.picker("cancel_reason").set_value(e.cancel_reason.value, notify=False)
        self._show_for(e.status.value)

    def after_loaded(self) -> None:
        self.field("status").focus_control()

    @on(KeyChoice.Changed, "#in-status")
    def _status_changed(self, event: KeyChoice.Changed) -> None:
        if self.loaded:
            self._show_for(event.value)
            if event.value == "cancelled" and self.focused is event.control:
                self.call_after_refresh(self.field("cancel_reason").focus_control)

    def _show_for(self, status: str | None) -> None:
        cancelled = status == "cancelled"
        self.field("cancel_reason").set_class(not cancelled, "-hidden")
        self.field("rebook").set_class(not cancelled, "-hidden")

    def collect(self) -> dict[str, Any]:
        assert self.existing is not None
        problems: dict[str, str] = {}
        values = self.existing.model_dump()
        values["status"] = self.key_choice("status").value
        reason = self.pick_value("cancel_reason", problems) if values["status"] == "cancelled" else None
        values["cancel_reason"] = reason
        if values["status"] != "cancelled":
            values["abstraction"] = None if self.existing.status.value == "cancelled" else values["abstraction"]
        self._rebook = values["status"] == "cancelled" and self.key_choice("rebook").value == "yes"
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: Engagement) -> SaveResult:
        old = self.existing
        assert old is not None
        reason = model.cancel_reason.value if model.cancel_reason else None
        if (model.status, model.cancel_reason) != (old.status, old.cancel_reason):
            set_status(self.store, self.actor, self.ref, model.status.value, reason)
        notes: list[str] = []
        if self._rebook:
            new = rebook(self.store, self.actor, self.ref)
            notes.append(
                f"Rebooked as {new.ref}: {new.starts_at:%a %d %b %Y %H:%M}-{new.ends_at:%H:%M}"
            )
        return SaveResult(self.ref, [], notes)
