"""The name matcher at national scale: the calendar guard, the forms' warning, and erasure.

    python benchmarks/bench_privacy.py --db bench/national.db

Prints: the time to build the matcher of every young person; the cost of checking one title
(every engagement title of the database, once); the forms' per-keystroke cost once the shared
matcher is cached; and one erasure (redaction of every free text, without and with VACUUM) on a
copy of the database. Nothing is written to the database given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dbcopy import copy_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SLO_CONFIG_DIR", tempfile.mkdtemp(prefix="slo-bench-config-"))

    from sqlite_utils import Database

    from slo.services import privacy, retention
    from slo.services.actors import load_actor
    from slo.store.db import open_store

    ro = Database(sqlite3.connect(f"file:{args.db}?mode=ro", uri=True))
    people = ro.execute("SELECT count(*) FROM young_people").fetchone()[0]
    builds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        matcher = privacy.NameMatcher.of_database(ro)
        builds.append(time.perf_counter() - started)
    titles = [r[0] for r in ro.execute("SELECT title FROM engagements WHERE young_person IS NULL")]
    started = time.perf_counter()
    flagged = sum(1 for t in titles if matcher.names_anyone(t))
    per_title = (time.perf_counter() - started) / max(1, len(titles))
    privacy.database_matcher(ro)  # warm the shared one, as the form's first keystroke does
    keystrokes = []
    for text in ["D", "Dr", "Dro", "Drop-in with Fin", "Drop-in with Finley"] * 20:
        started = time.perf_counter()
        privacy.names_in_text(ro, "PC1000", text)
        keystrokes.append(time.perf_counter() - started)
    print(f"young people: {people:,}; name forms: {sum(len(v) for v in matcher._by_first.values()):,}")
    print(f"matcher build: median {statistics.median(builds) * 1000:.0f} ms (min {min(builds) * 1000:.0f})")
    print(f"calendar guard: {len(titles):,} titles in {per_title * len(titles):.2f} s "
          f"({per_title * 1e6:.1f} us per title), {flagged:,} flagged")
    print(f"form warning per keystroke (cached matcher): median {statistics.median(keystrokes) * 1000:.2f} ms, "
          f"max {max(keystrokes) * 1000:.2f} ms")

    work = Path(tempfile.mkdtemp(prefix="slo-bench-privacy-"))
    try:
        copy = copy_database(args.db, work / "erase.db")
        store = open_store(copy)
        admin = next(r[0] for r in store.db.execute("SELECT collar_number FROM officers WHERE role = 'admin'"))
        actor = load_actor(store.db, admin)
        refs = [r[0] for r in store.db.execute(
            "SELECT young_person FROM consultations GROUP BY young_person ORDER BY young_person LIMIT 2")]
        started = time.perf_counter()
        result = retention.erase_young_person(store, actor, refs[0], vacuum=False)
        no_vacuum = time.perf_counter() - started
        started = time.perf_counter()
        retention.erase_young_person(store, actor, refs[1], vacuum=True)
        with_vacuum = time.perf_counter() - started
        store.close()
        print(f"erase one young person: {no_vacuum:.2f} s without VACUUM ({result.texts_redacted} texts redacted, "
              f"{len(result.earlier_copies)} earlier copies listed), {with_vacuum:.2f} s with VACUUM")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
