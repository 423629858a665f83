"""The audit log: who did what to which record, when; append-only and hash-chained.

Every creation, change, view of a personal record, export, disclosure, refusal
and deletion is written with :func:`record`, inside the same transaction as the
change it describes. Each row carries ``hash = SHA-256(prev_hash + canonical
JSON of the row)``, so altering, removing or reordering any row breaks the chain
(:func:`verify_chain`). The table's triggers refuse UPDATE and DELETE.

``detail`` must never hold personal data (names, notes, advice): keys, counts
and changed field names only, so that erasing a young person leaves no trace
of them in the log.

**The checkpoint.** A hash chain alone proves nothing to someone who can write
the file: they can cut rows off the end, or rewrite a row and recompute every
later hash with :func:`row_hash`. So every audited write also moves a
*checkpoint* of the head, in the same transaction: the number of rows and the
last hash, authenticated with HMAC-SHA-256 under the account's audit key
(:mod:`slo.services.auditkey`), which is not in the database file. It lives in
the ``meta`` table (key ``audit_checkpoint``), so it commits or rolls back with
the rows it counts. :func:`verify_anchor` checks the log against it.

A checkpoint is started only for an empty log (a new database); a log that has
rows but no checkpoint (a database from before checkpoints, or one whose
checkpoint was removed) is never anchored silently: ``slo check --anchor``
(an admin, audited) does that. A checkpoint that does not verify, or a missing
key, is left as it is: writes go on, and ``slo check`` says what is wrong.

**Disclosures** are audited when they start (:func:`disclosure`), with a second
row saying how they ended (completed, interrupted, failed): the log is
append-only, so "how it ended" is a row of its own. A start row without an end
row means the process died (killed, power lost) while disclosing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from . import auditkey

if TYPE_CHECKING:
    from sqlite_utils import Database

LONDON = ZoneInfo("Europe/London")
GENESIS = "0" * 64

# Operations (DPA 2018 s.62: collection, alteration, consultation, disclosure, combination, erasure)
CREATE = "create"
UPDATE = "update"
VIEW = "view"
EXPORT = "export"
DISCLOSURE = "disclosure"
DELETE = "delete"
ERASE = "erase"
IMPORT = "import"
REFUSED = "refused"
CHECK = "check"


def now_local() -> datetime:
    """The current time in Europe/London, without tzinfo, to the second."""
    return datetime.now(LONDON).replace(tzinfo=None, microsecond=0)


def _canonical(row: dict[str, Any]) -> str:
    fields = {k: row.get(k) for k in ("at", "actor", "operation", "entity", "key", "detail")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(row)).encode("utf-8")).hexdigest()


def last_hash(db: Database) -> str:
    row = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def record(
    db: Database,
    actor: str,
    operation: str,
    entity: str,
    key: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> str:
    """Append one audit row (call inside the write transaction of the change). Returns its hash."""
    return record_many(db, actor, operation, entity, [(key, detail)], at=at)


def record_many(
    db: Database,
    actor: str,
    operation: str,
    entity: str,
    items: list[tuple[str | None, dict[str, Any] | None]],
    *,
    at: datetime | None = None,
) -> str:
    """Append one audit row per (key, detail), chained, in one executemany."""
    if not db.conn.in_transaction:
        raise RuntimeError("audit.record must run inside the write transaction of the change")
    stamp = (at or now_local()).isoformat(timespec="seconds")
    prev = start = last_hash(db)
    rows = []
    for key, detail in items:
        row = {
            "at": stamp,
            "actor": actor,
            "operation": operation,
            "entity": entity,
            "key": key,
            "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else None,
        }
        row["prev_hash"] = prev
        row["hash"] = prev = row_hash(prev, row)
        rows.append(row)
    db.conn.executemany(
        "INSERT INTO audit (at, actor, operation, entity, key, detail, prev_hash, hash) "
        "VALUES (:at, :actor, :operation, :entity, :key, :detail, :prev_hash, :hash)",
        rows,
    )
    if rows:
        _advance_checkpoint(db, len(rows), start, prev, stamp)
    return prev


@dataclass
class ChainReport:
    ok: bool
    rows: int
    last_hash: str
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain(db: Database) -> ChainReport:
    """Walk the whole log and check every link; name the first bad row."""
    prev = GENESIS
    count = 0
    cursor = db.execute(
        "SELECT id, at, actor, operation, entity, key, detail, prev_hash, hash FROM audit ORDER BY id"
    )
    cols = [c[0] for c in cursor.description]
    for values in cursor:
        row = dict(zip(cols, values, strict=True))
        count += 1
        if row["prev_hash"] != prev:
            return ChainReport(False, count, prev, row["id"], "does not link to the row before it")
        if row_hash(prev, row) != row["hash"]:
            return ChainReport(False, count, prev, row["id"], "its content does not match its hash")
        prev = row["hash"]
    return ChainReport(True, count, prev)


# ---------------------------------------------------------------- the checkpoint

CHECKPOINT_META_KEY = "audit_checkpoint"
_CHECKPOINT_FORMAT = "slo-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """The head of the log as of the last audited write: row count and hash, and its MAC."""

    rows: int
    head: str
    at: str
    key_id: str
    mac: str

    def verifies(self, key: bytes) -> bool:
        return hmac.compare_digest(self.mac, checkpoint_mac(key, self.rows, self.head))


def checkpoint_mac(key: bytes, rows: int, head: str) -> str:
    message = f"{_CHECKPOINT_FORMAT}\n{rows}\n{head}".encode("ascii", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class MalformedCheckpoint(ValueError):
    pass


def read_checkpoint(db: Database) -> Checkpoint | None:
    """The stored checkpoint, ``None`` when there is none; :class:`MalformedCheckpoint` if unreadable."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [CHECKPOINT_META_KEY]).fetchone()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
        cp = Checkpoint(int(data["rows"]), str(data["head"]), str(data["at"]), str(data["key_id"]), str(data["mac"]))
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedCheckpoint(f"the audit checkpoint is not readable ({type(exc).__name__})") from None
    return cp


