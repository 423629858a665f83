"""Term dates: list, add, delete and import the school terms of each local authority.

Deadlines of exclusions (6th and 15th school day) are counted in school days of
the school's local authority; without term dates they are counted on weekdays
minus bank holidays and shown as provisional. Only an admin may change term
dates (``permissions.MANAGE``); everyone may look.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Header, Input, Static

from slo.models.rules import ValidationFailed
from slo.models.words import plural
from slo.services import Store
from slo.services.queries.term_dates import terms
from slo.services.schooldays import add_term, delete_term, import_term_dates
from slo.tui import bindings
from slo.tui.messages import LoadFailed, TermsChanged, TermsLoaded, TermsRefused
from slo.tui.widgets import DeskFooter, DeskTable

from .base import DeskScreen


def _parse(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name}: {value.strip() or '(empty)'} is not a date (YYYY-MM-DD)") from None


def read_terms(store: Store, authority: str = "") -> TermsLoaded:
    """Every term of the local authorities whose name has ``authority`` in it (all of them: what the
    screen shows first). Runs in a worker."""
    return TermsLoaded(terms(store, authority=authority), authority)


class TermDatesScreen(DeskScreen):
    """Term dates per local authority (admins change them; everyone can look)."""

    HELP = (
        "Term dates of each local authority. Exclusion deadlines (6th and 15th school day) are counted in "
        "the school days of the school's authority: weekdays inside a term, less bank holidays. Without "
        "term dates, every weekday that is not a bank holiday counts and the deadline is marked "
        "provisional. Type in the first box to filter by authority. To add a term, fill in authority, "
        "start and end (YYYY-MM-DD, inclusive; half-terms are fine) and press ctrl+a. To import, type the "
        "path of a CSV with the header local_authority,term_start,term_end and press ctrl+o: all or "
        "nothing, bad rows are listed with their line numbers. Delete removes the selected term. "
        "Only an admin may change term dates."
    )
    BINDINGS = bindings.TERM_DATES
    CSS_PATH = "term_dates.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter by local authority", id="term-filter")
        yield DeskTable(
            [("Local authority", "la"), ("Term start", "start"), ("Term end", "end"), ("Days", "days")],
            id="terms", first_page=100,  # the national list is 2,196 terms: a screenful first, then the rest
        )
        with Horizontal(id="term-add"):
            yield Input(placeholder="Local authority", id="add-la")
            yield Input(placeholder="Start YYYY-MM-DD", id="add-start")
            yield Input(placeholder="End YYYY-MM-DD", id="add-end")
            yield Button("Add term (ctrl+a)", id="add-button")
        with Horizontal(id="term-import"):
            yield Input(placeholder="CSV file: local_authority,term_start,term_end", id="import-path")
            yield Button("Import (ctrl+o)", id="import-button")
        yield Static(Text(""), id="term-status")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Term dates"
        self.query_one("#terms", DeskTable).focus()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        store = self.store
        needle = self._filter()
        self.load_first("terms", TermsLoaded, self.on_terms_loaded, lambda: read_terms(store, needle))

    def _filter(self) -> str:
        return self.query_one("#term-filter", Input).value.strip().lower()

    def on_terms_loaded(self, message: TermsLoaded) -> None:
        if message.authority != self._filter():
            return
        self.query_one("#terms", DeskTable).replace_rows(
            (
                f"{t.local_authority}|{t.term_start.isoformat()}",
                [t.local_authority, t.term_start.isoformat(), t.term_end.isoformat(),
                 str((t.term_end - t.term_start).days + 1)],
            )
            for t in message.terms
        )
        if not message.terms:
            self._status("No term dates yet: deadlines are counted on weekdays minus bank holidays "
                         "and marked provisional.")

    def on_terms_refused(self, message: TermsRefused) -> None:
        problems = message.problems
        self._status("Nothing imported. Fix these rows:\n" + "\n".join(problems[:12])
                     + (f"\n... and {len(problems) - 12} more" if len(problems) > 12 else ""))
        self.notify(f"Import refused: {plural(len(problems), 'bad row')}", severity="error", markup=False)

    def on_terms_changed(self, message: TermsChanged) -> None:
        self._status(message.summary)
        self.notify(message.summary, markup=False)
        self.reload()

    def on_load_failed(self, message: LoadFailed) -> None:
        # a refused change must not close the screen (looking is allowed to everyone):
        # prevent_default keeps DeskScreen's handler, which pops on a refusal, from running
        message.stop()
        message.prevent_default()
        self._status(message.error)
        self.notify(message.error, title="Refused" if message.refused else "Problem", severity="error", markup=False)

    def _status(self, text: str) -> None:
        self.query_one("#term-status", Static).update(Text(text))

    # ------------------------------------------------------------------ actions

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "term-filter":
            self.reload()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add-button":
            self.action_add()
        elif event.button.id == "import-button":
            self.action_import()

    def action_filter(self) -> None:
        self.query_one("#term-filter", Input).focus()

    def action_add(self) -> None:
        la = self.query_one("#add-la", Input).value
        try:
            start = _parse(self.query_one("#add-start", Input).value, "start")
            end = _parse(self.query_one("#add-end", Input).value, "end")
        except ValueError as exc:
            self._status(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        store, actor = self.store, self.actor

        def add() -> TermsChanged:
            term = add_term(store, actor, la, start, end)
            return TermsChanged(
                f"Added {term.local_authority} {term.term_start.isoformat()} to {term.term_end.isoformat()}")

        self.load("add", add)

    def action_import(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            self._status("Type the path of the CSV file first.")
            return
        store, actor = self.store, self.actor

        def run() -> TermsChanged | TermsRefused:
            try:
                count = import_term_dates(store, actor, path)
            except ValidationFailed as exc:
                return TermsRefused([str(p) for p in exc.problems])
            return TermsChanged(f"Imported {plural(count, 'term')}.")

        self.load("import", run)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Delete is shown while the list has the keyboard (in a box it deletes a letter)."""
        if action == "delete":
            return isinstance(self.focused, DeskTable)
        return True

    def action_delete(self) -> None:
        key = self.query_one("#terms", DeskTable).current_key
        if not key:
            self.notify("No term is highlighted to delete.", markup=False)
            return
        la, start = key.rsplit("|", 1)
        store, actor = self.store, self.actor

        def delete() -> TermsChanged:
            delete_term(store, actor, la, date.fromisoformat(start))
            return TermsChanged(f"Deleted {la} term starting {start}")

        self.load("delete", delete)
