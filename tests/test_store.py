"""The store: pragmas on every connection, private files, a connection per thread, write transactions, audit log."""

from __future__ import annotations

import json
import sqlite3
import stat
import threading

import pytest
from helpers.bundles import SMALL_BUNDLE

from slo.models import ENTITY_MODELS
from slo.services import audit
from slo.store.db import BUSY_TIMEOUT_MS, StoreError, open_store
from slo.store.rows import bundle_row, from_row, key_values, to_row


def pragmas(db) -> dict:
    return {
        name: db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
    }


def expected_pragmas() -> dict:
    return {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": BUSY_TIMEOUT_MS}


def in_thread(fn):
    """Run ``fn`` in a new thread; return its result or raise its exception."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            box["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_pragmas_on_the_first_connection(store):
    assert pragmas(store.db) == expected_pragmas()
    assert BUSY_TIMEOUT_MS >= 1000


def test_pragmas_on_every_thread_connection_and_a_reopened_store(store, db_path):
    assert in_thread(lambda: pragmas(store.db)) == expected_pragmas()
    store.close()
    again = open_store(db_path)
    try:
        assert pragmas(again.db) == expected_pragmas()
    finally:
        again.close()


def test_one_connection_per_thread(store):
    main_db = store.db
    assert store.db is main_db  # the same thread gets the same connection
    other = in_thread(lambda: store.db)
    assert other is not main_db and other.conn is not main_db.conn
    # a thread's writes are visible to the others once committed
    def write():
        with store.write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["from-thread", "1"])
        return True

    assert in_thread(write)
    assert store.db.execute("SELECT value FROM meta WHERE key = ?", ["from-thread"]).fetchone() == ("1",)


def test_connections_of_ended_threads_are_closed(store):
    ended = in_thread(lambda: store.db)
    in_thread(lambda: store.db)  # a new thread's first use prunes the ended one
    with pytest.raises(sqlite3.ProgrammingError):
        ended.execute("SELECT 1")


def test_new_database_file_and_folder_are_private(tmp_path):
    path = tmp_path / "new" / "deeper" / "slo.db"
    s = open_store(path)
    try:
        with s.write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["k", "v"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0
    finally:
        s.close()


def test_open_store_refusals(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        open_store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(StoreError, match="folder"):
        open_store(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not an SLO Desk database"):
        open_store(junk)


def test_migrations_create_every_table_once(store, db_path):
    tables = set(store.db.table_names())
    assert set(ENTITY_MODELS) | {"audit", "meta"} <= tables
    store.close()
    again = open_store(db_path)  # re-opening applies nothing twice
    try:
        assert set(again.db.table_names()) == tables
    finally:
        again.close()


def test_the_schema_version_counts_the_migration_modules():
    """A new migration module without a new SCHEMA_VERSION would never be applied to a stamped database."""
    from pathlib import Path

    import slo.store.migrations as package
    from slo.store.schema import SCHEMA_VERSION

    files = sorted(p.stem for p in Path(package.__file__).parent.glob("m[0-9][0-9][0-9]_*.py"))
    assert len(files) == SCHEMA_VERSION
    # every module is imported by the package (its functions registered), in order
    registered = [m.name[:4] for m in package.migrations._migrations]
    assert registered == sorted(registered)
    assert set(registered) == {name[:4] for name in files}


def test_a_migrated_database_is_stamped_and_an_unstamped_one_is_checked(db_path, store):
    from slo.store.schema import SCHEMA_VERSION

    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()
    # a database from before the stamp, one migration short: opening it applies the migration
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_history'")
    conn.execute("DROP TABLE history")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    again = open_store(db_path)
    try:
        assert "history" in again.db.table_names()
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        again.close()
    # every migration applied but no stamp (made before the stamp): stamped, nothing applied again
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    applied = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    conn.close()
    again = open_store(db_path)
    try:
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert again.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == applied
    finally:
        again.close()


def test_a_later_versions_stamp_is_left_alone(db_path, store):
    from slo.store.schema import SCHEMA_VERSION

    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.commit()
    conn.close()
    again = open_store(db_path)
    try:
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 3
    finally:
        again.close()


def test_write_commits(store):
    with store.write() as db:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["a", "1"])
    assert not store.db.conn.in_transaction
    assert in_thread(lambda: store.db.execute("SELECT value FROM meta WHERE key = 'a'").fetchone()) == ("1",)


def test_write_rolls_back_on_exception(store):
    with pytest.raises(RuntimeError), store.write() as db:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["b", "1"])
        audit.record(db, "T1", audit.CREATE, "meta", "b")
        raise RuntimeError("the caller fails mid-transaction")
    assert not store.db.conn.in_transaction
    assert store.db.execute("SELECT count(*) FROM meta WHERE key = 'b'").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_nested_write_is_a_savepoint(store):
    with store.write() as db:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["outer", "1"])
        with pytest.raises(ValueError), store.write() as inner:
            inner.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["inner", "1"])
            raise ValueError("inner fails")
    keys = {r[0] for r in store.db.execute("SELECT key FROM meta WHERE key IN ('outer', 'inner')")}
    assert keys == {"outer"}


def test_write_takes_the_write_lock_at_begin(store, db_path):
    """BEGIN IMMEDIATE: a second writer is refused while a write block is open, even before it writes."""
    other = sqlite3.connect(str(db_path), timeout=0.05, isolation_level=None)
    try:
        with store.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the block ends
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sqlite3.IntegrityError), store.write() as db:
        db.execute(
            "INSERT INTO assignments (officer, school, start_date) VALUES (?, ?, ?)",
            ["NOBODY", "999999", "2026-01-01"],
        )


def test_audit_rows_refuse_update_and_delete(loaded_store):
    db = loaded_store.db
    n = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert n > 0
    for sql in ("UPDATE audit SET actor = 'someone' WHERE id = 1", "DELETE FROM audit WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), loaded_store.write() as w:
            w.execute(sql)
    assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == n
    assert audit.verify_chain(db).ok


def test_audit_record_needs_a_transaction(store):
    with pytest.raises(RuntimeError, match="inside the write transaction"):
        audit.record(store.db, "T1", audit.CREATE, "meta", "x")


def test_audit_chain_detects_tampering(loaded_store):
    db = loaded_store.db
    report = audit.verify_chain(db)
    assert report.ok and report.rows == db.execute("SELECT count(*) FROM audit").fetchone()[0]
    with loaded_store.write() as w:
        w.execute("DROP TRIGGER audit_no_update")
        w.execute("UPDATE audit SET actor = 'mallory' WHERE id = 2")
    bad = audit.verify_chain(db)
    assert not bad.ok and bad.first_bad_id == 2


def test_rows_round_trip_every_entity():
    for entity, model in ENTITY_MODELS.items():
        for item in SMALL_BUNDLE[entity]:
            record = model.model_validate(item)
            row = to_row(record)
            assert from_row(entity, row) == record
            assert bundle_row(entity, row) == item
            assert key_values(record) == [row[c] for c in record.facts.key]
    consultation = to_row(ENTITY_MODELS["consultations"].model_validate(SMALL_BUNDLE["consultations"][0]))
    assert json.loads(consultation["reasons"]) == ["PA", "OW", "DA"]
    referral = to_row(ENTITY_MODELS["referrals"].model_validate(SMALL_BUNDLE["referrals"][0]))
    assert referral["outcome22"] == 1


def test_declared_references_are_the_schemas_foreign_keys(store):
    """Each model's ``facts.references`` and the tables' foreign keys say the same thing (the store and
    the bundle check references in SQL; the services and the role matrix read the declarations)."""
    for entity, model in ENTITY_MODELS.items():
        declared = {(r.field, r.entity) for r in model.facts.references}
        schema = {(row[3], row[2]) for row in store.db.execute(f"PRAGMA foreign_key_list([{entity}])").fetchall()}
        schema -= {("rebooked_from", "engagements")}  # a database-only column, not a bundle field
        assert declared == schema, entity
        # the natural key is the primary key or a unique index (upserts name it in ON CONFLICT)
        unique = [
            tuple(r[2] for r in store.db.execute(f"PRAGMA index_info([{index[1]}])").fetchall())
            for index in store.db.execute(f"PRAGMA index_list([{entity}])").fetchall() if index[2]
        ]
        assert model.facts.key in unique, (entity, unique)
