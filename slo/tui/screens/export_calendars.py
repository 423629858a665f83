"""Export calendars: write or refresh the head teachers' .ics files, with a progress bar, then list them."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, ProgressBar, Static

from slo.calendars import CalendarExportResult, export_calendars
from slo.tui import bindings
from slo.tui.messages import CalendarsExported, ExportProgress, LoadFailed
from slo.tui.widgets import DeskFooter

from .base import DeskScreen


def summary_text(result: CalendarExportResult, school: str | None) -> Text:
    out = Text()
    written = len(result.written)
    if written:
        out.append(f"Written {written} calendar file{'s' if written != 1 else ''}", style="bold green")
    else:
        out.append("Nothing changed since the last export: no file written", style="bold")
    out.append(f"   unchanged {result.unchanged}   events written {result.events}   ({result.seconds:.2f} s)")
    if school:
        out.append(f"   school {school}")
    for path in result.removed:
        out.append("\nRemoved the old file of a renamed school: ")
        out.append(str(path))
    out.append("\nGive each head teacher their school's file, or publish the folder so they can subscribe "
               "(see docs/calendars.md). Every file written is recorded in the audit log as a disclosure.",
               style="dim")
    return out


class ExportCalendarsScreen(DeskScreen):
    HELP = (
        "Writes the head teachers' calendars: one .ics file per school with engagements to show "
        "(<exports>/calendars/<URN>-<school>.ics), from twelve months ago onwards. 1:1 sessions appear as "
        "'Liaison officer: 1:1 session' and never name a young person; notes are never exported; cancelled "
        "engagements stay, marked cancelled. Only files whose content changed are rewritten, so running it "
        "again is quick. An SLO exports their assigned schools, a sergeant the team's, an admin every school. "
        "Each written file is audited as a disclosure. Press r to run the export again."
    )
    BINDINGS = bindings.EXPORT_CALENDARS
    CSS_PATH = "export_calendars.tcss"

    def __init__(self, school: str | None = None) -> None:
        super().__init__()
        self.school = school
        self.running = False
        self.started = False
        self.result: CalendarExportResult | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(""), id="calendars-scope")
        yield ProgressBar(total=None, show_eta=False, id="calendars-progress")
        yield Static(Text("Preparing…", style="dim"), id="calendars-status")
        yield DataTable(id="calendars-files", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Export calendars"
        scope = Text("Head teachers' calendars for ")
        scope.append(f"school {self.school}" if self.school else "every school you may export", style="bold")
        scope.append(f"  →  {Path(self.desk.exports) / 'calendars'}")
        self.query_one("#calendars-scope", Static).update(scope)
        table = self.query_one("#calendars-files", DataTable)
        table.add_column("File written", key="file")

    def reload(self) -> None:
        # shown for the first time: export once (later visits keep the result; r runs again)
        if not self.started:
            self.action_run_export()

    def action_run_export(self) -> None:
        if self.running:
            self.notify("The export is already running.", markup=False)
            return
        self.started = self.running = True
        self.query_one("#calendars-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#calendars-status", Static).update(Text("Exporting…", style="dim"))
        store, actor, exports, school, today = self.store, self.actor, self.desk.exports, self.school, self.desk.today()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done in (0, total) or now - last[0] >= 0.1:  # at most ten updates a second
                last[0] = now
                self.post_message(ExportProgress(done, total))

        self.load("calendars", lambda: CalendarsExported(
            export_calendars(store, actor, exports, school=school, progress=progress, today=today)))

    def on_export_progress(self, message: ExportProgress) -> None:
        bar = self.query_one("#calendars-progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done if message.total else 1)
        if message.total:
            self.query_one("#calendars-status", Static).update(
                Text(f"Building {message.done} of {message.total} changed calendars…", style="dim")
            )

    def on_calendars_exported(self, message: CalendarsExported) -> None:
        self.running = False
        self.result = result = message.result
        bar = self.query_one("#calendars-progress", ProgressBar)
        total = bar.total or 1  # full, whatever the last progress report said
        bar.update(total=total, progress=total)
        self.query_one("#calendars-status", Static).update(summary_text(result, self.school))
        table = self.query_one("#calendars-files", DataTable)
        table.clear()
        for path in result.written:
            table.add_row(Text(str(path)), key=str(path))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.running = False
        self.query_one("#calendars-status", Static).update(Text(message.error, style="bold red"))
        super().on_load_failed(message)
