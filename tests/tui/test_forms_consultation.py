"""ConsultationForm: the fast path (keystrokes counted), reasons by code and by name, ethnicity prompt."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import KeyCounter, actor, audit_rows, run_form, settle, type_text  # noqa: E402

from slo.models import YoungPerson  # noqa: E402
from slo.services.actors import BOOTSTRAP  # noqa: E402
from slo.services.records import save  # noqa: E402
from slo.tui.screens.forms.consultation import ConsultationForm  # noqa: E402

#: keys (not typed text) to log a typical consultation from an open form; see docs/forms.md
TYPICAL_KEYS = 7


def _row(store, ref):
    cur = store.db.execute("SELECT * FROM consultations WHERE ref = ?", [ref])
    values = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], values, strict=True)) if values else None


async def test_log_consultation_typical_path(loaded_store, tmp_path):
    async with run_form(loaded_store, actor(loaded_store), ConsultationForm, tmp_path) as (app, pilot, results, form):
        keys = KeyCounter(pilot)
        await keys.type("alex")
        await keys.press("enter")          # pick Alex Morgan; the school follows
        assert form.picker("young_person").value == "YP-0001"
        await keys.press("b")              # before the decision: one key, focus moves on
        assert form.key_choice("timing").value == "before_decision"
        await keys.type("susp")
        await keys.press("enter")          # proposed: suspension
        await keys.type("PA")
        await keys.press("enter")          # reason by code
        await keys.type("weapon")
        await keys.press("enter")          # reason by name: OW
        await keys.type("drug")
        await keys.press("enter")          # reason by name: DA (the third moves on)
        assert form.picker("reasons").values == ["PA", "OW", "DA"]
        assert form.picker("school").value == "100000"
        await keys.press("ctrl+s")
        await settle(pilot)
    assert len(keys.keys) == TYPICAL_KEYS, keys.keys
    assert len(results) == 1 and results[0].startswith("CON-20261127-")
    row = _row(loaded_store, results[0])
    assert (row["young_person"], row["school"], row["officer"]) == ("YP-0001", "100000", "PC1000")
    assert (row["consulted_on"], row["timing"], row["proposed"]) == ("2026-11-27", "before_decision", "suspension")
    assert json.loads(row["reasons"]) == ["PA", "OW", "DA"]
    assert row["outcome"] == "pending"
    audit = audit_rows(loaded_store, "consultations", results[0])
    assert audit and audit[0][:2] == ("PC1000", "create")
    assert "Alex" not in audit[0][2]


async def test_after_decision_and_assault_by_name(loaded_store, tmp_path):
    make = lambda: ConsultationForm(young_person="YP-0001")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        # the young person is preset: focus starts on Timing
        await pilot.press("a")
        await type_text(pilot, "perm")
        await pilot.press("enter")
        await type_text(pilot, "assault")
        await pilot.press("down", "enter")   # "assault": PP then PA; Down picks PA
        await pilot.press("enter")           # empty box: move on to Consulted on
        assert form.input("consulted_on").has_focus
        await type_text(pilot, "x")          # now not a date
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("consulted_on").error == "use YYYY-MM-DD, e.g. 2026-11-27 (given 'x')"
        assert results == []
        form.input("consulted_on").value = "2026-11-26"
        await pilot.press("ctrl+s")
        await settle(pilot)
    row = _row(loaded_store, results[0])
    assert (row["timing"], row["proposed"], row["reasons"]) == ("after_decision", "permanent_exclusion", '["PA"]')
    assert row["consulted_on"] == "2026-11-26"


async def test_missing_reasons_and_timing_are_shown_inline(loaded_store, tmp_path):
    count = loaded_store.db.execute("SELECT count(*) FROM consultations").fetchone()[0]
    make = lambda: ConsultationForm(young_person="YP-0001")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.field("timing").error.startswith("choose one of: Before decision or After decision")
        assert form.field("reasons").error == "choose at least one"
        assert form.field("proposed").error.startswith("choose one of")
        assert results == []
    assert loaded_store.db.execute("SELECT count(*) FROM consultations").fetchone()[0] == count


async def test_suspension_warning_shown_before_closing(loaded_store, tmp_path):
    make = lambda: ConsultationForm(ref="CON-1")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        assert form.picker("reasons").values == ["PA", "OW", "DA"]
        form.input("suspension_days").value = "46"
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(form.query_one("#form-result").render())
        assert "45" in result and results == []   # shown, not closed
        await pilot.press("enter")                # Close
        await settle(pilot)
    assert results == ["CON-1"]
    assert _row(loaded_store, "CON-1")["suspension_days"] == 46


async def test_ethnicity_prompted_once_and_never_forced(loaded_store, tmp_path):
    save(loaded_store, BOOTSTRAP, YoungPerson(ref="YP-0009", given_name="Robin", family_name="Ashe", school="100000"))
    make = lambda: ConsultationForm(young_person="YP-0009")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("b")
        await type_text(pilot, "internal")
        await pilot.press("enter")
        await type_text(pilot, "DB")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [] and form.field("ethnicity").display
        assert "-hidden" not in form.field("ethnicity").classes
        await type_text(pilot, "declined")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(results) == 1
    row = loaded_store.db.execute(
        "SELECT ethnicity, ethnicity_missing_reason FROM young_people WHERE ref = 'YP-0009'").fetchone()
    assert row == (None, "declined")


async def test_ethnicity_prompt_is_skippable(loaded_store, tmp_path):
    save(loaded_store, BOOTSTRAP, YoungPerson(ref="YP-0009", given_name="Robin", family_name="Ashe", school="100000"))
    make = lambda: ConsultationForm(young_person="YP-0009")  # noqa: E731
    async with run_form(loaded_store, actor(loaded_store), make, tmp_path) as (app, pilot, results, form):
        await pilot.press("b")
        await type_text(pilot, "internal")
        await pilot.press("enter")
        await type_text(pilot, "DB")
        await pilot.press("enter")
        await pilot.press("ctrl+s")   # the prompt
        await settle(pilot)
        await pilot.press("ctrl+s")   # skip it
        await settle(pilot)
    assert len(results) == 1 and _row(loaded_store, results[0])["reasons"] == '["DB"]'
    row = loaded_store.db.execute(
        "SELECT ethnicity, ethnicity_missing_reason FROM young_people WHERE ref = 'YP-0009'").fetchone()
    assert row == (None, None)
