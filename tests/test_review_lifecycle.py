"""The review lifecycle of an abstraction: challenge, then upheld or withdrawn; the re-shape that a
withdrawal (and a correction of an abstraction's dates) runs; the sergeant's due list for challenges.

Dates are checked by hand: 2026-03-02 is a Monday; Good Friday 2026 is 3 April, Easter Monday 6 April.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest

from slo.calendars import export_calendars
from slo.models import Engagement, ValidationFailed
from slo.services import abstractions as A
from slo.services import due
from slo.services.actors import BOOTSTRAP, load_actor
from slo.services.engagements import rebook
from slo.services.errors import Conflict, PermissionDenied
from slo.services.records import save

# ref, start, end, young person, kind
SESSIONS = [
    ("E-MON", "2026-03-02T09:30", "2026-03-02T10:30", None, "visit"),
    ("E-TUE", "2026-03-03T11:00", "2026-03-03T11:30", "YP-0001", "one_to_one"),
    ("E-WED", "2026-03-04T09:00", "2026-03-04T10:00", None, "lesson"),
    ("E-THU", "2026-03-05T13:00", "2026-03-05T14:00", "YP-0001", "one_to_one"),
]


def who(store, collar):
    return load_actor(store.db, collar)


def eng(store, ref):
    cur = store.db.execute("SELECT status, cancel_reason, abstraction, sequence FROM engagements WHERE ref = ?", [ref])
    return cur.fetchone()


def abs_row(store, ref):
    cur = store.db.execute("SELECT date_from, date_to, review_status, challenged_to, resolved_on, resolution_note "
                           "FROM abstractions WHERE ref = ?", [ref])
    return cur.fetchone()


def audit_rows(store, since: int):
    return store.db.execute("SELECT operation, entity, key, detail FROM audit WHERE id > ? ORDER BY id",
                            [since]).fetchall()


def last_audit(store) -> int:
    return store.db.execute("SELECT max(id) FROM audit").fetchone()[0]


@pytest.fixture
def st(loaded_store):
    for ref, start, end, yp, kind in SESSIONS:
        save(loaded_store, BOOTSTRAP, Engagement(
            ref=ref, officer="PC1000", school="100000", young_person=yp, kind=kind, title="Liaison officer visit",
            starts_at=start, ends_at=end, status="planned"))
    return loaded_store


def abstract(store, date_from="2026-03-02", date_to="2026-03-05", **kw) -> str:
    data = dict(officer="PC1000", date_from=date_from, date_to=date_to, portion="full",
                category="response", requested_by="Response inspector")
    data.update(kw)
    result = A.record_abstraction(store, who(store, "PC1000"), A.make_abstraction(data))
    return result.abstraction.ref


def challenged(store, **kw) -> str:
    ref = abstract(store, **kw)
    A.review_abstraction(store, who(store, "S100"), ref, accept=False, note="Why an SLO for response?",
                         now=datetime(2026, 3, 2, 8, 0))
    return ref


# ---------------------------------------------------------------- challenge


def test_a_challenge_goes_to_the_requester_by_default_or_to_whom_it_is_sent(st):
    ref = abstract(st)
    A.review_abstraction(st, who(st, "S100"), ref, accept=False, note="Why?")
    assert abs_row(st, ref)[2:4] == ("challenged", "Response inspector")
    A.review_abstraction(st, who(st, "S100"), ref, accept=False, note="Why?", challenged_to="Chief inspector, ops")
    assert abs_row(st, ref)[2:4] == ("challenged", "Chief inspector, ops")
    # accepting drops the challenge and to whom it went
    A.review_abstraction(st, who(st, "S100"), ref, accept=True)
    assert abs_row(st, ref)[2:4] == ("accepted", None)


def test_upheld_keeps_the_abstraction_and_its_cancellations(st):
    ref = challenged(st)
    before = {r: eng(st, r) for r, *_ in SESSIONS}
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=False, note="Inspector: needed on response",
                               now=datetime(2026, 3, 4, 12, 0))
    assert done.status.value == "upheld" and not done.reinstated
    assert abs_row(st, ref) == ("2026-03-02", "2026-03-05", "upheld", "Response inspector", "2026-03-04",
                                "Inspector: needed on response")
    assert {r: eng(st, r) for r, *_ in SESSIONS} == before


# ---------------------------------------------------------------- withdrawn: cut back


def test_withdrawn_cuts_back_to_the_days_that_happened_and_reinstates_the_rest(st):
    ref = challenged(st)
    seq_before = eng(st, "E-WED")[3]
    mark = last_audit(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 4),
                               note="Released after the call", now=datetime(2026, 3, 4, 8, 0))
    # returned Wednesday: the abstraction is Monday and Tuesday now
    assert abs_row(st, ref)[:3] == ("2026-03-02", "2026-03-03", "withdrawn")
    assert done.abstraction is not None and done.abstraction.date_to == date(2026, 3, 3)
    assert [c.ref for c in done.reinstated] == ["E-WED", "E-THU"] and done.to_rebook == []
    assert eng(st, "E-WED") == ("planned", None, None, seq_before + 1)
    assert eng(st, "E-THU")[:3] == ("planned", None, None)
    # the days that happened keep what they cancelled
    assert eng(st, "E-MON")[:3] == ("cancelled", "abstraction", ref)
    assert eng(st, "E-TUE")[:3] == ("cancelled", "abstraction", ref)
    rows = audit_rows(st, mark)
    assert [(op, ent, key) for op, ent, key, _ in rows] == [
        ("update", "abstractions", ref), ("update", "abstractions", ref),
        ("update", "engagements", "E-WED"), ("update", "engagements", "E-THU")]
    assert json.loads(rows[0][3])["review"] == {"from": "challenged", "to": "withdrawn"}
    assert json.loads(rows[1][3])["fields"] == ["date_to"]
    # the audit log never holds the note's text
    assert all("Released" not in (d or "") for *_x, d in rows)


def test_withdrawn_on_the_first_day_removes_it_and_gives_every_session_back(st):
    ref = challenged(st)
    mark = last_audit(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 2),
                               now=datetime(2026, 3, 2, 8, 0))
    assert done.removed and abs_row(st, ref) is None
    assert [c.ref for c in done.reinstated] == ["E-MON", "E-TUE", "E-WED", "E-THU"]
    assert all(eng(st, r)[:3] == ("planned", None, None) for r, *_ in SESSIONS)
    ops = [(op, ent) for op, ent, _k, _d in audit_rows(st, mark)]
    assert ops[0] == ("update", "abstractions") and ops[-1] == ("delete", "abstractions")


def test_returned_on_the_second_day_leaves_one_day(st):
    ref = challenged(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 3),
                               now=datetime(2026, 3, 3, 7, 30))
    assert abs_row(st, ref)[:2] == ("2026-03-02", "2026-03-02")
    assert [c.ref for c in done.reinstated] == ["E-TUE", "E-WED", "E-THU"]


def test_returned_after_the_last_day_cuts_nothing(st):
    ref = challenged(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 9),
                               now=datetime(2026, 3, 9, 9, 0))
    assert abs_row(st, ref)[:3] == ("2026-03-02", "2026-03-05", "withdrawn")
    assert done.reinstated == [] and done.to_rebook == []


def test_withdrawing_a_future_only_abstraction_removes_it(st):
    ref = challenged(st)
    # recorded in February for March; withdrawn on 20 February: no day of it has happened
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, now=datetime(2026, 2, 20, 16, 0))
    assert done.returned_on == date(2026, 2, 20)
    assert done.removed and abs_row(st, ref) is None
    assert len(done.reinstated) == 4


def test_a_session_whose_slot_was_taken_since_is_offered_for_rebooking(st):
    ref = challenged(st)
    # while PC1000 was abstracted, another engagement was booked over Wednesday's lesson
    save(st, BOOTSTRAP, Engagement(ref="E-NEW", officer="PC1000", school="100000", kind="meeting",
                                   title="Safeguarding meeting", starts_at="2026-03-04T09:30",
                                   ends_at="2026-03-04T10:30", status="planned"))
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 4),
                               now=datetime(2026, 3, 3, 17, 0))
    assert [c.ref for c in done.reinstated] == ["E-THU"]
    assert [(n.engagement.ref, n.why) for n in done.to_rebook] == [
        ("E-WED", "PC1000 has E-NEW at that time (09:30-10:30)")]
    # still cancelled, still linked to the (cut back) abstraction that cancelled it
    assert eng(st, "E-WED")[:3] == ("cancelled", "abstraction", ref)
    again = rebook(st, who(st, "S100"), "E-WED", after=datetime(2026, 3, 4, 9, 0))
    assert again.starts_at == datetime(2026, 3, 4, 10, 30)


def test_a_session_whose_time_has_passed_is_not_put_back(st):
    ref = challenged(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 4),
                               now=datetime(2026, 3, 4, 12, 0))
    assert [(n.engagement.ref, n.why) for n in done.to_rebook] == [("E-WED", "its time has passed")]
    assert [c.ref for c in done.reinstated] == ["E-THU"]


def test_when_removed_a_session_left_cancelled_loses_the_link_and_keeps_the_reason(st):
    ref = challenged(st)
    done = A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 2),
                               now=datetime(2026, 3, 2, 10, 0))
    assert done.removed
    assert [n.engagement.ref for n in done.to_rebook] == ["E-MON"]
    assert eng(st, "E-MON")[:3] == ("cancelled", "abstraction", None)


def test_reinstated_sessions_are_back_in_the_head_teachers_calendar(st, tmp_path: Path):
    ref = challenged(st)
    exports = tmp_path / "exports"
    admin = who(st, "A1")
    export_calendars(st, admin, exports, today=date(2026, 3, 1))

    def events():
        path = next((exports / "calendars").glob("100000-*.ics"))
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]): (str(e.get("STATUS")), int(e["SEQUENCE"])) for e in cal.walk("VEVENT")}

    before = events()["E-WED@slo-desk"]
    assert before[0] == "CANCELLED"
    A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 4),
                        now=datetime(2026, 3, 4, 8, 0))
    export_calendars(st, admin, exports, today=date(2026, 3, 1))
    after = events()["E-WED@slo-desk"]
    assert after[0] == "CONFIRMED" and after[1] == before[1] + 1
    assert events()["E-MON@slo-desk"][0] == "CANCELLED"


# ---------------------------------------------------------------- the rules of the lifecycle


def test_only_a_challenge_has_a_result(st):
    ref = abstract(st)
    with pytest.raises(Conflict, match="pending, not challenged"):
        A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=False)
    A.review_abstraction(st, who(st, "S100"), ref, accept=True)
    with pytest.raises(Conflict, match="accepted, not challenged"):
        A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True)
    assert abs_row(st, ref)[2] == "accepted"


def test_upheld_may_be_challenged_again_or_withdrawn_later_and_withdrawn_is_final(st):
    ref = challenged(st)
    A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=False, now=datetime(2026, 3, 3, 9, 0))
    with pytest.raises(Conflict):
        A.review_abstraction(st, who(st, "S100"), ref, accept=True)
    A.review_abstraction(st, who(st, "S100"), ref, accept=False, note="Escalated", challenged_to="Superintendent")
    assert abs_row(st, ref)[2:6] == ("challenged", "Superintendent", None, None)
    A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=False, now=datetime(2026, 3, 3, 10, 0))
    A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 5),
                        now=datetime(2026, 3, 4, 18, 0))
    assert abs_row(st, ref)[:3] == ("2026-03-02", "2026-03-04", "withdrawn")
    for attempt in (lambda: A.review_abstraction(st, who(st, "S100"), ref, accept=False, note="x"),
                    lambda: A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True)):
        with pytest.raises(Conflict, match="withdrawn on 2026-03-04: its review is closed"):
            attempt()


def test_a_return_date_is_only_for_a_withdrawal(st):
    ref = challenged(st)
    with pytest.raises(ValidationFailed):
        A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=False, returned_on=date(2026, 3, 4))
    assert abs_row(st, ref)[2] == "challenged"


@pytest.mark.parametrize("collar", ["PC1000", "S200", "A1", "PC1001"])
def test_only_the_team_sergeant_records_the_result(st, collar):
    ref = challenged(st)
    before = (abs_row(st, ref), {r: eng(st, r) for r, *_ in SESSIONS})
    mark = last_audit(st)
    with pytest.raises(PermissionDenied):
        A.resolve_challenge(st, who(st, collar), ref, withdrawn=True, returned_on=date(2026, 3, 2),
                            now=datetime(2026, 3, 2, 8, 0))
    assert (abs_row(st, ref), {r: eng(st, r) for r, *_ in SESSIONS}) == before
    assert [(op, ent) for op, ent, _k, _d in audit_rows(st, mark)] == [("refused", "permission")]


# ---------------------------------------------------------------- re-shape (for date corrections too)


def test_moving_a_full_day_abstraction_cancels_the_new_days_and_gives_back_the_old(st):
    ref = abstract(st, date_from="2026-03-02", date_to="2026-03-03")
    done = A.reshape_abstraction(st, who(st, "PC1000"), ref, date(2026, 3, 3), date(2026, 3, 4),
                                 now=datetime(2026, 3, 1, 12, 0))
    assert [c.ref for c in done.reinstated] == ["E-MON"]
    assert [c.ref for c in done.cancelled] == ["E-WED"]
    assert eng(st, "E-MON")[:3] == ("planned", None, None)
    assert eng(st, "E-TUE")[:3] == ("cancelled", "abstraction", ref)
    assert eng(st, "E-WED")[:3] == ("cancelled", "abstraction", ref)
    assert abs_row(st, ref)[:2] == ("2026-03-03", "2026-03-04")


def test_reshaping_into_another_abstraction_is_refused_and_changes_nothing(st):
    first = abstract(st, date_from="2026-03-02", date_to="2026-03-02")
    abstract(st, date_from="2026-03-04", date_to="2026-03-04")
    before = {r: eng(st, r) for r, *_ in SESSIONS}
    with pytest.raises(Conflict, match="would overlap their abstraction ABS-20260304-1"):
        A.reshape_abstraction(st, who(st, "PC1000"), first, date(2026, 3, 2), date(2026, 3, 4))
    assert abs_row(st, first)[:2] == ("2026-03-02", "2026-03-02")
    assert {r: eng(st, r) for r, *_ in SESSIONS} == before


def test_reshape_needs_write_permission(st):
    ref = abstract(st)
    with pytest.raises(PermissionDenied):
        A.reshape_abstraction(st, who(st, "PC1001"), ref, date(2026, 3, 2), date(2026, 3, 2))
    assert abs_row(st, ref)[:2] == ("2026-03-02", "2026-03-05")


# ---------------------------------------------------------------- due: 5 working days


@pytest.mark.parametrize("made, due_on", [
    ("2026-03-06T16:00", date(2026, 3, 13)),   # Friday -> the next Friday
    ("2026-04-01T10:00", date(2026, 4, 10)),   # Wednesday before Easter: Good Friday and Easter Monday skipped
    ("2026-03-02T08:00", date(2026, 3, 9)),    # Monday -> the next Monday
])
def test_a_challenge_awaiting_its_result_is_due_five_working_days_later(st, made, due_on):
    assert A.working_days_after(date.fromisoformat(made[:10]), 5) == due_on
    ref = abstract(st)
    A.review_abstraction(st, who(st, "S100"), ref, accept=False, note="Why?",
                         now=datetime.fromisoformat(made))
    sergeant = who(st, "S100")

    def listed(on: date):
        return [i for i in due.due_items(st, sergeant, on, 1) if i.kind == "challenge_result"]

    assert listed(date.fromordinal(due_on.toordinal() - 1)) == []
    [item] = listed(due_on)
    assert (item.ref, item.due_on, item.overdue) == (ref, due_on, False)
    assert "Response inspector" in item.detail
    [late] = listed(date.fromordinal(due_on.toordinal() + 3))
    assert late.overdue
    # once it has its result it leaves the list
    A.resolve_challenge(st, sergeant, ref, withdrawn=False, now=datetime(2026, 4, 20, 9, 0))
    assert listed(due_on) == []
    # the officer sees no sergeant's items
    assert [i for i in due.due_items(st, who(st, "PC1000"), due_on, 1) if i.kind == "challenge_result"] == []


# ---------------------------------------------------------------- the bundle carries the new fields


def test_a_bundle_without_the_new_fields_imports_as_before(store, small_bundle):
    from slo.services import bundle as B

    old = small_bundle["abstractions"][0]
    for name in ("challenged_to", "resolved_on", "resolution_note"):
        del old[name]  # a bundle written before the review lifecycle
    B.import_bundle(store, small_bundle, None)
    out = B.export_bundle(store, who(store, "A1"))
    [written] = out["abstractions"]
    assert {k: written[k] for k in ("challenged_to", "resolved_on", "resolution_note")} == dict.fromkeys(
        ("challenged_to", "resolved_on", "resolution_note"))
    assert {k: v for k, v in written.items() if k in old} == old


def test_challenged_upheld_and_withdrawn_travel_in_the_bundle_identically(store, small_bundle, tmp_path):
    from slo.services import bundle as B
    from slo.store.db import open_store

    base = small_bundle["abstractions"][0]
    small_bundle["abstractions"] = [
        dict(base, ref="ABS-C", date_from="2026-01-06", date_to="2026-01-06", review_status="challenged",
             reviewed_by="S100", reviewed_at="2026-01-07T10:00", review_note="Why?", challenged_to="Ops"),
        dict(base, ref="ABS-U", date_from="2026-01-12", date_to="2026-01-13", review_status="upheld",
             reviewed_by="S100", reviewed_at="2026-01-14T10:00", review_note="Why?", challenged_to="Ops",
             resolved_on="2026-01-20", resolution_note="Needed for the match"),
        dict(base, ref="ABS-W", date_from="2026-01-19", date_to="2026-01-19", review_status="withdrawn",
             reviewed_by="S100", reviewed_at="2026-01-19T08:00", review_note="Why?", challenged_to=None,
             resolved_on="2026-01-19", resolution_note="Back on the 20th"),
    ]
    small_bundle["engagements"][1]["abstraction"] = "ABS-C"
    small_bundle["engagements"][1]["starts_at"] = "2026-01-06T11:00"
    B.import_bundle(store, small_bundle, None)
    first = B.export_bundle(store, who(store, "A1"))
    assert first["abstractions"] == small_bundle["abstractions"]
    other = open_store(tmp_path / "other" / "slo.db")
    try:
        B.import_bundle(other, json.loads(B.dump(first)), None)
        assert B.dump(B.export_bundle(other, who(other, "A1"))) == B.dump(first)
    finally:
        other.close()


def test_a_bundle_with_an_unknown_review_status_is_refused(store, small_bundle):
    from slo.services import bundle as B

    small_bundle["abstractions"][0]["review_status"] = "overturned"
    with pytest.raises(ValidationFailed, match="review_status"):
        B.import_bundle(store, small_bundle, None)


# ---------------------------------------------------------------- the record's history


def test_the_history_keeps_the_challenge_its_result_and_a_removed_abstraction(st):
    from slo.services import history

    ref = challenged(st)
    A.resolve_challenge(st, who(st, "S100"), ref, withdrawn=True, returned_on=date(2026, 3, 2),
                        note="Released", now=datetime(2026, 3, 2, 8, 0))
    entries = history.history_of(st.db, "abstractions", ref)
    # recorded (records.write_record keeps the creation), challenged, its result, removed
    assert [e.operation for e in entries] == ["create", "update", "update", "delete"]
    _, challenge, result, removal = entries
    assert {c.field: (c.old, c.new) for c in challenge.changes}["review_status"] == ("pending", "challenged")
    assert {c.field: (c.old, c.new) for c in result.changes}["resolution_note"] == (None, "Released")
    gone = history.deleted(st.db, "abstractions", ref)
    assert gone is not None and gone.actor == "S100"
    last = {c.field: c.old for c in gone.changes}
    assert (last["review_status"], last["date_to"], last["challenged_to"]) == ("withdrawn", "2026-03-05",
                                                                              "Response inspector")


# ---------------------------------------------------------------- the core a correction calls


def test_reshape_core_for_a_correction_of_portion_and_half_day_sessions(st):
    ref = abstract(st, date_from="2026-03-02", date_to="2026-03-03")
    old = A.get_abstraction(st.db, ref)
    # corrected to a half day on Tuesday only, which took the 1:1 session: Monday's visit comes back
    new = A.Abstraction.model_validate({**old.model_dump(), "portion": "half", "date_from": date(2026, 3, 3)})
    with st.write() as db:
        A._abstraction_row_update(db, new)
        done = A.reshape(db, who(st, "PC1000"), old, new, cancel=["E-TUE"], now=datetime(2026, 3, 1, 9, 0))
    assert [c.ref for c in done.reinstated] == ["E-MON"] and done.cancelled == [] and done.notes == []
    assert eng(st, "E-TUE")[:3] == ("cancelled", "abstraction", ref)
    # and back to a full day over Tuesday and Wednesday: Wednesday's lesson is cancelled, Tuesday's stays
    full = A.Abstraction.model_validate({**new.model_dump(), "portion": "full", "date_to": date(2026, 3, 4)})
    with st.write() as db:
        A._abstraction_row_update(db, full)
        done = A.reshape(db, who(st, "PC1000"), new, full, now=datetime(2026, 3, 1, 9, 0))
    assert [c.ref for c in done.cancelled] == ["E-WED"] and done.reinstated == []


def test_reshape_core_when_the_abstraction_goes_keeps_a_session_rebooked_meanwhile_cancelled(st):
    ref = abstract(st, date_from="2026-03-02", date_to="2026-03-02")
    rebook(st, who(st, "PC1000"), "E-MON", after=datetime(2026, 3, 9, 9, 0))
    old = A.get_abstraction(st.db, ref)
    with st.write() as db:
        done = A.reshape(db, who(st, "A1"), old, None, now=datetime(2026, 3, 1, 9, 0))
        assert done.notes == ["E-MON stays cancelled: it was rebooked as E-MON-R1"]
        db.execute("DELETE FROM abstractions WHERE ref = ?", [ref])  # nothing links to it any more
    assert eng(st, "E-MON")[:3] == ("cancelled", "abstraction", None)
