"""Discard what you typed? (y / n): asked when Escape closes a form that was typed into."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from slo.tui import bindings


class ConfirmDiscard(ModalScreen[bool]):
    """Discard what you typed? y / n."""

    HELP = "You pressed Escape on a form you had typed into. Discard throws the typing away; keep goes back."
    BINDINGS = bindings.CONFIRM_DISCARD
    DEFAULT_CSS = """
    ConfirmDiscard { align: center middle; }
    ConfirmDiscard > Vertical { width: 50; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Discard what you typed?")
            yield Static(Text("[y] Discard   [n] Keep editing", style="dim"))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
