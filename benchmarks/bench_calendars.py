"""Benchmark of the head teachers' calendar export.

    python benchmarks/bench_calendars.py [--scale force|national] [--db PATH] [--keep]

Builds (or reuses, with --db) a demo database of the given scale, then measures:

1. the first export of every school's calendar (all files written);
2. a second run with nothing changed (should touch no file and return at once);
3. a run after one engagement changed (one file rewritten);
4. the yardstick: icalendar's own build-and-serialise time for the same events
   (``Calendar.new`` + ``Event.new`` + ``add_missing_timezones`` + ``to_ical``
   per school), and the ratio of our events/s to it.

Speed is measured here, never in the tests. Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from slo.calendars import export_calendars
from slo.calendars.export import _schools, _versions, build_events, calendar_title, window_start
from slo.calendars.ics import PRODID, TZID, uid_for
from slo.services.actors import SYSTEM
from slo.store.db import open_store

TODAY = date(2026, 11, 27)


def make_demo(scale: str, path: Path) -> None:
    from slo.services.demo import build_demo

    started = time.perf_counter()
    build_demo(path, scale=scale, seed=1, today=TODAY)
    print(f"demo {scale}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def icalendar_yardstick(store, limit_schools: int | None = None) -> tuple[int, float]:
    """icalendar's own build + serialise for the same events as the export (same data, same fields)."""
    from zoneinfo import ZoneInfo

    import icalendar

    london = ZoneInfo(TZID)
    db = store.db
    cutoff = window_start(TODAY).isoformat()
    states = _schools(db, sorted(_versions(db, None)), _versions(db, None))
    urns = sorted(states)[:limit_schools] if limit_schools else sorted(states)
    events_by_school = {}
    for i in range(0, len(urns), 200):
        events_by_school.update(build_events(db, urns[i : i + 200], cutoff, states))
    count = sum(len(v) for v in events_by_school.values())
    started = time.perf_counter()
    for urn in urns:
        evs = events_by_school[urn]
        if not evs:
            continue
        cal = icalendar.Calendar.new(name=calendar_title(states[urn].name), prodid=PRODID, method="PUBLISH")
        for e in evs:
            ev = icalendar.Event.new(
                uid=uid_for(e.ref),
                start=e.starts_at.replace(tzinfo=london),
                end=e.ends_at.replace(tzinfo=london),
                summary=e.summary,
                location=e.location,
                description="\n".join(e.description),
                sequence=e.sequence,
                stamp=e.stamp.replace(tzinfo=london),
                status="CANCELLED" if e.cancelled else "CONFIRMED",
            )
            cal.add_component(ev)
        first = min(e.starts_at.year for e in evs)
        last = max(e.ends_at.year for e in evs)
        cal.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
        cal.to_ical()
    t_ical = time.perf_counter() - started
    from slo.calendars.ics import render_calendar

    started = time.perf_counter()
    for urn in urns:
        if events_by_school[urn]:
            render_calendar(calendar_title(states[urn].name), events_by_school[urn])
    return count, t_ical, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--scale", default="force", choices=["small", "force", "national"])
    parser.add_argument("--db", type=Path, help="an existing demo database (copied, never changed)")
    parser.add_argument("--yardstick-schools", type=int, default=None,
                        help="limit the icalendar yardstick to this many schools (it is slow at national scale)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-calendars-"))
    try:
        db_path = work / "slo.db"
        if args.db:
            shutil.copyfile(args.db, db_path)
        else:
            make_demo(args.scale, db_path)
        exports = work / "exports"
        store = open_store(db_path)

        started = time.perf_counter()
        first = export_calendars(store, SYSTEM, exports, today=TODAY)
        t_first = time.perf_counter() - started
        rate = first.events / t_first if t_first else 0.0
        print(f"first export: {len(first.written):,} files, {first.events:,} events in {t_first:.2f} s "
              f"({rate:,.0f} events/s)")

        started = time.perf_counter()
        quiet = export_calendars(store, SYSTEM, exports, today=TODAY)
        t_quiet = time.perf_counter() - started
        print(f"no-change rerun: {len(quiet.written)} written, {quiet.unchanged:,} unchanged in {t_quiet:.3f} s")

        with store.write() as db:
            ref = db.execute(
                "SELECT ref FROM engagements WHERE starts_at >= ? ORDER BY ref LIMIT 1", [TODAY.isoformat()]
            ).fetchone()[0]
            db.execute("UPDATE engagements SET title = title || ' (moved)', sequence = sequence + 1, "
                       "updated_at = ? WHERE ref = ?", [datetime(2026, 11, 27, 12).isoformat(), ref])
        started = time.perf_counter()
        one = export_calendars(store, SYSTEM, exports, today=TODAY)
        t_one = time.perf_counter() - started
        print(f"one engagement changed: {len(one.written)} written, {one.unchanged:,} unchanged in {t_one:.3f} s")

        count, t_ical, t_ours = icalendar_yardstick(store, args.yardstick_schools)
        ical_rate = count / t_ical if t_ical else 0.0
        ours_rate = count / t_ours if t_ours else 0.0
        print(f"yardstick (icalendar {__import__('icalendar').__version__} build+serialise): {count:,} events "
              f"in {t_ical:.2f} s ({ical_rate:,.0f} events/s)")
        print(f"slo serialiser alone, same events: {t_ours:.2f} s ({ours_rate:,.0f} events/s)")
        if ical_rate:
            print(f"ratio: whole slo export (query, build, hash, write files, audit) {rate / ical_rate:.1f}x "
                  f"icalendar's build+serialise; serialiser against serialiser {ours_rate / ical_rate:.1f}x")
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
