"""Who are you? Shown when the desk opens without --user / SLO_USER on a demo database, or for a
principal bound to several officers (it then lists only those)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label
from slo.services.queries.picker import officers
from slo.tui import bindings
from slo.tui.messages import OfficersLoaded
from slo.tui.widgets import DeskFooter, DeskTable

from .base import DeskScreen


class PickerScreen(DeskScreen):
    """Choose the officer using the desk; dismisses with the collar number (None to leave)."""

    HELP = (
        "Choose who you are. The desk acts as that officer: what you may see and change, and "
        "who the audit log names, follow from it. Next time pass --user COLLAR or set SLO_USER."
    )
    BINDINGS = bindings.PICKER
    CSS_PATH = "picker.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Who are you? Choose your name and press Enter.", style="bold"), id="picker-title")
        yield DeskTable([("Collar", "collar"), ("Name", "name"), ("Role", "role"), ("Team", "team")], id="officers")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Who are you?"
        self.query_one("#officers", DeskTable).focus()

    def reload(self) -> None:
        store, principal = self.store, getattr(self.app, "principal", None)
        # every officer on a demo; otherwise only those this principal is bound to
        self.load("officers", lambda: OfficersLoaded(officers(store, principal)))

    def on_officers_loaded(self, message: OfficersLoaded) -> None:
        self.query_one("#officers", DeskTable).replace_rows(
            (a.collar, [a.collar, a.name, label(a.role), a.team or ""]) for a in message.officers
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key is not None and event.row_key.value:
            self.dismiss(event.row_key.value)

    def action_choose(self) -> None:
        key = self.query_one("#officers", DeskTable).current_key
        if key:
            self.dismiss(key)

    def action_cancel(self) -> None:
        self.dismiss(None)
