"""Scheduled jobs with a fake clock, the single-scheduler lock, SIGTERM, idempotence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from slo.cli.main import main
from slo.scheduler import runner, state
from slo.scheduler.jobs import JOBS, previous_month
from slo.services.bundle import import_bundle
from slo.store.db import open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sched(tmp_path, small_bundle):
    path = tmp_path / "s.db"
    store = open_store(path)
    import_bundle(store, small_bundle, None)
    yield store, tmp_path / "exports"
    store.close()


def names(results):
    return sorted(r.job for r in results)


def test_latest_fire_time_is_in_london_time_across_the_clock_change():
    calendars = next(j for j in JOBS if j.name == "calendars")
    # 29 March 2026 is the spring change: 05:30 London is 04:30 UTC that day
    assert runner.latest_fire_time(calendars, datetime(2026, 3, 29, 6, 0)) == datetime(2026, 3, 29, 5, 30)
    assert runner.latest_fire_time(calendars, datetime(2026, 3, 29, 5, 29)) == datetime(2026, 3, 28, 5, 30)
    digest = next(j for j in JOBS if j.name == "team_digest")
    # Friday 27 November 2026 -> Monday 23 November 07:00
    assert runner.latest_fire_time(digest, datetime(2026, 11, 27, 12, 0)) == datetime(2026, 11, 23, 7, 0)
    monthly = next(j for j in JOBS if j.name == "monthly_report")
    assert runner.latest_fire_time(monthly, datetime(2026, 11, 1, 5, 59)) == datetime(2026, 10, 1, 6, 0)


def test_first_start_every_job_is_due(sched):
    store, exports = sched
    due = runner.due_jobs(store, datetime(2026, 11, 27, 9, 0))
    assert sorted(j.name for j, _ in due) == sorted(j.name for j in JOBS)


def test_catch_up_after_a_missed_night_runs_once(sched, monkeypatch):
    store, exports = sched
    ran = []
    monkeypatch.setattr(runner, "JOBS", [j for j in JOBS if j.name == "calendars"])
    original = runner.run_job

    def spy(store_, exports_, job, fire):
        ran.append(fire)
        return original(store_, exports_, job, fire)

    monkeypatch.setattr(runner, "run_job", spy)
    runner.run_due(store, exports, datetime(2026, 11, 23, 6, 0))  # Monday morning: ran
    assert ran == [datetime(2026, 11, 23, 5, 30)]
    # laptop closed Monday 06:00 until Thursday 10:00: three nights missed, one run (the latest)
    runner.run_due(store, exports, datetime(2026, 11, 26, 10, 0))
    assert ran == [datetime(2026, 11, 23, 5, 30), datetime(2026, 11, 26, 5, 30)]
    # same morning again: nothing is due
    assert runner.run_due(store, exports, datetime(2026, 11, 26, 11, 0)) == []
    assert state.last_fire_time(store.db, "calendars") == datetime(2026, 11, 26, 5, 30)


def test_second_once_rewrites_nothing(sched, capsys):
    store, exports = sched
    db_path = str(store.path)
    store.close()
    args = ["--db", db_path, "--exports", str(exports), "scheduler", "--once", "--now", "2026-11-27T09:00"]
    assert main(args) == 0, capsys.readouterr().err
    files = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in exports.rglob("*") if p.is_file()}
    assert any(p.suffix == ".ics" for p in files)
    assert any(p.name.startswith("NHT-North-2026-11-23") for p in files)
    assert any(p.name.startswith("continuity-2026-10") for p in files)
    # the same fire times again (forced by clearing the record): same files, untouched
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM jobs")
    conn.commit()
    audit_before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    conn.close()
    time.sleep(0.01)
    assert main(args) == 0
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in exports.rglob("*") if p.is_file()}
    assert after == files
    conn = sqlite3.connect(db_path)
    exports_audited = conn.execute(
        "SELECT count(*) FROM audit WHERE id > ? AND operation IN ('export', 'disclosure')", [audit_before]
    ).fetchone()[0]
    assert exports_audited == 0


def test_failed_job_is_recorded_and_retried(sched, monkeypatch):
    store, exports = sched
    from slo.scheduler import jobs as jobs_module

    boom = jobs_module.Job("boom", "always fails", {"hour": 6, "minute": 0}, lambda s, e, f: 1 / 0)
    monkeypatch.setattr(runner, "JOBS", [boom])
    results = runner.run_due(store, exports, datetime(2026, 11, 27, 9, 0))
    assert [r.ok for r in results] == [False]
    status = {s.name: s for s in state.job_status(store.db)}
    assert status["boom"].last_status == "failed" and "ZeroDivisionError" in status["boom"].last_error
    # still due next time (it never succeeded)
    assert [j.name for j, _ in runner.due_jobs(store, datetime(2026, 11, 27, 10, 0))] == ["boom"]


def test_digest_names_no_child_and_lists_cancellations(sched):
    store, exports = sched
    from slo.scheduler.jobs import team_digest_text

    text = team_digest_text(store.db, "NHT-North", "North", datetime(2026, 1, 12).date())
    assert "ABS-1" in text and "ENG-2" in text
    assert "a young person's 1:1 session" in text
    assert "Alex" not in text and "Morgan" not in text


def test_previous_month():
    assert previous_month(datetime(2026, 1, 1).date()) == (datetime(2025, 12, 1).date(), datetime(2025, 12, 31).date())


def _start_daemon(db: Path, exports: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "slo", "--db", str(db), "--exports", str(exports), "scheduler"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(proc: subprocess.Popen, needle: str, timeout: float = 60) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not seen in:\n{seen}")


def test_lock_refuses_a_second_scheduler_and_sigterm_stops_cleanly(sched):
    store, exports = sched
    db = store.path
    store.close()
    first = _start_daemon(db, exports)
    try:
        _wait_for(first, "next team_digest")
        second = subprocess.run(
            [sys.executable, "-m", "slo", "--db", str(db), "scheduler", "--once"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60,
        )
        assert second.returncode == 1
        assert "another scheduler is already running" in second.stderr
        assert "Traceback" not in second.stderr
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=30)
        assert first.returncode == 0, err
        assert "scheduler stopped" in err
    finally:
        if first.poll() is None:
            first.kill()
    # the lock is free again
    again = subprocess.run(
        [sys.executable, "-m", "slo", "--db", str(db), "--exports", str(exports), "scheduler", "--once"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60,
    )
    assert again.returncode == 0, again.stderr


# ---------------------------------------------------------------- issue 18 item 16: the lock, SIGTERM


def _spellings(db: Path, tmp: Path) -> dict[str, Path]:
    """Other names of the same database file: a symlink, a hard link, a symlinked folder, dot segments."""
    links = tmp / "links"
    links.mkdir(exist_ok=True)
    out = {}
    sym = links / "sym.db"
    if not sym.exists():
        sym.symlink_to(db)
    out["symlink"] = sym
    hard = links / "hard.db"
    if not hard.exists():
        os.link(db, hard)
    out["hard link"] = hard
    folder = links / "folder"
    if not folder.exists():
        folder.symlink_to(db.parent, target_is_directory=True)
    out["symlinked folder"] = folder / db.name
    out["dot segments"] = db.parent / "." / ".." / db.parent.name / db.name
    out["relative"] = Path(os.path.relpath(db))
    out["double slash"] = Path(str(db.parent) + "//" + db.name)
    return out


@pytest.mark.parametrize("first_as", ["path", "symlink", "hard link", "symlinked folder", "dot segments",
                                      "relative", "double slash"])
def test_the_lock_is_on_the_file_whatever_its_name(sched, tmp_path, first_as):
    store, _ = sched
    names = {"path": store.path, **_spellings(store.path, tmp_path)}
    with runner.SchedulerLock(names[first_as]):
        for path in names.values():
            with pytest.raises(runner.SchedulerLocked, match="another scheduler is already running"):
                runner.SchedulerLock(path).acquire()
    # released: any name can take it again
    with runner.SchedulerLock(names["symlink"]):
        pass


def test_a_second_scheduler_through_a_symlink_is_refused(sched, tmp_path):
    store, exports = sched
    db = store.path
    store.close()
    link = tmp_path / "other-name.db"
    link.symlink_to(db)
    first = _start_daemon(db, exports)
    try:
        _wait_for(first, "next team_digest")
        second = subprocess.run(
            [sys.executable, "-m", "slo", "--db", str(link), "scheduler", "--once"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60,
        )
        assert second.returncode == 1, second.stderr
        assert f"another scheduler is already running on this database (pid {first.pid})" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)


@pytest.fixture(scope="module")
def force_db(tmp_path_factory) -> Path:
    """The force demo: its first catch-up writes about 1,000 calendars (several seconds)."""
    path = tmp_path_factory.mktemp("force") / "force.db"
    done = subprocess.run([sys.executable, "-m", "slo", "demo", "--scale", "force", "--db", str(path)],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize("once", [False, True])
def test_sigterm_during_the_first_catch_up_stops_at_once(force_db, tmp_path, once):
    import shutil

    db = tmp_path / "f.db"
    shutil.copyfile(force_db, db)
    exports = tmp_path / "exports"
    argv = [sys.executable, "-m", "slo", "--db", str(db), "--exports", str(exports), "scheduler"]
    proc = subprocess.Popen(argv + (["--once"] if once else []), cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = _wait_for(proc, "running calendars")
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = seen + err
    assert proc.returncode == (1 if once else 0), err
    assert "received SIGTERM; stopped" in err and "Traceback" not in err
    assert "calendars done" not in err and "running admin_digest" not in err and "next team_digest" not in err
    assert took < 10, took
    # nothing half-written is left: no temporary calendar, the database checks ok, calendars still due
    assert not list(exports.rglob(".tmp-*")) and not list(exports.rglob("*.tmp"))
    assert main(["--db", str(db), "check"]) == 0
    store = open_store(db)
    assert state.last_fire_time(store.db, "calendars") is None
    store.close()


# ---------------------------------------------------------------- issue 20 item 4: streamed report files


def test_streamed_report_files_are_the_rendered_reports_and_unchanged_ones_stay(sched):
    from slo.reports import build_report, render
    from slo.scheduler.jobs import monthly_reports
    from slo.services.actors import SYSTEM

    store, exports = sched
    fire = datetime(2026, 2, 1, 6, 0)
    assert monthly_reports(store, exports, fire) == "3 report file(s) written for 2026-01"
    folder = exports / "reports"
    for name, evaluation, start in (("continuity-2026-01.json", False, "2026-01-01"),
                                    ("evaluation-2025-09-01-to-2026-01-31.json", True, "2025-09-01")):
        report = build_report(store, SYSTEM, datetime.fromisoformat(start).date(), datetime(2026, 1, 31).date(),
                              evaluation=evaluation, audited=False, as_of=fire.date())
        report.pop("_audit_detail", None)
        report["generated_at"] = fire.isoformat(timespec="seconds")
        assert (folder / name).read_bytes() == render(report, "json").encode("utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    time.sleep(0.01)
    assert monthly_reports(store, exports, fire) == "0 report file(s) written for 2026-01"
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # no temporary left either
