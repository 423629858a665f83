"""A filter box: the cursor does not blink under test (stable snapshots)."""

from __future__ import annotations

from textual.widgets import Input


class FilterInput(Input):
    DEFAULT_CSS = """
    FilterInput { height: 3; }
    """

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False
