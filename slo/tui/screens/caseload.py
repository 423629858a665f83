"""Caseload: the officer's schools at a glance (home for an SLO)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, Static

from slo.models.enums import label
from slo.models.words import plural
from slo.services.queries.caseload import CaseloadHeader, CaseloadRow, caseload, caseload_header
from slo.services.queries.home import take_home_caseload
from slo.services.queries.scope import ALL, OWN, TEAM, week_start
from slo.tui import bindings
from slo.tui.messages import CaseloadHeaderLoaded, CaseloadLoaded, LoadFailed
from slo.tui.widgets import Col, DeskFooter, DeskTable, FilterInput
from slo.tui.widgets.job_status import JobStatusLine

from .base import DeskScreen

if TYPE_CHECKING:
    from slo.services.due import DueItem

#: each column as wide as its content where the terminal allows; on a narrow one the columns of
#: priority 1 and more move to the line under the table, the highest first (DeskTable, Col)
COLUMNS = [
    Col("School", "name", min=22),
    Col("Phase", "phase", priority=5),
    Col("Uniform", "uniform", min=20),  # the plain-clothes marker is never cut
    Col("Next visit", "next_visit", min=17),
    Col("Week", "week", priority=3),
    Col("Pending", "open", priority=1),
    Col("Since visit", "since", priority=2),
]
#: a team's or everyone's caseload: whose school it is
OFFICER_COLUMN = Col("Officer", "officer", priority=1)

PLAIN_CLOTHES = "▲ PLAIN CLOTHES ONLY"

#: phases short enough for the caseload's column
SHORT_PHASE = {"alternative_provision": "Alt. prov.", "all_through": "All-through", "post16": "Post-16"}


def uniform_cell(policy: str) -> Text:
    """Plain clothes only stands out: a marker and capitals (not colour alone), and colour."""
    if policy == "plain_clothes_only":
        return Text(PLAIN_CLOTHES, style="bold black on yellow")
    if policy == "no_visits":
        return Text("✖ NO VISITS", style="bold white on red")
    return Text(label(policy), style="dim")


def when(value: str | None, today: date) -> str:
    """``2026-01-08T10:00`` as ``Thu 08 Jan 10:00`` (``Today 10:00`` on the day)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    day = "Today" if moment.date() == today else moment.strftime("%a %d %b")
    if moment.date().year != today.year:
        day = moment.strftime("%d %b %Y")
    return f"{day} {moment:%H:%M}"


def due_phrase(item: DueItem) -> str:
    """One item of the Due line: ``OVERDUE Mon 19 Jan 2026 Record the outcome: Alex Morgan at Northgate``."""
    flag = "OVERDUE " if item.overdue else ""
    return f"{flag}{item.due_on:%a %d %b %Y} {item.what}: {item.about}"


def week_summary(header: CaseloadHeader, today: date, width: int = 120) -> Text:
    """This week's abstractions and what is due, as plain text with a little style. The Due line
    names as many items as fit on two lines of ``width`` and says how many more (d lists them all)."""
    out = Text()
    monday = week_start(today)
    out.append(f"Week of {monday:%d %b %Y}  ", style="bold")
    if header.abstractions:
        parts = []
        for a in header.abstractions:
            span = a.date_from if a.date_from == a.date_to else f"{a.date_from} to {a.date_to}"
            part = "½ day" if a.portion == "half" else "full"
            parts.append(f"{a.officer} {span} {part} {label(a.category)} [{a.review_status}]")
        out.append("Abstractions: ", style="bold red")
        out.append("; ".join(parts))
    else:
        out.append("No abstractions this week", style="green")
    out.append("\n")
    if not header.due:
        out.append("Nothing due in the next 7 days", style="green")
        return out
    overdue = sum(1 for d in header.due if d.overdue)
    head = f"Due ({len(header.due)}{f', {overdue} overdue' if overdue else ''}): "
    out.append(head, style="bold yellow")
    room = 2 * max(width - 2, 40) - len(head)
    phrases = [due_phrase(d) for d in header.due]
    shown = 0
    used = 0
    for i, phrase in enumerate(phrases):
        left = len(phrases) - i - 1
        tail = len(f"; and {left} more (d: Due list)") if left else 0
        if shown and used + len(phrase) + 2 + tail > room:
            break
        shown += 1
        used += len(phrase) + 2
    for i, d in enumerate(header.due[:shown]):
        if i:
            out.append("; ")
        out.append(phrases[i], style="red" if d.overdue else "")
    if shown < len(phrases):
        out.append(f"; and {len(phrases) - shown} more", style="bold")
    out.append(" (d: Due list)", style="dim")
    return out


