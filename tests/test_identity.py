"""Who you are (cli.md "Who you are", issue 14): principals bound to officers, on real SQLite files.

Locally the principal is the operating-system account running ``slo``. Tests that need a
second account create a real one with ``useradd`` (CI runs as root) and run ``slo`` as
that account in a child process; they are removed again afterwards.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.bundles import SMALL_BUNDLE

from slo.cli.main import main
from slo.services import identity, ssh_keys
from slo.services.actors import load_actor
from slo.services.errors import Conflict, PermissionDenied
from slo.store.db import open_store

ROOT = Path(__file__).resolve().parent.parent
ME = identity.current_account()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def bundle_file(tmp_path: Path, bundle: dict | None = None, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(bundle or SMALL_BUNDLE), encoding="utf-8")
    return path


def audit_rows(path: Path, operation: str | None = None) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT actor, operation, entity, key, detail FROM audit"
        if operation:
            return conn.execute(sql + " WHERE operation = ? ORDER BY id", [operation]).fetchall()
        return conn.execute(sql + " ORDER BY id").fetchall()
    finally:
        conn.close()


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def real_db(tmp_path, capsys) -> Path:
    """A real database created by ``slo import`` as the account running the tests (bound to A1)."""
    path = tmp_path / "db" / "slo.db"
    assert run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path)))[0] == 0
    return path


# ------------------------------------------------------------------ bootstrap


def test_the_creator_is_bound_to_every_admin_and_acts_as_the_only_one_without_user(tmp_path, capsys):
    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["officers"].append({**bundle["officers"][2], "collar_number": "A2", "name": "Second Admin"})
    bundle["officers"].append({**bundle["officers"][2], "collar_number": "A3", "name": "Gone Admin",
                               "end_date": "2020-06-30"})
    path = tmp_path / "db" / "slo.db"
    code, _, err = run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path, bundle)))
    assert code == 0 and "may act as A1, A2" in err
    grants = audit_rows(path, "grant")
    assert [(a, k, json.loads(d)["principal"]) for a, _, _, k, d in grants] == [
        ("bootstrap", "A1", str(ME)), ("bootstrap", "A2", str(ME))
    ]  # a leaver admin (A3) is not bound
    code, out, err = run(capsys, "--db", str(path), "--user", "A2", "access", "list", "--format", "json")
    assert code == 0
    assert {(b["officer"], b["principal"], b["granted_by"]) for b in json.loads(out)} == {
        ("A1", ME.name, "bootstrap"), ("A2", ME.name, "bootstrap")
    }
    # bound to two officers: a command without --user asks which
    code, _, err = run(capsys, "--db", str(path), "due")
    assert code == 1 and "you may act as" not in err and "may act as A1 or A2; pass --user" in err


def test_the_creator_of_a_database_can_act_as_its_admin(real_db, capsys):
    code, out, _ = run(capsys, "--db", str(real_db), "due", "--format", "json")
    assert code == 0 and json.loads(out) == []  # A1 (the only officer bound), no --user needed
    code, _, _ = run(capsys, "--db", str(real_db), "--user", "A1", "access", "list")
    assert code == 0


def test_a_bundle_without_a_current_admin_is_refused_and_leaves_no_file(tmp_path, capsys):
    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["officers"] = [o for o in bundle["officers"] if o["role"] != "admin"]
    path = tmp_path / "db" / "slo.db"
    code, out, err = run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path, bundle)))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "no current officer of role admin" in err
    assert not path.exists()


def test_bootstrap_into_an_existing_empty_file_is_all_or_nothing(tmp_path, capsys):
    path = tmp_path / "db" / "slo.db"
    open_store(path).close()  # our schema, no officers, no audit rows: an empty database
    before = counts(path)
    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["officers"] = [o for o in bundle["officers"] if o["role"] != "admin"]
    assert run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path, bundle)))[0] == 1
    assert counts(path) == before  # the import and the bindings rolled back together
    assert run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path)))[0] == 0
    assert run(capsys, "--db", str(path), "--user", "A1", "access", "list")[0] == 0


# ------------------------------------------------------------------ --user on a real database


def test_an_unbound_officer_is_refused_naming_who_you_are_and_only_the_refusal_is_written(real_db, capsys):
    before = counts(real_db)
    code, out, err = run(capsys, "--db", str(real_db), "--user", "PC1000", "due")
    assert code == 1 and out == ""
    assert err.strip() == f"slo: error: you are the account {ME.name}; you may act as A1, not 'PC1000'"
    after = counts(real_db)
    assert after.pop("audit") == before.pop("audit") + 1 and after == before
    assert audit_rows(real_db)[-1][:4] == (str(ME), "refused", "identity", "PC1000")
    # SLO_USER is the same choice as --user
    os.environ["SLO_USER"] = "S100"
    try:
        code, _, err = run(capsys, "--db", str(real_db), "due")
    finally:
        del os.environ["SLO_USER"]
    assert code == 1 and "not 'S100'" in err


def test_a_collar_that_names_nobody_is_refused_like_any_other_and_not_logged(real_db, capsys):
    typed = "Finley Patel 2014-03-02"
    code, _, err = run(capsys, "--db", str(real_db), "--user", typed, "due")
    assert code == 1 and "you may act as A1, not 'Finley Patel 2014-03-02'" in err
    assert "no officer" not in err  # the same answer whether the collar exists or not
    row = audit_rows(real_db)[-1]
    assert row[:4] == (str(ME), "refused", "identity", None) and typed not in (row[4] or "")


def test_every_command_that_acts_checks_identity(real_db, tmp_path, capsys):
    for argv in (
        ["export", "bundle", str(tmp_path / "out.json")],
        ["report", "continuity", "--from", "2026-01-01", "--to", "2026-01-31"],
        ["export", "calendars"],
        ["abstraction", "add", "--officer", "PC1000", "--from", "2026-03-02", "--to", "2026-03-02",
         "--portion", "full", "--category", "court", "--requested-by", "x"],
        ["access", "grant", "PC1000", "--unix-user", ME.name],
    ):
        code, out, err = run(capsys, "--db", str(real_db), "--user", "PC1000", *argv)
        assert code == 1 and "you may act as A1, not 'PC1000'" in err, argv
    assert not (tmp_path / "out.json").exists()


def test_leavers_cannot_act_at_all(tmp_path, capsys):
    bundle = copy.deepcopy(SMALL_BUNDLE)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    path = tmp_path / "db" / "slo.db"
    assert run(capsys, "--db", str(path), "import", str(bundle_file(tmp_path, bundle)))[0] == 0
    assert run(capsys, "--db", str(path), "--user", "A1", "access", "grant", "PC1001", "--unix-user", ME.name)[0] == 0
    assert run(capsys, "--db", str(path), "--user", "PC1001", "due")[0] == 0
    bundle["officers"][4]["end_date"] = yesterday  # PC1001 leaves
    assert run(capsys, "--db", str(path), "--user", "A1", "import", str(bundle_file(tmp_path, bundle)))[0] == 0
    code, _, err = run(capsys, "--db", str(path), "--user", "PC1001", "due")
    assert code == 1 and f"PC1001 left on {yesterday} and can no longer act" in err
    assert audit_rows(path)[-1][3:] == ("PC1001", '{"reason":"leaver"}')
    # the leaver is no longer offered: A1 is the only officer left, so it acts without --user
    assert run(capsys, "--db", str(path), "due")[0] == 0
    with pytest.raises(Conflict, match="a leaver cannot be given access"):
        store = open_store(path)
        try:
            identity.grant_unix(store, load_actor(store.db, "A1"), "PC1001", ME.name)
        finally:
            store.close()


# ------------------------------------------------------------------ a second, real account


@pytest.fixture
def other_account():
    """A real operating-system account (useradd) with its own home, removed afterwards; root only (as CI)."""
    from helpers.sshd import ForceServer, require_root

    why = require_root()
    if why:
        pytest.skip(why)
    account = ForceServer(prefix="slo-o")
    try:
        yield account
    finally:
        account.close()


def test_an_account_not_bound_to_a1_cannot_act_as_a1_until_granted(other_account, tmp_path, capsys):
    # the database is created by the account running the tests (bound to A1) in a folder that the
    # other account may open: only identity stands between the other account and A1
    folder = other_account.base / "shared"
    folder.mkdir()
    db = folder / "slo.db"
    assert run(capsys, "--db", str(db), "import", str(bundle_file(tmp_path)))[0] == 0
    for path in (folder, *folder.iterdir()):
        os.chown(path, other_account.uid, other_account.gid)
    name = other_account.user
    done = other_account.as_service("--db", str(db), "--user", "A1", "due")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (f"slo: error: you are the account {name} and may act as no officer in this "
                                   f"database, not 'A1'; an admin can grant it with 'slo access grant COLLAR "
                                   f"--unix-user {name}'")
    assert other_account.as_service("--db", str(db), "due").returncode == 1
    assert audit_rows(db)[-2][:4] == (f"unix:{name}", "refused", "identity", "A1")
    # the creator (A1, no --user needed) grants PC1000 to the other account: now it is PC1000, and only PC1000
    assert run(capsys, "--db", str(db), "access", "grant", "PC1000", "--unix-user", name)[0] == 0
    done = other_account.as_service("--db", str(db), "due", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert other_account.as_service("--db", str(db), "--user", "A1", "due").returncode == 1
    # revoked: refused again
    assert run(capsys, "--db", str(db), "access", "revoke", "PC1000", "--unix-user", name)[0] == 0
    done = other_account.as_service("--db", str(db), "due")
    assert done.returncode == 1 and "may act as no officer" in done.stderr


# ------------------------------------------------------------------ slo access


def test_access_is_for_admins_only_and_every_change_is_audited(loaded_store, capsys):
    path = str(loaded_store.path)
    code, _, err = run(capsys, "--db", path, "--user", "PC1000", "access", "grant", "PC1001", "--unix-user", ME.name)
    assert code == 1 and "PC1000 (slo) may not grant or revoke access to this database" in err
    code, _, err = run(capsys, "--db", path, "--user", "S100", "access", "list")
    assert code == 1 and "may not grant or revoke access" in err
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "grant", "PC1001", "--unix-user", "nobody")
    assert code == 0 and "granted PC1001 to the account nobody" in err
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "grant", "PC1001", "--unix-user", "nobody")
    assert code == 0 and "already granted" in err
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "grant", "PC1001", "--unix-user",
                       "no-such-account-x")
    assert code == 1 and "there is no such account on this machine" in err
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "grant", "ZZ9", "--unix-user", "nobody")
    assert code == 1 and "ZZ9" in err
    code, _, _ = run(capsys, "--db", path, "--user", "A1", "access", "revoke", "PC1001", "--unix-user", "nobody")
    assert code == 0
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "revoke", "PC1001", "--unix-user", "nobody")
    assert code == 1 and "PC1001 has no access through the account 'nobody'" in err
    rows = [(a, o, k, json.loads(d)) for a, o, _, k, d in audit_rows(loaded_store.path) if o in ("grant", "revoke")]
    assert rows[-2:] == [
        ("A1", "grant", "PC1001", {"principal": "unix:nobody"}),
        ("A1", "revoke", "PC1001", {"principal": "unix:nobody", "reason": "revoked"}),
    ]
    code, out, _ = run(capsys, "--db", path, "--user", "A1", "access", "list", "--all", "--format", "json")
    history = [b for b in json.loads(out) if b["principal"] == "nobody"]
    assert len(history) == 1 and history[0]["revoked_by"] == "A1" and history[0]["revoked_reason"] == "revoked"
    refusals = [r for r in audit_rows(loaded_store.path, "refused") if r[3] == "manage_access"]
    assert [r[0] for r in refusals] == ["PC1000", "S100"]


def make_key(folder: Path, name: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop.example",
                    "-f", str(folder / name)], check=True)
    return folder / f"{name}.pub"


def ssh_fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)], check=True, capture_output=True,
                         text=True).stdout
    return out.split()[1]


FOREIGN = (
    b"# the operator's own key, and an old deploy key: never touched\n"
    b'from="10.0.0.0/8" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeploy+oldKey deploy@ci\r\n'
    b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ operator@desk"
)


@pytest.fixture
def ssh_keygen():
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is needed (apt-get install openssh-client; scripts/test.sh installs it)")


def test_granting_a_key_writes_one_forced_command_line_and_revoking_removes_only_it(
        loaded_store, tmp_path, capsys, ssh_keygen):
    keys = tmp_path / "keys"
    keys.mkdir()
    pub = make_key(keys, "pc1000")
    auth = tmp_path / "home" / ".ssh" / "authorized_keys"
    auth.parent.mkdir(parents=True)
    auth.write_bytes(FOREIGN)
    os.chmod(auth, 0o644)
    path = str(loaded_store.path)
    fp = ssh_fingerprint(pub)
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "grant", "PC1000", "--ssh-key", str(pub),
                       "--authorized-keys", str(auth))
    assert code == 0 and fp in err and str(auth) in err
    data = auth.read_bytes()
    assert data.startswith(FOREIGN + b"\n")  # kept byte for byte (a newline added after its last line)
    key_type, blob = pub.read_text().split()[:2]
    line = f'command="{ssh_keys.slo_executable()} session --key {fp}",restrict,pty {key_type} {blob}\n'
    assert data[len(FOREIGN) + 1:].decode() == line
    assert b"laptop.example" not in data  # the key's comment (often a name or address) is not copied
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    # the same key for a second officer: one line still; revoking one officer keeps it
    assert run(capsys, "--db", path, "--user", "A1", "access", "grant", "S100", "--ssh-key", str(pub),
               "--authorized-keys", str(auth))[0] == 0
    assert auth.read_bytes() == data
    assert run(capsys, "--db", path, "--user", "A1", "access", "revoke", "S100", "--ssh-key", fp)[0] == 0
    assert auth.read_bytes() == data
    code, _, err = run(capsys, "--db", path, "--user", "A1", "access", "revoke", "PC1000", "--ssh-key", str(pub))
    assert code == 0 and "removed 1 authorized_keys line" in err
    assert auth.read_bytes() == FOREIGN + b"\n"
    grants = [json.loads(d) for _, o, _, k, d in audit_rows(loaded_store.path) if o == "grant" and k == "PC1000"]
    assert grants[-1] == {"principal": f"ssh:{fp}", "authorized_keys": str(auth)}


def test_a_key_already_in_a_line_we_did_not_write_is_refused(loaded_store, tmp_path, capsys, ssh_keygen):
    pub = make_key(tmp_path, "shared")
    auth = tmp_path / "authorized_keys"
    original = b"# operator\n" + pub.read_bytes()  # unrestricted: a shell for whoever holds the key
    auth.write_bytes(original)
    code, _, err = run(capsys, "--db", str(loaded_store.path), "--user", "A1", "access", "grant", "PC1000",
                       "--ssh-key", str(pub), "--authorized-keys", str(auth))
    assert code == 1 and f"{auth} line 2 already holds this key" in err
    assert auth.read_bytes() == original
    assert not [r for r in audit_rows(loaded_store.path, "grant") if "ssh:" in r[4]]


@pytest.mark.parametrize("content, words", [
    ("", "found no key"),
    ("not a key at all\n", "not an SSH public key"),
    ('command="sh" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x\n', "not an SSH public key"),
    ("ssh-ed25519 !!!notbase64\n", "not valid base64"),
    ("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB\n", "not 'ssh-ed25519'"),  # an RSA key's data under another name
    ("ssh-ed25519 AAAA\nssh-rsa BBBB\n", "found 2 lines"),
])
def test_bad_key_files_are_refused_in_one_line_and_change_nothing(loaded_store, tmp_path, capsys, content, words):
    pub = tmp_path / "bad.pub"
    pub.write_text(content)
    auth = tmp_path / "authorized_keys"
    before = counts(loaded_store.path)
    code, out, err = run(capsys, "--db", str(loaded_store.path), "--user", "A1", "access", "grant", "PC1000",
                         "--ssh-key", str(pub), "--authorized-keys", str(auth))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and words in err
    assert not auth.exists() and counts(loaded_store.path) == before


def test_a_grant_whose_file_cannot_be_written_grants_nothing(loaded_store, tmp_path, capsys, ssh_keygen):
    pub = make_key(tmp_path, "k")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--db", str(loaded_store.path), "--user", "A1", "access", "grant", "PC1000",
                       "--ssh-key", str(pub), "--authorized-keys", str(blocker / "authorized_keys"))
    assert code == 1 and "Traceback" not in err
    store = open_store(loaded_store.path)
    assert identity.bindings_of(store.db, identity.Principal("ssh", ssh_fingerprint(pub))) == []
    store.close()


def test_the_scheduler_takes_leavers_keys_away(loaded_store, tmp_path, capsys, ssh_keygen):
    from slo.scheduler import runner

    pub = make_key(tmp_path, "leaver")
    auth = tmp_path / "authorized_keys"
    auth.write_bytes(FOREIGN + b"\n")
    path = str(loaded_store.path)
    assert run(capsys, "--db", path, "--user", "A1", "access", "grant", "PC1001", "--ssh-key", str(pub),
               "--authorized-keys", str(auth))[0] == 0
    assert ssh_fingerprint(pub).encode() in auth.read_bytes()
    with loaded_store.write() as db:  # PC1001 leaves on 2026-03-31
        db.execute("UPDATE officers SET end_date = '2026-03-31' WHERE collar_number = 'PC1001'")
    from datetime import datetime

    before = runner.run_due(loaded_store, tmp_path / "exports", datetime(2026, 3, 31, 23, 0))
    assert any(r.job == "access_leavers" and r.ok and r.summary.startswith("0 binding") for r in before)
    assert ssh_fingerprint(pub).encode() in auth.read_bytes()  # still working on their last day
    results = runner.run_due(loaded_store, tmp_path / "exports", datetime(2026, 4, 1, 0, 45))
    leavers = next(r for r in results if r.job == "access_leavers")
    assert leavers.ok and leavers.summary == "2 binding(s) of 1 leaver(s) revoked, 1 key line(s) removed"
    assert auth.read_bytes() == FOREIGN + b"\n"
    revoked = [r for r in audit_rows(loaded_store.path, "revoke") if r[3] == "PC1001"]
    assert {json.loads(r[4])["reason"] for r in revoked} == {"leaver"} and {r[0] for r in revoked} == {"system"}


# ------------------------------------------------------------------ demo databases


@pytest.fixture
def demo_db(tmp_path, capsys) -> Path:
    path = tmp_path / "db" / "demo.db"
    assert run(capsys, "--db", str(path), "demo", "--today", "2026-11-27")[0] == 0
    return path


def test_a_demo_database_accepts_any_user(demo_db, capsys):
    for collar in ("PC1000", "S100", "A1"):
        code, out, _ = run(capsys, "--db", str(demo_db), "--user", collar, "due", "--on", "2026-11-27",
                           "--format", "json")
        assert code == 0, collar
        json.loads(out)
    store = open_store(demo_db)
    assert identity.is_demo(store.db)
    assert [a.collar for a in identity.officers_for(store.db, ME)] == [
        a.collar for a in identity.officers_for(store.db, None)
    ]
    store.close()
    code, _, err = run(capsys, "--db", str(demo_db), "--user", "NOBODY", "due")
    assert code == 1 and "no officer with collar number 'NOBODY'" in err  # a demo hides nothing


def test_slo_demo_never_replaces_a_real_database(real_db, capsys):
    before = real_db.read_bytes()
    code, out, err = run(capsys, "--db", str(real_db), "demo")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "is not a demo: slo demo replaces only demo databases" in err
    assert real_db.read_bytes() == before
    code, _, err = run(capsys, "--db", str(real_db), "--demo")
    assert code == 1 and "is not a demo database" in err
    stranger = real_db.parent / "notes.db"
    stranger.write_bytes(b"not a database, but somebody's file")
    assert run(capsys, "--db", str(stranger), "demo")[0] == 1
    assert stranger.read_bytes() == b"not a database, but somebody's file"
    assert not list(real_db.parent.glob(".*.building*"))


def test_demos_made_before_the_marking_are_recognised(tmp_path, capsys):
    path = tmp_path / "old.db"
    assert run(capsys, "--db", str(path), "demo", "--today", "2026-11-27")[0] == 0
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta WHERE key = 'database_kind'")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_identity'")
    conn.execute("DROP TABLE access")
    conn.execute("PRAGMA user_version = 0")  # as a database from before the schema stamp
    conn.commit()
    conn.close()
    assert identity.file_kind(path) == "demo"
    assert run(capsys, "--db", str(path), "--user", "S100", "due", "--on", "2026-11-27")[0] == 0  # m008 marks it
    assert identity.is_demo(open_store(path).db)


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode")
conn.execute("INSERT INTO meta (key, value) VALUES ('before', 'x')")  # committed, still in the -wal
print("ready", flush=True)
sys.stdin.readline()
conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'y')")
print(conn.execute("SELECT count(*) FROM officers").fetchone()[0], flush=True)
"""


