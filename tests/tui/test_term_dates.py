"""TermDatesScreen on the real SloApp: list, add, import (bad rows refused), delete, non-admin refused."""

from __future__ import annotations

from textual.widgets import Input, Static

from slo.tui.screens.term_dates import TermDatesScreen
from slo.tui.widgets import DeskTable


async def settle(pilot) -> None:
    """Let every worker finish and every message be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def terms(store):
    return store.db.execute("SELECT local_authority, term_start, term_end FROM term_dates ORDER BY 2").fetchall()


def status(screen) -> str:
    return str(screen.query_one("#term-status", Static).render())


async def open_screen(pilot):
    pilot.app.push_screen(TermDatesScreen())
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TermDatesScreen) and screen.HELP
    return screen


async def test_admin_adds_imports_and_deletes_terms(loaded_store, make_app, tmp_path):
    app = make_app(loaded_store, "A1")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot)
        assert "No term dates yet" in status(screen)
        screen.query_one("#add-la", Input).value = "Camden"
        screen.query_one("#add-start", Input).value = "2026-01-05"
        screen.query_one("#add-end", Input).value = "2026-02-13"
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert terms(loaded_store) == [("Camden", "2026-01-05", "2026-02-13")]
        table = screen.query_one("#terms", DeskTable)
        assert table.row_count == 1

        bad = tmp_path / "bad.csv"
        bad.write_text("local_authority,term_start,term_end\nCamden,2026-02-23,2026-03-27\n"
                       "Camden,2026-04-13,someday\nCamden,2026-02-01,2026-02-20\n", encoding="utf-8")
        screen.query_one("#import-path", Input).value = str(bad)
        await pilot.press("ctrl+o")
        await settle(pilot)
        text = status(screen)
        assert "Nothing imported" in text and "line 3" in text and "line 4" in text
        assert len(terms(loaded_store)) == 1

        good = tmp_path / "good.csv"
        good.write_text("local_authority,term_start,term_end\nCamden,2026-02-23,2026-03-27\n"
                        "Barnet,2026-04-13,2026-05-22\n", encoding="utf-8")
        screen.query_one("#import-path", Input).value = str(good)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Imported 2 terms" in status(screen)
        assert table.row_count == 3

        # filter, then delete the selected term
        screen.query_one("#term-filter", Input).value = "barn"
        await settle(pilot)
        assert table.row_count == 1
        table.focus()
        await pilot.press("delete")
        await settle(pilot)
        assert [t[0] for t in terms(loaded_store)] == ["Camden", "Camden"]


async def test_officer_may_look_but_not_change(loaded_store, make_app):
    app = make_app(loaded_store, "PC1000")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot)
        screen.query_one("#add-la", Input).value = "Camden"
        screen.query_one("#add-start", Input).value = "2026-01-05"
        screen.query_one("#add-end", Input).value = "2026-02-13"
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert terms(loaded_store) == []
        assert "may not" in status(screen)
        assert app.screen is screen  # a refusal keeps the screen open
        # a bad date is caught before the database
        screen.query_one("#add-start", Input).value = "5 Jan"
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert "not a date" in status(screen)


async def test_term_dates_key_from_the_app(loaded_store, make_app):
    app = make_app(loaded_store, "A1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_term_dates()
        await settle(pilot)
        assert isinstance(app.screen, TermDatesScreen)
