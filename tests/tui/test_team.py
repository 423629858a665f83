"""TeamScreen and OfficerScreen on the real app: a sergeant sees their team (not the other one),
pending reviews first, and figures equal to the continuity report's."""

from __future__ import annotations

import copy
from datetime import date

from helpers.report_bundle import BUNDLE

from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.tui.app import SloApp

TODAY = date(2026, 1, 18)   # "last 4 weeks" = 2025-12-22 .. 2026-01-18; this term = 2026-01-01 .. 2026-01-18


async def settle(pilot):
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def rows(table):
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def make(store, tmp_path, collar):
    import_bundle(store, copy.deepcopy(BUNDLE), None)
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


async def test_sergeant_home_is_team_with_pending_first(store, tmp_path):
    from slo.tui.screens.team import TeamScreen

    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        officers = rows(screen.query_one("#officers"))
        # team T-A's schools liaison officers: P1, P2 (not the sergeant S1: metrics.md version 2) -- never
        # P3 or S2 of team T-B
        assert [r[0] for r in officers] == ["P1", "P2"]
        # this term to date = 2026-01-01 .. 2026-01-18. P1: Mon-Fri in post -> Jan 1,2 (Thu, Fri) + 10 = 12
        # pattern days, leave 2 -> rostered 10; abstracted 3 (as in the report) -> 30.0%; unavailable 2/12
        p1 = officers[0]
        assert p1[2] == "10" and p1[3] == "3" and p1[4] == "30.0%"
        assert p1[5] == "2" and p1[6] == "16.7%"
        # cancelled by abstraction 1 (E3), schools hit 1 (100001), young people let down 1 (YP1)
        assert p1[7:10] == ["1", "1", "1"]
        # every abstraction of the period, what awaits review first, oldest first: AB1 (P1, 5 Jan), AB3 (P1,
        # 9 Jan), AB4 (P2, 17 Jan), AB5 (20 Jan: after the period, but still pending), then AB2 (accepted)
        pending = screen.query_one("#abstractions")
        assert [r[-1] for r in rows(pending)] == ["AB1", "AB3", "AB4", "AB5", "AB2"]
        assert [r[6] for r in rows(pending)] == ["Pending"] * 4 + ["Accepted"]
        # the pending list comes first and has the focus
        assert app.focused is pending
        children = list(screen.query_one("#team-body").children)
        assert children.index(pending) < children.index(screen.query_one("#officers"))
        assert "P3" not in str(screen.query_one("#team-heading").render())


async def test_enter_on_officer_opens_officer_screen(store, tmp_path):
    from slo.tui.screens.officer import OfficerScreen

    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.screen.query_one("#officers").focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OfficerScreen) and screen.collar == "P1"
        abstractions = rows(screen.query_one("#abstractions"))
        # overlapping this term to date, newest first: AB2 (12 Jan), AB3 (9 Jan), AB1 (5 Jan)
        assert [r[-1] for r in abstractions] == ["AB2", "AB3", "AB1"]
        screen.query_one("#abstractions").move_cursor(row=2)
        await settle(pilot)
        cancelled = rows(screen.query_one("#cancelled"))
        # AB1 cancelled E3 (a 1:1 at Alpha School)
        assert [r[-1] for r in cancelled] == ["E3"] and cancelled[0][1] == "Alpha School"


async def test_review_key_opens_review_form(store, tmp_path):
    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        from slo.tui.screens.forms.review import ReviewForm

        assert isinstance(app.screen, ReviewForm)


async def test_admin_can_switch_teams(store, tmp_path):
    from slo.tui.screens.team import TeamScreen

    app = make(store, tmp_path, "A1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.push_screen(TeamScreen())
        await settle(pilot)
        assert [r[0] for r in rows(app.screen.query_one("#officers"))] == ["P1", "P2"]
        await pilot.press("t")
        await settle(pilot)
        # T-B: P3 (left 7 Jan, still in post this term); S2 is its sergeant, not an SLO
        assert [r[0] for r in rows(app.screen.query_one("#officers"))] == ["P3"]


async def test_slo_cannot_open_team_screen(store, tmp_path):
    from slo.tui.screens.team import TeamScreen

    app = make(store, tmp_path, "P1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.push_screen(TeamScreen())
        await settle(pilot)
        assert not isinstance(app.screen, TeamScreen)


async def test_the_weekly_chart_is_read_after_the_figures_and_is_the_overviews(store, tmp_path):
    """The team's figures come first (one read without the 26 weeks); the chart from a read of its own,
    with the same weeks as the overview computed in one go."""
    from slo.reports.overview import team_overview, team_periods
    from slo.tui.messages import TeamLoaded, TeamWeeklyLoaded
    from slo.tui.screens.team import TeamScreen

    app = make(store, tmp_path, "S1")
    seen: list[type] = []
    original = TeamScreen.post_message

    def record(self, message):
        if isinstance(message, (TeamLoaded, TeamWeeklyLoaded)):
            seen.append(type(message))
            if isinstance(message, TeamLoaded):
                assert message.overview.weekly == []  # the figures' read leaves the weeks out
        return original(self, message)

    TeamScreen.post_message = record  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, TeamScreen)
            _label, date_from, date_to = team_periods(TODAY)[0]
            whole = team_overview(store.db, app.actor, "T-A", date_from, date_to, as_of=TODAY)
            assert whole.weekly and screen.overview is not None and screen.overview.weekly == whole.weekly
            assert str(screen.query_one("#weekly-chart").render()).startswith("Weekly abstraction rate, last 26 weeks")
    finally:
        TeamScreen.post_message = original  # type: ignore[method-assign]
    assert seen[:2] == [TeamLoaded, TeamWeeklyLoaded]


async def test_the_next_period_reads_the_team_again_and_not_the_jobs(store, tmp_path, monkeypatch):
    """p shows the next period's figures (issue 20: one read, not two beside it); the jobs' line is
    read when the screen is shown again, not for a period."""
    from slo.scheduler import state
    from slo.tui.screens.team import TeamScreen

    reads = []
    job_status = state.desk_job_status
    monkeypatch.setattr(state, "desk_job_status", lambda *a: reads.append(1) or job_status(*a))
    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        before = len(reads)
        assert before >= 1 and "This term to date: 2026-01-01 to 2026-01-18" in str(
            screen.query_one("#team-heading").render())
        await pilot.press("p")
        await settle(pilot)
        assert "Last 4 weeks: 2025-12-22 to 2026-01-18" in str(screen.query_one("#team-heading").render())
        assert len(reads) == before
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and len(reads) > before  # shown again: the jobs' line is read again
