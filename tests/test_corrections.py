"""Correcting a record (issue 15 item 1): every change keeps its history, deleting is only for a
mistake, an abstraction is corrected before review by its officer and after review by a sergeant.

Real SQLite files (the ``loaded_store`` fixture: the small bundle); the services as the desk calls them.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from slo.models import Absence, Abstraction, Consultation, Engagement, ValidationFailed, YoungPerson
from slo.services import abstractions as A
from slo.services import consultations as C
from slo.services import engagements as E
from slo.services import history, records, refs
from slo.services.actors import load_actor
from slo.services.errors import Conflict, PermissionDenied
from slo.services.young_people import save_young_person


def who(store, collar):
    return load_actor(store.db, collar)


def audit_rows(store, entity, key):
    return store.db.execute(
        "SELECT actor, operation, detail FROM audit WHERE entity = ? AND key = ? ORDER BY id", [entity, key]
    ).fetchall()


def book(store, start, end, *, title="Assembly", officer="PC1000"):
    return E.save_engagement(store, who(store, officer), Engagement(
        ref=refs.NEW, officer=officer, school="100000", kind="visit", title=title,
        starts_at=start, ends_at=end, status="planned"))


def sequence(store, ref):
    return store.db.execute("SELECT sequence FROM engagements WHERE ref = ?", [ref]).fetchone()[0]


# --------------------------------------------------------------------------- history rows


def test_booking_and_moving_a_visit_keeps_its_history_and_raises_the_calendar_sequence(loaded_store):
    st = loaded_store
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    assert sequence(st, made.ref) == 0
    moved = made.model_copy(update={"starts_at": datetime(2027, 1, 11, 13, 30), "ends_at": datetime(2027, 1, 11, 15)})
    E.save_engagement(st, who(st, "PC1000"), Engagement.model_validate(moved.model_dump()))
    assert sequence(st, made.ref) == 1
    entries = history.history_of(st.db, "engagements", made.ref)
    assert [(e.operation, e.actor, e.source) for e in entries] == [("create", "PC1000", "desk"),
                                                                  ("update", "PC1000", "desk")]
    assert {c.field: (c.old, c.new) for c in entries[1].changes} == {
        "starts_at": ("2027-01-11T09:00", "2027-01-11T13:30"), "ends_at": ("2027-01-11T10:00", "2027-01-11T15:00")}
    # the audit log names the fields only
    detail = json.loads(audit_rows(st, "engagements", made.ref)[-1][2])
    assert detail["fields"] == ["ends_at", "starts_at"] and "13:30" not in json.dumps(detail)


def test_a_notes_only_correction_keeps_the_sequence(loaded_store):
    st = loaded_store
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    E.save_engagement(st, who(st, "PC1000"), made.model_copy(update={"notes": "bring leaflets"}))
    assert sequence(st, made.ref) == 0
    last = history.history_of(st.db, "engagements", made.ref)[-1]
    assert last.changes == (history.Change("notes", None, "bring leaflets"),)


def test_a_consultation_is_corrected_in_every_field_with_its_history(loaded_store):
    st = loaded_store
    before = C.get_consultation(st.db, "CON-1")
    data = before.model_dump()
    data.update(timing="after_decision", reasons=["VA"], risk_factors=["county_lines", "gang_association"],
                advice="Mentoring offered", follow_up_on="2026-02-02", consulted_by="Head teacher")
    C.log_consultation(st, who(st, "PC1000"), Consultation.model_validate(data))
    after = C.get_consultation(st.db, "CON-1")
    assert after.timing.value == "after_decision" and after.advice == "Mentoring offered"
    (entry,) = history.history_of(st.db, "consultations", "CON-1")
    changes = {c.field: (c.old, c.new) for c in entry.changes}
    assert changes == {
        "timing": ("before_decision", "after_decision"),
        "reasons": (["PA", "OW", "DA"], ["VA"]),
        "risk_factors": (["weapon_carrying"], ["county_lines", "gang_association"]),
        "advice": ("Refer to YJS", "Mentoring offered"),
        "follow_up_on": ("2026-01-20", "2026-02-02"),
        "consulted_by": ("Deputy head", "Head teacher"),
    }
    # erasing the young person finds this history (it is about them)
    row = st.db.execute("SELECT young_person FROM history WHERE entity = 'consultations'").fetchone()
    assert row == ("YP-0001",)
    detail = json.loads(audit_rows(st, "consultations", "CON-1")[-1][2])
    assert "Mentoring" not in json.dumps(detail) and "advice" in detail["fields"]


def test_a_correction_is_validated_as_a_new_record_is_and_changes_nothing_when_refused(loaded_store):
    st = loaded_store
    data = C.get_consultation(st.db, "CON-1").model_dump()
    data.update(young_person="YP-9999", advice="moved")
    with pytest.raises(ValidationFailed, match="YP-9999"):
        C.log_consultation(st, who(st, "PC1000"), Consultation.model_validate(data))
    assert C.get_consultation(st.db, "CON-1").advice == "Refer to YJS"
    assert history.history_of(st.db, "consultations", "CON-1") == []


def test_a_colleague_of_another_team_may_not_correct_and_nothing_is_kept(loaded_store):
    st = loaded_store
    data = C.get_consultation(st.db, "CON-1").model_dump()
    data["advice"] = "taken over"
    with pytest.raises(PermissionDenied):
        C.log_consultation(st, who(st, "PC1001"), Consultation.model_validate(data))
    assert C.get_consultation(st.db, "CON-1").advice == "Refer to YJS"
    assert history.history_of(st.db, "consultations", "CON-1") == []


def test_the_outcome_and_the_exclusion_start_keep_their_history(loaded_store):
    st = loaded_store
    from datetime import date

    C.record_outcome(st, who(st, "PC1000"), "CON-1", "permanent_exclusion", date(2026, 1, 9),
                     exclusion_start=date(2026, 1, 12))
    entries = history.history_of(st.db, "consultations", "CON-1")
    fields = [{c.field: (c.old, c.new) for c in e.changes} for e in entries]
    assert fields == [{"outcome": ("suspension", "permanent_exclusion"), "outcome_on": ("2026-01-08", "2026-01-09")},
                      {"exclusion_start": (None, "2026-01-12")}]
    assert {e.source for e in entries} == {"desk", "outcome"}


def test_referral_status_young_person_and_absence_changes_keep_history(loaded_store):
    st = loaded_store
    C.set_referral_status(st, who(st, "PC1000"), "REF-1", "completed", outcome22=True)
    (entry,) = history.history_of(st.db, "referrals", "REF-1")
    assert {c.field: (c.old, c.new) for c in entry.changes} == {"status": ("accepted", "completed")}

    person = records.get(st.db, "young_people", "YP-0001")
    save_young_person(st, who(st, "PC1000"), YoungPerson.model_validate({**person.model_dump(), "year_group": 10}))
    (entry,) = history.history_of(st.db, "young_people", "YP-0001")
    assert entry.changes == (history.Change("year_group", 9, 10),)

    records.save(st, who(st, "PC1000"), Absence(officer="PC1000", date_from="2026-02-16", date_to="2026-02-18",
                                                 kind="annual_leave"))
    (entry,) = history.history_of(st.db, "absences", "PC1000/2026-02-16")
    assert entry.changes == (history.Change("date_to", "2026-02-20", "2026-02-18"),)


def test_a_rebooking_starts_its_own_history(loaded_store):
    st = loaded_store
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    E.set_status(st, who(st, "PC1000"), made.ref, "cancelled", "school")
    again = E.rebook(st, who(st, "PC1000"), made.ref, after=datetime(2027, 1, 12, 9))
    assert [(e.operation, e.source) for e in history.history_of(st.db, "engagements", again.ref)] == [
        ("create", "rebook")]
    status = history.history_of(st.db, "engagements", made.ref)[-1]
    assert (status.source, status.changes[0].field) == ("status", "cancel_reason")


# --------------------------------------------------------------------------- deleting a mistake


def test_a_mistaken_visit_is_deleted_with_its_reason_and_its_last_values_kept(loaded_store):
    st = loaded_store
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00", title="Duplicate assembly")
    gone = records.delete(st, who(st, "PC1000"), "engagements", made.ref, "booked twice")
    assert records.get_row(st.db, "engagements", made.ref) is None
    assert gone.operation == "delete" and gone.reason == "booked twice"
    assert {c.field: c.old for c in gone.changes}["title"] == "Duplicate assembly"
    assert history.deleted(st.db, "engagements", made.ref) == gone
    actor, operation, detail = audit_rows(st, "engagements", made.ref)[-1]
    assert (actor, operation) == ("PC1000", "delete")
    assert "title" in json.loads(detail)["fields"]
    assert "Duplicate" not in detail and "twice" not in detail


@pytest.mark.parametrize(("entity", "key", "why"), [
    ("engagements", "ENG-1", "is delivered"),                        # it happened
    ("engagements", "ENG-2", "is cancelled"),                        # counted as a session let down
    ("consultations", "CON-1", "referral REF-1 refers to it"),       # something refers to it
    ("young_people", "YP-0001", "refer to it"),                      # their consultations and sessions
    ("officers", "PC1000", "cannot be deleted here"),                # not a record created by mistake
])
def test_only_a_mistake_nothing_refers_to_can_be_deleted(loaded_store, entity, key, why):
    st = loaded_store
    actor = who(st, "A1") if entity == "officers" else who(st, "PC1000")
    with pytest.raises(Conflict, match=why):
        records.delete(st, actor, entity, key, "a mistake")
    assert records.get_row(st.db, entity, key) is not None
    assert history.deleted(st.db, entity, key) is None


def test_a_delete_needs_a_reason_and_the_records_permission(loaded_store):
    st = loaded_store
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    with pytest.raises(ValidationFailed, match="reason"):
        records.delete(st, who(st, "PC1000"), "engagements", made.ref, "  ")
    with pytest.raises(PermissionDenied):
        records.delete(st, who(st, "PC1001"), "engagements", made.ref, "not mine")
    assert records.get_row(st.db, "engagements", made.ref) is not None
    refused = st.db.execute("SELECT actor FROM audit WHERE operation = 'refused' ORDER BY id DESC LIMIT 1").fetchone()
    assert refused == ("PC1001",)


def test_a_referral_made_by_mistake_frees_its_consultation_for_deletion(loaded_store):
    st = loaded_store
    records.delete(st, who(st, "PC1000"), "referrals", "REF-1", "wrong child")
    records.delete(st, who(st, "PC1000"), "consultations", "CON-1", "logged for the wrong child")
    gone = history.deleted(st.db, "consultations", "CON-1")
    assert gone is not None and {c.field: c.old for c in gone.changes}["advice"] == "Refer to YJS"
    assert [k for _, k, _ in history.deletions_about(st.db, "YP-0001")] == ["CON-1", "REF-1"]


# --------------------------------------------------------------------------- abstractions


def _abstraction(**kw):
    data = dict(ref=A.NEW_REF, officer="PC1000", date_from="2027-01-11", date_to="2027-01-11", portion="full",
                category="public_order", requested_by="Duty inspector", reason="Match")
    data.update(kw)
    return Abstraction.model_validate(data)


def _status(st, ref):
    return st.db.execute("SELECT status, cancel_reason FROM engagements WHERE ref = ?", [ref]).fetchone()


def test_moving_an_abstraction_reworks_its_cancellations(loaded_store):
    st = loaded_store
    monday = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    tuesday = book(st, "2027-01-12T09:00", "2027-01-12T10:00")
    made = A.record_abstraction(st, who(st, "PC1000"), _abstraction()).abstraction
    assert _status(st, monday.ref) == ("cancelled", "abstraction")
    seq = sequence(st, monday.ref)
    result = A.correct_abstraction(st, who(st, "PC1000"), Abstraction.model_validate({
        **made.model_dump(), "date_from": "2027-01-12", "date_to": "2027-01-12", "category": "training"}))
    assert [e.ref for e in result.reinstated] == [monday.ref]
    assert [e.ref for e in result.cancelled] == [tuesday.ref]
    assert _status(st, monday.ref) == ("planned", None) and sequence(st, monday.ref) == seq + 1
    assert _status(st, tuesday.ref) == ("cancelled", "abstraction")
    last = history.history_of(st.db, "abstractions", made.ref)[-1]
    assert {c.field for c in last.changes} == {"date_from", "date_to", "category"}


def test_after_review_only_a_sergeant_corrects_an_abstraction(loaded_store):
    st = loaded_store
    made = A.record_abstraction(st, who(st, "PC1000"), _abstraction()).abstraction
    A.review_abstraction(st, who(st, "S100"), made.ref, accept=True)
    wrong = Abstraction.model_validate({**A.get_abstraction(st.db, made.ref).model_dump(), "category": "training"})
    with pytest.raises(PermissionDenied, match="only a sergeant"):
        A.correct_abstraction(st, who(st, "PC1000"), wrong)
    assert A.get_abstraction(st.db, made.ref).category.value == "public_order"
    refused = st.db.execute("SELECT actor FROM audit WHERE operation = 'refused' ORDER BY id DESC LIMIT 1").fetchone()
    assert refused == ("PC1000",)
    # the sergeant may; the review stands
    A.correct_abstraction(st, who(st, "S100"), wrong)
    now = A.get_abstraction(st.db, made.ref)
    assert (now.category.value, now.review_status.value, now.reviewed_by) == ("training", "accepted", "S100")
    # and a reviewed abstraction is never deleted as a mistake
    with pytest.raises(Conflict, match="reviewed"):
        records.delete(st, who(st, "S100"), "abstractions", made.ref, "mistake")


def test_deleting_a_mistaken_abstraction_plans_its_sessions_again(loaded_store):
    st = loaded_store
    monday = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    made = A.record_abstraction(st, who(st, "PC1000"), _abstraction()).abstraction
    records.delete(st, who(st, "PC1000"), "abstractions", made.ref, "wrong officer")
    assert records.get_row(st.db, "abstractions", made.ref) is None
    assert _status(st, monday.ref) == ("planned", None)
    assert history.deleted(st.db, "abstractions", made.ref).reason == "wrong officer"


def test_deleting_a_mistaken_absence_plans_its_sessions_again(loaded_store):
    from slo.services import absences

    st = loaded_store
    monday = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    absences.record_absence(st, who(st, "PC1000"), Absence(officer="PC1000", date_from="2027-01-11",
                                                           date_to="2027-01-11", kind="sickness"))
    assert _status(st, monday.ref) == ("cancelled", "officer_unavailable")
    records.delete(st, who(st, "PC1000"), "absences", "PC1000/2027-01-11", "recorded the wrong week")
    assert records.get_row(st.db, "absences", "PC1000/2027-01-11") is None
    assert _status(st, monday.ref) == ("planned", None)
    gone = history.deleted(st.db, "absences", "PC1000/2027-01-11")
    assert gone is not None and {c.field: c.old for c in gone.changes}["kind"] == "sickness"


# --------------------------------------------------------------------------- the record screen's read model


def _views(st, entity, key):
    return st.db.execute("SELECT actor FROM audit WHERE operation = 'view' AND entity = ? AND key = ?",
                         [entity, key]).fetchall()


def test_the_record_read_model_words_its_fields_and_history_and_audits_personal_views(loaded_store):
    from slo.services.queries.record import record_detail

    st = loaded_store
    data = C.get_consultation(st.db, "CON-1").model_dump()
    data.update(timing="after_decision")
    C.log_consultation(st, who(st, "PC1000"), Consultation.model_validate(data))
    detail = record_detail(st, who(st, "PC1000"), "consultations", "CON-1")
    fields = {f.name: f.value for f in detail.fields}
    assert fields["timing"] == "After decision"
    assert fields["reasons"].splitlines()[0] == "PA Physical assault against an adult"
    assert fields["young_person"] == "Alex Morgan (YP-0001)"
    (line,) = detail.history
    assert line.changes == ["Before/after the decision: Before decision → After decision"]
    assert detail.why_not_delete == "consultation CON-1 cannot be deleted: referral REF-1 refers to it"
    assert _views(st, "consultations", "CON-1") == [("PC1000",)]
    # a 1:1 session names the young person: its view is audited too; a refresh is not a new view
    record_detail(st, who(st, "PC1000"), "engagements", "ENG-2")
    record_detail(st, who(st, "PC1000"), "engagements", "ENG-2", audit_view=False)
    assert _views(st, "engagements", "ENG-2") == [("PC1000",)]
    record_detail(st, who(st, "PC1000"), "engagements", "ENG-1")  # a visit: not personal
    assert _views(st, "engagements", "ENG-1") == []


def test_the_record_read_model_refuses_another_team_and_reads_a_deleted_record(loaded_store):
    from slo.services.queries.record import record_detail

    st = loaded_store
    with pytest.raises(PermissionDenied):
        record_detail(st, who(st, "PC1001"), "consultations", "CON-1")
    assert _views(st, "consultations", "CON-1") == []
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00", title="Twice")
    records.delete(st, who(st, "PC1000"), "engagements", made.ref, "booked twice")
    detail = record_detail(st, who(st, "PC1000"), "engagements", made.ref)
    assert {f.name: f.value for f in detail.fields}["title"] == "Twice"
    assert detail.deleted is not None and detail.deleted.what == "Deleted as a mistake: booked twice"
    assert detail.why_not_edit and detail.why_not_delete


def test_a_deleted_abstractions_ref_is_never_given_to_a_new_one(loaded_store):
    """ABS-<day>-<n> counted only the live rows: after a mistake was deleted, the next abstraction of
    that day took its ref and shared its history."""
    st = loaded_store
    first = A.record_abstraction(st, who(st, "PC1000"), _abstraction()).abstraction
    records.delete(st, who(st, "PC1000"), "abstractions", first.ref, "made by mistake")
    again = A.record_abstraction(st, who(st, "PC1000"), _abstraction()).abstraction
    assert again.ref != first.ref
    assert [e.operation for e in history.history_of(st.db, "abstractions", again.ref)] == ["create"]


def test_a_deleted_records_ref_counts_as_taken(loaded_store, monkeypatch):
    """Random refs are checked against the history as well as the table: a deleted visit's ref stays its own."""
    st = loaded_store
    gone = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    records.delete(st, who(st, "PC1000"), "engagements", gone.ref, "made by mistake")
    code = gone.ref.rsplit("-", 1)[1]
    codes = iter([code, "ZZZZZZ"])  # the first draw would repeat the deleted ref
    monkeypatch.setattr(refs, "random_code", lambda n=6: next(codes))
    made = book(st, "2027-01-11T09:00", "2027-01-11T10:00")
    assert made.ref == "ENG-20270111-ZZZZZZ"
