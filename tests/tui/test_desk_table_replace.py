"""DeskTable.replace_rows leaves identical rows alone and rebuilds on any visible difference."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from slo.tui.widgets import DeskTable


class One(App):
    def compose(self):
        yield DeskTable([("Name", "name"), ("N", "n")], id="t")


def rows(style: str = "") -> list:
    return [("a", ["Alpha", Text("1", style=style)]), ("b", ["Beta", 2]), ("c", ["Gamma", None])]


async def test_identical_rows_are_not_rebuilt_and_the_cursor_stays():
    app = One()
    async with app.run_test() as pilot:
        table = app.query_one(DeskTable)
        table.replace_rows(rows())
        table.move_cursor(row=2)
        await pilot.pause()
        cleared = []
        original = DeskTable.clear
        DeskTable.clear = lambda self, columns=False: (cleared.append(1), original(self, columns))[1]
        try:
            table.replace_rows(rows())
            assert cleared == [] and table.current_key == "c"
            table.replace_rows(rows(style="bold yellow"))  # only a style differs: shown differently, so rebuilt
            assert cleared == [1] and table.current_key == "c"
            assert str(table.get_row_at(0)[1].style) == "bold yellow"
            table.replace_rows(rows(style="bold yellow"), keep_cursor=False)
            assert cleared == [1] and table.current_key == "a"
        finally:
            DeskTable.clear = original


async def test_rows_changed_behind_its_back_are_rebuilt():
    app = One()
    async with app.run_test() as pilot:
        table = app.query_one(DeskTable)
        table.replace_rows(rows())
        table.add_row(Text("Delta"), Text("4"), key="d")
        table.replace_rows(rows())
        assert [k.value for k in table.rows] == ["a", "b", "c"]
        table.clear()
        table.replace_rows(rows())
        assert table.row_count == 3
        await pilot.pause()


class Long(App):
    def compose(self):
        yield DeskTable([("Name", "name"), ("N", "n")], id="t", first_page=10)


def many(n: int, tag: str = "") -> list:
    return [(f"k{i}", [f"Row {i}{tag}", i]) for i in range(n)]


async def test_a_long_list_shows_its_first_page_at_once_and_the_rest_after_the_screen_is_drawn():
    app = Long()
    async with app.run_test() as pilot:
        table = app.query_one(DeskTable)
        table.replace_rows(many(35))
        assert table.row_count == 10  # the first page, at once
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 35 and [k.value for k in table.rows][-1] == "k34"
        # the cursor stays on its row when that row comes with the rest
        table.move_cursor(row=30)
        table.replace_rows(many(35, tag=" (changed)"))
        assert table.row_count == 10
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 35 and table.current_key == "k30"
        assert str(table.get_row("k34")[0]) == "Row 34 (changed)"
        # replaced again before the rest arrived: the earlier rest is dropped, not added twice
        table.replace_rows(many(25, tag=" a"))
        table.replace_rows(many(12, tag=" b"))
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 12 and str(table.get_row("k11")[0]) == "Row 11 b"


async def test_a_first_long_list_makes_only_its_first_page_of_cells_before_the_screen_is_drawn(monkeypatch):
    """Term dates (2,196 rows): the cells of rows after the first page are made after the first frame; once
    they are, the same rows again are compared and left as they are, and each cell was cleaned."""
    from slo.tui.widgets import tables

    made = []
    real = tables.cell

    def counting(value, style=""):
        made.append(value)
        return real(value, style)

    monkeypatch.setattr(tables, "cell", counting)
    app = Long()
    async with app.run_test() as pilot:
        table = app.query_one(DeskTable)
        rows = many(35)
        rows[30] = ("k30", ["Row\x1b[31m 30", 30])
        table.replace_rows(rows)
        assert len(made) == 10 * 2 and table.row_count == 10
        await pilot.pause()
        await pilot.pause()
        assert len(made) == 35 * 2 and table.row_count == 35
        assert str(table.get_row("k30")[0]) == "Row[31m 30"  # the ESC dropped
        assert str(table.full_row("k34")[0]) == "Row 34"
        generation = table._generation
        table.replace_rows(rows)  # the screen reloading on its return: compared, not rebuilt
        assert table._generation == generation and table.row_count == 35
