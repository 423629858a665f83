"""Integrity of the database: SQLite's own checks, foreign keys, and the audit chain; backups.

``check`` is what ``slo check`` runs. ``backup`` makes a consistent copy of a
live database with SQLite's online backup API (safe while others write), with
the owner-only file mode, and verifies the copy.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from slo.store.db import Store, StoreError, create_private_dir

from . import audit


@dataclass
class CheckReport:
    ok: bool
    integrity: str
    foreign_key_problems: list[str] = field(default_factory=list)
    chain: audit.ChainReport | None = None

    def lines(self) -> list[str]:
        out = [f"integrity check: {self.integrity}"]
        if self.foreign_key_problems:
            out.append(f"foreign keys: {len(self.foreign_key_problems)} problem(s); first: {self.foreign_key_problems[0]}")
        else:
            out.append("foreign keys: ok")
        if self.chain is not None:
            if self.chain.ok:
                out.append(f"audit chain: ok ({self.chain.rows} rows)")
            else:
                out.append(
                    f"audit chain: BROKEN at audit row {self.chain.first_bad_id}: {self.chain.problem}"
                )
            out.append(f"audit head: {self.chain.last_hash}")
        return out


def check(db) -> CheckReport:
    """Run ``PRAGMA integrity_check``, ``PRAGMA foreign_key_check`` and verify the audit chain."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    integrity = "ok" if rows == ["ok"] else "; ".join(rows[:5])
    fk = [
        f"{table} row {rowid} refers to a missing {parent} record"
        for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    chain = audit.verify_chain(db)
    return CheckReport(integrity == "ok" and not fk and chain.ok, integrity, fk, chain)


def backup(store: Store, out: str | Path, *, pages_per_step: int = 1024, progress=None) -> Path:
    """Copy the live database to ``out`` (a new file, mode 0600) and check the copy."""
    out = Path(out)
    if out.exists():
        raise StoreError(f"{out} already exists; choose a new file name for the backup")
    if out.resolve() == store.path.resolve():
        raise StoreError("the backup must not overwrite the live database")
    create_private_dir(out.parent)
    tmp = out.with_name(f".{out.name}.partial")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        target = sqlite3.connect(str(tmp))
        try:
            def _progress(status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            store.db.conn.backup(target, pages=pages_per_step, progress=_progress)
            target.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise StoreError(f"the backup copy failed its integrity check: {result}")
        finally:
            target.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return out
