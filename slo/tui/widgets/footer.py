"""The desk's footer: the keys of the screen, drawn as lines of text by one widget.

Textual's Footer is a container with one widget per key, and it unmounts and mounts them all (each
styled through CSS) whenever the screen's bindings change: each focus change, each screen pushed or
popped. Profiled in a real terminal (issue 20), that was about 65 ms of every screen push on the
national demo. This footer is one widget: it keeps the keys it shows as data, draws them as text
(:meth:`DeskFooter.render`), and is drawn again only when what it shows changes. It looks as Textual's
does (the same theme colours, the palette key on the right of the first line), and a key clicked is
pressed, as in Textual's.

On a narrow terminal the keys wrap onto a second line (up to :data:`MAX_LINES`) instead of running
off the edge (Textual's footer is one line: at 80 columns the caseload lost w, r, x and F1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

#: the most lines the footer takes (keys beyond are reached through help and the palette)
MAX_LINES = 3
#: between the keys and the palette key, on the first line
SEPARATOR = "▏"


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
    """The cells a key takes: `` key `` then ``description `` (Textual's footer's padding)."""
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


@dataclass(frozen=True)
class FooterKey:
    """One key as the footer shows it."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        return key_width(self.display, self.description)


@dataclass(frozen=True)
class Layout:
    """What the footer shows: its keys on their lines, and the palette key (on the first line's right)."""

    lines: tuple[tuple[FooterKey, ...], ...]
    palette: FooterKey | None
    width: int


class DeskFooter(Widget, can_focus=False):
    """The keys of the screen it is on, as lines of text (see the module's doc)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer--separator"}
    DEFAULT_CSS = """
    DeskFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer--separator { color: $foreground 20%; }
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        """``kwargs``: as Widget's (name, id, classes)."""
        super().__init__(**kwargs)
        #: what is drawn (None until the screen's bindings are known)
        self._layout: Layout | None = None
        #: where each key is drawn: (line, first cell, last cell + 1, key)
        self._regions: list[tuple[int, int, int, FooterKey]] = []

    # ------------------------------------------------------------------ what it shows

    def _width(self) -> int:
        width = self.size.width
        if not width and self.is_attached:
            width = self.screen.size.width
        return width or self.app.size.width

    def keys(self) -> tuple[list[FooterKey], FooterKey | None]:
        """The keys the footer shows (one per action, as Textual's footer) and the palette key."""
        shown, palette = shown_keys(self.screen)
        seen: set[str] = set()
        out = []
        for binding, enabled, tooltip in shown:
            if binding.action in seen:
                continue
            seen.add(binding.action)
            out.append(self._key(binding, enabled, tooltip))
        palette_key = None
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            binding, enabled, tooltip = palette
            palette_key = self._key(binding, enabled, tooltip or binding.tooltip or binding.description)
        return out, palette_key

    def _key(self, binding: Binding, enabled: bool, tooltip: str) -> FooterKey:
        return FooterKey(binding.key, self.app.get_key_display(binding), binding.description, enabled, tooltip)

    def layout_for(self, width: int) -> Layout:
        """The keys on their lines at ``width`` cells."""
        keys, palette = self.keys()
        first = width
        if palette is not None:
            first -= palette.width + 2
        lines = wrap([k.width for k in keys], max(width, 10), max(first, 10))[:MAX_LINES]
        return Layout(tuple(tuple(keys[i] for i in line) for line in lines), palette, width)

    def update_keys(self) -> None:
        """Lay the keys out again; drawn again only when that changes what is shown."""
        if not self.is_attached:
            return
        layout = self.layout_for(self._width())
        if layout == self._layout:
            return
        height_changed = self._layout is None or len(layout.lines) != len(self._layout.lines)
        self._layout = layout
        self.styles.height = max(len(layout.lines), 1)
        self.refresh(layout=height_changed)

    # ------------------------------------------------------------------ drawing

    def render(self) -> Text:
        layout = self._layout
        self._regions = []
        if layout is None:
            return Text("")
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        dim = Style(dim=True)
        width = self.size.width or layout.width
        out = Text(no_wrap=True, overflow="crop", end="")
        for n, line in enumerate(layout.lines):
            if n:
                out.append("\n")
            x = 0
            for key in line:
                x = self._draw(out, key, n, x, key_style, description_style, dim)
            if n == 0 and layout.palette is not None:
                palette = layout.palette
                gap = width - x - palette.width - 1
                if gap > 0:
                    out.append(" " * gap)
                    x += gap
                out.append(SEPARATOR, style=self.get_component_rich_style("footer--separator"))
                x += 1
                x = self._draw(out, palette, n, x, key_style, description_style, dim)
        return out

    def _draw(self, out: Text, key: FooterKey, line: int, x: int,
              key_style: Style, description_style: Style, dim: Style) -> int:
        start = x
        extra = Style() if key.enabled else dim
        out.append(f" {key.display} ", style=key_style + extra)
        if key.description:
            out.append(f"{key.description} ", style=description_style + extra)
        x += key.width
        self._regions.append((line, start, x, key))
        return x

    def key_at(self, x: int, y: int) -> FooterKey | None:
        """The key drawn at cell ``x`` of line ``y`` (None between keys)."""
        for line, start, end, key in self._regions:
            if line == y and start <= x < end:
                return key
        return None

    # ------------------------------------------------------------------ events

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen and screen.app.app_focus:
            self.update_keys()

    def on_resize(self, event: events.Resize) -> None:
        self.update_keys()

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x, event.y)
        if key is None:
            return
        event.stop()
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self.key_at(event.x, event.y)
        self.tooltip = (key.tooltip or None) if key is not None else None
