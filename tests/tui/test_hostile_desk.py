"""The desk on hostile data: names that look like markup render literally and run nothing when clicked, and
no ESC (or other control character) from stored text reaches a rendered segment.

The data comes in through a bundle import (the way a force's spreadsheets arrive), so it is cleaned by the
models on the way in; the checks look at what the real SloApp renders: DataTable cells, Static details, the
header, the exported screenshot and every widget's rendered lines.
"""

from __future__ import annotations

import html
import re

import pytest
from textual.geometry import Region

from slo.services.bundle import import_bundle
from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.screens.young_person import YoungPersonScreen
from slo.tui.widgets import DeskTable

EVIL_SCHOOL = "[@click=app.quit]Evil[/] & [b]Bold[/b]"
EVIL_GIVEN = "[@click=app.quit]Jane[/]"
EVIL_FAMILY = "Doe\x1b[2J"  # stored as "Doe[2J": the ESC goes, the rest is text
EVIL_HEAD = "[link=http://x]Head[/link]\x1b]0;pwned\x07"
EVIL_TITLE = "1:1 [@click=app.quit]go[/] \x1b]0;pwned\x07session"
EVIL_NOTES = "first\x1b[31m line\r\n\x1b]52;c;cHduZWQ=\x07second [link=http://x]y[/link]\x00"
EVIL_CONSULTED_BY = "[@click=app.quit]Deputy[/]\x1b[2J"
EVIL_ADVICE = "\x1b]0;pwned\x07Refer [b]now[/b]\x9b2J"

#: what the models keep of the values with control characters
SHOWN_FAMILY = "Doe[2J"
SHOWN_HEAD = "[link=http://x]Head[/link]]0;pwned"
SHOWN_TITLE = "1:1 [@click=app.quit]go[/] ]0;pwnedsession"

