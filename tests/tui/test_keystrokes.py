"""No lost keystrokes: what is typed before a form is ready is delivered, in order, once it is.

The database is made slow in these tests: the read model each form loads from (the function the
form module calls is wrapped) waits until the test has typed everything, as a busy machine or a
large database would make it wait, then reads as usual. A form is read before it is pushed
(SloApp.open_read): keys typed before then are held by the desk and handed to the form; a read that
takes longer than OPEN_WAIT pushes the form unfilled, and it holds the keys typed after. Each test
runs both ways (``opening``).
"""

from __future__ import annotations

import importlib
import threading

import pytest
from helpers.blocked import blocked

from slo.tui import app as app_module
from slo.tui.screens.forms.absence import AbsenceForm
from slo.tui.screens.forms.abstraction import AbstractionForm
from slo.tui.screens.forms.engagement import EngagementForm


def slow(monkeypatch, module: str, name: str) -> threading.Event:
    """Make ``module.name`` (a read model a form calls in its load worker) wait for the returned event."""
    release, _calls = blocked(monkeypatch, importlib.import_module(module), name)
    return release


@pytest.fixture(params=["held by the desk", "held by the form"])
def opening(request, monkeypatch) -> str:
    """Keys typed before the form is pushed (the desk waits for its read) or after (pushed at once)."""
    monkeypatch.setattr(app_module, "OPEN_WAIT", 5.0 if request.param == "held by the desk" else 0.01)
    return request.param


async def opened(pilot, opening: str, form_class: type):
    """After the form's key: the form, pushed at once unfilled (held by the form), or None while the
    desk still waits for its read (held by the desk)."""
    await pilot.pause(0.05)
    screen = pilot.app.screen
    if opening == "held by the form":
        assert isinstance(screen, form_class) and not screen.loaded
        return screen
    assert not isinstance(screen, form_class)
    return None


async def type_text(pilot, text: str) -> None:
    # every key without waiting for the app in between: as fast as a person can type, and faster
    for ch in text:
        await pilot.press(ch)


@pytest.mark.asyncio
async def test_an_abstractions_from_date_typed_at_once_arrives_whole(desk_store, make_app, settle, monkeypatch,
                                                                     opening):
    database = slow(monkeypatch, "slo.tui.screens.forms.abstraction", "abstraction_form")
    app = make_app(desk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        form = await opened(pilot, opening, AbstractionForm)
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "2026-12-16")
        assert form is None or not form.loaded  # all of it typed while the form was still loading
        database.set()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AbstractionForm) and form.loaded
        assert form.input("date_from").value == "2026-12-16"
        # To follows From (it held From's old value, today)
        assert form.input("date_to").value == "2026-12-16"
        assert app.focused is form.input("date_from")


@pytest.mark.asyncio
async def test_keys_typed_before_and_after_a_slow_form_is_pushed_arrive_in_order(desk_store, make_app, settle,
                                                                                 monkeypatch):
    monkeypatch.setattr(app_module, "OPEN_WAIT", 0.2)
    database = slow(monkeypatch, "slo.tui.screens.forms.abstraction", "abstraction_form")
    app = make_app(desk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *["backspace"] * 10)
        await type_text(pilot, "2026-12")  # held by the desk, while it waits for the form's read
        await pilot.pause(0.4)
        form = app.screen
        assert isinstance(form, AbstractionForm) and not form.loaded  # pushed unfilled: the read is slow
        await type_text(pilot, "-16")  # held by the form, after those
        database.set()
        await settle(pilot)
        assert form.input("date_from").value == "2026-12-16"


@pytest.mark.asyncio
async def test_keys_that_move_between_fields_are_delivered_in_order(desk_store, make_app, settle, monkeypatch,
                                                                    opening):
    database = slow(monkeypatch, "slo.tui.screens.forms.engagement", "engagement_form")
    app = make_app(desk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        form = await opened(pilot, opening, EngagementForm)
        # kind: "lesson" Enter (picks it, moves on); then Tab past the school and young person to the title
        await type_text(pilot, "lesson")
        await pilot.press("enter", "tab", "tab")
        await pilot.press("end")
        await type_text(pilot, " on safety")
        assert form is None or not form.loaded
        database.set()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EngagementForm)
        assert form.picker("kind").value == "lesson"
        assert form.input("title").value == "Lesson on safety"  # the kind's title, then what was typed


@pytest.mark.asyncio
async def test_escape_typed_while_loading_still_closes_the_form(desk_store, make_app, settle, monkeypatch,
                                                               opening):
    database = slow(monkeypatch, "slo.tui.screens.forms.absence", "officer_form")
    app = make_app(desk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await opened(pilot, opening, AbsenceForm)
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert (opening == "held by the form") == isinstance(app.screen, AbsenceForm)  # not closed before it is up
        database.set()
        await settle(pilot)
        assert not isinstance(app.screen, AbsenceForm)


@pytest.mark.asyncio
async def test_to_follows_from_in_the_absence_form(desk_store, make_app, settle):
    app = make_app(desk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AbsenceForm)
        form.input("date_from").focus()
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "2026-03-02")
        await settle(pilot)
        assert form.input("date_to").value == "2026-03-02"
        # a To set later than From stays when From moves within it
        form.input("date_to").value = "2026-03-06"
        form.input("date_from").focus()
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "2026-03-03")
        await settle(pilot)
        assert form.input("date_to").value == "2026-03-06"
