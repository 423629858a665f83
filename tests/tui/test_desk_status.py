"""The scheduled jobs' status line on the desk (issue "Scheduled jobs", item 4).

Job rows are written as ``slo scheduler`` writes them (``slo.scheduler.state.record_success`` /
``record_failure`` in a ``store.write()``); the desk only reads them, in a thread worker.
"""

from __future__ import annotations

from datetime import date, datetime

from slo.scheduler.state import job_status, record_failure, record_success
from slo.tui.widgets.job_status import JobStatusLine, job_status_text, previous_fire, when_text

#: the desk's "today" in tests/tui/conftest.py (a Wednesday); its "now" is 09:00 that day
TODAY = date(2026, 1, 7)

NOW = datetime(2026, 1, 7, 9, 0)


def write_jobs(store, *, report_fails: bool = True, calendars_at: datetime = datetime(2026, 1, 7, 5, 30)) -> None:
    """Rows as the scheduler leaves them: each job ran for its latest fire time (shown: when it finished)."""
    with store.write() as db:
        record_success(db, "calendars", calendars_at, calendars_at.replace(second=41), 1.5,
                       "3 calendar file(s) written, 0 unchanged")
        # the Monday digest ran on Monday 5 January
        record_success(db, "team_digest", datetime(2026, 1, 5, 7, 0), datetime(2026, 1, 5, 7, 0, 4), 0.2,
                       "2 digest(s) written")
        record_success(db, "monthly_report", datetime(2025, 12, 1, 6, 0), datetime(2025, 12, 1, 6, 0, 9), 9.0,
                       "report for 2025-11")
        if report_fails:
            # January's run failed (December's had worked)
            record_failure(db, "monthly_report", datetime(2026, 1, 1, 6, 0, 2),
                           "OSError: [Errno 28] No space left on device")
        else:
            record_success(db, "monthly_report", datetime(2026, 1, 1, 6, 0), datetime(2026, 1, 1, 6, 0, 9), 9.0,
                           "report for 2025-12")


def line_text(app) -> str:
    return str(app.screen.query_one(JobStatusLine).render())


async def test_caseload_shows_each_job_and_the_failure(desk_store, make_app, settle):
    write_jobs(desk_store)
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(JobStatusLine)
        assert line.display
        text = line_text(app)
        assert text == "jobs: calendars 05:30 ok · digest Mon 07:00 ok · report Thu 06:00 FAILED"
        # the error is there on hovering, as plain text
        assert "No space left on device" in str(line.tooltip)
        assert "[Errno 28]" in str(line.tooltip) and "last ok 2025-12-01 06:00" in str(line.tooltip)


async def test_team_screen_shows_the_jobs_too(desk_store, make_app, settle):
    write_jobs(desk_store, report_fails=False)
    app = make_app(desk_store, "S100")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "TeamScreen"
        assert line_text(app) == "jobs: calendars 05:30 ok · digest Mon 07:00 ok · report Thu 06:00 ok"


async def test_a_missed_nightly_run_is_late(desk_store, make_app, settle):
    # the last calendars run was for Monday 05:30: Tuesday's and Wednesday's are missing
    write_jobs(desk_store, report_fails=False, calendars_at=datetime(2026, 1, 5, 5, 30))
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert line_text(app) == "jobs: calendars Mon 05:30 LATE · digest Mon 07:00 ok · report Thu 06:00 ok"


async def test_reload_reads_the_table_again(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(JobStatusLine)
        assert not line.display          # no job has run: nothing to say to an SLO
        write_jobs(desk_store)
        await pilot.press("f5")
        await settle(pilot)
        assert line.display and "report Thu 06:00 FAILED" in line_text(app)


async def test_no_job_has_run_is_said_to_an_admin(desk_store, make_app, settle):
    app = make_app(desk_store, "A1")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(JobStatusLine)
        assert line.display and line_text(app) == "jobs: the scheduler has not run yet (slo scheduler)"


async def test_the_scheduler_never_runs_in_the_desk(desk_store, make_app, settle, monkeypatch):
    import pathlib

    from slo.scheduler import runner

    calls = []
    monkeypatch.setattr(runner, "run_job", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(runner, "run_due", lambda *a, **k: calls.append(a))
    app = make_app(desk_store, "PC1000")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
    assert calls == []                                   # no job ran
    assert job_status(desk_store.db) == []              # the desk wrote no job row
    # and no desk module imports the scheduler's runner or APScheduler (only its state table)
    tui = pathlib.Path(__file__).resolve().parents[2] / "slo" / "tui"
    for source in tui.rglob("*.py"):
        text = source.read_text()
        assert "apscheduler" not in text, source
        assert "scheduler.runner" not in text and "scheduler import runner" not in text, source


def test_previous_fire_and_when():
    daily, monday, monthly = {"hour": 5, "minute": 30}, {"day_of_week": "mon", "hour": 7, "minute": 0}, {
        "day": 1, "hour": 6, "minute": 0}
    assert previous_fire(daily, NOW) == datetime(2026, 1, 7, 5, 30)
    assert previous_fire(daily, datetime(2026, 1, 7, 5, 0)) == datetime(2026, 1, 6, 5, 30)
    assert previous_fire(monday, NOW) == datetime(2026, 1, 5, 7, 0)
    assert previous_fire(monthly, NOW) == datetime(2026, 1, 1, 6, 0)
    assert previous_fire({"day_of_week": "mon-fri", "hour": 7}, NOW) is None
    assert previous_fire({"second": 5}, NOW) is None
    assert when_text(None, NOW) == "never"
    assert when_text(datetime(2026, 1, 7, 5, 30), NOW) == "05:30"
    assert when_text(datetime(2026, 1, 5, 7, 0), NOW) == "Mon 07:00"
    assert when_text(datetime(2025, 12, 1, 6, 0), NOW) == "01 Dec 2025"
    assert when_text(datetime(2026, 1, 1, 6, 0), datetime(2026, 3, 1)) == "01 Jan"


def test_text_for_no_jobs_and_unknown_jobs(store):
    assert str(job_status_text([], NOW)) == "jobs: the scheduler has not run yet (slo scheduler)"
    with store.write() as db:
        record_success(db, "retention_review", datetime(2026, 1, 7, 2, 0), datetime(2026, 1, 7, 2, 1), 1, "ok")
    assert str(job_status_text(job_status(store.db), NOW)) == "jobs: retention review 02:01 ok"
