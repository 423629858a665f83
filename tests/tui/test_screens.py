"""The desk's screens driven as a user would: keys in, rows on screen, rows in the database."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest
from textual.screen import ModalScreen

from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied
from slo.services.queries.caseload import caseload
from slo.services.queries.palette import search
from slo.services.queries.school import school_detail
from slo.services.queries.week import week
from slo.tui.screens.audit_log import AuditLogScreen
from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.screens.week import WeekScreen
from slo.tui.screens.young_person import YoungPersonScreen
from slo.tui.widgets import DeskTable


def column(table: DeskTable, index: int = 0) -> list[str]:
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def audit_rows(store, **where) -> list[tuple]:
    sql = "SELECT actor, operation, entity, key FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
    return store.db.execute(sql + " ORDER BY id", list(where.values())).fetchall()


@pytest.fixture
def fake_forms(monkeypatch):
    """Stand-in form modules (by the contract's names) that record how they were opened."""
    opened: list[tuple[str, tuple, dict]] = []

    def make(module: str, name: str):
        class Form(ModalScreen):
            BINDINGS = [("escape", "discard", "Discard"), ("ctrl+s", "save", "Save")]

            def __init__(self, *args, **kwargs):
                super().__init__()
                opened.append((name, args, kwargs))

            def action_discard(self):
                self.dismiss(None)

            def action_save(self):
                self.dismiss("SAVED-1")

        Form.__name__ = name
        mod = types.ModuleType(module)
        setattr(mod, name, Form)
        monkeypatch.setitem(sys.modules, module, mod)

    for module, name in [
        ("slo.tui.screens.forms.consultation", "ConsultationForm"),
        ("slo.tui.screens.forms.engagement", "EngagementForm"),
        ("slo.tui.screens.forms.engagement_status", "EngagementStatusForm"),
        ("slo.tui.screens.forms.young_person", "YoungPersonForm"),
        ("slo.tui.screens.forms.outcome", "OutcomeForm"),
        ("slo.tui.screens.forms.referral", "ReferralForm"),
        ("slo.tui.screens.forms.absence", "AbsenceForm"),
        ("slo.tui.screens.forms.abstraction", "AbstractionForm"),
    ]:
        make(module, name)
    return opened


# ---------------------------------------------------------------------------- caseload


async def test_filter_as_you_type_and_clear(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#caseload", DeskTable)
        await pilot.press("slash", *"oak")
        await settle(pilot)
        assert column(table) == ["Oakwood Primary"]
        await pilot.press("enter")  # back to the table, the one school highlighted
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen) and app.screen.urn == "100003"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", *"zzz")
        await settle(pilot)
        assert table.row_count == 0
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 3 and app.screen.query_one("#filter").value == ""


async def test_consultation_from_the_caseload_in_three_keys(desk_store, make_app, settle, fake_forms):
    """down, down, c: the consultation form opens with Riverside School preset."""
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "c")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConsultationForm"
        assert fake_forms[-1] == ("ConsultationForm", (), {"school": "100002"})
        # a save returns to the caseload, which reloads and says so
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)


