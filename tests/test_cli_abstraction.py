"""`slo abstraction add` and `slo abstraction review` through the real entry point."""

from __future__ import annotations

import json

import pytest
from helpers.identity import bind_current_account

from slo.cli.main import main
from slo.store.db import open_store

CHILD = ("Alex", "Morgan")


@pytest.fixture
def db(tmp_path, small_bundle, capsys):
    small_bundle["engagements"] += [
        {"ref": "E-P1", "officer": "PC1000", "school": "100000", "young_person": None, "kind": "visit",
         "title": "Drop-in", "starts_at": "2026-03-02T09:30", "ends_at": "2026-03-02T10:30",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "E-P2", "officer": "PC1000", "school": "100000", "young_person": "YP-0001", "kind": "one_to_one",
         "title": "Liaison officer: 1:1 session", "starts_at": "2026-03-03T11:00", "ends_at": "2026-03-03T11:30",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": "Alex Morgan: football"},
        {"ref": "E-O1", "officer": "PC1001", "school": "100001", "young_person": None, "kind": "visit",
         "title": "Visit", "starts_at": "2026-03-03T10:00", "ends_at": "2026-03-03T11:00",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
    ]
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(small_bundle), encoding="utf-8")
    path = tmp_path / "slo.db"
    assert main(["--db", str(path), "import", str(bundle)]) == 0
    store = open_store(path)
    bind_current_account(store)  # the importer is bound to A1; a test account may act as any officer
    store.close()
    capsys.readouterr()
    return path


def run(capsys, db, user, *args):
    argv = ["--db", str(db)] + (["--user", user] if user else []) + list(args)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    for name in CHILD:
        assert name not in out and name not in err
    return code, out, err


def query(db, sql, *params):
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def counts(db):
    return tuple(query(db, f"SELECT count(*) FROM {t}")[0][0] for t in ("abstractions", "engagements", "audit"))


ADD = ["abstraction", "add", "--officer", "PC1000", "--from", "2026-03-02", "--to", "2026-03-03",
       "--category", "public_order", "--requested-by", "Duty inspector"]


def test_add_full_prints_ref_then_each_cancelled(capsys, db):
    capsys.readouterr()
    code, out, err = run(capsys, db, "PC1000", *ADD, "--portion", "full", "--reason", "Protest")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ABS-20260302-1"
    assert len(lines) == 3
    assert lines[1].startswith("cancelled E-P1") and "100000 Northgate Academy" in lines[1]
    assert "2026-03-02 09:30" in lines[1] and "young person" not in lines[1]
    assert lines[2].startswith("cancelled E-P2") and "a young person's session was cancelled" in lines[2]
    assert query(db, "SELECT status, cancel_reason, abstraction FROM engagements WHERE ref IN ('E-P1','E-P2')") == [
        ("cancelled", "abstraction", "ABS-20260302-1")] * 2
    assert query(db, "SELECT status FROM engagements WHERE ref = 'E-O1'") == [("planned",)]


def test_add_half_with_and_without_cancel(capsys, db):
    capsys.readouterr()
    code, out, _ = run(capsys, db, "PC1000", *ADD[:6], "--to", "2026-03-02", "--category", "court",
                       "--requested-by", "CPS", "--portion", "half")
    assert code == 0 and out.splitlines() == ["ABS-20260302-1"]
    code, out, _ = run(capsys, db, "S100", "abstraction", "add", "--officer", "PC1000", "--from", "2026-03-03",
                       "--to", "2026-03-03", "--portion", "half", "--category", "court", "--requested-by", "CPS",
                       "--cancel", "E-P2")
    assert code == 0
    assert out.splitlines()[0] == "ABS-20260303-1" and out.splitlines()[1].startswith("cancelled E-P2")
    assert query(db, "SELECT status FROM engagements WHERE ref = 'E-P1'") == [("planned",)]


def test_add_half_with_a_bad_cancel_ref_fails_and_changes_nothing(capsys, db):
    before = counts(db)
    code, out, err = run(capsys, db, "PC1000", *ADD, "--portion", "half", "--cancel", "E-O1")
    assert code == 1 and out == ""
    assert err.startswith("slo: error: ") and "E-O1" in err and len(err.strip().splitlines()) == 1
    assert counts(db) == before


def test_add_overlap_fails_naming_it_and_writes_nothing(capsys, db):
    assert run(capsys, db, "PC1000", *ADD, "--portion", "full")[0] == 0
    before = counts(db)
    code, out, err = run(capsys, db, "PC1000", "abstraction", "add", "--officer", "PC1000", "--from", "2026-03-03",
                         "--to", "2026-03-05", "--portion", "half", "--category", "custody", "--requested-by", "x")
    assert code == 1 and out == "" and "ABS-20260302-1" in err and len(err.strip().splitlines()) == 1
    assert counts(db) == before


def test_add_on_leave_day_warns(capsys, db):
    code, out, err = run(capsys, db, "PC1000", "abstraction", "add", "--officer", "PC1000", "--from", "2026-02-17",
                         "--to", "2026-02-17", "--portion", "full", "--category", "custody", "--requested-by", "x")
    assert code == 0 and out.strip() == "ABS-20260217-1"
    assert "slo: warning:" in err and "absence" in err


def test_add_usage_errors_exit_2(capsys, db):
    assert run(capsys, db, "PC1000", *ADD, "--portion", "quarter")[0] == 2
    assert run(capsys, db, "PC1000", *ADD[:-2], "--portion", "full")[0] == 2  # no --requested-by
    code, _, err = run(capsys, db, "PC1000", *ADD[:4], "--from", "2026-02-30", "--to", "2026-03-01",
                       "--portion", "full", "--category", "court", "--requested-by", "x")
    assert code == 2 and "not a real date" in err


def test_add_refused_for_other_team_and_without_user(capsys, db):
    before = counts(db)
    code, out, err = run(capsys, db, "S200", *ADD, "--portion", "full")
    assert code == 1 and out == "" and "S200" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, db, None, *ADD, "--portion", "full")
    assert code == 1 and "--user" in err
    assert counts(db)[:2] == before[:2]


