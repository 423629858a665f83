"""Editing through the forms: a form opened on a record shows it as recorded (Pilot, real database)."""

from __future__ import annotations

from screen_text import screen_text

from slo.tui.screens.forms.young_person import YoungPersonForm


async def test_the_edit_form_shows_sex_and_fsm_as_recorded_before_they_are_focused(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 44)) as pilot:
        await settle(pilot)
        app.open_form(YoungPersonForm(ref="YP-0001"))  # Alex Morgan: male, free school meals yes
        await settle(pilot)
        form = app.screen
        assert isinstance(form, YoungPersonForm) and form.loaded
        assert app.focused is not form.key_choice("sex") and app.focused is not form.key_choice("fsm")
        text = screen_text(app)
        sex = next(line for line in text.splitlines() if "[f]" in line and "[m]" in line)
        fsm = next(line for line in text.splitlines() if "[y]" in line and "[n]" in line)
        assert "● Male" in sex and "○ Unknown" in sex
        assert "● Yes" in fsm and "○ Unknown" in fsm
