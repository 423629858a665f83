"""Issue 16's "done when", on the demo database as each role finds it (the small demo, seed 1).

The flows are tested on fixtures elsewhere (tests/tui/test_review_lifecycle_desk.py,
test_admin_desk.py, test_audit_log.py, test_evaluator.py); here the same desk meets the demo's
history: PC1000 opens the desk to the handover note made early today and reads it; an admin hands a
school over in the desk and the incoming officer finds the note; the sergeant's team screen shows a
challenge followed to its result (withdrawn, sessions back) and one overdue; the audit log reads the
demo's history as sentences; the evaluator sees the figures of the evaluation dataset and no name.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import settle, type_text  # noqa: E402

from slo.services.actors import load_actor  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402

#: the demo's today (a Friday)
TODAY = date(2026, 11, 27)
SIZE = (160, 45)


def desk(store, tmp_path, collar: str) -> SloApp:
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


def rows(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("Static"))


async def test_pc1000_opens_the_desk_to_the_handover_note_and_reads_it(demo, tmp_path):
    from slo.tui.screens.handovers import HandoverNoteScreen, HandoversScreen

    [(hid, urn, name)] = demo.db.execute(
        "SELECT h.id, h.school, s.name FROM handovers h JOIN schools s ON s.urn = h.school").fetchall()
    app = desk(demo, tmp_path, "PC1000")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summary = str(app.screen.query_one("#week-summary").render())
        assert "Fri 27 Nov 2026 Read the handover note" in summary  # on the due line, due today
        await pilot.press("N")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoversScreen)
        [line] = rows(screen.query_one("#handovers"))
        assert "UNREAD" in line and any(name in cell for cell in line)
        await pilot.press("enter")
        await settle(pilot)
        note = app.screen
        assert isinstance(note, HandoverNoteScreen)
        text = str(note.query_one("#note").render())
        assert f"{name} ({urn})" in text and "PC1001" in text and "Planned sessions from" in text
    assert demo.db.execute("SELECT read_at IS NOT NULL FROM handovers WHERE id = ?", [hid]).fetchone() == (1,)


async def test_an_admin_hands_a_school_over_in_the_desk_and_the_incoming_officer_finds_the_note(demo, tmp_path):
    from slo.services.due import due_items
    from slo.tui.screens.forms.handover import HandoverForm
    from slo.tui.screens.handovers import HandoverNoteScreen, HandoversScreen
    from slo.tui.screens.schools import SchoolsAdminScreen

    urn, name = demo.db.execute(
        "SELECT a.school, s.name FROM assignments a JOIN schools s ON s.urn = a.school WHERE a.officer = 'PC1002' "
        "AND a.end_date IS NULL AND a.start_date < ? AND s.uniform_policy != 'no_visits' ORDER BY a.school LIMIT 1",
        [TODAY.isoformat()]).fetchone()
    tomorrow = "2026-11-28"
    app = desk(demo, tmp_path, "A1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        schools = app.screen
        assert isinstance(schools, SchoolsAdminScreen)
        assert str(schools.query_one("#schools-count").render()).startswith("66 schools · 4 with no officer")
        table = schools.query_one("#schools")
        table.move_cursor(row=[r.value for r in table.rows].index(urn))
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HandoverForm)
        assert form.input("day").value == tomorrow  # tomorrow unless changed
        form.field("incoming").focus_control()
        await type_text(pilot, "PC1001")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        note = app.screen
        assert isinstance(note, HandoverNoteScreen)
        assert f"{name} ({urn})" in str(note.query_one("#note").render())
    [(hid, made_by, read_at)] = demo.db.execute(
        "SELECT id, made_by, read_at FROM handovers WHERE school = ? AND to_officer = 'PC1001'", [urn]).fetchall()
    assert (made_by, read_at) == ("A1", None)
    assert demo.db.execute("SELECT officer, start_date FROM assignments WHERE school = ? AND end_date IS NULL",
                           [urn]).fetchall() == [("PC1001", tomorrow)]
    # the incoming officer: on their due list from tomorrow, and under N, unread until opened
    later = date(2026, 11, 30)
    assert ("handover_note", str(hid)) in [(i.kind, i.ref) for i in due_items(
        demo, load_actor(demo.db, "PC1001"), later)]
    app = SloApp(demo, load_actor(demo.db, "PC1001"), tmp_path / "exports", today=later)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # due on the handover day (Saturday 28: overdue by Monday), first on the due line
        assert "OVERDUE Sat 28 Nov 2026 Read the handover note" in str(
            app.screen.query_one("#week-summary").render())
        await pilot.press("N")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoversScreen)
        handovers = screen.query_one("#handovers")
        line = next(r for r in rows(handovers) if any(name in c for c in r))
        assert "UNREAD" in line
        handovers.move_cursor(row=rows(handovers).index(line))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoverNoteScreen)
        assert "From PC" in str(app.screen.query_one("#note").render())
    assert demo.db.execute("SELECT read_at IS NOT NULL FROM handovers WHERE id = ?", [hid]).fetchone() == (1,)


async def test_the_sergeant_sees_challenges_followed_to_their_results(demo, tmp_path):
    from slo.tui.screens.team import TeamScreen

    [(ref, officer, date_to)] = demo.db.execute(
        "SELECT ref, officer, date_to FROM abstractions WHERE review_status = 'withdrawn'").fetchall()
    app = desk(demo, tmp_path, "S100")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        team = app.screen
        assert isinstance(team, TeamScreen)
        table = team.query_one("#abstractions")
        review = {r[-1]: r[6] for r in rows(table)}
        assert list(review.values())[0] == "Pending"  # what awaits the sergeant comes first
        assert "Upheld" in review.values() and review[ref] == "Withdrawn"
        assert any(v.startswith("Challenged (to ") and "result OVERDUE since" in v for v in review.values())
        table.move_cursor(row=[r.value for r in table.rows].index(ref))
        await settle(pilot)
        detail = str(team.query_one("#abstraction-detail").render())
        assert f"Result (withdrawn on {TODAY.isoformat()}): Control room found cover" in detail
        assert "review status Challenged → Withdrawn" in detail and "(withdrawal)" in detail
        assert "Still cancelled" in detail  # today's sessions: the officer was away today
    # the sessions of the day given back are in the diary again
    back = demo.db.execute(
        "SELECT e.status, e.starts_at FROM engagements e WHERE e.officer = ? AND e.ref IN (SELECT key FROM audit "
        "WHERE entity = 'engagements' AND json_extract(detail, '$.source') = 'withdrawal')", [officer]).fetchall()
    assert back and all(status == "planned" and starts[:10] > date_to for status, starts in back)


async def test_the_audit_log_reads_the_demo_as_sentences(demo, tmp_path):
    from slo.tui.screens.audit_log import AuditLogScreen

    [withdrawn] = demo.db.execute("SELECT ref FROM abstractions WHERE review_status = 'withdrawn'").fetchone()
    app = desk(demo, tmp_path, "A1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditLogScreen)
        what = [r[3] for r in rows(screen.query_one("#audit"))]
    assert what[0].startswith("create handover 1; cancelled 2; from PC1001; moved 4; on 2026-11-27")
    assert f"update abstraction {withdrawn} fields: resolution_note, resolved_on, review_status; " \
           "review challenged → withdrawn (review)" in what
    assert "update assignment 258393/2024-09-01 fields: end_date (handover)" in what
    assert what[-1] == "create team: 2 records (demo)" and "create engagement: 2,403 records (demo)" in what
    assert not [w for w in what if "{" in w or "\"" in w]  # words, not JSON


async def test_the_evaluator_sees_the_figures_and_no_name(demo, tmp_path):
    from slo.reports import build_report
    from slo.reports.readable import summary
    from slo.tui.screens.evaluator import EvaluatorScreen

    app = desk(demo, tmp_path, "E1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EvaluatorScreen)
        text = str(screen.query_one("#eval-summary").render())
        everything = text_of(screen)
    report = build_report(demo, load_actor(demo.db, "E1"), date(2026, 9, 1), date(2026, 12, 31), evaluation=True,
                          as_of=TODAY, audited=False)
    paragraphs = summary(report)
    assert len(paragraphs) >= 6
    for p in paragraphs:
        assert p.heading in text and p.text in text
    assert "an abstraction rate of" in text and "%" in text and "engagements" in text
    # nothing the dataset would not show: no officer (but the evaluator in the header), school or child named
    names = [n for (n,) in demo.db.execute("SELECT name FROM officers WHERE collar_number != 'E1'")]
    names += [n for (n,) in demo.db.execute("SELECT name FROM schools")]
    names += [f"{g} {f}" for g, f in demo.db.execute("SELECT given_name, family_name FROM young_people")]
    assert [n for n in names if n in everything] == []
