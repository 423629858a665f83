"""The write use cases behind the desk's forms: refs made inside the write transaction, and the
consultation with the pupil's ethnicity saved in one transaction (both or neither)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from slo.models import Consultation, Engagement, Referral, ValidationFailed, YoungPerson
from slo.services import records, refs
from slo.services.actors import load_actor
from slo.services.consultations import add_referral, log_consultation
from slo.services.engagements import save_engagement
from slo.services.errors import PermissionDenied
from slo.services.young_people import EthnicityAnswer, save_young_person


def _pupil(store, actor) -> YoungPerson:
    """A new pupil of Northgate Academy with no ethnicity recorded (and no reason)."""
    return save_young_person(store, actor, YoungPerson(
        ref=refs.NEW, given_name="Sam", family_name="Rivers", school="100000"))


def _consultation(young_person: str, *, school: str = "100000", ref: str = refs.NEW) -> Consultation:
    return Consultation(
        ref=ref, young_person=young_person, school=school, officer="PC1000", consulted_on=date(2026, 3, 2),
        timing="before_decision", proposed="suspension", reasons=["PA"],
    )


def _audit(store, entity: str, key: str) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT operation FROM audit WHERE entity = ? AND key = ? ORDER BY id", [entity, key]).fetchall()]


def test_new_records_get_their_ref_from_the_service(loaded_store):
    st = loaded_store
    officer = load_actor(st.db, "PC1000")
    pupil = _pupil(st, officer)
    assert re.fullmatch(r"YP-[A-HJ-NP-Z2-9]{6}", pupil.ref)
    assert records.get(st.db, "young_people", pupil.ref) == pupil
    visit = save_engagement(st, officer, Engagement(
        ref=refs.NEW, officer="PC1000", school="100000", kind="visit", title="School visit",
        starts_at=datetime(2026, 3, 4, 10), ends_at=datetime(2026, 3, 4, 11), status="planned"))
    assert re.fullmatch(r"ENG-20260304-[A-HJ-NP-Z2-9]{6}", visit.ref)
    result = log_consultation(st, officer, _consultation(pupil.ref))
    assert re.fullmatch(r"CON-20260302-[A-HJ-NP-Z2-9]{6}", result.consultation.ref)
    referral = add_referral(st, officer, Referral(
        ref=refs.NEW, young_person=pupil.ref, consultation=result.consultation.ref, partner="camhs",
        made_on=date(2026, 3, 5), status="made"))
    assert re.fullmatch(r"REF-20260305-[A-HJ-NP-Z2-9]{6}", referral.ref)
    for entity, key in (("young_people", pupil.ref), ("engagements", visit.ref),
                        ("consultations", result.consultation.ref), ("referrals", referral.ref)):
        assert _audit(st, entity, key)[0] == "create", (entity, key)
    # no record is ever saved under the placeholder
    for table in ("young_people", "engagements", "consultations", "referrals"):
        assert st.db.execute(f"SELECT count(*) FROM {table} WHERE ref = ?", [refs.NEW]).fetchone() == (0,)


def test_a_ref_is_made_inside_the_write_transaction(loaded_store, monkeypatch):
    """The check that a ref is unused runs on the write transaction's connection, so two desks
    saving at once cannot take the same ref."""
    st = loaded_store
    officer = load_actor(st.db, "PC1000")
    seen = []
    real = refs.make_ref

    def spy(db, record):
        seen.append(db.conn.in_transaction)
        return real(db, record)

    monkeypatch.setattr(refs, "make_ref", spy)
    _pupil(st, officer)
    assert seen == [True]


def test_made_refs_skip_refs_already_taken(loaded_store, monkeypatch):
    st = loaded_store
    officer = load_actor(st.db, "PC1000")
    codes = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(refs, "random_code", lambda n=6: next(codes))
    first = _pupil(st, officer)
    second = _pupil(st, officer)
    assert (first.ref, second.ref) == ("YP-AAAAAA", "YP-BBBBBB")


def test_consultation_and_the_pupils_ethnicity_are_one_transaction(loaded_store):
    st = loaded_store
    officer = load_actor(st.db, "PC1000")
    pupil = _pupil(st, officer)
    # the consultation is refused (a school that does not exist): the ethnicity is not saved either
    with pytest.raises(ValidationFailed):
        log_consultation(st, officer, _consultation(pupil.ref, school="999999"),
                         ethnicity=EthnicityAnswer(ethnicity="W1"))
    assert records.get(st.db, "young_people", pupil.ref).ethnicity is None
    assert _audit(st, "young_people", pupil.ref) == ["create"]
    # accepted: both are saved
    result = log_consultation(st, officer, _consultation(pupil.ref), ethnicity=EthnicityAnswer(ethnicity="W1"))
    assert records.get(st.db, "young_people", pupil.ref).ethnicity == "W1"
    assert records.get(st.db, "consultations", result.consultation.ref).young_person == pupil.ref
    assert _audit(st, "young_people", pupil.ref) == ["create", "update"]


def test_a_missing_reason_can_be_given_instead_of_a_code(loaded_store):
    st = loaded_store
    officer = load_actor(st.db, "PC1000")
    pupil = _pupil(st, officer)
    log_consultation(st, officer, _consultation(pupil.ref), ethnicity=EthnicityAnswer(missing_reason="declined"))
    saved = records.get(st.db, "young_people", pupil.ref)
    assert (saved.ethnicity, saved.ethnicity_missing_reason) == (None, "declined")


def test_a_refused_new_record_names_what_was_refused_and_writes_nothing(loaded_store):
    st = loaded_store
    other = load_actor(st.db, "PC1001")  # another team's officer
    count = st.db.execute("SELECT count(*) FROM engagements").fetchone()
    with pytest.raises(PermissionDenied, match="may not .* new engagements"):
        save_engagement(st, other, Engagement(
            ref=refs.NEW, officer="PC1000", school="100000", kind="visit", title="School visit",
            starts_at=datetime(2026, 3, 4, 10), ends_at=datetime(2026, 3, 4, 11), status="planned"))
    assert st.db.execute("SELECT count(*) FROM engagements").fetchone() == count


def test_the_chronology_says_a_1_1_once_and_reasons_with_their_names(loaded_store):
    """A 1:1 read "1:1 session: Liaison officer: 1:1 session at ..." (the school's anonymised title
    after the kind) and a consultation's reasons were bare codes ("PA, OW, DA")."""
    from slo.models.enums import REASON_LABELS
    from slo.services.actors import load_actor
    from slo.services.queries.young_person import young_person

    detail = young_person(loaded_store, load_actor(loaded_store.db, "PC1000"), "YP-0001")
    one_to_one = next(i for i in detail.chronology if i.ref == "ENG-2")
    assert one_to_one.summary.startswith("1:1 session at ") and "Liaison officer" not in one_to_one.summary
    consultation = next(i for i in detail.chronology if i.kind == "consultation")
    assert f"PA {REASON_LABELS['PA']}, OW {REASON_LABELS['OW']}, DA {REASON_LABELS['DA']}" in consultation.summary


def test_a_form_describes_only_a_young_person_the_officer_may_see(loaded_store):
    """A form opened with a young person's ref (a picker value, a palette hit) showed their name and
    school to anyone: another team's officer now gets nobody, their own officer the pupil."""
    from slo.services.actors import load_actor
    from slo.services.queries.forms import engagement_form
    from slo.services.queries.pickers import describe_young_person

    own, other = load_actor(loaded_store.db, "PC1000"), load_actor(loaded_store.db, "PC1001")
    assert describe_young_person(loaded_store, own, "YP-0001").label.startswith("Alex Morgan")
    assert describe_young_person(loaded_store, other, "YP-0001") is None
    assert engagement_form(loaded_store, other, ref=None, school=None, young_person="YP-0001").young_person is None
