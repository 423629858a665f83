"""Booking without a silent clash, and absences that cancel: what they cost on a large database.

    python benchmarks/bench_booking.py --db bench/national.db

Works on a copy of the database given (nothing is written to it). Prints: the clash check the
engagement form runs in a worker on every change (``clashes.check_booking``, median and max over
the busiest officer's planned engagements); the absence form's preview of a week; recording that
week as sickness (every planned session cancelled in one transaction); and correcting it back to
one day (the sessions of the other days planned again).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from dbcopy import copy_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("SLO_CONFIG_DIR", tempfile.mkdtemp(prefix="slo-bench-config-"))
    work = copy_database(args.db, Path(tempfile.mkdtemp(prefix="slo-bench-booking-")) / "copy.db")

    from slo.models import Absence, Engagement
    from slo.services import absences, clashes
    from slo.services.actors import load_actor
    from slo.store.db import open_store

    store = open_store(work)
    db = store.db
    total = db.execute("SELECT count(*) FROM engagements").fetchone()[0]
    officer, day, n = db.execute(
        "SELECT officer, substr(starts_at, 1, 10) AS d, count(*) FROM engagements WHERE status = 'planned' "
        "GROUP BY officer, d ORDER BY count(*) DESC, officer, d LIMIT 1").fetchone()
    actor = load_actor(db, officer)
    rows = db.execute("SELECT ref, school, starts_at, ends_at FROM engagements WHERE officer = ? AND status = "
                      "'planned' ORDER BY starts_at LIMIT ?", [officer, args.rounds]).fetchall()
    times, found = [], 0
    for _ref, school, starts, ends in rows:
        e = Engagement(ref="new", officer=officer, school=school, kind="visit", title="School visit",
                       starts_at=starts, ends_at=ends, status="planned")
        started = time.perf_counter()
        found += len(clashes.check_booking(store, actor, e))
        times.append(time.perf_counter() - started)
    print(f"engagements: {total:,}; officer {officer}, busiest day {day} ({n} planned)")
    first_call, rest = times[0], times[1:] or times
    print(f"clash check per change (form worker): first {first_call * 1000:.0f} ms (imports the bank holidays), "
          f"then median {statistics.median(rest) * 1000:.2f} ms, max {max(rest) * 1000:.2f} ms over "
          f"{len(rest)} bookings ({found} clashes named)")

    first = datetime.fromisoformat(day).date()
    week = Absence(officer=officer, date_from=first, date_to=first + timedelta(days=6), kind="sickness")
    started = time.perf_counter()
    p = absences.preview(store, actor, week)
    preview_ms = (time.perf_counter() - started) * 1000
    print(f"absence preview of a week: {preview_ms:.1f} ms ({len(p.cancels)} sessions it would cancel)")
    now = datetime.combine(first, datetime.min.time())
    started = time.perf_counter()
    done = absences.record_absence(store, actor, week, now=now)
    record_ms = (time.perf_counter() - started) * 1000
    print(f"record a week's sickness: {record_ms:.1f} ms ({len(done.cancelled)} cancelled, "
          f"{len(done.let_down)} young people let down), one transaction")
    one_day = Absence(officer=officer, date_from=first, date_to=first, kind="sickness")
    started = time.perf_counter()
    back = absences.record_absence(store, actor, one_day, replaces=week.key(), now=now)
    correct_ms = (time.perf_counter() - started) * 1000
    print(f"correct it to one day: {correct_ms:.1f} ms ({len(back.reinstated)} planned again, "
          f"{len(back.not_reinstated)} left to rebook)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
