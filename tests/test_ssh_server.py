"""The force server for real: a service account, OpenSSH's sshd on 127.0.0.1, officers' keys (issue 14).

The service account (made with useradd, removed afterwards) imports the bundle, so it
is bound to the admin A1, and grants each officer's key as an operator would. sshd
runs ``slo session`` for every key through the forced command ``slo access grant``
wrote. The server's sshd_config even passes ``SLO_*`` variables (``AcceptEnv``), as a
careless operator might: the session must refuse them.
"""

from __future__ import annotations

import copy
import json
import os
import shlex
import shutil
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.bundles import SMALL_BUNDLE
from helpers.sshd import ForceServer, require_root

WHY = require_root()
pytestmark = [
    pytest.mark.ssh,
    pytest.mark.xdist_group("ssh_server"),  # one server per module, in one test process
    pytest.mark.skipif(WHY is not None, reason=WHY or ""),
]

DUE = ("due", "--on", "2026-01-19", "--days", "7", "--format", "json")


def force_bundle(leaver_end: str | None = None) -> dict:
    """SMALL_BUNDLE, with a follow-up due for PC1001 too and a third officer, PC1002, who will leave."""
    b = copy.deepcopy(SMALL_BUNDLE)
    b["officers"].append({"collar_number": "PC1002", "name": "PC Kit Lowe", "role": "slo", "team": "NHT-North",
                          "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2023-01-01",
                          "end_date": leaver_end})
    b["young_people"].append({"ref": "YP-0002", "given_name": "Bella", "family_name": "Quinn",
                              "date_of_birth": None, "school": "100001", "year_group": 3, "sex": "female",
                              "ethnicity": None, "ethnicity_missing_reason": "not_asked", "sen": "none",
                              "fsm": "no"})
    b["consultations"].append({**b["consultations"][0], "ref": "CON-Q", "young_person": "YP-0002",
                               "school": "100001", "officer": "PC1001", "follow_up_on": "2026-01-21",
                               "advice": None})
    return b


@pytest.fixture(scope="module")
def server():
    force = ForceServer()
    try:
        bundle = force.base / "bundle.json"
        bundle.write_text(json.dumps(force_bundle()), encoding="utf-8")
        force.give(bundle)
        done = force.as_service("import", str(bundle))
        assert done.returncode == 0, done.stderr
        force.officers = {}
        for collar in ("PC1000", "PC1001", "A1", "PC1002"):
            key = force.new_key(collar.lower())
            done = force.as_service("access", "grant", collar, "--ssh-key", "-", stdin=Path(f"{key}.pub").read_text())
            assert done.returncode == 0, done.stderr
            force.officers[collar] = key
        # PC1002 leaves yesterday: HR's update, imported by the operator as A1
        leaving = force.base / "leaving.json"
        leaving.write_text(json.dumps(force_bundle((date.today() - timedelta(days=1)).isoformat())))
        force.give(leaving)
        done = force.as_service("import", str(leaving))
        assert done.returncode == 0, done.stderr
        force.start()
        yield force
    finally:
        force.close()