#: C0/C1 controls as a rendered segment or an exported screenshot could carry them
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_store(store, desk_bundle):
    """``desk_store`` plus a school, a young person and their records full of markup and ESC sequences."""
    desk_bundle["schools"].append(
        {"urn": "100009", "name": EVIL_SCHOOL, "phase": "secondary", "local_authority": "\x1b]0;pwned\x07Camden",
         "postcode": "[b]NW1[/b]", "head_teacher": EVIL_HEAD, "head_teacher_email": "[@click=app.quit]h[/]@x.example",
         "uniform_policy": "uniform_welcome"}
    )
    desk_bundle["assignments"].append(
        {"officer": "PC1000", "school": "100009", "start_date": "2025-09-01", "end_date": None}
    )
    desk_bundle["young_people"].append(
        {"ref": "YP-0009", "given_name": EVIL_GIVEN, "family_name": EVIL_FAMILY, "date_of_birth": None,
         "school": "100009", "year_group": 8, "sex": "unknown", "ethnicity": None,
         "ethnicity_missing_reason": "not_asked", "sen": "unknown", "fsm": "unknown"}
    )
    desk_bundle["engagements"].append(
        {"ref": "ENG-9", "officer": "PC1000", "school": "100009", "young_person": "YP-0009", "kind": "one_to_one",
         "title": EVIL_TITLE, "starts_at": "2026-01-08T13:00", "ends_at": "2026-01-08T13:30",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": EVIL_NOTES}
    )
    desk_bundle["consultations"].append(
        {"ref": "CON-9", "young_person": "YP-0009", "school": "100009", "officer": "PC1000",
         "consulted_on": "2026-01-06", "consulted_by": EVIL_CONSULTED_BY, "timing": "before_decision",
         "proposed": "suspension", "reasons": ["VA"], "suspension_days": 2, "risk_factors": None,
         "advice": EVIL_ADVICE, "outcome": "pending", "outcome_on": None, "follow_up_on": "2026-01-09"}
    )
    desk_bundle["abstractions"][0]["reason"] = "\x1b]0;pwned\x07[@click=app.quit]match[/]"
    import_bundle(store, desk_bundle, None)
    return store


_SVG_TEXT = re.compile(r'<text[^>]*\by="([0-9.]+)"[^>]*>([^<]*)</text>')


def svg_text(app) -> str:
    """The screen's text as the exported SVG shows it: one line per screen row, entities unescaped."""
    rows: dict[float, list[str]] = {}
    for y, content in _SVG_TEXT.findall(app.export_screenshot()):
        rows.setdefault(float(y), []).append(html.unescape(content).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(rows.items()))


def assert_no_control_rendered(app) -> None:
    """Neither the screenshot nor any widget's rendered segments hold ESC or another control character."""
    raw = app.export_screenshot()
    assert "\x1b" not in raw and "&#27;" not in raw and "&#x1b;" not in raw.lower()
    assert not CONTROL.search(svg_text(app))
    for widget in app.screen.walk_children():
        if not widget.display or not widget.size.area:
            continue
        for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
            for segment in strip:
                assert not CONTROL.search(segment.text), (widget, repr(segment.text))


def table_texts(table: DeskTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def click_everywhere(pilot, selector: str, points) -> None:
    """Click each point of a widget; a live ``@click`` would quit the app. Stops if a click opened a screen."""
    screen = pilot.app.screen
    for offset in points:
        if pilot.app.screen is not screen:
            break
        await pilot.click(selector, offset=offset)
        await pilot.pause()
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_caseload_shows_the_school_literally_and_clicks_run_nothing(hostile_store, make_app, settle):
    app = make_app(hostile_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        table = app.screen.query_one("#caseload", DeskTable)
        names = [row[0] for row in table_texts(table)]
        assert EVIL_SCHOOL in names
        # the column is 28 wide: the name is cut with an ellipsis, its brackets still on show
        assert "[@click=app.quit]Evil[/] &" in svg_text(app)
        assert_no_control_rendered(app)
        row = names.index(EVIL_SCHOOL)
        # the name cell, on the row (the header is line 0): at most the school opens
        await click_everywhere(pilot, "#caseload", [(x, row + 1) for x in (1, 4, 8, 14)])
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, (CaseloadScreen, SchoolScreen))
        assert_no_control_rendered(app)


async def test_school_screen_shows_every_field_literally(hostile_store, make_app, settle):
    app = make_app(hostile_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_school("100009")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
        assert app.screen.title == EVIL_SCHOOL
        details = app.screen.query_one("#school-details").render()
        details = getattr(details, "plain", str(details))
        assert EVIL_SCHOOL in details and SHOWN_HEAD in details and "[b]NW1[/b]" in details
        assert "]0;pwnedCamden" in details
        text = svg_text(app)
        assert EVIL_SCHOOL in text and "[link=http://x]Head[/link]" in text
        assert_no_control_rendered(app)
        # click across the details (the name and the head teacher's [link=…])
        await click_everywhere(pilot, "#school-details", [(x, y) for y in (0, 1) for x in (0, 3, 10, 20, 40, 60)])
        # engagements tab: the officer's own 1:1 session names the young person they met, literally
        engagements = table_texts(app.screen.query_one("#engagements", DeskTable))
        assert any(f"1:1 with {EVIL_GIVEN} {SHOWN_FAMILY}" in cells for cells in engagements)
        # consultations and young people tabs
        await pilot.press("2")
        await settle(pilot)
        consultations = table_texts(app.screen.query_one("#consultations", DeskTable))
        assert any(f"{EVIL_GIVEN} {SHOWN_FAMILY}" in cells for cells in consultations)
        assert_no_control_rendered(app)
        await pilot.press("3")
        await settle(pilot)
        people = table_texts(app.screen.query_one("#young-people", DeskTable))
        assert people and people[0][0] == f"{EVIL_GIVEN} {SHOWN_FAMILY}"
        assert f"{EVIL_GIVEN} {SHOWN_FAMILY}" in svg_text(app)
        assert_no_control_rendered(app)
        await click_everywhere(pilot, "#young-people", [(1, 1), (3, 1), (6, 1)])
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert_no_control_rendered(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0  # the app quits when asked, so the checks above would have seen a quit


async def test_young_person_screen_shows_names_and_records_literally(hostile_store, make_app, settle):
    app = make_app(hostile_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_young_person("YP-0009")
        await settle(pilot)
        assert isinstance(app.screen, YoungPersonScreen)
        assert app.screen.title == f"{EVIL_GIVEN} {SHOWN_FAMILY}"
        details = app.screen.query_one("#yp-details").render()
        details = getattr(details, "plain", str(details))
        assert f"{EVIL_GIVEN} {SHOWN_FAMILY}" in details and EVIL_SCHOOL in details
        chronology = table_texts(app.screen.query_one("#chronology", DeskTable))
        assert any(SHOWN_TITLE in " ".join(cells) and EVIL_SCHOOL in " ".join(cells) for cells in chronology)
        text = svg_text(app)
        assert f"{EVIL_GIVEN} {SHOWN_FAMILY}" in text
        assert_no_control_rendered(app)
        await click_everywhere(pilot, "#yp-details", [(x, y) for y in (0, 1) for x in (0, 2, 5, 12, 30)])
        await click_everywhere(pilot, "#chronology", [(x, 1) for x in (2, 20, 40, 60)])
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert_no_control_rendered(app)


async def test_palette_search_shows_hostile_names_literally(hostile_store, make_app, settle):
    app = make_app(hostile_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Evil")
        prompts: list[str] = []
        for _ in range(20):
            await pilot.pause(0.1)
            options = app.screen.query("CommandList").first()
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            if any("School" in p for p in prompts):
                break
        assert any(p.split("\n")[0] == f"School: {EVIL_SCHOOL}" for p in prompts), prompts
        assert_no_control_rendered(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None
