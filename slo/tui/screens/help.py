"""Help (F1 or ?): what the current screen is for and its keys, read from its BINDINGS."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from slo.tui import bindings
from slo.tui.widgets import DeskTable

GENERAL = (
    "SLO Desk records the daily work of a schools liaison officer: visits and sessions, "
    "pre-exclusion consultations, referrals, abstractions and absences. Every view of a "
    "young person's record and every change is written to the audit log."
)


def _described(source: list[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding) and b.description]


def binding_rows(app: App[Any], screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(key, description, where) for the screen's bindings, then the desk's global keys."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    everywhere = _described(bindings.GLOBAL)
    if isinstance(screen, ModalScreen):
        # over a form (a modal screen) only the desk's priority keys (ctrl+q) work: the form's own are listed
        everywhere = [b for b in everywhere if b.priority]
    for where, source in (("this screen", _described(type(screen).BINDINGS)), ("everywhere", everywhere)):
        for b in source:
            key = app.get_key_display(b)
            if (key, b.action) in seen:
                continue
            seen.add((key, b.action))
            rows.append((key, b.description, where))
    rows.append(("ctrl+p", "Command palette: this screen's actions, go to any school or young person", "everywhere"))
    return rows


class HelpScreen(ModalScreen[None]):
    """Help for ``target`` (the screen that was showing)."""

    HELP = "This help: the purpose of the screen below and every key it has."
    BINDINGS = bindings.HELP
    CSS_PATH = "help.tcss"

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            title = self.target.title or "this screen"
            purpose = Text()
            purpose.append(f"Help: {title}\n", style="bold")
            purpose.append(self.target.HELP or GENERAL)
            purpose.append("\n\n")
            purpose.append(GENERAL, style="dim")
            purpose.append("\nPress Escape to close.", style="dim")
            yield Static(purpose, id="help-purpose")
            yield DeskTable([("Key", "key"), ("Does", "does"), ("Where", "where")], id="help-keys")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DeskTable)
        table.replace_rows(
            (f"{i}", [Text(key, style="bold"), does, where])
            for i, (key, does, where) in enumerate(binding_rows(self.app, self.target))
        )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
