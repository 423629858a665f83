"""The desk's shell: who you are, home screens, global keys, the palette, quitting."""

from __future__ import annotations

import subprocess
import sys

from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.help import HelpScreen
from slo.tui.screens.picker import PickerScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.widgets import DeskTable


def cells(table: DeskTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


def column(table: DeskTable, index: int = 0) -> list[str]:
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


async def test_slo_opens_on_their_caseload(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        table = app.screen.query_one("#caseload", DeskTable)
        # current assignments only, by name; PC1001's school and the ended assignment are not there
        assert column(table) == ["Northgate Academy", "Oakwood Primary", "Riverside School"]
        northgate = cells(table, 0)
        assert northgate[3] == "Thu 08 Jan 10:00"  # next planned visit
        assert northgate[4] == "2"  # sessions this week (delivered ENG-1, planned ENG-3; ENG-2 cancelled)
        assert northgate[6] == "2"  # days since the last delivered visit (Mon 5 Jan)
        riverside = cells(table, 2)
        assert riverside[2] == "▲ PLAIN CLOTHES ONLY"
        assert riverside[5] == "1"  # CON-2 still pending
        assert riverside[6] == "never"
        summary = str(app.screen.query_one("#week-summary").render())
        assert "Public order" in summary and "½ day" in summary


async def test_ctrl_q_quits_with_return_code_0(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_without_a_user_the_picker_asks_who_you_are(desk_store, make_app, settle):
    app = make_app(desk_store, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        table = app.screen.query_one("#officers", DeskTable)
        collars = column(table)
        assert "PC1000" in collars
        for _ in range(collars.index("PC1000")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.actor is not None and app.actor.collar == "PC1000"
        assert isinstance(app.screen, CaseloadScreen)
        assert app.screen.query_one("#caseload", DeskTable).row_count == 3
        # Escape on the home screen goes nowhere
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)


async def test_escape_on_the_picker_leaves(desk_store, make_app, settle):
    app = make_app(desk_store, None)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0


async def test_sergeant_home_is_the_team_screen_or_the_team_caseload(desk_store, make_app, settle):
    app = make_app(desk_store, "S100")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        try:
            from slo.tui.screens.team import TeamScreen
        except ImportError:
            assert isinstance(app.screen, CaseloadScreen) and app.screen.scope == "team"
            table = app.screen.query_one("#caseload", DeskTable)
            assert column(table) == ["Northgate Academy", "Oakwood Primary", "Riverside School"]
            assert cells(table, 0)[-1] == "PC1000"  # the officer column
        else:
            assert isinstance(app.screen, TeamScreen)


async def test_help_shows_the_keys_of_the_current_screen(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys", DeskTable)
        rows = [cells(keys, i) for i in range(keys.row_count)]
        assert ["c", "Consultation", "this screen"] in rows
        assert ["w", "Week", "this screen"] in rows
        assert any(r[0] == "^q" and r[1] == "Quit" for r in rows)
        assert "caseload" in str(app.screen.query_one("#help-purpose").render()).lower()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)
        # ? opens it too; on the school screen it shows the school's keys
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys", DeskTable)
        rows = [cells(table, i) for i in range(table.row_count)]
        assert ["d", "Deliver/cancel", "this screen"] in rows
        assert not any(r[1] == "Absence/leave" for r in rows)


async def test_palette_finds_a_school_by_name_and_opens_it(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"riverside")
        for _ in range(10):
            await pilot.pause(0.1)
            options = app.screen.query("CommandList").first()
            if options.option_count:
                break
        assert options.option_count >= 1
        assert "School: Riverside School" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen) and app.screen.urn == "100002"
        assert "Riverside School" in str(app.screen.query_one("#school-details").render())


async def test_palette_offers_the_screens_actions(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"week")
        for _ in range(10):
            await pilot.pause(0.1)
            options = app.screen.query("CommandList").first()
            if options.option_count:
                break
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Week" in p for p in prompts)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "WeekScreen"


def test_the_cli_does_not_import_textual():
    code = "import sys, slo.cli.main; slo.cli.main.build_parser(); print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
