"""Abstractions: what they cancel, overlaps, warnings, and every review permission case."""

from __future__ import annotations

import json
from datetime import date

import pytest

from slo.models import Abstraction, Engagement, ValidationFailed
from slo.services import abstractions as A
from slo.services.actors import BOOTSTRAP, load_actor
from slo.services.errors import Conflict, NotFound, PermissionDenied
from slo.services.records import save

# 2026-03-02 is a Monday.
ENGAGEMENTS = [
    # ref, officer, school, young_person, kind, start, end, status
    ("E-P1", "PC1000", "100000", None, "visit", "2026-03-02T09:30", "2026-03-02T10:30", "planned"),
    ("E-P2", "PC1000", "100000", "YP-0001", "one_to_one", "2026-03-03T11:00", "2026-03-03T11:30", "planned"),
    ("E-D1", "PC1000", "100000", None, "assembly", "2026-03-02T13:00", "2026-03-02T14:00", "delivered"),
    ("E-O1", "PC1001", "100001", None, "visit", "2026-03-03T10:00", "2026-03-03T11:00", "planned"),
    ("E-X1", "PC1000", "100000", None, "lesson", "2026-03-04T09:00", "2026-03-04T10:00", "planned"),
    ("E-X0", "PC1000", "100000", None, "lesson", "2026-02-27T14:00", "2026-02-27T15:00", "planned"),
]


def add_engagements(store) -> None:
    for ref, officer, school, yp, kind, start, end, status in ENGAGEMENTS:
        save(store, BOOTSTRAP, Engagement(
            ref=ref, officer=officer, school=school, young_person=yp, kind=kind,
            title="Liaison officer visit", starts_at=start, ends_at=end, status=status,
        ))


@pytest.fixture
def st(loaded_store):
    add_engagements(loaded_store)
    return loaded_store


def actor(store, collar):
    return load_actor(store.db, collar)


def row(store, ref):
    cur = store.db.execute("SELECT * FROM engagements WHERE ref = ?", [ref])
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def snapshot(store):
    return {r["ref"]: (r["status"], r["cancel_reason"], r["abstraction"], r["sequence"], r["updated_at"])
            for r in map(lambda ref: row(store, ref), [e[0] for e in ENGAGEMENTS])}


def counts(store):
    db = store.db
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("abstractions", "engagements", "audit"))


def abstraction(**kw) -> Abstraction:
    data = dict(ref=A.NEW_REF, officer="PC1000", date_from="2026-03-02", date_to="2026-03-03",
                portion="full", category="public_order", requested_by="Duty inspector")
    data.update(kw)
    return Abstraction(**data)


# ---------------------------------------------------------------- full day


def test_full_day_cancels_exactly_the_planned_engagements_of_that_officer_on_those_days(st):
    before = snapshot(st)
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction())
    ref = result.abstraction.ref
    assert ref == "ABS-20260302-1"
    assert [c.ref for c in result.cancelled] == ["E-P1", "E-P2"]
    after = snapshot(st)
    for r in ("E-P1", "E-P2"):
        status, reason, link, seq, updated = after[r]
        assert (status, reason, link) == ("cancelled", "abstraction", ref)
        assert seq == before[r][3] + 1
        assert updated is not None and updated >= (before[r][4] or "")
    for untouched in ("E-D1", "E-O1", "E-X1", "E-X0"):
        assert after[untouched] == before[untouched], untouched
    stored = st.db.execute("SELECT review_status, reviewed_by FROM abstractions WHERE ref = ?", [ref]).fetchone()
    assert stored == ("pending", None)


def test_each_cancellation_is_audited_in_the_same_transaction(st):
    n_before = counts(st)[2]
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction())
    rows = st.db.execute(
        "SELECT operation, entity, key, detail FROM audit ORDER BY id DESC LIMIT 3"
    ).fetchall()
    assert counts(st)[2] == n_before + 3
    keys = {(op, ent, key) for op, ent, key, _ in rows}
    assert keys == {("create", "abstractions", result.abstraction.ref),
                    ("update", "engagements", "E-P1"), ("update", "engagements", "E-P2")}
    for *_, detail in rows:
        assert "Alex" not in (detail or "") and "Morgan" not in (detail or "")


def test_one_to_one_is_flagged_and_school_named(st):
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction())
    by_ref = {c.ref: c for c in result.cancelled}
    assert by_ref["E-P2"].one_to_one is True
    assert by_ref["E-P1"].one_to_one is False
    assert by_ref["E-P1"].school == "100000" and by_ref["E-P1"].school_name == "Northgate Academy"
    assert [c.ref for c in A.cancelled_by(st.db, result.abstraction.ref)] == ["E-P1", "E-P2"]


