"""DeskTable sizes its columns without rendering each cell through Rich: the widths and the table's
size come out as DataTable's own code gives them, for every kind of cell and column."""

from __future__ import annotations

from rich.text import Text
from textual.app import App
from textual.widgets import DataTable

from slo.tui.widgets import Col, DeskTable

CELLS = [
    ("a", [Text("Ōkawa 東京 school"), 3, 2.5, None]),
    ("b", [Text("two\nlines, the second longer"), 12345, None, "x"]),
    ("c", [Text(""), -1, 0.125, Text("⚠ plain clothes", style="bold")]),
]
AUTO = [("Name", "name"), ("N", "n"), ("Ratio", "ratio"), ("Note", "note")]
FIXED = [("Name", "name", 9), ("N", "n"), ("Ratio", "ratio", 4), ("Note", "note")]


class Tables(App):
    def compose(self):
        yield DeskTable(AUTO, id="auto")
        yield DeskTable(FIXED, id="fixed")
        yield DeskTable([Col("Name", "name"), Col("N", "n"), Col("Ratio", "ratio", priority=1), Col("Note", "note")],
                        id="fits")


def measured(table: DataTable) -> tuple:
    """Each column's measure (which DataTable uses only for a column sized to content), its width on
    screen, and the table's size."""
    columns = [(c.key.value, c.content_width if c.auto_width else None, c.get_render_width(table))
               for c in table.ordered_columns]
    return columns, table.virtual_size


async def test_columns_and_size_are_as_datatable_measures_them():
    app = Tables()
    async with app.run_test(size=(120, 40)) as pilot:
        for name in ("auto", "fixed", "fits"):
            table = app.query_one(f"#{name}", DeskTable)
            table.replace_rows(CELLS)
            await pilot.pause()
            ours = measured(table)
            # DataTable's own measure, on the same rows
            for column in table.columns.values():
                column.content_width = 0
            DataTable._update_dimensions(table, list(table.rows))
            assert measured(table) == ours, name
        auto = app.query_one("#auto", DeskTable)
        widths = {key: width for key, width, _render in measured(auto)[0]}
        assert widths["name"] == len("lines, the second longer")
        assert widths["n"] == 5


async def test_a_row_with_a_label_is_measured_by_datatable():
    app = Tables()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one("#auto", DeskTable)
        table.add_row(Text("x"), 1, 1.0, None, key="r", label=Text("a long row label"))
        await pilot.pause()
        assert table._labelled_row_exists
        assert table.virtual_size.width >= len("a long row label")


# ---------------------------------------------------------------------------- drawing a cell

ALPHABET = "abc XYZ 019 -·…'東京😀éß"
STYLES = ["", "bold", "dim", "bold yellow", "reverse", "italic red on blue", "underline"]


def random_cell(rng) -> Text:
    plain = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
    text = Text(plain, style=rng.choice(STYLES), no_wrap=True, overflow=rng.choice(["ellipsis", "crop"]))
    for _ in range(rng.randrange(0, 3)):
        if plain:
            start = rng.randrange(0, len(plain))
            text.stylize(rng.choice(STYLES[1:]), start, rng.randrange(start, len(plain) + 1))
    return text


async def test_a_cell_is_drawn_as_datatable_draws_it(monkeypatch):
    import random

    from textual.widgets import DataTable

    theirs_called = []
    real = DataTable._render_cell
    monkeypatch.setattr(DataTable, "_render_cell", lambda *a, **k: (theirs_called.append(1), real(*a, **k))[1])

    rng = random.Random(20)
    app = Tables()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one("#auto", DeskTable)
        rows = [(str(i), [random_cell(rng), random_cell(rng), random_cell(rng), random_cell(rng)]) for i in range(60)]
        table.replace_rows(rows)
        await pilot.pause()
        base = table.rich_style
        compared = 0
        theirs_called.clear()  # (the header and what was drawn on screen so far)
        for row in range(len(rows)):
            for column in range(4):
                for width in (1, 2, 3, 5, 8, 13, 30, 45):
                    cursor, hover = rng.random() < 0.3, rng.random() < 0.2
                    table._cell_render_cache.clear()
                    ours = table._render_cell(row, column, base, width, cursor, hover)
                    # drawn by DeskTable itself (a one-line Text), except where the cell is too narrow
                    assert theirs_called == ([1] if width <= 2 else []), width
                    theirs_called.clear()
                    table._cell_render_cache.clear()
                    theirs = real(table, row, column, base, width, cursor, hover)
                    assert ours == theirs, (rows[row][1][column], width, cursor, hover)
                    compared += 1
        assert compared == 60 * 4 * 8
