"""ReviewForm: the team sergeant accepts an abstraction, or challenges it with a note.

Shows the abstraction (officer, span, portion, category, who asked, reason, current review and
how many sessions it cancelled), then ``[a] Accept`` / ``[c] Challenge`` and a note (required to
challenge). Dismisses with the abstraction's ref. Only a sergeant of the officer's team may
review (never the abstracted officer); anyone else sees why on opening, and saving is refused.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, model_validator
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from slo.models.enums import label
from slo.models.types import Multiline
from slo.services.abstractions import review_abstraction
from slo.services.queries.forms import ReviewFormData, review_form
from slo.tui.widgets.controls import KeyChoice
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import text_or_none


class ReviewDecision(BaseModel):
    """What the sergeant decided (the form's model)."""

    decision: Literal["accept", "challenge"]
    note: Multiline | None = None

    @model_validator(mode="after")
    def _note(self) -> ReviewDecision:
        if self.decision == "challenge" and not (self.note or "").strip():
            raise ValueError("note is required to challenge: say why")
        return self


class ReviewForm(FormScreen[ReviewFormData]):
    """Accept or challenge one abstraction of the team."""

    FORM_TITLE = "Review an abstraction"
    HELP = (
        "A sergeant reviews an abstraction of an officer in their team: accept it (a), or challenge it "
        "(c) with a note saying why. The review can be changed later. Nobody reviews their own "
        "abstraction. ctrl+s saves, Escape closes."
    )
    MODEL = ReviewDecision
    FIELD_MAP = {"review_note": "note", "review_status": "decision"}
    CSS_PATH = "review.tcss"

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="review-summary")
        yield FormField("Decision", KeyChoice([("a", "accept", "Accept"), ("c", "challenge", "Challenge")],
                                              id="in-decision"), field="decision", required=True)
        yield FormField("Note", TextArea(id="in-note"), field="note",
                        hint="required to challenge; kept with the abstraction, never in the audit log")

    def load(self) -> ReviewFormData:
        return review_form(self.store, self.actor, self.ref)

    def fill(self, data: ReviewFormData) -> None:
        a = data.abstraction
        span = a.date_from.isoformat() if a.date_from == a.date_to else f"{a.date_from} to {a.date_to}"
        text = Text()
        text.append(f"{a.ref}\n", style="bold")
        text.append(f"Officer: {a.officer} {data.officer_name}\n")
        text.append(f"Days: {span} ({label(a.portion.value).lower()} day)\n")
        text.append(f"Category: {label(a.category.value)}\n")
        text.append(f"Requested by: {a.requested_by}\n")
        if a.reason:
            text.append(f"Reason: {a.reason}\n")
        cancelled = f"Cancelled: {data.cancelled} session(s)"
        if data.one_to_one:
            cancelled += f", {data.one_to_one} of them with a young person"
        if data.schools:
            cancelled += " at " + ", ".join(data.schools)
        text.append(cancelled + "\n")
        review = f"Review: {a.review_status.value}"
        if a.reviewed_by:
            review += f" by {a.reviewed_by}" + (f" on {a.reviewed_at:%Y-%m-%d %H:%M}" if a.reviewed_at else "")
        text.append(review)
        self.query_one("#review-summary", Static).update(text)
        if a.review_status.value != "pending":
            self.key_choice("decision").value = "accept" if a.review_status.value == "accepted" else "challenge"
            if a.review_note:
                self.text_area("note").text = a.review_note
        if not data.may_review:
            self.show_message(
                f"{self.actor.collar} may not review {a.ref}: only a sergeant of {a.officer}'s team, "
                "never the abstracted officer"
            )

    def after_loaded(self) -> None:
        self.field("decision").focus_control()

    def collect(self) -> dict[str, Any]:
        decision = self.key_choice("decision").value
        if decision is None:
            raise FieldProblems({"decision": "choose a to accept or c to challenge"})
        return {"decision": decision, "note": text_or_none(self.text_area("note").text)}

    def persist(self, model: ReviewDecision) -> SaveResult:
        done = review_abstraction(
            self.store, self.actor, self.ref, accept=model.decision == "accept", note=model.note
        )
        return SaveResult(done.ref)
