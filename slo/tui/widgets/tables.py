"""A DataTable whose cells are always :class:`rich.text.Text` (user text is data, never markup)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def cell(value: Any, style: str = "") -> Text:
    """One table cell: ``None`` is blank, everything else is plain text (never parsed as markup).

    Control characters are also dropped here (defence in depth: text is cleaned on the way in,
    but a row written to the database by other means must not reach the terminal with an ESC)."""
    if isinstance(value, Text):
        return value
    text = "" if value is None else _CONTROL.sub("", str(value))
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _same(text: Text) -> tuple:
    """A cell as what it looks like: ``Text ==`` compares the characters and spans only, not the style."""
    return (text.plain, str(text.style), tuple(text.spans), text.justify, text.overflow, text.no_wrap, text.end)


class DeskTable(DataTable):
    """Row cursor, zebra stripes, columns added with keys, rows replaced in one call."""

    DEFAULT_CSS = """
    DeskTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[tuple] = (), **kwargs: Any) -> None:
        """``columns``: ``(label, key)`` or ``(label, key, width)``."""
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self._column_spec = list(columns)
        #: what replace_rows last put on screen, comparably (see _same)
        self._shown: list | None = None

    def set_columns(self, columns: Sequence[tuple]) -> None:
        """Replace the columns (``(label, key)`` or ``(label, key, width)``); the rows go with them."""
        self._column_spec = list(columns)
        self.clear(columns=True)
        self._add_columns()

    def _add_columns(self) -> None:
        for label, key, *width in self._column_spec:
            self.add_column(label, key=key, width=width[0] if width else None)

    def on_mount(self) -> None:
        if self._column_spec and not self.columns:
            self._add_columns()

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Any]]], *, keep_cursor: bool = True) -> None:
        """Replace every row: ``rows`` are ``(row_key, cells)``; cells become :class:`Text`.

        Rows identical to those on screen (a screen reloading on its return) are left as
        they are: clearing and adding rows makes the table lay out and render every row again
        (2,000 rows: about half a second).
        """
        if not self.columns:
            self._add_columns()
        new = [(key, [cell(c) for c in cells]) for key, cells in rows]
        shown = [(key, [_same(c) for c in cells]) for key, cells in new]
        if shown == self._shown and self.row_count == len(new) and (
            [k.value for k in self.rows] == [key for key, _cells in new]
        ):
            if not keep_cursor and self.row_count:
                self.move_cursor(row=0, animate=False)
            return
        old_key = self.current_key if keep_cursor else None
        self.clear()
        index = 0
        for i, (key, cells) in enumerate(new):
            self.add_row(*cells, key=key)
            if key == old_key:
                index = i
        if self.row_count:
            self.move_cursor(row=index, animate=False)
        self._shown = shown

    def clear(self, columns: bool = False):
        self._shown = None
        return super().clear(columns)

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # noqa: BLE001 - cursor outside the (new) rows
            return None
        return row_key.value
