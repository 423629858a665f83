"""YoungPersonForm: pseudonymous ref, one-key fields, ethnicity code or missing reason; inline from ConsultationForm."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.tui.screens.forms.consultation import ConsultationForm  # noqa: E402
from slo.tui.screens.forms.young_person import YoungPersonForm  # noqa: E402


def _person(store, ref):
    cur = store.db.execute("SELECT * FROM young_people WHERE ref = ?", [ref])
    values = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], values, strict=True)) if values else None


async def _fill_person(pilot):
    await type_text(pilot, "Jordan")
    await pilot.press("tab")
    await type_text(pilot, "Blake")
    await pilot.press("tab")
    await type_text(pilot, "2012-05-06")
    await pilot.press("tab", "tab")      # school preset
    await type_text(pilot, "8")
    await pilot.press("tab")
    await pilot.press("m")               # sex: one key, moves on
    await type_text(pilot, "B2")
    await pilot.press("enter")           # ethnicity by code


async def test_add_young_person(loaded_store, tmp_path):
    make = lambda: YoungPersonForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await _fill_person(pilot)
        await type_text(pilot, "ehc")
        await pilot.press("enter")           # SEN
        await pilot.press("y")               # FSM
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1 and re.fullmatch(r"YP-[A-HJ-NP-Z2-9]{6}", results[0])
    row = _person(loaded_store, results[0])
    assert (row["given_name"], row["family_name"], row["date_of_birth"], row["school"], row["year_group"]) == (
        "Jordan", "Blake", "2012-05-06", "100000", 8)
    assert (row["sex"], row["ethnicity"], row["ethnicity_missing_reason"], row["sen"], row["fsm"]) == (
        "male", "B2", None, "ehc_plan", "yes")
    audit = audit_rows(loaded_store, "young_people", results[0])
    assert audit[0][:2] == ("PC1000", "create") and "Jordan" not in audit[0][2]


async def test_year_group_out_of_range_and_markup_is_data(loaded_store, tmp_path):
    count = loaded_store.db.execute("SELECT count(*) FROM young_people").fetchone()[0]
    make = lambda: YoungPersonForm(school="100000")  # noqa: E731  (an SLO adds young people to their schools)
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        form.input("given_name").value = "[b]Sam[/b]"
        form.input("family_name").value = ""
        form.input("year_group").value = "15"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("year_group").error == "must be 14 or less (given 15)"
        assert form.field("family_name").error == "required: please fill this in"
        form.input("family_name").value = "Lee"
        form.input("year_group").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert loaded_store.db.execute("SELECT count(*) FROM young_people").fetchone()[0] == count + 1
    assert _person(loaded_store, results[0])["given_name"] == "[b]Sam[/b]"


async def test_new_young_person_from_consultation_form(loaded_store, tmp_path):
    make = lambda: ConsultationForm(school="100000")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, YoungPersonForm)
        await _fill_person(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        ref = form.picker("young_person").value
        assert ref and ref.startswith("YP-")
        assert form.key_choice("timing").has_focus
        await pilot.press("b")
        await type_text(pilot, "undecided")
        await pilot.press("enter")
        await type_text(pilot, "TH")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1
    row = loaded_store.db.execute("SELECT young_person, school FROM consultations WHERE ref = ?",
                                  [results[0]]).fetchone()
    assert row == (ref, "100000")
