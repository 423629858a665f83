"""The desk end to end: the REAL forms opened from the REAL screens of ``SloApp``, driven with keys
and typing as a user would, on the demo database (``build_demo(scale="small", seed=1)``).

Each workflow asserts what the user sees (the row in the table), the database row and its audit row.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import type_text  # noqa: E402

from slo.services.actors import load_actor  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402
from slo.tui.widgets import DeskTable  # noqa: E402

#: the demo's "today" (a Friday); the week after starts on Monday 2026-11-30
TODAY = date(2026, 11, 27)
SIZE = (120, 36)

#: keys (not typed text) to log a consultation from the caseload, counted in
#: test_consultation_from_the_caseload (press c, then as docs/forms.md's typical path)
CONSULTATION_KEYS_FROM_CASELOAD = 8


# --------------------------------------------------------------------------- fixtures and helpers
def desk(store, tmp_path, collar: str = "PC1000") -> SloApp:
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


class Keys:
    """Presses keys (counted) and types text (not counted), letting the desk settle after each."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.pressed: list[str] = []

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.pressed.append(key)
            await self.pilot.press(key)
            await settle(self.pilot, 1)

    async def type(self, text: str) -> None:
        await type_text(self.pilot, text)
        await settle(self.pilot, 1)


def table_rows(table: DeskTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(table: DeskTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


def record(store, table: str, key_column: str, key: str) -> dict | None:
    cur = store.db.execute(f"SELECT * FROM [{table}] WHERE [{key_column}] = ?", [key])
    values = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], values, strict=True)) if values else None


def audit(store, entity: str, key: str) -> list[tuple[str, str, dict]]:
    rows = store.db.execute(
        "SELECT actor, operation, detail FROM audit WHERE entity = ? AND key = ? ORDER BY id", [entity, key]
    ).fetchall()
    return [(a, op, json.loads(detail) if detail else {}) for a, op, detail in rows]


async def move_to(pilot, table: DeskTable, key: str) -> None:
    """Move the table's cursor down to the row ``key`` with the arrow key, as a user would."""
    table.focus()
    for _ in range(table.row_count):
        if table.current_key == key:
            return
        await pilot.press("down")
    assert table.current_key == key


def screen_name(app) -> str:
    return type(app.screen).__name__


# --------------------------------------------------------------------------- an SLO's day
async def test_visit_from_the_caseload(demo, tmp_path):
    """v on the highlighted school: EngagementForm with the school filled in; the visit is the school's next."""
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        caseload = app.screen.query_one("#caseload", DeskTable)
        urn = caseload.current_key
        assert urn == "155446" and row_of(caseload, urn)[3] == "Today 12:15"
        keys = Keys(pilot)
        await keys.press("v")
        form = app.screen
        assert screen_name(app) == "EngagementForm" and form.picker("school").value == urn
        assert form.picker("kind").value == "visit" and form.input("title").value == "School visit"
        assert form.input("date").value == "2026-11-27" and form.input("time").value == "10:00"
        await keys.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
        # the visit at 10:00 today is now the school's next visit
        assert row_of(app.screen.query_one("#caseload", DeskTable), urn)[3] == "Today 10:00"
    row = demo.db.execute(
        "SELECT ref, officer, kind, title, starts_at, ends_at, status FROM engagements "
        "WHERE school = ? AND starts_at = '2026-11-27T10:00'", [urn]).fetchone()
    assert row[0].startswith("ENG-20261127-")
    assert row[1:] == ("PC1000", "visit", "School visit", "2026-11-27T10:00", "2026-11-27T11:00", "planned")
    assert [(a, op) for a, op, _ in audit(demo, "engagements", row[0])] == [("PC1000", "create")]