def _write_checkpoint(db: Database, key: bytes, rows: int, head: str, stamp: str) -> None:
    value = json.dumps(
        {"rows": rows, "head": head, "at": stamp, "key_id": auditkey.key_id(key),
         "mac": checkpoint_mac(key, rows, head)},
        sort_keys=True, separators=(",", ":"),
    )
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [CHECKPOINT_META_KEY, value],
    )


def _advance_checkpoint(db: Database, added: int, previous_head: str, head: str, stamp: str) -> None:
    """Move the checkpoint over the ``added`` rows just inserted (same transaction).

    Never fails the write: a log without a checkpoint (unless it was empty), a
    checkpoint that does not verify and a missing or unreadable key all leave
    the checkpoint as it is, for ``slo check`` to report.
    """
    try:
        cp = read_checkpoint(db)
    except MalformedCheckpoint:
        return
    try:
        if cp is None:
            if previous_head != GENESIS:
                return  # a log with rows but no checkpoint is anchored only on purpose (anchor())
            key = auditkey.load_key(create=True)
            rows = added
        else:
            key = auditkey.load_key()
            if key is None or not cp.verifies(key) or cp.head != previous_head:
                return
            rows = cp.rows + added
    except auditkey.AuditKeyError:
        return
    assert key is not None
    _write_checkpoint(db, key, rows, head, stamp)


@dataclass
class AnchorReport:
    ok: bool
    checkpoint: Checkpoint | None
    problem: str | None = None
    #: what ``slo check --anchor`` would fix: "missing", "mismatch", "key", "forged" (None when ok)
    kind: str | None = None

    def line(self) -> str:
        if self.ok:
            if self.checkpoint is None:
                return "audit checkpoint: ok (empty log)"
            return f"audit checkpoint: ok ({self.checkpoint.rows} rows, key {self.checkpoint.key_id})"
        return f"audit checkpoint: FAILED: {self.problem}"


def _holds_records(db: Database) -> bool:
    for table in ("officers", "schools", "young_people", "engagements"):
        if db.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone():
            return True
    return False


