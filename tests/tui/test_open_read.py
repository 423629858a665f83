"""Screens read before they are pushed (SloApp.open_read: a school, the week, an officer, the team, the
audit log, term dates): drawn once, with what they show; keys typed meanwhile reach the new screen, not
the one left; a read slower than OPEN_WAIT pushes the screen at once and hands it the result (one read,
not two). A refused school: tests/tui/test_screens.py. Forms: tests/tui/test_keystrokes.py."""

from __future__ import annotations

import contextlib
import importlib

import pytest
from helpers.blocked import blocked

from slo.tui import app as app_module
from slo.tui.screens import school as school_module
from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.school import SchoolScreen
from slo.tui.screens.week import WeekScreen


def urns(reads) -> list[str]:
    """The schools read (read_school's third argument)."""
    return [args[2] for args in reads]


@contextlib.asynccontextmanager
async def desk(store, make_app, settle, monkeypatch, *, wait: float, collar: str = "PC1000", size=(120, 36)):
    """The desk as ``collar``, settled, with ``OPEN_WAIT`` at ``wait``: ``(app, pilot)``."""
    monkeypatch.setattr(app_module, "OPEN_WAIT", wait)
    app = make_app(store, collar)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


def details(screen) -> str:
    return str(screen.query_one("#school-details").render())


async def test_the_screen_comes_with_its_details_and_the_keys_typed_meanwhile(desk_store, make_app, settle,
                                                                             monkeypatch):
    release, reads = blocked(monkeypatch, school_module, "read_school")
    async with desk(desk_store, make_app, settle, monkeypatch, wait=5.0) as (app, pilot):
        await pilot.press("down", "down", "enter")  # school 100002
        await pilot.press("2")  # its consultations tab, typed before the school is read
        await pilot.pause(0.1)
        assert isinstance(app.screen, CaseloadScreen) and urns(reads) == ["100002"]  # not pushed until read
        release.set()
        for _ in range(100):
            await pilot.pause(0.01)
            if isinstance(app.screen, SchoolScreen):
                break
        screen = app.screen
        assert isinstance(screen, SchoolScreen) and screen.urn == "100002"
        release.clear()  # a second read (the screen's own) would now wait, and leave "Loading…" on screen
        await pilot.pause()
        assert "Loading" not in details(screen) and "Head teacher" in details(screen)
        release.set()
        await settle(pilot)
        assert screen.query_one("#school-tabs").current == "tab-consultations"  # the held "2" reached it
        assert urns(reads) == ["100002"]  # read once: the screen did not read it again


async def test_a_slow_read_shows_the_screen_first_and_hands_it_the_result(desk_store, make_app, settle,
                                                                          monkeypatch):
    release, reads = blocked(monkeypatch, school_module, "read_school")
    async with desk(desk_store, make_app, settle, monkeypatch, wait=0.05) as (app, pilot):
        await pilot.press("down", "down", "enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, SchoolScreen) and "Loading" in details(screen)
        await pilot.press("3")  # the screen is up: its keys are its own again
        release.set()
        await settle(pilot)
        assert "Head teacher" in details(screen) and urns(reads) == ["100002"]
        assert screen.query_one("#school-tabs").current == "tab-young-people"
        await pilot.press("escape")
        await settle(pilot)
        app.open_school("100003")  # the next opening is not held up by the last
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen) and app.screen.urn == "100003"


async def test_the_week_comes_with_its_days_and_a_next_week_typed_meanwhile(desk_store, make_app, settle,
                                                                           monkeypatch):
    from slo.services.queries import week as week_queries

    release, asked = blocked(monkeypatch, week_queries, "week")
    async with desk(desk_store, make_app, settle, monkeypatch, wait=5.0) as (app, pilot):
        await pilot.press("w", "]")  # the week, then the next one, typed before this week is read
        await pilot.pause(0.1)
        assert isinstance(app.screen, CaseloadScreen) and len(asked) == 1
        release.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WeekScreen) and screen.shown is not None
        assert (screen.shown.monday - asked[0][3]).days == 7  # the held "]" paged it on (week's 4th argument)


def _officer_ready(screen) -> bool:
    return "Pattern days" in str(screen.query_one("#officer-heading").render())


def _team_ready(screen) -> bool:
    return "Abstraction rate" in str(screen.query_one("#team-heading").render())


def _audit_ready(screen) -> bool:
    return "Loading" not in str(screen.query_one("#audit-page").render())


def _terms_ready(screen) -> bool:
    return screen.query_one("#terms").row_count > 0 or "No term dates" in str(screen.query_one("#term-status").render())


def _reports_ready(screen) -> bool:
    return "Loading" not in str(screen.query_one("#headline").render())


@pytest.mark.parametrize("collar, key, module, read_name, screen_name, ready", [
    ("PC1000", "A", "officer", "read_officer", "OfficerScreen", _officer_ready),  # your own abstractions
    ("A1", "T", "team", "read_team", "TeamScreen", _team_ready),
    ("A1", "L", "audit_log", "read_audit", "AuditLogScreen", _audit_ready),
    ("A1", "D", "term_dates", "read_terms", "TermDatesScreen", _terms_ready),
    ("A1", "r", "reports", "read_reports", "ReportsScreen", _reports_ready),  # the force's kept figures
])
async def test_the_officer_the_team_the_audit_log_the_terms_and_reports_come_read(
        desk_store, make_app, settle, monkeypatch, collar, key, module, read_name, screen_name, ready):
    screens = importlib.import_module(f"slo.tui.screens.{module}")
    release, reads = blocked(monkeypatch, screens, read_name)
    async with desk(desk_store, make_app, settle, monkeypatch, wait=5.0, collar=collar, size=(160, 45)) as (app, pilot):
        home = app.screen
        await pilot.press(key)
        await pilot.pause(0.1)
        assert app.screen is home and len(reads) == 1  # not pushed until read
        release.set()
        for _ in range(100):
            await pilot.pause(0.01)
            if type(app.screen).__name__ == screen_name:
                break
        screen = app.screen
        assert type(screen).__name__ == screen_name
        release.clear()  # a read of the screen's own would now wait, and leave "Loading…" on screen
        await pilot.pause()
        assert ready(screen)
        release.set()
        await settle(pilot)
        assert len(reads) == 1  # read once: the screen did not read it again