async def test_caseload_keys_open_the_other_forms(desk_store, make_app, settle, fake_forms):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key in ("v", "a", "l"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        assert fake_forms == [
            ("EngagementForm", (), {"school": "100000"}),
            ("AbstractionForm", (), {"officer": "PC1000"}),
            ("AbsenceForm", (), {"officer": "PC1000"}),
        ]
        assert isinstance(app.screen, CaseloadScreen)


async def test_a_screen_that_fails_to_import_is_an_error_not_a_notice(desk_store, make_app, settle, monkeypatch):
    """No fallback guard: a broken import stops the desk with the import error (it used to become
    a notice "not available in this version", which hid real bugs)."""
    monkeypatch.setitem(sys.modules, "slo.tui.screens.reports", None)  # import fails
    app = make_app(desk_store)
    with pytest.raises(ImportError):
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await pilot.pause()
    assert not any("not available" in n.message for n in app._notifications)


# ---------------------------------------------------------------------------- school


async def test_school_screen_shows_details_engagements_and_young_people(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = len(audit_rows(desk_store))
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SchoolScreen) and screen.urn == "100002"
        details = str(screen.query_one("#school-details").render())
        assert "Head teacher: Mr B Brook" in details
        assert "PLAIN CLOTHES ONLY" in details
        assert "100002-riverside-school.ics" in details or "Calendar file: not available" in details
        assert column(screen.query_one("#engagements", DeskTable), 5) == ["ENG-5", "ENG-4"]
        # the other tabs' tables are mounted, and their rows read, when each is first shown
        assert not screen.query("#consultations") and not screen.query("#young-people")
        await pilot.press("2")
        await settle(pilot)
        assert column(screen.query_one("#consultations", DeskTable), 1) == ["Jamie Lee"]
        await pilot.press("3")
        await settle(pilot)
        assert column(screen.query_one("#young-people", DeskTable)) == ["Jamie Lee"]
        await pilot.press("4")
        await settle(pilot)
        assert column(screen.query_one("#assignments", DeskTable)) == ["PC1000"]
        assert screen.focused is screen.query_one("#assignments", DeskTable)
        # a school page is not a personal record: nothing audited
        assert len(audit_rows(desk_store)) == before


async def test_school_assignment_history(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # Oakwood Primary: covered by PC1001 before PC1000
        await settle(pilot)
        await pilot.press("4")
        table = app.screen.query_one("#assignments", DeskTable)
        assert [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)] == [
            ["PC1000", "PC Sam Okafor", "2025-09-01", "current"],
            ["PC1001", "PC Jo Hart", "2024-09-01", "2025-08-31"],
        ]


async def test_opening_a_young_person_writes_a_view_audit_row(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert audit_rows(desk_store, operation="view") == []
        await pilot.press("3", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, YoungPersonScreen) and screen.ref == "YP-0002"
        assert audit_rows(desk_store, operation="view") == [("PC1000", "view", "young_people", "YP-0002")]
        details = str(screen.query_one("#yp-details").render())
        assert "Jamie Lee" in details
        assert "Ethnicity: Not recorded (reason: Declined)" in details
        chronology = screen.query_one("#chronology", DeskTable)
        assert column(chronology, 3) == ["ENG-4", "CON-2"]  # newest first
        # help and back: the record stays open, no second view row
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert len(audit_rows(desk_store, operation="view")) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)


async def test_young_person_ethnicity_deadlines_and_chronology(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_young_person("YP-0001")
        await settle(pilot)
        screen = app.screen
        details = str(screen.query_one("#yp-details").render())
        assert "W1 White: British (self-defined, 18+1 code)" in details
        chronology = screen.query_one("#chronology", DeskTable)
        assert column(chronology, 1) == ["Referral", "Outcome", "Consultation", "Session"]
        deadlines = str(screen.query_one("#yp-deadlines").render())
        assert deadlines.startswith("Deadlines")
        try:
            from slo.services.schooldays import deadlines_for_young_person
        except ImportError:
            assert "not available" in deadlines
        else:
            expected = deadlines_for_young_person(desk_store.db, "YP-0001")
            for d in expected:
                assert d.due_on.isoformat() in deadlines
                if d.provisional:
                    assert "PROVISIONAL" in deadlines


async def test_young_person_keys_open_forms_with_the_record(desk_store, make_app, settle, fake_forms):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_young_person("YP-0001")
        await settle(pilot)
        # the chronology starts on the referral (about CON-1); move to the consultation line
        await pilot.press("down", "down", "o")
        await pilot.pause()
        await pilot.press("escape")
        for key in ("s", "c", "f", "e"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        assert fake_forms == [
            ("OutcomeForm", ("CON-1",), {}),
            ("EngagementForm", (), {"school": "100000", "young_person": "YP-0001"}),
            ("ConsultationForm", (), {"young_person": "YP-0001", "school": "100000"}),
            ("ReferralForm", (), {"young_person": "YP-0001", "consultation": "CON-1"}),
            ("YoungPersonForm", (), {"school": "100000", "ref": "YP-0001"}),
        ]


async def test_school_keys_open_forms(desk_store, make_app, settle, fake_forms):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Northgate Academy
        await settle(pilot)
        await pilot.press("down", "d")  # second engagement, newest first: ENG-2
        await pilot.pause()
        await pilot.press("escape")
        for key in ("v", "c", "y"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        assert fake_forms == [
            ("EngagementStatusForm", ("ENG-2",), {}),
            ("EngagementForm", (), {"school": "100000"}),
            ("ConsultationForm", (), {"young_person": None, "school": "100000"}),
            ("YoungPersonForm", (), {"school": "100000"}),
        ]


async def test_a_school_outside_the_team_is_refused_and_audited(desk_store, make_app, settle):
    """One notice and one audit row (the school is read once, before its screen: SloApp.open_read)."""
    before = len(audit_rows(desk_store, operation="refused"))
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_school("100001")  # PC1001's school, another team
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        assert len([n for n in app._notifications if "may not see school 100001" in n.message]) == 1
    refused = audit_rows(desk_store, operation="refused")
    assert len(refused) == before + 1 and refused[-1][0] == "PC1000"


# ---------------------------------------------------------------------------- week


async def test_week_planner_moves_between_weeks(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WeekScreen) and screen.monday == date(2026, 1, 5)
        grid = screen.query_one("#week-grid", DeskTable)
        labels = [str(c.label) for c in grid.columns.values()]
        assert labels[1] == "Mon 05 Jan" and labels[3] == "Wed 07 Jan ◆"
        day_row = [str(c) for c in grid.get_row("day")]
        assert day_row[2].startswith("■ Public")  # Tue: full-day abstraction
        assert day_row[5].startswith("◧ ½ Call")  # Fri: half-day abstraction
        assert str(grid.get_row("h10")[4]).startswith("10:00 Year")
        assert str(grid.get_row("h11")[2]).startswith("✖ 11:00")
        assert set(str(grid.get_row("h08")[2])) == {"░"} and set(str(grid.get_row("h08")[5])) == {"╱"}
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.monday == date(2026, 1, 12)
        assert str(grid.get_row("h12")[3]).startswith("12:00 Drop")
        await pilot.press("left", "left")
        await settle(pilot)
        assert screen.monday == date(2025, 12, 29)
        await pilot.press("t")
        await settle(pilot)
        assert screen.monday == date(2026, 1, 5)
        await pilot.press("left_square_bracket", "right")
        await settle(pilot)
        assert screen.monday == date(2026, 1, 5)


async def test_week_shows_absences(desk_store, make_app, settle):
    app = make_app(desk_store, today=date(2026, 2, 18))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        day_row = [str(c) for c in app.screen.query_one("#week-grid", DeskTable).get_row("day")]
        assert day_row[1].startswith("○ ANNUAL") and day_row[5].startswith("○ ANNUAL")
        assert day_row[6] == ""


# ---------------------------------------------------------------------------- audit log


async def test_audit_log_for_an_admin_with_filters(desk_store, make_app, settle):
    from slo.services import records

    records.view(desk_store, load_actor(desk_store.db, "PC1000"), "young_people", "YP-0001")
    app = make_app(desk_store, "A1")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_audit_log()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditLogScreen)
        table = screen.query_one("#audit", DeskTable)
        total = desk_store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        assert table.row_count == min(total, 200)
        await pilot.click("#f-what")
        await pilot.press(*"view")
        await settle(pilot)
        assert column(table, 3) == ["view young person YP-0001"]


async def test_audit_log_is_refused_to_an_slo(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_audit_log()
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        assert any("audit log" in n.message for n in app._notifications)


# ---------------------------------------------------------------------------- the read queries' scope


def test_scope_of_the_read_queries(desk_store):
    db = desk_store.db
    slo = load_actor(db, "PC1000")
    other = load_actor(db, "PC1001")
    sergeant = load_actor(db, "S100")
    admin = load_actor(db, "A1")
    today = date(2026, 1, 7)
    st = desk_store
    assert [r.urn for r in caseload(st, slo, today)] == ["100000", "100003", "100002"]
    assert [r.urn for r in caseload(st, other, today)] == ["100001"]  # not 100003: that ended 2025-08-31
    assert {r.urn for r in caseload(st, sergeant, today, scope="team")} == {"100000", "100002", "100003"}
    assert len(caseload(st, admin, today, scope="all")) == 4
    with pytest.raises(PermissionDenied):
        caseload(st, slo, today, scope="all")
    with pytest.raises(PermissionDenied):
        school_detail(st, other, "100000")
    assert [h.key for h in search(st, slo, "a")] == ["100000", "100003", "YP-0002", "YP-0001"]
    assert [h.key for h in search(st, other, "Northgate")] == []
    assert [h.key for h in search(st, slo, "%")] == []  # wildcards are text
    with pytest.raises(PermissionDenied):
        week(st, other, "PC1000", today)


async def test_school_engagements_are_paged_newest_first_and_a_page_survives_a_return(
        desk_store, make_app, settle, monkeypatch):
    """The details come with the first page in one read; n and p read one page each; back from another
    screen, the page shown is read again, not the first."""
    import slo.tui.screens.school as school_screen

    monkeypatch.setattr(school_screen, "PAGE", 1)
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SchoolScreen) and screen.urn == "100002"
        table = screen.query_one("#engagements", DeskTable)
        page_line = screen.query_one("#engagement-page")
        assert column(table, 5) == ["ENG-5"]
        assert "Engagements 1-1 of 2" in str(page_line.render())
        await pilot.press("n")
        await settle(pilot)
        assert column(table, 5) == ["ENG-4"] and "Engagements 2-2 of 2" in str(page_line.render())
        await pilot.press("n")  # no page after the last
        await settle(pilot)
        assert column(table, 5) == ["ENG-4"]
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and column(table, 5) == ["ENG-4"]
        assert "Engagements 2-2 of 2" in str(page_line.render())
        await pilot.press("p")
        await settle(pilot)
        assert column(table, 5) == ["ENG-5"] and "Engagements 1-1 of 2" in str(page_line.render())


async def test_school_tab_bar_names_the_keys_and_a_click_shows_a_tab(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SchoolScreen)
        bar = str(screen.query_one("#school-tab-bar").render())
        assert "1 Engagements" in bar and "2 Consultations" in bar and "4 Assignments" in bar
        start = bar.index("Consultations")
        await pilot.click("#school-tab-bar", offset=(start + 2, 0))
        await settle(pilot)
        assert screen._active_tab() == "tab-consultations"
        assert column(screen.query_one("#consultations", DeskTable), 1) == ["Jamie Lee"]
        assert screen.focused is screen.query_one("#consultations", DeskTable)
