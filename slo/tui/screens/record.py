"""One record: every field in plain words and its history; ``e`` corrects it, ``x`` deletes a mistake.

Opened with Enter from wherever records are listed (a school's engagements and consultations, a
young person's chronology, an officer's abstractions). The fields and the history come from one
read model (:func:`slo.services.queries.record.record_detail`: same permissions as the record,
a personal record's view audited); ``e`` opens the form that created the record, in edit mode
(same validation); ``x`` asks for the reason and deletes a record created by mistake
(:func:`slo.services.records.delete`), or says in one line why it cannot.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Input, Static

from slo.services.queries.record import RecordDetail, record_detail
from slo.tui import bindings
from slo.tui.messages import RecordDeleted, RecordLoaded
from slo.tui.widgets import DeskFooter, DeskTable

from .base import DeskScreen


def fields_text(detail: RecordDetail) -> Group:
    """Every field beside its label (values wrap in their own column), then what e and x can do."""
    parts: list[RenderableType] = []
    if detail.deleted is not None:
        head = Text()
        head.append(f"Deleted on {detail.deleted.at} by {detail.deleted.actor}. ", style="bold red")
        head.append(detail.deleted.what)
        head.append("\nIts last values:", style="dim")
        parts.append(head)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    for f in detail.fields:
        grid.add_row(Text(f.label), Text(f.value))
    parts.append(grid)
    hint = Text(style="dim")
    if detail.why_not_edit:
        hint.append(f"e: {detail.why_not_edit}.")
    else:
        hint.append("e corrects it.")
    if detail.why_not_delete:
        hint.append(f"  x: {detail.why_not_delete}.")
    else:
        hint.append("  x deletes it, if it was created by mistake.")
    parts.append(Text(""))
    parts.append(hint)
    return Group(*parts)


def history_text(detail: RecordDetail) -> Text:
    out = Text()
    out.append("History", style="bold")
    if not detail.history:
        out.append("\nNo change recorded since it was imported.", style="dim")
    for line in detail.history:
        out.append(f"\n{line.at}  ", style="bold")
        out.append(f"{line.actor}  ")
        out.append(line.what)
        for change in line.changes:
            out.append("\n    ")
            out.append(change)
    return out


class ConfirmDelete(ModalScreen[str | None]):
    """Delete a record created by mistake: type why, Enter deletes, Escape keeps it."""

    HELP = ("Deleting is only for a record created by mistake. Type why (for example: booked twice), then "
            "Enter. Its history keeps its last values and your reason. Escape keeps the record.")
    BINDINGS = bindings.CONFIRM_DELETE
    DEFAULT_CSS = """
    ConfirmDelete { align: center middle; }
    ConfirmDelete > Vertical { width: 70; height: auto; border: thick $error; background: $surface; padding: 1 2; }
    """

    def __init__(self, what: str, note: str = "") -> None:
        super().__init__()
        self.what = what
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Delete {self.what}? Only a record created by mistake."))
            if self.note:
                yield Static(Text(self.note, style="dim"))
            yield Input(placeholder="why (e.g. booked twice)", id="delete-reason")
            yield Static(Text("Enter deletes   Escape keeps it", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#delete-reason", Input).focus()

    @on(Input.Submitted, "#delete-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.notify("Say why it is deleted (it was created by mistake).", severity="warning", markup=False)
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChooseRecord(ModalScreen[str | None]):
    """Pick one of a list of records to open (the week planner's engagements): Enter opens it."""

    HELP = "Choose the visit or session to open: arrows move, Enter opens it, Escape closes."
    BINDINGS = bindings.CHOOSE_RECORD
    DEFAULT_CSS = """
    ChooseRecord { align: center middle; }
    ChooseRecord > Vertical { width: 90%; height: auto; max-height: 80%; border: thick $primary;
                              background: $surface; padding: 0 1; }
    ChooseRecord DeskTable { height: auto; max-height: 30; }
    """

    def __init__(self, heading: str, columns: list[tuple[str, str]], rows: list[tuple[str, list[str]]]) -> None:
        super().__init__()
        self.heading = heading
        self.columns = columns
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.heading, style="bold"))
            yield DeskTable(self.columns, id="choose-record")
            yield Static(Text("Enter opens   Escape closes", style="dim"))

    def on_mount(self) -> None:
        table = self.query_one("#choose-record", DeskTable)
        table.replace_rows(self.rows)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value if event.row_key else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecordScreen(DeskScreen):
    """One record and its history."""

    HELP = (
        "One record: every field in words and its history (who changed what, when; old → new). "
        "e corrects it in the form that created it (same checks as creating). x deletes it, but only "
        "a record created by mistake that nothing else refers to (a planned visit, a consultation "
        "without a referral...); you give the reason, and the history keeps its last values. After "
        "review an abstraction is corrected only by the sergeant. h shows the history, y opens the young "
        "person the record is about."
    )
    BINDINGS = bindings.RECORD
    CSS_PATH = "record.tcss"

    def __init__(self, entity: str, key: str) -> None:
        super().__init__()
        self.entity = entity
        self.key = key
        self.detail: RecordDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="record-body"):
            yield Static(Text("Loading…"), id="record-fields")
            yield Static(Text(""), id="record-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = self.key

    def reload(self) -> None:
        store, actor, entity, key = self.store, self.actor, self.entity, self.key
        audit_view = self.detail is None
        self.load("record", lambda: RecordLoaded(record_detail(store, actor, entity, key, audit_view=audit_view)))

    def on_record_loaded(self, message: RecordLoaded) -> None:
        detail = self.detail = message.detail
        self.title = detail.title
        self.query_one("#record-fields", Static).update(fields_text(detail))
        self.query_one("#record-history", Static).update(history_text(detail))

    # ------------------------------------------------------------------ correcting

    def action_edit(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if detail.why_not_edit:
            self.notify(f"{detail.why_not_edit}.", severity="warning", markup=False)
            return
        v, key = detail.values, detail.key
        if detail.entity == "engagements":
            from .forms.engagement import EngagementForm

            self.desk.open_form(EngagementForm(school=v.get("school"), young_person=v.get("young_person"), ref=key))
        elif detail.entity == "consultations":
            from .forms.consultation import ConsultationForm

            self.desk.open_form(ConsultationForm(young_person=v.get("young_person"), school=v.get("school"), ref=key))
        elif detail.entity == "referrals":
            from .forms.referral import ReferralForm

            self.desk.open_form(ReferralForm(young_person=v.get("young_person"),
                                             consultation=v.get("consultation"), ref=key))
        elif detail.entity == "young_people":
            from .forms.young_person import YoungPersonForm

            self.desk.open_form(YoungPersonForm(school=v.get("school"), ref=key))
        elif detail.entity == "abstractions":
            from .forms.abstraction import AbstractionForm

            self.desk.open_form(AbstractionForm(officer=v.get("officer"), ref=key))
        elif detail.entity == "absences":
            from .forms.absence import AbsenceForm

            def saved(new_key: str | None) -> None:
                if new_key:
                    self.key = new_key  # a new first day is a new key (its history moved with it)
                    self.notify(f"Saved {new_key}", markup=False)
                    self.reload()

            self.desk.open_form(AbsenceForm(officer=v.get("officer"), key=key), on_result=saved)
        else:
            self.notify(f"{self.key} is corrected from its own screen.", severity="warning", markup=False)

    def action_delete(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if detail.why_not_delete:
            self.notify(f"{detail.why_not_delete}.", severity="warning", markup=False)
            return
        note = ("It goes from the school's calendar at its next refresh; a school that imported the calendar "
                "file keeps it: if they may have it, cancel the visit instead (d on the school screen)."
                if detail.entity == "engagements" else "")
        self.app.push_screen(ConfirmDelete(detail.title, note), self._delete_confirmed)

    def _delete_confirmed(self, reason: str | None) -> None:
        if not reason:
            return
        from slo.services import records

        store, actor, entity, key = self.store, self.actor, self.entity, self.key

        def delete() -> RecordDeleted:
            entry = records.delete(store, actor, entity, key, reason)
            return RecordDeleted(f"Deleted {records.one_of(entity)} {key} ({entry.reason}); "
                                 "its history keeps its last values.")

        self.load("delete", delete)

    def action_young_person(self) -> None:
        """The young person the record is about (a consultation, a referral, a 1:1 session)."""
        detail = self.detail
        if detail is None:
            return
        ref = detail.key if detail.entity == "young_people" else detail.values.get("young_person")
        if not ref:
            self.notify(f"{detail.title} is about no young person.", markup=False)
            return
        self.desk.open_young_person(str(ref))

    def action_history(self) -> None:
        body = self.query_one("#record-body", VerticalScroll)
        before = body.scroll_y
        body.scroll_to_widget(self.query_one("#record-history", Static), top=True, animate=False)
        if body.scroll_y == before:
            self.notify("The history is on screen, under the fields.", markup=False)

    def on_record_deleted(self, message: RecordDeleted) -> None:
        self.notify(message.text, markup=False)
        self.reload()
