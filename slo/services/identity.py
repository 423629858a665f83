"""Who is acting: principals, the officers they are bound to, and demo databases.

A **principal** is how a person reached SLO Desk: the operating-system account
running ``slo`` (``unix``), or, on a force server, the SSH key sshd authenticated
(``ssh``, by its ``SHA256:`` fingerprint, passed by the forced command that
``slo access grant`` wrote). The ``access`` table binds principals to officers:
who granted it and when, who revoked it, when and why. Nothing else decides who
someone is: ``--user``/``SLO_USER`` only *chooses among* the officers the
principal is bound to (:func:`resolve`).

Rules (``shared/spec/cli.md``, "Who you are"):

* On a real database ``--user`` may name only an officer bound to the principal
  and not a leaver (``end_date`` before today); anything else is refused with one
  line saying who you are and whom you may act as, and the refusal is the only
  thing written (an audit row). Without ``--user`` the one officer the principal is
  bound to acts; with several, ``--user`` picks (the desk asks among those only).
* A **demo** database (``meta.database_kind = 'demo'``, set by ``slo demo``)
  accepts any ``--user`` and shows the picker with every officer.
* **Bootstrap**: the account that creates a database with ``slo import`` is bound
  to every current admin of the bundle (:func:`bootstrap`). A bundle without a
  current admin is refused: nobody could ever grant access to such a database.
* Root is not special: it can read the file anyway, but it still needs a binding
  to act as an officer, so the audit log names a person.

Every grant and revocation writes an audit row (operation ``grant``/``revoke``,
entity ``access``, key = the collar number, detail = the principal); every
refusal one row (operation ``refused``, entity ``identity``). Typed values that
name no officer are never copied into the log.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from slo.store.db import Store

from . import audit, permissions
from .actors import SYSTEM, Actor, list_officers, load_actor
from .errors import Conflict, NotFound, PermissionDenied, ServiceError

if TYPE_CHECKING:
    from sqlite_utils import Database

    from slo.store.db import Reads

    from .ssh_keys import PublicKey

UNIX = "unix"
SSH = "ssh"
GRANT = "grant"
REVOKE = "revoke"
DEMO_KIND = "demo"
#: at most this many collar numbers are named in a refusal
_NAMED = 8


# ------------------------------------------------------------------ principals


@dataclass(frozen=True)
class Principal:
    """An operating-system account (``unix``, by name) or an SSH key (``ssh``, by fingerprint)."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        """How a refusal names it: ``the account alice`` / ``the SSH key SHA256:...``."""
        return f"the account {self.name}" if self.kind == UNIX else f"the SSH key {self.name}"


def current_account() -> Principal:
    """The operating-system account running this process (its effective user), from the password database."""
    import pwd

    uid = os.geteuid()
    try:
        return Principal(UNIX, pwd.getpwuid(uid).pw_name)
    except KeyError:  # a uid with no passwd entry (some containers): named by number
        return Principal(UNIX, f"uid-{uid}")


def ssh_key(fingerprint: str) -> Principal:
    from . import ssh_keys  # only sessions and grants need it: not imported at every start

    if not ssh_keys.is_fingerprint(fingerprint):
        raise ServiceError(f"--key {fingerprint[:60]!r} is not an SSH key fingerprint (SHA256:<43 characters>)")
    return Principal(SSH, fingerprint)


def unix_account(name: str) -> Principal:
    """An account of this machine, by name; refused if the machine has no such account."""
    import pwd

    try:
        pwd.getpwnam(name)
    except (KeyError, ValueError):
        raise NotFound(f"--unix-user {name[:40]!r}: there is no such account on this machine") from None
    return Principal(UNIX, name)


# ------------------------------------------------------------------ demo databases


def is_demo(db: Reads) -> bool:
    row = db.execute("SELECT value FROM meta WHERE key = 'database_kind'").fetchone()
    return row is not None and row[0] == DEMO_KIND


def mark_demo(db: Database) -> None:
    """Mark this database as made-up data (inside the write transaction that builds it)."""
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('database_kind', ?)", [DEMO_KIND])


def file_kind(path: Path) -> str:
    """What is at ``path``, read without changing it: ``missing``, ``empty`` (our schema with no
    officers and no audit rows), ``demo``, ``real`` (an SLO Desk database that is not a demo) or
    ``other`` (a folder, a device, a 0-byte file or any file that is not an SLO Desk database)."""
    if not os.path.lexists(path):
        return "missing"
    if not path.is_file() or path.stat().st_size == 0:
        return "other"
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return "other"
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"officers", "audit", "meta"} <= tables:
            return "other"
        kind = conn.execute("SELECT value FROM meta WHERE key = 'database_kind'").fetchone()
        if kind is not None and kind[0] == DEMO_KIND:
            return "demo"
        first = conn.execute("SELECT actor, detail FROM audit ORDER BY id LIMIT 1").fetchone()
        if first is None:
            officers = conn.execute("SELECT count(*) FROM officers").fetchone()[0]
            return "empty" if officers == 0 else "real"
        if first[0] == "demo" and '"source":"demo"' in (first[1] or ""):
            return "demo"  # made by slo demo before demos were marked (m008 marks it when opened)
        return "real"
    except sqlite3.Error:
        return "other"
    finally:
        conn.close()


# ------------------------------------------------------------------ bindings


@dataclass(frozen=True)
class Binding:
    id: int
    kind: str
    principal: str
    officer: str
    officer_name: str
    role: str
    end_date: str | None
    public_key: str | None
    authorized_keys: str | None
    granted_by: str
    granted_at: str
    revoked_by: str | None
    revoked_at: str | None
    revoked_reason: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict:
        return {
            "officer": self.officer,
            "kind": self.kind,
            "principal": self.principal,
            "granted_by": self.granted_by,
            "granted_at": self.granted_at,
            "revoked_by": self.revoked_by,
            "revoked_at": self.revoked_at,
            "revoked_reason": self.revoked_reason,
            "authorized_keys": self.authorized_keys,
        }


_BINDING_SQL = (
    "SELECT a.id, a.kind, a.principal, a.officer, o.name, o.role, o.end_date, a.public_key, "
    "a.authorized_keys, a.granted_by, a.granted_at, a.revoked_by, a.revoked_at, a.revoked_reason "
    "FROM access a JOIN officers o ON o.collar_number = a.officer"
)


def _bindings(db: Reads, where: str, params: Iterable) -> list[Binding]:
    rows = db.execute(f"{_BINDING_SQL} WHERE {where} ORDER BY a.officer, a.kind, a.principal, a.id", list(params))
    return [Binding(*row) for row in rows.fetchall()]


def bindings_of(db: Reads, principal: Principal) -> list[Binding]:
    """The principal's active (unrevoked) bindings, leavers included."""
    return _bindings(db, "a.kind = ? AND a.principal = ? AND a.revoked_at IS NULL", [principal.kind, principal.name])


