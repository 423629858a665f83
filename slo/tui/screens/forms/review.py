"""ReviewForm: the team sergeant accepts an abstraction, or challenges it with a note (and says to whom).

Shows the abstraction (officer, span, portion, category, who asked, reason, current review and
how many sessions it cancelled), then ``[a] Accept`` / ``[c] Challenge``, to whom the challenge
goes (default: whoever asked for the officer) and a note (required to challenge). Dismisses with
the abstraction's ref. Only a sergeant of the officer's team may review (never the abstracted
officer); anyone else sees why on opening, and saving is refused. The challenge's result (upheld
or withdrawn) has its own form, :class:`~.challenge_result.ChallengeResultForm`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, model_validator
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from slo.models.enums import label
from slo.models.types import Line, Multiline
from slo.services.abstractions import review_abstraction
from slo.services.queries.forms import ReviewFormData, review_form
from slo.tui.desk import desk_of
from slo.tui.widgets.controls import KeyChoice
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .values import text_or_none


class ReviewDecision(BaseModel):
    """What the sergeant decided (the form's model)."""

    decision: Literal["accept", "challenge"]
    note: Multiline | None = None
    challenged_to: Line | None = None

    @model_validator(mode="after")
    def _note(self) -> ReviewDecision:
        if self.decision == "challenge" and not (self.note or "").strip():
            raise ValueError("note is required to challenge: say why")
        return self


def summary_text(data: ReviewFormData) -> Text:
    """The abstraction under review, in words (user text as plain text)."""
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
    cancelled = f"Cancelled: {data.cancelled} session{'s' if data.cancelled != 1 else ''}"
    if data.one_to_one:
        cancelled += f", {data.one_to_one} of them with a young person"
    if data.schools:
        cancelled += " at " + ", ".join(data.schools)
    text.append(cancelled + "\n")
    review = f"Review: {label(a.review_status.value)}"
    if a.reviewed_by:
        review += f" by {a.reviewed_by}" + (f" on {a.reviewed_at:%Y-%m-%d %H:%M}" if a.reviewed_at else "")
    text.append(review)
    if a.challenged_to and a.review_status.value in ("challenged", "upheld", "withdrawn"):
        text.append(f"\nChallenged to: {a.challenged_to}")
    if a.review_note:
        text.append(f"\nWhy: {a.review_note}")
    if a.resolved_on:
        text.append(f"\nResult: {label(a.review_status.value)} on {a.resolved_on}")
        if a.resolution_note:
            text.append(f": {a.resolution_note}")
    return text


class ReviewForm(FormScreen[ReviewFormData]):
    """Accept or challenge one abstraction of the team."""

    FORM_TITLE = "Review an abstraction"
    HELP = (
        "A sergeant reviews an abstraction of an officer in their team: accept it (a), or challenge it "
        "(c) with a note saying why; a challenge goes to whoever asked for the officer unless you name "
        "someone else. Record what came of a challenge with u on the team screen (upheld or withdrawn). "
        "Until then the review can be changed. Nobody reviews their own abstraction. ctrl+s saves, "
        "Escape closes."
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
        yield FormField("Challenge to", Input(id="in-challenged_to", compact=True), field="challenged_to",
                        hint="with a challenge: to whom it goes (who asked for the officer, unless you change it)")

    def load(self) -> ReviewFormData:
        return review_form(self.store, self.actor, self.ref)

    def fill(self, data: ReviewFormData) -> None:
        a = data.abstraction
        self.query_one("#review-summary", Static).update(summary_text(data))
        status = a.review_status.value
        self.input("challenged_to").value = a.challenged_to or a.requested_by
        if status in ("accepted", "challenged"):
            self.key_choice("decision").value = "accept" if status == "accepted" else "challenge"
            if a.review_note:
                self.text_area("note").text = a.review_note
        if not data.may_review:
            self.show_message(
                f"{self.actor.collar} may not review {a.ref}: only a sergeant of {a.officer}'s team, "
                "never the abstracted officer"
            )
        elif status == "withdrawn":
            self.show_message(f"{a.ref} was withdrawn on {a.resolved_on}: its review is closed.")
        elif status == "upheld":
            self.show_message(f"The challenge of {a.ref} was upheld on {a.resolved_on}: c challenges it again "
                              "(taking it further).")

    def after_loaded(self) -> None:
        self.field("decision").focus_control()

    def collect(self) -> dict[str, Any]:
        decision = self.key_choice("decision").value
        if decision is None:
            raise FieldProblems({"decision": "choose a to accept or c to challenge"})
        return {"decision": decision, "note": text_or_none(self.text_area("note").text),
                "challenged_to": text_or_none(self.input("challenged_to").value) if decision == "challenge" else None}

    def persist(self, model: ReviewDecision) -> SaveResult:
        done = review_abstraction(
            self.store, self.actor, self.ref, accept=model.decision == "accept", note=model.note,
            challenged_to=model.challenged_to, now=desk_of(self.app).now(),
        )
        return SaveResult(done.ref)
