"""The desk's footer: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What a Footer on ``screen`` would show: every shown binding with its state, and the palette key."""
    active = screen.active_bindings
    shown = tuple(
        (binding, enabled, tooltip)
        for (_namespace, binding, enabled, tooltip) in active.values()
        if binding.show
    )
    palette = active.get(screen.app.COMMAND_PALETTE_BINDING)
    return shown, (palette.binding, palette.enabled, palette.tooltip) if palette else None


class DeskFooter(Footer):
    """Textual's Footer recomposes (unmounts and mounts a widget per key, each styled) on every
    bindings update of its screen: each focus change, each screen pushed on top or popped. Opening
    a school did that six times (about 60 ms of CPU). This one recomposes only when what it would
    show differs from what it shows."""

    #: what the footer shows, or will show once the recompose already asked for has run
    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = shown_keys(screen)
            if self._bindings_ready and shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
