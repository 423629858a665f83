"""Plain terminal charts (no plotting library): horizontal bars and a column chart of rates.

Labels are user data: everything is built as :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"


def pct(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value * 100:.1f}%"


def hbars(items: Sequence[tuple[str, float | None]], *, width: int = 40, label_width: int = 18,
          as_rate: bool = True, style: str = "cyan") -> Text:
    """One line per item: label, a bar scaled to the largest value, the value."""
    values = [v for _l, v in items if isinstance(v, (int, float))]
    top = max(values + [0]) or 1
    out = Text()
    for i, (label, value) in enumerate(items):
        if i:
            out.append("\n")
        out.append(label[:label_width].ljust(label_width) + " ")
        if isinstance(value, (int, float)):
            n = round(width * value / top)
            out.append("█" * n, style=style)
            out.append(" " * (width - n))
        else:
            out.append(" " * width)
        out.append(" " + (pct(value) if as_rate else str(value)))
    if not items:
        out.append("(nothing in this period)", style="dim")
    return out


def stacked(items: Sequence[tuple[str, Sequence[int]]], styles: Sequence[str], *, width: int = 40,
            label_width: int = 10) -> Text:
    """One line per item with segments in ``styles`` (e.g. delivered green, cancelled red)."""
    top = max([sum(v) for _l, v in items] + [1])
    out = Text()
    for i, (label, values) in enumerate(items):
        if i:
            out.append("\n")
        out.append(label[:label_width].ljust(label_width) + " ")
        used = 0
        for v, style in zip(values, styles, strict=False):  # fewer styles than values: the rest unstyled
            n = round(width * v / top)
            out.append("█" * n, style=style)
            used += n
        out.append(" " * max(0, width - used))
        out.append(" " + " / ".join(str(v) for v in values))
    if not items:
        out.append("(nothing in this period)", style="dim")
    return out


def columns(values: Sequence[float | None], *, height: int = 6, style: str = "yellow") -> Text:
    """A column chart of rates, one column per value (e.g. a week), scaled to the largest value."""
    known = [v for v in values if isinstance(v, (int, float))]
    top = max(known + [0]) or 1
    levels = [0 if not isinstance(v, (int, float)) else v / top * height * 8 for v in values]
    out = Text()
    for row in range(height, 0, -1):
        if row != height:
            out.append("\n")
        for level in levels:
            fill = level - (row - 1) * 8
            out.append(BLOCKS[8] if fill >= 8 else BLOCKS[max(0, int(fill))], style=style)
    out.append(f"\nmax {pct(max(known) if known else None)} over {len(values)} weeks", style="dim")
    return out


class Chart(Static):
    """A titled chart: ``update_chart(title, body)`` with ``body`` built by the functions above."""

    DEFAULT_CSS = """
    Chart { height: auto; padding: 0 1; }
    """

    def update_chart(self, title: str, body: Text) -> None:
        text = Text(title + "\n", style="bold")
        text.append_text(body)
        self.update(text)
