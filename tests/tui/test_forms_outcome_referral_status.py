"""OutcomeForm, ReferralForm and EngagementStatusForm through the real services and SQLite."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.models import Consultation  # noqa: E402
from slo.services.actors import BOOTSTRAP  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.screens.forms.engagement_status import EngagementStatusForm  # noqa: E402
from slo.tui.screens.forms.outcome import OutcomeForm  # noqa: E402
from slo.tui.screens.forms.referral import ReferralForm  # noqa: E402


def _one(store, sql, *params):
    return store.db.execute(sql, params).fetchone()


def _pending(store):
    save(store, BOOTSTRAP, Consultation(
        ref="CON-2", young_person="YP-0001", school="100000", officer="PC1000", consulted_on="2026-11-20",
        timing="before_decision", proposed="suspension", reasons=["DB"]))


async def test_record_outcome_requires_outcome_on_unless_pending(loaded_store, tmp_path):
    _pending(loaded_store)
    make = lambda: OutcomeForm("CON-2")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.input("outcome_on").value == "2026-11-27"
        await type_text(pilot, "susp")
        await pilot.press("enter")
        form.input("outcome_on").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("outcome_on").error == "outcome on is required unless outcome is pending"
        assert results == []
        assert _one(loaded_store, "SELECT outcome FROM consultations WHERE ref='CON-2'") == ("pending",)
        form.input("outcome_on").value = "2026-11-23"
        form.input("suspension_days").value = "10"
        form.input("exclusion_start").value = "2026-11-24"
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert "Due " in result      # the deadlines, shown before closing
        await pilot.press("enter")
        await settle(pilot)
    assert results == ["CON-2"]
    row = _one(loaded_store, "SELECT outcome, outcome_on, suspension_days, exclusion_start FROM consultations "
                             "WHERE ref='CON-2'")
    assert row == ("suspension", "2026-11-23", 10.0, "2026-11-24")
    assert [r[1] for r in audit_rows(loaded_store, "consultations", "CON-2")][-2:] in (
        ["update", "update"], ["view", "update"])


async def test_add_referral_with_outcome22(loaded_store, tmp_path):
    make = lambda: ReferralForm(consultation="CON-1")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.picker("young_person").value == "YP-0001"
        await type_text(pilot, "mentor")
        await pilot.press("enter")           # partner
        await pilot.press("enter")           # made on: today, move on
        form.picker("status").input.focus()
        await type_text(pilot, "compl")
        await pilot.press("enter")           # status completed
        await pilot.press("y")               # Outcome 22
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1 and results[0].startswith("REF-20261127-")
    row = _one(loaded_store, "SELECT young_person, consultation, partner, made_on, status, outcome22 FROM referrals "
                             "WHERE ref = ?", results[0])
    assert row == ("YP-0001", "CON-1", "mentoring", "2026-11-27", "completed", 1)
    assert audit_rows(loaded_store, "referrals", results[0])[0][:2] == ("PC1000", "create")


async def test_outcome22_before_completion_is_refused_inline(loaded_store, tmp_path):
    make = lambda: ReferralForm(young_person="YP-0001")  # noqa: E731
    count = _one(loaded_store, "SELECT count(*) FROM referrals")
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "camhs")
        await pilot.press("enter")
        form.key_choice("outcome22").focus()
        await pilot.press("y")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "only when the referral is completed" in form.field("outcome22").error
        assert results == []
    assert _one(loaded_store, "SELECT count(*) FROM referrals") == count


async def test_referral_status_change(loaded_store, tmp_path):
    make = lambda: ReferralForm(ref="REF-1")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        form.picker("status").input.focus()
        await type_text(pilot, "compl")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["REF-1"]
    assert _one(loaded_store, "SELECT status, outcome22 FROM referrals WHERE ref='REF-1'") == ("completed", 1)


async def _planned(store, ref="ENG-9", start="2026-12-01T10:00"):
    from slo.models import Engagement

    save(store, BOOTSTRAP, Engagement(
        ref=ref, officer="PC1000", school="100000", young_person="YP-0001", kind="one_to_one",
        title="Liaison officer: 1:1 session", starts_at=start, ends_at=start[:11] + "10:30", status="planned"))


async def test_mark_session_delivered(loaded_store, tmp_path):
    await _planned(loaded_store)
    make = lambda: EngagementStatusForm("ENG-9")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("d")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["ENG-9"]
    assert _one(loaded_store, "SELECT status, cancel_reason, sequence FROM engagements WHERE ref='ENG-9'") == (
        "delivered", None, 1)
    rows = audit_rows(loaded_store, "engagements", "ENG-9")
    assert rows[-1][:2] == ("PC1000", "update")


async def test_cancel_with_reason_and_rebook(loaded_store, tmp_path):
    await _planned(loaded_store)
    make = lambda: EngagementStatusForm("ENG-9")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("ctrl+s")          # no reason yet
        await settle(pilot)
        assert form.field("cancel_reason").error and results == []
        assert _one(loaded_store, "SELECT status FROM engagements WHERE ref='ENG-9'") == ("planned",)
        await type_text(pilot, "young")
        await pilot.press("enter")           # young person
        await pilot.press("y")               # rebook
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = str(form.query_one("#form-result").render())
        assert "Rebooked as " in shown
        await pilot.press("enter")
        await settle(pilot)
    assert results == ["ENG-9"]
    assert _one(loaded_store, "SELECT status, cancel_reason FROM engagements WHERE ref='ENG-9'") == (
        "cancelled", "young_person")
    new = _one(loaded_store, "SELECT ref, status, starts_at FROM engagements WHERE rebooked_from='ENG-9'")
    assert new is not None and new[1] == "planned" and new[0] in shown and new[2] > "2026-12-01T10:00"


async def test_cancel_only(loaded_store, tmp_path):
    await _planned(loaded_store)
    make = lambda: EngagementStatusForm("ENG-9")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "school")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["ENG-9"]
    assert _one(loaded_store, "SELECT status, cancel_reason FROM engagements WHERE ref='ENG-9'") == (
        "cancelled", "school")
    assert _one(loaded_store, "SELECT count(*) FROM engagements WHERE rebooked_from='ENG-9'") == (0,)
    assert audit_rows(loaded_store, "engagements", "ENG-9")[-1][:2] == ("PC1000", "update")


async def test_other_teams_officer_is_refused_on_the_form(loaded_store, tmp_path):
    await _planned(loaded_store)
    make = lambda: EngagementStatusForm("ENG-9")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store, "PC1001"), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("d")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not allowed" in str(form.query_one("#form-message").render())
        assert results == []
    assert _one(loaded_store, "SELECT status FROM engagements WHERE ref='ENG-9'") == ("planned",)
