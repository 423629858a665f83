"""Every form fits the terminal: at 80x24 its fields scroll and the status line and Save stay on screen
(the fields pushed them off the bottom of a small terminal)."""

from __future__ import annotations

import pytest

from slo.tui.screens.forms.abstraction import AbstractionForm
from slo.tui.screens.forms.base import FormScreen
from slo.tui.screens.forms.consultation import ConsultationForm
from slo.tui.screens.forms.engagement import EngagementForm
from slo.tui.screens.forms.young_person import YoungPersonForm

FORMS = {
    "visit": lambda: EngagementForm(school="100000"),
    "consultation": lambda: ConsultationForm(school="100000"),
    "abstraction": lambda: AbstractionForm(),
    "young person": lambda: YoungPersonForm(school="100000"),
}


def on_screen(app, widget) -> bool:
    region = widget.region
    return region.height > 0 and region.y >= 0 and region.bottom <= app.size.height


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize("name", list(FORMS))
async def test_save_and_the_status_line_stay_on_screen(desk_store, make_app, settle, name, size):
    app = make_app(desk_store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.open_form(FORMS[name]())
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.loaded
        save = form.query_one("#form-save")
        status = form.query_one("#form-status")
        body = form.query_one("#form-body")
        assert on_screen(app, save), (name, save.region, app.size)
        assert on_screen(app, status), (name, status.region, app.size)
        # the fields that do not fit scroll inside the form
        assert body.region.bottom <= status.region.y
        # a problem shown above the fields still leaves Save on screen
        form.show_message("School: 'x' is not a school you cover")
        await settle(pilot)
        assert on_screen(app, save), (name, "with a message", save.region)
