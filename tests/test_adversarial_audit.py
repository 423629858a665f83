"""The audit log against someone who can write the database file (issue 18, items 7, 8, 9).

Every attack is made the way such a person would: with Python's own ``sqlite3`` on the
real file, outside SLO Desk, knowing the project's own row hash. ``slo check`` must fail
for each one, and must stay quiet for everything SLO Desk itself does.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo.cli.main import main
from slo.services import audit, auditkey, integrity
from slo.services.bundle import import_bundle
from slo.store.db import open_store

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A database made by SLO Desk: the small bundle, then a few ordinary audited changes."""
    from helpers.bundles import SMALL_BUNDLE
    from helpers.identity import bind_current_account

    path = tmp_path_factory.mktemp("template") / "t.db"
    store = open_store(path)
    import_bundle(store, json.loads(json.dumps(SMALL_BUNDLE)), None)
    bind_current_account(store)  # the account running the tests may act as any officer (a test account)
    for i in range(6):
        with store.write() as db:
            audit.record(db, "A1", audit.VIEW, "young_people", "YP-0001", {"n": i})
    store.close()
    return path


def fresh(template: Path, folder: Path, name: str = "db.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def check(path: Path) -> integrity.CheckReport:
    store = open_store(path)
    try:
        return integrity.check(store.db)
    finally:
        store.close()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def audit_rows(conn: sqlite3.Connection) -> list[dict]:
    cursor = conn.execute(
        "SELECT id, at, actor, operation, entity, key, detail, prev_hash, hash FROM audit ORDER BY id")
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r, strict=True)) for r in cursor]


def rechain(conn: sqlite3.Connection) -> None:
    """Recompute every hash with the project's own row hash, as an attacker who read the code would."""
    prev = audit.GENESIS
    for row in audit_rows(conn):
        new = audit.row_hash(prev, row)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", [prev, new, row["id"]])
        prev = new


