"""Retention reviews: when they fall due, who sees them in `slo due`, and the review_on override."""

from __future__ import annotations

import json
from datetime import date

from slo.cli.main import main
from slo.services import retention


def test_review_falls_six_years_after_the_last_record(loaded_store):
    # last record about YP-0001: referral made 2026-01-09 (later than the consultation's outcome 2026-01-08)
    assert retention.reviews_due(loaded_store.db, date(2032, 1, 8)) == []
    due = retention.reviews_due(loaded_store.db, date(2032, 1, 9))
    assert [(r.ref, r.review_on, r.last_record) for r in due] == [
        ("YP-0001", date(2032, 1, 9), date(2026, 1, 9))
    ]


def test_retention_years_is_configurable_and_review_on_overrides(loaded_store):
    with loaded_store.write() as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('retention_years', '3')")
    assert [r.review_on for r in retention.reviews_due(loaded_store.db, date(2029, 1, 9))] == [date(2029, 1, 9)]
    with loaded_store.write() as db:
        db.execute("UPDATE young_people SET review_on = '2030-06-01' WHERE ref = 'YP-0001'")
    assert retention.reviews_due(loaded_store.db, date(2029, 1, 9)) == []
    assert [r.review_on for r in retention.reviews_due(loaded_store.db, date(2030, 6, 1))] == [date(2030, 6, 1)]


def test_admin_sees_reviews_in_due_and_an_slo_does_not(loaded_store, capsys):
    path = str(loaded_store.path)
    assert main(["--db", path, "--user", "A1", "due", "--on", "2032-01-05", "--days", "7", "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    reviews = [i for i in items if i["kind"] == "retention_review"]
    assert [(i["ref"], i["due_on"]) for i in reviews] == [("YP-0001", "2032-01-09")]
    assert "Morgan" not in json.dumps(items)
    assert main(["--db", path, "--user", "PC1000", "due", "--on", "2032-01-05", "--days", "7", "--format", "json"]) == 0
    assert not [i for i in json.loads(capsys.readouterr().out) if i["kind"] == "retention_review"]
