"""The desk uses the terminal it has: columns size to their content and the width (DeskTable, Col),
the least important move to a detail line under the table on a narrow terminal, and the footer's
keys wrap instead of running off the edge. Driven on the demo database at 160x45 and 80x24."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from screen_text import screen_text  # noqa: E402

from slo.services.actors import load_actor  # noqa: E402
from slo.services.queries.week import week  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402
from slo.tui.widgets import DeskTable  # noqa: E402
from slo.tui.widgets.footer import DeskFooter, wrap  # noqa: E402
from slo.tui.widgets.tables import Col, DetailLine, fit_columns  # noqa: E402

TODAY = date(2026, 11, 27)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


# ---------------------------------------------------------------------------- fit_columns

COLS = [Col("Name", "name", min=10), Col("Phase", "phase", priority=2), Col("When", "when", min=8),
        Col("Count", "n", priority=1)]


def test_wide_columns_are_as_wide_as_their_content():
    assert fit_columns(COLS, [40, 9, 17, 5], 200) == [("name", 40), ("phase", 9), ("when", 17), ("n", 5)]


def test_a_max_caps_a_column():
    cols = [Col("Name", "name", max=12), Col("When", "when")]
    assert fit_columns(cols, [40, 17], 200) == [("name", 12), ("when", 17)]


def test_a_column_of_priority_1_or_more_is_shown_only_in_full_and_priority_0_always():
    # 10+8 and the padding (2 a column) of the two that stay: 22; the count (5+2) fits, the phase (9+2) not
    assert [k for k, _w in fit_columns(COLS, [40, 9, 17, 5], 32)] == ["name", "when", "n"]
    assert [k for k, _w in fit_columns(COLS, [40, 9, 17, 5], 24)] == ["name", "when"]
    # too narrow even for the columns that must stay: they stay (cut), nothing else does
    assert [k for k, _w in fit_columns(COLS, [40, 9, 17, 5], 5)] == ["name", "when"]


def test_width_left_over_goes_to_the_most_important_columns_first():
    # 30 cells: name 10 + when 8 + count 5 + 6 padding = 29; the one spare cell goes to the name
    layout = dict(fit_columns(COLS, [40, 9, 17, 5], 30))
    assert layout == {"name": 11, "when": 8, "n": 5}


def test_footer_keys_wrap_in_order_within_the_width():
    assert wrap([10, 10, 10, 10], 25) == [[0, 1], [2, 3]]
    assert wrap([10, 10, 10, 10], 40, first=15) == [[0], [1, 2, 3]]
    assert wrap([50], 20) == [[0]]  # a key wider than the line still shows, alone


# ---------------------------------------------------------------------------- the caseload


async def test_caseload_at_160_columns_shows_names_and_next_visits_in_full(demo, tmp_path):
    app = SloApp(demo, load_actor(demo.db, "PC1000"), tmp_path / "exports", today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#caseload", DeskTable)
        assert table.hidden_columns == []
        names = [r.name for r in app.screen.rows]
        assert max(len(n) for n in names) > 28  # the demo has long names (the old column was 28)
        text = screen_text(app)
        for name in names:
            assert name in text
        widths = {c.key.value: c.width for c in table.columns.values()}
        assert widths["name"] == max(len(n) for n in names)
        assert widths["next_visit"] >= len("07 Jan 2027 15:00")
        assert "…" not in text.split("School", 1)[1]  # nothing in the table is cut
        assert not app.screen.query_one(DetailLine).display
        assert app.screen.query_one(DeskFooter).styles.height.value == 1


async def test_caseload_at_80x24_keeps_the_important_columns_and_every_key(demo, tmp_path):
    app = SloApp(demo, load_actor(demo.db, "PC1000"), tmp_path / "exports", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#caseload", DeskTable)
        assert [str(c.label) for c in table.ordered_columns] == ["School", "Uniform", "Next visit", "Pending"]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80 - 2
        assert [c.label for c in table.hidden_columns] == ["Phase", "Week", "Since visit"]
        detail = app.screen.query_one(DetailLine)
        assert detail.display
        row = app.screen.rows[0]
        shown = str(detail.render())
        assert f"Since visit: {row.days_since_delivered}" in shown
        # the cursor moves: the detail line follows it
        await pilot.press("down")
        await settle(pilot)
        second = app.screen.rows[1]
        assert str(detail.render()) == str(table.detail_text(second.urn))
        # every key of the footer is on screen (two lines), F1 and the calendars included
        text = screen_text(app)
        footer = "\n".join(text.splitlines()[-3:])
        for key in ("/ Filter", "c Consultation", "v Visit", "a Abstraction", "l Absence/leave", "w Week",
                    "r Reports", "x Calendars", "f1 Help", "^p palette"):
            assert key in footer, key
        assert app.screen.query_one(DeskFooter).styles.height.value == 2


async def test_a_key_clicked_in_the_footer_is_pressed(demo, tmp_path):
    app = SloApp(demo, load_actor(demo.db, "PC1000"), tmp_path / "exports", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(DeskFooter)
        # the keys as drawn: w Week is on the second line at 80 columns
        text = str(footer.render())
        line = next(n for n, row in enumerate(text.split("\n")) if " w Week " in row)
        x = text.split("\n")[line].index(" w Week ") + 2
        key = footer.key_at(x, line)
        assert key is not None and key.description == "Week"
        assert footer.key_at(79, 1) is None  # past the last key: nothing
        caseload = app.screen
        await pilot.click(DeskFooter, offset=(x, line))
        await settle(pilot)
        assert app.screen is not caseload and "Week of" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is caseload


async def test_the_columns_follow_a_resize(demo, tmp_path):
    app = SloApp(demo, load_actor(demo.db, "PC1000"), tmp_path / "exports", today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#caseload", DeskTable)
        await pilot.press("down", "down")
        key = table.current_key
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "week" not in [c.key.value for c in table.ordered_columns]
        assert table.current_key == key  # the cursor stayed on its school
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert table.hidden_columns == [] and table.current_key == key


# ---------------------------------------------------------------------------- 1:1 sessions


def test_a_1_to_1_session_names_the_young_person_in_the_officers_own_desk_only(desk_store):
    own = week(desk_store, load_actor(desk_store.db, "PC1000"), "PC1000", date(2026, 1, 5))
    session = next(e for e in own.engagements if e.ref == "ENG-4")
    assert session.title == "1:1 with Jamie Lee" and session.young_person_name == "Jamie Lee"
    # the sergeant reads the stored (anonymised) title and no name
    theirs = week(desk_store, load_actor(desk_store.db, "S100"), "PC1000", date(2026, 1, 5))
    session = next(e for e in theirs.engagements if e.ref == "ENG-4")
    assert session.title == "1:1 session" and session.young_person_name is None


# ---------------------------------------------------------------------------- previews


async def test_the_abstraction_preview_shows_each_session_in_full_at_80_columns(desk_store, make_app, settle):
    from forms_harness import type_text

    from slo.tui.widgets.controls import WrapCheckbox

    app = make_app(desk_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "2026-01-08")
        await pilot.press("tab")
        await type_text(pilot, "2026-01-09")
        await pilot.press("tab")
        await settle(pilot)
        boxes = list(app.screen.query(WrapCheckbox))
        assert len(boxes) == 2  # ENG-3 and ENG-4
        for box in boxes:
            lines = box.render().wrap(box.content_size.width)
            assert len(lines) > 1 and box.content_size.height == len(lines)  # wrapped, every line shown
        assert "Year 9 assembly: knife crime" in " ".join(str(line) for line in boxes[0].render().wrap(
            boxes[0].content_size.width)).replace("  ", " ")
