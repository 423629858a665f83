"""Consultations (log, outcome, warnings, permissions, privacy) and referrals (status, outcome 22, history)."""

from __future__ import annotations

from datetime import date

import pytest

from slo.models.entities import Consultation, Referral
from slo.models.rules import ValidationFailed
from slo.services import consultations as C
from slo.services.actors import load_actor
from slo.services.errors import Conflict, NotFound, PermissionDenied

ADVICE = "Secret advice about Alex Morgan's brother"


def d(text: str) -> date:
    return date.fromisoformat(text)


def consultation(ref="CON-9", officer="PC1000", **over) -> Consultation:
    data = dict(ref=ref, young_person="YP-0001", school="100000", officer=officer,
                consulted_on="2026-03-02", consulted_by="Head", timing="before_decision",
                proposed="suspension", reasons=["PA", "DB"], suspension_days=None,
                risk_factors=["county_lines"], advice=ADVICE, follow_up_on="2026-03-09")
    data.update(over)
    return Consultation.model_validate(data)


def audit_rows(db, entity, key):
    return db.execute("SELECT actor, operation, detail FROM audit WHERE entity = ? AND key = ? ORDER BY id",
                      [entity, key]).fetchall()


def test_slo_logs_own_consultation_advice_never_in_audit(loaded_store):
    pc = load_actor(loaded_store.db, "PC1000")
    result = C.log_consultation(loaded_store, pc, consultation())
    assert result.consultation.outcome == "pending" and result.deadlines == []
    stored = C.get_consultation(loaded_store.db, "CON-9")
    assert stored.advice == ADVICE and stored.reasons == ["PA", "DB"] and stored.follow_up_on == d("2026-03-09")
    rows = audit_rows(loaded_store.db, "consultations", "CON-9")
    assert rows[0][:2] == ("PC1000", "create")
    everything = " ".join(str(r) for r in loaded_store.db.execute("SELECT * FROM audit").fetchall())
    assert "Secret" not in everything and "Alex" not in everything and "advice" in rows[0][2]


def test_reasons_one_to_three():
    with pytest.raises(ValueError):
        consultation(reasons=[])
    with pytest.raises(ValueError):
        consultation(reasons=["PA", "DB", "TH", "DM"])


def test_permissions_own_team_not_other_team(loaded_store):
    db = loaded_store.db
    pc = load_actor(db, "PC1000")
    with pytest.raises(PermissionDenied):
        C.log_consultation(loaded_store, pc, consultation("CON-X", officer="PC1001"))
    assert db.execute("SELECT count(*) FROM consultations WHERE ref = 'CON-X'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit WHERE operation = 'refused' AND actor = 'PC1000'").fetchone()[0] == 1
    # the sergeant of PC1000's team may; the other team's may not
    C.log_consultation(loaded_store, load_actor(db, "S100"), consultation("CON-S"))
    with pytest.raises(PermissionDenied):
        C.record_outcome(loaded_store, load_actor(db, "S200"), "CON-S", "no_exclusion", d("2026-03-03"))
    # an SLO cannot take over a colleague's record by editing its officer
    # (an admin records it: YP-0001 is not a young person the other team may see)
    C.log_consultation(loaded_store, load_actor(db, "A1"), consultation("CON-T", officer="PC1001"))
    with pytest.raises(PermissionDenied):
        C.log_consultation(loaded_store, pc, consultation("CON-T", officer="PC1000"))
    assert C.get_consultation(db, "CON-T").officer == "PC1001"


def test_record_outcome_with_exclusion_start_drives_deadlines(loaded_store):
    pc = load_actor(loaded_store.db, "PC1000")
    C.log_consultation(loaded_store, pc, consultation())
    result = C.record_outcome(loaded_store, pc, "CON-9", "permanent_exclusion", d("2026-03-03"),
                              exclusion_start=d("2026-03-04"), follow_up_on=d("2026-03-10"))
    assert result.consultation.outcome_on == d("2026-03-03")
    assert result.consultation.follow_up_on == d("2026-03-10")
    assert C.exclusion_start(loaded_store.db, "CON-9") == d("2026-03-04")
    due = {x.kind: x.due_on for x in result.deadlines}
    assert due == {"provision_day6": d("2026-03-11"), "governors_review": d("2026-03-24")}
    assert all(x.provisional for x in result.deadlines)  # no term dates for Camden
    details = [r[2] for r in audit_rows(loaded_store.db, "consultations", "CON-9")]
    assert any("exclusion_start" in (x or "") for x in details)
    # back to no exclusion: the start is cleared, deadlines gone
    again = C.record_outcome(loaded_store, pc, "CON-9", "no_exclusion", d("2026-03-05"))
    assert again.deadlines == [] and C.exclusion_start(loaded_store.db, "CON-9") is None


def test_record_outcome_refusals(loaded_store):
    pc = load_actor(loaded_store.db, "PC1000")
    C.log_consultation(loaded_store, pc, consultation())
    with pytest.raises(ValidationFailed, match="outcome"):
        C.record_outcome(loaded_store, pc, "CON-9", "expelled", d("2026-03-03"))
    with pytest.raises(ValidationFailed, match="exclusion_start"):
        C.record_outcome(loaded_store, pc, "CON-9", "managed_move", d("2026-03-03"), exclusion_start=d("2026-03-04"))
    with pytest.raises(NotFound):
        C.record_outcome(loaded_store, pc, "NOPE", "no_exclusion", d("2026-03-03"))
    assert C.get_consultation(loaded_store.db, "CON-9").outcome == "pending"
    # back to pending clears outcome_on (outcome_on is required unless pending)
    C.record_outcome(loaded_store, pc, "CON-9", "suspension", d("2026-03-03"), suspension_days=2)
    assert C.record_outcome(loaded_store, pc, "CON-9", "pending", d("2026-03-03")).consultation.outcome_on is None


