"""`slo due`: what an officer and a sergeant must and must not see, text and json, via the real CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers.identity import bind_current_account

from slo.cli.main import main
from slo.services import due as D
from slo.services.actors import load_actor


def d(text: str) -> date:
    return date.fromisoformat(text)


def _consultation(ref, officer, yp, school, consulted_on, **over):
    data = {"ref": ref, "young_person": yp, "school": school, "officer": officer,
            "consulted_on": consulted_on, "consulted_by": None, "timing": "before_decision",
            "proposed": "suspension", "reasons": ["DB"], "suspension_days": None, "risk_factors": None,
            "advice": "Keep an eye on Bella", "outcome": "pending", "outcome_on": None, "follow_up_on": None}
    data.update(over)
    return data


@pytest.fixture
def due_db(store, small_bundle, db_path):
    from slo.services.bundle import import_bundle

    b = small_bundle
    b["young_people"].append({"ref": "YP-0002", "given_name": "Bella", "family_name": "Quinn",
                              "date_of_birth": None, "school": "100001", "year_group": 8, "sex": "female",
                              "ethnicity": None, "ethnicity_missing_reason": "not_asked", "sen": "none",
                              "fsm": "no"})
    b["consultations"] += [
        # PC1000 (North): pending since Mon 5 Jan -> outcome due on the 10th school day after, Mon 19 Jan
        _consultation("CON-P", "PC1000", "YP-0001", "100000", "2026-01-05"),
        # PC1001 (South): must be invisible to PC1000 and to the North sergeant
        _consultation("CON-Q", "PC1001", "YP-0002", "100001", "2026-01-05", follow_up_on="2026-01-14"),
        _consultation("CON-R", "PC1001", "YP-0002", "100001", "2026-01-09", outcome="permanent_exclusion",
                      outcome_on="2026-01-12"),
    ]
    b["abstractions"].append({"ref": "ABS-S", "officer": "PC1001", "date_from": "2026-01-07",
                              "date_to": "2026-01-08", "portion": "full", "category": "mutual_aid",
                              "requested_by": "Ops", "reason": None, "review_status": "pending",
                              "reviewed_by": None, "reviewed_at": None, "review_note": None})
    import_bundle(store, b, None)
    bind_current_account(store)  # the account running the tests may act as any officer (a test account)
    store.close()
    return db_path


def run(capsys, db_path, user, *args):
    code = main(["--db", str(db_path), "--user", user, "due", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_officer_sees_own_items_only_json(due_db, capsys):
    code, out, _ = run(capsys, due_db, "PC1000", "--on", "2026-01-12", "--days", "9", "--format", "json")
    assert code == 0
    items = json.loads(out)
    got = [(i["kind"], i["ref"], i["due_on"]) for i in items]
    assert got == [
        ("provision_day6", "CON-1", "2026-01-15"),   # suspension of unknown length from Thu 8 Jan
        ("outcome_missing", "CON-P", "2026-01-19"),
        ("follow_up", "CON-1", "2026-01-20"),
    ]
    assert all({"kind", "ref", "due_on", "title", "detail", "provisional", "overdue"} <= set(i) for i in items)
    assert items[0]["provisional"] is True and items[0]["overdue"] is False
    # no review items for an SLO, nothing of the other team, no child's name anywhere
    assert "ABS-1" not in out and "CON-Q" not in out and "CON-R" not in out
    for name in ("Alex", "Morgan", "Bella", "Quinn"):
        assert name not in out


def test_sergeant_sees_team_consultations_and_reviews(due_db, capsys):
    code, out, _ = run(capsys, due_db, "S100", "--on", "2026-01-12", "--days", "9", "--format", "json")
    assert code == 0
    items = json.loads(out)
    got = [(i["kind"], i["ref"], i["due_on"], i["overdue"]) for i in items]
    assert got[0] == ("abstraction_review", "ABS-1", "2026-01-11", True)  # 5 days after it ended, overdue
    assert ("provision_day6", "CON-1", "2026-01-15", False) in got
    assert ("outcome_missing", "CON-P", "2026-01-19", False) in got
    assert all(i["officer"] == "PC1000" for i in items)
    assert "ABS-S" not in out and "CON-Q" not in out and "CON-R" not in out
    # the other sergeant sees the South team's items, not the North's
    code, out, _ = run(capsys, due_db, "S200", "--on", "2026-01-12", "--days", "9", "--format", "json")
    kinds = {(i["kind"], i["ref"]) for i in json.loads(out)}
    assert {("abstraction_review", "ABS-S"), ("follow_up", "CON-Q"), ("provision_day6", "CON-R"),
            ("outcome_missing", "CON-Q")} <= kinds
    assert ("governors_review", "CON-R") not in kinds  # the 15th school day (30 Jan) is outside the window
    assert not any(ref in {"ABS-1", "CON-1", "CON-P"} for _, ref in kinds)


def test_text_grouped_by_day_by_name(due_db, capsys):
    code, out, _ = run(capsys, due_db, "S100", "--on", "2026-01-12", "--days", "9")
    assert code == 0
    assert out.startswith("Due for S100 from 2026-01-12 to 2026-01-20 (9 days)")
    lines = out.splitlines()
    assert lines.index("Overdue (1)") < lines.index("Thu 15 Jan 2026") < lines.index("Mon 19 Jan 2026") \
        < lines.index("Tue 20 Jan 2026")
    assert "provisional" in out and "ABS-1" in out
    # a person reads names, with the ref to find the record by; the date of an overdue item has its year
    assert "  Record the outcome              Alex Morgan at Northgate Academy (CON-P) [provisional]" in lines
    assert "  Sun 11 Jan 2026  Review the abstraction          PC1000's abstraction (ABS-1)" in lines
    assert "school 100000" not in out
    # the other team's young person and the private advice never
    for text in ("Bella", "Quinn", "Keep an eye"):
        assert text not in out
    code, out, _ = run(capsys, due_db, "PC1001", "--on", "2027-06-01")
    assert code == 0 and "Nothing due." in out


def test_window_edges_and_overdue_follow_up(due_db, capsys):
    # a 1-day window on the follow-up day holds only it (and the still-missing outcome, overdue)
    code, out, _ = run(capsys, due_db, "PC1000", "--on", "2026-01-20", "--days", "1", "--format", "json")
    got = [(i["kind"], i["ref"], i["overdue"]) for i in json.loads(out)]
    assert got == [("outcome_missing", "CON-P", True), ("follow_up", "CON-1", False)]
    # two days later the follow-up is overdue (never touched since), the day-6 deadline is not repeated
    code, out, _ = run(capsys, due_db, "PC1000", "--on", "2026-01-22", "--format", "json")
    got = [(i["kind"], i["ref"], i["overdue"]) for i in json.loads(out)]
    assert got == [("outcome_missing", "CON-P", True), ("follow_up", "CON-1", True)]


def test_touching_the_consultation_clears_an_overdue_follow_up(due_db):
    from slo.services.consultations import get_consultation, log_consultation, record_outcome
    from slo.store.db import open_store

    store = open_store(due_db)
    try:
        pc = load_actor(store.db, "PC1000")
        before = D.due_items(store, pc, d("2026-01-22"))
        assert ("follow_up", "CON-1") in [(i.kind, i.ref) for i in before]
        con = get_consultation(store.db, "CON-1")
        log_consultation(store, pc, con.model_copy(update={"consulted_by": "Head of year"}))
        record_outcome(store, pc, "CON-P", "no_exclusion", d("2026-01-21"))
        after = D.due_items(store, pc, d("2026-01-22"))
        assert [(i.kind, i.ref) for i in after] == []
    finally:
        store.close()


def test_usage_and_user_errors(due_db, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(due_db), "--user", "PC1000", "due", "--days", "0"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(due_db), "--user", "PC1000", "due", "--on", "tomorrow"])
    assert caught.value.code == 2
    capsys.readouterr()
    assert main(["--db", str(due_db), "due"]) == 1
    assert "needs a user" in capsys.readouterr().err
    assert main(["--db", str(due_db), "--user", "NOBODY", "due"]) == 1


def test_due_items_sorted_and_term_dates_make_deadlines_firm(due_db, tmp_path):
    from slo.services.schooldays import add_term
    from slo.store.db import open_store

    store = open_store(due_db)
    try:
        add_term(store, load_actor(store.db, "A1"), "Camden", d("2026-01-05"), d("2026-02-13"))
        items = D.due_items(store, load_actor(store.db, "S100"), d("2026-01-12"), 9)
        assert items == sorted(items, key=lambda i: (i.due_on, i.kind, i.ref))
        day6 = next(i for i in items if i.kind == "provision_day6")
        assert day6.due_on == d("2026-01-15") and not day6.provisional
    finally:
        store.close()