def verify_anchor(db: Database, chain: ChainReport) -> AnchorReport:
    """Check the log's row count and head against the checkpoint (see the module notes)."""
    path = auditkey.key_path()
    try:
        cp = read_checkpoint(db)
    except MalformedCheckpoint as exc:
        return AnchorReport(False, None, f"{exc}; it was altered outside SLO Desk", "forged")
    if cp is None:
        if chain.rows == 0:
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
            if seq and seq[0]:
                return AnchorReport(False, None, f"the audit log is empty but once had {seq[0]} row(s): "
                                    "every row was deleted outside SLO Desk", "missing")
            if _holds_records(db):
                return AnchorReport(False, None, "the database holds records but its audit log is empty: "
                                    "the log was removed outside SLO Desk", "missing")
            return AnchorReport(True, None)
        return AnchorReport(False, None, f"the log has {chain.rows} row(s) but no checkpoint (a database from "
                            "before checkpoints, or the checkpoint was removed); an admin can anchor it at its "
                            "current head with 'slo check --anchor'", "missing")
    try:
        key = auditkey.load_key()
    except auditkey.AuditKeyError as exc:
        return AnchorReport(False, cp, str(exc), "key")
    if key is None:
        return AnchorReport(False, cp, f"cannot verify the checkpoint: no audit key at {path} (it is made by the "
                            "account that runs SLO Desk; restore it from that account's configuration)", "key")
    if not cp.verifies(key):
        mine = auditkey.key_id(key)
        why = ("it was made with another key" if cp.key_id != mine else "its content does not match its MAC")
        return AnchorReport(False, cp, f"the checkpoint does not verify with this account's audit key "
                            f"(key {mine}): {why}; it was forged, or the key was replaced", "forged")
    if chain.rows < cp.rows:
        return AnchorReport(False, cp, f"the log has {chain.rows} row(s) but its checkpoint counts {cp.rows}: "
                            f"{cp.rows - chain.rows} row(s) were removed outside SLO Desk", "mismatch")
    if chain.rows > cp.rows:
        return AnchorReport(False, cp, f"the log has {chain.rows - cp.rows} row(s) more than its checkpoint "
                            f"({cp.rows}): rows added outside SLO Desk, or written while the key was missing",
                            "mismatch")
    if chain.last_hash != cp.head:
        return AnchorReport(False, cp, "the log no longer ends at its checkpoint's head: rows were rewritten "
                            "outside SLO Desk (with every later hash recomputed)", "mismatch")
    return AnchorReport(True, cp)


