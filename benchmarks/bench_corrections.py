"""Correcting a record: what the history costs on a large database.

    python benchmarks/bench_corrections.py --db bench/national.db

Works on a copy of the database given (nothing is written to it). Prints, as medians over
``--rounds`` records of the busiest officer: moving a planned visit by an hour
(``engagements.save_engagement``: validated, audited, calendar SEQUENCE raised, one history row),
the same with the history row left out (what the history adds), correcting a consultation's advice
and follow-up (``consultations.log_consultation``), opening a record with its history
(``queries.record.record_detail``, the record screen's read model) and deleting a mistaken visit
(``records.delete``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from dbcopy import copy_database


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("SLO_CONFIG_DIR", tempfile.mkdtemp(prefix="slo-bench-config-"))
    work = copy_database(args.db, Path(tempfile.mkdtemp(prefix="slo-bench-corrections-")) / "copy.db")

    from slo.models import Consultation, Engagement
    from slo.services import consultations, engagements, history, records
    from slo.services.actors import load_actor
    from slo.services.queries.record import record_detail
    from slo.store.db import open_store

    store = open_store(work)
    db = store.db
    print(f"engagements: {db.execute('SELECT count(*) FROM engagements').fetchone()[0]:,}; "
          f"consultations: {db.execute('SELECT count(*) FROM consultations').fetchone()[0]:,}; "
          f"history rows: {db.execute('SELECT count(*) FROM history').fetchone()[0]:,}")
    (officer,) = db.execute("SELECT officer FROM engagements WHERE status = 'planned' GROUP BY officer "
                            "ORDER BY count(*) DESC, officer LIMIT 1").fetchone()
    actor = load_actor(db, officer)
    refs = [r[0] for r in db.execute("SELECT ref FROM engagements WHERE officer = ? AND status = 'planned' "
                                     "ORDER BY starts_at LIMIT ?", [officer, args.rounds * 3])]

    def move(ref: str) -> float:
        e = engagements.get_engagement(db, ref)
        moved = Engagement.model_validate({**e.model_dump(), "starts_at": e.starts_at + timedelta(minutes=5),
                                           "ends_at": e.ends_at + timedelta(minutes=5)})
        started = time.perf_counter()
        engagements.save_engagement(store, actor, moved)
        return time.perf_counter() - started

    block = len(refs) // 3
    with_history = [move(ref) for ref in refs[:block]]
    keep = history.record_change
    history.record_change = lambda *a, **k: None  # type: ignore[assignment]
    try:
        without = [move(ref) for ref in refs[block:2 * block]]
    finally:
        history.record_change = keep
    print(f"move a visit ({len(with_history)}): {_ms(with_history)}")
    print(f"  the same without its history row ({len(without)}): {_ms(without)}")

    cons = [r[0] for r in db.execute("SELECT ref FROM consultations WHERE officer = ? ORDER BY ref LIMIT ?",
                                     [officer, args.rounds])]
    if not cons:
        (co,) = db.execute("SELECT officer FROM consultations GROUP BY officer ORDER BY count(*) DESC LIMIT 1"
                           ).fetchone()
        cons = [r[0] for r in db.execute("SELECT ref FROM consultations WHERE officer = ? LIMIT ?",
                                         [co, args.rounds])]
    con_actor = load_actor(db, consultations.get_consultation(db, cons[0]).officer)
    times = []
    for ref in cons:
        c = consultations.get_consultation(db, ref)
        fixed = Consultation.model_validate({**c.model_dump(), "advice": (c.advice or "") + " (corrected)",
                                             "follow_up_on": c.consulted_on + timedelta(days=14)})
        started = time.perf_counter()
        consultations.log_consultation(store, con_actor, fixed)
        times.append(time.perf_counter() - started)
    print(f"correct a consultation ({len(times)}): {_ms(times)}")

    times = []
    for ref in cons:
        started = time.perf_counter()
        record_detail(store, con_actor, "consultations", ref)
        times.append(time.perf_counter() - started)
    print(f"open a consultation with its history (record screen, view audited; {len(times)}): {_ms(times)}")

    times = []
    for ref in refs[2 * block:]:
        if records.why_not_deletable(db, records.get(db, "engagements", ref)):
            continue
        started = time.perf_counter()
        records.delete(store, actor, "engagements", ref, "benchmark")
        times.append(time.perf_counter() - started)
    if times:
        print(f"delete a mistaken visit ({len(times)}): {_ms(times)}")
    print(f"history rows now: {db.execute('SELECT count(*) FROM history').fetchone()[0]:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