def refs(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return sorted(item["ref"] for item in json.loads(result.stdout))


def audit(server: ForceServer, sql: str, *params) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(server.home / "db" / "slo.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_the_database_belongs_to_the_service_account_alone(server):
    db = server.home / "db" / "slo.db"
    info = db.stat()
    assert (info.st_uid, oct(info.st_mode & 0o777)) == (server.uid, "0o600")
    keys = server.authorized_keys.stat()
    assert (keys.st_uid, oct(keys.st_mode & 0o777)) == (server.uid, "0o600")
    lines = server.authorized_keys.read_text().splitlines()
    assert len(lines) == 4
    for line in lines:
        assert line.startswith(f'command="{server.slo} session --key SHA256:') and '",restrict,pty ssh-ed25519 ' in line


def test_each_key_gets_its_own_officers_due_list(server):
    keys = server.officers
    whoami = server.ssh(keys["PC1000"], "whoami")
    assert whoami.returncode == 0 and whoami.stdout.split("\t")[:2] == ["PC1000", "slo"]
    assert server.fingerprint(keys["PC1000"]) in whoami.stderr
    assert server.ssh(keys["PC1001"], "whoami").stdout.startswith("PC1001\t")
    assert refs(server.ssh(keys["PC1000"], *DUE)) == ["CON-1"]
    assert refs(server.ssh(keys["PC1001"], *DUE)) == ["CON-Q"]
    text = server.ssh(keys["PC1001"], "due", "--on", "2026-01-19")
    assert text.returncode == 0 and "PC1001" in text.stdout and "CON-1" not in text.stdout
    listing = server.ssh(keys["PC1000"], "help")
    assert listing.returncode == 0 and "due" in listing.stdout and "backup" not in listing.stdout


ATTEMPTS = [
    # options and arguments that try to choose the identity, the database or the exports
    ("--user", "PC1001", "due"),
    ("--", "--user", "PC1001", "due"),
    ("due", "--user", "PC1001"),
    ("due", "--user=PC1001"),
    ("due", "--us", "PC1001"),  # argparse would take an abbreviation
    ("due", "--db", "other.db"),
    ("due", "--db=/tmp/other.db"),
    ("due", "--exports", "/tmp"),
    ("due", "--demo"),
    ("--demo",),
    ("session", "--key", "{other_fp}"),
    ("due", "--on", "2026-01-19", "--", "--user", "PC1001"),
    # shell metacharacters: split by shlex, never run by a shell
    ("due; slo --user PC1001 due",),
    ("due && touch {sentinel}",),
    ("due | cat",),
    ("due > {sentinel}",),
    ("$(echo --user) PC1001 due",),
    ("`touch {sentinel}`",),
    ("due\n--user PC1001",),
    ('due "',),
    # commands that are not on the list
    ("sh",),
    ("bash", "-i"),
    ("python3", "-c", "'print(1)'"),
    ("backup", "/tmp/copy.db"),
    ("export", "bundle", "-"),
    ("import", "/etc/passwd"),
    ("erase", "YP-0001", "--yes"),
    ("scheduler", "--once"),
    ("check",),
    ("report", "continuity", "--from", "2026-01-01", "--to", "2026-01-31", "--out", "db/slo.db"),
    ("access", "grant", "PC1000", "--ssh-key", "/etc/passwd"),
    ("access", "grant", "PC1001", "--ssh-key", "-", "--authorized-keys", "/tmp/keys"),
    ("internal-sftp",),
]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: " ".join(a)[:40])
def test_no_argument_or_option_reaches_another_identity(server, attempt):
    sentinel = f"/tmp/slo-pwned-{uuid.uuid4().hex}"
    other_fp = server.fingerprint(server.officers["PC1001"])
    command = [part.format(sentinel=sentinel, other_fp=other_fp) for part in attempt]
    result = server.ssh(server.officers["PC1000"], *command)
    assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
    assert "CON-Q" not in result.stdout and "PC1001" not in result.stdout
    assert "Traceback" not in result.stderr
    assert not Path(sentinel).exists()


def test_after_every_attempt_the_key_is_still_its_own_officer_and_nothing_changed(server):
    whoami = server.ssh(server.officers["PC1000"], "whoami")
    assert whoami.stdout.startswith("PC1000\t"), (whoami.returncode, whoami.stdout, whoami.stderr)
    assert refs(server.ssh(server.officers["PC1000"], *DUE)) == ["CON-1"]
    assert audit(server, "SELECT ref FROM abstractions") == [("ABS-1",)]
    assert not (server.home / "copy.db").exists() and not Path("/tmp/copy.db").exists()


@pytest.mark.parametrize("how", ["SetEnv", "SendEnv"])
@pytest.mark.parametrize("variable", ["SLO_USER", "SLO_DB", "SLO_EXPORTS"])
def test_no_environment_variable_reaches_another_identity(server, how, variable):
    value = "PC1001" if variable == "SLO_USER" else "/tmp/other"
    if how == "SetEnv":
        result = server.ssh(server.officers["PC1000"], *DUE, options=(f"SetEnv={variable}={value}",))
    else:
        result = server.ssh(server.officers["PC1000"], *DUE, options=(f"SendEnv={variable}",),
                            env={variable: value})
    assert result.returncode == 1 and result.stdout == ""
    assert f"{variable} is set in the session's environment" in result.stderr


def test_refusals_over_ssh_are_audited_under_the_key(server):
    fp = server.fingerprint(server.officers["PC1000"])
    server.ssh(server.officers["PC1000"], "due", "--user", "PC1001")
    # an option refusal happens before the database is opened; an identity refusal is audited
    server.ssh(server.officers["PC1002"], "due")
    rows = audit(server, "SELECT actor, key, detail FROM audit WHERE operation = 'refused' AND entity = 'identity'")
    leaver_fp = server.fingerprint(server.officers["PC1002"])
    assert (f"ssh:{leaver_fp}", None, '{"reason":"leaver"}') in rows
    assert not [r for r in rows if r[0] == f"ssh:{fp}"]  # PC1000's key never got as far as a refusal


def _restore_line(server: ForceServer, line: str) -> None:
    with open(server.authorized_keys, "a") as f:
        f.write(line)


def test_a_revoked_key_is_refused(server):
    spare = server.new_key(f"spare-{uuid.uuid4().hex[:6]}")
    fp = server.fingerprint(spare)
    granted = server.ssh(server.officers["A1"], "access", "grant", "PC1000", "--ssh-key", "-",
                         stdin=Path(f"{spare}.pub").read_text())
    assert granted.returncode == 0, granted.stderr
    assert server.ssh(spare, "whoami").stdout.startswith("PC1000\t")
    line = next(li for li in server.authorized_keys.read_text().splitlines(keepends=True) if fp in li)
    revoked = server.ssh(server.officers["A1"], "access", "revoke", "PC1000", "--ssh-key", fp)
    assert revoked.returncode == 0 and "removed 1 authorized_keys line" in revoked.stderr
    assert fp not in server.authorized_keys.read_text()
    refused = server.ssh(spare, "whoami")
    assert refused.returncode == 255 and "Permission denied" in refused.stderr  # sshd no longer knows the key
    # the line comes back (a restored backup of the home folder): slo session refuses the key itself
    _restore_line(server, line)
    try:
        result = server.ssh(spare, *DUE)
        assert result.returncode == 1 and result.stdout == ""
        assert f"you are the SSH key {fp} and may act as no officer" in result.stderr
    finally:
        text = server.authorized_keys.read_text()
        server.authorized_keys.write_text(text.replace(line, ""))


def test_a_leavers_key_is_refused_and_removed_at_the_next_scheduler_run(server):
    leaver = server.officers["PC1002"]
    result = server.ssh(leaver, *DUE)
    assert result.returncode == 1 and result.stdout == ""
    assert "every officer you were bound to has left" in result.stderr
    desk = server.ssh(leaver)  # no command: the desk, refused before any terminal is needed
    assert desk.returncode == 1
    fp = server.fingerprint(leaver)
    assert fp in server.authorized_keys.read_text()
    ran = server.as_service("scheduler", "--once")
    assert ran.returncode == 0, ran.stderr
    assert "access_leavers" in ran.stderr
    assert fp not in server.authorized_keys.read_text()
    assert server.ssh(leaver, *DUE).returncode == 255
    rows = audit(server, "SELECT actor, key FROM audit WHERE operation = 'revoke' AND key = 'PC1002'")
    assert rows == [("system", "PC1002")]


def test_an_admins_key_can_grant_and_revoke_and_an_officers_cannot(server):
    newcomer = server.new_key(f"newcomer-{uuid.uuid4().hex[:6]}")
    pub = Path(f"{newcomer}.pub").read_text()
    refused = server.ssh(server.officers["PC1000"], "access", "grant", "PC1000", "--ssh-key", "-", stdin=pub)
    assert refused.returncode == 1 and "PC1000 (slo) may not grant or revoke access" in refused.stderr
    assert server.ssh(newcomer, "whoami").returncode == 255
    granted = server.ssh(server.officers["A1"], "access", "grant", "PC1001", "--ssh-key", "-", stdin=pub)
    assert granted.returncode == 0, granted.stderr
    assert refs(server.ssh(newcomer, *DUE)) == ["CON-Q"]
    listing = server.ssh(server.officers["A1"], "access", "list", "--format", "json")
    fp = server.fingerprint(newcomer)
    assert {(b["officer"], b["granted_by"]) for b in json.loads(listing.stdout) if b["principal"] == fp} == {
        ("PC1001", "A1")
    }
    keys = server.authorized_keys.stat()
    assert (keys.st_uid, keys.st_mode & 0o777) == (server.uid, 0o600)
    revoked = server.ssh(server.officers["A1"], "access", "revoke", "PC1001", "--ssh-key", "-", stdin=pub)
    assert revoked.returncode == 0, revoked.stderr
    assert server.ssh(newcomer, "whoami").returncode == 255


def _desk_shows(server: ForceServer, key: Path, wanted: str, unwanted: str) -> str:
    """Open the desk through ``ssh -t`` in a tmux pane; the screen once ``wanted`` shows."""
    socket = f"slo-ssh-test-{uuid.uuid4().hex[:8]}"
    command = shlex.join(server.ssh_argv(key, tty=True))
    tmux = ["tmux", "-L", socket]
    env = {**os.environ, "HOME": str(server.base), "TERM": "xterm-256color"}
    subprocess.run([*tmux, "new-session", "-d", "-s", "desk", "-x", "150", "-y", "45", command], check=True,
                   env=env)
    try:
        deadline = time.monotonic() + 60
        screen = ""
        while time.monotonic() < deadline:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "desk"], capture_output=True,
                                    text=True).stdout
            if wanted in screen:
                break
            time.sleep(0.3)
        assert wanted in screen, screen
        assert unwanted not in screen and "DEMO" not in screen and "Who are you" not in screen
        subprocess.run([*tmux, "send-keys", "-t", "desk", "C-q"], check=True)
        time.sleep(1)
        return screen
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_the_desk_opens_over_ssh_as_the_keys_officer(server):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed (scripts/test.sh installs it)")
    screen = _desk_shows(server, server.officers["PC1000"], "Northgate Academy", "Southfield Primary")
    assert "Caseload" in screen
    _desk_shows(server, server.officers["PC1001"], "Southfield Primary", "Northgate Academy")
