"""Benchmark: the continuity report for one academic year against raw SQL aggregates (the yardstick).

    python benchmarks/bench_report.py DB [DB ...] [--from 2025-09-01 --to 2026-08-31] [--repeat 3]

Create the databases first, e.g. ``slo --db /tmp/force.db demo --scale force`` and
``slo --db /tmp/national.db demo --scale national``. For each database it times
``build_report`` (force scope, as the admin/system actor: figures + audit row), the json render,
and a set of plain SQL aggregate queries that produce the same headline counts (engagement counts by
officer and status, by school, delivered dates per school, consultations by breakdown, referrals),
then checks that the counts agree and prints the ratio report/yardstick.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date, timedelta

from slo.reports import build_report, render
from slo.services.actors import SYSTEM
from slo.store.db import open_store

#: the officers metrics.md version 2 lists: schools liaison officers in post on a day of the period
SLOS = ("SELECT collar_number FROM officers WHERE role = 'slo' AND start_date <= :to "
        "AND (end_date IS NULL OR end_date >= :a)")

YARDSTICK = {
    # engagement counts per officer and per school, by status/reason (the engagements objects)
    "engagements_by_officer": (
        "SELECT officer, status, cancel_reason, COUNT(*) FROM engagements "
        f"WHERE starts_at >= :a AND starts_at < :b AND officer IN ({SLOS}) GROUP BY officer, status, cancel_reason"),
    "engagements_by_school": (
        "SELECT school, status, cancel_reason, COUNT(*) FROM engagements "
        "WHERE starts_at >= :a AND starts_at < :b GROUP BY school, status, cancel_reason"),
    "engagements_by_young_person": (
        "SELECT young_person, status, cancel_reason, COUNT(*) FROM engagements "
        "WHERE young_person IS NOT NULL AND starts_at >= :a AND starts_at < :b "
        "GROUP BY young_person, status, cancel_reason"),
    # distinct delivered dates per school (what the gaps are computed from)
    "delivered_dates_by_school": (
        "SELECT school, COUNT(DISTINCT substr(starts_at, 1, 10)) FROM engagements "
        "WHERE status = 'delivered' AND starts_at >= :a AND starts_at < :b GROUP BY school"),
    # abstraction and absence rows overlapping the period (the day arithmetic's input)
    "abstractions": (
        "SELECT officer, COUNT(*), SUM(review_status = 'pending') FROM abstractions "
        f"WHERE date_to >= :a AND date_from <= :to AND officer IN ({SLOS}) GROUP BY officer"),
    "absences": "SELECT officer, COUNT(*) FROM absences WHERE date_to >= :a AND date_from <= :to GROUP BY officer",
    "assignments": (
        "SELECT school, COUNT(*) FROM assignments WHERE start_date <= :to AND (end_date IS NULL OR end_date >= :a) "
        "GROUP BY school"),
    # consultations: totals and every breakdown
    "consultations": (
        "SELECT timing, proposed, outcome, COUNT(*) FROM consultations "
        "WHERE consulted_on >= :a AND consulted_on <= :to GROUP BY timing, proposed, outcome"),
    "consultation_reasons": (
        "SELECT j.value, COUNT(*) FROM consultations c, json_each(c.reasons) j "
        "WHERE c.consulted_on >= :a AND c.consulted_on <= :to GROUP BY j.value"),
    "consultation_ethnicity": (
        "SELECT y.ethnicity, y.ethnicity_missing_reason, COUNT(*) FROM consultations c "
        "LEFT JOIN young_people y ON y.ref = c.young_person WHERE c.consulted_on >= :a AND c.consulted_on <= :to "
        "GROUP BY y.ethnicity, y.ethnicity_missing_reason"),
    "referrals": (
        "SELECT partner, COUNT(*), SUM(outcome22) FROM referrals WHERE made_on >= :a AND made_on <= :to "
        "GROUP BY partner"),
}


def yardstick(db, a: date, b: date) -> dict:
    params = {"a": a.isoformat(), "b": (b + timedelta(days=1)).isoformat(), "to": b.isoformat()}
    return {name: db.execute(sql, params).fetchall() for name, sql in YARDSTICK.items()}


def check(report: dict, raw: dict) -> None:
    """The report's counts equal the yardstick's."""
    total = sum(n for *_k, n in raw["engagements_by_officer"])
    assert report["force"]["engagements"]["total"] == total, (report["force"]["engagements"]["total"], total)
    delivered = sum(n for _o, s, _r, n in raw["engagements_by_officer"] if s == "delivered")
    assert report["force"]["engagements"]["delivered"] == delivered
    assert report["force"]["pending_review"] == sum(p or 0 for _o, _n, p in raw["abstractions"])
    assert report["consultations"]["total"] == sum(n for *_k, n in raw["consultations"])
    reasons = dict(raw["consultation_reasons"])
    by_reason = report["consultations"]["by_reason"]
    assert all(by_reason[k] == reasons.get(k, 0) for k in by_reason)
    assert report["consultations"]["referrals"]["total"] == sum(n for _p, n, _o in raw["referrals"])
    assert len(report["young_people"]) == len({yp for yp, *_r in raw["engagements_by_young_person"]})


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dbs", nargs="+")
    parser.add_argument("--from", dest="a", type=date.fromisoformat, default=date(2025, 9, 1))
    parser.add_argument("--to", dest="b", type=date.fromisoformat, default=date(2026, 8, 31))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"period {args.a} .. {args.b}; median of {args.repeat}")
    print(f"{'database':<28}{'officers':>9}{'schools':>9}{'engagements':>13}{'report s':>10}{'json s':>8}"
          f"{'SQL s':>8}{'ratio':>7}")
    for path in args.dbs:
        store = open_store(path, create=False)
        db = store.db
        counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("officers", "schools", "engagements")]
        t_sql, raw = timed(lambda db=db: yardstick(db, args.a, args.b), args.repeat)
        t_rep, report = timed(lambda store=store: build_report(store, SYSTEM, args.a, args.b, as_of=args.b),
                              args.repeat)
        t_json, text = timed(lambda report=report: render(report, "json"), 1)
        check(report, raw)
        json.loads(text)
        print(f"{path[-28:]:<28}{counts[0]:>9,}{counts[1]:>9,}{counts[2]:>13,}{t_rep:>10.2f}{t_json:>8.2f}"
              f"{t_sql:>8.2f}{t_rep / t_sql:>7.1f}")
        store.close()


if __name__ == "__main__":
    main()
