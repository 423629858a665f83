"""Correcting a record at the desk (issue 15 item 1), driving the real app on a real database.

Enter on a listed record opens it (every field in words, its history), ``e`` opens the form in edit
mode, saving keeps the earlier version in the history shown; ``x`` deletes a mistaken visit.
"""

from __future__ import annotations

from screen_text import screen_text

from slo.services import history, records
from slo.tui.screens.forms.consultation import ConsultationForm
from slo.tui.screens.record import ConfirmDelete, RecordScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.screens.young_person import YoungPersonScreen


async def _close_saved_form(pilot, settle, form_type) -> None:
    await settle(pilot)
    if isinstance(pilot.app.screen, form_type):  # saved with notes (deadlines) on screen: Enter closes
        assert pilot.app.screen.saved_key is not None, screen_text(pilot.app)
        await pilot.press("enter")
        await settle(pilot)


async def test_a_consultation_opens_with_enter_and_is_corrected_with_its_history(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_school("100000")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
        await pilot.press("2")  # the Consultations tab, its table focused
        await settle(pilot)
        text = screen_text(app)
        assert "Before/after" in text and "Before decision" in text  # a column of the tab
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.key == "CON-1"
        text = " ".join(screen_text(app).split())
        for seen in ("Advice (private) Refer to YJS", "Follow up on 2026-01-20",
                     "Before/after the decision Before decision", "Risk factors Weapon carrying",
                     "Reasons PA Physical assault against an adult OW Use or threat",
                     "Young person Alex Morgan (YP-0001)"):
            assert seen in text, (seen, text)
        # the view of a personal record is audited (field names only)
        assert desk_store.db.execute(
            "SELECT count(*) FROM audit WHERE operation = 'view' AND entity = 'consultations' AND key = 'CON-1'"
        ).fetchone()[0] == 1

        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConsultationForm) and form.loaded and form.ref == "CON-1"
        assert form.input("follow_up_on").value == "2026-01-20"  # the form shows it as recorded
        form.input("follow_up_on").value = "2026-01-27"
        form.key_choice("timing").set_value("after_decision")
        await pilot.press("ctrl+s")
        await _close_saved_form(pilot, settle, ConsultationForm)
        assert isinstance(app.screen, RecordScreen)
        text = " ".join(screen_text(app).split())
        assert "Before/after the decision After decision" in text
        assert "Follow up on: 2026-01-20 → 2026-01-27" in text, text
        assert "Before/after the decision: Before decision → After decision" in text
        assert "PC Sam Okafor (PC1000)" in text and "Changed (at the desk)" in text
    (entry,) = history.history_of(desk_store.db, "consultations", "CON-1")
    assert {c.field for c in entry.changes} == {"follow_up_on", "timing"}