def drop_triggers(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")


def restore_triggers(conn: sqlite3.Connection) -> None:
    for sql in audit.EXPECTED_TRIGGERS.values():
        conn.execute(sql)


# ---------------------------------------------------------------- what SLO Desk does stays quiet


def test_a_database_made_by_slo_desk_checks_ok(template, tmp_path, capsys):
    path = fresh(template, tmp_path)
    report = check(path)
    assert report.ok, report.lines()
    assert report.anchor is not None and report.anchor.checkpoint is not None
    assert report.anchor.checkpoint.rows == report.chain.rows
    assert main(["--db", str(path), "check"]) == 0
    out = capsys.readouterr().out
    assert "audit triggers: ok" in out and f"audit checkpoint: ok ({report.chain.rows} rows" in out


def test_erase_vacuum_backup_and_concurrent_writers_keep_the_anchor(template, tmp_path):
    path = fresh(template, tmp_path)
    assert main(["--db", str(path), "--user", "A1", "erase", "YP-0001", "--yes"]) == 0
    assert check(path).ok
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "--user", "A1", "backup", str(copy)]) == 0
    assert check(copy).ok, check(copy).lines()  # a backup verifies on its own, with the same key
    assert check(path).ok
    script = (
        "import sys\nfrom slo.store.db import open_store\nfrom slo.services import audit\n"
        "s = open_store(sys.argv[1])\n"
        "for i in range(30):\n"
        "    with s.write() as db:\n"
        "        audit.record(db, 'A1', audit.VIEW, 'young_people', 'x', {'i': i})\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)], env=env) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    report = check(path)
    assert report.ok, report.lines()


# ---------------------------------------------------------------- the attacks of the issue


@settings(max_examples=25, **SETTINGS)
@given(data=st.data())
def test_deleting_rows_at_the_end_is_detected(template, tmp_path, data):
    path = fresh(template, tmp_path)
    conn = raw(path)
    total = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    k = data.draw(st.integers(1, total), label="rows deleted")
    drop_triggers(conn)
    conn.execute("DELETE FROM audit WHERE id > (SELECT max(id) FROM audit) - ?", [k])
    if data.draw(st.booleans(), label="triggers put back"):
        restore_triggers(conn)
    conn.close()
    report = check(path)
    assert not report.ok
    assert report.anchor is not None and not report.anchor.ok


@pytest.mark.parametrize("also", ["nothing", "checkpoint", "checkpoint and id counter"])
def test_deleting_every_row_is_detected(template, tmp_path, also):
    path = fresh(template, tmp_path)
    conn = raw(path)
    drop_triggers(conn)
    conn.execute("DELETE FROM audit")
    if also != "nothing":
        conn.execute("DELETE FROM meta WHERE key = ?", [audit.CHECKPOINT_META_KEY])
    if also == "checkpoint and id counter":
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'audit'")
    restore_triggers(conn)
    conn.close()
    report = check(path)
    assert not report.ok
    assert "FAILED" in "\n".join(report.lines())


FIELDS = ["at", "actor", "operation", "entity", "key", "detail"]


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_rewriting_a_row_and_recomputing_the_chain_is_detected(template, tmp_path, data):
    path = fresh(template, tmp_path)
    conn = raw(path)
    rows = audit_rows(conn)
    victim = data.draw(st.sampled_from(rows), label="row")
    field = data.draw(st.sampled_from(FIELDS), label="field")
    value = data.draw(st.text(min_size=1, max_size=20), label="value")
    if str(victim[field]) == value:
        value += "x"
    drop_triggers(conn)
    conn.execute(f"UPDATE audit SET [{field}] = ? WHERE id = ?", [value, victim["id"]])
    rechain(conn)
    restore_triggers(conn)
    conn.close()
    report = check(path)
    assert report.chain.ok  # the chain itself is whole again: only the anchor can tell
    assert not report.ok and not report.anchor.ok
    assert "rewritten" in report.anchor.problem


@settings(max_examples=15, **SETTINGS)
@given(n=st.integers(1, 5), rechain_all=st.booleans())
def test_rows_forged_at_the_end_are_detected(template, tmp_path, n, rechain_all):
    path = fresh(template, tmp_path)
    conn = raw(path)
    prev = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    for i in range(n):
        row = {"at": "2026-01-01T00:00:00", "actor": "A1", "operation": "view", "entity": "x", "key": str(i),
               "detail": None}
        row["prev_hash"] = prev
        row["hash"] = prev = audit.row_hash(prev, row)
        conn.execute("INSERT INTO audit (at, actor, operation, entity, key, detail, prev_hash, hash) "
                     "VALUES (:at, :actor, :operation, :entity, :key, :detail, :prev_hash, :hash)", row)
    conn.close()
    report = check(path)
    assert not report.ok and "more than its checkpoint" in report.anchor.problem


@pytest.mark.parametrize("how", ["drop update", "drop delete", "drop both", "neuter", "extra trigger"])
def test_missing_or_altered_triggers_are_detected(template, tmp_path, how):
    path = fresh(template, tmp_path)
    conn = raw(path)
    if how in ("drop update", "drop both"):
        conn.execute("DROP TRIGGER audit_no_update")
    if how in ("drop delete", "drop both"):
        conn.execute("DROP TRIGGER audit_no_delete")
    if how == "neuter":
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT 1; END")
    if how == "extra trigger":
        conn.execute("CREATE TRIGGER audit_shadow AFTER INSERT ON audit BEGIN SELECT 1; END")
    conn.close()
    report = check(path)
    assert not report.ok
    assert report.triggers and "audit triggers: FAILED" in "\n".join(report.lines())


@settings(max_examples=20, **SETTINGS)
@given(data=st.data())
def test_a_checkpoint_cannot_be_forged_without_the_key(template, tmp_path, data):
    """Cut rows off, then write a checkpoint for the shorter log: with a guessed key, a copied MAC, or none."""
    path = fresh(template, tmp_path)
    conn = raw(path)
    k = data.draw(st.integers(1, 5), label="rows cut")
    drop_triggers(conn)
    conn.execute("DELETE FROM audit WHERE id > (SELECT max(id) FROM audit) - ?", [k])
    restore_triggers(conn)
    rows, head = conn.execute(
        "SELECT count(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit").fetchone()
    old = json.loads(conn.execute("SELECT value FROM meta WHERE key = ?", [audit.CHECKPOINT_META_KEY]).fetchone()[0])
    how = data.draw(st.sampled_from(["guessed key", "old mac", "garbage"]), label="forgery")
    if how == "guessed key":
        guess = data.draw(st.binary(min_size=32, max_size=32), label="key")
        mac = audit.checkpoint_mac(guess, rows, head)
        value = json.dumps({"rows": rows, "head": head, "at": "x", "key_id": old["key_id"], "mac": mac})
    elif how == "old mac":
        value = json.dumps(dict(old, rows=rows, head=head))
    else:
        value = data.draw(st.text(max_size=40), label="value")
    conn.execute("UPDATE meta SET value = ? WHERE key = ?", [value, audit.CHECKPOINT_META_KEY])
    conn.close()
    report = check(path)
    assert not report.ok and not report.anchor.ok


def test_slo_desk_does_not_launder_a_tampered_log(template, tmp_path):
    """After an attack, the next ordinary change must not re-anchor the log at the attacker's head."""
    path = fresh(template, tmp_path)
    conn = raw(path)
    drop_triggers(conn)
    conn.execute("DELETE FROM audit WHERE id > (SELECT max(id) FROM audit) - 3")
    conn.execute("DELETE FROM meta WHERE key = ?", [audit.CHECKPOINT_META_KEY])
    restore_triggers(conn)
    conn.close()
    store = open_store(path)
    with store.write() as db:
        audit.record(db, "A1", audit.VIEW, "young_people", "YP-0001")
    assert not integrity.check(store.db).ok
    store.close()


# ---------------------------------------------------------------- the key


def test_without_the_key_check_fails_clearly_and_work_goes_on(template, tmp_path, monkeypatch, capsys):
    path = fresh(template, tmp_path)
    monkeypatch.setenv("SLO_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert main(["--db", str(path), "check"]) == 1
    out = capsys.readouterr().out
    assert "no audit key at" in out and str(tmp_path / "elsewhere") in out
    # work goes on (an audited write is not refused) and no key is made behind the admin's back
    store = open_store(path)
    with store.write() as db:
        audit.record(db, "A1", audit.VIEW, "young_people", "YP-0001")
    store.close()
    assert not (tmp_path / "elsewhere" / auditkey.KEY_FILE).exists()
    # an admin anchors it again on purpose: a new key, one audited row, check ok
    assert main(["--db", str(path), "--user", "A1", "check", "--anchor"]) == 0
    assert check(path).ok
    key_file = tmp_path / "elsewhere" / auditkey.KEY_FILE
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert oct(key_file.parent.stat().st_mode & 0o777) == "0o700"
    conn = raw(path)
    last = conn.execute("SELECT actor, operation, key, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert last[:3] == ("A1", "check", "anchor") and json.loads(last[3])["reason"] == "key"


def test_anchoring_is_for_admins_and_refuses_a_broken_chain(template, tmp_path, capsys):
    path = fresh(template, tmp_path)
    assert main(["--db", str(path), "--user", "PC1000", "check", "--anchor"]) == 1
    assert "may not" in capsys.readouterr().err
    conn = raw(path)
    drop_triggers(conn)
    conn.execute("UPDATE audit SET actor = 'X' WHERE id = 3")
    restore_triggers(conn)
    conn.close()
    assert main(["--db", str(path), "--user", "A1", "check", "--anchor"]) == 1
    assert "cannot be anchored" in capsys.readouterr().err


def test_a_legacy_log_without_checkpoint_is_flagged_until_anchored(template, tmp_path, capsys):
    path = fresh(template, tmp_path)
    conn = raw(path)
    conn.execute("DELETE FROM meta WHERE key = ?", [audit.CHECKPOINT_META_KEY])
    conn.close()
    assert main(["--db", str(path), "check"]) == 1
    assert "no checkpoint" in capsys.readouterr().out
    assert main(["--db", str(path), "--user", "A1", "check", "--anchor"]) == 0
    assert main(["--db", str(path), "check"]) == 0


# ---------------------------------------------------------------- item 8: every disclosure is audited


def _slo(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "slo", *args], cwd=ROOT, env=env, **kw)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The small demo (a bundle of about 1.3 MB: far more than a pipe holds)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = _slo("demo", "--scale", "small", "--db", str(path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.wait(timeout=300) == 0
    return path


def disclosures(path: Path, entity: str) -> list[tuple[str, dict]]:
    conn = raw(path)
    rows = conn.execute("SELECT actor, detail FROM audit WHERE entity = ? AND operation = 'export' ORDER BY id",
                        [entity]).fetchall()
    conn.close()
    return [(actor, json.loads(detail)) for actor, detail in rows]


@pytest.mark.parametrize("read", [0, 1, 4096, 200_000])
def test_a_bundle_piped_into_head_is_audited_with_how_it_ended(demo_db, tmp_path, read):
    path = fresh(demo_db, tmp_path)
    proc = _slo("--db", str(path), "--user", "A1", "export", "bundle", "-",
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    got = proc.stdout.read(read) if read else b""
    proc.stdout.close()  # what `head` does when it has what it wants
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in err, err
    assert len(got) == read
    rows = disclosures(path, "bundle")
    assert [r[1]["state"] for r in rows] == ["started", "interrupted: the reader closed the pipe"]
    start, end = rows
    assert start[0] == end[0] == "A1" and start[1]["to"] == "standard output" and start[1]["named"] is True
    assert end[1]["started_row"] > 0 and isinstance(end[1]["counts"], dict)
    assert check(path).ok


def test_a_bundle_export_killed_midway_leaves_its_start_row(demo_db, tmp_path):
    path = fresh(demo_db, tmp_path)
    proc = _slo("--db", str(path), "--user", "A1", "export", "bundle", "-",
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.read(10)  # it has started writing, and blocks on the full pipe
    proc.kill()
    proc.communicate(timeout=60)
    assert [r[1]["state"] for r in disclosures(path, "bundle")] == ["started"]
    assert check(path).ok


def test_a_completed_bundle_export_to_a_file_says_where_and_how_many(demo_db, tmp_path):
    path = fresh(demo_db, tmp_path)
    out = tmp_path / "out" / "b.json"
    assert main(["--db", str(path), "--user", "A1", "export", "bundle", str(out)]) == 0
    start, end = disclosures(path, "bundle")
    assert start[1]["to"] == str(out.resolve()) and end[1]["state"] == "completed"
    written = json.loads(out.read_text())
    assert end[1]["counts"] == {k: len(v) for k, v in written.items() if k != "format"}


class _FailingStream:
    def __init__(self, after: int, exc: BaseException):
        self.left, self.exc = after, exc

    def write(self, text: str) -> int:
        if self.left <= 0:
            raise self.exc
        self.left -= 1
        return len(text)

    def flush(self) -> None:
        if self.left <= 0:
            raise self.exc


@settings(max_examples=20, **SETTINGS)
@given(after=st.integers(0, 40), exc=st.sampled_from([BrokenPipeError(32, "Broken pipe"), OSError(28, "No space"),
                                                     KeyboardInterrupt(), ValueError("x")]))
def test_however_a_bundle_export_ends_the_log_says_so(template, tmp_path, after, exc):
    from slo.services.actors import load_actor
    from slo.services.bundle import write_bundle

    path = fresh(template, tmp_path)
    store = open_store(path)
    try:
        with pytest.raises(type(exc)):
            write_bundle(store, load_actor(store.db, "A1"), _FailingStream(after, exc), to="test")
        assert not store.db.conn.in_transaction
    finally:
        store.close()
    states = [r[1]["state"] for r in disclosures(path, "bundle")]
    expected = {BrokenPipeError: "interrupted: the reader closed the pipe",
                KeyboardInterrupt: "interrupted by the user"}
    assert states == ["started", expected.get(type(exc), f"failed: {type(exc).__name__}")]
    assert check(path).ok


def test_a_backup_needs_an_admin_and_is_audited(template, tmp_path, capsys):
    path = fresh(template, tmp_path)
    out = tmp_path / "b.db"
    assert main(["--db", str(path), "backup", str(out)]) == 1
    assert "needs a user" in capsys.readouterr().err
    assert main(["--db", str(path), "--user", "PC1000", "backup", str(out)]) == 1
    assert "may not" in capsys.readouterr().err and not out.exists()
    assert main(["--db", str(path), "--user", "A1", "backup", str(out)]) == 0
    (a1, start), (a2, end) = disclosures(path, "backup")
    assert a1 == a2 == "A1" and start["to"] == str(out.resolve()) and start["state"] == "started"
    assert end["state"] == "completed" and end["bytes"] == out.stat().st_size
    assert end["started_row"] == raw(path).execute(
        "SELECT id FROM audit WHERE entity = 'backup' ORDER BY id LIMIT 1").fetchone()[0]
    assert check(out).ok and check(path).ok


# ---------------------------------------------------------------- item 9: refused input is never logged

GIVEN = ["Finley", "Zoë", "Aoife", "Mohammed", "Siân", "Kacper", "Olu", "Ren"]
FAMILY = ["Patel", "Brontë", "O'Neill", "Nowak", "Kaur-Singh", "Adeyemi", "Ng"]
typed_name = st.builds(
    lambda g, f, d, style: style.format(g=g, f=f, d=d),
    st.sampled_from(GIVEN), st.sampled_from(FAMILY), st.dates(),
    st.sampled_from(["{g} {f}, DOB {d}", "{f}, {g}", "{g} {f}", "{g} {f} ({d})", "{g}.{f}@school.example"]),
)
typed_text = st.one_of(
    typed_name, st.text(min_size=8, max_size=40).filter(lambda t: t.strip() == t and "\x00" not in t))


def _audit_text(path: Path) -> str:
    conn = raw(path)
    text = "\n".join(" ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM audit"))
    conn.close()
    return text


def _refusal_attempts(path: Path, typed: str) -> None:
    """Every way a person can type text that is then refused, through the real CLI and services."""
    from slo.models import Engagement
    from slo.services import records
    from slo.services.actors import load_actor
    from slo.services.queries import scope as desk

    cli = [
        ["--user", "PC1000", "erase", typed, "--yes"],  # not allowed to erase
        ["--user", "A1", "erase", typed, "--yes"],  # no such young person
        ["--user", "A1", "erase", typed],  # not confirmed
        ["--user", typed, "due"],  # no such officer
        ["--user", "PC1000", "export", "calendars", "--school", typed],
        ["--user", "S100", "abstraction", "review", typed, "--accept"],
        ["--user", "PC1000", "report", "continuity", "--from", "2026-01-01", "--to", "2026-01-31",
         "--scope", f"team:{typed}"],
        ["--user", "PC1000", "report", "continuity", "--from", "2026-01-01", "--to", "2026-01-31",
         "--scope", f"officer:{typed}"],
    ]
    for argv in cli:
        assert main(["--db", str(path), *argv]) in (1, 2)
    store = open_store(path)
    try:
        other = load_actor(store.db, "PC1001")
        for call in (
            lambda: desk.require_young_person(store.db, other, typed),
            lambda: desk.require_school(store.db, other, typed),
            lambda: records.view(store, other, "young_people", typed),
            lambda: records.save(store, other, Engagement(
                ref=typed, officer="PC1000", school="100000", kind="visit", title="Visit",
                starts_at="2026-03-02T10:00", ends_at="2026-03-02T11:00", status="planned")),
        ):
            try:
                call()
            except Exception as exc:  # refused one way or another: that is the point
                assert "Traceback" not in str(exc)
    finally:
        store.close()


@settings(max_examples=30, **SETTINGS)
@given(typed=typed_text)
def test_refused_input_is_never_copied_into_the_audit_log(template, tmp_path, capsys, typed):
    path = fresh(template, tmp_path)
    before = _audit_text(path)
    if typed in before:
        return  # the text was in the log already (say "A1 view"): nothing to learn from it
    _refusal_attempts(path, typed)
    capsys.readouterr()
    after = _audit_text(path)
    assert after != before  # refusals were audited ...
    assert typed not in after  # ... without what was typed
    from slo.models.text import clean_line

    assert clean_line(typed) not in after[len(before):]
    assert check(path).ok


def test_refusals_of_existing_records_still_name_them(template, tmp_path):
    path = fresh(template, tmp_path)
    assert main(["--db", str(path), "--user", "PC1000", "erase", "YP-0001", "--yes"]) == 1
    assert main(["--db", str(path), "--user", "PC1000", "erase", "Finley Patel, DOB 2014-03-02", "--yes"]) == 1
    conn = raw(path)
    targets = [json.loads(d)["target"] for (d,) in conn.execute(
        "SELECT detail FROM audit WHERE operation = 'refused' ORDER BY id")]
    assert targets == ["young person YP-0001", f"young person {audit.NOT_RECORDED}"]


@settings(max_examples=60, **SETTINGS)
@given(kind=st.sampled_from(["young person", "school", "officer", "team", "engagements", "absences", "abstraction"]),
       typed=typed_text, suffix=st.sampled_from(["", "'s records", "'s week", " (assigned to PC1000)", "'s <b>"]))
def test_refusal_target_keeps_only_existing_keys(template, tmp_path, kind, typed, suffix):
    path = fresh(template, tmp_path)
    store = open_store(path)
    try:
        kept = audit.refusal_target(store.db, f"{kind} {typed}{suffix}")
        assert typed not in kept
        assert kept == f"{kind} {audit.NOT_RECORDED}"
        existing = {"young person": "YP-0001", "school": "100000", "officer": "PC1000", "team": "NHT-North",
                    "engagements": "ENG-1", "absences": "PC1000/2026-02-16", "abstraction": "ABS-1"}[kind]
        kept = audit.refusal_target(store.db, f"{kind} {existing}{suffix}")
        assert kept == f"{kind} {existing}" + (suffix if suffix in ("'s records", "'s week") else "")
        assert audit.refusal_target(store.db, "this database") == "this database"
        assert audit.refusal_target(store.db, typed) == audit.NOT_RECORDED
        assert audit.refusal_target(store.db, typed.lower()) == audit.NOT_RECORDED
    finally:
        store.close()
