"""Opening the database: one connection per thread, the pragmas, and write transactions.

Every connection sets WAL, ``foreign_keys=ON``, a busy timeout and
``synchronous=FULL``. Every write runs inside :meth:`Store.write`, which opens
``BEGIN IMMEDIATE`` itself (sqlite-utils' own ``BEGIN`` is deferred, and two
deferred read-then-write transactions deadlock under concurrent writers).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .schema import MIGRATION_SET, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlite_utils import Database

#: how long a writer waits for another writer before "the database is busy" (env SLO_BUSY_TIMEOUT_MS)
BUSY_TIMEOUT_MS = int(os.environ.get("SLO_BUSY_TIMEOUT_MS", "10000"))


class StoreError(Exception):
    """A problem with the database that the user must fix; ``str()`` is one clear line."""


class DatabaseBusy(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "the database is busy (another user or process is writing); try again in a moment"
        )


class NetworkFilesystem(StoreError):
    pass


def _mode(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"mode {stat.S_IMODE(info.st_mode):04o}, owner uid {info.st_uid}"


def writable_problem(path: Path) -> str | None:
    """Why this account cannot write the database at ``path`` (its file, folder, -wal, -shm), or None."""
    path = Path(path)
    if not os.access(path, os.W_OK):
        return f"{path} is read-only for this account ({_mode(path)}); give it mode 0600 and the serving account"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"the folder {path.parent} is read-only for this account ({_mode(path.parent)}): SQLite needs to " \
               "create its -wal and -shm files there"
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if os.path.lexists(side) and not os.access(side, os.R_OK | os.W_OK):
            return f"{side} is read-only for this account ({_mode(side)}); give it mode 0600 and the database's " \
                   "owner, or remove it while no one uses the database"
    return None


class ReadOnlyDatabase(StoreError):
    """SQLite refused a write because a file it needs is read-only; says which one and what to do."""

    def __init__(self, path: Path) -> None:
        why = writable_problem(path) or f"{path} could not be written (a read-only filesystem, or its files " \
                                        "changed owner); check the permissions of it and its -wal and -shm files"
        super().__init__(f"cannot write the database: {why}")


def repair_side_files(path: Path) -> None:
    """Give this account's ``-wal``/``-shm`` files mode 0600 when the database itself is writable.

    A read-only spell (the database 0400, or opened read-only) leaves SQLite's ``-shm`` with the
    database's mode of the time, 0400; once the database is writable again, SQLite still opens that
    ``-shm`` read-only and every write fails with "attempt to write a readonly database" although
    ``slo check`` (which only reads) says ok. So before connecting: a side file of ours whose mode is
    not 0600 gets 0600 (group or world bits are removed too). Side files owned by another account
    are left alone (:func:`writable_problem` names them if they block writes).
    """
    if not os.access(path, os.W_OK):
        return
    uid = os.getuid()
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        try:
            info = side.lstat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_uid == uid and stat.S_IMODE(info.st_mode) != 0o600:
            with suppress(OSError):
                os.chmod(side, 0o600)


# Filesystem types on which SQLite's locking is unsafe (statfs f_type magic numbers
# and /proc/mounts names).
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs"}


def filesystem_type(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    """The type of the filesystem holding ``path``, from /proc/mounts (None if unknown)."""
    try:
        mounts = Path(mounts_file).read_text().splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(
            mount_point
        ) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def check_local_filesystem(path: Path, mounts_file: str | None = None) -> None:
    """Refuse a database on a network filesystem: SQLite locking and WAL are unsafe there."""
    mounts_file = mounts_file or os.environ.get("SLO_MOUNTS_FILE", "/proc/mounts")
    probe = path if path.exists() else path.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    fstype = filesystem_type(probe, mounts_file)
    if fstype and (fstype in _NETWORK_FS or fstype.startswith("nfs")):
        raise NetworkFilesystem(
            f"{path} is on a network filesystem ({fstype}); SQLite's locking is not safe there "
            "and records could be corrupted. Keep the database on the server's local disk and "
            "let officers connect over SSH (see README, 'Running for a whole force')."
        )


def configure(conn: sqlite3.Connection) -> None:
    """The pragmas every connection sets."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


