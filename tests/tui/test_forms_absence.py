"""AbsenceForm and the shared form machinery (Escape, inline errors, nothing written when invalid)."""

from __future__ import annotations

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