def test_review_accept_then_challenge(capsys, db):
    code, out, err = run(capsys, db, "S100", "abstraction", "review", "ABS-1", "--accept")
    assert code == 0 and "accepted" in err
    assert query(db, "SELECT review_status, reviewed_by FROM abstractions WHERE ref = 'ABS-1'") == [
        ("accepted", "S100")]
    code, _, err = run(capsys, db, "S100", "abstraction", "review", "ABS-1", "--challenge", "--note", "Why you?")
    assert code == 0 and "challenged" in err
    assert query(db, "SELECT review_status, review_note FROM abstractions WHERE ref = 'ABS-1'") == [
        ("challenged", "Why you?")]
    details = [json.loads(d) for (d,) in query(
        db, "SELECT detail FROM audit WHERE entity='abstractions' AND key='ABS-1' AND operation='update' ORDER BY id")]
    assert [d["review"]["to"] for d in details] == ["accepted", "challenged"]


def test_review_challenge_without_note_exits_1(capsys, db):
    code, out, err = run(capsys, db, "S100", "abstraction", "review", "ABS-1", "--challenge")
    assert code == 1 and "note" in err and len(err.strip().splitlines()) == 1
    assert query(db, "SELECT review_status FROM abstractions WHERE ref = 'ABS-1'") == [("pending",)]


@pytest.mark.parametrize("user", ["S200", "PC1000", "PC1001", "A1"])
def test_review_refused_for_everyone_but_the_team_sergeant(capsys, db, user):
    code, out, err = run(capsys, db, user, "abstraction", "review", "ABS-1", "--accept")
    assert code == 1 and err.startswith("slo: error: ") and len(err.strip().splitlines()) == 1
    assert query(db, "SELECT review_status FROM abstractions WHERE ref = 'ABS-1'") == [("pending",)]


def test_review_usage_and_unknown_ref(capsys, db):
    assert run(capsys, db, "S100", "abstraction", "review", "ABS-1")[0] == 2  # neither --accept nor --challenge
    assert run(capsys, db, "S100", "abstraction", "review", "ABS-1", "--accept", "--challenge")[0] == 2
    code, _, err = run(capsys, db, "S100", "abstraction", "review", "ABS-404", "--accept")
    assert code == 1 and "ABS-404" in err


# ---------------------------------------------------------------- the challenge's result


