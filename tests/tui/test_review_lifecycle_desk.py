"""The sergeant follows a challenge to its result in the desk and sees the sessions come back; the
officer sees their own abstraction with the sergeant's notes. Real app, real database rows, audit rows.

The desk's today is Wed 2026-03-04 (09:00). PC1000 was abstracted Mon 02 - Fri 06 March (full days).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import settle, type_text  # noqa: E402

from slo.models import Engagement  # noqa: E402
from slo.services import abstractions as A  # noqa: E402
from slo.services.actors import BOOTSTRAP, load_actor  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402

TODAY = date(2026, 3, 4)
SESSIONS = [
    ("E-MON", "2026-03-02T09:30", "2026-03-02T10:30", None, "visit"),
    ("E-WED", "2026-03-04T13:00", "2026-03-04T14:00", "YP-0001", "one_to_one"),
    ("E-THU", "2026-03-05T10:00", "2026-03-05T11:00", None, "lesson"),
]


@pytest.fixture
def st(loaded_store):
    for ref, start, end, yp, kind in SESSIONS:
        save(loaded_store, BOOTSTRAP, Engagement(
            ref=ref, officer="PC1000", school="100000", young_person=yp, kind=kind, title="Liaison officer visit",
            starts_at=start, ends_at=end, status="planned"))
    A.record_abstraction(loaded_store, load_actor(loaded_store.db, "PC1000"), A.make_abstraction(dict(
        officer="PC1000", date_from="2026-03-02", date_to="2026-03-06", portion="full", category="response",
        requested_by="Response inspector")))
    # booked since over Thursday's lesson: that slot has gone
    save(loaded_store, BOOTSTRAP, Engagement(
        ref="E-NEW", officer="PC1000", school="100000", kind="meeting", title="Safeguarding meeting",
        starts_at="2026-03-05T10:30", ends_at="2026-03-05T11:30", status="planned"))
    return loaded_store


REF = "ABS-20260302-1"


def app_for(store, collar, tmp_path):
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


def rows(table):
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def select(table, ref):
    keys = [r.value for r in table.rows]
    table.move_cursor(row=keys.index(ref))


def audit(store, entity, key):
    return store.db.execute("SELECT actor, operation, detail FROM audit WHERE entity = ? AND key = ? ORDER BY id",
                            [entity, key]).fetchall()


async def test_sergeant_challenges_then_withdraws_and_the_sessions_come_back(st, tmp_path):
    from slo.tui.screens.forms.challenge_result import ChallengeResultForm
    from slo.tui.screens.forms.review import ReviewForm
    from slo.tui.screens.rebook import RebookScreen
    from slo.tui.screens.team import TeamScreen

    app = app_for(st, "S100", tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        team = app.screen
        assert isinstance(team, TeamScreen)
        table = team.query_one("#abstractions")
        assert [r[-1] for r in rows(table)] == ["ABS-1", REF]
        select(table, REF)
        await settle(pilot)
        # challenge it, to someone other than who asked
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReviewForm)
        assert form.input("challenged_to").value == "Response inspector"
        form.key_choice("decision").focus()
        await pilot.press("c")
        form.input("challenged_to").value = "Ops chief inspector"
        form.text_area("note").focus()
        await type_text(pilot, "Two SLOs on response all week")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is team
        assert st.db.execute("SELECT review_status, challenged_to, review_note FROM abstractions WHERE ref = ?",
                             [REF]).fetchone() == ("challenged", "Ops chief inspector", "Two SLOs on response all week")
        line = next(r for r in rows(table) if r[-1] == REF)
        # challenged on 4 March: the result is due 5 working days later, Wed 11 March
        assert line[6] == "Challenged (to Ops chief inspector) · result due 11 Mar"
        detail = str(team.query_one("#abstraction-detail").render())
        assert "Two SLOs on response all week" in detail and "review status pending → challenged" in detail.lower()
        # the result: withdrawn, back today
        select(table, REF)
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ChallengeResultForm)
        assert form.input("returned_on").value == "2026-03-04"
        form.key_choice("decision").focus()
        await pilot.press("w")
        form.text_area("note").focus()
        await type_text(pilot, "Released from Wednesday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert f"Withdrawn: {REF} now runs 2026-03-02 to 2026-03-03" in result
        assert "Back in the diary: Wed 04 Mar 13:00 Northgate Academy (a young person's session)" in result
        assert "To rebook: Thu 05 Mar 10:00 Northgate Academy: PC1000 has E-NEW at that time" in result
        assert "Alex" not in result
        await pilot.press("enter")
        await settle(pilot)
        # the session whose slot has gone is offered for rebooking
        offer = app.screen
        assert isinstance(offer, RebookScreen)
        assert [r[-1] for r in rows(offer.query_one("#rebook"))] == ["E-THU"]
        await pilot.press("b")
        await settle(pilot)
        assert rows(offer.query_one("#rebook"))[0][4].startswith("rebooked ")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is team
        line = next(r for r in rows(table) if r[-1] == REF)
        assert line[2] == "2026-03-02 to 2026-03-03" and line[6] == "Withdrawn"
    # the database: cut back, Wednesday's session planned again, Thursday's rebooked
    assert st.db.execute("SELECT date_to, review_status, resolved_on, resolution_note FROM abstractions "
                         "WHERE ref = ?", [REF]).fetchone() == ("2026-03-03", "withdrawn", "2026-03-04",
                                                                "Released from Wednesday")
    status = dict(st.db.execute("SELECT ref, status FROM engagements").fetchall())
    assert (status["E-MON"], status["E-WED"], status["E-THU"], status["E-THU-R1"]) == (
        "cancelled", "planned", "cancelled", "planned")
    # the audit rows: the review, the result, the new days; field names only, never the notes
    rows_ = audit(st, "abstractions", REF)
    assert [(a, op) for a, op, _d in rows_[-3:]] == [("S100", "update")] * 3
    details = [json.loads(d) for _a, _op, d in rows_[-3:]]
    assert [d.get("review") for d in details] == [{"from": "pending", "to": "challenged"},
                                                  {"from": "challenged", "to": "withdrawn"}, None]
    assert details[2]["fields"] == ["date_to"]
    assert all("Released" not in d and "SLOs" not in d for _a, _op, d in rows_)
    assert [op for _a, op, _d in audit(st, "engagements", "E-WED")][-1] == "update"
    assert [op for _a, op, _d in audit(st, "engagements", "E-THU-R1")] == ["create"]


async def test_a_removed_abstraction_stays_on_the_list_with_its_history(st, tmp_path):
    sergeant = load_actor(st.db, "S100")
    A.review_abstraction(st, sergeant, REF, accept=False, note="Why?")
    from datetime import datetime

    A.resolve_challenge(st, sergeant, REF, withdrawn=True, returned_on=date(2026, 3, 2),
                        now=datetime(2026, 3, 1, 12, 0))
    assert st.db.execute("SELECT count(*) FROM abstractions WHERE ref = ?", [REF]).fetchone() == (0,)
    app = app_for(st, "S100", tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#abstractions")
        line = next(r for r in rows(table) if r[-1] == REF)
        assert line[6] == "Withdrawn, removed" and line[2] == "2026-03-02 to 2026-03-06"
        select(table, REF)
        await settle(pilot)
        detail = str(app.screen.query_one("#abstraction-detail").render())
        assert "removed: none of its days was left (withdrawal)" in detail
        # s narrows the list: to what awaits the sergeant (pending, challenged): ABS-1 only
        await pilot.press("s")
        await settle(pilot)
        assert [r[-1] for r in rows(table)] == ["ABS-1"]
        # the filter box takes what is typed
        await pilot.press("s", "s", "s", "s", "s", "s")  # round to every state again
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "response")
        await settle(pilot)
        assert app.screen.query_one("#team-filter").value == "response"
        assert [r[-1] for r in rows(table)] == [REF]


async def test_the_officer_sees_their_own_with_the_sergeants_notes(st, tmp_path):
    from slo.tui.screens.officer import OfficerScreen

    A.review_abstraction(st, load_actor(st.db, "S100"), REF, accept=False, note="Why were you sent to response?")
    app = app_for(st, "PC1000", tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OfficerScreen) and screen.collar == "PC1000"
        table = screen.query_one("#abstractions")
        assert [r[-1] for r in rows(table)][0] == REF
        assert rows(table)[0][5].startswith("Challenged (to Response inspector)")
        detail = str(screen.query_one("#abstraction-detail").render())
        assert "Sergeant's note: Why were you sent to response?" in detail
        assert [r[-1] for r in rows(screen.query_one("#cancelled"))] == ["E-MON", "E-WED", "E-THU"]


async def test_the_officer_may_not_record_a_result(st, tmp_path):
    from slo.tui.screens.forms.challenge_result import ChallengeResultForm

    A.review_abstraction(st, load_actor(st.db, "S100"), REF, accept=False, note="Why?")
    app = app_for(st, "PC1000", tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.push_screen(ChallengeResultForm(REF))
        await settle(pilot)
        form = app.screen
        assert "may not record the result" in str(form.query_one("#form-message").render())
        form.key_choice("decision").focus()
        await pilot.press("w")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key is None
    assert st.db.execute("SELECT review_status, date_to FROM abstractions WHERE ref = ?",
                         [REF]).fetchone() == ("challenged", "2026-03-06")
    assert st.db.execute("SELECT operation, entity FROM audit ORDER BY id DESC LIMIT 1").fetchone() == (
        "refused", "permission")
