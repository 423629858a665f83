"""The admin's use cases on a real database: officers (add, edit, leaving date: keys and schools handled),
assignments, and a handover in one transaction with its note for the incoming officer.

Small bundle: PC1000 (team North, Mon-Fri) has Northgate Academy (100000) since 2025-09-01; PC1001 (South,
Tue-Sat) has Southfield Primary (100001). A handover of Northgate to PC1001 on Tue 2026-03-03.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime

import pytest

from slo.models import Assignment, Consultation, Engagement, Officer, ValidationFailed
from slo.services import due, handover, identity, officers
from slo.services.actors import BOOTSTRAP, Actor, load_actor
from slo.services.errors import Conflict, PermissionDenied
from slo.services.queries.admin import officers as officer_list
from slo.services.queries.admin import schools as school_list
from slo.services.queries.handover import handover_note, handovers
from slo.services.records import save

DAY = date(2026, 3, 3)


def who(store, collar="A1"):
    return load_actor(store.db, collar)


def assignments(store, urn):
    return store.db.execute(
        "SELECT officer, start_date, end_date FROM assignments WHERE school = ? ORDER BY start_date", [urn]).fetchall()


def audit_since(store, mark):
    return store.db.execute("SELECT actor, operation, entity, key, detail FROM audit WHERE id > ? ORDER BY id",
                            [mark]).fetchall()


def mark(store):
    return store.db.execute("SELECT max(id) FROM audit").fetchone()[0]


def new_officer(**kw):
    data = dict(collar_number="PC2000", name="PC Dana Wells", role="slo", team="NHT-North", start_date="2026-01-05")
    data.update(kw)
    return Officer(**data)


# ---------------------------------------------------------------- officers


def test_add_and_edit_an_officer(loaded_store):
    st = loaded_store
    officers.add_officer(st, who(st), new_officer())
    with pytest.raises(Conflict, match="PC2000 already exists"):
        officers.add_officer(st, who(st), new_officer(name="Someone else"))
    officers.edit_officer(st, who(st), new_officer(working_days=["mon", "tue", "wed"]))
    row = st.db.execute("SELECT name, working_days FROM officers WHERE collar_number = 'PC2000'").fetchone()
    assert row == ("PC Dana Wells", json.dumps(["mon", "tue", "wed"]))
    with pytest.raises(ValidationFailed, match="team"):
        officers.edit_officer(st, who(st), new_officer(team="NHT-Nowhere"))


@pytest.mark.parametrize("collar", ["PC1000", "S100"])
def test_only_an_admin_manages_officers(loaded_store, collar):
    st = loaded_store
    before = mark(st)
    with pytest.raises(PermissionDenied):
        officers.add_officer(st, who(st, collar), new_officer())
    assert st.db.execute("SELECT 1 FROM officers WHERE collar_number = 'PC2000'").fetchone() is None
    assert [(r[1], r[2]) for r in audit_since(st, before)] == [("refused", "permission")]


def test_a_leaving_date_ends_the_assignments_and_revokes_access_once_passed(loaded_store):
    st = loaded_store
    identity.grant_unix(st, who(st), "PC1000", "nobody")
    save(st, BOOTSTRAP, Engagement(ref="E-LATE", officer="PC1000", school="100000", kind="visit", title="Visit",
                                   starts_at="2026-03-10T09:00", ends_at="2026-03-10T10:00", status="planned"))
    # a leaving date still to come: the assignment ends on it, the key stays until then
    done = officers.set_leaving_date(st, who(st), "PC1000", date(2026, 3, 6), today=date(2026, 3, 2))
    assert assignments(st, "100000") == [("PC1000", "2025-09-01", "2026-03-06")]
    assert done.schools == [("100000", "Northgate Academy")] and done.planned_after == {"100000": 1}
    assert done.revoked == 0
    active = st.db.execute("SELECT COUNT(*) FROM access WHERE officer = 'PC1000' AND revoked_at IS NULL").fetchone()[0]
    assert active >= 1  # the account bound above (and any the fixtures bound) still works until then
    assert any("hand each over" in n for n in done.notes)
    # the same date seen after it has passed: access revoked now
    done = officers.set_leaving_date(st, who(st), "PC1000", date(2026, 3, 6), today=date(2026, 3, 9))
    assert done.revoked == active
    still = st.db.execute("SELECT COUNT(*) FROM access WHERE officer = 'PC1000' AND revoked_at IS NULL").fetchone()
    assert still == (0,)
    assert st.db.execute("SELECT end_date FROM officers WHERE collar_number = 'PC1000'").fetchone() == ("2026-03-06",)


def test_a_leaving_date_before_the_first_day_is_refused(loaded_store):
    with pytest.raises(ValidationFailed, match="before their first day in post"):
        officers.set_leaving_date(loaded_store, who(loaded_store), "PC1000", date(2020, 1, 1))
    assert assignments(loaded_store, "100000") == [("PC1000", "2025-09-01", None)]


def test_assign_a_school_and_refuse_an_overlap_or_a_sergeant(loaded_store):
    st = loaded_store
    officers.add_officer(st, who(st), new_officer())
    officers.end_assignment(st, who(st), "100000", date(2025, 9, 1), date(2026, 2, 27))
    officers.assign(st, who(st), Assignment(officer="PC2000", school="100000", start_date="2026-03-02"))
    assert assignments(st, "100000") == [("PC1000", "2025-09-01", "2026-02-27"), ("PC2000", "2026-03-02", None)]
    with pytest.raises(ValidationFailed, match="overlaps"):
        officers.assign(st, who(st), Assignment(officer="PC1000", school="100000", start_date="2026-04-01"))
    with pytest.raises(ValidationFailed, match="not a schools liaison officer"):
        officers.assign(st, who(st), Assignment(officer="S100", school="100001", start_date="2026-09-01"))


def test_every_school_is_listed_and_those_without_an_officer_are_flagged(loaded_store):
    st = loaded_store
    officers.end_assignment(st, who(st), "100001", date(2025, 9, 1), date(2026, 1, 31))
    listed = school_list(st, who(st), today=date(2026, 3, 2))
    assert [(s.urn, s.officer, s.flag) for s in listed.lines] == [("100000", "PC1000", ""),
                                                                  ("100001", None, "⚠ NO OFFICER")]
    assert (listed.total, listed.unassigned) == (2, 1)
    assert [s.urn for s in school_list(st, who(st), today=date(2026, 3, 2), unassigned_only=True).lines] == ["100001"]
    assert [o.collar for o in officer_list(st, who(st), today=date(2026, 3, 2))][:2] == ["PC1000", "PC1001"]


# ---------------------------------------------------------------- handover


@pytest.fixture
def st(loaded_store):
    """Northgate's open work: planned sessions from the handover day (one clashing for PC1001), a pending
    consultation, a suspension with deadlines, young people seen last term."""
    s = loaded_store
    for ref, start, end, yp, kind in [
        ("E-BEFORE", "2026-03-02T09:00", "2026-03-02T10:00", None, "visit"),       # before the day: stays
        ("E-TUE", "2026-03-03T09:30", "2026-03-03T10:30", None, "assembly"),
        ("E-WED", "2026-03-04T11:00", "2026-03-04T11:30", "YP-0001", "one_to_one"),
        ("E-MON", "2026-03-09T09:00", "2026-03-09T10:00", None, "lesson"),          # Monday: not PC1001's day
        ("E-SEEN", "2026-01-14T09:00", "2026-01-14T09:30", "YP-0001", "one_to_one"),
    ]:
        status = "delivered" if ref == "E-SEEN" else "planned"
        save(s, BOOTSTRAP, Engagement(ref=ref, officer="PC1000", school="100000", young_person=yp, kind=kind,
                                      title="Liaison officer visit", starts_at=start, ends_at=end, status=status))
    save(s, BOOTSTRAP, Consultation(ref="CON-P", young_person="YP-0001", school="100000", officer="PC1000",
                                    consulted_on="2026-02-25", timing="before_decision", proposed="suspension",
                                    reasons=["VA"], follow_up_on="2026-03-05"))
    return s


def test_a_handover_in_one_step(st):
    seq = dict(st.db.execute("SELECT ref, sequence FROM engagements").fetchall())
    before = mark(st)
    done = handover.hand_over(st, who(st), "100000", "PC1001", DAY, cancel=["E-MON"], cancel_reason="other",
                              now=datetime(2026, 3, 2, 16, 0))
    assert assignments(st, "100000") == [("PC1000", "2025-09-01", "2026-03-02"), ("PC1001", "2026-03-03", None)]
    assert (done.moved, done.cancelled) == (["E-TUE", "E-WED"], ["E-MON"])
    rows = dict((r[0], r[1:]) for r in st.db.execute(
        "SELECT ref, officer, status, cancel_reason, sequence FROM engagements").fetchall())
    assert rows["E-TUE"] == ("PC1001", "planned", None, seq["E-TUE"] + 1)
    assert rows["E-WED"][:3] == ("PC1001", "planned", None)
    assert rows["E-MON"][:3] == ("PC1000", "cancelled", "other")
    assert rows["E-BEFORE"][:2] == ("PC1000", "planned")
    saved = st.db.execute("SELECT school, from_officer, to_officer, handover_on, moved, cancelled, made_by "
                          "FROM handovers WHERE id = ?", [done.id]).fetchone()
    assert saved == ("100000", "PC1000", "PC1001", "2026-03-03", 2, 1, "A1")
    log = [(r[1], r[2], r[3]) for r in audit_since(st, before)]
    assert log == [("update", "assignments", "100000/2025-09-01"), ("create", "assignments", "100000/2026-03-03"),
                   ("update", "engagements", "E-TUE"), ("update", "engagements", "E-WED"),
                   ("update", "engagements", "E-MON"), ("create", "handovers", str(done.id))]
    assert json.loads(audit_since(st, before)[-1][4])["moved"] == 2


def test_a_clash_for_the_incoming_officer_must_be_cancelled_and_nothing_is_half_done(st):
    plan = handover.plan_handover(st, who(st), "100000", "PC1001", DAY)
    assert [(e.ref, e.clash) for e in plan.engagements] == [
        ("E-TUE", None), ("E-WED", None), ("E-MON", "Monday is not one of PC1001's working days")]
    before = (assignments(st, "100000"), mark(st))
    with pytest.raises(Conflict, match="E-MON .* cannot move to PC1001: Monday is not one of PC1001's working days"):
        handover.hand_over(st, who(st), "100000", "PC1001", DAY)
    assert (assignments(st, "100000"), mark(st)) == before
    assert st.db.execute("SELECT officer FROM engagements WHERE ref = 'E-TUE'").fetchone() == ("PC1000",)


@pytest.mark.parametrize("incoming, day, words", [
    ("S100", DAY, "not a schools liaison officer"),
    ("PC1000", DAY, "already has the school"),
    ("PC1001", date(2025, 9, 1), "would leave them no day"),
])
def test_handovers_that_make_no_sense_are_refused(st, incoming, day, words):
    with pytest.raises((ValidationFailed, Conflict), match=words):
        handover.hand_over(st, who(st), "100000", incoming, day, cancel=["E-MON"])


def test_only_an_admin_hands_over(st):
    with pytest.raises(PermissionDenied):
        handover.hand_over(st, who(st, "S100"), "100000", "PC1001", DAY, cancel=["E-MON"])
    assert assignments(st, "100000") == [("PC1000", "2025-09-01", None)]


def test_the_note_lists_the_open_items_and_the_incoming_officer_reads_it(st, tmp_path):
    # a suspension at Northgate from Mon 2 March: its deadlines fall after the handover
    save(st, BOOTSTRAP, Consultation(ref="CON-S", young_person="YP-0001", school="100000", officer="PC1000",
                                     consulted_on="2026-02-26", timing="after_decision", proposed="suspension",
                                     reasons=["PA"], outcome="suspension", outcome_on="2026-03-02", suspension_days=10))
    done = handover.hand_over(st, who(st), "100000", "PC1001", DAY, cancel=["E-MON"])
    # the incoming officer: due until read
    incoming = who(st, "PC1001")
    items = [i for i in due.due_items(st, incoming, DAY, 7) if i.kind == "handover_note"]
    assert [(i.ref, i.due_on) for i in items] == [(str(done.id), DAY)]
    assert [h.id for h in handovers(st, incoming)] == [done.id]
    assert handovers(st, who(st, "S200")) == handovers(st, incoming)   # PC1001's sergeant
    assert handovers(st, who(st, "PC1000")) != []                      # the outgoing officer
    before = mark(st)
    note = handover_note(st, incoming, done.id)
    assert (note.head_teacher, note.head_teacher_email, note.uniform_policy) == (
        "Ms A Head", "head@northgate.example", "uniform_welcome")
    assert [c.ref for c in note.consultations] == ["CON-P"] and note.consultations[0].young_person == "Alex Morgan"
    assert [(s.ref, s.young_person) for s in note.sessions] == [("E-TUE", None), ("E-WED", "Alex Morgan")]
    assert {d.title.split(":")[0] for d in note.deadlines} >= {"6th school day of the suspension"}
    # seen since the start of the previous term (1 September 2025): YP-0001 (sessions and consultations)
    assert note.seen_since == date(2025, 9, 1)
    assert [(p.ref, p.how) for p in note.young_people] == [("YP-0001", "a consultation and sessions")]
    assert [(r[0], r[1], r[2], r[3]) for r in audit_since(st, before)] == [
        ("PC1001", "view", "handovers", str(done.id))]
    assert note.read_at is not None
    assert [i for i in due.due_items(st, incoming, DAY, 7) if i.kind == "handover_note"] == []
    # someone else's officer may not read it
    with pytest.raises(PermissionDenied):
        handover_note(st, Actor("PC9", "slo", "NHT-East", "PC Someone"), done.id)
    # printed as markdown: owner-only, audited as a disclosure (start and end), names escaped
    st.db.execute("UPDATE young_people SET given_name = '*Alex*' WHERE ref = 'YP-0001'")
    st.db.conn.commit()
    before = mark(st)
    path = tmp_path / "out" / "handover.md"
    handover.write_note(st, incoming, done.id, str(path))
    text = path.read_text(encoding="utf-8")
    assert "# Handover: Northgate Academy (100000)" in text and "Uniform policy: **Uniform welcome**" in text
    assert "\\*Alex\\* Morgan" in text and "*Alex* Morgan" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    ends = audit_since(st, before)
    assert [(r[1], r[2], json.loads(r[4])["state"]) for r in ends][:1] == [("disclosure", "handovers", "started")]
    assert json.loads(ends[-1][4]).get("young_people") == 1
    assert all("Alex" not in (r[4] or "") for r in ends)
