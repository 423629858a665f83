"""Officers (admins): every officer with role, team, working days, dates, schools today and access;
add (n), edit (e or Enter), set a leaving date (x)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Input, Static

from slo.models.enums import label
from slo.services.queries.admin import officers
from slo.tui import bindings
from slo.tui.messages import OfficersListLoaded
from slo.tui.widgets import DeskFooter, DeskTable, FilterInput

from .base import DeskScreen

COLUMNS = [
    ("Collar", "collar", 8), ("Name", "name"), ("Role", "role"), ("Team", "team"), ("Working days", "days"),
    ("From", "from", 10), ("Status", "status"), ("Schools", "schools", 7), ("Access", "access", 6),
]


class OfficersScreen(DeskScreen):
    HELP = (
        "Every officer of the force (admins): collar number, name, role, team, working days, first day in "
        "post, whether they are in post, leaving or left, how many schools they have today and how many ways "
        "in (SSH keys, accounts) they have. n adds an officer, e or Enter edits the highlighted one, x sets "
        "their leaving date (their assignments end on it and their access is revoked once it has passed; "
        "hand their schools over on the schools screen, S). / filters by collar, name or team."
    )
    BINDINGS = bindings.OFFICERS
    CSS_PATH = "officers.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(placeholder="Filter officers by collar, name or team (/)", id="officers-filter")
        yield Static(Text(""), id="officers-count")
        yield DeskTable(COLUMNS, id="officers")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Officers"
        self.query_one("#officers", DeskTable).focus()

    def reload(self) -> None:
        store, actor, today = self.store, self.actor, self.desk.today()
        text = self.query_one("#officers-filter", Input).value
        self.load("officers", lambda: OfficersListLoaded(officers(store, actor, today=today, text=text), text))

    def on_officers_list_loaded(self, message: OfficersListLoaded) -> None:
        if message.text != self.query_one("#officers-filter", Input).value:
            return
        today = self.desk.today()
        self.query_one("#officers", DeskTable).replace_rows(
            (o.collar, [o.collar, o.name, label(o.role), o.team or "–", o.working_days, o.start_date,
                        Text(o.status(today), style="" if o.end_date is None else "bold yellow"), o.schools,
                        o.access]) for o in message.officers)
        n = len(message.officers)
        self.query_one("#officers-count", Static).update(Text(f"{n} officer{'s' if n != 1 else ''}", style="dim"))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#officers", DeskTable).focus()

    def action_filter(self) -> None:
        self.query_one("#officers-filter", Input).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _collar(self) -> str | None:
        return self.query_one("#officers", DeskTable).current_key

    def action_new(self) -> None:
        from .forms.officer import OfficerForm

        self.desk.open_form(OfficerForm())

    def action_edit(self) -> None:
        from .forms.officer import OfficerForm

        collar = self._collar()
        if collar:
            self.desk.open_form(OfficerForm(collar))

    def action_leaving(self) -> None:
        from .forms.officer import LeavingForm

        collar = self._collar()
        if collar:
            self.desk.open_form(LeavingForm(collar))