async def test_a_mistaken_visit_is_deleted_from_its_record(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_school("100000")
        await settle(pilot)
        table = app.screen.query_one("#engagements")
        table.move_cursor(row=table.get_row_index("ENG-3"))  # the planned assembly
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.key == "ENG-3"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDelete)
        await pilot.press("enter")  # no reason yet: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDelete)
        await pilot.press(*"booked twice", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        text = " ".join(screen_text(app).split())
        assert "Deleted on" in text and "Deleted as a mistake: booked twice" in text
        assert records.get_row(desk_store.db, "engagements", "ENG-3") is None

        # a delivered visit cannot be deleted: one line says why, nothing changes
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one("#engagements")
        table.move_cursor(row=table.get_row_index("ENG-1"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.key == "ENG-1"
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDelete)
        said = "engagement ENG-1 is delivered: only a planned engagement can be deleted"
        assert any(said in n.message for n in app._notifications)
    assert records.get_row(desk_store.db, "engagements", "ENG-1") is not None


async def test_enter_on_a_chronology_line_opens_that_record(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_young_person("YP-0001")
        await settle(pilot)
        assert isinstance(app.screen, YoungPersonScreen)
        table = app.screen.query_one("#chronology")
        row = next(i for i, item in enumerate(app.screen.detail.chronology) if item.kind == "referral")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and (app.screen.entity, app.screen.key) == ("referrals", "REF-1")
        assert "Youth justice service" in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        from slo.tui.screens.forms.referral import ReferralForm

        assert isinstance(app.screen, ReferralForm) and app.screen.loaded and app.screen.ref == "REF-1"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("h")  # the young person's own record and its history
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and (app.screen.entity, app.screen.key) == ("young_people",
                                                                                                "YP-0001")
        assert "Year group 9" in " ".join(screen_text(app).split())


async def test_the_week_planner_opens_a_visit_and_the_officer_screen_an_abstraction(desk_store, make_app, settle):
    from slo.tui.screens.record import ChooseRecord
    from slo.tui.screens.week import WeekScreen

    app = make_app(desk_store)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.action_week()
        await settle(pilot)
        assert isinstance(app.screen, WeekScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChooseRecord)
        table = app.screen.query_one("#choose-record")
        table.move_cursor(row=table.get_row_index("engagements|ENG-3"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.key == "ENG-3"
        assert "Year 9 assembly: knife crime" in screen_text(app)

        app.open_officer("PC1000")
        await settle(pilot)
        table = app.screen.query_one("#abstractions")
        table.move_cursor(row=table.get_row_index("ABS-1"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and (app.screen.entity, app.screen.key) == ("abstractions", "ABS-1")
        await pilot.press("e")
        await settle(pilot)
        from slo.tui.screens.forms.abstraction import AbstractionForm

        form = app.screen
        assert isinstance(form, AbstractionForm) and form.loaded
        assert form.input("date_from").value == "2026-01-06" and form.input("requested_by").value == "Duty inspector"
        assert form.picker("category").value == "public_order"
        form.input("requested_by").value = "Gold commander"
        await pilot.press("ctrl+s")
        await _close_saved_form(pilot, settle, AbstractionForm)
        assert isinstance(app.screen, RecordScreen)
        text = " ".join(screen_text(app).split())
        assert "Requested by: Duty inspector → Gold commander" in text, text
    # corrected through correct_abstraction: the review fields untouched, the history kept
    (entry,) = history.history_of(desk_store.db, "abstractions", "ABS-1")
    assert entry.changes == (history.Change("requested_by", "Duty inspector", "Gold commander"),)


async def _palette(pilot, query: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    options = None
    for _ in range(20):
        await pilot.pause(0.1)
        options = pilot.app.screen.query("CommandList").first()
        if options.option_count:
            break
    # each prompt is the title, then its help line
    prompts = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return prompts


async def test_the_palette_finds_edit_correct_delete_and_history(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_school("100000")
        await settle(pilot)
        assert any(p.startswith("Open record") for p in await _palette(pilot, "history"))
        app.open_record("engagements", "ENG-3")
        await settle(pilot)
        assert "Edit / correct" in await _palette(pilot, "correct")
        assert "Edit / correct" in await _palette(pilot, "edit")
        assert "Delete (made by mistake)" in await _palette(pilot, "delete")
        assert "History" in await _palette(pilot, "history")


async def test_moving_a_visit_from_its_record_raises_its_calendar_sequence(desk_store, make_app, settle):
    from slo.tui.screens.forms.engagement import EngagementForm

    def sequence():
        return desk_store.db.execute("SELECT sequence FROM engagements WHERE ref = 'ENG-3'").fetchone()[0]

    before = sequence()
    app = make_app(desk_store)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_record("engagements", "ENG-3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EngagementForm) and form.loaded and form.input("time").value == "10:00"
        form.input("time").value = "13:00"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, EngagementForm) and app.screen.saved_key is None:
            await pilot.press("ctrl+s")  # a clash warning (e.g. no term dates) takes one more deliberate key
        await _close_saved_form(pilot, settle, EngagementForm)
        assert isinstance(app.screen, RecordScreen)
        text = " ".join(screen_text(app).split())
        assert "Starts: 2026-01-08 10:00 → 2026-01-08 13:00" in text, text
    assert sequence() == before + 1