@pytest.fixture
def future(db):
    """Two planned sessions of PC1000 on a Monday and Tuesday at least two weeks ahead (the command
    counts from the real today: sessions in the past cannot be put back)."""
    from datetime import date, timedelta

    from slo.models import Engagement
    from slo.services.actors import BOOTSTRAP
    from slo.services.records import save
    from slo.store.db import open_store

    today = date.today()
    monday = today + timedelta(days=(7 - today.weekday()) + 14)
    store = open_store(db)
    try:
        for ref, day, start, yp in (("E-F1", monday, "09:30", None), ("E-F2", monday + timedelta(days=1), "11:00",
                                                                       "YP-0001")):
            save(store, BOOTSTRAP, Engagement(
                ref=ref, officer="PC1000", school="100000", young_person=yp,
                kind="one_to_one" if yp else "visit", title="Liaison officer visit",
                starts_at=f"{day}T{start}", ends_at=f"{day}T{start[:2]}:55", status="planned"))
    finally:
        store.close()
    return monday


def test_review_challenge_then_withdraw_gives_the_sessions_back(capsys, db, future):
    from datetime import timedelta

    monday, tuesday = future, future + timedelta(days=1)
    code, out, _ = run(capsys, db, "PC1000", "abstraction", "add", "--officer", "PC1000", "--from", str(monday),
                       "--to", str(tuesday), "--portion", "full", "--category", "response",
                       "--requested-by", "Response inspector")
    assert code == 0
    ref = out.splitlines()[0]
    code, _, err = run(capsys, db, "S100", "abstraction", "review", ref, "--uphold")
    assert code == 1 and "not challenged" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, db, "S100", "abstraction", "review", ref, "--challenge", "--note", "Why?",
                       "--challenged-to", "Ops chief inspector")
    assert code == 0 and "challenge to Ops chief inspector" in err
    assert query(db, "SELECT review_status, challenged_to FROM abstractions WHERE ref = ?", ref) == [
        ("challenged", "Ops chief inspector")]
    code, out, err = run(capsys, db, "S100", "abstraction", "review", ref, "--withdraw", "--returned-on",
                         str(tuesday), "--note", "Released")
    assert code == 0, err
    assert out.splitlines() == [
        f"reinstated E-F2  100000 Northgate Academy  {tuesday} 11:00-11:55  (a young person's session)"]
    assert f"now {monday} to {monday}" in err and "1 session(s) reinstated, 0 to rebook" in err
    assert query(db, "SELECT date_to, review_status, resolution_note FROM abstractions WHERE ref = ?", ref) == [
        (str(monday), "withdrawn", "Released")]
    assert query(db, "SELECT status, abstraction FROM engagements WHERE ref IN ('E-F1', 'E-F2') ORDER BY ref") == [
        ("cancelled", ref), ("planned", None)]
    code, _, err = run(capsys, db, "S100", "abstraction", "review", ref, "--withdraw")
    assert code == 1 and "review is closed" in err


def test_review_withdraw_before_the_first_day_removes_it(capsys, db, future):
    code, out, _ = run(capsys, db, "PC1000", "abstraction", "add", "--officer", "PC1000", "--from", str(future),
                       "--to", str(future), "--portion", "full", "--category", "court", "--requested-by", "CPS")
    ref = out.splitlines()[0]
    run(capsys, db, "S100", "abstraction", "review", ref, "--challenge", "--note", "Why?")
    code, out, err = run(capsys, db, "S100", "abstraction", "review", ref, "--withdraw")
    assert code == 0 and "withdrawn and removed" in err
    assert out.startswith("reinstated E-F1")
    assert query(db, "SELECT count(*) FROM abstractions WHERE ref = ?", ref) == [(0,)]


@pytest.mark.parametrize("extra", [
    ["--uphold", "--returned-on", "2026-03-02"],
    ["--accept", "--challenged-to", "Ops"],
    ["--uphold", "--withdraw"],
    ["--withdraw", "--returned-on", "2026-02-30"],
])
def test_review_result_usage_errors_exit_2(capsys, db, extra):
    before = counts(db)
    code, _, err = run(capsys, db, "S100", "abstraction", "review", "ABS-1", *extra)
    assert code == 2 and "usage" in err
    assert counts(db) == before
