"""Who takes our officers: abstracted days by ``requested_by`` (an added key of the report, not a
metrics.md definition), counted exactly as ``abstracted_days``, worked out by hand.

Small bundle, period 2026-01-01 .. 2026-02-28, as of 2026-03-01. PC1000 works Mon-Fri, PC1001 Tue-Sat.
  ABS-1  PC1000 Tue 06 Jan full   "Duty inspector"     1 day; it cancelled ENG-2 (starts 06 Jan)
  ABS-X  PC1000 Mon 12 - Wed 14   "duty  Inspector"    half: 3 x 0.5 = 1.5 (the same requester, spelt otherwise)
  ABS-Y  PC1000 Thu 15 - Fri 16   "Response team"      full: 2
  ABS-Z  PC1001 Sat 17 Jan full   "Response team"      1 (Saturday is one of PC1001's working days)
  ABS-C  PC1000 Mon 16 Feb full   "Control room"       0: PC1000 is on annual leave 16-20 February
Force: Response team 3 days (2 abstractions), Duty inspector 2.5 (2, 1 cancelled), Control room 0 (1).
Team North (PC1000 only): Duty inspector 2.5, Response team 2, Control room 0.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from slo.reports import build_report
from slo.reports.render import write_report
from slo.services.actors import load_actor
from slo.services.bundle import import_bundle

FROM, TO, AS_OF = date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1)


def _abs(ref, officer, a, b, portion, requested_by, category="response"):
    return {"ref": ref, "officer": officer, "date_from": a, "date_to": b, "portion": portion, "category": category,
            "requested_by": requested_by, "reason": None, "review_status": "pending", "reviewed_by": None,
            "reviewed_at": None, "review_note": None}


@pytest.fixture
def st(store, small_bundle):
    small_bundle["abstractions"] += [
        _abs("ABS-X", "PC1000", "2026-01-12", "2026-01-14", "half", "duty  Inspector"),
        _abs("ABS-Y", "PC1000", "2026-01-15", "2026-01-16", "full", "Response team", "mutual_aid"),
        _abs("ABS-Z", "PC1001", "2026-01-17", "2026-01-17", "full", "Response team"),
        _abs("ABS-C", "PC1000", "2026-02-16", "2026-02-16", "full", "Control room", "call_handling"),
    ]
    import_bundle(store, small_bundle, None)
    return store


def rows(report):
    return [(r["requested_by"], r["abstractions"], r["abstracted_days"], r["engagements_cancelled"])
            for r in report["abstracted_days_by_requested_by"]]


def test_force_by_requested_by(st):
    report = build_report(st, load_actor(st.db, "A1"), FROM, TO, as_of=AS_OF)
    assert rows(report) == [("Response team", 2, 3, 0), ("Duty inspector", 2, 2.5, 1), ("Control room", 1, 0, 0)]
    [response] = [r for r in report["abstracted_days_by_requested_by"] if r["requested_by"] == "Response team"]
    assert response["abstracted_days_by_category"]["mutual_aid"] == 2
    assert response["abstracted_days_by_category"]["response"] == 1
    # the same days as the metrics.md figure
    assert sum(r["abstracted_days"] for r in report["abstracted_days_by_requested_by"]) == \
        report["force"]["abstracted_days"]


def test_team_scope_counts_only_its_officers(st):
    report = build_report(st, load_actor(st.db, "S100"), FROM, TO, as_of=AS_OF)
    assert rows(report) == [("Duty inspector", 2, 2.5, 1), ("Response team", 1, 2, 0), ("Control room", 1, 0, 0)]


def test_never_in_the_evaluation_dataset(st):
    report = build_report(st, load_actor(st.db, "A1"), FROM, TO, as_of=AS_OF, evaluation=True)
    assert "abstracted_days_by_requested_by" not in report
    assert "Response team" not in json.dumps(report)


def test_md_and_html_have_the_table(st, tmp_path):
    report = build_report(st, load_actor(st.db, "A1"), FROM, TO, as_of=AS_OF)
    md = write_report(report, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert "Who asked for the officers" in md
    line = next(ln for ln in md.splitlines() if ln.startswith("| Response team"))
    assert "| 2 |" in line and "| 3 |" in line
    html = write_report(report, "html", tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Who asked for the officers" in html and "Response team" in html
    evaluation = build_report(st, load_actor(st.db, "A1"), FROM, TO, as_of=AS_OF, evaluation=True)
    md = write_report(evaluation, "md", tmp_path / "e.md").read_text(encoding="utf-8")
    assert "Who asked for the officers" not in md
