"""The desk's footer: Textual's, rebuilt only when the keys it shows change, and on as many lines as
its keys need: on a narrow terminal the keys wrap onto a second line instead of running off the edge
(Textual's footer is one line: at 80 columns the caseload lost w, r, x and F1)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: the most lines the footer takes (keys beyond are reached through help and the palette)
MAX_LINES = 3


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


def key_width(key_display: str, description: str) -> int:
    """The cells a FooterKey takes: `` key `` then ``description `` (Textual's padding)."""
    return len(key_display) + 2 + (len(description) + 1 if description else 0)


def wrap(widths: list[int], width: int, first: int | None = None) -> list[list[int]]:
    """The indexes of ``widths`` on each line, in order, each line at most ``width`` cells (the first
    at most ``first``: the palette key is on it)."""
    lines: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        room = first if first is not None and len(lines) == 1 else width
        if lines[-1] and used + w > room:
            lines.append([])
            used = 0
        lines[-1].append(i)
        used += w
    return lines


class DeskFooter(Footer):
    """Textual's Footer recomposes (unmounts and mounts a widget per key, each styled) on every
    bindings update of its screen: each focus change, each screen pushed on top or popped. Opening
    a school did that six times (about 60 ms of CPU). This one recomposes only when what it would
    show differs from what it shows, or when the width changes how its keys wrap."""

    DEFAULT_CSS = """
    DeskFooter { layout: vertical; }
    DeskFooter > HorizontalGroup { height: 1; width: 1fr; }
    """

    #: what the footer shows, or will show once the recompose already asked for has run
    _shown: tuple | None = None

    def _width(self) -> int:
        width = self.size.width
        if not width and self.is_attached:
            width = self.screen.size.width
        return width or self.app.size.width

    def _state(self) -> tuple:
        return shown_keys(self.screen), self._lines_for(self._width())

    def _keys(self) -> tuple[list[tuple[Binding, bool, str]], tuple[Binding, bool, str] | None]:
        keys, palette = shown_keys(self.screen)
        seen: set[str] = set()
        out = []
        for binding, enabled, tooltip in keys:
            if binding.action in seen:  # one key per action, as Textual's footer shows
                continue
            seen.add(binding.action)
            out.append((binding, enabled, tooltip))
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            palette = None
        return out, palette

    def _lines_for(self, width: int) -> list[list[int]]:
        keys, palette = self._keys()
        widths = [key_width(self.app.get_key_display(b), b.description) for b, _e, _t in keys]
        first = width
        if palette is not None:
            first -= key_width(self.app.get_key_display(palette[0]), palette[0].description) + 2
        return wrap(widths, max(width, 10), max(first, 10))[:MAX_LINES]

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._state()
        keys, palette = self._keys()
        lines = self._shown[1]
        self.styles.height = max(len(lines), 1)
        for n, line in enumerate(lines):
            with HorizontalGroup():
                for i in line:
                    binding, enabled, tooltip = keys[i]
                    yield FooterKey(
                        binding.key,
                        self.app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        disabled=not enabled,
                        tooltip=tooltip,
                    ).data_bind(compact=Footer.compact)
                if n == 0 and palette is not None:
                    binding, enabled, tooltip = palette
                    yield FooterKey(
                        binding.key,
                        self.app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        classes="-command-palette",
                        disabled=not enabled,
                        tooltip=binding.tooltip or binding.description,
                    )

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._state()
            if self._bindings_ready and shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        if self._bindings_ready and self.is_attached and self._shown is not None and self._state() != self._shown:
            self._shown = None
            self.call_after_refresh(self.recompose)
