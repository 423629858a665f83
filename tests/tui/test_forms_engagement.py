"""EngagementForm: add a visit, a 1:1 session; the title-names-a-child warning; policy notes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.tui.screens.forms.engagement import EngagementForm  # noqa: E402


def _row(store, ref):
    cur = store.db.execute("SELECT * FROM engagements WHERE ref = ?", [ref])
    values = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], values, strict=True)) if values else None


async def _clear_and_type(pilot, form, name, text):
    form.input(name).focus()
    form.input(name).value = ""
    await type_text(pilot, text)


async def test_add_a_visit(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.picker("kind").value == "visit"
        assert form.input("title").value == "School visit"
        assert form.input("date").value == "2026-11-27"
        assert form.input("duration").value == "60"
        await type_text(pilot, "assem")
        await pilot.press("enter")  # Assembly
        await settle(pilot)
        assert form.input("title").value == "Assembly"
        await _clear_and_type(pilot, form, "title", "Year 9 assembly: online safety")
        await _clear_and_type(pilot, form, "date", "2026-12-02")
        await _clear_and_type(pilot, form, "time", "10:15")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1 and re.fullmatch(r"ENG-20261202-[A-Z2-9]{6}", results[0])
    row = _row(loaded_store, results[0])
    assert row["officer"] == "PC1000" and row["school"] == "100000" and row["kind"] == "assembly"
    assert row["title"] == "Year 9 assembly: online safety"
    assert (row["starts_at"], row["ends_at"], row["status"]) == ("2026-12-02T10:15", "2026-12-02T11:15", "planned")
    audit = audit_rows(loaded_store, "engagements", results[0])
    assert len(audit) == 1 and audit[0][:2] == ("PC1000", "create")
    assert json.loads(audit[0][2])["source"] == "desk"


async def test_one_to_one_session_with_young_person_picker(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "1:1")
        await pilot.press("enter")
        await settle(pilot)
        assert form.picker("kind").value == "one_to_one"
        assert (form.input("title").value, form.input("duration").value) == ("Liaison officer: 1:1 session", "30")
        # Enter moved on to School (preset): Enter again leaves it as it is
        await pilot.press("enter")
        await type_text(pilot, "morg")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert form.picker("young_person").value == "YP-0001"
        await pilot.press("ctrl+s")
        await settle(pilot)
    row = _row(loaded_store, results[0])
    assert (row["kind"], row["young_person"], row["title"]) == ("one_to_one", "YP-0001", "Liaison officer: 1:1 session")
    assert row["ends_at"] == row["starts_at"][:11] + "10:30" and row["starts_at"].endswith("10:00")


async def test_one_to_one_without_young_person_is_refused_inline(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    count = loaded_store.db.execute("SELECT count(*) FROM engagements").fetchone()[0]
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await type_text(pilot, "1:1")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a young person" in form.field("young_person").error
        assert results == []
    assert loaded_store.db.execute("SELECT count(*) FROM engagements").fetchone()[0] == count


async def test_title_with_a_pupils_name_warns_then_saves_on_second_ctrl_s(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _clear_and_type(pilot, form, "title", "Catch up with Alex")
        await settle(pilot)
        note = form.field("title").note
        assert note and "may name a young person" in note
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == []  # warned, not saved yet
        assert loaded_store.db.execute(
            "SELECT count(*) FROM engagements WHERE title = 'Catch up with Alex'").fetchone()[0] == 0
        await pilot.press("ctrl+s")  # save anyway: a warning, never a refusal
        await settle(pilot)
    assert results and _row(loaded_store, results[0])["title"] == "Catch up with Alex"


async def test_neutral_title_has_no_warning_and_plain_clothes_note(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100001")  # noqa: E731
    who = actor(loaded_store, "PC1001")
    async with run_form(loaded_store, who, make, tmp_path) as (app, pilot, results, form):
        assert "plain clothes" in (form.field("school").note or "")
        await _clear_and_type(pilot, form, "title", "Drop-in at lunch")
        await settle(pilot)
        assert form.field("title").note is None
        # a child of another school is still a child: every young person of the database counts
        await _clear_and_type(pilot, form, "title", "Drop-in with Alex")  # Alex is not PC1001's pupil
        await settle(pilot)
        assert "may name a young person" in (form.field("title").note or "")


async def test_the_desks_own_titles_are_not_searched_for_names(loaded_store, tmp_path, monkeypatch):
    import slo.tui.screens.forms.engagement as engagement

    searched: list[str] = []
    real = engagement.title_names_a_child
    monkeypatch.setattr(engagement, "title_names_a_child",
                        lambda store, officer, title: (searched.append(title), real(store, officer, title))[1])
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await settle(pilot)
        assert form.input("title").value == "School visit" and searched == []  # opening searches nothing
        await _clear_and_type(pilot, form, "title", "Catch up with Alex")
        await settle(pilot)
        assert "may name a young person" in (form.field("title").note or "")
        assert searched[-1] == "Catch up with Alex"
        count = len(searched)
        await _clear_and_type(pilot, form, "title", "School visit")  # back to the desk's own title
        await settle(pilot)
        assert form.field("title").note is None
        assert searched[count:] and "School visit" not in searched  # only what was typed on the way


async def test_invalid_time_and_date_show_inline(loaded_store, tmp_path):
    make = lambda: EngagementForm(school="100000")  # noqa: E731
    count = loaded_store.db.execute("SELECT count(*) FROM engagements").fetchone()[0]
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _clear_and_type(pilot, form, "date", "2026-02-30")
        await _clear_and_type(pilot, form, "time", "25:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("date").error == "not a real date: use YYYY-MM-DD, e.g. 2026-11-27"
        assert form.field("time").error == "use HH:MM, e.g. 09:30"
    assert loaded_store.db.execute("SELECT count(*) FROM engagements").fetchone()[0] == count


async def test_edit_keeps_ref_and_bumps_sequence(loaded_store, tmp_path):
    make = lambda: EngagementForm(ref="ENG-1")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.input("title").value == "Drop-in at lunch"
        await _clear_and_type(pilot, form, "time", "09:30")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["ENG-1"]
    row = _row(loaded_store, "ENG-1")
    assert row["starts_at"] == "2026-01-05T09:30" and row["sequence"] == 1 and row["status"] == "delivered"
    assert [r[1] for r in audit_rows(loaded_store, "engagements", "ENG-1")][-1] == "update"