def test_year_warnings_over_30_and_over_45(loaded_store):
    pc = load_actor(loaded_store.db, "PC1000")
    # CON-1 is a suspension of unknown length from 2026-01-08
    C.record_outcome(loaded_store, pc, "CON-1", "suspension", d("2026-01-08"), suspension_days=20)
    r = C.log_consultation(loaded_store, pc, consultation("CON-A", outcome="suspension", outcome_on="2026-03-03",
                                                          suspension_days=9.5))
    assert r.warnings == []
    r = C.log_consultation(loaded_store, pc, consultation("CON-B", outcome="suspension", outcome_on="2026-04-20",
                                                          suspension_days=5))
    assert len(r.warnings) == 1 and "34.5" in r.warnings[0] and "over 30" in r.warnings[0]
    assert "Alex" not in r.warnings[0] and "YP-0001" in r.warnings[0]
    r = C.record_outcome(loaded_store, pc, "CON-B", "suspension", d("2026-04-20"), suspension_days=16)
    assert "45.5" in r.warnings[0] and "more than the legal maximum" in r.warnings[0]
    assert [x.kind for x in r.deadlines].count("suspension_cap") == 1
    # saved anyway: a warning, never a refusal
    assert C.suspension_days_in_year(loaded_store.db, "YP-0001", d("2026-07-01")) == 45.5
    # the next academic year starts at 0
    assert C.suspension_days_in_year(loaded_store.db, "YP-0001", d("2026-09-01")) == 0


# --------------------------------------------------------------------- referrals


def referral(ref="REF-9", status="made", **over) -> Referral:
    data = dict(ref=ref, young_person="YP-0001", consultation="CON-1", partner="mentoring",
                made_on="2026-01-10", status=status, outcome22=None)
    data.update(over)
    return Referral.model_validate(data)


def test_referral_lifecycle_and_history(loaded_store):
    db = loaded_store.db
    pc = load_actor(db, "PC1000")
    C.add_referral(loaded_store, pc, referral())
    C.set_referral_status(loaded_store, pc, "REF-9", "waiting_list")
    C.set_referral_status(loaded_store, pc, "REF-9", "accepted")
    done = C.set_referral_status(loaded_store, pc, "REF-9", "completed", outcome22=True)
    assert done.status == "completed" and done.outcome22 is True
    history = [(h.old, h.new, h.actor) for h in C.referral_history(db, "REF-9")]
    assert history == [(None, "made", "PC1000"), ("made", "waiting_list", "PC1000"),
                       ("waiting_list", "accepted", "PC1000"), ("accepted", "completed", "PC1000")]
    assert [r.ref for r in C.referrals_of(db, "CON-1")] == ["REF-1", "REF-9"]
    with pytest.raises(Conflict, match="final"):
        C.set_referral_status(loaded_store, pc, "REF-9", "accepted")


@pytest.mark.parametrize("old,new", [("made", "completed"), ("declined", "accepted"), ("accepted", "made"),
                                     ("waiting_list", "completed")])
def test_referral_transitions_refused(loaded_store, old, new):
    pc = load_actor(loaded_store.db, "PC1000")
    C.add_referral(loaded_store, pc, referral(status=old))
    with pytest.raises(Conflict):
        C.set_referral_status(loaded_store, pc, "REF-9", new)
    with pytest.raises(Conflict):
        C.add_referral(loaded_store, pc, referral(status=new))
    assert C.records.get(loaded_store.db, "referrals", "REF-9").status == old


def test_outcome22_only_when_completed(loaded_store):
    pc = load_actor(loaded_store.db, "PC1000")
    with pytest.raises(ValidationFailed, match="outcome22"):
        C.add_referral(loaded_store, pc, referral(status="accepted", outcome22=True))
    C.add_referral(loaded_store, pc, referral(status="accepted"))
    with pytest.raises(ValidationFailed, match="outcome22"):
        C.set_referral_status(loaded_store, pc, "REF-9", "accepted", outcome22=True)
    assert C.set_referral_status(loaded_store, pc, "REF-9", "completed", outcome22=False).outcome22 is False


def test_referral_permissions_and_consistency(loaded_store):
    db = loaded_store.db
    # REF-9 hangs off PC1000's consultation: PC1001 (other team) may not write it
    with pytest.raises(PermissionDenied):
        C.add_referral(loaded_store, load_actor(db, "PC1001"), referral())
    C.add_referral(loaded_store, load_actor(db, "S100"), referral())
    with pytest.raises(PermissionDenied):
        C.set_referral_status(loaded_store, load_actor(db, "S200"), "REF-9", "accepted")
    # no consultation: the officer assigned to the young person's school owns it
    assert C.referral_owner(db, referral("REF-8", consultation=None)) == "PC1000"
    with pytest.raises(ValidationFailed, match="reference|does not exist|names"):
        C.add_referral(loaded_store, load_actor(db, "PC1000"),
                       referral("REF-7", young_person="YP-NONE", consultation=None))
    # no personal data in any referral audit detail
    for _actor, _op, detail in audit_rows(db, "referrals", "REF-9"):
        assert detail is None or ("Alex" not in detail and "Morgan" not in detail)
