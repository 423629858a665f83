"""The running app as the desk (typed): ``desk_of(widget.app).store``, ``.actor``, ``.exports``, ``.today()``.

Screens use :attr:`slo.tui.screens.base.DeskScreen.desk`; widgets and forms call this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import App

if TYPE_CHECKING:
    from slo.tui.app import SloApp


def desk_of(app: App[Any]) -> SloApp:
    """``app`` as the desk (Textual types ``widget.app`` as any app)."""
    return cast("SloApp", app)
