"""SVG snapshots of the desk's main screens and every form, at 80x24 and 160x45 (and the first four at
120x36): today fixed, the input cursor's blink off, every worker finished, a relative exports folder.

Regenerate after a deliberate change of look with
``python -m pytest tests/tui/test_snapshots.py --snapshot-update`` and commit ``__snapshots__``
(look at the report's pictures first: each is what an officer would see).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.tui.app import SloApp

TODAY = date(2026, 1, 7)
SIZE = (120, 36)
SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


@pytest.fixture
def snap_store(store, desk_bundle):
    """``desk_store`` plus an abstraction of PC1000 challenged by the sergeant (the challenge's result form)."""
    desk_bundle["abstractions"].append(
        {"ref": "ABS-3", "officer": "PC1000", "date_from": "2025-12-15", "date_to": "2025-12-15",
         "portion": "full", "category": "public_order", "requested_by": "Control room", "reason": None,
         "review_status": "challenged", "reviewed_by": "S100", "reviewed_at": "2025-12-16T10:00",
         "review_note": "Ask the inspector why the relief was not used", "challenged_to": "Duty inspector",
         "resolved_on": None, "resolution_note": None})
    import_bundle(store, desk_bundle, None)
    return store


def desk(store, collar: str = "PC1000") -> SloApp:
    # a fixed, relative exports folder: the calendar path shown on the school screen is stable
    return SloApp(store, load_actor(store.db, collar), Path("exports"), today=TODAY)


@pytest.fixture
def desk_app(snap_store):
    return desk(snap_store)


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for widget in pilot.app.screen.query(Input).results():
        widget.cursor_blink = False
    for area in pilot.app.screen.query(TextArea).results():
        area.cursor_blink = False
    await pilot.pause()


def settled(*keys: str, then: Callable[[SloApp], Any] | None = None):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        if then is not None:
            then(pilot.app)
            await _settle(pilot)
        await _settle(pilot)

    return run_before


# ---------------------------------------------------------------------------- at 120x36


def test_caseload_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled())


def test_school_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("down", "down", "enter"))


def test_week_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("w"))


def test_help_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("f1"))


# ---------------------------------------------------------------------------- screens at 80x24 and 160x45

SCREENS: dict[str, Callable[[SloApp], Any]] = {
    "caseload": lambda app: None,
    "school": lambda app: app.open_school("100000"),
    "young_person": lambda app: app.open_young_person("YP-0002"),
    "week": lambda app: app.push_screen(_week()),
    "due": lambda app: app.action_due(),
}


def _week():
    from slo.tui.screens.week import WeekScreen

    return WeekScreen()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_snapshot(snap_store, snap_compare, screen, size):
    assert snap_compare(desk(snap_store), terminal_size=SIZES[size], run_before=settled(then=SCREENS[screen]))


# ---------------------------------------------------------------------------- every form at 80x24 and 160x45


def _form(module: str, name: str, *args: Any, **kwargs: Any) -> Callable[[SloApp], Any]:
    def open_form(app: SloApp) -> None:
        import importlib

        form = getattr(importlib.import_module(f"slo.tui.screens.forms.{module}"), name)
        app.open_form(form(*args, **kwargs))

    return open_form


#: (who opens it, how)
FORMS: dict[str, tuple[str, Callable[[SloApp], Any]]] = {
    "engagement": ("PC1000", _form("engagement", "EngagementForm", school="100000")),
    "engagement_edit": ("PC1000", _form("engagement", "EngagementForm", ref="ENG-3")),
    "engagement_status": ("PC1000", _form("engagement_status", "EngagementStatusForm", "ENG-3")),
    "consultation": ("PC1000", _form("consultation", "ConsultationForm", school="100002")),
    "outcome": ("PC1000", _form("outcome", "OutcomeForm", "CON-2")),
    "referral": ("PC1000", _form("referral", "ReferralForm", young_person="YP-0002", consultation="CON-2")),
    "young_person": ("PC1000", _form("young_person", "YoungPersonForm", school="100000")),
    "abstraction": ("PC1000", _form("abstraction", "AbstractionForm", officer="PC1000")),
    "absence": ("PC1000", _form("absence", "AbsenceForm", officer="PC1000")),
    "review": ("S100", _form("review", "ReviewForm", "ABS-2")),
    "challenge_result": ("S100", _form("challenge_result", "ChallengeResultForm", "ABS-3")),
    "assignment": ("A1", _form("assignment", "AssignmentForm", "100002")),
    "end_assignment": ("A1", _form("assignment", "EndAssignmentForm", "100002")),
    "handover": ("A1", _form("handover", "HandoverForm", "100002")),
    "officer": ("A1", _form("officer", "OfficerForm")),
    "leaving": ("A1", _form("officer", "LeavingForm", "PC1001")),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("form", FORMS)
def test_form_snapshot(snap_store, snap_compare, form, size):
    collar, open_form = FORMS[form]
    assert snap_compare(desk(snap_store, collar), terminal_size=SIZES[size], run_before=settled(then=open_form))