class CaseloadScreen(DeskScreen):
    """The schools assigned to the officer (``scope`` own), their team (team) or everyone (all)."""

    HELP = (
        "Your caseload: every school currently assigned to you, with the next planned visit, "
        "this week's sessions (Week), consultations still awaiting an outcome (Pending) and days since the "
        "last delivered visit (Since visit). Schools that accept officers only out of uniform are marked "
        f"'{PLAIN_CLOTHES}'. Above the table: this week's abstractions, what is due (d lists it all and "
        "opens each item), and when the scheduled jobs last ran (ok, LATE or FAILED). On a narrow terminal "
        "the columns that do not fit are shown under the table for the highlighted school. "
        "Type / to filter; Enter opens the school; c logs a "
        "consultation (the highlighted school's pupils come first; the school follows the pupil)."
    )
    BINDINGS = bindings.CASELOAD
    CSS_PATH = "caseload.tcss"

    def __init__(self, scope: str = OWN) -> None:
        super().__init__()
        self.scope = scope
        self.rows: list[CaseloadRow] = []
        self.header: CaseloadHeader | None = None
        self._header_wanted = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="caseload-top"):
            yield Static(Text("Loading…"), id="week-summary")
            yield JobStatusLine(id="caseload-jobs", load_on_mount=False)
            yield FilterInput(placeholder="Filter schools by name or URN (/)", id="filter")
        columns = list(COLUMNS)
        if self.scope != OWN:
            columns.append(OFFICER_COLUMN)
        yield DeskTable(columns, id="caseload")
        yield DeskFooter()

    def on_mount(self) -> None:
        titles = {OWN: "Caseload", TEAM: "Team caseload", ALL: "All schools"}
        self.title = titles.get(self.scope, "Caseload")
        self.query_one("#caseload", DeskTable).focus()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        # the schools first; the header (abstractions and what is due: the school-day
        # calendar, every pending deadline) once they are on screen, so that its worker
        # does not compete with the first paint for the interpreter
        self._header_wanted = True
        self.load_rows()

    def load_header(self) -> None:
        store, actor, today, scope = self.store, self.actor, self.desk.today(), self.scope
        self.load("header", lambda: CaseloadHeaderLoaded(caseload_header(store, actor, today, scope=scope)))
        self.query_one(JobStatusLine).reload()  # when the scheduled jobs last ran (not before the first paint)

    def _rows_shown(self) -> None:
        if self._header_wanted:
            self._header_wanted = False
            # after a refresh, twice: while the app is starting (a batch update) a callback "after
            # refresh" runs before anything is painted, and the header's worker (imports of the
            # school-day calendar, ~0.1 s of interpreter time) would hold back the first frame
            self.call_after_refresh(self.call_after_refresh, self.load_header)

    def load_rows(self) -> None:
        store, actor, today, scope = self.store, self.actor, self.desk.today(), self.scope
        text = self.query_one("#filter", Input).value
        early = None if text else take_home_caseload(store, actor, today, scope)
        if early is not None and early.ready():
            # read while Textual was loading (slo.cli.main.open_desk): on the first paint, no worker
            self.on_caseload_loaded(CaseloadLoaded(early.wait(), text))
            return
        if early is not None:
            wait = early.wait
            self.load("caseload", lambda: CaseloadLoaded(wait(), text))
        else:
            self.load("caseload", lambda: CaseloadLoaded(caseload(store, actor, today, scope=scope, text=text), text))

    def on_caseload_loaded(self, message: CaseloadLoaded) -> None:
        if message.text != self.query_one("#filter", Input).value:
            return  # typed on since: a newer load is coming
        self.rows = message.rows
        self.show_rows()
        self._rows_shown()

    def on_caseload_header_loaded(self, message: CaseloadHeaderLoaded) -> None:
        self.header = message.header
        self.show_header()

    def show_header(self) -> None:
        if self.header is not None:
            summary = self.query_one("#week-summary", Static)
            width = summary.size.width or self.size.width or self.app.size.width
            summary.update(week_summary(self.header, self.desk.today(), width))

    def on_resize(self) -> None:
        self.show_header()

    def on_load_failed(self, message: LoadFailed) -> None:
        # DeskScreen.on_load_failed (shows the notice) runs too: Textual calls each class's handler
        if message.what == "caseload":
            self._rows_shown()

    def show_rows(self) -> None:
        today = self.desk.today()
        table = self.query_one("#caseload", DeskTable)
        out = []
        for r in self.rows:
            since = "never" if r.days_since_delivered is None else str(r.days_since_delivered)
            name = Text(r.name, style="bold" if r.plain_clothes else "")
            cells: list[Text | str | int] = [
                name,
                SHORT_PHASE.get(r.phase, label(r.phase)),
                uniform_cell(r.uniform_policy),
                when(r.next_visit, today) or Text("none planned", style="dim"),
                r.sessions_this_week or "",
                Text(str(r.open_consultations), style="bold yellow") if r.open_consultations else "",
                since,
            ]
            if self.scope != OWN:
                cells.append(r.officer)
            out.append((r.urn, cells))
        table.replace_rows(out)
        self.sub_title = plural(len(self.rows), "school")

    # ------------------------------------------------------------------ filter

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.load_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#caseload", DeskTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        self.query_one("#caseload", DeskTable).focus()

    # ------------------------------------------------------------------ actions

    @property
    def current_urn(self) -> str | None:
        return self.query_one("#caseload", DeskTable).current_key

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key is not None and event.row_key.value:
            self.desk.open_school(event.row_key.value)

    def action_open_school(self) -> None:
        if self.current_urn:
            self.desk.open_school(self.current_urn)

    def action_consultation(self) -> None:
        from .forms.consultation import ConsultationForm

        self.desk.open_form(ConsultationForm(school=self.current_urn))

    def action_visit(self) -> None:
        from .forms.engagement import EngagementForm

        self.desk.open_form(EngagementForm(school=self.current_urn))

    def action_abstraction(self) -> None:
        from .forms.abstraction import AbstractionForm

        self.desk.open_form(AbstractionForm(officer=self.actor.collar))

    def action_absence(self) -> None:
        from .forms.absence import AbsenceForm

        self.desk.open_form(AbsenceForm(officer=self.actor.collar))

    def action_week(self) -> None:
        self.desk.action_week()

    def action_reports(self) -> None:
        self.desk.action_reports()

    def action_export_calendars(self) -> None:
        self.desk.action_export_calendars()

    def action_due(self) -> None:
        self.desk.action_due()

