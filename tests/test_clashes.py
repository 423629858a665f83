"""Clash checks when booking or moving an engagement (slo/services/clashes.py), on a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

from slo.models import Engagement
from slo.services.bundle import import_bundle
from slo.services.clashes import booking_clashes


def visit(start: str, minutes: int = 60, *, officer: str = "PC1000", school: str = "100000", ref: str = "new",
          status: str = "planned") -> Engagement:
    starts = datetime.fromisoformat(start)
    return Engagement(ref=ref, officer=officer, school=school, kind="visit", title="School visit",
                      starts_at=starts, ends_at=starts + timedelta(minutes=minutes), status=status,
                      cancel_reason="other" if status == "cancelled" else None)


def kinds(clashes) -> dict[str, str]:
    return {c.kind: c.message for c in clashes}


def setup(store, bundle):
    bundle["engagements"] += [
        {"ref": "ENG-10", "officer": "PC1000", "school": "100000", "young_person": None, "kind": "visit",
         "title": "School visit", "starts_at": "2026-01-14T13:30", "ends_at": "2026-01-14T15:00",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-11", "officer": "PC1000", "school": "100000", "young_person": "YP-0001", "kind": "one_to_one",
         "title": "Liaison officer: 1:1 session", "starts_at": "2026-01-15T12:15", "ends_at": "2026-01-15T13:30",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-12", "officer": "PC1001", "school": "100001", "young_person": None, "kind": "assembly",
         "title": "Assembly", "starts_at": "2026-01-14T10:00", "ends_at": "2026-01-14T11:00",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-13", "officer": "PC1000", "school": "100000", "young_person": None, "kind": "visit",
         "title": "Cancelled visit", "starts_at": "2026-01-16T10:00", "ends_at": "2026-01-16T11:00",
         "status": "cancelled", "cancel_reason": "school", "abstraction": None, "notes": None},
    ]
    bundle["abstractions"].append(
        {"ref": "ABS-9", "officer": "PC1000", "date_from": "2026-12-25", "date_to": "2026-12-25",
         "portion": "full", "category": "neighbourhood_patrol", "requested_by": "Duty inspector",
         "reason": None, "review_status": "pending", "reviewed_by": None, "reviewed_at": None, "review_note": None})
    bundle["schools"].append(
        {"urn": "100009", "name": "Closed Door School", "phase": "secondary", "local_authority": "Camden",
         "postcode": None, "head_teacher": None, "head_teacher_email": None, "uniform_policy": "no_visits"})
    import_bundle(store, bundle, None)
    return store


def test_a_visit_over_your_own_visit_at_the_same_school(store, small_bundle):
    setup(store, small_bundle)
    found = kinds(booking_clashes(store.db, visit("2026-01-14T13:30", 60), you="PC1000"))
    assert set(found) == {"own_overlap"}
    assert found["own_overlap"] == "Overlaps your visit here, Wed 14 Jan 2026 13:30-15:00 (ENG-10)"


def test_a_session_over_your_own_1_to_1_names_the_young_person_for_you_only(store, small_bundle):
    setup(store, small_bundle)
    mine = kinds(booking_clashes(store.db, visit("2026-01-15T13:00", 30), you="PC1000"))
    assert mine["own_overlap"] == ("Overlaps your 1:1 session with Alex Morgan here, "
                                   "Thu 15 Jan 2026 12:15-13:30 (ENG-11)")
    sergeant = kinds(booking_clashes(store.db, visit("2026-01-15T13:00", 30), you="S100"))
    assert "Alex" not in sergeant["own_overlap"] and "PC1000's 1:1 session here" in sergeant["own_overlap"]


def test_another_officers_engagement_at_the_school(store, small_bundle):
    setup(store, small_bundle)
    found = kinds(booking_clashes(store.db, visit("2026-01-14T10:30", 60, school="100001"), you="PC1000"))
    assert found == {"school_overlap": "The school already has PC1001's assembly ('Assembly') at this school, "
                                       "Wed 14 Jan 2026 10:00-11:00 (ENG-12)"}


def test_christmas_day_at_half_past_eleven_for_ten_hours(store, small_bundle):
    setup(store, small_bundle)
    found = kinds(booking_clashes(store.db, visit("2026-12-25T23:30", 600), you="PC1000"))
    assert found["bank_holiday"] == "A bank holiday: Fri 25 Dec 2026 (Christmas Day), Sat 26 Dec 2026 (Boxing Day)"
    assert found["abstraction"] == "In your abstraction ABS-9: neighbourhood patrol, full day, 2026-12-25"
    assert found["outside_hours"].startswith("Outside school hours (09:00-15:30): it starts at 23:30 and ends")
    assert "weekend" in found  # it runs into Saturday 26 December
    assert "Sat 26 Dec 2026" in found["weekend"]


def test_weekend_absence_and_working_days(store, small_bundle):
    setup(store, small_bundle)
    assert kinds(booking_clashes(store.db, visit("2026-01-17T10:00"), you="PC1000")) == {
        "weekend": "Sat 17 Jan 2026: a weekend, schools are closed"}
    away = kinds(booking_clashes(store.db, visit("2026-02-17T10:00"), you="PC1000"))
    assert away == {"absence": "You are away then: annual leave, 2026-02-16 to 2026-02-20"}
    # PC1001 works Tuesday to Saturday: a Monday is not one of their days
    monday = kinds(booking_clashes(store.db, visit("2026-01-19T10:00", officer="PC1001", school="100001"),
                                   you="PC1001"))
    assert monday == {"not_working": "Mon 19 Jan 2026: not one of PC1001's working days"}


def test_school_policies(store, small_bundle):
    setup(store, small_bundle)
    assert kinds(booking_clashes(store.db, visit("2026-01-14T10:00", school="100009"), you="PC1000")) == {
        "no_visits": "Closed Door School's policy is NO VISITS: agree this with the head teacher first"}
    plain = visit("2026-01-13T10:00", school="100001")
    assert booking_clashes(store.db, plain, in_uniform=False, you="PC1000") == []
    assert kinds(booking_clashes(store.db, plain, in_uniform=True, you="PC1000")) == {
        "uniform": "Southfield Primary accepts officers in plain clothes only: you are down to go in uniform"}


def test_no_clash_for_a_clear_slot_itself_or_a_cancelled_one(store, small_bundle):
    setup(store, small_bundle)
    assert booking_clashes(store.db, visit("2026-01-14T10:00"), you="PC1000") == []
    # moving ENG-10 within its own time does not clash with itself; a cancelled engagement blocks nothing
    assert booking_clashes(store.db, visit("2026-01-14T13:45", 30, ref="ENG-10"), you="PC1000") == []
    assert booking_clashes(store.db, visit("2026-01-16T10:00"), you="PC1000") == []
    assert booking_clashes(store.db, visit("2026-12-25T10:00", status="cancelled"), you="PC1000") == []


def test_outside_the_schools_terms(store, small_bundle):
    setup(store, small_bundle)
    with store.write() as db:
        db.execute("INSERT INTO term_dates (local_authority, term_start, term_end) VALUES "
                   "('Camden', '2026-01-05', '2026-02-13'), ('Camden', '2026-02-23', '2026-03-27')")
    half_term = visit("2026-02-18T10:00", officer="PC1001", school="100001")
    assert kinds(booking_clashes(store.db, half_term, you="PC1001")) == {
        "school_holiday": "Outside the school's terms (Camden term dates): Wed 18 Feb 2026"}
    assert booking_clashes(store.db, visit("2026-02-24T10:00", officer="PC1001", school="100001"),
                           you="PC1001") == []