def _left(end_date: str | None, today: date) -> bool:
    return end_date is not None and end_date < today.isoformat()


def _today() -> date:
    return audit.now_local().date()


def _actor(db: Reads, collar: str) -> Actor:
    return load_actor(db, collar)


def may_act_as(db: Reads, principal: Principal, today: date | None = None) -> list[Actor]:
    """The officers this principal may act as now (bound, not revoked, not a leaver)."""
    today = today or _today()
    return [_actor(db, b.officer) for b in bindings_of(db, principal) if not _left(b.end_date, today)]


def officers_for(db: Reads, principal: Principal | None) -> list[Actor]:
    """The desk picker's list: every officer on a demo database (or for an in-process caller
    that passed no principal), otherwise only those the principal may act as."""
    if principal is None or is_demo(db):
        return list_officers(db)
    return may_act_as(db, principal)


def _names(actors: list[Actor]) -> str:
    collars = [a.collar for a in actors]
    if len(collars) > _NAMED:
        return ", ".join(collars[:_NAMED]) + f" and {len(collars) - _NAMED} more"
    if len(collars) == 1:
        return collars[0]
    return ", ".join(collars[:-1]) + " or " + collars[-1]


def _hint(principal: Principal) -> str:
    if principal.kind == UNIX:
        return f"an admin can grant it with 'slo access grant COLLAR --unix-user {principal.name}'"
    return "ask an admin to grant your key access ('slo access grant COLLAR --ssh-key FILE.pub')"