async def test_consultation_from_the_caseload(demo, tmp_path):
    """Go to the school (/ + letters + Enter), c, then the typical path of docs/forms.md: 8 keys from c.

    Pupils of the highlighted school come first in the young person search: "george" picks
    George Jones of Hazelcombe, although five other Georges come before him alphabetically.
    """
    hazelcombe = "202960"
    georges = demo.db.execute(
        "SELECT ref, family_name, school FROM young_people WHERE given_name = 'George' ORDER BY family_name"
    ).fetchall()
    assert len(georges) > 1 and georges[0][2] != hazelcombe   # the search must not just take the first George
    assert [r[0] for r in georges if r[2] == hazelcombe] == ["YP-000058"]
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        caseload = app.screen.query_one("#caseload", DeskTable)
        pending_before = int(row_of(caseload, hazelcombe)[5] or 0)
        navigate = Keys(pilot)
        await navigate.press("slash")
        await navigate.type("hazel")
        await navigate.press("enter")
        assert caseload.has_focus and caseload.current_key == hazelcombe
        keys = Keys(pilot)
        await keys.press("c")
        form = app.screen
        assert screen_name(app) == "ConsultationForm" and form.picker("school").value == hazelcombe
        await keys.type("george")
        await keys.press("enter")
        assert form.picker("young_person").value == "YP-000058"
        await keys.press("b")
        await keys.type("susp")
        await keys.press("enter")
        await keys.type("PA")
        await keys.press("enter")
        await keys.type("weapon")
        await keys.press("enter")
        await keys.type("drug")
        await keys.press("enter")
        await keys.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
        # the school's Pending column counts the new consultation
        caseload = app.screen.query_one("#caseload", DeskTable)
        assert int(row_of(caseload, hazelcombe)[5]) == pending_before + 1
    assert len(keys.pressed) == CONSULTATION_KEYS_FROM_CASELOAD, keys.pressed
    assert len(navigate.pressed) == 2
    ref = demo.db.execute(
        "SELECT ref FROM consultations WHERE young_person = 'YP-000058' AND consulted_on = '2026-11-27'").fetchone()[0]
    row = record(demo, "consultations", "ref", ref)
    assert ref.startswith("CON-20261127-")
    assert (row["school"], row["officer"], row["timing"], row["proposed"]) == (
        hazelcombe, "PC1000", "before_decision", "suspension")
    assert json.loads(row["reasons"]) == ["PA", "OW", "DA"] and row["outcome"] == "pending"
    [(who, op, detail)] = audit(demo, "consultations", ref)
    assert (who, op) == ("PC1000", "create") and "George" not in json.dumps(detail)


