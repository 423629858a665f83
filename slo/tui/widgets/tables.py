"""A DataTable whose cells are always :class:`rich.text.Text` (user text is data, never markup),
and whose columns fit the terminal.

Columns are declared as data, each screen its own list: ``(label, key)`` or ``(label, key, width)``
tuples (sized by Textual as before), or :class:`Col`, which says how narrow and how wide the column may
be and how important it is. A table of :class:`Col` lays itself out (:func:`fit_columns`) whenever its
rows or its width change: each column as wide as its content (up to its ``max``) while the width
allows; when even the narrowest widths do not fit, the least important columns leave the table and
their values for the highlighted row are shown on a detail line under it (:class:`DetailLine`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.render import measure
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets._data_table import RowKey, default_cell_formatter

#: a cell DeskTable draws itself (_render_cell): one line, no wrapping, cut with an ellipsis or cropped
_PLAIN_OVERFLOW = ("ellipsis", "crop")
_JOIN = Text("\n")

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: what a column costs besides its width (DataTable's cell padding, one column each side)
PADDING = 1
#: kept free for the vertical scroll bar
SCROLLBAR = 2


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


@dataclass(frozen=True)
class Col:
    """A column that sizes to its content and the width of the terminal.

    ``min``: the narrowest it may be (0: its label's width); ``max``: the widest (None: its content's).
    ``priority``: 0 is always shown; a column of priority 1 or more is shown only where it fits in
    full, and otherwise leaves the table for the detail line (:func:`fit_columns`)."""

    label: str
    key: str
    min: int = 0
    max: int | None = None
    priority: int = 0


def _width(text: Text) -> int:
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


def fit_columns(columns: Sequence[Col], content: Sequence[int], available: int) -> list[tuple[str, int]]:
    """``(key, width)`` of the columns shown, in their order, within ``available`` cells (each column
    also takes ``2 * PADDING``). ``content``: the widest cell of each column (its label included).

    The columns of priority 0 are always shown, at least at their narrowest; the other columns, the
    most important first (the lowest priority, then the leftmost), are shown while each fits in full
    beside them: from the first that does not, they are left for the detail line. What is left
    widens the columns of priority 0 towards their content, the leftmost first."""
    wanted = [min(w, c.max) if c.max is not None else w for c, w in zip(columns, content, strict=True)]
    narrowest = [min(c.min or cell_len(c.label), w) for c, w in zip(columns, wanted, strict=True)]
    widths = {i: narrowest[i] for i, c in enumerate(columns) if c.priority == 0}
    used = sum(w + 2 * PADDING for w in widths.values())
    optional = sorted((i for i, c in enumerate(columns) if c.priority > 0), key=lambda i: (columns[i].priority, i))
    for i in optional:
        if used + wanted[i] + 2 * PADDING > available:
            break  # this one does not fit: neither do the less important ones (its place is not theirs)
        widths[i] = wanted[i]
        used += wanted[i] + 2 * PADDING
    spare = available - used
    for i in sorted(widths):
        if spare <= 0:
            break
        grow = min(spare, wanted[i] - widths[i])
        if grow > 0:
            widths[i] += grow
            spare -= grow
    return [(columns[i].key, widths[i]) for i in sorted(widths)]


class DetailLine(Static):
    """Under a table whose columns do not all fit: the hidden columns of the highlighted row."""

    DEFAULT_CSS = """
    DetailLine { height: auto; max-height: 3; padding: 0 1; color: $text-muted; display: none; }
    """


class DeskTable(DataTable):
    """Row cursor, zebra stripes, columns added with keys, rows replaced in one call; a table of
    :class:`Col` fits its columns to its width (see the module's doc)."""

    DEFAULT_CSS = """
    DeskTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[tuple | Col] = (), *, first_page: int | None = None, **kwargs: Any) -> None:
        """``columns``: ``(label, key)``, ``(label, key, width)`` or :class:`Col`.

        ``first_page``: a long list is shown a page at a time: :meth:`replace_rows` adds this many rows at
        once and the rest after the screen has been drawn (a screen of 2,000 rows shows at once)."""
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.first_page = first_page
        #: raised by every clear: rows still to be added for an earlier replace_rows are then dropped
        self._generation = 0
        self._column_spec = list(columns)
        #: what replace_rows last put on screen, comparably (see _same)
        self._shown: list | None = None
        #: every cell of every row (hidden columns too), for a table of Col
        self._rows: list[tuple[str, list[Text]]] = []
        #: the (key, width) of the columns shown, as fit_columns gave them
        self._layout: list[tuple[str, int]] | None = None
        self._detail: DetailLine | None = None

    # ------------------------------------------------------------------ columns

    @property
    def fits(self) -> bool:
        """Whether the columns fit themselves to the width (declared as :class:`Col`)."""
        return any(isinstance(c, Col) for c in self._column_spec)

    def _cols(self) -> list[Col]:
        out = []
        for spec in self._column_spec:
            if isinstance(spec, Col):
                out.append(spec)
            else:
                label, key, *width = spec
                out.append(Col(label, key, min=width[0] if width else 0, max=width[0] if width else None))
        return out

    def set_columns(self, columns: Sequence[tuple | Col]) -> None:
        """Replace the columns (``(label, key)``, ``(label, key, width)`` or :class:`Col`); the rows go with them."""
        self._column_spec = list(columns)
        self._rows = []
        self._layout = None
        self.clear(columns=True)
        self._add_columns()

    def _add_columns(self) -> None:
        if self.fits:
            cols = {c.key: c for c in self._cols()}
            self._layout = self._layout or self._fit()
            for key, width in self._layout:
                self.add_column(cols[key].label, key=key, width=width)
            return
        for spec in self._column_spec:
            assert isinstance(spec, tuple)
            label, key, *fixed = spec
            self.add_column(label, key=key, width=fixed[0] if fixed else None)

    def _available(self) -> int:
        width = self.size.width
        if not width:  # not laid out yet: the screen's width is the best guess
            width = self.screen.size.width if self.is_attached else 0
            width = width or self.app.size.width
        return max(width - SCROLLBAR, 10)

    def _fit(self, rows: Sequence[tuple[str, Sequence[Text]]] | None = None) -> list[tuple[str, int]]:
        cols = self._cols()
        rows = self._rows if rows is None else rows
        content = [cell_len(c.label) for c in cols]
        for _key, cells in rows:
            for i, text in enumerate(cells[: len(cols)]):
                width = _width(text)
                if width > content[i]:
                    content[i] = width
        return fit_columns(cols, content, self._available())

    @property
    def hidden_columns(self) -> list[Col]:
        """The columns moved to the detail line (none until the table is laid out)."""
        if not self.fits or self._layout is None:
            return []
        shown = {key for key, _width in self._layout}
        return [c for c in self._cols() if c.key not in shown]

    def on_mount(self) -> None:
        if self._column_spec and not self.columns:
            self._add_columns()
        parent = self.parent
        if self.fits and self._detail is None and isinstance(parent, Widget):
            self._detail = DetailLine(Text(""), classes="table-detail")
            parent.mount(self._detail, after=self)

    def on_resize(self, event: events.Resize) -> None:
        if self.fits and self._layout is not None and self._fit() != self._layout:
            self._relayout()

    def _relayout(self) -> None:
        """Lay the columns out again and put the rows back (the cursor stays on its row)."""
        old_key, rows = self.current_key, self._rows
        layout = self._fit()
        self.clear(columns=True)
        self._layout, self._rows = layout, rows
        self._add_columns()
        self._add_rows(rows, old_key)
        self._shown = self._comparable(rows)
        self.show_detail()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """What DataTable does when rows are added (the widths of columns sized to content, and the
        table's virtual size), without rendering every cell to measure it.

        DataTable measures each new cell through Rich (about 17 µs a cell: 2,000 rows of 7 columns
        is a quarter of a second, the larger part of opening the team screen, profiled in a real
        terminal for issue 20). Here a column with a width of its own (every column of a table of
        :class:`Col`) is not measured at all, as DataTable does not use the measure; a cell of
        :class:`Text` (every cell :func:`cell` makes) is measured by its characters' cells; anything
        else, a row with a label or a row of automatic height goes to DataTable's own code."""
        rows = [key for key in new_rows if key in self.rows]
        if any(self.rows[key].label is not None or self.rows[key].auto_height for key in rows):
            super()._update_dimensions(rows)
            return
        console = self.app.console
        for column in self.ordered_columns:
            if not column.auto_width:
                continue
            widest = column.content_width
            for key in rows:
                value = self._data[key].get(column.key)
                if value is None:
                    continue
                text = isinstance(value, Text)
                width = _width(value) if text else measure(console, default_cell_formatter(value), 1)
                if width > widest:
                    widest = width
            column.content_width = widest
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """One cell as lines of segments: for a one-line :class:`Text` cell (every cell :func:`cell`
        makes) the segments DataTable's own code gives, made without going through Rich's render of
        ``Styled(Padding(text))`` (about 40 µs a cell against 8: a school's first page is 200 cells);
        anything else (the header, a wrapped or multi-line cell, a justified one) as DataTable draws it.
        ``tests/tui/test_desk_table_measure.py`` checks that both give the same segments."""
        pad = self.cell_padding
        inner = width - 2 * pad
        if row_index < 0 or column_index < 0 or inner < 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor, self._update_count,
               self._pseudo_class_state)
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        row = self.rows.get(row_key)
        value = self._data.get(row_key, {}).get(column_key) if row is not None else None
        if (row is None or row.height != 1 or not isinstance(value, Text) or value.justify not in (None, "default")
                or (value.overflow or "fold") not in _PLAIN_OVERFLOW or "\n" in value.plain or "\t" in value.plain):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        # what Rich does with a one-line Text: truncate it to the width, join it (its style becomes a
        # span), render it, pad it to the width; then the padding each side; then pre and post styles
        line = value.copy()
        line.truncate(inner, overflow=value.overflow)
        # (an empty cell: Rich splits it into one blank line of no style, drawn as one empty segment)
        segments = list(_JOIN.join([line]).render(self.app.console)) if line.plain else [Segment("")]
        used = sum(segment.cell_length for segment in segments)
        if used > inner:
            segments = Segment.adjust_line_length(segments, inner)
        elif used < inner:
            segments.append(Segment(" " * (inner - used), Style.null()))
        if pad:
            space = Segment(" " * pad, Style.null())
            segments = [space, *segments, space]
        lines = [list(Segment.apply_style(segments, style=pre_style, post_style=post_style))]
        cache[key] = lines
        return lines

    # ------------------------------------------------------------------ rows

    def _visible(self, cells: list[Text]) -> list[Text]:
        if not self.fits or self._layout is None:
            return cells
        index = {c.key: i for i, c in enumerate(self._cols())}
        return [cells[index[key]] if index[key] < len(cells) else Text("") for key, _width in self._layout]

    def _comparable(self, rows: list[tuple[str, list[Text]]]) -> list:
        return [(key, [_same(c) for c in cells]) for key, cells in rows] + [self._layout]

    def _add_rows(self, rows: list[tuple[str, list[Text]]], old_key: str | None) -> None:
        index = self._append(rows, old_key)
        if self.row_count:
            self.move_cursor(row=index or 0, animate=False)

    def _append(self, rows: list[tuple[str, list[Text]]], old_key: str | None) -> int | None:
        """Add ``rows`` after those shown; the index of the row ``old_key`` among all rows, if added."""
        index = None
        offset = self.row_count
        for i, (key, cells) in enumerate(rows):
            self.add_row(*self._visible(cells), key=key)
            if key == old_key:
                index = offset + i
        return index

    def _add_rest(self, generation: int, rows: list[tuple[str, list[Text]]], old_key: str | None) -> None:
        """The rows after the first page (see ``first_page``), unless the table was cleared since."""
        if generation != self._generation or not self.is_attached:
            return
        index = self._append(rows, old_key)
        if index is not None:
            self.move_cursor(row=index, animate=False)

    def _add_rest_raw(self, generation: int, rows: list[tuple[str, Sequence[Any]]], old_key: str | None) -> None:
        """:meth:`_add_rest` for rows whose cells are made only now (see :meth:`replace_rows`)."""
        if generation != self._generation or not self.is_attached:
            return
        rest = [(key, [cell(c) for c in cells]) for key, cells in rows]
        self._rows.extend(rest)
        self._add_rest(generation, rest, old_key)
        self._shown = self._comparable(self._rows)

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Any]]], *, keep_cursor: bool = True) -> None:
        """Replace every row: ``rows`` are ``(row_key, cells)``; cells become :class:`Text`.

        Rows identical to those on screen (a screen reloading on its return) are left as
        they are: clearing and adding rows makes the table lay out and render every row again
        (2,000 rows: about half a second).
        """
        raw = rows if isinstance(rows, list) else list(rows)
        old_key = self.current_key if keep_cursor else None
        first = self.first_page
        paged = first is not None and first > 0 and len(raw) > first
        # a long list shown for the first time, with no widths to fit: nothing on screen to compare it
        # with, so only the first page's cells are made before the screen is drawn and the rest's after
        # (term dates: 2,196 rows, 8,784 cells at about 1.4 µs each, and the comparison of them all)
        lazy = paged and not self.fits and self._shown is None
        new = [(key, [cell(c) for c in cells]) for key, cells in (raw[:first] if lazy else raw)]
        if self.fits:
            layout = self._fit(new)
            if layout != self._layout:
                self.clear(columns=True)
                self._layout = layout
        if not self.columns:
            self._add_columns()
        shown = None if lazy else self._comparable(new)
        if shown is not None and shown == self._shown and self.row_count == len(new) and (
            [k.value for k in self.rows] == [key for key, _cells in new]
        ):
            if not keep_cursor and self.row_count:
                self.move_cursor(row=0, animate=False)
            return
        self.clear()
        self._rows = new
        if lazy:
            self._add_rows(new, old_key)
            self.call_after_refresh(self._add_rest_raw, self._generation, raw[first:], old_key)
        elif paged:
            self._add_rows(new[:first], old_key)
            self.call_after_refresh(self._add_rest, self._generation, new[first:], old_key)
        else:
            self._add_rows(new, old_key)
        self._shown = shown
        self.show_detail()

    def clear(self, columns: bool = False):
        self._generation += 1
        self._shown = None
        self._rows = []
        if columns:
            self._layout = None
        return super().clear(columns)

    def full_row(self, key: str) -> list[Text]:
        """Every cell of the row ``key``, hidden columns included (a table of :class:`Col`)."""
        for row_key, cells in self._rows:
            if row_key == key:
                return cells
        return list(self.get_row(key))

    # ------------------------------------------------------------------ the detail line

    def detail_text(self, key: str | None = None) -> Text:
        """The hidden columns of row ``key`` (default: the highlighted one), as ``Label: value`` pairs."""
        key = self.current_key if key is None else key
        hidden = self.hidden_columns
        out = Text()
        if not hidden or key is None:
            return out
        index = {c.key: i for i, c in enumerate(self._cols())}
        cells = self.full_row(key)
        for col in hidden:
            value = cells[index[col.key]] if index[col.key] < len(cells) else Text("")
            if not value.plain.strip():
                continue
            if out:
                out.append("  ·  ", style="dim")
            out.append(f"{col.label}: ", style="bold")
            out.append_text(value)
        return out

    def show_detail(self) -> None:
        if self._detail is None:
            return
        self._detail.display = bool(self.hidden_columns)
        self._detail.update(self.detail_text())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # the table's own message (it bubbles on to the screen as well)
        if event.data_table is self:
            self.show_detail()

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