def _refuse(store: Store, principal: Principal, message: str, collar: str | None, reason: str) -> PermissionDenied:
    """Audit an identity refusal in its own transaction and return the error to raise.

    ``collar`` is put in the log only when it names an officer of this database:
    a typed value that names nobody is never copied into the log.
    """
    db = store.db
    known = collar is not None and db.execute(
        "SELECT 1 FROM officers WHERE collar_number = ?", [collar]
    ).fetchone() is not None
    with store.write() as wdb:
        audit.record(wdb, str(principal), audit.REFUSED, "identity", collar if known else None, {"reason": reason})
    return PermissionDenied(message)


def resolve(
    store: Store,
    principal: Principal,
    requested: str | None,
    *,
    required: bool = True,
    today: date | None = None,
) -> Actor | None:
    """The officer acting for ``principal``, given ``--user`` (``requested``, may be None).

    Returns None only when ``required`` is false and no single officer follows (the
    desk then shows the picker: every officer on a demo, the principal's own otherwise).
    Raises :class:`PermissionDenied` (audited) when the principal may not act as the
    officer named, or as anyone while one is required.
    """
    db = store.conn  # reads only (sqlite3: not sqlite-utils, on the desk's way to its first screen)
    demo = is_demo(db)
    if demo and requested:
        return load_actor(db, requested)
    today = today or _today()
    bound = bindings_of(db, principal)
    allowed = [_actor(db, b.officer) for b in bound if not _left(b.end_date, today)]
    who = f"you are {principal.label}"
    if requested:
        for actor in allowed:
            if actor.collar == requested:
                return actor
        leaver = next((b for b in bound if b.officer == requested), None)
        if leaver is not None:
            raise _refuse(store, principal, f"{requested} left on {leaver.end_date} and can no longer act ({who})",
                          requested, "leaver")
        shown = repr(requested[:40])
        if allowed:
            raise _refuse(store, principal, f"{who}; you may act as {_names(allowed)}, not {shown}", requested,
                          "not bound")
        raise _refuse(store, principal, f"{who} and may act as no officer in this database, not {shown}; "
                      f"{_hint(principal)}", requested, "not bound")
    if len(allowed) == 1:
        return allowed[0]
    if not required:
        return None
    if demo:
        raise PermissionDenied("this command needs a user: pass --user COLLAR or set SLO_USER")
    if allowed:
        how = "pass --user COLLAR" if principal.kind == UNIX else "open the desk (ssh -t) to choose one"
        raise _refuse(store, principal, f"this command needs a user: {who} and may act as {_names(allowed)}; {how}",
                      None, "ambiguous")
    if bound:
        raise _refuse(store, principal, f"{who}; every officer you were bound to has left "
                      f"({', '.join(b.officer for b in bound)})", None, "leaver")
    raise _refuse(store, principal, f"{who} and may act as no officer in this database; {_hint(principal)}",
                  None, "not bound")


def desk_choices(store: Store, principal: Principal) -> list[Actor]:
    """The officers the desk's picker may offer; refused (audited) when there are none."""
    choices = officers_for(store.db, principal)
    if choices or is_demo(store.db):
        return choices
    resolve(store, principal, None, required=True)  # raises the refusal that names who you are
    return choices


def choose(store: Store, principal: Principal | None, collar: str) -> Actor:
    """The officer picked in the desk, checked again against the principal's bindings."""
    if principal is None:
        return load_actor(store.db, collar)
    actor = resolve(store, principal, collar, required=True)
    assert actor is not None
    return actor


# ------------------------------------------------------------------ bootstrap


def bootstrap(db: Database, principal: Principal, today: date | None = None) -> list[str]:
    """Bind ``principal`` to every current admin (inside the first import's transaction).

    Returns the collar numbers bound. A database with no current admin is refused
    (:class:`~slo.services.errors.Conflict`): nobody could ever manage it or grant access.
    """
    today = today or _today()
    admins = [
        collar
        for collar, end in db.execute(
            "SELECT collar_number, end_date FROM officers WHERE role = 'admin' ORDER BY collar_number"
        ).fetchall()
        if not _left(end, today)
    ]
    if not admins:
        raise Conflict(
            "the bundle has no current officer of role admin: nobody could manage this database or grant "
            "access to it; add an admin to the bundle and import again"
        )
    stamp = audit.now_local().isoformat(timespec="seconds")
    for collar in admins:
        db.execute(
            "INSERT INTO access (kind, principal, officer, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)",
            [principal.kind, principal.name, collar, "bootstrap", stamp],
        )
    audit.record_many(db, "bootstrap", GRANT, "access", [(c, {"principal": str(principal)}) for c in admins])
    return admins