class Reads(Protocol):
    """What a read needs of a connection: ``execute``. Both this thread's ``sqlite3``
    connection (:attr:`Store.conn`) and its sqlite-utils ``Database`` (:attr:`Store.db`) have it."""

    def execute(self, sql: str, parameters: Any = ..., /) -> sqlite3.Cursor: ...


def _import_sqlite_utils() -> None:
    """Import sqlite-utils, without numpy and pandas (about 0.1 s more).

    sqlite-utils imports them only when they are installed, to map their scalar
    types to column types when it creates tables from Python values; SLO Desk
    never passes numpy or pandas values, and neither is a dependency of ours.
    They stay importable afterwards for anything else that wants them.
    """
    import sys

    if "sqlite_utils.db" in sys.modules:
        return
    blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]


def _open(path: str | Path) -> sqlite3.Connection:
    """A new ``sqlite3`` connection on ``path`` with every pragma set (for one thread only)."""
    # check_same_thread=False only so that a connection whose thread has ended can be
    # closed by the Store; each connection is still used by one thread only.
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    configure(conn)
    return conn


def _database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils' ``Database`` on ``conn`` (imported here, the first time one is wanted)."""
    _import_sqlite_utils()
    from sqlite_utils import Database

    # No sqlite-utils plugins: looking for them scans every installed distribution's entry
    # points (15-25 ms at each start), and a plugin's prepare_connection hook would run inside
    # every connection to police records. We install none and want none.
    return Database(conn, execute_plugins=False)


def connect(path: str | Path) -> Database:
    """A new sqlite-utils Database on ``path`` with every pragma set (for this thread only)."""
    return _database(_open(path))


class Store:
    """The database at ``path``: a connection per thread, and write transactions.

    ``store.conn`` is this thread's ``sqlite3`` connection and ``store.db`` the same
    connection as a sqlite-utils ``Database``; reads on the way to the desk's first
    screen use ``conn``, so that sqlite-utils (about 50 ms of imports) is imported
    only when something wants it. ``with store.write() as db:`` runs a
    ``BEGIN IMMEDIATE`` transaction that commits on success and rolls back on any
    exception; nested ``write()`` blocks become savepoints.
    """

    def __init__(self, path: str | Path, *, migrate: bool = True, check_fs: bool = True):
        self.path = Path(path)
        if check_fs:
            check_local_filesystem(self.path)
        self._local = threading.local()
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        if migrate:
            self.migrate()

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use; those of ended threads are closed)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _open(self.path)
            self._local.conn = conn
            with self._lock:
                # close the connections of threads that have ended (e.g. finished workers)
                alive = []
                for thread, other in self._all:
                    if thread.is_alive():
                        alive.append((thread, other))
                    else:
                        with suppress(sqlite3.Error):
                            other.close()
                alive.append((threading.current_thread(), conn))
                self._all = alive
        return conn

    @property
    def db(self) -> Database:
        """This thread's connection as a sqlite-utils ``Database``."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = _database(self.conn)
            self._local.db = db
        return db

    def migrate(self) -> None:
        """Apply the migrations this database lacks.

        A database stamped with :data:`~slo.store.schema.SCHEMA_VERSION` has them all and
        is not asked further; any other is asked which are pending (sqlite-utils), has them
        applied, and is stamped.
        """
        stamped = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if stamped == SCHEMA_VERSION:
            return
        db = self.db
        from . import migrations as schema

        if schema.migrations.pending(db):
            # Serialise concurrent first opens: under the write lock, apply() re-reads
            # what is pending, and each migration runs in a savepoint of this transaction.
            with self.write():
                schema.apply(db)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        if stamped > SCHEMA_VERSION:
            return  # made by a later SLO Desk: its stamp is its own
        # every migration applied before databases were stamped: stamp it (a read-only
        # file, or one another writer holds, is asked again next time)
        with suppress(StoreError, sqlite3.Error), self.write():
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def write(self) -> Iterator[Database]:
        db = self.db
        conn = db.conn
        if conn.in_transaction:
            with db.atomic():  # a savepoint inside the outer IMMEDIATE transaction
                yield db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseBusy() from exc
            if "readonly" in str(exc):
                raise ReadOnlyDatabase(self.path) from exc
            raise
        try:
            yield db
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                raise ReadOnlyDatabase(self.path) from exc
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if "locked" in str(exc) or "busy" in str(exc):
                    raise DatabaseBusy() from exc
                if "readonly" in str(exc):
                    raise ReadOnlyDatabase(self.path) from exc
                raise

    def close(self) -> None:
        with self._lock:
            for _thread, conn in self._all:
                with suppress(sqlite3.ProgrammingError):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


def create_private_dir(folder: Path) -> None:
    """Create ``folder`` and every missing parent readable by the owner only (0700 each, whatever the umask).

    ``mkdir(parents=True, mode=...)`` gives the parents the umask's mode (0777 at umask 000); each
    level is made and chmod-ed here instead. Folders that exist already are left as they are.
    """
    folder = Path(folder)
    missing = []
    probe = folder
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(part, 0o700)


#: the first 16 bytes of every SQLite database file
SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_unless_slo_database(path: Path) -> None:
    """Raise :class:`StoreError` unless ``path`` is an SLO Desk database; never changes the file.

    Refused: a folder, anything that is not a regular file (a device such as
    ``/dev/zero``, a FIFO, a socket), an empty file, a file that is not SQLite,
    and an SQLite database without SLO Desk's schema (no ``slo`` migrations).
    Such a file is never "repaired" into an empty database: it may be someone's
    data, or the wrong ``--db``.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise StoreError(f"no database at {path}") from None
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file (a device, FIFO or socket), so it is not a database")
    nothing = "; nothing was changed (check --db)"
    if info.st_size == 0:
        raise StoreError(f"{path} is an empty file, not an SLO Desk database{nothing}")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
    if head != SQLITE_HEADER:
        raise StoreError(f"{path} is not an SLO Desk database (not an SQLite file){nothing}")
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        found = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()[0]
        ours = found and conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusy() from exc
        raise StoreError(f"{path} is not an SLO Desk database ({exc}){nothing}") from None
    finally:
        conn.close()
    if not ours:
        raise StoreError(f"{path} is an SQLite database but not an SLO Desk one (no SLO Desk schema){nothing}")


