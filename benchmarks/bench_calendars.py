"""Benchmark of the head teachers' calendar export, side by side with icalendar's own build-and-serialise.

    python benchmarks/bench_calendars.py [--scale force|national] [--db PATH] [--repeat N]
                                         [--yardstick-schools N]

Builds (or copies, with --db) a demo database of the given scale, then, ``--repeat`` times on a fresh
copy of it (interleaved, so a busy machine hurts both sides alike):

1. **export**: the first export of every school's calendar (query, build and serialise with
   icalendar, hash, write the files, audit), wall and CPU time;
2. **yardstick**: icalendar's own build-and-serialise of the same events, built the straightforward
   way (``Calendar.new``, ``Event.new`` per event, ``add_missing_timezones(first_date, last_date)``,
   ``to_ical``), from values prepared beforehand (sanitised text, aware times), so it times
   icalendar alone: no query, no hashing, no files;
3. **builder**: :func:`slo.calendars.ics.render_calendar` alone on the same events.

It prints the median of each and the ratio export/yardstick (the target is 1.2x or less), then,
on the last copy: a run with nothing changed (in this process, and in a fresh Python process as
``slo export calendars`` would run it) and a run after one engagement changed.

With ``--yardstick-schools N`` the yardstick and the builder cover the first N schools only (the
yardstick takes minutes at national scale) and the ratio compares time per event.

Speed is measured here, never in the tests.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from slo.calendars import export_calendars
from slo.calendars.export import _schools, _versions, build_events, calendar_title, window_start
from slo.calendars.ics import LONDON, PRODID, calendar_label, render_calendar, sanitise, uid_for
from slo.services.actors import SYSTEM
from slo.store.db import open_store

TODAY = date(2026, 11, 27)
TARGET = 1.2

#: a no-change run in a fresh interpreter: what `slo export calendars` does after parsing its arguments
FRESH_PROCESS = """
import sys, time
from datetime import date
from slo.calendars import export_calendars
from slo.services.actors import SYSTEM
from slo.store.db import open_store
store = open_store(sys.argv[1])
result = export_calendars(store, SYSTEM, sys.argv[2], today=date.fromisoformat(sys.argv[3]))
assert not result.written, result.written
"""


def make_demo(scale: str, path: Path) -> None:
    from slo.services.demo import build_demo

    started = time.perf_counter()
    build_demo(path, scale=scale, seed=1, today=TODAY)
    print(f"demo {scale}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)


class Clock:
    """Wall and CPU time of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def load_events(db_path: Path, limit_schools: int | None):
    """The events the export would write, per school, as the builder takes them (outside any timing)."""
    store = open_store(db_path)
    try:
        db = store.db
        cutoff = window_start(TODAY).isoformat()
        versions = _versions(db, None)
        states = _schools(db, sorted(versions), versions)
        urns = sorted(states)[:limit_schools] if limit_schools else sorted(states)
        by_school = {}
        for i in range(0, len(urns), 200):
            by_school.update(build_events(db, urns[i : i + 200], cutoff, states))
        return [(calendar_title(states[u].name), by_school[u]) for u in urns if by_school[u]]
    finally:
        store.close()


def yardstick_inputs(schools):
    """Per school: (name, [Event.new keyword arguments]): the same values the export writes."""
    out = []
    for title, events in schools:
        out.append((calendar_label(title), [
            dict(
                uid=uid_for(e.ref),
                start=e.starts_at.replace(tzinfo=LONDON),
                end=e.ends_at.replace(tzinfo=LONDON),
                stamp=e.stamp.replace(tzinfo=LONDON).astimezone(UTC),
                sequence=e.sequence,
                summary=sanitise(e.summary) or "Police schools liaison",
                location=sanitise(e.location),
                description="\n".join(sanitise(line) for line in e.description),
                status="CANCELLED" if e.cancelled else "CONFIRMED",
            )
            for e in events
        ]))
    return out


def icalendar_yardstick(inputs) -> int:
    """icalendar's straightforward build + serialise of every school's calendar; returns the bytes made."""
    import icalendar

    size = 0
    for name, events in inputs:
        cal = icalendar.Calendar.new(name=name, prodid=PRODID, method="PUBLISH")
        for kw in events:
            cal.add_component(icalendar.Event.new(**kw))
        first = min(kw["start"].year for kw in events)
        last = max(kw["end"].year for kw in events)
        cal.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
        size += len(cal.to_ical())
    return size


