"""names_in_text: which of an officer's young people a piece of text names."""

from __future__ import annotations

from slo.models import Consultation, Engagement, YoungPerson
from slo.services.actors import BOOTSTRAP
from slo.services.privacy import names_in_text
from slo.services.records import save


def _yp(store, ref, given, family, school=None):
    save(store, BOOTSTRAP, YoungPerson(ref=ref, given_name=given, family_name=family, school=school))


def test_names_at_assigned_school_are_found(loaded_store):
    db = loaded_store.db
    # YP-0001 Alex Morgan is at 100000, assigned to PC1000
    assert names_in_text(db, "PC1000", "Chat with Alex about football") == ["YP-0001"]
    assert names_in_text(db, "PC1000", "MORGAN family meeting") == ["YP-0001"]
    assert names_in_text(db, "PC1000", "morgan.") == ["YP-0001"]


def test_whole_words_only_and_case_insensitive(loaded_store):
    db = loaded_store.db
    assert names_in_text(db, "PC1000", "Alexander visits") == []
    assert names_in_text(db, "PC1000", "Morganite display") == []
    assert names_in_text(db, "PC1000", "") == []
    assert names_in_text(db, "PC1000", "School visit") == []


def test_other_officers_young_people_are_not_found(loaded_store):
    db = loaded_store.db
    # PC1001 is assigned to 100001 only; Alex is at 100000 and not on PC1001's caseload
    assert names_in_text(db, "PC1001", "Alex Morgan") == []


def test_short_names_are_ignored(loaded_store):
    _yp(loaded_store, "YP-0002", "Al", "Li", "100000")
    assert names_in_text(loaded_store.db, "PC1000", "Al Li at lunch") == []


def test_caseload_by_session_or_consultation(loaded_store):
    # a pupil at a school not assigned to PC1001, but with PC1001's session / consultation
    _yp(loaded_store, "YP-0003", "Jordan", "Blake", "100000")
    _yp(loaded_store, "YP-0004", "Priya", "Kaur-Singh", "100000")
    assert names_in_text(loaded_store.db, "PC1001", "Jordan and Priya") == []
    save(loaded_store, BOOTSTRAP, Engagement(
        ref="ENG-X", officer="PC1001", school="100000", young_person="YP-0003", kind="one_to_one",
        title="1:1", starts_at="2026-03-02T10:00", ends_at="2026-03-02T10:30", status="planned"))
    save(loaded_store, BOOTSTRAP, Consultation(
        ref="CON-X", young_person="YP-0004", school="100000", officer="PC1001", consulted_on="2026-03-02",
        timing="before_decision", proposed="suspension", reasons=["DB"]))
    assert names_in_text(loaded_store.db, "PC1001", "Jordan and Priya") == ["YP-0003", "YP-0004"]
    assert names_in_text(loaded_store.db, "PC1001", "see kaur-singh") == ["YP-0004"]
    assert names_in_text(loaded_store.db, "PC1001", "see Kaur") == []
