"""A process that writes to an SLO database as fast as it can, acknowledging each commit.

Run as ``python -m tests.helpers.crash_worker MODE DB START``; it prints one line
``ack <key>`` on standard output (flushed) after each transaction commits, so
the parent knows exactly which writes were acknowledged before it SIGKILLs the
process. Modes:

* ``saves``: one engagement per transaction through ``records.save`` (the desk's save path);
* ``import``: bundles of 50 engagements through ``import_bundle`` (all or nothing);
* ``abstractions``: abstractions through ``slo.services.abstractions.record_abstraction``,
  each cancelling the planned sessions of its day.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

from slo.models import Abstraction, Engagement
from slo.services import records
from slo.services.actors import load_actor
from slo.services.bundle import FORMAT, import_bundle
from slo.store.db import open_store


def engagement(n: int, *, day: date | None = None) -> Engagement:
    day = day or (date(2027, 1, 4) + timedelta(days=n % 300))
    start = datetime(day.year, day.month, day.day, 9 + n % 6, 0)
    return Engagement(
        ref=f"CRASH-{n}",
        officer="PC1000",
        school="100000",
        kind="visit",
        title=f"Visit {n}",
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        status="planned",
    )


def main() -> None:
    mode, path, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(path)
    actor = load_actor(store.db, "PC1000")
    admin = load_actor(store.db, "A1")
    n = start
    while True:
        if mode == "saves":
            records.save(store, actor, engagement(n))
            print(f"ack CRASH-{n}", flush=True)
            n += 1
        elif mode == "import":
            items = [engagement(n + i).to_bundle() for i in range(50)]
            import_bundle(store, {"format": FORMAT, "engagements": items}, admin)
            print(f"ack batch {n} {n + 49}", flush=True)
            n += 50
        elif mode == "abstractions":
            from slo.services.abstractions import record_abstraction

            day = date(2030, 1, 1) + timedelta(days=n)
            records.save(store, actor, engagement(n, day=day))
            result = record_abstraction(
                store,
                actor,
                Abstraction(
                    ref=f"CABS-{n}",
                    officer="PC1000",
                    date_from=day,
                    date_to=day,
                    portion="full",
                    category="response",
                    requested_by="Duty inspector",
                ),
            )
            print(f"ack {result.abstraction.ref} CRASH-{n}", flush=True)
            n += 1
        else:
            raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
