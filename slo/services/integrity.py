"""Integrity of the database: SQLite's own checks, foreign keys, the audit log; backups.

``check`` is what ``slo check`` runs: ``PRAGMA integrity_check``, ``PRAGMA
foreign_key_check``, the audit log's append-only triggers (present and
unaltered, no others), its hash chain, and its row count and head against the
checkpoint authenticated with the account's audit key (:mod:`slo.services.audit`).

``backup`` makes a consistent copy of a live database with SQLite's online backup API (safe while others write), with
the owner-only file mode, and verifies the copy.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from slo.store.db import Store, StoreError, create_private_dir, writable_problem

from . import audit
from .actors import Actor
from .files import private_temp, remove_leftovers

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass
class CheckReport:
    ok: bool
    integrity: str
    foreign_key_problems: list[str] = field(default_factory=list)
    chain: audit.ChainReport | None = None
    triggers: list[str] = field(default_factory=list)
    anchor: audit.AnchorReport | None = None
    #: why this account cannot write the database (None: it can)
    unwritable: str | None = None

    def lines(self) -> list[str]:
        out = [f"integrity check: {self.integrity}"]
        if self.foreign_key_problems:
            problems = self.foreign_key_problems
            out.append(f"foreign keys: {len(problems)} problem(s); first: {problems[0]}")
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
        if self.triggers:
            out.append(f"audit triggers: FAILED: {'; '.join(self.triggers)}")
        else:
            out.append("audit triggers: ok")
        if self.anchor is not None:
            out.append(self.anchor.line())
        out.append(f"writable: no: {self.unwritable}" if self.unwritable else "writable: ok")
        return out


def check(db: Database) -> CheckReport:
    """Run SQLite's checks and verify the audit log's triggers, chain and checkpoint."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    integrity = "ok" if rows == ["ok"] else "; ".join(rows[:5])
    fk = [
        f"{table} row {rowid} refers to a missing {parent} record"
        for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    chain = audit.verify_chain(db)
    triggers = audit.trigger_problems(db)
    if chain.ok:
        anchor = audit.verify_anchor(db, chain)
    else:
        anchor = audit.AnchorReport(False, None, "not verified: the chain is broken", "chain")
    row = db.execute("PRAGMA database_list").fetchone()
    unwritable = writable_problem(Path(row[2])) if row and row[2] else None
    # a read-only file is a fine thing to check (a copy on read-only media); a writable database whose
    # -wal or -shm this account cannot write is broken for SLO Desk: every change would fail
    side_broken = unwritable is not None and unwritable.startswith(f"{row[2]}-")
    ok = integrity == "ok" and not fk and chain.ok and not triggers and anchor.ok and not side_broken
    return CheckReport(ok, integrity, fk, chain, triggers, anchor, unwritable)


def anchor(store: Store, actor: Actor) -> audit.Checkpoint | None:
    """``slo check --anchor``: anchor a log whose checkpoint is missing or no longer matches.

    An admin decision, audited. Refused when the chain itself is broken (restore a
    backup instead) or the triggers are missing (put them back first). Returns
    ``None`` when the checkpoint already verifies (nothing to do).
    """
    from . import permissions
    from .errors import Conflict

    permissions.require(store.db, actor, permissions.MANAGE, what="the audit log's checkpoint")
    with store.write() as db:
        chain = audit.verify_chain(db)
        if not chain.ok:
            raise Conflict(f"the audit chain is broken at audit row {chain.first_bad_id} ({chain.problem}); "
                           "a broken chain cannot be anchored: restore the last good backup")
        problems = audit.trigger_problems(db)
        if problems:
            raise Conflict(f"the audit log's triggers are not as SLO Desk made them ({problems[0]}); "
                           "restore them (or the last good backup) before anchoring")
        report = audit.verify_anchor(db, chain)
        if report.ok and report.checkpoint is not None:
            return None
        return audit.anchor(db, actor.collar, report, chain.rows)


def backup(store: Store, out: str | Path, *, actor: Actor, pages_per_step: int = 1024,
           progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy the live database to ``out`` (a new file, mode 0600) and check the copy.

    A backup is a copy of every record: only an actor who may export the whole
    database (an admin) may make one, and it is audited as an ``export`` of
    entity ``backup`` when it starts (the copy holds that row) and again when it
    ends, with how it ended (:func:`audit.disclosure`); ``to`` is the path written.
    """
    from . import permissions

    out = Path(out)
    permissions.require(store.db, actor, permissions.EXPORT_BUNDLE, what="this database")
    if out.exists():
        raise StoreError(f"{out} already exists; choose a new file name for the backup")
    if out.resolve() == store.path.resolve():
        raise StoreError("the backup must not overwrite the live database")
    create_private_dir(out.parent)
    remove_leftovers(out.parent)  # the temporaries of backups that were killed
    with audit.disclosure(store, actor.collar, audit.EXPORT, "backup", None, {"to": str(out.resolve())}) as done:
        fd, tmp = private_temp(out.parent, out.name)  # 0600 and flocked until the copy is in place
        try:
            target = sqlite3.connect(tmp)
            try:
                def _progress(status: int, remaining: int, total: int) -> None:
                    if progress:
                        progress(total - remaining, total)

                store.db.conn.backup(target, pages=pages_per_step, progress=_progress)
                target.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
                result = target.execute("PRAGMA integrity_check").fetchone()[0]
                if result != "ok":
                    raise StoreError(f"the backup copy failed its integrity check: {result}")
            finally:
                target.close()  # before our descriptor: closing that drops SQLite's locks on the file
            os.fsync(fd)
            os.replace(tmp, out)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        finally:
            os.close(fd)
        done.detail["bytes"] = out.stat().st_size
    return out