def test_refs_are_numbered_per_start_date(st):
    first = A.record_abstraction(st, actor(st, "PC1000"), abstraction(date_from="2026-03-09", date_to="2026-03-09"))
    second = A.record_abstraction(st, actor(st, "PC1001"), abstraction(officer="PC1001", date_from="2026-03-09",
                                                                       date_to="2026-03-09"))
    assert (first.abstraction.ref, second.abstraction.ref) == ("ABS-20260309-1", "ABS-20260309-2")


# ---------------------------------------------------------------- half day


def test_half_day_without_cancel_cancels_nothing(st):
    before = snapshot(st)
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction(portion="half"))
    assert result.cancelled == []
    assert snapshot(st) == before


def test_half_day_cancels_only_the_listed(st):
    before = snapshot(st)
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction(portion="half"), cancel=["E-P2"])
    assert [c.ref for c in result.cancelled] == ["E-P2"]
    after = snapshot(st)
    assert after["E-P2"][:3] == ("cancelled", "abstraction", result.abstraction.ref)
    assert after["E-P1"] == before["E-P1"]


@pytest.mark.parametrize("bad", ["E-X1", "E-D1", "E-O1", "NOPE"])
def test_half_day_refuses_a_listed_ref_that_is_not_a_planned_engagement_in_the_span(st, bad):
    before, n = snapshot(st), counts(st)
    with pytest.raises(Conflict) as exc:
        A.record_abstraction(st, actor(st, "PC1000"), abstraction(portion="half"), cancel=["E-P1", bad])
    assert bad in str(exc.value)
    assert snapshot(st) == before and counts(st) == n


# ---------------------------------------------------------------- overlap, warnings, permissions


def test_overlap_is_refused_naming_the_other_and_nothing_is_written(st):
    first = A.record_abstraction(st, actor(st, "PC1000"), abstraction(date_from="2026-03-09", date_to="2026-03-11"))
    before, n = snapshot(st), counts(st)
    with pytest.raises(Conflict) as exc:
        A.record_abstraction(st, actor(st, "PC1000"), abstraction(date_from="2026-03-02", date_to="2026-03-09"))
    assert first.abstraction.ref in str(exc.value)
    assert snapshot(st) == before and counts(st) == n


def test_overlap_with_imported_abstraction_is_refused(st):
    with pytest.raises(Conflict, match="ABS-1"):
        A.record_abstraction(st, actor(st, "PC1000"), abstraction(date_from="2026-01-06", date_to="2026-01-06"))


def test_another_officer_on_the_same_days_is_not_an_overlap(st):
    A.record_abstraction(st, actor(st, "PC1000"), abstraction())
    result = A.record_abstraction(st, actor(st, "PC1001"), abstraction(officer="PC1001"))
    assert [c.ref for c in result.cancelled] == ["E-O1"]


def test_abstraction_on_a_leave_day_is_recorded_with_a_warning(st):
    result = A.record_abstraction(st, actor(st, "PC1000"), abstraction(date_from="2026-02-19", date_to="2026-02-23"))
    assert st.db.execute("SELECT 1 FROM abstractions WHERE ref = ?", [result.abstraction.ref]).fetchone()
    text = " ".join(result.warnings)
    assert "2026-02-19 to 2026-02-20" in text and "absence" in text and "counts nothing" in text
    # 21st and 22nd are a weekend: not PC1000's working days
    assert "2026-02-21, 2026-02-22" in text


def test_no_warning_on_ordinary_working_days(st):
    assert A.record_abstraction(st, actor(st, "PC1000"), abstraction()).warnings == []


@pytest.mark.parametrize("who", ["PC1000", "S100", "A1"])
def test_officer_their_sergeant_or_admin_may_record(st, who):
    result = A.record_abstraction(st, actor(st, who), abstraction())
    audit_actor = st.db.execute(
        "SELECT actor FROM audit WHERE entity = 'abstractions' AND key = ?", [result.abstraction.ref]
    ).fetchone()[0]
    assert audit_actor == who


