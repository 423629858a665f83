"""Demo data: ``slo demo`` and ``slo --demo``.

:func:`build_demo` creates, or replaces, a database full of realistic made-up
records (see :mod:`.generator` for what it holds, and ``docs/demo.md``).

Decisions:

* **Marked as a demo.** ``meta.database_kind = 'demo'`` is written in the same
  transaction as the audit rows: on a demo any ``--user`` works and the desk says
  DEMO (``slo.services.identity``).
* **Never over real data.** Only a missing path, an empty file or a demo
  database is replaced; anything else (a force's database, a file that is not
  ours) is refused with one line before anything is built (:func:`check_target`).
* **Safe replacement.** The database is built in a temporary file next to the
  target, checkpointed and flushed to disk. Where no file exists it is renamed
  into place (stale ``-wal``/``-shm`` companions of a missing file are removed
  first, so they can never be replayed onto it). An existing demo is replaced
  *in place*: the new pages are copied into it with SQLite's backup API, as one
  write transaction, so a desk or scheduler that has it open sees the old demo
  or the new one and no file is deleted from under it (this writes the data
  twice: a national demo takes longer to replace than to create). If the build
  fails, the old database is untouched and the temporary file is removed.
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
* **History through the services.** After those audit rows, :mod:`.history`
  withdraws two challenges and hands a school over with the real services
  (:mod:`slo.services.abstractions`, :mod:`slo.services.handover`), so what
  they change (sessions planned again, engagements moved, assignments, the
  record history, the audit log) is what the desk writes.
* **Determinism.** Same ``seed`` and ``today`` -> the same records (the audit
  rows carry the real time of the run, so the audit log differs).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time as _time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from slo.services import audit, identity
from slo.services.errors import Conflict
from slo.store.db import BUSY_TIMEOUT_MS, create_private_dir, open_store

from . import history
from .generator import SCALES, WRITE_ORDER, Progress, Scale, generate

__all__ = ["SCALES", "Scale", "DemoResult", "DEFAULT_SEED", "DEMO_USER", "build_demo", "check_target"]

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
    path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_target(path: Path) -> str:
    """What is at ``path`` (``missing``, ``empty`` or ``demo``); :class:`Conflict` for anything else."""
    kind = identity.file_kind(path)
    if kind == "real":
        raise Conflict(
            f"{path} holds a database that is not a demo: slo demo replaces only demo databases; "
            "pass --db with a new file for the demo"
        )
    if kind == "other":
        raise Conflict(f"{path} exists and is not a demo database: slo demo replaces only demo databases")
    return kind


def _copy_into(source: Path, target: Path) -> None:
    """Replace the content of the database ``target`` with ``source``'s, as one write transaction."""
    import sqlite3

    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        dst.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        src.backup(dst)
        with contextlib.suppress(sqlite3.OperationalError):  # best effort: a reader may hold the log
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def _put_in_place(tmp: Path, path: Path) -> None:
    """The built database at ``path``: linked into place if nothing is there (never over a file that
    appeared meanwhile), otherwise copied into the demo that is there (checked again first)."""
    if check_target(path) == "missing":
        for suffix in ("-wal", "-shm"):
            _remove(Path(f"{path}{suffix}"))
        try:
            os.link(tmp, path)  # fails if a file appeared since the check: no silent replace
        except FileExistsError:
            pass
        else:
            _remove(tmp)
            return
        check_target(path)
    _copy_into(tmp, path)
    _remove(tmp)


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
    check_target(path)
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
            identity.mark_demo(db)
        per_team = SCALES[scale].slos_per_team
        made = history.play(store, [(f"PC{1000 + per_team - 1}", "S100"), (f"PC{1000 + per_team}", "S200")], today)
        if progress:
            progress(made.summary())
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        store = None
        _fsync(tmp)
        _put_in_place(tmp, path)
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
