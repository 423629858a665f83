"""An admin in the desk: every school (those with no officer flagged), officers added and leaving, a school
handed over in one step; the incoming officer reads the note. Real app, database rows and audit rows.

Small bundle plus a third school with no officer. Desk today: Mon 2026-03-02; the handover is on Tue 03.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import settle, type_text  # noqa: E402

from slo.models import Consultation, Engagement  # noqa: E402
from slo.services.actors import BOOTSTRAP, load_actor  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402

TODAY = date(2026, 3, 2)


@pytest.fixture
def st(store, small_bundle):
    from slo.services.bundle import import_bundle

    small_bundle["schools"].append(
        {"urn": "100009", "name": "Zeta Free School", "phase": "secondary", "local_authority": "Camden",
         "postcode": None, "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"})
    import_bundle(store, small_bundle, None)
    for ref, start, end, yp, kind in [
        ("E-TUE", "2026-03-03T09:30", "2026-03-03T10:30", None, "assembly"),
        ("E-WED", "2026-03-04T11:00", "2026-03-04T11:30", "YP-0001", "one_to_one"),
        ("E-MON", "2026-03-09T09:00", "2026-03-09T10:00", None, "lesson"),
    ]:
        save(store, BOOTSTRAP, Engagement(ref=ref, officer="PC1000", school="100000", young_person=yp, kind=kind,
                                          title="Liaison officer visit", starts_at=start, ends_at=end,
                                          status="planned"))
    save(store, BOOTSTRAP, Consultation(ref="CON-P", young_person="YP-0001", school="100000", officer="PC1000",
                                        consulted_on="2026-02-25", timing="before_decision", proposed="suspension",
                                        reasons=["VA"]))
    return store


def app_for(store, collar, tmp_path, today=TODAY):
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=today)


def rows(table):
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def select(table, key):
    table.move_cursor(row=[r.value for r in table.rows].index(key))


async def test_every_school_is_listed_and_one_is_handed_over_in_the_desk(st, tmp_path):
    from slo.tui.screens.forms.handover import HandoverForm
    from slo.tui.screens.handovers import HandoverNoteScreen
    from slo.tui.screens.schools import SchoolsAdminScreen

    app = app_for(st, "A1", tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SchoolsAdminScreen)   # an admin's home
        table = screen.query_one("#schools")
        assert [r[0] for r in rows(table)] == ["100000", "100001", "100009"]
        assert rows(table)[2][6] == "⚠ NO OFFICER"
        assert str(screen.query_one("#schools-count").render()).startswith("3 schools · 1 with no officer")
        await pilot.press("f")
        await settle(pilot)
        assert [r[0] for r in rows(table)] == ["100009"]
        await pilot.press("f")
        await settle(pilot)
        select(table, "100000")
        await settle(pilot)
        assert [r[0] for r in rows(screen.query_one("#assignments"))] == ["PC1000"]
        # the handover
        await pilot.press("h")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HandoverForm)
        form.field("incoming").focus_control()
        await type_text(pilot, "PC1001")
        await pilot.press("enter")
        form.input("day").value = "2026-03-03"
        await settle(pilot)
        await settle(pilot)
        title = str(form.query_one("#abs-sessions-title").render())
        assert "3 planned engagements from 2026-03-03" in title
        boxes = list(form.query(".hand-cancel"))
        assert [b.value for b in boxes] == [False, False, True]          # Monday: not PC1001's working day
        assert "cannot move: Monday is not one of PC1001's working days" in str(boxes[2].label)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        note = app.screen
        assert isinstance(note, HandoverNoteScreen)
        text = str(note.query_one("#note").render())
        assert "Northgate Academy (100000)" in text and "From PC Sam Okafor (PC1000) to PC Jo Hart (PC1001)" in text
        assert "Head teacher: Ms A Head (head@northgate.example)" in text and "Uniform policy: Uniform welcome" in text
        assert "Alex Morgan" in text and "CON-P" in text
    assert st.db.execute("SELECT officer, start_date, end_date FROM assignments WHERE school = '100000' "
                         "ORDER BY start_date").fetchall() == [("PC1000", "2025-09-01", "2026-03-02"),
                                                               ("PC1001", "2026-03-03", None)]
    officers = dict(st.db.execute("SELECT ref, officer || ' ' || status FROM engagements WHERE ref LIKE 'E-%'"))
    assert officers == {"E-TUE": "PC1001 planned", "E-WED": "PC1001 planned", "E-MON": "PC1000 cancelled"}
    assert st.db.execute("SELECT actor, operation FROM audit WHERE entity = 'handovers' ORDER BY id").fetchall() == [
        ("A1", "create"), ("A1", "view")]


async def test_the_incoming_officer_sees_the_note_and_prints_it(st, tmp_path):
    from slo.services.handover import hand_over
    from slo.tui.screens.handovers import HandoverNoteScreen, HandoversScreen

    done = hand_over(st, load_actor(st.db, "A1"), "100000", "PC1001", date(2026, 3, 3), cancel=["E-MON"])
    app = app_for(st, "PC1001", tmp_path, today=date(2026, 3, 3))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        from slo.services.due import due_items

        assert [i.kind for i in due_items(st, load_actor(st.db, "PC1001"), date(2026, 3, 3))].count(
            "handover_note") == 1
        await pilot.press("N")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoversScreen)
        assert rows(screen.query_one("#handovers"))[0][6] == "UNREAD"
        await pilot.press("enter")
        await settle(pilot)
        note = app.screen
        assert isinstance(note, HandoverNoteScreen)
        assert "Planned sessions from 03 Mar (2)" in str(note.query_one("#note").render())
        await pilot.press("m")
        await settle(pilot)
    path = tmp_path / "exports" / "handovers" / f"handover-{done.id}-100000.md"
    assert path.read_text(encoding="utf-8").startswith("# Handover: Northgate Academy (100000)")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    log = st.db.execute("SELECT actor, operation, detail FROM audit WHERE entity = 'handovers' AND actor = 'PC1001' "
                        "ORDER BY id").fetchall()
    assert [op for _a, op, _d in log] == ["view", "disclosure", "disclosure"]
    assert [json.loads(d)["state"] for _a, op, d in log if op == "disclosure"] == ["started", "completed"]
    assert st.db.execute("SELECT read_at IS NOT NULL FROM handovers WHERE id = ?", [done.id]).fetchone() == (1,)
    assert [i.kind for i in due_items(st, load_actor(st.db, "PC1001"), date(2026, 3, 3))].count("handover_note") == 0


async def test_officers_added_and_leaving_in_the_desk(st, tmp_path):
    from slo.tui.screens.forms.officer import LeavingForm, OfficerForm
    from slo.tui.screens.officers import OfficersScreen

    app = app_for(st, "A1", tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("O")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OfficersScreen)
        assert [r[0] for r in rows(screen.query_one("#officers"))][:2] == ["PC1000", "PC1001"]
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OfficerForm)
        form.input("collar_number").value = "PC2000"
        form.input("name").value = "PC Dana Wells"
        form.field("role").focus_control()
        await type_text(pilot, "slo")
        await pilot.press("enter")
        form.field("team").focus_control()
        await type_text(pilot, "NHT-North")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "PC2000" in [r[0] for r in rows(screen.query_one("#officers"))]
        # PC1000 leaves on Friday
        select(screen.query_one("#officers"), "PC1000")
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LeavingForm)
        assert "Northgate Academy (100000)" in str(form.query_one("#leaving-summary").render())
        form.input("end_date").value = "2026-03-06"
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert "Assignments ended on that day: Northgate Academy (100000)" in result
        await pilot.press("enter")
        await settle(pilot)
        line = next(r for r in rows(screen.query_one("#officers")) if r[0] == "PC1000")
        assert line[6] == "leaving 2026-03-06"
    assert st.db.execute("SELECT name, role, team FROM officers WHERE collar_number = 'PC2000'").fetchone() == (
        "PC Dana Wells", "slo", "NHT-North")
    assert st.db.execute("SELECT end_date FROM assignments WHERE school = '100000'").fetchone() == ("2026-03-06",)
    ops = st.db.execute("SELECT operation, entity, key FROM audit WHERE actor = 'A1' ORDER BY id").fetchall()
    assert ("create", "officers", "PC2000") in ops and ("update", "officers", "PC1000") in ops
    assert ("update", "assignments", "100000/2025-09-01") in ops


async def test_an_slo_may_not_open_the_admin_screens(st, tmp_path):
    from slo.tui.screens.officers import OfficersScreen
    from slo.tui.screens.schools import SchoolsAdminScreen

    app = app_for(st, "PC1000", tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key in ("O", "S"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, (OfficersScreen, SchoolsAdminScreen))
    refused = st.db.execute("SELECT COUNT(*) FROM audit WHERE operation = 'refused' AND actor = 'PC1000'").fetchone()
    assert refused == (2,)


async def test_back_on_all_schools_unchanged_rows_are_not_built_again(st, tmp_path):
    """A return that reads the same schools builds no row (2,000 of them on a national database); a
    change is shown on the next read."""
    from slo.models import School
    from slo.services.records import get
    from slo.tui.screens.schools import SchoolsAdminScreen

    app = app_for(st, "A1", tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SchoolsAdminScreen)
        table = screen.query_one("#schools")
        built: list[int] = []
        original = table.replace_rows
        table.replace_rows = lambda rows, **kw: (built.append(1), original(rows, **kw))[1]
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and built == []
        assert str(screen.query_one("#schools-count").render()).startswith("3 schools · 1 with no officer")
        school = get(st.db, "schools", "100009")
        assert isinstance(school, School)
        save(st, BOOTSTRAP, school.model_copy(update={"name": "Zeta Free School (renamed)"}))
        await pilot.press("f5")
        await settle(pilot)
        assert built == [1] and rows(table)[2][1] == "Zeta Free School (renamed)"
