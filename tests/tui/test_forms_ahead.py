"""Forms built ahead (slo.tui.ahead): an officer's consultation, visit and abstraction forms are
built in idle moments and opened by filling them in. A form built ahead is drawn exactly as a new
one is, opens for what it was opened for (the school under the cursor), saves, and is used once:
the next opening has a new form, with nothing left from the last."""

from __future__ import annotations

import json

import pytest
from forms_harness import type_text

from slo.tui import ahead
from slo.tui import app as app_module
from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.forms.abstraction import AbstractionForm
from slo.tui.screens.forms.base import FormScreen, context_names
from slo.tui.screens.forms.consultation import ConsultationForm
from slo.tui.screens.forms.engagement import EngagementForm

#: the form each key opens from the caseload
KEYS = {"c": ConsultationForm, "v": EngagementForm, "a": AbstractionForm}


async def built(app, pilot, settle) -> dict[type, FormScreen]:
    """Build every form ahead now (as idle moments would), mounted and settled."""
    for cls in KEYS.values():
        app.forms_ahead.build(cls)
    await settle(pilot)
    ready = dict(app.forms_ahead.ready)
    assert set(ready) == set(KEYS.values())
    assert all(f.is_mounted and f.built_ahead and f not in app.screen_stack for f in ready.values())
    return ready


@pytest.mark.parametrize("key", list(KEYS))
async def test_a_form_built_ahead_is_drawn_as_a_new_one_is(desk_store, make_app, settle, key):
    screens = {}
    for build_ahead in (False, True):
        app = make_app(desk_store, build_ahead=build_ahead)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("down")  # the second school: the form opens for it
            ready = await built(app, pilot, settle) if build_ahead else {}
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert isinstance(form, KEYS[key]) and form.loaded
            assert (form is ready[KEYS[key]]) if build_ahead else not ready
            screens[build_ahead] = app.export_screenshot()
    assert screens[True] == screens[False]


async def test_a_form_built_ahead_opens_for_the_school_under_the_cursor_and_saves(desk_store, make_app, settle):
    app = make_app(desk_store, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ready = await built(app, pilot, settle)
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        await pilot.press("down")
        urn = caseload.current_urn
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert form is ready[ConsultationForm] and not form.built_ahead
        assert form.school == urn and form.picker("school").value == urn
        await type_text(pilot, "jamie")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("b")
        await type_text(pilot, "susp")
        await pilot.press("enter")
        await type_text(pilot, "PA")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen), "saved and closed"
        assert not form.is_attached, "a form is used once, then freed"
        row = desk_store.db.execute(
            "SELECT young_person, school, officer, timing, reasons FROM consultations ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        # the school follows the pupil picked (Jamie Lee is at Riverside, 100002), as in a new form
        assert row[:4] == ("YP-0002", "100002", "PC1000", "before_decision") and json.loads(row[4]) == ["PA"]

        # the next consultation: a new form, built in the next idle moment, with nothing of the last
        assert ConsultationForm not in app.forms_ahead.ready
        app.forms_ahead.build(ConsultationForm)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ConsultationForm) and again is not form
        assert again.picker("young_person").value is None and again.picker("reasons").values == []
        assert again.key_choice("timing").value is None


@pytest.mark.parametrize("wait", [5.0, 0.01], ids=["held by the desk", "held by the form"])
async def test_keys_typed_while_a_form_built_ahead_is_read_reach_it(desk_store, make_app, settle, monkeypatch,
                                                                   wait):
    from helpers.blocked import blocked

    from slo.tui.screens.forms import consultation

    monkeypatch.setattr(app_module, "OPEN_WAIT", wait)
    release, reads = blocked(monkeypatch, consultation, "consultation_form")
    app = make_app(desk_store, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ready = await built(app, pilot, settle)
        await pilot.press("c")
        await pilot.pause(0.05)
        for ch in "jam":
            await pilot.press(ch)
        assert len(reads) == 1
        release.set()
        await settle(pilot)
        form = app.screen
        assert form is ready[ConsultationForm] and form.loaded
        assert form.picker("young_person").input.value == "jam"


async def test_the_desk_builds_its_forms_in_idle_moments_one_at_a_time(desk_store, make_app, settle, monkeypatch):
    import time

    monkeypatch.setattr(ahead, "IDLE", 0.2)
    monkeypatch.setattr(ahead, "TICK", 0.05)
    builds: list[float] = []
    build = ahead.FormsAhead.build

    def timed(self, cls):
        builds.append(time.monotonic())
        return build(self, cls)

    monkeypatch.setattr(ahead.FormsAhead, "build", timed)
    app = make_app(desk_store, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(400):  # up to 20 s on a busy machine; about 1 s on an idle one
            if len(app.forms_ahead.ready) == len(KEYS):
                break
            await pilot.pause(0.05)
        assert set(app.forms_ahead.ready) == set(KEYS.values())
        assert len(builds) == len(KEYS)
        # one per idle moment: each waited IDLE after the one before
        assert all(later - earlier >= 0.2 for earlier, later in zip(builds, builds[1:], strict=False))
        assert isinstance(app.screen, CaseloadScreen)


async def test_a_sergeants_and_an_admins_desk_build_nothing_ahead(desk_store, make_app, settle, monkeypatch):
    monkeypatch.setattr(ahead, "IDLE", 0.0)
    monkeypatch.setattr(ahead, "TICK", 0.02)
    for collar in ("S100", "A1"):
        app = make_app(desk_store, collar, build_ahead=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.pause(0.3)
            assert app.forms_ahead.ready == {}, collar


def test_a_form_takes_only_what_its_constructor_set():
    """adopt copies the attributes a form's own constructor set: none of them may be one that
    composing the form sets (it would be overwritten with the new form's value)."""
    consultation = ConsultationForm(young_person="YP-0001", school="100000")
    names = set(context_names(consultation))
    assert {"young_person", "school", "ref", "_school", "existing"} <= names
    assert not names & {"loaded", "saving", "data", "built_ahead", "_held", "_nodes", "_id"}
    assert set(context_names(EngagementForm(school="100000"))) >= {"school", "young_person", "ref", "clash_notes"}
    assert set(context_names(AbstractionForm(officer="PC1000"))) >= {"officer", "ref", "sessions"}


@pytest.mark.parametrize("cls", list(KEYS.values()), ids=lambda c: c.__name__)
async def test_composing_a_form_changes_none_of_what_its_constructor_set(desk_store, make_app, settle, cls):
    """What adopt copies is what the form was made with, untouched by composing it: else a form
    built ahead would lose what composing had set."""
    app = make_app(desk_store, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        mounted = app.forms_ahead.build(cls)  # composed and mounted in the next moments
        form = app.forms_ahead.ready[cls]
        assert not form.is_mounted
        made = {name: getattr(form, name) for name in context_names(form)}
        await mounted
        assert form.is_mounted and form.query("FormField")
        assert [name for name, value in made.items() if getattr(form, name) is not value] == []


async def test_forms_built_for_one_officer_are_never_opened_for_another(desk_store, make_app, settle):
    """A form's searches hold the actor it was composed for: if the desk's actor changed, what was
    built is dropped and the form is made anew."""
    from slo.services.actors import load_actor

    app = make_app(desk_store, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        old = (await built(app, pilot, settle))[ConsultationForm]
        app.actor = load_actor(desk_store.db, "PC1001")
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConsultationForm) and form is not old and form.loaded
        assert app.forms_ahead.ready == {} and not old.is_attached
