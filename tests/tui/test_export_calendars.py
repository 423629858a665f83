"""ExportCalendarsScreen on the real app: export in a thread worker with progress, then what was written."""

from __future__ import annotations

import icalendar

from slo.tui.screens.export_calendars import ExportCalendarsScreen


def status_of(screen) -> str:
    return str(screen.query_one("#calendars-status").render())


async def test_exports_the_officers_schools_and_lists_the_files(desk_store, make_app, exports, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ExportCalendarsScreen())
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExportCalendarsScreen)
        files = sorted(p.name for p in (exports / "calendars").glob("*.ics"))
        assert files == ["100000-northgate-academy.ics", "100002-riverside-school.ics"]
        table = screen.query_one("#calendars-files")
        shown = sorted(str(table.get_row_at(i)[0]).rsplit("/", 1)[-1] for i in range(table.row_count))
        assert shown == files
        assert "Written 2 calendar files" in status_of(screen)
        bar = screen.query_one("#calendars-progress")
        assert bar.total == 2 and bar.progress == 2
        # the files are real calendars without the young person's name
        riverside = (exports / "calendars" / "100002-riverside-school.ics").read_bytes()
        cal = icalendar.Calendar.from_ical(riverside)
        assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {"Liaison officer: 1:1 session", "Drop-in"}
        assert b"Jamie" not in riverside and b"Lee" not in riverside
        # r runs it again: nothing changed, nothing written
        await pilot.press("r")
        await settle(pilot)
        assert "Nothing changed since the last export" in status_of(screen)
        assert screen.query_one("#calendars-files").row_count == 0
        rows = desk_store.db.execute(
            "SELECT actor, key FROM audit WHERE operation = 'disclosure' ORDER BY key").fetchall()
        assert rows == [("PC1000", "100000"), ("PC1000", "100002")]


async def test_one_school_and_a_refusal(desk_store, make_app, exports, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ExportCalendarsScreen(school="100002"))
        await settle(pilot)
        assert [p.name for p in (exports / "calendars").glob("*.ics")] == ["100002-riverside-school.ics"]
        assert "school 100002" in status_of(app.screen)
        app.pop_screen()
        await settle(pilot)
        # PC1000 is not the liaison officer of Southfield Primary (100001)
        home = app.screen
        app.push_screen(ExportCalendarsScreen(school="100001"))
        await settle(pilot)
        assert app.screen is home  # refused: the screen closed with a notice
        assert any("100001" in str(n.message) for n in app._notifications)
        assert not list((exports / "calendars").glob("100001-*"))


async def test_the_desk_opens_it_by_action(desk_store, make_app, settle):
    app = make_app(desk_store, "A1")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.action_export_calendars()
        await settle(pilot)
        assert isinstance(app.screen, ExportCalendarsScreen)
        assert "Written 2 calendar files" in status_of(app.screen)
        assert ExportCalendarsScreen.HELP and ExportCalendarsScreen.BINDINGS
