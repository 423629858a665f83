"""School: details, who covered it when, its engagements, consultations and young people."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Header, Static

from slo.models.enums import label, year_label
from slo.services import Store
from slo.services.actors import Actor
from slo.services.queries.lines import EngagementLine
from slo.services.queries.school import (
    ConsultationLine,
    SchoolDetail,
    school_consultations,
    school_detail,
    school_engagements,
    school_young_people,
)
from slo.tui import bindings
from slo.tui.messages import (
    SchoolConsultationsLoaded,
    SchoolEngagementsLoaded,
    SchoolLoaded,
    SchoolYoungPeopleLoaded,
)
from slo.tui.widgets import Col, DeskFooter, DeskTable

from .base import DeskScreen
from .caseload import uniform_cell

PAGE = 100

#: each column as wide as its content where the terminal allows (DeskTable, Col); on a narrow one the
#: columns of priority 1 and more move to the line under the table, the highest first
ENGAGEMENT_COLUMNS = [
    Col("When", "when", min=21),
    Col("Kind", "kind", priority=1),
    Col("Title", "title", min=28),
    Col("Status", "status", min=11),
    Col("Officer", "officer", priority=2),
    Col("Ref", "ref", priority=3),
]
CONSULTATION_COLUMNS = [
    Col("Consulted", "on"),
    Col("Young person", "name", min=16),
    Col("Before/after", "timing", min=14),
    Col("Proposed", "proposed", min=10),
    Col("Outcome", "outcome", min=10),
    Col("Officer", "officer", priority=1),
    Col("Ref", "ref", priority=2),
]
YOUNG_PEOPLE_COLUMNS = [Col("Name", "name"), Col("Year", "year"), Col("Ref", "ref")]
ASSIGNMENT_COLUMNS = [Col("Officer", "officer"), Col("Name", "name"), Col("From", "from"), Col("To", "to")]
#: the tabs: id, title (keys 1-4 in that order)
TABS = [("tab-engagements", "Engagements"), ("tab-consultations", "Consultations"),
        ("tab-young-people", "Young people"), ("tab-assignments", "Assignments")]
#: each tab's table
TAB_TABLES = {"tab-engagements": "engagements", "tab-consultations": "consultations",
              "tab-young-people": "young-people", "tab-assignments": "assignments"}
#: the tables mounted when their tab is first shown
LAZY_COLUMNS = {"consultations": CONSULTATION_COLUMNS, "young-people": YOUNG_PEOPLE_COLUMNS,
                "assignments": ASSIGNMENT_COLUMNS}


def status_cell(status: str, reason: str | None) -> Text:
    if status == "cancelled":
        return Text(f"✖ cancelled ({label(reason)})" if reason else "✖ cancelled", style="red")
    if status == "delivered":
        return Text("✔ delivered", style="green")
    return Text("● planned", style="bold")


def timing_cell(timing: str) -> Text:
    """Before or after the decision: the figure the inspection is about (after is flagged)."""
    if timing == "after_decision":
        return Text("After decision", style="bold red")
    return Text("Before decision" if timing == "before_decision" else label(timing) if timing else "")


def details_text(detail: SchoolDetail, calendar_path: Path | None) -> Text:
    s = detail.school
    out = Text()
    out.append(s.name, style="bold")
    out.append(f"  URN {s.urn}  ·  {label(str(s.phase))}")
    if s.local_authority:
        out.append("  ·  ")
        out.append(s.local_authority)
    if s.postcode:
        out.append("  ·  ")
        out.append(s.postcode)
    out.append("\nUniform: ")
    out.append_text(uniform_cell(str(s.uniform_policy)))
    out.append("   Head teacher: ", style="bold")
    out.append(s.head_teacher or "not recorded")
    if s.head_teacher_email:
        out.append(f" <{s.head_teacher_email}>")
    current = [a for a in detail.assignments if a.end_date is None]
    out.append("\nOfficer: ", style="bold")
    out.append(", ".join(f"{a.officer_name} ({a.officer}) since {a.start_date}" for a in current) or "none assigned")
    out.append("   Calendar file: ", style="bold")
    out.append(str(calendar_path) if calendar_path else "not available")
    return out


class TabBar(Static):
    """The school's tabs as one line (its key, its title; the shown one highlighted); a click on a title
    posts :class:`TabBar.Chosen`. Textual's TabbedContent mounted about fifteen styled widgets for the
    same line, near half of what opening a school cost (about 95 ms of CPU a school)."""

    DEFAULT_CSS = """
    TabBar { height: 1; padding: 0 1; }
    """

    class Chosen(Message):
        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    def __init__(self, tabs: list[tuple[str, str]], active: str, **kwargs: object) -> None:
        self.tabs, self.active = tabs, active
        self._spans: list[tuple[int, int, str]] = []
        super().__init__(self._line(), **kwargs)  # type: ignore[arg-type]

    def _line(self) -> Text:
        out, self._spans = Text(), []
        for n, (tab, title) in enumerate(self.tabs, start=1):
            if n > 1:
                out.append("  ")
            start = out.cell_len
            shown = tab == self.active
            out.append(f" {n} ", style="bold reverse" if shown else "bold")
            out.append(f"{title} ", style="bold reverse" if shown else "")
            self._spans.append((start, out.cell_len, tab))
        return out

    def show(self, tab: str) -> None:
        self.active = tab
        self.update(self._line())

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1  # the padding
        for start, end, tab in self._spans:
            if start <= x < end:
                self.post_message(self.Chosen(tab))


def read_school(store: Store, actor: Actor, urn: str, exports: Path, *, first_page: int | None = None) -> SchoolLoaded:
    """The school's details with its first ``first_page`` engagements (default: a page, PAGE), in
    one read, and where its calendar is: what the school screen shows first. Runs in a worker."""
    from slo.calendars.paths import calendar_path

    detail = school_detail(store, actor, urn, first_page=PAGE if first_page is None else first_page)
    return SchoolLoaded(detail, calendar_path(exports, urn, detail.school.name))


class SchoolScreen(DeskScreen):
    """One school. A school is not a personal record: opening it writes no view audit row."""

    HELP = (
        "A school: its details and head teacher, the officers who covered it and when, its "
        "engagements (newest first, 100 a page), its consultations and the young people known at it. "
        "Enter on an engagement or a consultation opens the record: every field, its history, e to "
        "correct it, x to delete one made by mistake; Enter on a young person opens them (views of "
        "personal records are audited). "
        "v books a visit or session, c logs a consultation, y adds a young person, d marks the "
        "highlighted engagement delivered or cancelled. 1-4 switch tabs."
    )
    BINDINGS = bindings.SCHOOL
    CSS_PATH = "school.tcss"

    def __init__(self, urn: str) -> None:
        super().__init__()
        self.urn = urn
        self.page = 0
        self.detail: SchoolDetail | None = None
        self.engagements: list[EngagementLine] = []
        self.consultations: list[ConsultationLine] = []

    def compose(self) -> ComposeResult:
        # The tabs: one line (TabBar) over a ContentSwitcher. Only the Engagements tab is composed with
        # the screen: the others' tables are mounted, and their rows read, the first time each is shown
        # (tab_table), so that opening a school mounts and styles one table, not four.
        yield Header()
        yield Static(Text("Loading…"), id="school-details", classes="details")
        yield TabBar(TABS, "tab-engagements", id="school-tab-bar")
        with ContentSwitcher(initial="tab-engagements", id="school-tabs"):
            with Vertical(id="tab-engagements"):
                yield Static(Text(""), id="engagement-page", classes="empty")
                yield DeskTable(ENGAGEMENT_COLUMNS, id="engagements")
            for tab, _title in TABS[1:]:
                yield Vertical(id=tab)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = f"School {self.urn}"
        self.query_one("#engagements", DeskTable).focus()

    # ------------------------------------------------------------------ loading

    def tab_table(self, tab: str) -> DeskTable:
        """The table of ``tab``: mounted, and its rows asked for, the first time it is wanted."""
        table_id = TAB_TABLES[tab]
        found = self.query(f"#{table_id}")
        if found:
            return found.first(DeskTable)
        table = DeskTable(LAZY_COLUMNS[table_id], id=table_id)
        self.query_one(f"#{tab}", Vertical).mount(table)
        self.load_tab(table_id)
        return table

    def _mounted(self, table_id: str) -> DeskTable | None:
        found = self.query(f"#{table_id}")
        return found.first(DeskTable) if found else None

    def show_tab(self, tab: str) -> DeskTable:
        """Show ``tab`` (its table mounted on first show); its table."""
        self.query_one("#school-tabs", ContentSwitcher).current = tab
        self.query_one(TabBar).show(tab)
        return self.tab_table(tab)

    def on_tab_bar_chosen(self, message: TabBar.Chosen) -> None:
        self.action_tab(message.tab)

    def reload(self) -> None:
        """The school's details with the first page of its engagements in one read (one message, one
        refresh); another page on its own; the other tabs' rows only once their table is shown."""
        store, actor, urn, exports, page = self.store, self.actor, self.urn, self.desk.exports, self.page
        self.load_first("school", SchoolLoaded, self.on_school_loaded,
                        lambda: read_school(store, actor, urn, exports, first_page=0 if page else PAGE))
        if page:
            self.load_engagements()
        for table_id in ("consultations", "young-people"):
            if self._mounted(table_id) is not None:
                self.load_tab(table_id)

    def load_tab(self, table_id: str) -> None:
        store, actor, urn = self.store, self.actor, self.urn
        if table_id == "consultations":
            self.load("consultations", lambda: SchoolConsultationsLoaded(school_consultations(store, actor, urn)))
        elif table_id == "young-people":
            self.load("young_people", lambda: SchoolYoungPeopleLoaded(school_young_people(store, actor, urn)))
        elif table_id == "assignments" and self.detail is not None:
            self.show_assignments(self.detail)

    def load_engagements(self) -> None:
        store, actor, urn, page = self.store, self.actor, self.urn, self.page
        self.load("engagements", lambda: SchoolEngagementsLoaded(
            school_engagements(store, actor, urn, offset=page * PAGE, limit=PAGE), page))

    def on_school_loaded(self, message: SchoolLoaded) -> None:
        detail = self.detail = message.detail
        self.title = detail.school.name
        self.query_one("#school-details", Static).update(details_text(detail, message.calendar_path))
        if self._mounted("assignments") is not None:
            self.show_assignments(detail)
        if self.page == 0 and (detail.engagements or not detail.engagements_total):  # read with the details
            self.show_engagements(detail.engagements)
        else:
            self.show_page_info()

    def show_assignments(self, detail: SchoolDetail) -> None:
        self.query_one("#assignments", DeskTable).replace_rows(
            (f"{a.officer}/{a.start_date}", [a.officer, a.officer_name, a.start_date, a.end_date or "current"])
            for a in detail.assignments
        )

    def on_school_engagements_loaded(self, message: SchoolEngagementsLoaded) -> None:
        if message.page != self.page:
            return
        self.show_engagements(message.engagements)

    def show_engagements(self, engagements: list[EngagementLine]) -> None:
        self.engagements = engagements
        self.query_one("#engagements", DeskTable).replace_rows(
            (
                e.ref,
                [
                    f"{datetime.fromisoformat(e.starts_at):%a %d %b %Y %H:%M}",
                    label(e.kind),
                    e.title,
                    status_cell(e.status, e.cancel_reason),
                    e.officer,
                    e.ref,
                ],
            )
            for e in engagements
        )
        self.show_page_info()

    def on_school_consultations_loaded(self, message: SchoolConsultationsLoaded) -> None:
        self.consultations = message.consultations
        self.query_one("#consultations", DeskTable).replace_rows(
            (
                c.ref,
                [
                    c.consulted_on,
                    c.young_person_name,
                    timing_cell(c.timing),
                    label(c.proposed),
                    Text(label(c.outcome), style="bold yellow" if c.outcome == "pending" else ""),
                    c.officer,
                    c.ref,
                ],
            )
            for c in message.consultations
        )

    def on_school_young_people_loaded(self, message: SchoolYoungPeopleLoaded) -> None:
        self.query_one("#young-people", DeskTable).replace_rows(
            (y.ref, [y.name, "" if y.year_group is None else year_label(y.year_group), y.ref])
            for y in message.young_people
        )

    def show_page_info(self) -> None:
        total = self.detail.engagements_total if self.detail else 0
        first = self.page * PAGE + 1 if self.engagements else 0
        last = self.page * PAGE + len(self.engagements)
        text = f"Engagements {first}-{last} of {total}, newest first"
        if total > PAGE:
            text += "  (n next page, p previous page)"
        self.query_one("#engagement-page", Static).update(Text(text))

    # ------------------------------------------------------------------ actions

    def _key(self, table_id: str) -> str | None:
        return self.query_one(f"#{table_id}", DeskTable).current_key

    def _active_tab(self) -> str:
        return self.query_one("#school-tabs", ContentSwitcher).current or ""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.data_table.id, event.row_key.value if event.row_key else None)

    def action_open_row(self) -> None:
        table = {
            "tab-engagements": "engagements",
            "tab-consultations": "consultations",
            "tab-young-people": "young-people",
        }.get(self._active_tab())
        if table:
            self._open(table, self._key(table))

    def _open(self, table: str | None, key: str | None) -> None:
        if not key:
            return
        if table == "young-people":
            self.desk.open_young_person(key)
        elif table in ("consultations", "engagements"):
            self.desk.open_record(table, key)

    def action_tab(self, tab: str) -> None:
        """Show a tab and put the keyboard in its table."""
        self.show_tab(tab).focus()

    def action_visit(self) -> None:
        from .forms.engagement import EngagementForm

        self.desk.open_form(EngagementForm(school=self.urn))

    def action_consultation(self) -> None:
        from .forms.consultation import ConsultationForm

        young_person = self._key("young-people") if self._active_tab() == "tab-young-people" else None
        self.desk.open_form(ConsultationForm(young_person=young_person, school=self.urn))

    def action_young_person(self) -> None:
        from .forms.young_person import YoungPersonForm

        self.desk.open_form(YoungPersonForm(school=self.urn))

    def action_engagement_status(self) -> None:
        from .forms.engagement_status import EngagementStatusForm

        ref = self._key("engagements")
        if not ref:
            self.notify("Highlight an engagement first (Engagements tab).", severity="warning", markup=False)
            return
        self.desk.open_form(EngagementStatusForm(ref))

    def action_next_page(self) -> None:
        total = self.detail.engagements_total if self.detail else 0
        if (self.page + 1) * PAGE < total:
            self.page += 1
            self.load_engagements()
        else:
            self.notify(f"This is the last page of the engagements ({total}).", markup=False)

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.load_engagements()
        else:
            self.notify("This is the first page of the engagements (the newest).", markup=False)

    def action_export_calendar(self) -> None:
        self.desk.open_calendars(school=self.urn)
