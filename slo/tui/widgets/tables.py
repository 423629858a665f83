"""A DataTable whose cells are always :class:`rich.text.Text` (user text is data, never markup)."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable


def cell(value: Any, style: str = "") -> Text:
    """One table cell: ``None`` is blank, everything else is plain text (never parsed as markup)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value), style=style, no_wrap=True, overflow="ellipsis")


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

    def _add_columns(self) -> None:
        for label, key, *width in self._column_spec:
            self.add_column(label, key=key, width=width[0] if width else None)

    def on_mount(self) -> None:
        if self._column_spec and not self.columns:
            self._add_columns()

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Any]]], *, keep_cursor: bool = True) -> None:
        """Replace every row: ``rows`` are ``(row_key, cells)``; cells become :class:`Text`."""
        if not self.columns:
            self._add_columns()
        old_key = self.current_key if keep_cursor else None
        self.clear()
        index = 0
        for i, (key, cells) in enumerate(rows):
            self.add_row(*[cell(c) for c in cells], key=key)
            if key == old_key:
                index = i
        if self.row_count:
            self.move_cursor(row=index, animate=False)

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
