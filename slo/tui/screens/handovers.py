"""Handover notes: the handovers you may read (to you first, unread marked), and one note.

The note is read from the school's records as they are now (its open consultations and deadlines,
planned sessions, the young people seen since the previous term, the head teacher and the uniform
policy); opening it is written to the audit log (it names young people). ``m`` prints it as a
markdown file in the exports folder (owner-only; audited as a disclosure)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label, year_label
from slo.models.words import plural
from slo.services.errors import USER_ERRORS
from slo.services.handover import HandoverNote
from slo.services.queries.handover import handover_note, handovers
from slo.tui import bindings
from slo.tui.messages import HandoverNoteLoaded, HandoversLoaded, NoteWritten
from slo.tui.widgets import DeskFooter, DeskTable

from .base import DeskScreen

COLUMNS = [("From", "day", 10), ("School", "school"), ("Handed by", "outgoing"), ("To", "incoming"),
           ("Moved", "moved", 5), ("Cancelled", "cancelled", 9), ("", "read"), ("#", "id", 5)]


class HandoversScreen(DeskScreen):
    HELP = (
        "The handovers you may read, newest first: schools handed to you or from you (an admin: every one; a "
        "sergeant: the team's). UNREAD marks a note the incoming officer has not opened yet. Enter opens the "
        "note."
    )
    BINDINGS = bindings.HANDOVERS
    CSS_PATH = "handovers.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(""), id="handovers-count")
        yield DeskTable(COLUMNS, id="handovers")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Handover notes"
        self.query_one("#handovers", DeskTable).focus()

    def reload(self) -> None:
        store, actor = self.store, self.actor
        self.load("handovers", lambda: HandoversLoaded(handovers(store, actor)))

    def on_handovers_loaded(self, message: HandoversLoaded) -> None:
        self.query_one("#handovers", DeskTable).replace_rows(
            (str(h.id), [h.day, f"{h.school_name} ({h.school})", h.outgoing or "–", h.incoming, h.moved, h.cancelled,
                         Text("UNREAD", style="bold yellow") if h.unread else "read", h.id])
            for h in message.handovers)
        n = len(message.handovers)
        self.query_one("#handovers-count", Static).update(
            Text(f"{n} handover{'s' if n != 1 else ''}" if n else "No handover to read.", style="dim"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = self.query_one("#handovers", DeskTable).current_key
        if key:
            self.app.push_screen(HandoverNoteScreen(int(key)))


def note_text(note: HandoverNote) -> Text:
    """The note in the desk (plain text; user text never read as markup)."""
    out = Text()
    out.append(f"{note.school_name} ({note.school})\n", style="bold")
    out.append(f"From {note.outgoing_name} ({note.outgoing}) to {note.incoming_name} ({note.incoming}) on "
               f"{note.day:%A %d %B %Y}; made by {note.made_by} on {note.made_at.replace('T', ' ')[:16]}: "
               f"{plural(note.moved, 'planned engagement')} moved, {note.cancelled} cancelled.\n")
    out.append("Confidential: it names young people.\n", style="dim")
    out.append("\nThe school\n", style="bold underline")
    out.append(f"Phase: {label(note.phase)}" + (f", {note.local_authority}" if note.local_authority else "") + "\n")
    out.append("Head teacher: ")
    out.append(note.head_teacher or "not recorded")
    if note.head_teacher_email:
        out.append(f" ({note.head_teacher_email})")
    out.append("\nUniform policy: ")
    out.append(label(note.uniform_policy), style="bold yellow" if note.uniform_policy != "uniform_welcome" else "bold")
    out.append(f"\n\nConsultations awaiting an outcome ({len(note.consultations)})\n", style="bold underline")
    for c in note.consultations:
        out.append(f"  {c.consulted_on}  ")
        out.append(c.young_person)
        out.append(f"  {label(c.proposed).lower()}, {label(c.timing).lower()}"
                   + (f", follow up {c.follow_up_on}" if c.follow_up_on else "") + f"  {c.ref}\n")
    if not note.consultations:
        out.append("  none\n", style="dim")
    out.append(f"\nDeadlines ({len(note.deadlines)})\n", style="bold underline")
    for d in note.deadlines:
        out.append(f"  {d.due_on:%a %d %b}  {d.title}  (")
        out.append(d.young_person)
        out.append(")" + ("  PROVISIONAL" if d.provisional else "") + "\n")
    if not note.deadlines:
        out.append("  none in the next four months\n", style="dim")
    out.append(f"\nPlanned sessions from {note.day:%d %b} ({len(note.sessions)})\n", style="bold underline")
    for s in note.sessions:
        out.append(f"  {datetime.fromisoformat(s.starts_at):%a %d %b %H:%M}  {label(s.kind)}  ")
        out.append(s.title)
        if s.young_person:
            out.append("  with ")
            out.append(s.young_person)
        out.append("\n")
    if not note.sessions:
        out.append("  none\n", style="dim")
    out.append(f"\nYoung people seen since {note.seen_since:%d %B %Y} ({len(note.young_people)})\n",
               style="bold underline")
    for p in note.young_people:
        out.append("  ")
        out.append(p.name)
        out.append(f"  {year_label(p.year_group)}, last seen {p.last_seen} "
                   f"({p.how})  {p.ref}\n")
    if not note.young_people:
        out.append("  none\n", style="dim")
    return out


def note_path(exports: Path, note: HandoverNote) -> Path:
    return Path(exports) / "handovers" / f"handover-{note.id}-{note.school}.md"


class HandoverNoteScreen(DeskScreen):
    HELP = (
        "A handover note: what the incoming officer needs to know about the school they take, read now from "
        "its records: the head teacher and the uniform policy, consultations awaiting an outcome and the "
        "deadlines of exclusions, the planned sessions from the handover day, and the young people seen at the "
        "school since the start of the previous term. Opening it is written to the audit log (it names young "
        "people). m prints it as a markdown file in the exports folder's handovers/ (only you can read the "
        "file; audited as a disclosure). Escape goes back."
    )
    BINDINGS = bindings.HANDOVER_NOTE
    CSS_PATH = "handovers.tcss"

    def __init__(self, handover_id: int) -> None:
        super().__init__()
        self.handover_id = handover_id
        self.note: HandoverNote | None = None
        self._loaded_once = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="note-body"):
            yield Static(Text("Loading…", style="dim"), id="note")
        yield Static(Text(""), id="note-status")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Handover note"

    def reload(self) -> None:
        if self._loaded_once:
            return  # one view, one audit row: reopening the screen reads it again
        self._loaded_once = True
        store, actor, hid = self.store, self.actor, self.handover_id
        self.load("note", lambda: HandoverNoteLoaded(handover_note(store, actor, hid)))

    def on_handover_note_loaded(self, message: HandoverNoteLoaded) -> None:
        self.note = message.note
        self.title = f"Handover note: {message.note.school_name}"
        self.query_one("#note", Static).update(note_text(message.note))

    def action_print(self) -> None:
        from slo.services.handover import write_note

        if self.note is None:
            return
        store, actor, path = self.store, self.actor, note_path(self.desk.exports, self.note)

        def write() -> NoteWritten:
            try:
                write_note(store, actor, self.handover_id, str(path))
            except (*USER_ERRORS, OSError) as exc:
                return NoteWritten(None, str(exc))
            return NoteWritten(path, None)

        self.query_one("#note-status", Static).update(Text("Writing…", style="dim"))
        self.load("note-print", write)

    def on_note_written(self, message: NoteWritten) -> None:
        status = self.query_one("#note-status", Static)
        if message.error:
            status.update(Text(message.error, style="bold red"))
            self.notify(message.error, title="Not written", severity="error", markup=False)
            return
        status.update(Text(f"Wrote {message.path} (only you can read it)"))
        self.notify(f"Wrote {message.path}", markup=False)