# ------------------------------------------------------------------ slo access


@dataclass
class GrantResult:
    binding: Binding
    created: bool
    line_written: bool = False
    warnings: list[str] | None = None


def _require_admin(store: Store, actor: Actor) -> None:
    permissions.require(store.db, actor, permissions.MANAGE_ACCESS, what="this database")


def _grantee(db: Database, collar: str, today: date) -> Actor:
    grantee = load_actor(db, collar)
    end = db.execute("SELECT end_date FROM officers WHERE collar_number = ?", [collar]).fetchone()[0]
    if _left(end, today):
        raise Conflict(f"{collar} left on {end}: a leaver cannot be given access")
    return grantee


def _insert(db: Database, actor: Actor, principal: Principal, collar: str,
            public_key: str | None = None, authorized_keys: str | None = None) -> bool:
    existing = db.execute(
        "SELECT 1 FROM access WHERE kind = ? AND principal = ? AND officer = ? AND revoked_at IS NULL",
        [principal.kind, principal.name, collar],
    ).fetchone()
    if existing:
        return False
    db.execute(
        "INSERT INTO access (kind, principal, officer, public_key, authorized_keys, granted_by, granted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [principal.kind, principal.name, collar, public_key, authorized_keys, actor.collar,
         audit.now_local().isoformat(timespec="seconds")],
    )
    detail: dict = {"principal": str(principal)}
    if authorized_keys:
        detail["authorized_keys"] = authorized_keys
    audit.record(db, actor.collar, GRANT, "access", collar, detail)
    return True


def _one(db: Database, principal: Principal, collar: str) -> Binding:
    return _bindings(db, "a.kind = ? AND a.principal = ? AND a.officer = ? AND a.revoked_at IS NULL",
                     [principal.kind, principal.name, collar])[0]


def grant_unix(store: Store, actor: Actor, collar: str, account: str) -> GrantResult:
    """Bind the operating-system account ``account`` to officer ``collar`` (admin only)."""
    _require_admin(store, actor)
    principal = unix_account(account)
    with store.write() as db:
        _grantee(db, collar, _today())
        created = _insert(db, actor, principal, collar)
        return GrantResult(_one(db, principal, collar), created)


def grant_key(
    store: Store,
    actor: Actor,
    collar: str,
    key: PublicKey,
    authorized_keys: Path,
    slo: str,
) -> GrantResult:
    """Bind an SSH key to ``collar`` and write its forced-command line into ``authorized_keys``.

    The line is written inside the database transaction, before it commits: if the
    file cannot be written nothing is granted. A key that already appears in a line
    we did not write is refused (sshd would use whichever line comes first).
    """
    from . import ssh_keys

    _require_admin(store, actor)
    authorized_keys = Path(os.path.abspath(authorized_keys))
    foreign = ssh_keys.foreign_line_with(authorized_keys, key)
    if foreign is not None:
        raise Conflict(
            f"{authorized_keys} line {foreign} already holds this key without SLO Desk's forced command; "
            "remove that line first (sshd uses the first line that matches a key)"
        )
    principal = Principal(SSH, key.fingerprint)
    with store.write() as db:
        _grantee(db, collar, _today())
        created = _insert(db, actor, principal, collar, key.text, str(authorized_keys))
        written = ssh_keys.add_line(authorized_keys, key, slo)
        return GrantResult(_one(db, principal, collar), created, written)


@dataclass
class RevokeResult:
    revoked: list[Binding]
    lines_removed: int
    warnings: list[str]


def _revoke_rows(db: Database, who: str, reason: str, rows: list[Binding]) -> None:
    stamp = audit.now_local().isoformat(timespec="seconds")
    for b in rows:
        db.execute(
            "UPDATE access SET revoked_by = ?, revoked_at = ?, revoked_reason = ? WHERE id = ?",
            [who, stamp, reason, b.id],
        )
    audit.record_many(db, who, REVOKE, "access",
                      [(b.officer, {"principal": f"{b.kind}:{b.principal}", "reason": reason}) for b in rows])


