"""Audit log (admins): who did what to which record, when; filtered and paged."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Static

from slo.services.queries.audit_log import audit_log
from slo.tui import bindings
from slo.tui.messages import AuditLogLoaded
from slo.tui.widgets import DeskFooter, DeskTable, FilterInput

from .base import DeskScreen

PAGE = 200
FILTERS = [
    ("who", "Actor (collar)"),
    ("entity", "Entity (young_people…)"),
    ("operation", "Operation (view…)"),
    ("on", "Date (2026-01-07)"),
]
COLUMNS = [
    ("#", "id"), ("At", "at"), ("Actor", "actor"), ("Operation", "op"), ("Entity", "entity"), ("Key", "key"),
    ("Detail", "detail"),
]


class AuditLogScreen(DeskScreen):
    """The audit log, newest first, 200 rows a page (permission ``view_audit``)."""

    HELP = (
        "The audit log: every view of a personal record, every change, export and refusal, with "
        "who and when; newest first. Type in the boxes to filter by actor, entity, operation or "
        "date (prefix, e.g. 2026-01); PgDn and PgUp page through 200 rows at a time. Admins only."
    )
    BINDINGS = bindings.AUDIT_LOG
    CSS_PATH = "audit_log.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.page = 0
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            for name, placeholder in FILTERS:
                yield FilterInput(placeholder=placeholder, id=f"f-{name}")
        yield Static(Text(""), id="audit-page")
        yield DeskTable(COLUMNS, id="audit")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Audit log"
        self.query_one("#audit", DeskTable).focus()

    def filters(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name, _ in FILTERS}

    def reload(self) -> None:
        store, actor, filters, page = self.store, self.actor, self.filters(), self.page
        self.load("audit", lambda: AuditLogLoaded(
            audit_log(store, actor, offset=page * PAGE, limit=PAGE, **filters), page, tuple(filters.values())))

    def on_audit_log_loaded(self, message: AuditLogLoaded) -> None:
        if (message.page, message.filters) != (self.page, tuple(self.filters().values())):
            return
        rows = message.lines
        self.count = len(rows)
        self.query_one("#audit", DeskTable).replace_rows(
            (str(r.id), [r.id, r.at, r.actor, r.operation, r.entity, r.key or "", r.detail or ""]) for r in rows
        )
        first = self.page * PAGE + 1 if rows else 0
        more = "  PgDn for more" if len(rows) == PAGE else ""
        self.query_one("#audit-page", Static).update(
            Text(f"Page {self.page + 1}: rows {first}-{self.page * PAGE + len(rows)}{more}"))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.page = 0
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#audit", DeskTable).focus()

    def action_next_page(self) -> None:
        if self.count == PAGE:
            self.page += 1
            self.reload()

    def action_previous_page(self) -> None:
        if self.page:
            self.page -= 1
            self.reload()
