"""Demo data: ``slo demo`` and ``slo --demo``.

:func:`build_demo` creates, or replaces, a database full of realistic made-up
records (see :mod:`.generator` for what it holds, and ``docs/demo.md``).

Decisions:

* **Safe replacement.** The database is built in a temporary file next to the
  target, checkpointed, flushed to disk, and only then renamed over the old
  file; the old file's ``-wal``/``-shm`` companions are removed first, so a
  stale write-ahead log can never be replayed onto the new database. If the
  build fails, the old database is untouched and the temporary file is removed.
* **Speed.** Rows are written straight to the schema in chunks of
  ``executemany`` inside ``store.write()`` (``BEGIN IMMEDIATE``), bypassing the
  per-record services: the generator makes only valid data, and the tests
  prove it by importing an export of the result through the full validation.
  While building (a private temporary file nobody else opens), the connection
  runs with ``synchronous=OFF`` and a larger page cache; the finished file is
  fsynced before it is renamed into place.
* **Audit.** One audit row per table written, not one per record: actor
  ``demo``, operation ``create``, entity = the table, key empty, detail
  ``{"source": "demo", "count": N}``. Millions of per-record rows would say
  nothing more (every record was created by the same act) and would double
  the file; the chain still starts with an honest statement of where the data
  came from.
* **Determinism.** Same ``seed`` and ``today`` -> the same records (the audit
  rows carry the real time of the run, so the audit log differs).
"""

from __future__ import annotations

import os
import tempfile
import time as _time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from slo.services import audit
from slo.store.db import create_private_dir, open_store

from .generator import SCALES, WRITE_ORDER, Progress, Scale, generate

__all__ = ["SCALES", "Scale", "DemoResult", "DEFAULT_SEED", "DEMO_USER", "build_demo"]

#: the seed used when none is given (``slo demo`` and ``slo --demo``)
DEFAULT_SEED = 1
#: the officer ``slo --demo`` opens the desk as
DEMO_USER = "PC1000"
#: the actor named in the demo's audit rows
DEMO_ACTOR = "demo"


@dataclass
class DemoResult:
    path: Path
    scale: str
    seed: int
    today: date
    counts: dict[str, int]
    seconds: float

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[t]:,} {t.replace('_', ' ')}" for t in WRITE_ORDER if self.counts.get(t))
        return (
            f"{self.path}: {self.scale} demo (seed {self.seed}, today {self.today.isoformat()}) "
            f"in {self.seconds:.1f} s: {parts}"
        )


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_demo(
    path: str | Path,
    *,
    scale: str = "small",
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Create (or replace) the database at ``path`` with demo data; returns what was written.

    ``scale`` is ``small``, ``force`` or ``national``; ``today`` anchors the
    dates (default: today in Europe/London). ``progress`` receives one line per
    stage.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    path = Path(path)
    today = today or audit.now_local().date()
    started = _time.perf_counter()
    create_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".building")
    os.close(fd)
    tmp = Path(tmp_name)
    store = None
    try:
        store = open_store(tmp, initialise=True)  # our own empty temporary file
        conn = store.db.conn
        conn.execute("PRAGMA synchronous = OFF")  # a private temporary file: fsynced before the rename
        conn.execute("PRAGMA cache_size = -65536")
        counts = generate(store, SCALES[scale], seed, today, progress)
        with store.write() as db:
            for table in WRITE_ORDER:
                audit.record(db, DEMO_ACTOR, audit.CREATE, table, None, {"source": "demo", "count": counts[table]})
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        store = None
        _fsync(tmp)
        for suffix in ("-wal", "-shm"):
            _remove(Path(f"{path}{suffix}"))
        os.replace(tmp, path)
        _fsync(path.parent)
    except BaseException:
        if store is not None:
            store.close()
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            _remove(leftover)
        raise
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        _remove(leftover)
    if progress:
        progress(f"written {path}")
    return DemoResult(path, scale, seed, today, counts, _time.perf_counter() - started)
