"""Schools (admins; an admin's home): every school with its officer today, the ones with none
flagged, and the highlighted school's assignments; assign (a), end the assignment (x), hand over (h)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Input, Static

from slo.models.enums import label
from slo.models.words import plural
from slo.services.queries.admin import SchoolLine, school_assignments, schools
from slo.tui import bindings
from slo.tui.messages import AssignmentsLoaded, SchoolsListLoaded
from slo.tui.widgets import DeskFooter, DeskTable, FilterInput
from slo.tui.widgets.job_status import JobStatusLine

from .base import DeskScreen

COLUMNS = [
    ("URN", "urn", 6), ("School", "name"), ("Phase", "phase"), ("Local authority", "la"),
    ("Officer", "officer"), ("Since", "since", 10), ("", "flag"), ("Uniform policy", "policy"),
]
ASSIGNMENT_COLUMNS = [("Officer", "officer"), ("Name", "name"), ("From", "from"), ("Until", "until")]
POLICY_STYLE = {"plain_clothes_only": "bold yellow", "no_visits": "bold red"}


class SchoolsAdminScreen(DeskScreen):
    HELP = (
        "Every school (admins), by name, with its officer today; a school with no officer is flagged "
        "⚠ NO OFFICER, one whose officer leaves says until when. f shows only the schools with no "
        "officer; / filters by name, URN, local authority or officer; r opens the reports. Below, who "
        "had the highlighted school when. a assigns an officer from a day, x ends the current "
        "assignment, h hands the school to another officer in one step (the outgoing assignment ends, "
        "the incoming one starts, planned visits move or are cancelled) and shows the handover note for "
        "the incoming officer. Enter opens the school. Under the heading, when the scheduled jobs "
        "(calendars, digests, report) last ran: ok, LATE or FAILED."
    )
    BINDINGS = bindings.SCHOOLS
    CSS_PATH = "schools.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.unassigned_only = False
        self._assignments_for: str | None = None
        #: the lines on screen (a reload that reads the same ones builds no row)
        self._shown_lines: list[SchoolLine] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield JobStatusLine(id="schools-jobs")
        yield FilterInput(placeholder="Filter schools by name, URN, local authority or officer (/)",
                          id="schools-filter")
        yield Static(Text("Loading…", style="dim"), id="schools-count")
        with VerticalScroll(id="schools-body"):
            yield DeskTable(COLUMNS, id="schools")
            yield Static(Text("Assignments", style="bold"), classes="section-title")
            yield DeskTable(ASSIGNMENT_COLUMNS, id="assignments")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Schools"
        self.query_one("#schools", DeskTable).focus()

    def _filters(self) -> tuple[str, bool]:
        return self.query_one("#schools-filter", Input).value, self.unassigned_only

    def reload(self) -> None:
        store, actor, today = self.store, self.actor, self.desk.today()
        self.query_one(JobStatusLine).reload()
        text, only = self._filters()
        self.load("schools", lambda: SchoolsListLoaded(
            schools(store, actor, today=today, text=text, unassigned_only=only), (text, only)))

    def on_schools_list_loaded(self, message: SchoolsListLoaded) -> None:
        if message.filters != self._filters():
            return
        listed = message.schools
        if listed.lines != self._shown_lines:  # back on the screen and nothing changed: no row built
            self._shown_lines = listed.lines
            self.query_one("#schools", DeskTable).replace_rows(
                (s.urn, [s.urn, s.name, label(s.phase), s.local_authority or "–",
                         s.officer_name and f"{s.officer_name} ({s.officer})" or "–", s.since or "",
                         Text(s.flag, style="bold red" if s.officer is None else "yellow"),
                         Text(label(s.uniform_policy), style=POLICY_STYLE.get(s.uniform_policy, ""))])
                for s in listed.lines)
        words = Text()
        words.append(plural(listed.total, "school"), style="bold")
        words.append(" · ")
        words.append(f"{listed.unassigned} with no officer", style="bold red" if listed.unassigned else "")
        if message.filters != ("", False):
            words.append(f" · {len(listed.lines)} shown" + (" (no officer only: f)" if self.unassigned_only else ""),
                         style="dim")
        self.query_one("#schools-count", Static).update(words)
        self.sub_title = f"{plural(listed.total, 'school')}, {listed.unassigned} with no officer"
        self.load_assignments(again=True)

    def load_assignments(self, *, again: bool = False) -> None:
        """Who had the highlighted school (once per highlight; ``again`` after a change)."""
        urn = self.current_urn
        if urn is None:
            self.query_one("#assignments", DeskTable).replace_rows([])
            return
        if urn == self._assignments_for and not again:
            return
        self._assignments_for = urn
        store, actor = self.store, self.actor
        self.load("assignments", lambda: AssignmentsLoaded(urn, school_assignments(store, actor, urn)))

    def on_assignments_loaded(self, message: AssignmentsLoaded) -> None:
        if message.urn != self.current_urn:
            return
        self.query_one("#assignments", DeskTable).replace_rows(
            (a.start_date, [a.officer, a.officer_name, a.start_date, a.end_date or "open-ended"])
            for a in message.assignments)

    @property
    def current_urn(self) -> str | None:
        return self.query_one("#schools", DeskTable).current_key

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "schools":
            self.load_assignments()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "schools" and self.current_urn:
            self.desk.open_school(self.current_urn)

    # ------------------------------------------------------------------ filter

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#schools", DeskTable).focus()

    def action_filter(self) -> None:
        self.query_one("#schools-filter", Input).focus()

    def action_reports(self) -> None:
        self.desk.action_reports()

    def action_unassigned(self) -> None:
        self.unassigned_only = not self.unassigned_only
        self.reload()

    # ------------------------------------------------------------------ forms

    def action_assign(self) -> None:
        from .forms.assignment import AssignmentForm

        if self.current_urn:
            self.desk.open_form(AssignmentForm(self.current_urn))

    def action_end_assignment(self) -> None:
        from .forms.assignment import EndAssignmentForm

        if self.current_urn:
            self.desk.open_form(EndAssignmentForm(self.current_urn))

    def action_handover(self) -> None:
        from .forms.handover import HandoverForm

        if self.current_urn:
            self.desk.open_form(HandoverForm(self.current_urn), on_result=self._handed_over)

    def _handed_over(self, key: str | None) -> None:
        self.reload()
        if key:
            from .handovers import HandoverNoteScreen

            self.notify(f"Handed over: note {key} for the incoming officer", markup=False)
            self.app.push_screen(HandoverNoteScreen(int(key)))
