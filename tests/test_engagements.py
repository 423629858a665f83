"""Engagement use cases: status changes, the next free slot, rebooking."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from slo.models import Absence, Abstraction, Engagement, ValidationFailed
from slo.services import engagements as E
from slo.services.actors import BOOTSTRAP, load_actor
from slo.services.errors import Conflict, PermissionDenied
from slo.services.records import save

# 2026-03-02 is a Monday; PC1000 works mon-fri, PC1001 tue-sat.


def eng(store, ref, start, end, *, officer="PC1000", school="100000", status="planned", yp=None,
        kind="visit", reason=None):
    save(store, BOOTSTRAP, Engagement(
        ref=ref, officer=officer, school=school, young_person=yp, kind=kind, title="Liaison officer",
        starts_at=start, ends_at=end, status=status, cancel_reason=reason, notes="private" if yp else None,
    ))


def row(store, ref):
    cur = store.db.execute("SELECT * FROM engagements WHERE ref = ?", [ref])
    values = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], values, strict=True)) if values else None


def who(store, collar):
    return load_actor(store.db, collar)


# ---------------------------------------------------------------- set_status


def test_deliver_a_planned_engagement_bumps_sequence_and_audits(loaded_store):
    st = loaded_store
    eng(st, "E1", "2026-03-02T09:00", "2026-03-02T10:00")
    seq = row(st, "E1")["sequence"]
    out = E.set_status(st, who(st, "PC1000"), "E1", "delivered")
    assert out.status.value == "delivered"
    r = row(st, "E1")
    assert r["status"] == "delivered" and r["sequence"] == seq + 1
    last = st.db.execute("SELECT actor, operation, key, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert last[:3] == ("PC1000", "update", "E1") and "status" in json.loads(last[3])["fields"]


def test_cancel_needs_a_reason(loaded_store):
    st = loaded_store
    eng(st, "E1", "2026-03-02T09:00", "2026-03-02T10:00")
    with pytest.raises(ValidationFailed, match="cancel_reason"):
        E.set_status(st, who(st, "PC1000"), "E1", "cancelled")
    assert row(st, "E1")["status"] == "planned"
    E.set_status(st, who(st, "PC1000"), "E1", "cancelled", "school")
    assert (row(st, "E1")["status"], row(st, "E1")["cancel_reason"]) == ("cancelled", "school")


def test_delivered_is_final(loaded_store):
    st = loaded_store
    for status, reason in (("planned", None), ("cancelled", "other")):
        with pytest.raises(Conflict, match="delivered"):
            E.set_status(st, who(st, "PC1000"), "ENG-1", status, reason)
    assert row(st, "ENG-1")["status"] == "delivered"


def test_cancelled_can_be_reinstated_but_not_delivered_directly(loaded_store):
    st = loaded_store
    with pytest.raises(Conflict, match="reinstate"):
        E.set_status(st, who(st, "PC1000"), "ENG-2", "delivered")
    out = E.set_status(st, who(st, "PC1000"), "ENG-2", "planned")
    r = row(st, "ENG-2")
    assert (r["status"], r["cancel_reason"], r["abstraction"]) == ("planned", None, None)
    assert out.abstraction is None


def test_another_teams_officer_may_not_change_status(loaded_store):
    st = loaded_store
    eng(st, "E1", "2026-03-02T09:00", "2026-03-02T10:00")
    with pytest.raises(PermissionDenied):
        E.set_status(st, who(st, "PC1001"), "E1", "delivered")
    assert row(st, "E1")["status"] == "planned"


def test_unknown_status_is_refused(loaded_store):
    with pytest.raises(ValidationFailed, match="status"):
        E.set_status(loaded_store, who(loaded_store, "PC1000"), "ENG-1", "done")


# ---------------------------------------------------------------- next_free_slot


def test_next_free_slot_same_day_when_free(loaded_store):
    slot = E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 2, 0, 0), 60)
    assert slot == (datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 2, 10, 0))


def test_next_free_slot_rounds_up_to_a_quarter_hour(loaded_store):
    slot = E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 2, 10, 7), 30)
    assert slot[0] == datetime(2026, 3, 2, 10, 15)


def test_next_free_slot_skips_weekend(loaded_store):
    slot = E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 7, 9, 0), 60)
    assert slot[0] == datetime(2026, 3, 9, 9, 0)  # Saturday -> Monday


def test_next_free_slot_respects_working_days(loaded_store):
    # PC1001 works tue-sat: Saturday is fine, Sunday and Monday are not
    db = loaded_store.db
    assert E.next_free_slot(db, "PC1001", "100001", datetime(2026, 3, 7, 9, 0), 60)[0] == datetime(2026, 3, 7, 9, 0)
    assert E.next_free_slot(db, "PC1001", "100001", datetime(2026, 3, 8, 9, 0), 60)[0] == datetime(2026, 3, 10, 9, 0)


def test_next_free_slot_skips_too_late_in_the_day(loaded_store):
    slot = E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 2, 15, 0), 60)
    assert slot[0] == datetime(2026, 3, 3, 9, 0)
    # a 30-minute slot starting 15:00 still ends by 15:30
    assert E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 2, 15, 0), 30)[0] == \
        datetime(2026, 3, 2, 15, 0)


def test_next_free_slot_skips_absence_and_abstraction_days(loaded_store):
    st = loaded_store
    save(st, BOOTSTRAP, Absence(officer="PC1000", date_from="2026-03-02", date_to="2026-03-03", kind="sickness"))
    save(st, BOOTSTRAP, Abstraction(ref="ABS-X", officer="PC1000", date_from="2026-03-04", date_to="2026-03-04",
                                    portion="half", category="court", requested_by="CPS"))
    assert E.next_free_slot(st.db, "PC1000", "100000", datetime(2026, 3, 2, 9), 60)[0] == datetime(2026, 3, 5, 9, 0)


def test_next_free_slot_avoids_clashes_with_planned_only(loaded_store):
    st = loaded_store
    eng(st, "B1", "2026-03-02T09:00", "2026-03-02T10:00", school="100001")
    eng(st, "B2", "2026-03-02T09:45", "2026-03-02T11:10")
    eng(st, "C1", "2026-03-02T11:15", "2026-03-02T12:00", status="cancelled", reason="school")
    eng(st, "B3", "2026-03-02T12:00", "2026-03-02T15:30")
    # 11:10 -> 11:15; 11:15-12:00 is free (C1 is cancelled); the next 60 minutes do not fit -> Tuesday
    assert E.next_free_slot(st.db, "PC1000", "100000", datetime(2026, 3, 2), 45)[0] == datetime(2026, 3, 2, 11, 15)
    assert E.next_free_slot(st.db, "PC1000", "100000", datetime(2026, 3, 2), 60)[0] == datetime(2026, 3, 3, 9, 0)
    # another officer's engagements are no clash
    assert E.next_free_slot(st.db, "PC1001", "100001", datetime(2026, 3, 3), 60)[0] == datetime(2026, 3, 3, 9, 0)


def test_next_free_slot_too_long_is_refused(loaded_store):
    with pytest.raises(Conflict):
        E.next_free_slot(loaded_store.db, "PC1000", "100000", datetime(2026, 3, 2), 7 * 60)


# ---------------------------------------------------------------- rebook


def test_rebook_creates_the_next_free_slot_linked_and_audited(loaded_store):
    st = loaded_store
    # ENG-2: cancelled 1:1 on Tue 2026-01-06 11:00-11:30 (abstraction ABS-1 that day)
    eng(st, "B1", "2026-01-07T09:00", "2026-01-07T12:00")
    new = E.rebook(st, who(st, "PC1000"), "ENG-2", after=datetime(2026, 1, 6, 11, 0))
    # the 6th is an abstraction day; the 7th is busy until 12:00
    assert (new.starts_at, new.ends_at) == (datetime(2026, 1, 7, 12, 0), datetime(2026, 1, 7, 12, 30))
    r = row(st, new.ref)
    assert new.ref == "ENG-2-R1"
    assert (r["status"], r["school"], r["kind"], r["young_person"], r["title"], r["rebooked_from"]) == (
        "planned", "100000", "one_to_one", "YP-0001", "Liaison officer: 1:1 session", "ENG-2")
    assert r["notes"] is None and r["sequence"] == 0
    last = st.db.execute("SELECT actor, operation, key, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert last[:3] == ("PC1000", "create", "ENG-2-R1") and json.loads(last[3])["rebooked_from"] == "ENG-2"


def test_rebook_default_starts_after_the_cancelled_day(loaded_store):
    st = loaded_store
    eng(st, "C1", "2030-03-04T09:00", "2030-03-04T10:00", status="cancelled", reason="school")  # a Monday
    new = E.rebook(st, who(st, "PC1000"), "C1")
    assert new.starts_at == datetime(2030, 3, 5, 9, 0)


def test_rebook_only_cancelled_and_only_once(loaded_store):
    st = loaded_store
    with pytest.raises(Conflict, match="only a cancelled"):
        E.rebook(st, who(st, "PC1000"), "ENG-1")
    E.rebook(st, who(st, "PC1000"), "ENG-2", after=datetime(2026, 1, 7))
    n = st.db.execute("SELECT count(*) FROM engagements").fetchone()[0]
    with pytest.raises(Conflict, match="already rebooked as ENG-2-R1"):
        E.rebook(st, who(st, "PC1000"), "ENG-2", after=datetime(2026, 1, 7))
    assert st.db.execute("SELECT count(*) FROM engagements").fetchone()[0] == n


def test_rebook_needs_permission(loaded_store):
    st = loaded_store
    with pytest.raises(PermissionDenied):
        E.rebook(st, who(st, "PC1001"), "ENG-2", after=datetime(2026, 1, 7))
    assert row(st, "ENG-2-R1") is None


def test_rebook_skips_weekend_non_working_days_and_absence(loaded_store):
    st = loaded_store
    # PC1001 works tue-sat. Cancelled on Sat 2026-03-07; Sun and Mon are not working days;
    # Tue-Wed 10-11 March are annual leave; Thu 12th is busy 09:00-15:00.
    eng(st, "C9", "2026-03-07T10:00", "2026-03-07T11:00", officer="PC1001", school="100001",
        status="cancelled", reason="officer_unavailable")
    save(st, BOOTSTRAP, Absence(officer="PC1001", date_from="2026-03-10", date_to="2026-03-11", kind="annual_leave"))
    eng(st, "B9", "2026-03-12T09:00", "2026-03-12T15:00", officer="PC1001", school="100001")
    new = E.rebook(st, who(st, "S200"), "C9", after=datetime(2026, 3, 8))
    assert (new.starts_at, new.ends_at) == (datetime(2026, 3, 13, 9, 0), datetime(2026, 3, 13, 10, 0))
    assert row(st, new.ref)["rebooked_from"] == "C9"