async def test_consultation_school_follows_the_pupil(demo, tmp_path):
    """c on any school, then a pupil of another school: the consultation is at the pupil's school,
    not at the school that happened to be highlighted (it used to be recorded there)."""
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#caseload", DeskTable).current_key == "155446"   # Ashmead
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "george jones")
        await pilot.press("enter")
        await settle(pilot)
        assert form.picker("young_person").value == "YP-000058"
        assert form.picker("school").value == "202960"    # Hazelcombe, the pupil's school
        await pilot.press("a")
        await type_text(pilot, "perm")
        await pilot.press("enter")
        await type_text(pilot, "PA")
        await pilot.press("enter", "ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
    row = demo.db.execute(
        "SELECT school, timing, proposed FROM consultations WHERE young_person = 'YP-000058' "
        "AND consulted_on = '2026-11-27'").fetchone()
    assert row == ("202960", "after_decision", "permanent_exclusion")


async def open_young_person_from_school(pilot, app, school_filter: str, urn: str, consultation: str) -> None:
    """Caseload -> school (filter, Enter, Enter) -> consultations tab (2) -> Enter on the consultation (its
    record) -> y (the young person it is about)."""
    await pilot.press("slash", *school_filter, "enter")
    await settle(pilot)
    assert app.screen.query_one("#caseload", DeskTable).current_key == urn
    await pilot.press("enter")
    await settle(pilot)
    assert screen_name(app) == "SchoolScreen" and app.screen.urn == urn
    await pilot.press("2")
    await settle(pilot)
    await move_to(pilot, app.screen.query_one("#consultations", DeskTable), consultation)
    await pilot.press("enter")
    await settle(pilot)
    assert screen_name(app) == "RecordScreen" and app.screen.key == consultation
    await pilot.press("y")
    await settle(pilot)
    assert screen_name(app) == "YoungPersonScreen"


def chronology_key(screen, kind: str, ref: str) -> str:
    chronology = screen.detail.chronology
    return next(f"{i.kind}:{i.ref}:{n}" for n, i in enumerate(chronology) if (i.kind, i.ref) == (kind, ref))


async def test_outcome_then_referral_from_the_young_person_screen(demo, tmp_path):
    con, pupil, willowwood = "CON-PC1000-024", "YP-000101", "250474"
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_young_person_from_school(pilot, app, "willoww", willowwood, con)
        screen = app.screen
        assert screen.ref == pupil
        chronology = screen.query_one("#chronology", DeskTable)
        await move_to(pilot, chronology, chronology_key(screen, "consultation", con))
        # o: the outcome of the highlighted consultation
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert screen_name(app) == "OutcomeForm" and form.ref == con
        assert form.input("outcome_on").value == "2026-11-27"
        await type_text(pilot, "susp")
        await pilot.press("enter", "tab")            # outcome; past "Outcome on" (today)
        await type_text(pilot, "2026-11-30")         # the suspension starts on Monday
        await pilot.press("enter")
        await type_text(pilot, "6")                  # days: more than 5, so day 6 provision is due
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the deadline is shown on the form before it closes
        assert form.saved_key == con
        assert "Due 2026-12-07" in str(form.query_one("#form-result").render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        kinds = [(i.kind, i.ref) for i in screen.detail.chronology]
        assert ("outcome", con) in kinds
        outcome_row = row_of(chronology, chronology_key(screen, "outcome", con))
        assert "Suspension" in outcome_row[2] and "6 days" in outcome_row[2]
        assert "2026-12-07" in str(screen.query_one("#yp-deadlines").render())
        # f: a referral linked to the highlighted consultation
        await move_to(pilot, chronology, chronology_key(screen, "consultation", con))
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert screen_name(app) == "ReferralForm"
        assert form.picker("young_person").value == pupil and form.picker("consultation").value == con
        await type_text(pilot, "youth")
        await pilot.press("enter", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        referral = next(i.ref for i in screen.detail.chronology if i.kind == "referral")
        assert "Youth justice" in row_of(chronology, chronology_key(screen, "referral", referral))[2]
    row = record(demo, "consultations", "ref", con)
    assert (row["outcome"], row["outcome_on"], row["suspension_days"], row["exclusion_start"]) == (
        "suspension", "2026-11-27", 6, "2026-11-30")
    operations = [(a, op, d.get("source")) for a, op, d in audit(demo, "consultations", con)]
    assert ("PC1000", "update", "desk") in operations
    assert referral.startswith("REF-20261127-")
    ref_row = record(demo, "referrals", "ref", referral)
    assert (ref_row["young_person"], ref_row["consultation"], ref_row["partner"], ref_row["status"]) == (
        pupil, con, "youth_justice", "made")
    assert [(a, op) for a, op, _ in audit(demo, "referrals", referral)] == [
        ("PC1000", "create"), ("PC1000", "status_change")]
    # opening the young person's record was audited once (the view), not on every refresh
    assert [op for _a, op, _d in audit(demo, "young_people", pupil)].count("view") == 1


async def test_deliver_cancel_and_rebook_from_the_school_screen(demo, tmp_path):
    """On the school screen: d on today's 1:1 -> delivered; d on Monday's visit -> cancelled (school) and rebooked."""
    hazelcombe, visit = "202960", "ENG-PC1000-00421"      # Mon 30 Nov 15:00, planned
    ashmead, one_to_one = "155446", "ENG-PC1000-00418"    # today 12:15, planned
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")                       # the first school: Ashmead
        await settle(pilot)
        school = app.screen
        assert screen_name(app) == "SchoolScreen" and school.urn == ashmead
        engagements = school.query_one("#engagements", DeskTable)
        await move_to(pilot, engagements, one_to_one)
        await pilot.press("d")
        await settle(pilot)
        assert screen_name(app) == "EngagementStatusForm"
        await pilot.press("d", "ctrl+s")
        await settle(pilot)
        assert app.screen is school
        assert row_of(engagements, one_to_one)[3] == "✔ delivered"
        await pilot.press("escape")
        await settle(pilot)
        # back on the caseload, then the school of Monday's visit
        await pilot.press("slash", *"hazel", "enter", "enter")
        await settle(pilot)
        school = app.screen
        assert screen_name(app) == "SchoolScreen" and school.urn == hazelcombe
        engagements = school.query_one("#engagements", DeskTable)
        await move_to(pilot, engagements, visit)
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        await pilot.press("c")                           # cancelled: the reason and "Rebook?" appear
        await type_text(pilot, "school")
        await pilot.press("enter", "y", "ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert f"Rebooked as {visit}-R1" in result
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is school
        assert row_of(engagements, visit)[3] == "✖ cancelled (School)"
        assert row_of(engagements, f"{visit}-R1")[3] == "● planned"
    assert record(demo, "engagements", "ref", one_to_one)["status"] == "delivered"
    assert [(a, op) for a, op, _ in audit(demo, "engagements", one_to_one)] == [("PC1000", "update")]
    old, new = record(demo, "engagements", "ref", visit), record(demo, "engagements", "ref", f"{visit}-R1")
    assert (old["status"], old["cancel_reason"]) == ("cancelled", "school")
    assert (new["status"], new["rebooked_from"], new["school"], new["officer"]) == (
        "planned", visit, hazelcombe, "PC1000")
    assert new["starts_at"] > old["starts_at"]
    assert [(a, op) for a, op, _ in audit(demo, "engagements", visit)] == [("PC1000", "update")]
    [(who, op, detail)] = audit(demo, "engagements", f"{visit}-R1")
    assert (who, op) == ("PC1000", "create") and detail.get("rebooked_from") == visit


async def test_full_day_abstraction_from_the_caseload_then_the_week(demo, tmp_path):
    """a: a full day on Monday cancels every planned session of that day; the form lists them,
    and the week planner shows them struck through under a shaded day."""
    monday = "2026-11-30"
    planned = [r[0] for r in demo.db.execute(
        "SELECT ref FROM engagements WHERE officer = 'PC1000' AND status = 'planned' AND starts_at LIKE ? "
        "ORDER BY starts_at", [f"{monday}%"])]
    assert planned == ["ENG-PC1000-00420", "ENG-PC1000-00421"]
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert screen_name(app) == "AbstractionForm" and form.input("date_from").has_focus
        await type_text(pilot, monday)          # typing replaces the preset (today)
        await pilot.press("tab")
        await type_text(pilot, monday)
        await pilot.press("tab")                 # Portion: full by default
        await settle(pilot)
        assert form.key_choice("portion").value == "full"
        assert [s.ref for s in form.sessions] == planned and form.checked_refs() == planned
        await pilot.press("tab")
        await type_text(pilot, "public")
        await pilot.press("enter")
        await type_text(pilot, "Duty inspector")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key == "ABS-20261130-1", str(form.query_one("#form-result").render())
        result = str(form.query_one("#form-result").render())
        assert "It cancelled 2 session(s)" in result
        assert all(f"Cancelled {ref}" in result for ref in planned)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        week = app.screen
        assert screen_name(app) == "WeekScreen" and str(week.monday) == monday
        grid = week.query_one("#week-grid", DeskTable)
        day = [str(grid.get_row("day")[i]) for i in range(8)]
        assert day[1].startswith("■ Public")
        cells = [str(grid.get_row(f"h{h:02d}")[1]) for h in (10, 15)]
        assert cells[0].startswith("✖ 10:30") and cells[1].startswith("✖ 15:00")
    for ref in planned:
        row = record(demo, "engagements", "ref", ref)
        assert (row["status"], row["cancel_reason"], row["abstraction"]) == (
            "cancelled", "abstraction", "ABS-20261130-1")
        assert audit(demo, "engagements", ref)[-1][:2] == ("PC1000", "update")
    row = record(demo, "abstractions", "ref", "ABS-20261130-1")
    assert (row["officer"], row["date_from"], row["date_to"], row["portion"], row["category"],
            row["review_status"]) == (
        "PC1000", monday, monday, "full", "public_order", "pending")
    assert [(a, op) for a, op, _ in audit(demo, "abstractions", "ABS-20261130-1")] == [("PC1000", "create")]


# --------------------------------------------------------------------------- a sergeant, an admin
async def test_sergeant_challenges_a_pending_abstraction_from_the_team_screen(demo, tmp_path):
    app = desk(demo, tmp_path, "S100")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        team = app.screen
        assert screen_name(app) == "TeamScreen"
        pending = team.query_one("#abstractions", DeskTable)
        assert app.focused is pending and pending.row_count
        assert table_rows(pending)[0][6].startswith("Pending")     # what awaits the sergeant comes first
        ref = pending.current_key
        officer = row_of(pending, ref)[0]
        assert officer in ("PC1000", "PC1001", "PC1002") and officer != "S100"
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert screen_name(app) == "ReviewForm" and form.ref == ref
        assert ref in str(form.query_one("#review-summary").render())
        await pilot.press("c")                     # challenge: focus moves to the note
        await type_text(pilot, "Why was an SLO sent?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is team
        assert row_of(pending, ref)[6].startswith("Challenged (to ")   # it stays on the list, challenged
    row = record(demo, "abstractions", "ref", ref)
    assert (row["review_status"], row["reviewed_by"], row["review_note"]) == (
        "challenged", "S100", "Why was an SLO sent?")
    [(who, op, detail)] = audit(demo, "abstractions", ref)
    assert (who, op) == ("S100", "update") and detail["review"] == {"from": "pending", "to": "challenged"}
    assert "SLO sent" not in json.dumps(detail)


async def palette(pilot, text: str) -> list[str]:
    """Open the command palette, type ``text``; the prompts offered."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await type_text(pilot, text)
    options = None
    for _ in range(20):
        await pilot.pause(0.05)
        options = pilot.app.screen.query("CommandList").first()
        if options.option_count:
            break
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def test_admin_opens_the_audit_log_from_the_palette(demo, tmp_path):
    app = desk(demo, tmp_path, "A1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "SchoolsAdminScreen"     # an admin's home: every school
        prompts = await palette(pilot, "audit")
        assert prompts and prompts[0] == "Audit log"
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "AuditLogScreen"
        log = app.screen.query_one("#audit", DeskTable)
        ids = [int(r[0]) for r in table_rows(log)]
        assert ids and ids == sorted(ids, reverse=True)         # newest first
        assert "Page 1" in str(app.screen.query_one("#audit-page").render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "SchoolsAdminScreen"


async def test_an_slo_is_refused_the_audit_log_with_a_notice(demo, tmp_path):
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "audit")
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
        assert any(n.title == "Refused" for n in app._notifications)


# ------------------------------------------------------------------ every screen: keys, palette, help, Escape, ctrl+q
async def palette_run(pilot, text: str, title: str) -> None:
    """Open the palette, type ``text`` and run the command titled ``title`` (Down to it, Enter)."""
    prompts = await palette(pilot, text)
    assert title in prompts, (text, prompts)
    for _ in range(prompts.index(title)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


def help_rows(app) -> list[list[str]]:
    return table_rows(app.screen.query_one("#help-keys", DeskTable))


async def check_help(pilot, app, key: str = "f1") -> None:
    """F1 (or ?) on the current screen lists each of its keys; Escape goes back to it."""
    screen = app.screen
    await pilot.press(key)
    await settle(pilot, 1)
    assert screen_name(app) == "HelpScreen", (type(screen).__name__, key)
    listed = {(r[1], r[2]) for r in help_rows(app)}
    for binding in type(screen).BINDINGS:
        if binding.description:
            assert (binding.description, "this screen") in listed, (type(screen).__name__, binding)
    assert ("Quit", "everywhere") in listed
    assert type(screen).HELP.split(".")[0] in str(app.screen.query_one("#help-purpose").render())
    await pilot.press("escape")
    await settle(pilot, 1)
    assert app.screen is screen


#: (key on the SLO's caseload, palette text, palette title, what opens); the palette's own titles on
#: the caseload are its keys' descriptions (desk-wide "New visit"... are for screens without such a key)
SLO_HOME = [
    ("v", "visit", "Visit", "EngagementForm"),
    ("c", "consultation", "Consultation", "ConsultationForm"),
    ("a", "abstraction", "Abstraction", "AbstractionForm"),
    ("l", "absence", "Absence/leave", "AbsenceForm"),
    ("w", "week", "Week planner", "WeekScreen"),
    ("r", "reports", "Reports", "ReportsScreen"),
    ("x", "calendars", "Export calendars", "ExportCalendarsScreen"),
    ("D", "term dates", "Term dates", "TermDatesScreen"),
]


async def test_slo_reaches_every_form_and_screen_by_key_and_palette_with_help_and_escape(demo, tmp_path):
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = app.screen
        await check_help(pilot, app)
        await check_help(pilot, app, "question_mark")
        for key, text, title, opens in SLO_HOME:
            await pilot.press(key)
            await settle(pilot)
            assert screen_name(app) == opens, (key, screen_name(app))
            await check_help(pilot, app)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is home, (key, screen_name(app))
            await palette_run(pilot, text, title)
            assert screen_name(app) == opens, (text, screen_name(app))
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is home, (text, screen_name(app))
        # the school and its forms; a young person and theirs
        await pilot.press("enter")
        await settle(pilot)
        school = app.screen
        assert screen_name(app) == "SchoolScreen"
        await check_help(pilot, app)
        for key, opens in [("v", "EngagementForm"), ("c", "ConsultationForm"), ("y", "YoungPersonForm"),
                           ("d", "EngagementStatusForm"), ("x", "ExportCalendarsScreen")]:
            await pilot.press(key)
            await settle(pilot)
            assert screen_name(app) == opens, key
            await check_help(pilot, app)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is school, key
        await pilot.press("2", "enter")              # the first consultation's record
        await settle(pilot)
        assert screen_name(app) == "RecordScreen"
        await check_help(pilot, app)
        await pilot.press("y")                       # the young person it is about
        await settle(pilot)
        person = app.screen
        assert screen_name(app) == "YoungPersonScreen"
        await check_help(pilot, app)
        chronology = person.query_one("#chronology", DeskTable)
        consultation = next((n for n, i in enumerate(person.detail.chronology) if i.consultation), None)
        assert consultation is not None
        chronology.move_cursor(row=consultation)
        for key, opens in [("s", "EngagementForm"), ("c", "ConsultationForm"), ("o", "OutcomeForm"),
                           ("f", "ReferralForm"), ("e", "YoungPersonForm")]:
            await pilot.press(key)
            await settle(pilot)
            assert screen_name(app) == opens, key
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is person, key
        # Escape goes back one screen at a time (the record, then the school), and no further than home
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "RecordScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is school
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        # H is home from anywhere
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert screen_name(app) == "RecordScreen" and len(app.screen_stack) == 4
        await pilot.press("H")
        await settle(pilot)
        assert app.screen is not home and screen_name(app) == "CaseloadScreen" and len(app.screen_stack) == 2


async def test_forms_from_the_palette_where_the_screen_has_no_key(demo, tmp_path):
    """A sergeant on the team screen records an abstraction or an absence from the palette; the desk's
    screens are there too. Navigation waits while a form is open."""
    app = desk(demo, tmp_path, "S100")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = app.screen
        assert screen_name(app) == "TeamScreen"
        await check_help(pilot, app)
        for text, title, opens in [
            ("new visit", "New visit", "EngagementForm"),
            ("new consultation", "New consultation", "ConsultationForm"),
            ("abstraction", "Record abstraction", "AbstractionForm"),
            ("absence", "Record absence", "AbsenceForm"),
            ("week", "Week planner", "WeekScreen"),
            ("reports", "Reports", "ReportsScreen"),
            ("calendars", "Export calendars", "ExportCalendarsScreen"),
            ("term dates", "Term dates", "TermDatesScreen"),
        ]:
            await palette_run(pilot, text, title)
            assert screen_name(app) == opens, (text, screen_name(app))
            if opens.endswith("Form"):
                # a sergeant picks the officer: their team
                assert "-hidden" not in app.screen.field("officer").classes
                # while a form is open, going elsewhere from the palette waits for it
                await palette_run(pilot, "team", "Team")
                assert screen_name(app) == opens
                await check_help(pilot, app)
            else:
                await check_help(pilot, app)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is home, (text, screen_name(app))
        # the sergeant's own screens by key: r reviews, o opens an officer
        await pilot.press("r")
        await settle(pilot)
        assert screen_name(app) == "ReviewForm"
        await check_help(pilot, app)
        await pilot.press("escape")
        await settle(pilot)
        app.screen.query_one("#officers", DeskTable).focus()
        await pilot.press("o")
        await settle(pilot)
        assert screen_name(app) == "OfficerScreen"
        await check_help(pilot, app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        # the audit log is for admins: refused with a notice, and the sergeant stays home
        await pilot.press("L")
        await settle(pilot)
        assert app.screen is home
        assert any(n.title == "Refused" for n in app._notifications)


async def test_admin_audit_log_by_key_and_team_from_the_palette(demo, tmp_path):
    app = desk(demo, tmp_path, "A1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("L")
        await settle(pilot)
        assert screen_name(app) == "AuditLogScreen"
        await check_help(pilot, app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        for key_or_text in ("T", "team"):
            if key_or_text == "T":
                await pilot.press("T")
                await settle(pilot)
            else:
                await palette_run(pilot, "team", "Team")
            assert screen_name(app) == "TeamScreen"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is home


async def _open_consultation_form_typed(pilot) -> None:
    await pilot.press("c")
    await settle(pilot)
    await type_text(pilot, "geo")          # something typed: Escape would ask first


QUIT_FROM = {
    "caseload": (None, "PC1000"),
    "school": (("enter",), "PC1000"),
    "week": (("w",), "PC1000"),
    "help": (("f1",), "PC1000"),
    "form with typing": (_open_consultation_form_typed, "PC1000"),
    "discard question": (_open_consultation_form_typed, "PC1000"),
    "abstraction form": (("a",), "PC1000"),
    "palette": (("ctrl+p",), "PC1000"),
    "team": (None, "S100"),
    "review form": (("r",), "S100"),
    "audit log": (("L",), "A1"),
}


@pytest.mark.parametrize("where", list(QUIT_FROM))
async def test_ctrl_q_quits_with_0_from_anywhere(demo, tmp_path, where):
    steps, collar = QUIT_FROM[where]
    app = desk(demo, tmp_path, collar)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if callable(steps):
            await steps(pilot)
            if where == "discard question":
                await pilot.press("escape")
                await settle(pilot, 1)
                assert screen_name(app) == "ConfirmDiscard"
        elif steps:
            await pilot.press(*steps)
        await settle(pilot, 1)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


# --------------------------------------------------------------------------- a small terminal
async def test_week_fits_80_columns(demo, tmp_path):
    """At 80x24 the whole working week shows without scrolling (the weekend used to scroll off; an empty
    weekend is now left out on a narrow terminal, docs/desk.md)."""
    app = desk(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        grid = app.screen.query_one("#week-grid", DeskTable)
        assert grid.virtual_size.width <= grid.size.width
        days = [str(grid.columns[c.key].label).split()[0] for c in grid.ordered_columns]
        assert days[-5:] == ["Mon", "Tue", "Wed", "Thu", "Fri"] or days[-7:] == [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], days


async def test_evaluator_opens_on_the_evaluation_figures_not_a_refused_caseload(demo, tmp_path):
    app = desk(demo, tmp_path, "E1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "EvaluatorScreen"
        assert not any(n.title == "Refused" for n in app._notifications)
        await check_help(pilot, app)
        await pilot.press("escape", "H")
        await settle(pilot)
        assert screen_name(app) == "EvaluatorScreen" and len(app.screen_stack) == 2


async def test_consultation_for_a_new_pupil_made_inline(demo, tmp_path):
    """c, ctrl+n: the pupil is made at the highlighted school, then the consultation goes on; the picker
    shows the new pupil's name (it showed only the new ref)."""
    app = desk(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen_name(app) == "YoungPersonForm"
        await type_text(pilot, "Robin")
        await pilot.press("enter")
        await type_text(pilot, "Ashe")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and form.key_choice("timing").has_focus
        ref = form.picker("young_person").value
        chosen = form.picker("young_person").query_one(".picker--chosen")
        assert ref.startswith("YP-") and "Robin Ashe" in str(chosen.render())
        await pilot.press("b")
        await type_text(pilot, "susp")
        await pilot.press("enter")
        await type_text(pilot, "PA")
        await pilot.press("enter", "ctrl+s")     # the optional ethnicity is offered once...
        await settle(pilot)
        assert "-hidden" not in form.field("ethnicity").classes
        await pilot.press("ctrl+s")              # ...and skipped
        await settle(pilot)
        assert screen_name(app) == "CaseloadScreen"
    person = record(demo, "young_people", "ref", ref)
    assert (person["given_name"], person["family_name"], person["school"]) == ("Robin", "Ashe", "155446")
    row = demo.db.execute("SELECT school, proposed FROM consultations WHERE young_person = ?", [ref]).fetchone()
    assert row == ("155446", "suspension")
    assert [(a, op) for a, op, _ in audit(demo, "young_people", ref)][0] == ("PC1000", "create")
