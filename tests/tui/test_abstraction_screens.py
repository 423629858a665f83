"""AbstractionForm and ReviewForm on the real app (SloApp when it exists, else the harness)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.models import Engagement  # noqa: E402
from slo.services.actors import BOOTSTRAP  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.screens.forms.abstraction import AbstractionForm  # noqa: E402
from slo.tui.screens.forms.review import ReviewForm  # noqa: E402

# 2026-12-07 is a Monday
SESSIONS = [
    ("E-A", "PC1000", "100000", None, "visit", "2026-12-07T09:30", "2026-12-07T10:30", "planned"),
    ("E-B", "PC1000", "100000", "YP-0001", "one_to_one", "2026-12-08T11:00", "2026-12-08T11:30", "planned"),
    ("E-C", "PC1000", "100000", None, "assembly", "2026-12-07T13:00", "2026-12-07T14:00", "delivered"),
    ("E-D", "PC1001", "100001", None, "visit", "2026-12-08T10:00", "2026-12-08T11:00", "planned"),
]


def add_sessions(store):
    for ref, officer, school, yp, kind, start, end, status in SESSIONS:
        save(store, BOOTSTRAP, Engagement(
            ref=ref, officer=officer, school=school, young_person=yp, kind=kind,
            title="[b]Liaison[/b] visit", starts_at=start, ends_at=end, status=status,
        ))


def status_of(store, ref):
    return store.db.execute(
        "SELECT status, cancel_reason, abstraction FROM engagements WHERE ref = ?", [ref]
    ).fetchone()


async def fill_basic(pilot, form, date_from, date_to):
    form.input("date_from").value = date_from
    form.input("date_to").value = date_to
    await settle(pilot)
    form.field("category").focus_control()
    await type_text(pilot, "public")
    await pilot.press("enter")
    form.input("requested_by").focus()
    await type_text(pilot, "Duty inspector")
    await settle(pilot)


async def test_officer_records_full_day_and_sees_the_cancelled_sessions(loaded_store, tmp_path):
    st = loaded_store
    add_sessions(st)
    async with run_form(st, actor(st, "PC1000"), AbstractionForm, tmp_path) as (app, pilot, results, form):
        await fill_basic(pilot, form, "2026-12-07", "2026-12-08")
        # the span's planned sessions are listed before saving, all ticked for a full day
        assert [s.ref for s in form.sessions] == ["E-A", "E-B"]
        assert form.checked_refs() == ["E-A", "E-B"]
        # user text is shown as typed, never as markup
        assert "[b]Liaison[/b] visit" in str(form.query_one("#abs-cancel-0").label)
        assert "1:1 with Alex Morgan" in str(form.query_one("#abs-cancel-1").label)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key == "ABS-20261207-1"
        result = str(form.query_one("#form-result").render())
        assert "Cancelled E-A" in result and "100000 Northgate Academy" in result
        assert "Cancelled E-B" in result and "a young person was let down: Alex Morgan" in result
        assert "E-C" not in result and "E-D" not in result
        await pilot.press("escape")
        await settle(pilot)
    assert results == ["ABS-20261207-1"]
    assert status_of(st, "E-A") == ("cancelled", "abstraction", "ABS-20261207-1")
    assert status_of(st, "E-B") == ("cancelled", "abstraction", "ABS-20261207-1")
    assert status_of(st, "E-C") == ("delivered", None, None)
    assert status_of(st, "E-D") == ("planned", None, None)
    assert audit_rows(st, "abstractions", "ABS-20261207-1")[0][:2] == ("PC1000", "create")


async def test_half_day_cancels_only_the_ticked_session(loaded_store, tmp_path):
    st = loaded_store
    add_sessions(st)
    async with run_form(st, actor(st, "PC1000"), AbstractionForm, tmp_path) as (app, pilot, results, form):
        form.key_choice("portion").value = "half"
        await fill_basic(pilot, form, "2026-12-07", "2026-12-08")
        assert form.checked_refs() == []
        form.query_one("#abs-cancel-1").value = True  # E-B
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert "Cancelled E-B" in result and "Cancelled E-A" not in result
    assert status_of(st, "E-A") == ("planned", None, None)
    assert status_of(st, "E-B")[0] == "cancelled"


async def test_overlap_is_refused_on_the_form_and_nothing_written(loaded_store, tmp_path):
    st = loaded_store
    n = st.db.execute("SELECT count(*) FROM abstractions").fetchone()[0]
    async with run_form(st, actor(st, "PC1000"), AbstractionForm, tmp_path) as (app, pilot, results, form):
        await fill_basic(pilot, form, "2026-01-05", "2026-01-07")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one("#form-message").render())
        assert "ABS-1" in message and form.saved_key is None
    assert st.db.execute("SELECT count(*) FROM abstractions").fetchone()[0] == n


async def test_leave_day_asks_to_confirm_then_saves(loaded_store, tmp_path):
    st = loaded_store
    async with run_form(st, actor(st, "PC1000"), AbstractionForm, tmp_path) as (app, pilot, results, form):
        await fill_basic(pilot, form, "2026-02-17", "2026-02-17")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key is None
        assert "counts nothing" in (form.field("date_from").note or "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key == "ABS-20260217-1"


async def test_sergeant_challenges_with_a_note(loaded_store, tmp_path):
    st = loaded_store
    async with run_form(st, actor(st, "S100"), lambda: ReviewForm("ABS-1"), tmp_path) as (app, pilot, results, form):
        summary = str(form.query_one("#review-summary").render())
        assert "PC1000" in summary and "Public order" in summary and "Duty inspector" in summary
        form.key_choice("decision").focus()
        await pilot.press("c")
        await pilot.press("ctrl+s")  # no note yet
        await settle(pilot)
        assert form.field("note").error and form.saved_key is None
        form.text_area("note").focus()
        await type_text(pilot, "Not a policing priority")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["ABS-1"]
    row = st.db.execute(
        "SELECT review_status, reviewed_by, review_note FROM abstractions WHERE ref = 'ABS-1'").fetchone()
    assert row == ("challenged", "S100", "Not a policing priority")
    last = audit_rows(st, "abstractions", "ABS-1")[-1]
    assert last[:2] == ("S100", "update")
    assert json.loads(last[2])["review"] == {"from": "pending", "to": "challenged"}
    assert "priority" not in last[2]


async def test_review_by_the_abstracted_officer_is_refused_on_the_form(loaded_store, tmp_path):
    st = loaded_store
    async with run_form(st, actor(st, "PC1000"), lambda: ReviewForm("ABS-1"), tmp_path) as (app, pilot, results, form):
        assert "may not review" in str(form.query_one("#form-message").render())
        form.key_choice("decision").focus()
        await pilot.press("a")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.saved_key is None
    assert st.db.execute("SELECT review_status FROM abstractions WHERE ref = 'ABS-1'").fetchone() == ("pending",)
