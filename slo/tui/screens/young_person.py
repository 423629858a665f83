"""Young person: a personal record. Opening it writes a ``view`` row to the audit log."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label, year_label
from slo.services.queries.young_person import ChronologyItem, YoungPersonDetail, young_person
from slo.tui import bindings
from slo.tui.messages import YoungPersonLoaded
from slo.tui.widgets import Col, DeskFooter, DeskTable

from .base import DeskScreen

#: each column as wide as its content where the terminal allows (DeskTable, Col); on a narrow one
#: the ref moves to the line under the table
CHRONOLOGY_COLUMNS = [Col("When", "when"), Col("What", "kind"), Col("Summary", "summary", min=40),
                      Col("Ref", "ref", priority=1)]
KIND_STYLE = {"consultation": "bold yellow", "outcome": "bold magenta", "referral": "cyan", "session": ""}


def details_text(d: YoungPersonDetail) -> Text:
    p = d.person
    out = Text()
    out.append(p.display_name, style="bold")
    out.append(f"  {p.ref}")
    if p.date_of_birth:
        out.append(f"  ·  born {p.date_of_birth:%d %b %Y}")
    if p.year_group is not None:
        out.append(f"  ·  {year_label(p.year_group)}")
    out.append("\nSchool: ", style="bold")
    out.append(f"{d.school_name} ({p.school})" if d.school_name else (p.school or "none recorded"))
    out.append("   Sex: ", style="bold")
    out.append(label(str(p.sex)))
    out.append("   SEN: ", style="bold")
    out.append(label(str(p.sen)))
    out.append("   FSM: ", style="bold")
    out.append(label(str(p.fsm)))
    out.append("\nEthnicity: ", style="bold")
    out.append(d.ethnicity_text)
    return out


def deadlines_text(d: YoungPersonDetail) -> Text:
    out = Text()
    if not d.deadlines:
        out.append("Deadlines: none", style="dim")
        return out
    out.append("Deadlines\n", style="bold")
    for i, dl in enumerate(d.deadlines):
        if i:
            out.append("\n")
        out.append(f"{dl.due_on}  ", style="bold")
        out.append(dl.title)
        out.append(f" ({dl.ref})")
        if dl.provisional:
            out.append("  PROVISIONAL", style="bold yellow")
            out.append(" (term dates or exclusion start not confirmed)", style="dim")
    return out


class YoungPersonScreen(DeskScreen):
    """One young person: details, ethnicity with its source, deadlines and the chronology."""

    HELP = (
        "A young person's record (personal data: opening it is written to the audit log). "
        "Ethnicity is the self-defined 18+1 code with its label, or why it is missing. "
        "Deadlines come from the school-day calendar; PROVISIONAL means term dates or the exclusion "
        "start are not confirmed. The chronology lists sessions, consultations, outcomes and referrals, "
        "newest first; Enter on one opens that record (every field, its history; e corrects it there, x "
        "deletes one made by mistake). s books a session, c logs a consultation, o records the outcome of "
        "the highlighted consultation, f makes a referral, e edits the young person, h shows the history of "
        "their record (who changed what, when)."
    )
    BINDINGS = bindings.YOUNG_PERSON
    CSS_PATH = "young_person.tcss"

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.detail: YoungPersonDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="yp-details")
        yield Static(Text(""), id="yp-deadlines")
        yield DeskTable(CHRONOLOGY_COLUMNS, id="chronology")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = f"Young person {self.ref}"
        self.query_one("#chronology", DeskTable).focus()

    def reload(self) -> None:
        store, actor, ref = self.store, self.actor, self.ref
        # the first load is the view (audited); refreshes while it stays open are not new views
        audit_view = self.detail is None
        self.load("young_person", lambda: YoungPersonLoaded(young_person(store, actor, ref, audit_view=audit_view)))

    def on_young_person_loaded(self, message: YoungPersonLoaded) -> None:
        d = self.detail = message.detail
        self.title = d.person.display_name
        self.query_one("#yp-details", Static).update(details_text(d))
        self.query_one("#yp-deadlines", Static).update(deadlines_text(d))
        rows = []
        for i, item in enumerate(d.chronology):
            when = item.on
            if "T" in when:
                when = f"{datetime.fromisoformat(when):%Y-%m-%d %H:%M}"
            kind = Text(label(item.kind), style=KIND_STYLE.get(item.kind, ""))
            rows.append((f"{item.kind}:{item.ref}:{i}", [when, kind, item.summary, item.ref]))
        self.query_one("#chronology", DeskTable).replace_rows(rows)

    # ------------------------------------------------------------------ actions

    def _highlighted(self) -> ChronologyItem | None:
        key = self.query_one("#chronology", DeskTable).current_key
        if not key or self.detail is None:
            return None
        index = int(key.rsplit(":", 1)[1])
        return self.detail.chronology[index] if index < len(self.detail.chronology) else None

    #: which record a chronology line opens
    RECORD_OF = {"session": "engagements", "consultation": "consultations", "outcome": "consultations",
                 "referral": "referrals"}

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_record()

    def action_open_record(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        self.desk.open_record(self.RECORD_OF.get(item.kind, "consultations"), item.ref)

    @property
    def school(self) -> str | None:
        return self.detail.person.school if self.detail else None

    def action_session(self) -> None:
        from .forms.engagement import EngagementForm

        self.desk.open_form(EngagementForm(school=self.school, young_person=self.ref))

    def action_consultation(self) -> None:
        from .forms.consultation import ConsultationForm

        self.desk.open_form(ConsultationForm(young_person=self.ref, school=self.school))

    def action_outcome(self) -> None:
        from .forms.outcome import OutcomeForm

        item = self._highlighted()
        if item is None or not item.consultation:
            self.notify("Highlight a consultation in the chronology first.", severity="warning", markup=False)
            return
        self.desk.open_form(OutcomeForm(item.consultation))

    def action_referral(self) -> None:
        from .forms.referral import ReferralForm

        item = self._highlighted()
        consultation = item.consultation if item else None
        self.desk.open_form(ReferralForm(young_person=self.ref, consultation=consultation))

    def action_history(self) -> None:
        self.desk.open_record("young_people", self.ref)

    def action_edit(self) -> None:
        from .forms.young_person import YoungPersonForm

        self.desk.open_form(YoungPersonForm(school=self.school, ref=self.ref))
