"""EngagementForm clash warnings: each clash named next to its field as the officer types; booking
or moving over one takes one more ctrl+s; a change that moves nothing saves at once."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, run_form, settle, type_text  # noqa: E402

from slo.models import Engagement  # noqa: E402
from slo.services.actors import BOOTSTRAP  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.screens.forms.engagement import EngagementForm  # noqa: E402


def _count(store, where="1 = 1", params=()):
    return store.db.execute(f"SELECT count(*) FROM engagements WHERE {where}", list(params)).fetchone()[0]


def _existing_visit(store):
    save(store, BOOTSTRAP, Engagement(ref="ENG-X", officer="PC1000", school="100000", kind="visit",
                                      title="School visit", starts_at="2026-12-02T13:30", ends_at="2026-12-02T15:00",
                                      status="planned"))


async def _set(pilot, form, name, text):
    form.input(name).focus()
    form.input(name).value = ""
    await type_text(pilot, text)
    await settle(pilot)


async def test_a_visit_at_13_30_over_an_existing_visit_warns_and_needs_one_more_key(loaded_store, tmp_path):
    _existing_visit(loaded_store)
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.field("time").note is None  # Fri 27 Nov 10:00: nothing clashes
        await _set(pilot, form, "date", "2026-12-02")
        await _set(pilot, form, "time", "13:30")
        note = form.field("time").note
        assert note == "Overlaps your visit here, Wed 02 Dec 2026 13:30-15:00 (ENG-X)"
        assert "Overlaps" in str(form.field("time").query_one(".form-field--note").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [] and app.screen is form
        assert "ctrl+s again to save anyway" in str(form.query_one("#form-result").render())
        assert _count(loaded_store, "starts_at = ?", ["2026-12-02T13:30"]) == 1  # only ENG-X: nothing written
        await pilot.press("ctrl+s")  # the deliberate second key
        await settle(pilot)
    assert len(results) == 1 and results[0] != "ENG-X"
    assert _count(loaded_store, "starts_at = ?", ["2026-12-02T13:30"]) == 2


async def test_christmas_day_warns_bank_holiday_next_to_the_date(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _set(pilot, form, "date", "2026-12-25")
        assert form.field("date").note == "A bank holiday: Fri 25 Dec 2026 (Christmas Day)"
        await _set(pilot, form, "time", "23:30")
        await _set(pilot, form, "duration", "600")
        assert form.field("time").note.startswith("Outside school hours (09:00-15:30): it starts at 23:30")
        date_note = form.field("date").note
        assert "Boxing Day" in date_note and "Sat 26 Dec 2026: a weekend" in date_note
        # back to a plain school day: the warnings go, and one ctrl+s saves
        await _set(pilot, form, "date", "2026-12-03")
        await _set(pilot, form, "time", "11:00")
        await _set(pilot, form, "duration", "60")
        assert form.field("date").note is None and form.field("time").note is None
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1
    assert _count(loaded_store, "ref = ? AND starts_at = ?", [results[0], "2026-12-03T11:00"]) == 1


async def test_a_half_typed_date_clears_the_warnings_until_it_can_be_read(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _set(pilot, form, "date", "2026-12-25")
        assert "Christmas Day" in form.field("date").note
        await _set(pilot, form, "date", "2026-12")
        assert form.field("date").note is None
        assert form.input("date").value == "2026-12"  # every key typed arrived


async def test_correcting_the_notes_of_a_clashing_visit_saves_at_once(loaded_store, tmp_path):
    _existing_visit(loaded_store)
    save(loaded_store, BOOTSTRAP, Engagement(ref="ENG-Y", officer="PC1000", school="100000", kind="visit",
                                             title="School visit", starts_at="2026-12-02T14:00",
                                             ends_at="2026-12-02T14:30", status="planned"))
    make = lambda: EngagementForm(ref="ENG-Y")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert "ENG-X" in (form.field("time").note or "")  # shown, as it is
        form.text_area("notes").focus()
        await type_text(pilot, "bring leaflets")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == ["ENG-Y"]  # nothing was booked or moved: no second key
        # moving it (still over ENG-X) asks again
    make = lambda: EngagementForm(ref="ENG-Y")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _set(pilot, form, "time", "14:15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == ["ENG-Y"]
    assert _count(loaded_store, "ref = 'ENG-Y' AND starts_at = '2026-12-02T14:15'") == 1


async def test_a_no_visits_school_is_named(loaded_store, tmp_path):
    loaded_store.db.execute("UPDATE schools SET uniform_policy = 'no_visits' WHERE urn = '100000'")
    loaded_store.db.conn.commit()
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.field("school").note == ("Northgate Academy's policy is NO VISITS: agree this with the head "
                                             "teacher first")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == []


async def test_two_clashes_on_one_field_are_both_shown_when_asked_to_confirm(loaded_store, tmp_path):
    save(loaded_store, BOOTSTRAP, Engagement(ref="ENG-Z", officer="PC1000", school="100000", kind="visit",
                                             title="School visit", starts_at="2026-12-03T13:30",
                                             ends_at="2026-12-03T15:00", status="planned"))
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _set(pilot, form, "date", "2026-12-03")
        await _set(pilot, form, "time", "13:30")
        await _set(pilot, form, "duration", "180")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == []
        assert form.field("time").note == (
            "Overlaps your visit here, Thu 03 Dec 2026 13:30-15:00 (ENG-Z)\n"
            "Outside school hours (09:00-15:30): it ends at 16:30")
