"""Calendar subscription links: issue, show once, store hashed, rotate, revoke, who may, audit, base URL.

Real SQLite files (the small bundle); the CLI through ``slo.cli.main.main``. The service that
answers the links is tested with a real server in ``test_calendar_serve.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from slo.calendars import export_calendars
from slo.cli.main import main
from slo.services import calendar_links as links
from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.services.errors import NotFound, PermissionDenied, ServiceError

NORTH, SOUTH = "100000", "100001"  # NORTH is assigned to PC1000 (team North), SOUTH to PC1001 (South)
BASE = "https://calendars.example.police.uk"
LINK = re.compile(re.escape(BASE) + r"/calendars/([A-Za-z0-9_-]{43})\.ics")


def actor(store, collar="A1"):
    return load_actor(store.db, collar)


@pytest.fixture
def linked(loaded_store):
    """The small bundle with a base URL set by the admin."""
    links.set_base_url(loaded_store, actor(loaded_store), BASE)
    return loaded_store


def audit_rows(store, entity=links.ENTITY):
    return [
        (r[0], r[1], r[2], json.loads(r[3]) if r[3] else None)
        for r in store.db.execute(
            "SELECT actor, operation, key, detail FROM audit WHERE entity = ? ORDER BY id", [entity]
        )
    ]


def database_bytes(store) -> bytes:
    """Every byte SQLite holds for the database: the file and its write-ahead log."""
    path = Path(store.path)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


# ---------------------------------------------------------------- issue, once, hashed


def test_a_link_is_shown_once_and_only_its_hash_is_stored(linked):
    result = links.links(linked, actor(linked), school=NORTH)
    assert result.existing == [] and len(result.issued) == 1
    issued = result.issued[0]
    token = LINK.fullmatch(issued.url).group(1)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 random bits (at least 128 asked)
    stored = linked.db.execute("SELECT token_hash, school, issued_by, revoked_at FROM calendar_links").fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), NORTH, "A1", None)]
    assert token.encode() not in database_bytes(linked)  # no copy of the database is a working link
    assert links.resolve(linked.db, token).school == NORTH
    # asked again: the school has its link; the address cannot be shown again, and no new one is made
    again = links.links(linked, actor(linked), school=NORTH)
    assert again.issued == [] and [s.link_id for s in again.existing] == [issued.link_id]
    assert linked.db.execute("SELECT count(*) FROM calendar_links").fetchone()[0] == 1


def test_tokens_are_distinct_and_unguessable_by_shape(linked):
    tokens = {links.new_token() for _ in range(2000)}
    assert len(tokens) == 2000 and all(links.TOKEN_PATTERN.fullmatch(t) for t in tokens)
    assert links.resolve(linked.db, links.new_token()) is None  # a well-formed token nobody issued
    for bad in ["", "x", "../../db/slo", "A" * 42, "A" * 44, "A" * 42 + "/", "A" * 42 + "%"]:
        assert links.resolve(linked.db, bad) is None


def test_the_message_for_the_head_teacher(linked):
    issued = links.links(linked, actor(linked), school=NORTH).issued[0]
    text = issued.message
    assert issued.url in text and "webcal://" + issued.url.split("://")[1] in text
    for client in ("Outlook", "Google Calendar", "Apple Calendar", "iPhone"):
        assert client in text
    assert "Northgate Academy" in text and "stops working" in " ".join(text.split())
    assert "PC1000" in text  # whom to ask for a new link
    assert "Alex" not in text and "Morgan" not in text  # the school's pupil is never named
    assert max(len(line) for line in text.splitlines() if issued.url not in line) <= links.MESSAGE_WIDTH
    assert (issued.head_teacher, issued.head_teacher_email) == ("Ms A Head", "head@northgate.example")


def test_a_school_without_a_calendar_file_is_flagged(linked, tmp_path):
    assert links.links(linked, actor(linked), school=NORTH).issued[0].has_calendar is False
    export_calendars(linked, actor(linked), tmp_path / "exports")
    status = links.links(linked, actor(linked), school=NORTH).existing[0]
    assert status.has_calendar is True


# ---------------------------------------------------------------- rotate, revoke


def test_rotation_stops_the_old_link_at_once(linked):
    first = links.links(linked, actor(linked), school=NORTH).issued[0]
    old = LINK.fullmatch(first.url).group(1)
    second = links.rotate(linked, actor(linked), NORTH)
    new = LINK.fullmatch(second.url).group(1)
    assert new != old and second.replaces == first.link_id
    assert links.resolve(linked.db, old) is None
    assert links.resolve(linked.db, new).school == NORTH
    assert linked.db.execute(
        "SELECT revoked_by, revoked_because FROM calendar_links WHERE token_hash = ?", [links.token_hash(old)]
    ).fetchone() == ("A1", "rotated")
    links.revoke(linked, actor(linked), NORTH)
    assert links.resolve(linked.db, new) is None
    with pytest.raises(NotFound, match="no calendar link to revoke"):
        links.revoke(linked, actor(linked), NORTH)
    # a rotation of a school with no active link simply issues one
    third = links.rotate(linked, actor(linked), NORTH)
    assert third.replaces is None and links.resolve(linked.db, LINK.fullmatch(third.url).group(1))
    assert linked.db.execute(
        "SELECT count(*) FROM calendar_links WHERE school = ? AND revoked_at IS NULL", [NORTH]
    ).fetchone()[0] == 1


def test_issue_rotate_and_revoke_are_audited_without_tokens_or_names(linked):
    issued = links.links(linked, actor(linked), school=NORTH).issued[0]
    rotated = links.rotate(linked, actor(linked), NORTH)
    links.revoke(linked, actor(linked), NORTH)
    rows = audit_rows(linked)
    assert rows == [
        ("A1", "create", NORTH, {"link": issued.link_id, "action": "issue"}),
        ("A1", "update", NORTH, {"link": rotated.link_id, "action": "rotate", "replaces": issued.link_id}),
        ("A1", "delete", NORTH, {"link": rotated.link_id, "action": "revoke"}),
    ]
    log = " ".join(str(r) for r in linked.db.execute("SELECT * FROM audit"))
    for secret in (LINK.fullmatch(issued.url).group(1), LINK.fullmatch(rotated.url).group(1),
                   "Northgate", "Ms A Head", "head@northgate"):
        assert secret not in log


# ---------------------------------------------------------------- who may


@pytest.fixture
def people(linked):
    extra = {
        "format": "slo-bundle/1",
        "officers": [
            {"collar_number": "PC1002", "name": "PC North Two", "role": "slo", "team": "NHT-North",
             "start_date": "2022-01-01"},
            {"collar_number": "I1", "name": "Insp One", "role": "inspector", "team": "NHT-North",
             "start_date": "2020-01-01"},
            {"collar_number": "E1", "name": "Eval One", "role": "evaluator", "start_date": "2020-01-01"},
        ],
    }
    import_bundle(linked, extra, actor(linked))
    return linked


# who may manage NORTH's link (assigned to PC1000 of team North): an admin, or the school's own officer;
# not a teammate, not the team's sergeant, not an inspector or an evaluator
WHO = [("A1", True), ("PC1000", True), ("PC1002", False), ("S100", False), ("S200", False), ("I1", False),
       ("E1", False), ("PC1001", False)]


@pytest.mark.parametrize("collar,allowed", WHO)
def test_who_may_manage_a_schools_link(people, collar, allowed):
    refusals = people.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]
    for use in (lambda: links.links(people, actor(people, collar), school=NORTH),
                lambda: links.rotate(people, actor(people, collar), NORTH),
                lambda: links.revoke(people, actor(people, collar), NORTH)):
        if allowed:
            use()
            continue
        with pytest.raises(PermissionDenied, match=f"{collar} .* may not manage the calendar link of school {NORTH}"):
            use()
    after = people.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]
    assert after == refusals + (0 if allowed else 3)  # each refusal is on the record
    if not allowed:
        assert people.db.execute("SELECT count(*) FROM calendar_links").fetchone()[0] == 0


def test_without_a_school_each_gets_their_scope(people):
    slo = links.links(people, actor(people, "PC1000"))
    assert [i.school for i in slo.issued] == [NORTH]
    admin = links.links(people, actor(people, "A1"))
    assert [i.school for i in admin.issued] == [SOUTH] and [s.school for s in admin.existing] == [NORTH]
    with pytest.raises(PermissionDenied):
        links.links(people, actor(people, "E1"))
    # a sergeant or teammate with no school of their own gets nothing, and nothing is issued
    assert links.links(people, actor(people, "S100")).issued == []


def test_an_officer_loses_the_school_when_the_assignment_ends(people):
    with people.write() as db:
        db.execute("UPDATE assignments SET end_date = '2026-01-31' WHERE school = ?", [NORTH])
    with pytest.raises(PermissionDenied, match="no officer assigned"):
        links.links(people, actor(people, "PC1000"), school=NORTH, today=date(2026, 2, 1))
    assert links.links(people, actor(people, "PC1000"), school=NORTH, today=date(2026, 1, 31)).issued


def test_unknown_school(linked):
    with pytest.raises(NotFound, match="no school with URN '999999'"):
        links.rotate(linked, actor(linked), "999999")


# ---------------------------------------------------------------- base URL


def test_no_base_url_no_link(loaded_store):
    with pytest.raises(links.NoBaseUrl, match="slo calendars base-url"):
        links.links(loaded_store, actor(loaded_store), school=NORTH)
    assert loaded_store.db.execute("SELECT count(*) FROM calendar_links").fetchone()[0] == 0


@pytest.mark.parametrize("given,stored", [
    ("https://calendars.example.police.uk", "https://calendars.example.police.uk"),
    ("https://Calendars.Example.Police.UK/", "https://calendars.example.police.uk"),
    ("https://gw.example.police.uk:8443/slo/", "https://gw.example.police.uk:8443/slo"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:9000", "http://localhost:9000"),
    ("http://[::1]:9000", "http://[::1]:9000"),
])
def test_base_url_accepted(loaded_store, given, stored):
    assert links.set_base_url(loaded_store, actor(loaded_store), given) == stored
    assert links.base_url(loaded_store.db) == stored


@pytest.mark.parametrize("given,why", [
    ("http://calendars.example.police.uk", "must use https"),
    ("ftp://calendars.example.police.uk", "must start with https://"),
    ("calendars.example.police.uk", "must start with https://"),
    ("https://", "must start with https://"),
    ("https://user:secret@calendars.example.police.uk", "user name or password"),
    ("https://calendars.example.police.uk/?x=1", "query"),
    ("https://calendars.example.police.uk/#top", "fragment"),
    ("https://calendars.example.police.uk:99999", "not a web address"),
    ("https://calendärs.example.police.uk", "ASCII"),
    ("https://calendars.example .police.uk", "ASCII"),
])
def test_base_url_refused_naming_the_value(loaded_store, given, why):
    with pytest.raises(ServiceError, match=why) as caught:
        links.set_base_url(loaded_store, actor(loaded_store), given)
    assert repr(given) in str(caught.value)  # the refusal names the value given
    assert links.base_url(loaded_store.db) is None


def test_only_an_admin_sets_the_base_url(loaded_store):
    with pytest.raises(PermissionDenied):
        links.set_base_url(loaded_store, actor(loaded_store, "PC1000"), BASE)
    links.set_base_url(loaded_store, actor(loaded_store), BASE)
    links.set_base_url(loaded_store, actor(loaded_store), BASE + "/v2")
    assert [(r[1], r[3]) for r in audit_rows(loaded_store, "calendar_settings")] == [
        ("create", {"base_url": BASE}), ("update", {"base_url": BASE + "/v2"})]


# ---------------------------------------------------------------- fetches (what the service records)


def test_a_fetch_is_audited_once_per_school_per_day(linked):
    first = links.links(linked, actor(linked), school=NORTH).issued[0]
    link = links.resolve(linked.db, LINK.fullmatch(first.url).group(1))

    def fetch(lnk, day, client="203.0.113.7", ua="Microsoft Outlook 16.0"):
        return links.record_fetch(linked, lnk, day=day, client=client, user_agent=ua, sha256="ab" * 32, size=99)

    monday, tuesday = date(2026, 6, 1), date(2026, 6, 2)
    assert fetch(link, monday) == "recorded"
    assert [fetch(link, monday) for _ in range(20)] == ["already"] * 20
    # a rotation the same day: the school's calendar was already disclosed today
    rotated = links.rotate(linked, actor(linked), NORTH)
    new = links.resolve(linked.db, LINK.fullmatch(rotated.url).group(1))
    assert fetch(new, monday) == "already"
    assert fetch(link, tuesday) == "revoked"  # the old link stopped: nothing recorded, nothing sent
    assert fetch(new, tuesday, client="not-an-ip\x1b[31m", ua="Evil\x1b]0;x\x07UA" + "x" * 500) == "recorded"
    disclosures = [r for r in audit_rows(linked) if r[1] == "disclosure"]
    assert [(r[0], r[2]) for r in disclosures] == [(links.SERVICE_ACTOR, NORTH)] * 2
    assert disclosures[0][3] == {"link": first.link_id, "client": "203.0.113.7",
                                 "user_agent": "Microsoft Outlook 16.0", "sha256": "ab" * 32, "bytes": 99}
    second = disclosures[1][3]
    assert second["client"] == "not an address" and "\x1b" not in second["user_agent"]
    assert len(second["user_agent"]) == links.USER_AGENT_MAX
    assert linked.db.execute("SELECT disclosed_on FROM calendar_links WHERE token_hash = ?",
                             [new.token_hash]).fetchone() == ("2026-06-02",)


# ---------------------------------------------------------------- the CLI


def cli(capsys, db_path, *argv):
    capsys.readouterr()
    try:
        code = main(["--db", str(db_path), *argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_links_rotate_revoke(capsys, loaded_store, db_path):
    code, out, err = cli(capsys, db_path, "calendars", "links", "--school", NORTH, "--user", "A1")
    assert code == 1 and out == "" and err.count("\n") == 1 and "slo calendars base-url" in err
    code, out, err = cli(capsys, db_path, "calendars", "base-url", BASE + "/", "--user", "A1")
    assert (code, out) == (0, BASE + "\n")
    assert cli(capsys, db_path, "calendars", "base-url")[:2] == (0, BASE + "\n")

    code, out, err = cli(capsys, db_path, "calendars", "links", "--user", "PC1000")
    assert code == 0 and err.strip() == "calendar links: 1 issued, 0 already active"
    first = LINK.search(out).group(0)
    assert "Northgate Academy (URN 100000): new link" in out and "send to Ms A Head <head@northgate.example>" in out
    assert "no calendar file yet" in out

    code, out, err = cli(capsys, db_path, "calendars", "links", "--user", "PC1000")
    assert code == 0 and LINK.search(out) is None and "never fetched" in out
    assert f"slo calendars rotate --school {NORTH}" in out

    code, out, err = cli(capsys, db_path, "calendars", "rotate", "--school", NORTH, "--user", "PC1000",
                         "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "issued" and data["url"] != first and LINK.fullmatch(data["url"])
    assert "stopped" in err

    code, out, err = cli(capsys, db_path, "calendars", "revoke", "--school", SOUTH, "--user", "PC1000")
    assert code == 1 and out == "" and "may not manage the calendar link of school 100001" in err
    assert "Traceback" not in err and err.count("\n") == 1
    code, out, err = cli(capsys, db_path, "calendars", "revoke", "--school", NORTH, "--user", "PC1000")
    assert code == 0 and "revoked" in err
    code, out, err = cli(capsys, db_path, "calendars", "revoke", "--school", NORTH, "--user", "PC1000")
    assert code == 1 and "no calendar link to revoke" in err

    code, out, err = cli(capsys, db_path, "calendars", "links", "--user", "A1", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(r["school"], r["status"]) for r in rows] == [(NORTH, "issued"), (SOUTH, "issued")]
    assert all(LINK.fullmatch(r["url"]) and r["message"] for r in rows)


def test_cli_usage_errors(capsys, loaded_store, db_path):
    assert cli(capsys, db_path, "calendars", "rotate", "--user", "A1")[0] == 2  # --school is required
    assert cli(capsys, db_path, "calendars")[0] == 2
    code, _, err = cli(capsys, db_path, "calendars", "serve", "--rate", "0")
    assert code == 2 and "must be between 1" in err
    code, _, err = cli(capsys, db_path, "calendars", "serve", "--listen", "calendars.example:80")
    assert code == 1 and "is not an IP address" in err and err.count("\n") == 1
    code, _, err = cli(capsys, db_path, "calendars", "serve", "--listen", "127.0.0.1:0", "--trusted-proxy", "proxy")
    assert code == 1 and "--trusted-proxy 'proxy' is not an IP address or network" in err


def test_fetches_recorded_together_keep_once_per_school(linked):
    """The service writes the fetches that arrive together in one transaction (group commit)."""
    north = links.resolve(linked.db, LINK.fullmatch(
        links.links(linked, actor(linked), school=NORTH).issued[0].url).group(1))
    south_url = links.links(linked, actor(linked), school=SOUTH).issued[0].url
    south = links.resolve(linked.db, LINK.fullmatch(south_url).group(1))
    links.revoke(linked, actor(linked), SOUTH)  # after the service looked it up
    batch = [links.Fetch(north, f"198.51.100.{i}", "Google-Calendar-Importer", "cd" * 32, 10) for i in range(5)]
    batch.insert(2, links.Fetch(south, "198.51.100.9", "curl", "ef" * 32, 10))
    outcomes = links.record_fetches(linked, batch, day=date(2026, 6, 1))
    assert outcomes == ["recorded", "already", "revoked", "already", "already", "already"]
    rows = [r for r in audit_rows(linked) if r[1] == "disclosure"]
    assert [(r[2], r[3]["client"]) for r in rows] == [(NORTH, "198.51.100.0")]
