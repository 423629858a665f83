"""The history table and its service (slo/services/history.py), on a real SQLite file."""

from __future__ import annotations

import pytest

from slo.services import history


def test_a_correction_keeps_the_earlier_values(store):
    with store.write() as db:
        assert history.record_change(db, "PC1000", "engagements", "ENG-1", None, {"title": "Visit"},
                                     source="desk", at="2026-01-07T09:00:00") == "create"
        assert history.record_change(
            db, "PC1001", "engagements", "ENG-1",
            {"title": "Visit", "starts_at": "2026-01-08T10:00", "notes": None},
            {"title": "Visit", "starts_at": "2026-01-08T11:00", "notes": "bring leaflets"},
            source="desk", at="2026-01-07T10:00:00") == "update"
    entries = history.history_of(store.db, "engagements", "ENG-1")
    assert [(e.operation, e.actor, e.at) for e in entries] == [
        ("create", "PC1000", "2026-01-07T09:00:00"), ("update", "PC1001", "2026-01-07T10:00:00")]
    assert entries[0].changes == ()
    assert entries[1].changes == (history.Change("notes", None, "bring leaflets"),
                                  history.Change("starts_at", "2026-01-08T10:00", "2026-01-08T11:00"))


def test_nothing_changed_writes_nothing_and_writes_need_a_transaction(store):
    with store.write() as db:
        assert history.record_change(db, "PC1000", "engagements", "ENG-1", {"a": 1}, {"a": 1}, source="desk") is None
    assert history.history_of(store.db, "engagements", "ENG-1") == []
    with pytest.raises(RuntimeError):
        history.record_change(store.db, "PC1000", "engagements", "ENG-1", None, {"a": 1}, source="desk")


def test_a_deletion_keeps_the_last_values_and_is_found(store):
    with store.write() as db:
        history.record_change(db, "PC1000", "consultations", "CON-1", None, {"advice": "x"}, source="desk",
                              young_person="YP-1")
        history.record_change(db, "PC1000", "consultations", "CON-1", {"advice": "x", "outcome": "pending",
                                                                         "follow_up_on": None}, None,
                              source="desk", young_person="YP-1")
    gone = history.deleted(store.db, "consultations", "CON-1")
    assert gone is not None and gone.operation == "delete"
    assert {c.field: (c.old, c.new) for c in gone.changes} == {"advice": ("x", None), "outcome": ("pending", None)}
    assert [(e, k) for e, k, _ in history.deletions_about(store.db, "YP-1")] == [("consultations", "CON-1")]
    assert history.deleted(store.db, "consultations", "CON-2") is None


def test_rekey_moves_the_history_with_the_record(store):
    with store.write() as db:
        history.record_change(db, "PC1000", "absences", "PC1000/2026-01-05", None, {"kind": "sick"}, source="desk")
        assert history.rekey(db, "absences", "PC1000/2026-01-05", "PC1000/2026-01-06") == 1
    assert history.history_of(store.db, "absences", "PC1000/2026-01-05") == []
    assert len(history.history_of(store.db, "absences", "PC1000/2026-01-06")) == 1


def test_erasure_removes_their_records_history_and_redacts_the_rest(store):
    with store.write() as db:
        history.record_change(db, "PC1000", "young_people", "YP-1", None, {"given_name": "Alex"}, source="desk",
                              young_person="YP-1")
        history.record_change(db, "PC1000", "young_people", "YP-1", {"given_name": "Alex"},
                              {"given_name": "Alexander"}, source="desk", young_person="YP-1")
        history.record_change(db, "PC1000", "consultations", "CON-1", {"advice": "a"}, {"advice": "b"},
                              source="desk", young_person="YP-1")
        # a session with them: kept as the officer's work record, without the link and the notes
        history.record_change(db, "PC1000", "engagements", "ENG-1",
                              {"young_person": "YP-1", "notes": "met Alex", "title": "Alex 1:1"},
                              {"young_person": "YP-1", "notes": "met Alex again", "title": "1:1 session"},
                              source="desk", young_person="YP-1")
        # another child's consultation whose advice named them, and an unrelated row
        history.record_change(db, "PC1000", "consultations", "CON-2", {"advice": "with Alex Morgan"},
                              {"advice": "with Alex Morgan and Sam"}, source="desk", young_person="YP-2")
        history.record_change(db, "PC1000", "engagements", "ENG-2", {"title": "Assembly"}, {"title": "Year 9"},
                              source="desk")

    def redact(entity: str, key: str, text: str) -> str:
        return text.replace("Alex Morgan", history.ERASED).replace("Alex", history.ERASED)

    with store.write() as db:
        touched = history.erase_young_person(db, "YP-1", redact, dropped_fields={"engagements": ("young_person",
                                                                                                "notes")})
    assert touched == 5  # 3 rows of their records deleted, 2 rewritten
    assert history.history_of(store.db, "young_people", "YP-1") == []
    assert history.history_of(store.db, "consultations", "CON-1") == []
    (session,) = history.history_of(store.db, "engagements", "ENG-1")
    assert session.changes == (history.Change("title", "[erased] 1:1", "1:1 session"),)
    (other,) = history.history_of(store.db, "consultations", "CON-2")
    assert other.changes == (history.Change("advice", "with [erased]", "with [erased] and Sam"),)
    (unrelated,) = history.history_of(store.db, "engagements", "ENG-2")
    assert unrelated.changes == (history.Change("title", "Assembly", "Year 9"),)
    text = " ".join(str(r) for r in store.db.execute("SELECT * FROM history").fetchall())
    assert "Alex" not in text and "YP-1" not in text and "met" not in text