def builder_alone(schools) -> int:
    return sum(len(render_calendar(title, events)) for title, events in schools)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="force", choices=["small", "force", "national"])
    parser.add_argument("--db", type=Path, help="an existing demo database (copied, never changed)")
    parser.add_argument("--repeat", type=int, default=3, help="first export + yardstick rounds (median shown)")
    parser.add_argument("--yardstick-schools", type=int, default=None,
                        help="limit the yardstick and the builder to this many schools (slow at national scale)")
    args = parser.parse_args(argv)

    import icalendar  # imported before any timing, for both sides

    work = Path(tempfile.mkdtemp(prefix="bench-calendars-"))
    try:
        base = work / "base.db"
        if args.db:
            shutil.copyfile(args.db, base)
        else:
            make_demo(args.scale, base)
        schools = load_events(base, args.yardstick_schools)
        inputs = yardstick_inputs(schools)
        yard_events = sum(len(events) for _title, events in schools)

        exp_wall, exp_cpu, yard_wall, yard_cpu, own_wall, own_cpu = [], [], [], [], [], []
        for round_ in range(args.repeat):
            db_path = work / f"run{round_}.db"
            shutil.copyfile(base, db_path)
            exports = work / f"exports{round_}"
            store = open_store(db_path)
            with Clock() as c:
                first = export_calendars(store, SYSTEM, exports, today=TODAY)
            store.close()
            exp_wall.append(c.wall)
            exp_cpu.append(c.cpu)
            with Clock() as c:
                icalendar_yardstick(inputs)
            yard_wall.append(c.wall)
            yard_cpu.append(c.cpu)
            with Clock() as c:
                builder_alone(schools)
            own_wall.append(c.wall)
            own_cpu.append(c.cpu)
            print(f"  round {round_ + 1}: export {exp_wall[-1]:.2f} s, yardstick {yard_wall[-1]:.2f} s, "
                  f"builder {own_wall[-1]:.2f} s (wall)", file=sys.stderr)

        events = first.events
        t_exp, t_yard, t_own = median(exp_wall), median(yard_wall), median(own_wall)
        print(f"first export: {len(first.written):,} files, {events:,} events in {t_exp:.2f} s wall, "
              f"{median(exp_cpu):.2f} s CPU ({events / t_exp:,.0f} events/s), median of {args.repeat}")
        print(f"yardstick (icalendar {icalendar.__version__}: Calendar.new, Event.new, add_missing_timezones, "
              f"to_ical): {yard_events:,} events in {t_yard:.2f} s wall, {median(yard_cpu):.2f} s CPU "
              f"({yard_events / t_yard:,.0f} events/s)")
        print(f"builder alone (slo.calendars.ics.render_calendar, icalendar): {yard_events:,} events in "
              f"{t_own:.2f} s wall, {median(own_cpu):.2f} s CPU ({yard_events / t_own:,.0f} events/s)")
        per_event = events / yard_events  # 1 unless the yardstick is limited
        ratio_wall = t_exp / (t_yard * per_event)
        ratio_cpu = median(exp_cpu) / (median(yard_cpu) * per_event)
        verdict = "within" if max(ratio_wall, ratio_cpu) <= TARGET else "OVER"
        print(f"ratio export / yardstick: {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x CPU "
              f"({verdict} the {TARGET}x target); builder / yardstick: {t_own / t_yard:.2f}x wall, "
              f"{median(own_cpu) / median(yard_cpu):.2f}x CPU")

        # on the last copy: nothing changed, then one engagement changed
        store = open_store(db_path)
        quiet_times = []
        for _ in range(3):
            with Clock() as c:
                quiet = export_calendars(store, SYSTEM, exports, today=TODAY)
            quiet_times.append(c.wall)
        print(f"no-change rerun: {len(quiet.written)} written, {quiet.unchanged:,} unchanged in "
              f"{median(quiet_times):.3f} s (median of 3)")
        fresh = []
        for _ in range(3):
            with Clock() as c:
                subprocess.run([sys.executable, "-c", FRESH_PROCESS, str(db_path), str(exports), TODAY.isoformat()],
                               check=True)
            fresh.append(c.wall)
        print(f"no-change rerun in a fresh Python process (start-up, imports, open, export): "
              f"{median(fresh):.2f} s (median of 3)")

        with store.write() as db:
            ref = db.execute(
                "SELECT ref FROM engagements WHERE starts_at >= ? ORDER BY ref LIMIT 1",
                [window_start(TODAY).isoformat()],  # one the file shows (a database may end before TODAY)
            ).fetchone()[0]
            db.execute("UPDATE engagements SET title = title || ' (moved)', sequence = sequence + 1, "
                       "updated_at = ? WHERE ref = ?", [datetime(2026, 11, 27, 12).isoformat(), ref])
        with Clock() as c:
            one = export_calendars(store, SYSTEM, exports, today=TODAY)
        print(f"one engagement changed: {len(one.written)} written, {one.unchanged:,} unchanged in {c.wall:.3f} s")
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
