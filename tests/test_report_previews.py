"""The reports preview kept between openings (slo/reports/previews.py, migration m012): kept figures are
current until something the report counts from changes or the day they are counted to moves; the data
version moves on every write to every table the report reads; the scheduler's job keeps them."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers.report_bundle import AS_OF, FROM, TO

from slo.models import Abstraction
from slo.reports import previews
from slo.reports.overview import kept_preview, report_preview
from slo.scheduler.jobs import JOBS, report_previews
from slo.services.abstractions import NEW_REF, record_abstraction
from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied

SLO = Path(__file__).resolve().parents[1] / "slo"
#: the report's code, and the school days (terms) it counts with
READERS = [*(SLO / "reports").glob("*.py"), SLO / "services" / "schooldays.py"]
#: read by the report but not counted from: the evaluation's pseudonym secret (meta), and the kept previews
NOT_COUNTED = {"meta", "report_previews", "data_version"}


def tables_the_report_reads(conn) -> set[str]:
    """Every table named after FROM or JOIN in the report's code that the database has."""
    names = set()
    for path in READERS:
        names |= set(re.findall(r"\b(?:FROM|JOIN)\s+\[?([a-z_]+)", path.read_text()))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return (names & tables) - NOT_COUNTED


def test_every_table_the_report_reads_moves_the_data_version(rstore):
    conn = rstore.conn
    tables = tables_the_report_reads(conn)
    assert {"engagements", "abstractions", "absences", "consultations", "officers", "term_dates"} <= tables
    triggers = {(r[0], r[1]) for r in conn.execute(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'")}
    for table in sorted(tables):
        for operation in ("INSERT", "UPDATE", "DELETE"):
            assert any(t == table and f"AFTER {operation} ON" in sql for t, sql in triggers), (table, operation)
    # and they do move it: an update of a row in each table (rolled back)
    conn.execute("BEGIN")
    try:
        for table in sorted(tables):
            if conn.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone() is None:
                continue
            before = previews.data_version(rstore)
            conn.execute(f"UPDATE [{table}] SET rowid = rowid WHERE rowid = (SELECT min(rowid) FROM [{table}])")
            assert previews.data_version(rstore) == before + 1, table
        before = previews.data_version(rstore)
        conn.execute("DELETE FROM referrals")
        assert previews.data_version(rstore) > before
    finally:
        conn.execute("ROLLBACK")


def test_kept_until_a_change_then_counted_again(rstore):
    s1 = load_actor(rstore.db, "S1")
    assert kept_preview(rstore, s1, FROM, TO, as_of=AS_OF) is None
    first = report_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    kept = kept_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    assert kept is not None and kept.current and kept.figures == first
    assert first["force"]["abstracted_days"] == 3.5  # team T-A over P (tests/test_report_figures.py)

    # P2 (Tue-Sat from 12 January) abstracted for the whole of Wednesday 14th, through the service
    record_abstraction(rstore, s1, Abstraction(ref=NEW_REF, officer="P2", date_from="2026-01-14",
                                               date_to="2026-01-14", portion="full", category="court",
                                               requested_by="Crown Court"))
    stale = kept_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    assert stale is not None and not stale.current and stale.figures == first
    again = report_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    assert again["force"]["abstracted_days"] == 4.5
    fresh = kept_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    assert fresh is not None and fresh.current and fresh.figures == again


def test_counted_to_another_day_is_not_current(rstore):
    s1 = load_actor(rstore.db, "S1")
    report_preview(rstore, s1, FROM, TO, as_of=date(2026, 1, 12))
    kept = kept_preview(rstore, s1, FROM, TO, as_of=date(2026, 1, 13))
    assert kept is not None and not kept.current
    assert kept.figures["period"]["counted_to"] == "2026-01-12"
    # counted to TO either way once the period is over: the same figures
    report_preview(rstore, s1, FROM, TO, as_of=AS_OF)
    later = kept_preview(rstore, s1, FROM, TO, as_of=date(2026, 7, 1))
    assert later is not None and later.current


def test_kept_figures_are_refused_as_counting_them_is(rstore):
    a1, p1, s1 = (load_actor(rstore.db, c) for c in ("A1", "P1", "S1"))
    report_preview(rstore, a1, FROM, TO, "force", as_of=AS_OF)
    assert kept_preview(rstore, a1, FROM, TO, "force", as_of=AS_OF) is not None
    with pytest.raises(PermissionDenied):
        kept_preview(rstore, p1, FROM, TO, "force", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        kept_preview(rstore, s1, FROM, TO, "force", as_of=AS_OF)
    # each actor's own scope is kept under its own name: the SLO's default is their own figures
    report_preview(rstore, p1, FROM, TO, as_of=AS_OF)
    scopes = {r[0] for r in rstore.conn.execute("SELECT scope FROM report_previews")}
    assert scopes == {"force", "officer:P1"}


def test_kept_figures_hold_no_child(rstore):
    a1 = load_actor(rstore.db, "A1")
    report_preview(rstore, a1, FROM, TO, "force", as_of=AS_OF)
    text = rstore.conn.execute("SELECT figures FROM report_previews").fetchone()[0]
    refs = [r[0] for r in rstore.conn.execute("SELECT ref FROM young_people")]
    names = [n for r in rstore.conn.execute("SELECT given_name, family_name FROM young_people") for n in r]
    assert refs and names
    for word in refs + names:
        assert word not in text


def test_the_scheduler_keeps_the_force_and_every_team(rstore, tmp_path):
    job = next(j for j in JOBS if j.name == "report_previews")
    assert job.run is report_previews
    fire = datetime(2026, 1, 15, 5, 45)
    exports = tmp_path / "exports"
    summary = report_previews(rstore, exports, fire)
    teams = [r[0] for r in rstore.conn.execute("SELECT ref FROM teams ORDER BY ref")]
    assert summary == f"{1 + len(teams)} report preview(s) counted, 0 already current"
    kept = {r[0]: r[1] for r in rstore.conn.execute("SELECT scope, made_at FROM report_previews")}
    assert set(kept) == {"force", *(f"team:{t}" for t in teams)}
    assert set(kept.values()) == {"2026-01-15 05:45:00"}
    # a rerun for the same time counts nothing, and writes no file
    assert report_previews(rstore, exports, fire) == f"0 report preview(s) counted, {1 + len(teams)} already current"
    assert not exports.exists()
    # what the desk asks on opening that day is current
    a1 = load_actor(rstore.db, "A1")
    from slo.reports.overview import period_choices

    _label, a, b = period_choices(fire.date())["this_term"]
    kept_now = kept_preview(rstore, a1, a, b, "force", as_of=fire.date())
    assert kept_now is not None and kept_now.current


def test_held_by_another_writer_the_figures_are_counted_and_nothing_is_kept(rstore, db_path, monkeypatch):
    import sqlite3

    from slo.store import db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 50)
    store = store_db.Store(db_path)
    s1 = load_actor(store.db, "S1")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        figures = report_preview(store, s1, FROM, TO, as_of=AS_OF)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert figures["force"]["abstracted_days"] == 3.5
    assert kept_preview(store, s1, FROM, TO, as_of=AS_OF) is None
    store.close()


def test_looking_at_records_does_not_move_the_data_version(rstore):
    """Views are audited (a row in the audit log each) but change nothing the report counts: the kept
    figures stay current while people read."""
    from slo.services.queries.school import school_detail
    from slo.services.queries.young_person import young_person

    p1 = load_actor(rstore.db, "P1")
    before = previews.data_version(rstore)
    audited = rstore.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    school_detail(rstore, p1, "100001", first_page=20)
    young_person(rstore, p1, "YP1")
    assert rstore.conn.execute("SELECT count(*) FROM audit").fetchone()[0] > audited
    assert previews.data_version(rstore) == before