def test_replacing_a_demo_pulls_nothing_from_under_a_running_process(demo_db, capsys):
    inode = demo_db.stat().st_ino
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(demo_db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "ready"
        wal = Path(f"{demo_db}-wal")
        assert wal.exists()
        wal_inode = wal.stat().st_ino
        code, _, err = run(capsys, "--db", str(demo_db), "demo", "--seed", "7", "--today", "2026-11-27")
        assert code == 0, err
        # same files: nothing was unlinked or renamed over while the other process had them open
        assert demo_db.stat().st_ino == inode and wal.stat().st_ino == wal_inode
        holder.stdin.write("\n")
        holder.stdin.flush()
        officers_seen = int(holder.stdout.readline())
    finally:
        holder.kill()
        holder.wait()
    conn = sqlite3.connect(demo_db)
    keys = {k for (k,) in conn.execute("SELECT key FROM meta")}
    seed = conn.execute("SELECT count(*) FROM officers").fetchone()[0]
    conn.close()
    # the holder's write after the replacement landed in the new demo, which it saw
    assert "after" in keys and "database_kind" in keys and "before" not in keys
    assert officers_seen == seed
    assert identity.file_kind(demo_db) == "demo"


# ------------------------------------------------------------------ the desk


async def test_the_picker_lists_only_the_officers_the_principal_is_bound_to(loaded_store, tmp_path):
    from slo.tui.app import SloApp
    from slo.tui.screens.picker import PickerScreen
    from slo.tui.widgets import DeskTable

    someone = identity.Principal("unix", "trainer")
    with loaded_store.write() as db:
        for collar in ("PC1001", "S200"):
            db.execute("INSERT INTO access (kind, principal, officer, granted_by, granted_at) "
                       "VALUES ('unix', 'trainer', ?, 'A1', '2026-01-01T09:00:00')", [collar])
    assert identity.resolve(loaded_store, someone, None, required=False) is None  # two: the desk asks
    app = SloApp(loaded_store, None, tmp_path / "exports", today=date(2026, 1, 7), principal=someone)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        table = app.screen.query_one("#officers", DeskTable)
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == ["PC1001", "S200"]
        assert "DEMO" not in str(app.format_title("SLO Desk", ""))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is not None and app.actor.collar in ("PC1001", "S200")


def test_a_principal_bound_to_one_officer_never_gets_the_picker(loaded_store):
    one = identity.Principal("unix", "solo")
    with loaded_store.write() as db:
        db.execute("INSERT INTO access (kind, principal, officer, granted_by, granted_at) "
                   "VALUES ('unix', 'solo', 'PC1001', 'A1', '2026-01-01T09:00:00')")
    actor = identity.resolve(loaded_store, one, None, required=False)
    assert actor is not None and actor.collar == "PC1001"
    with pytest.raises(PermissionDenied, match="may act as no officer"):
        identity.desk_choices(loaded_store, identity.Principal("unix", "stranger"))


async def test_the_desk_header_says_demo_on_every_screen_of_a_demo(demo_db, tmp_path):
    from textual.widgets._header import HeaderTitle

    from slo.tui.app import SloApp

    store = open_store(demo_db)
    app = SloApp(store, load_actor(store.db, "PC1000"), tmp_path / "exports", today=date(2026, 11, 27),
                 principal=ME, demo=identity.is_demo(store.db))
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        first = str(app.screen.query_one(HeaderTitle).render())
        assert first.startswith("DEMO - made-up data") and "Caseload" in first
        await pilot.press("w")  # the week planner: another screen, its own title
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        second = str(app.screen.query_one(HeaderTitle).render())
        assert second.startswith("DEMO - made-up data") and second != first
    store.close()


# ------------------------------------------------------------------ the session's allowlist (no server needed)


def test_the_session_allowlist_takes_exact_options_only():
    from slo.cli.cmd_session import ALLOWED, SessionRefused, check_command

    assert check_command(["due", "--on", "2026-01-19", "--format=json"]) == ("due",)
    assert check_command(["access", "grant", "PC1", "--ssh-key", "-"]) == ("access", "grant")
    for words, options in ALLOWED.items():
        for option in options:
            assert check_command([*words, option]) == words
        # every prefix of every identity option (argparse would accept an abbreviation), with or without a value
        for chosen in ("--user", "--db", "--exports", "--demo"):
            for end in range(3, len(chosen) + 1):
                for token in (chosen[:end], chosen[:end] + "=PC1001"):
                    with pytest.raises(SessionRefused):
                        check_command([*words, token, "PC1001"])
        for token in ("--out", "--authorized-keys", "--", "-h", "--help", "-x"):
            with pytest.raises(SessionRefused):
                check_command([*words, token])
    for tokens in ([], ["--user", "A1", "due"], ["due;"], ["backup", "x"], ["export", "bundle", "-"],
                   ["session", "--key", "SHA256:x"], ["report"], ["access"], ["sh", "-c", "id"]):
        with pytest.raises(SessionRefused):
            check_command(tokens)
