"""AbsenceForm and the shared form machinery (Escape, inline errors, nothing written when invalid)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.tui.screens.forms.absence import AbsenceForm  # noqa: E402


def _absences(store):
    return store.db.execute("SELECT officer, date_from, date_to, kind FROM absences ORDER BY date_from").fetchall()


async def test_add_absence(loaded_store, tmp_path):
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "sick")
        await pilot.press("enter")  # picks Sickness, moves to From
        form.input("date_from").value = ""
        await type_text(pilot, "2026-11-30")
        await pilot.press("tab")
        form.input("date_to").value = ""
        await type_text(pilot, "2026-12-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["PC1000/2026-11-30"]
    assert ("PC1000", "2026-11-30", "2026-12-01", "sickness") in _absences(loaded_store)
    rows = audit_rows(loaded_store, "absences", "PC1000/2026-11-30")
    assert rows and rows[0][:2] == ("PC1000", "create")


async def test_overlap_is_shown_inline_naming_the_other(loaded_store, tmp_path):
    before = _absences(loaded_store)
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "annual")
        await pilot.press("enter")
        form.input("date_from").value = "2026-02-18"
        form.input("date_to").value = "2026-02-25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = form.field("date_from").error
        assert error and "2026-02-16 to 2026-02-20" in error and "annual leave" in error
        assert results == []
    assert _absences(loaded_store) == before


async def test_invalid_date_shows_inline_message_and_writes_nothing(loaded_store, tmp_path):
    before = _absences(loaded_store)
    audit_before = loaded_store.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "rest")
        await pilot.press("enter")
        form.input("date_from").value = ""
        await type_text(pilot, "27/11/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("date_from").error == "use YYYY-MM-DD, e.g. 2026-11-27 (given '27/11/2026')"
        assert form.field("date_to").error is None
        assert results == []
        assert app.screen is form
    assert _absences(loaded_store) == before
    assert loaded_store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_before


async def test_escape_with_nothing_typed_closes_at_once(loaded_store, tmp_path):
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await pilot.press("escape")
        await settle(pilot)
        assert results == [None]
        assert app.screen is not form


async def test_escape_after_typing_asks(loaded_store, tmp_path):
    from slo.tui.screens.forms.discard import ConfirmDiscard

    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "sick")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert app.screen is form and results == []
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert results == [None]
        assert app.screen is not form
    assert len(_absences(loaded_store)) == 1


async def test_slo_may_not_record_another_officers_absence(loaded_store, tmp_path):
    make = lambda: AbsenceForm(officer="PC1001")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "annual")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one("#form-message").render())
        assert "Not allowed" in message and "PC1001" in message
        assert results == []
    assert not [a for a in _absences(loaded_store) if a[0] == "PC1001"]


# ----- what an absence takes away (slo/services/absences.py)

TODAY_SESSIONS = [
    # ref, school, young person, kind, start, end
    ("E-T1", "100000", None, "visit", "2026-11-27T09:30", "2026-11-27T10:30"),
    ("E-T2", "100000", "YP-0001", "one_to_one", "2026-11-27T11:00", "2026-11-27T11:30"),
    ("E-T3", "100001", None, "assembly", "2026-11-27T13:00", "2026-11-27T14:00"),
    ("E-M1", "100000", None, "visit", "2026-11-30T09:30", "2026-11-30T10:30"),
]


def _plan_sessions(store):
    from slo.models import Engagement
    from slo.services.actors import BOOTSTRAP
    from slo.services.records import save

    for ref, school, yp, kind, start, end in TODAY_SESSIONS:
        save(store, BOOTSTRAP, Engagement(ref=ref, officer="PC1000", school=school, young_person=yp, kind=kind,
                                          title="Liaison officer visit", starts_at=start, ends_at=end,
                                          status="planned"))


def _status(store, ref):
    return tuple(store.db.execute("SELECT status, cancel_reason FROM engagements WHERE ref = ?", [ref]).fetchone())


def _text(form, selector):
    return str(form.query_one(selector).render())


async def test_recording_yourself_sick_today_cancels_todays_sessions_names_who_is_let_down_and_offers_rebooking(
        loaded_store, tmp_path):
    from slo.tui.screens.rebook import RebookScreen

    _plan_sessions(loaded_store)
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "sick")
        await pilot.press("enter")
        await settle(pilot)
        # before saving: what it would cancel, and who would be let down
        assert _text(form, "#absence-effects-title") == "Saving cancels 3 planned sessions (officer unavailable):"
        listed = _text(form, "#absence-effects-list")
        assert "E-T1" in listed and "E-T3" in listed and "E-M1" not in listed
        assert "E-T2 · Fri 27 Nov 2026 11:00-11:30 · Northgate Academy · 1:1 with Alex Morgan" in listed
        assert "Let down: Alex Morgan" in listed
        assert _status(loaded_store, "E-T1") == ("planned", None)  # nothing written yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = _text(form, "#form-result")
        assert "Recorded the absence 2026-11-27 (sickness)." in result
        assert "It cancelled 3 planned sessions (officer unavailable):" in result
        assert "1 young person let down: Alex Morgan." in result
        assert "ctrl+r rebooks them" in result
        assert app.screen is form
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert results == ["PC1000/2026-11-27"]
        screen = app.screen
        assert isinstance(screen, RebookScreen)
        assert [n.engagement.ref for n in screen.sessions] == ["E-T1", "E-T2", "E-T3"]
        assert "3 sessions to rebook" in str(screen.query_one("#rebook-title").render())
        await pilot.press("b")
        await settle(pilot)
        assert "E-T1 rebooked for" in str(screen.query_one("#rebook-status").render())
    for ref in ("E-T1", "E-T2", "E-T3"):
        assert _status(loaded_store, ref) == ("cancelled", "officer_unavailable")
    assert _status(loaded_store, "E-M1") == ("planned", None)
    rebooked = loaded_store.db.execute("SELECT status FROM engagements WHERE rebooked_from = 'E-T1'").fetchall()
    assert rebooked == [("planned",)]
    audit = json.dumps(loaded_store.db.execute("SELECT detail FROM audit").fetchall())
    assert "Alex" not in audit and "Morgan" not in audit


async def test_ctrl_r_does_nothing_before_saving(loaded_store, tmp_path):
    _plan_sessions(loaded_store)
    async with run_form(loaded_store, actor(loaded_store), AbsenceForm, tmp_path) as (app, pilot, results, form):
        assert not form.check_action("rebook", ())
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is form and results == []
    assert _status(loaded_store, "E-T1") == ("planned", None)


async def test_correcting_an_absence_shorter_plans_its_last_day_again(loaded_store, tmp_path):
    from datetime import datetime

    from slo.models import Absence
    from slo.services.absences import record_absence

    _plan_sessions(loaded_store)
    record_absence(loaded_store, actor(loaded_store), Absence(officer="PC1000", date_from="2026-11-27",
                                                              date_to="2026-11-30", kind="sickness"),
                   now=datetime(2026, 11, 27, 9, 0))
    assert _status(loaded_store, "E-M1") == ("cancelled", "officer_unavailable")
    make = lambda: AbsenceForm(key="PC1000/2026-11-27")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert (form.input("date_from").value, form.input("date_to").value) == ("2026-11-27", "2026-11-30")
        assert form.picker("kind").value == "sickness"
        assert "Correct absence" in _text(form, "#form-title")
        form.input("date_to").focus()
        form.input("date_to").value = ""
        await type_text(pilot, "2026-11-27")
        await settle(pilot)
        listed = _text(form, "#absence-effects-list")
        assert "Planned again (1 session on days no longer covered)" in listed and "E-M1" in listed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Planned again: 1 session on days no longer covered:" in _text(form, "#form-result")
        await pilot.press("enter")
        await settle(pilot)
    assert results == ["PC1000/2026-11-27"]
    assert _status(loaded_store, "E-M1") == ("planned", None)
    assert _status(loaded_store, "E-T1") == ("cancelled", "officer_unavailable")
    assert ("PC1000", "2026-11-27", "2026-11-27", "sickness") in _absences(loaded_store)


async def test_e_on_an_absences_record_corrects_it_and_follows_a_new_first_day(loaded_store, tmp_path):
    from forms_harness import make_app

    from slo.tui.screens.record import RecordScreen

    app = make_app(loaded_store, actor(loaded_store), tmp_path / "exports")
    async with app.run_test(size=(120, 45)) as pilot:
        await settle(pilot)
        app.open_record("absences", "PC1000/2026-02-16")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, RecordScreen)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AbsenceForm) and form.key == "PC1000/2026-02-16"
        assert form.input("date_to").value == "2026-02-20"
        form.input("date_from").focus()
        form.input("date_from").value = ""
        await type_text(pilot, "2026-02-17")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record and record.key == "PC1000/2026-02-17"
        assert record.detail is not None and record.detail.key == "PC1000/2026-02-17"
    assert ("PC1000", "2026-02-17", "2026-02-20", "annual_leave") in _absences(loaded_store)
    assert not [a for a in _absences(loaded_store) if a[1] == "2026-02-16"]
