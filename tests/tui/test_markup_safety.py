"""User text is data, never markup: names that look like Rich/Textual markup render literally and run nothing."""

from __future__ import annotations

import html

from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.screens.young_person import YoungPersonScreen
from slo.tui.widgets import DeskTable

MARKUP_SCHOOL = "[b]Bold[/b] Academy"
MARKUP_GIVEN = "[@click=app.quit]Jane[/]"


def svg_text(app) -> str:
    """The screen as exported SVG, with entities and non-breaking spaces turned back into text."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_school_name_renders_with_its_brackets(markup_store, make_app, settle):
    app = make_app(markup_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#caseload", DeskTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert MARKUP_SCHOOL in [str(n) for n in names]
        assert MARKUP_SCHOOL in [n.plain for n in names]
        assert MARKUP_SCHOOL in svg_text(app)
        # the school page: title, details, head teacher with a [link=…] stays text
        row = [str(n) for n in names].index(MARKUP_SCHOOL)
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen) and app.screen.urn == "100004"
        details = str(app.screen.query_one("#school-details").render())
        assert MARKUP_SCHOOL in details
        assert "[link=https://example.com]Head[/link]" in details
        text = svg_text(app)
        assert MARKUP_SCHOOL in text and "[link=https://example.com]Head[/link]" in text


async def test_clicking_a_markup_name_runs_nothing(markup_store, make_app, settle):
    app = make_app(markup_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_school("100004")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#young-people", DeskTable)
        assert str(table.get_row_at(0)[0]) == f"{MARKUP_GIVEN} Doe"
        assert f"{MARKUP_GIVEN} Doe" in svg_text(app)
        # click on the name (the highlighted row): it opens the record, and runs nothing else
        await pilot.click("#young-people", offset=(3, 1))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, YoungPersonScreen)
        if True:
            details = str(app.screen.query_one("#yp-details").render())
            assert f"{MARKUP_GIVEN} Doe" in details
            assert "NS Not stated (self-defined, 18+1 code) (reason: Not asked)" in details
            await pilot.click("#yp-details", offset=(2, 0))
            await settle(pilot)
            assert app.is_running and app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_young_person_screen_shows_the_name_literally(markup_store, make_app, settle):
    app = make_app(markup_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_young_person("YP-0003")
        await settle(pilot)
        assert isinstance(app.screen, YoungPersonScreen)
        assert f"{MARKUP_GIVEN} Doe" in svg_text(app)
        await pilot.click("#yp-details", offset=(1, 0))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, YoungPersonScreen)


async def test_palette_shows_markup_names_literally(markup_store, make_app, settle):
    app = make_app(markup_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Bold")
        for _ in range(10):
            await pilot.pause(0.1)
            options = app.screen.query("CommandList").first()
            if options.option_count:
                break
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(p.startswith(f"School: {MARKUP_SCHOOL}\n") for p in prompts)
        await pilot.press(*["backspace"] * 4)  # a different search: the young person
        await pilot.press(*"Jane")
        for _ in range(10):
            await pilot.pause(0.1)
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            if any("Young person" in p for p in prompts):
                break
        assert any(p.startswith(f"Young person: {MARKUP_GIVEN} Doe\n") for p in prompts)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, CaseloadScreen)