@pytest.mark.parametrize("who", ["PC1001", "S200"])
def test_others_may_not_record_and_the_refusal_is_audited(st, who):
    n = counts(st)
    with pytest.raises(PermissionDenied):
        A.record_abstraction(st, actor(st, who), abstraction())
    assert counts(st)[:2] == n[:2]
    assert counts(st)[2] == n[2] + 1
    assert st.db.execute("SELECT operation FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0] == "refused"


def test_unknown_officer_is_not_found(st):
    with pytest.raises(NotFound):
        A.record_abstraction(st, actor(st, "A1"), abstraction(officer="PC9999"))


def test_existing_explicit_ref_is_refused(st):
    with pytest.raises(Conflict, match="already exists"):
        A.record_abstraction(st, actor(st, "A1"),
                             abstraction(ref="ABS-1", date_from="2026-05-01", date_to="2026-05-01"))


def test_make_abstraction_turns_model_errors_into_one_line(st):
    with pytest.raises(ValidationFailed) as exc:
        A.make_abstraction({"officer": "PC1000", "date_from": "2026-03-05", "date_to": "2026-03-02",
                            "portion": "full", "category": "custody", "requested_by": "x"})
    assert "date_to" in str(exc.value) and "\n" not in str(exc.value)


# ---------------------------------------------------------------- review


def review_row(store, ref="ABS-1"):
    return store.db.execute(
        "SELECT review_status, reviewed_by, reviewed_at, review_note FROM abstractions WHERE ref = ?", [ref]
    ).fetchone()


def test_team_sergeant_accepts_then_changes_to_challenge(st):
    sgt = actor(st, "S100")
    accepted = A.review_abstraction(st, sgt, "ABS-1", accept=True)
    assert accepted.review_status.value == "accepted"
    status, by, at, note = review_row(st)
    assert (status, by, note) == ("accepted", "S100", None) and at
    challenged = A.review_abstraction(st, sgt, "ABS-1", accept=False, note="Match was covered by PSU; why an SLO?")
    assert challenged.review_status.value == "challenged"
    assert review_row(st)[0] == "challenged" and review_row(st)[3].startswith("Match was covered")
    rows = st.db.execute(
        "SELECT actor, operation, detail FROM audit WHERE entity = 'abstractions' AND key = 'ABS-1' "
        "AND operation = 'update' ORDER BY id"
    ).fetchall()
    details = [json.loads(d) for _, _, d in rows]
    assert [d["review"] for d in details] == [
        {"from": "pending", "to": "accepted"}, {"from": "accepted", "to": "challenged"}]
    assert all(a == "S100" for a, _, _ in rows)
    assert all("PSU" not in d for _, _, d in rows)


def test_challenge_needs_a_note_and_writes_nothing(st):
    n = counts(st)
    for note in (None, "", "   "):
        with pytest.raises(ValidationFailed, match="note"):
            A.review_abstraction(st, actor(st, "S100"), "ABS-1", accept=False, note=note)
    assert counts(st) == n and review_row(st)[0] == "pending"


@pytest.mark.parametrize("who", ["S200", "PC1000", "PC1001", "A1"])
def test_only_the_team_sergeant_may_review(st, who):
    n = counts(st)
    with pytest.raises(PermissionDenied):
        A.review_abstraction(st, actor(st, who), "ABS-1", accept=True)
    assert review_row(st)[0] == "pending"
    assert counts(st)[2] == n[2] + 1  # the refusal is on the record
    assert st.db.execute("SELECT operation, actor FROM audit ORDER BY id DESC LIMIT 1").fetchone() == ("refused", who)


def test_a_sergeant_may_not_review_their_own_abstraction(st):
    A.record_abstraction(st, actor(st, "S100"), abstraction(officer="S100", date_from="2026-04-01",
                                                           date_to="2026-04-01"))
    with pytest.raises(PermissionDenied, match="own"):
        A.review_abstraction(st, actor(st, "S100"), "ABS-20260401-1", accept=True)
    assert review_row(st, "ABS-20260401-1")[0] == "pending"


def test_review_of_unknown_ref_is_not_found(st):
    with pytest.raises(NotFound):
        A.review_abstraction(st, actor(st, "S100"), "ABS-404", accept=True)


def test_awaiting_review_lists_the_team_pending(st):
    assert [a.ref for a in A.awaiting_review(st.db, "NHT-North")] == ["ABS-1"]
    A.review_abstraction(st, actor(st, "S100"), "ABS-1", accept=True)
    assert A.awaiting_review(st.db, "NHT-North") == []
    assert A.awaiting_review(st.db, "NHT-South") == []


def test_planned_engagements_in_a_span(st):
    found = A.planned_engagements(st.db, "PC1000", date(2026, 3, 2), date(2026, 3, 4))
    assert [e.ref for e in found] == ["E-P1", "E-P2", "E-X1"]
