"""What a person reads on the desk's screen: the rendered screen as plain text lines (test helper)."""

from __future__ import annotations

import io

from rich.console import Console


def screen_text(app) -> str:
    """The current screen as the terminal shows it, one line per row (styles dropped)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      legacy_windows=False, safe_box=False, color_system="truecolor")
    # what the screen would paint now (the same call Textual's own screenshots make)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()
