"""Absences take away planned work as abstractions do (slo/services/absences.py), on a real database."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from slo.models import Absence, Engagement, ValidationFailed
from slo.services import absences as S
from slo.services.actors import BOOTSTRAP, load_actor
from slo.services.errors import Conflict, PermissionDenied
from slo.services.records import save

# 2026-03-02 is a Monday; "now" is 08:00 that morning
NOW = datetime(2026, 3, 2, 8, 0)
ENGAGEMENTS = [
    # ref, officer, school, young_person, kind, start, end, status
    ("E-1", "PC1000", "100000", None, "visit", "2026-03-02T09:30", "2026-03-02T10:30", "planned"),
    ("E-2", "PC1000", "100000", "YP-0001", "one_to_one", "2026-03-02T11:00", "2026-03-02T11:30", "planned"),
    ("E-3", "PC1000", "100001", None, "assembly", "2026-03-02T13:00", "2026-03-02T14:00", "planned"),
    ("E-D", "PC1000", "100000", None, "lesson", "2026-03-02T15:00", "2026-03-02T15:30", "delivered"),
    ("E-4", "PC1000", "100000", None, "visit", "2026-03-03T09:30", "2026-03-03T10:30", "planned"),
    ("E-5", "PC1000", "100000", None, "visit", "2026-03-04T09:30", "2026-03-04T10:30", "planned"),
    ("E-O", "PC1001", "100001", None, "visit", "2026-03-03T10:00", "2026-03-03T11:00", "planned"),
]


@pytest.fixture
def st(loaded_store):
    for ref, officer, school, yp, kind, start, end, status in ENGAGEMENTS:
        save(loaded_store, BOOTSTRAP, Engagement(
            ref=ref, officer=officer, school=school, young_person=yp, kind=kind,
            title="Liaison officer visit", starts_at=start, ends_at=end, status=status))
    return loaded_store


def pc(store, collar="PC1000"):
    return load_actor(store.db, collar)


def row(store, ref):
    cur = store.db.execute("SELECT * FROM engagements WHERE ref = ?", [ref])
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def status(store, ref):
    r = row(store, ref)
    return r["status"], r["cancel_reason"]


def sick(day_from, day_to, officer="PC1000", kind="sickness"):
    return Absence(officer=officer, date_from=day_from, date_to=day_to, kind=kind)


def audit_rows(store):
    return store.db.execute("SELECT operation, entity, key, detail FROM audit ORDER BY id").fetchall()


def test_recording_yourself_sick_today_cancels_todays_planned_sessions(st):
    before = {ref: row(st, ref)["sequence"] for ref, *_ in ENGAGEMENTS}
    result = S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-02"), now=NOW)
    assert [c.ref for c in result.cancelled] == ["E-1", "E-2", "E-3"]
    for ref in ("E-1", "E-2", "E-3"):
        assert status(st, ref) == ("cancelled", "officer_unavailable")
        assert row(st, ref)["sequence"] == before[ref] + 1  # the school's calendar shows it cancelled
        assert row(st, ref)["abstraction"] is None
    # delivered work, other days and other officers are untouched
    assert status(st, "E-D") == ("delivered", None) and status(st, "E-4") == ("planned", None)
    assert status(st, "E-O") == ("planned", None)
    assert row(st, "E-4")["sequence"] == before["E-4"]
    assert result.let_down == ["YP-0001"]
    assert [n.engagement.ref for n in result.to_rebook] == ["E-1", "E-2", "E-3"]
    assert result.to_rebook[0].why == "PC1000 is away (sickness, 2026-03-02)"
    stored = st.db.execute("SELECT date_to, kind FROM absences WHERE officer = 'PC1000' AND date_from = ?",
                           ["2026-03-02"]).fetchone()
    assert stored == ("2026-03-02", "sickness")


def test_the_audit_log_names_no_young_person(st):
    S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-02"), now=NOW)
    rows = audit_rows(st)
    text = json.dumps(rows)
    assert "Alex" not in text and "Morgan" not in text
    ops = [(op, entity, key) for op, entity, key, _ in rows[-4:]]
    assert ops == [("create", "absences", "PC1000/2026-03-02"), ("update", "engagements", "E-1"),
                   ("update", "engagements", "E-2"), ("update", "engagements", "E-3")]


def test_preview_says_what_it_would_cancel_and_writes_nothing(st):
    audit_before = len(audit_rows(st))
    p = S.preview(st, pc(st), sick("2026-03-02", "2026-03-03"))
    assert [c.ref for c in p.cancels] == ["E-1", "E-2", "E-3", "E-4"]
    assert [c.young_person for c in p.cancels if c.one_to_one] == ["YP-0001"]
    assert p.gives_back == []
    assert status(st, "E-1") == ("planned", None)
    assert len(audit_rows(st)) == audit_before


def test_an_overlapping_absence_is_refused_and_nothing_is_cancelled(st):
    S.record_absence(st, pc(st), sick("2026-03-04", "2026-03-05"), now=NOW)
    audit_before = len(audit_rows(st))
    with pytest.raises(ValidationFailed) as err:
        S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-04"), now=NOW)
    assert "overlaps" in str(err.value)
    assert status(st, "E-1") == ("planned", None)
    assert len(audit_rows(st)) == audit_before
    with pytest.raises(Conflict, match="already has an absence from 2026-03-04"):
        S.record_absence(st, pc(st), sick("2026-03-04", "2026-03-04"), now=NOW)


def test_another_officer_may_not_record_your_absence(st):
    with pytest.raises(PermissionDenied):
        S.record_absence(st, pc(st, "PC1001"), sick("2026-03-02", "2026-03-02"), now=NOW)
    assert status(st, "E-1") == ("planned", None)
    # the officer's sergeant may
    done = S.record_absence(st, pc(st, "S100"), sick("2026-03-02", "2026-03-02"), now=NOW)
    assert len(done.cancelled) == 3


def test_cutting_an_absence_back_reinstates_the_days_given_back(st):
    S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-04"), now=NOW)
    assert status(st, "E-5") == ("cancelled", "officer_unavailable")
    seq = row(st, "E-5")["sequence"]
    p = S.preview(st, pc(st), sick("2026-03-02", "2026-03-03"), replaces="PC1000/2026-03-02")
    assert p.cancels == [] and [c.ref for c in p.gives_back] == ["E-5"]
    result = S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-03"), replaces="PC1000/2026-03-02", now=NOW)
    assert [c.ref for c in result.reinstated] == ["E-5"] and result.cancelled == []
    assert status(st, "E-5") == ("planned", None)
    assert row(st, "E-5")["sequence"] == seq + 1  # un-cancelled on the school's calendar
    assert status(st, "E-4") == ("cancelled", "officer_unavailable")


def test_moving_the_first_day_moves_the_record_and_reworks_both_ends(st):
    S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-03"), now=NOW)
    # back at work on Monday after all, off Tuesday and Wednesday
    result = S.record_absence(st, pc(st), sick("2026-03-03", "2026-03-04"), replaces="PC1000/2026-03-02",
                              now=NOW)
    assert [c.ref for c in result.reinstated] == ["E-1", "E-2", "E-3"]
    assert [c.ref for c in result.cancelled] == ["E-5"]
    assert status(st, "E-4") == ("cancelled", "officer_unavailable")
    keys = st.db.execute("SELECT date_from, date_to FROM absences WHERE officer = 'PC1000' AND date_from >= "
                         "'2026-03-01'").fetchall()
    assert keys == [("2026-03-03", "2026-03-04")]
    hist = st.db.execute("SELECT key, operation FROM history WHERE entity = 'absences' AND key LIKE 'PC1000/2026-03%'"
                         " ORDER BY id").fetchall()
    assert all(k == "PC1000/2026-03-03" for k, _ in hist) and hist[-1][1] == "update"
    op, _, key, detail = audit_rows(st)[-len(result.cancelled) - len(result.reinstated) - 1]
    assert (op, key) == ("update", "PC1000/2026-03-03")
    assert json.loads(detail)["fields"] == ["date_from", "date_to"]


def test_a_session_whose_slot_has_gone_stays_cancelled_to_rebook(st):
    S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-04"), now=NOW)
    # E-5's slot is taken meanwhile by a new visit at the same time
    save(st, BOOTSTRAP, Engagement(ref="E-NEW", officer="PC1000", school="100001", kind="visit", title="Visit",
                                   starts_at="2026-03-04T10:00", ends_at="2026-03-04T11:00", status="planned"))
    result = S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-03"), replaces="PC1000/2026-03-02",
                              now=NOW)
    assert result.reinstated == []
    assert [(n.engagement.ref, n.why) for n in result.not_reinstated] == [
        ("E-5", "PC1000 has E-NEW at that time (10:00-11:00)")]
    assert status(st, "E-5") == ("cancelled", "officer_unavailable")
    assert [n.engagement.ref for n in result.to_rebook] == ["E-5"]


def test_a_session_cancelled_by_an_abstraction_is_not_the_absences(st):
    from slo.models import Abstraction
    from slo.services.abstractions import record_abstraction

    record_abstraction(st, pc(st), Abstraction(ref="new", officer="PC1000", date_from="2026-03-04",
                                               date_to="2026-03-04", portion="full", category="public_order",
                                               requested_by="Duty inspector"))
    result = S.record_absence(st, pc(st), sick("2026-03-03", "2026-03-04"), now=NOW)
    assert [c.ref for c in result.cancelled] == ["E-4"]
    assert any("also in PC1000's abstraction" in w for w in result.warnings)
    S.record_absence(st, pc(st), sick("2026-03-03", "2026-03-03"), replaces="PC1000/2026-03-03", now=NOW)
    assert status(st, "E-5") == ("cancelled", "abstraction")


def test_changing_the_officer_is_refused(st):
    S.record_absence(st, pc(st, "S100"), sick("2026-03-02", "2026-03-02"), now=NOW)
    with pytest.raises(ValidationFailed, match="record an absence for the other officer"):
        S.record_absence(st, BOOTSTRAP, sick("2026-03-02", "2026-03-02", officer="PC1001"),
                         replaces="PC1000/2026-03-02", now=NOW)


def test_moving_the_first_day_onto_another_absence_is_refused_naming_it(st):
    S.record_absence(st, pc(st), sick("2026-03-02", "2026-03-02"), now=NOW)
    S.record_absence(st, pc(st), sick("2026-03-04", "2026-03-04", kind="annual_leave"), now=NOW)
    with pytest.raises(ValidationFailed, match="overlaps the same officer's absence PC1000/2026-03-04"):
        S.record_absence(st, pc(st), sick("2026-03-04", "2026-03-05"), replaces="PC1000/2026-03-02", now=NOW)
    assert status(st, "E-1") == ("cancelled", "officer_unavailable")  # nothing changed
    assert st.db.execute("SELECT count(*) FROM absences WHERE officer = 'PC1000' AND date_from IN "
                         "('2026-03-02', '2026-03-04')").fetchone()[0] == 2