def _unused_keys(db: Database, rows: list[Binding]) -> dict[str, set[str]]:
    """authorized_keys file -> fingerprints among ``rows`` that no active binding uses any more."""
    out: dict[str, set[str]] = {}
    for b in rows:
        if b.kind != SSH or not b.authorized_keys:
            continue
        still = db.execute(
            "SELECT 1 FROM access WHERE kind = 'ssh' AND principal = ? AND revoked_at IS NULL", [b.principal]
        ).fetchone()
        if not still:
            out.setdefault(b.authorized_keys, set()).add(b.principal)
    return out


def _remove_lines(unused: dict[str, set[str]]) -> tuple[int, list[str]]:
    """Remove the lines of keys nobody uses any more; a file we cannot write is a warning, not a failure
    (the database refuses the key already)."""
    from . import ssh_keys

    removed = 0
    warnings = []
    for path, fingerprints in sorted(unused.items()):
        try:
            removed += ssh_keys.remove_lines(Path(path), fingerprints)
        except OSError as exc:
            warnings.append(
                f"the key is refused, but its line could not be removed from {path} ({exc.strerror or exc}); "
                "remove it by hand or run the command again as the serving account"
            )
    return removed, warnings


def revoke(
    store: Store,
    actor: Actor,
    collar: str,
    *,
    account: str | None = None,
    fingerprint: str | None = None,
    every: bool = False,
) -> RevokeResult:
    """End bindings of ``collar`` (one account, one key, or all); a key's line goes once no officer uses it."""
    _require_admin(store, actor)
    db = store.db
    load_actor(db, collar)
    where, params = "a.officer = ? AND a.revoked_at IS NULL", [collar]
    if account is not None:
        where, params = where + " AND a.kind = 'unix' AND a.principal = ?", [collar, account]
        what = f"the account {account[:40]!r}"
    elif fingerprint is not None:
        where, params = where + " AND a.kind = 'ssh' AND a.principal = ?", [collar, fingerprint]
        what = f"the SSH key {fingerprint}"
    elif not every:
        raise ServiceError("name what to revoke: --unix-user NAME, --ssh-key FILE.pub or --all")
    else:
        what = "any principal"
    with store.write() as wdb:
        rows = _bindings(wdb, where, params)
        if not rows:
            raise NotFound(f"{collar} has no access through {what}")
        _revoke_rows(wdb, actor.collar, "revoked", rows)
        unused = _unused_keys(wdb, rows)
    removed, warnings = _remove_lines(unused)
    return RevokeResult(rows, removed, warnings)


def list_access(store: Store, actor: Actor, *, include_revoked: bool = False) -> list[Binding]:
    """Every binding (active ones, or the whole history), for an admin."""
    _require_admin(store, actor)
    where = "1" if include_revoked else "a.revoked_at IS NULL"
    return _bindings(store.db, where, [])


# ------------------------------------------------------------------ leavers (scheduled)


def revoke_leavers(store: Store, day: date) -> str:
    """Revoke every binding of an officer who left before ``day`` and remove their keys' lines.

    Also removes lines of keys whose bindings are all revoked but whose line is
    still in a file (an earlier removal that could not write the file). Idempotent.
    """
    with store.write() as db:
        rows = _bindings(db, "a.revoked_at IS NULL AND o.end_date IS NOT NULL AND o.end_date < ?", [day.isoformat()])
        if rows:
            _revoke_rows(db, SYSTEM.collar, "leaver", rows)
        stale = _bindings(db, "a.kind = 'ssh' AND a.revoked_at IS NOT NULL AND a.authorized_keys IS NOT NULL", [])
        unused = _unused_keys(db, stale)
    from . import ssh_keys

    unused = {p: {fp for fp in fps if ssh_keys.has_line(Path(p), fp)} for p, fps in unused.items()}
    removed, warnings = _remove_lines({p: fps for p, fps in unused.items() if fps})
    officers = len({b.officer for b in rows})
    summary = f"{len(rows)} binding(s) of {officers} leaver(s) revoked, {removed} key line(s) removed"
    if warnings:
        raise ServiceError(summary + "; " + warnings[0])
    return summary
