"""ChallengeResultForm: the sergeant records what came of a challenge: upheld or withdrawn.

Shows the abstraction and its challenge (to whom, when, why), then ``[u] Upheld`` (the abstraction
stands) / ``[w] Withdrawn`` (the officer returns to schools work), the first day back (withdrawn
only; default today) and a note (what was decided). Saving a withdrawal cuts the abstraction back
to the days that already happened (or removes it when none had) and puts back the sessions it
cancelled on the days given back (:func:`slo.services.abstractions.resolve_challenge`); the form
then says what came back, and :attr:`outcome` keeps the sessions whose slot has gone, which the
team screen offers to rebook. Dismisses with the abstraction's ref.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, model_validator
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from slo.models.types import IsoDate, Multiline
from slo.services.abstractions import ResolveResult, resolve_challenge
from slo.services.queries.forms import ReviewFormData, review_form
from slo.services.queries.team import when
from slo.tui.desk import desk_of
from slo.tui.widgets.controls import KeyChoice
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .problems import FieldProblems
from .review import summary_text
from .values import parse_day, text_or_none


class ChallengeResult(BaseModel):
    """The form's model: what came of the challenge."""

    decision: Literal["uphold", "withdraw"]
    returned_on: IsoDate | None = None
    note: Multiline | None = None

    @model_validator(mode="after")
    def _returned(self) -> ChallengeResult:
        if self.decision == "withdraw" and self.returned_on is None:
            raise ValueError("returned_on is required to withdraw: the first day back on schools work")
        return self


def outcome_lines(result: ResolveResult) -> list[str]:
    """What a result did, in sentences (never a young person's name)."""
    if result.status.value == "upheld":
        return [f"Upheld: {result.ref} stands as it was."]
    lines = []
    a = result.abstraction
    if a is None:
        lines.append(f"Withdrawn: {result.ref} is removed (none of its days had happened); its history is kept.")
    elif result.was_to is not None and a.date_to >= result.was_to:
        lines.append(f"Withdrawn: {result.ref} had already ended ({a.date_to}); no day was given back.")
    else:
        lines.append(f"Withdrawn: {result.ref} now runs {a.date_from} to {a.date_to}; "
                     f"back on schools work from {result.returned_on}.")
    for c in result.reinstated:
        one = " (a young person's session)" if c.one_to_one else ""
        lines.append(f"Back in the diary: {when(c.starts_at.isoformat())} {c.school_name}{one}")
    for n in result.to_rebook:
        lines.append(f"To rebook: {when(n.engagement.starts_at.isoformat())} {n.engagement.school_name}: {n.why}")
    if result.to_rebook:
        lines.append("Close this form to rebook them into the next free slots.")
    return lines


class ChallengeResultForm(FormScreen[ReviewFormData]):
    """Record whether a challenged abstraction was upheld or withdrawn."""

    FORM_TITLE = "The challenge's result"
    HELP = (
        "What came of the challenge: u upheld (the abstraction stands) or w withdrawn (the officer returns "
        "to schools work). For a withdrawal give the first day back (YYYY-MM-DD, today unless you change "
        "it): the abstraction is cut back to the days before it, or removed when none had happened, and "
        "the sessions it cancelled on the days given back go back in the diary and the head teachers' "
        "calendars; those whose slot has gone are offered for rebooking. An upheld challenge may be "
        "withdrawn later or challenged again; a withdrawal is final. ctrl+s saves, Escape closes."
    )
    MODEL = ChallengeResult
    FIELD_MAP = {"resolution_note": "note", "review_status": "decision"}
    CSS_PATH = "review.tcss"

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        #: what the save did (the team screen offers the sessions to rebook)
        self.outcome: ResolveResult | None = None

    def compose_fields(self) -> ComposeResult:
        yield Static(Text("Loading...", style="dim"), id="review-summary")
        yield FormField("Result", KeyChoice([("u", "uphold", "Upheld: it stands"),
                                             ("w", "withdraw", "Withdrawn: the officer returns")],
                                            id="in-decision"), field="decision", required=True)
        yield FormField("Back on", Input(placeholder="YYYY-MM-DD", id="in-returned_on", compact=True),
                        field="returned_on", hint="withdrawn: the first day back on schools work")
        yield FormField("Note", TextArea(id="in-note"), field="note",
                        hint="what was decided, and why; kept with the abstraction, never in the audit log")

    def load(self) -> ReviewFormData:
        return review_form(self.store, self.actor, self.ref)

    def fill(self, data: ReviewFormData) -> None:
        a = data.abstraction
        self.query_one("#review-summary", Static).update(summary_text(data))
        self.input("returned_on").value = self.today().isoformat()
        status = a.review_status.value
        if not data.may_review:
            self.show_message(f"{self.actor.collar} may not record the result for {a.ref}: only a sergeant of "
                              f"{a.officer}'s team, never the abstracted officer")
        elif status not in ("challenged", "upheld"):
            self.show_message(f"{a.ref} is {status}, not challenged: only a challenge has a result"
                              + (" (its review is closed)." if status == "withdrawn" else "."))

    def after_loaded(self) -> None:
        self.field("decision").focus_control()

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        decision = self.key_choice("decision").value
        if decision is None:
            problems["decision"] = "choose u (upheld) or w (withdrawn)"
        returned: date | None = None
        if decision == "withdraw":
            returned = parse_day(self.input("returned_on").value, "returned_on", problems)
        if problems:
            raise FieldProblems(problems)
        return {"decision": decision, "returned_on": returned, "note": text_or_none(self.text_area("note").text)}

    def persist(self, model: ChallengeResult) -> SaveResult:
        done = resolve_challenge(
            self.store, self.actor, self.ref, withdrawn=model.decision == "withdraw", note=model.note,
            returned_on=model.returned_on, now=desk_of(self.app).now(),
        )
        self.outcome = done
        # an upheld challenge changes nothing else: close at once; a withdrawal says what came back
        return SaveResult(done.ref, notes=outcome_lines(done) if model.decision == "withdraw" else [])
