"""Audit log (admins): who did what to which record, when, in sentences; filtered as you type, paged."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Static

from slo.services import Store
from slo.services.actors import Actor
from slo.services.queries.audit_log import PAGE, AuditLine, AuditPage, audit_log
from slo.tui import bindings
from slo.tui.messages import AuditLogLoaded
from slo.tui.widgets import DeskFooter, DeskTable, FilterInput

from .base import DeskScreen

FILTERS = [
    ("who", "Who (collar, e.g. S1)"),
    ("what", "What (e.g. update abstr, view young)"),
    ("record", "Record (e.g. ABS-2026, YP-00)"),
    ("on", "Date (e.g. 2026-01, 2026-01-07)"),
]
#: fixed widths of the first columns; What takes the rest of the screen
WIDTHS = {"id": 7, "at": 16, "actor": 9}


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns for a screen ``width`` columns wide (each cell has one column of padding each side,
    and the table a vertical scroll bar)."""
    fixed = sum(WIDTHS.values()) + 2 * (len(WIDTHS) + 1) + 2
    return [("#", "id", WIDTHS["id"]), ("At", "at", WIDTHS["at"]), ("Who", "actor", WIDTHS["actor"]),
            ("What", "what", max(20, width - fixed))]


def read_audit(store: Store, actor: Actor, filters: dict[str, str] | None = None, page: int = 0,
               before: int | None = None) -> AuditLogLoaded:
    """Page ``page`` of the audit log (its rows older than ``before``) for the boxes' ``filters``
    (none: the newest page of everything, what the screen shows first). Runs in a worker."""
    given = {name: "" for name, _ in FILTERS} | (filters or {})
    lines = audit_log(store, actor, who=given["who"], what=given["what"], record=given["record"], on=given["on"],
                      page=page, before=before)
    return AuditLogLoaded(lines, page, tuple(given.values()))


class AuditLogScreen(DeskScreen):
    """The audit log, newest first, :data:`PAGE` rows a page (permission ``view_audit``)."""

    HELP = (
        "The audit log: every view of a personal record, every change, export, disclosure and refusal, "
        "with who and when; newest first, each row a sentence (update abstraction ABS-... fields: "
        "date_to). It holds keys, counts and field names only, never names or notes. Type in the boxes "
        "to filter as you type: who (a collar number or its start), what (words of the operation and the "
        "record kind: update abstr, view young), record (a key or its start: ABS-2026) and date (2026-01, "
        f"2026-01-07). PgDn and PgUp page through {PAGE} rows at a time; the line above the table says "
        "which rows of how many. Tab moves between the boxes and the table. Admins only."
    )
    BINDINGS = bindings.AUDIT_LOG
    CSS_PATH = "audit_log.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.page = 0
        #: the ``before`` id of each page shown so far (page n starts below stack[n])
        self.starts: list[int | None] = [None]
        self.shown: AuditPage | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            for name, placeholder in FILTERS:
                yield FilterInput(placeholder=placeholder, id=f"f-{name}")
        yield Static(Text("Loading…", style="dim"), id="audit-page")
        # the columns for the width the screen will have (a resize to it then changes nothing)
        self._width = self.app.size.width
        yield DeskTable(columns_for(self._width), id="audit")
        yield Static(Text(""), id="audit-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Audit log"
        self.query_one("#audit", DeskTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.query_one("#audit", DeskTable).set_columns(columns_for(event.size.width))
            if self.shown is not None:
                self.show(self.shown)

    def filters(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name, _ in FILTERS}

    def reload(self) -> None:
        store, actor, filters, page = self.store, self.actor, self.filters(), self.page
        before = self.starts[page]
        self.load_first("audit", AuditLogLoaded, self.on_audit_log_loaded,
                        lambda: read_audit(store, actor, filters, page, before))

    def on_audit_log_loaded(self, message: AuditLogLoaded) -> None:
        if (message.page, message.filters) != (self.page, tuple(self.filters().values())):
            return
        self.show(message.lines)

    def show(self, shown: AuditPage) -> None:
        self.shown = shown
        self.query_one("#audit", DeskTable).replace_rows(
            (str(r.id), [r.id, r.when, r.actor, r.sentence]) for r in shown.lines
        )
        label = Text(shown.label, style="bold" if shown.total else "dim")
        if shown.has_older:
            label.append("   PgDn older", style="dim")
        if self.page:
            label.append("   PgUp newer", style="dim")
        self.query_one("#audit-page", Static).update(label)
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted row in full (a long sentence is cut in its column)."""
        key = self.query_one("#audit", DeskTable).current_key
        line: AuditLine | None = None
        if self.shown is not None and key is not None:
            line = next((r for r in self.shown.lines if str(r.id) == key), None)
        text = Text()
        if line is not None:
            text.append(f"#{line.id}  {line.when}  {line.actor}: ", style="bold")
            text.append(line.sentence)
        self.query_one("#audit-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.page = 0
        self.starts = [None]
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#audit", DeskTable).focus()

    def action_next_page(self) -> None:
        if self.shown is None or not self.shown.has_older or not self.shown.lines:
            self.notify("This is the last page: nothing older.", markup=False)
            return
        oldest = self.shown.lines[-1].id
        del self.starts[self.page + 1:]
        self.starts.append(oldest)
        self.page += 1
        self.reload()

    def action_previous_page(self) -> None:
        if self.page:
            self.page -= 1
            self.reload()
        else:
            self.notify("This is the first page: the newest rows.", markup=False)
