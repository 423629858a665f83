"""The Due list by name: the caseload's Due line (names, dates with their year, "and N more", no refs,
no cut-off) and the Due screen (d on the caseload, U anywhere), every item opened with Enter."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from screen_text import screen_text  # noqa: E402

from slo.models.words import plural, plural_of  # noqa: E402
from slo.services.actors import load_actor  # noqa: E402
from slo.services.due import due_items  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402
from slo.tui.messages import DueLoaded  # noqa: E402
from slo.tui.screens.caseload import CaseloadScreen, week_summary  # noqa: E402
from slo.tui.screens.due import DueScreen  # noqa: E402
from slo.tui.screens.handovers import HandoversScreen  # noqa: E402
from slo.tui.screens.record import RecordScreen  # noqa: E402
from slo.tui.screens.school import SchoolScreen  # noqa: E402
from slo.tui.screens.young_person import YoungPersonScreen  # noqa: E402
from slo.tui.widgets import DeskTable  # noqa: E402

#: the demo's today: PC1000 has overdue outcomes and follow-ups this week, S100 reviews and challenges
TODAY = date(2026, 12, 2)
REF = re.compile(r"\b(CON|ABS|ENG)-[A-Z0-9]+-\d+")


def desk(store, tmp_path, collar="PC1000") -> SloApp:
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_plural():
    assert plural(1, "officer") == "1 officer" and plural(0, "officer") == "0 officers"
    assert plural(2, "engagement") == "2 engagements" and plural(1200, "visit") == "1,200 visits"
    assert plural(2, "young person") == "2 young people" and plural(3, "entry") == "3 entries"
    assert plural_of("day") == "days" and plural_of("match") == "matches" and plural_of("class") == "classes"
    assert plural(2, "criterion", "criteria") == "2 criteria"


async def test_the_caseload_due_line_names_people_and_schools_and_says_how_many_more(demo, tmp_path):
    app = desk(demo, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        items = due_items(demo, load_actor(demo.db, "PC1000"), TODAY, 7, names=True)
        assert len(items) > 3
        line = str(app.screen.query_one("#week-summary").render())
        due = line.split("Due (", 1)[1]
        assert not REF.search(due) and "…" not in due
        first = items[0]
        assert f"{first.due_on:%a %d %b %Y} {first.what}: {first.young_person_name} at {first.school_name}" in due
        shown = due.count("; ")  # between the items shown, and before "and N more"
        assert f"and {len(items) - shown} more (d: Due list)" in due


def test_the_due_line_lists_all_when_they_fit_and_none_is_cut():
    from slo.services.due import DueItem
    from slo.services.queries.caseload import CaseloadHeader

    items = [DueItem("follow_up", f"CON-{i}", date(2026, 12, 3), "t", school="1", young_person="Y",
                     school_name="Ashmead", young_person_name="Ann Lee") for i in range(2)]
    text = week_summary(CaseloadHeader([], items), TODAY, 160).plain
    assert text.count("Follow up: Ann Lee at Ashmead") == 2 and "more" not in text
    narrow = week_summary(CaseloadHeader([], items * 5), TODAY, 60).plain
    due = narrow.split("\n")[1]
    assert "and 9 more" in due or "and 8 more" in due
    assert len(due) <= 2 * 60


async def test_d_lists_everything_due_and_enter_opens_each_item(demo, tmp_path):
    app = desk(demo, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DueScreen)
        items = due_items(demo, load_actor(demo.db, "PC1000"), TODAY, 7, names=True)
        assert len(screen.items) == len(items)
        table = screen.query_one("#due", DeskTable)
        first = screen.items[0]
        assert first.overdue  # overdue first
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == f"{first.due_on:%a %d %b %Y}" and cells[1] == "OVERDUE"
        assert first.young_person_name in cells and first.school_name in cells
        text = screen_text(app)
        assert first.young_person_name in text and f"{first.due_on:%a %d %b %Y}" in text
        # Enter opens the consultation the item is about
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert (app.screen.entity, app.screen.key) == ("consultations", first.ref)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen) and app.screen.urn == first.school
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YoungPersonScreen) and app.screen.ref == first.young_person
        await pilot.press("escape")
        await settle(pilot)
        # the next 4 weeks: more items, the overdue ones still first
        await pilot.press("n")
        await settle(pilot)
        assert screen.days == 28 and len(screen.items) > len(items)
        assert "to Tue 29 Dec 2026" in str(screen.query_one("#due-summary").render())


async def test_a_sergeant_opens_the_abstraction_to_review_and_a_notice_says_why_not_for_a_school(demo, tmp_path):
    app = desk(demo, tmp_path, "S100")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DueScreen)
        index = next(i for i, item in enumerate(screen.items) if item.kind == "challenge_result")
        item = screen.items[index]
        table = screen.query_one("#due", DeskTable)
        table.move_cursor(row=index)
        await settle(pilot)
        assert f"{item.officer}'s abstraction" in [str(c) for c in table.get_row_at(index)]
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is screen
        assert any("not about one school" in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert (app.screen.entity, app.screen.key) == ("abstractions", item.ref)


async def test_a_handover_note_item_opens_the_handover_notes(demo, tmp_path):
    from slo.services.due import DueItem

    app = desk(demo, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        # the demo's PC1000 has no unread handover note: one as the service lists it
        screen.on_due_loaded(DueLoaded(
            [DueItem("handover_note", "1", TODAY, "Read the handover note of school 1", school="1")], 7))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoversScreen)