def _create_database(path: Path) -> None:
    """Make a new SLO Desk database at ``path``, whole or not at all.

    The schema is built in a private temporary file beside ``path`` and linked
    into place only when complete, so no other process (two first opens at
    once) ever sees a half-made or empty file at ``path``. If another process
    created ``path`` meanwhile, its database is kept and ours is discarded.
    """
    create_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        store = Store(tmp)
        try:
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.rename(tmp, path)
        _fsync_dir(path.parent)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_store(path: str | Path, *, create: bool = True, initialise: bool = False) -> Store:
    """Open the SLO Desk database at ``path``, or (``create``) make a new one where none exists.

    A new database file and its folder are created readable by the owner only
    (0600 / 0700), since they hold police records about children. A file that
    exists but is not an SLO Desk database (empty, not SQLite, another
    program's SQLite, a device or FIFO) is refused with :class:`StoreError`
    and left exactly as it was. ``initialise`` is for a caller that has just
    made an empty private file itself (a temporary file to build in): that one
    file gets the schema.
    """
    path = Path(path)
    check_local_filesystem(path)
    if initialise and path.is_file() and path.stat().st_size == 0:
        pass
    elif not os.path.lexists(path):
        if not create:
            raise StoreError(f"no database at {path}; create one with 'slo demo' or 'slo import'")
        _create_database(path)
        refuse_unless_slo_database(path)
    else:
        refuse_unless_slo_database(path)
    repair_side_files(path)
    try:
        store = Store(path)
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusy() from exc
        if "readonly" in str(exc):
            raise ReadOnlyDatabase(path) from exc
        raise StoreError(f"{path} is not an SLO Desk database ({exc})") from exc
    repair_side_files(path)  # made by this first connection (SQLite gives them the database's mode)
    return store