def anchor(db: Database, actor: str, report: AnchorReport, chain_rows: int) -> Checkpoint:
    """Anchor the log at its current head (inside a write transaction; the chain was verified).

    Writes one ``check`` row saying why (the old checkpoint's count, if any), then
    a fresh checkpoint over every row, the new one included. Makes the key if missing.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("audit.anchor must run inside a write transaction")
    key = auditkey.load_key(create=True)
    assert key is not None
    detail: dict[str, Any] = {"reason": report.kind or "missing", "rows": chain_rows}
    if report.checkpoint is not None:
        detail["checkpoint_rows"] = report.checkpoint.rows
    head = record(db, actor, CHECK, "audit", "anchor", detail)
    rows = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    stamp = now_local().isoformat(timespec="seconds")
    _write_checkpoint(db, key, rows, head, stamp)
    cp = read_checkpoint(db)
    assert cp is not None
    return cp


# ---------------------------------------------------------------- the triggers

#: the append-only triggers of migration m001, as SQLite stores them (whitespace and case aside)
EXPECTED_TRIGGERS = {
    "audit_no_update": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_no_delete": "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
}


def _normal_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().rstrip(";").casefold()


def trigger_problems(db: Database) -> list[str]:
    """What is wrong with the audit table's triggers: missing, altered, or extra ones."""
    found = {name: sql or "" for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit' COLLATE NOCASE")}
    problems = []
    for name, sql in EXPECTED_TRIGGERS.items():
        if name not in found:
            problems.append(f"trigger {name} is missing (the log can be changed without a trace in SQLite)")
        elif _normal_sql(found[name]) != _normal_sql(sql):
            problems.append(f"trigger {name} was altered")
    for name in sorted(set(found) - set(EXPECTED_TRIGGERS)):
        problems.append(f"unexpected trigger {name} on the audit log")
    return problems


# ---------------------------------------------------------------- disclosures


@dataclass
class Disclosure:
    """A disclosure under way: its start row is written; ``detail`` goes into the end row."""

    started_row: int
    detail: dict[str, Any]
    outcome: str = "completed"


#: how a disclosure ended, by exception type (anything else: "failed")
def _outcome_of(exc: BaseException) -> str:
    if isinstance(exc, BrokenPipeError):
        return "interrupted: the reader closed the pipe"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by the user"
    if isinstance(exc, SystemExit):
        return "interrupted: the process was told to stop"
    return f"failed: {type(exc).__name__}"


@contextmanager
def disclosure(store: Any, actor: str, operation: str, entity: str, key: str | None,
               detail: dict[str, Any]) -> Iterator[Disclosure]:
    """Audit a disclosure when it starts and again when it ends, however it ends.

    The start row (``detail`` plus ``"state": "started"`` and the audit head) is
    committed before the block runs, so a disclosure that is cut short (a closed
    pipe, ctrl+c, a crash) is on the record. The end row names the start row
    (``started_row``) and says ``completed``, ``interrupted: ...`` or
    ``failed: ...``, with what the block put in ``Disclosure.detail`` (counts).
    An exception still propagates.
    """
    with store.write() as db:
        start = dict(detail, state="started", audit_head=last_hash(db))
        record(db, actor, operation, entity, key, start)
        row_id = db.execute("SELECT max(id) FROM audit").fetchone()[0]
    handle = Disclosure(row_id, {})
    try:
        yield handle
    except BaseException as exc:
        handle.outcome = _outcome_of(exc)
        _end_disclosure(store, actor, operation, entity, key, handle)
        raise
    _end_disclosure(store, actor, operation, entity, key, handle)


def _end_disclosure(store: Any, actor: str, operation: str, entity: str, key: str | None,
                    handle: Disclosure) -> None:
    conn = store.db.conn
    if conn.in_transaction:  # e.g. the block's read snapshot was left open by the exception
        conn.execute("ROLLBACK")
    with store.write() as db:
        record(db, actor, operation, entity, key,
               dict(handle.detail, state=handle.outcome, started_row=handle.started_row))


# ---------------------------------------------------------------- refusals keep no typed text

#: the words before a record's key in a refusal's target, and where such a key lives
_TARGET_KINDS: dict[str, tuple[str, str]] = {
    "young person": ("young_people", "ref"), "young_people": ("young_people", "ref"),
    "engagement": ("engagements", "ref"), "engagements": ("engagements", "ref"),
    "consultation": ("consultations", "ref"), "consultations": ("consultations", "ref"),
    "referral": ("referrals", "ref"), "referrals": ("referrals", "ref"),
    "abstraction": ("abstractions", "ref"),
    "school": ("schools", "urn"), "schools": ("schools", "urn"),
    "officer": ("officers", "collar_number"), "officers": ("officers", "collar_number"),
    "team": ("teams", "ref"), "teams": ("teams", "ref"),
}
#: composite keys "<owner>/<date>": the owner's table, and the column it is found in
_COMPOSITE_KINDS: dict[str, tuple[str, str]] = {
    "absences": ("officers", "collar_number"), "assignments": ("schools", "urn"),
}
#: what may follow an existing key: "'s records", "'s week", "'s abstractions", "'s figures"
_TARGET_SUFFIX = re.compile(r"'s [a-z ]{1,40}")
#: the fixed targets of refusals in the code: kept as they are (add a new one here, or it is not recorded)
KNOWN_TARGETS = frozenset({
    "this database", "the audit log", "the audit log's checkpoint", "term dates", "retention reviews",
    "any school's calendar", "any school's calendar link", "the calendar service's settings",
    "caseloads", "every officer's caseload", "abstractions", "the continuity report", "the whole force",
    "an officer not in the database", "a team not in the database",
})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NOT_RECORDED = "(not recorded: it named no existing record)"


def _key_exists(db: Database, table: str, column: str, key: str) -> bool:
    return db.execute(f"SELECT 1 FROM [{table}] WHERE [{column}] = ? LIMIT 1", [key]).fetchone() is not None


def refusal_target(db: Database, target: str) -> str:
    """What a refusal's audit row may say about its target: never text the user typed.

    A refusal's message quotes what was typed (``young person Finley Patel, DOB
    2014-03-02``), and that message is for the person at the terminal. The audit
    log is kept for years and holds no personal data, so it gets only: a fixed
    phrase of :data:`KNOWN_TARGETS` (``this database``, ``the audit log``); or a kind and a
    key that names an *existing* record (``young person YP-0001``, ``officer
    PC1000's week``), with anything after the key dropped unless it is a phrase
    of the code; or the kind alone and :data:`NOT_RECORDED`.
    """
    text = target.strip()
    for kind in sorted({**_TARGET_KINDS, **_COMPOSITE_KINDS}, key=len, reverse=True):
        if not text.startswith(kind + " "):
            continue
        rest = text[len(kind) + 1:]
        candidates = [rest]
        cut = rest.find("'s ")
        if cut > 0:
            candidates.append(rest[:cut])
        paren = rest.find(" (")
        if paren > 0:
            candidates.append(rest[:paren])
        for key in candidates:
            if kind in _COMPOSITE_KINDS:
                table, column = _COMPOSITE_KINDS[kind]
                owner, _, day = key.partition("/")
                ok = bool(_ISO_DAY.fullmatch(day)) and _key_exists(db, table, column, owner)
            else:
                table, column = _TARGET_KINDS[kind]
                ok = _key_exists(db, table, column, key)
            if ok:
                suffix = rest[len(key):]
                return f"{kind} {key}" + (suffix if _TARGET_SUFFIX.fullmatch(suffix) else "")
        return f"{kind} {NOT_RECORDED}"
    return text if text in KNOWN_TARGETS else NOT_RECORDED
