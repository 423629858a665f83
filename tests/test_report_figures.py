"""Continuity figures (metrics.md version 2) on a small hand-made bundle: every expected number is
worked out by hand from the bundle in tests/helpers/report_bundle.py (the arithmetic is in its
comments and here), never copied from the code's output.
The edges that version 2 added (AS_OF, sergeants' days, the evaluation's schools) are in
test_report_v2.py.

Period P = Mon 2026-01-05 .. Sun 2026-01-18 (14 days).
  Mon 05, Tue 06, Wed 07, Thu 08, Fri 09, Sat 10, Sun 11,
  Mon 12, Tue 13, Wed 14, Thu 15, Fri 16, Sat 17, Sun 18.
Mon-Fri officers have 10 working days in P.
"""

from __future__ import annotations

import pytest
from helpers.report_bundle import AS_OF, FROM, TO

from slo.reports import build_report, officer_figures
from slo.services.actors import load_actor


def force_report(store, **kw):
    kw.setdefault("as_of", AS_OF)
    return build_report(store, load_actor(store.db, "A1"), FROM, TO, **kw)


def by(rows, key):
    return {r[key]: r for r in rows}


def zeros(keys):
    return {k: 0 for k in keys}


CATS = ["call_handling", "response", "neighbourhood_patrol", "public_order", "mutual_aid", "custody",
        "investigation_support", "training", "court", "other"]
REASONS = ["abstraction", "officer_unavailable", "school", "young_person", "other"]


def test_top_level(rstore):
    r = force_report(rstore)
    assert r["definitions_version"] == "2"
    assert r["period"] == {"from": "2026-01-05", "to": "2026-01-18", "counted_to": "2026-01-18"}
    assert r["as_of"] == "2026-06-01"
    assert r["generated_at"]
    assert r["scope"]["level"] == "force"
    for key in ("officers", "teams", "force", "schools", "young_people", "consultations", "notes"):
        assert key in r


def test_officers(rstore):
    r = force_report(rstore)
    # role slo and in post on a day of P: P1, P2, P3 (P4 left 2025-12-31; S1, S2 sergeants, A1 admin and
    # EV evaluator are not schools liaison officers); sorted by key
    assert [o["collar_number"] for o in r["officers"]] == ["P1", "P2", "P3"]
    o = by(r["officers"], "collar_number")

    p1 = o["P1"]
    # Mon-Fri: 10 pattern days; leave Thu 08 + Fri 09 = 2; rostered 10 - 2 = 8
    assert (p1["pattern_days"], p1["absence_days"], p1["rostered_days"]) == (10, 2, 8)
    # AB1 full Mon 05 + Tue 06 = 2; AB2 half Mon 12 + Tue 13 = 0.5 + 0.5 = 1;
    # AB3 Fri 09 is leave (not rostered), Sat 10 not a pattern day: 0  -> 3
    assert p1["abstracted_days"] == 3
    assert p1["abstracted_days_by_category"] == {**zeros(CATS), "public_order": 2, "call_handling": 1}
    assert p1["abstraction_rate"] == pytest.approx(3 / 8)
    assert p1["unavailability_rate"] == pytest.approx(2 / 10)
    # pending and overlapping P: AB1, AB3 (AB2 accepted, AB5 after P)
    assert p1["pending_review"] == 2
    # E1 E2 E4 E12 delivered, E6 planned, E3 cancelled (abstraction), E7 cancelled (school); E13/E14 outside
    assert p1["engagements"] == {"total": 7, "delivered": 4, "planned": 1,
                                 "cancelled": {**zeros(REASONS), "abstraction": 1, "school": 1}}
    assert p1["delivery_rate"] == pytest.approx(4 / 6)
    assert p1["abstraction_cancellation_rate"] == pytest.approx(1 / 6)

    p2 = o["P2"]
    # joins Mon 12; works Tue-Sat: Tue 13, Wed 14, Thu 15, Fri 16, Sat 17 = 5
    assert (p2["pattern_days"], p2["absence_days"], p2["rostered_days"]) == (5, 0, 5)
    # AB4 half on Sat 17 (a working day for P2) = 0.5
    assert p2["abstracted_days"] == 0.5
    assert p2["abstracted_days_by_category"]["mutual_aid"] == 0.5
    assert p2["abstraction_rate"] == pytest.approx(0.5 / 5)
    assert p2["unavailability_rate"] == 0
    assert p2["pending_review"] == 1
    # E5 E11 delivered, E10 planned, E9 cancelled (young person)
    assert p2["engagements"] == {"total": 4, "delivered": 2, "planned": 1,
                                 "cancelled": {**zeros(REASONS), "young_person": 1}}
    assert p2["delivery_rate"] == pytest.approx(2 / 3)
    assert p2["abstraction_cancellation_rate"] == 0

    p3 = o["P3"]
    # leaves Wed 07: Mon 05, Tue 06, Wed 07 = 3
    assert p3["pattern_days"] == 3 and p3["rostered_days"] == 3 and p3["abstracted_days"] == 0
    assert p3["abstraction_rate"] == 0
    assert p3["engagements"]["cancelled"]["officer_unavailable"] == 1
    assert p3["delivery_rate"] == 0  # 0 / (0 + 1)


def test_teams_and_force(rstore):
    r = force_report(rstore)
    t = by(r["teams"], "ref")
    assert sorted(t) == ["T-A", "T-B"]
    a = t["T-A"]
    # P1 + P2 (S1 is a sergeant: not counted): pattern 10 + 5 = 15; absence 2; rostered 8 + 5 = 13;
    # abstracted 3 + 0.5 = 3.5
    assert (a["pattern_days"], a["absence_days"], a["rostered_days"], a["abstracted_days"]) == (15, 2, 13, 3.5)
    assert a["abstraction_rate"] == pytest.approx(3.5 / 13)
    assert a["unavailability_rate"] == pytest.approx(2 / 15)
    assert a["pending_review"] == 3   # 2 + 1
    # engagements 7 + 4 = 11; delivered 4 + 2 = 6; cancelled abstraction 1, school 1, young person 1
    assert a["engagements"]["total"] == 11 and a["engagements"]["delivered"] == 6
    assert a["delivery_rate"] == pytest.approx(6 / 9)
    assert a["abstraction_cancellation_rate"] == pytest.approx(1 / 9)
    assert "collar_number" not in a
    b = t["T-B"]
    # P3 only (S2 a sergeant): pattern 3
    assert b["pattern_days"] == 3 and b["abstracted_days"] == 0
    assert b["delivery_rate"] == 0   # 0 delivered / 1 cancelled

    f = r["force"]
    # P1 10 + P2 5 + P3 3 = 18; absence 2; rostered 16; abstracted 3.5
    assert (f["pattern_days"], f["absence_days"], f["rostered_days"], f["abstracted_days"]) == (18, 2, 16, 3.5)
    assert f["abstraction_rate"] == pytest.approx(3.5 / 16)
    assert f["unavailability_rate"] == pytest.approx(2 / 18)
    assert f["pending_review"] == 3
    # 7 + 4 + 1 = 12 engagements; 6 delivered; cancelled: 1 abstraction, 1 school, 1 young person, 1 unavailable
    assert f["engagements"] == {"total": 12, "delivered": 6, "planned": 2,
                                "cancelled": {"abstraction": 1, "officer_unavailable": 1, "school": 1,
                                              "young_person": 1, "other": 0}}
    assert f["delivery_rate"] == pytest.approx(6 / 10)
    assert f["abstraction_cancellation_rate"] == pytest.approx(1 / 10)


def test_schools(rstore):
    r = force_report(rstore)
    # 100004's only assignment ended before P: not listed
    assert [s["urn"] for s in r["schools"]] == ["100001", "100002", "100003"]
    s = by(r["schools"], "urn")

    a = s["100001"]
    assert a["assigned_officer_at_end"] == "P1"
    # the 2026-01-10 start continues P1's assignment that ended 2026-01-09: not a change
    assert a["officer_changes"] == 0
    assert a["distinct_officers"] == 1
    assert a["unassigned_days"] == 0
    # unbroken run 2025-09-01 .. 2026-01-18: Sep 30 + Oct 31 + Nov 30 + Dec 31 + Jan 18 = 140
    assert a["tenure_days_at_end"] == 140
    # E1 E2 E3 E4 E5 E6 E7 E11 E12 = 9; delivered E1 E2 E4 E5 E11 E12 = 6; planned E6; cancelled E3, E7
    assert a["engagements"] == {"total": 9, "delivered": 6, "planned": 1,
                                "cancelled": {**zeros(REASONS), "abstraction": 1, "school": 1}}
    assert a["delivery_rate"] == pytest.approx(6 / 8)
    assert a["abstraction_cancellation_rate"] == pytest.approx(1 / 8)
    # by the assigned officer P1: E1 E2 E4 E12 = 4 of 6 (E5, E11 by P2)
    assert a["delivered_by_assigned_share"] == pytest.approx(4 / 6)
    # delivered dates 07 (twice), 14, 15, 16; sequence 04, 07, 14, 15, 16, 19:
    # gaps 07-04-1=2, 14-07-1=6, 0, 0, 19-16-1=2 -> 6
    assert a["longest_gap_days"] == 6
    # C1 before, C2 after, C5 before (C6 after TO) -> 3, 2, 1
    assert a["consultations"] == {"total": 3, "before_decision": 2, "after_decision": 1}
    assert a["before_decision_rate"] == pytest.approx(2 / 3)
    assert a["name"] == "Alpha School"

    b = s["100002"]
    assert b["assigned_officer_at_end"] == "P2"
    # P2's start on 12 follows P3's: one change
    assert b["officer_changes"] == 1
    assert b["distinct_officers"] == 2
    # assigned 05-07 (P3) and 12-18 (P2) = 3 + 7 = 10 of 14 -> 4 unassigned (08, 09, 10, 11)
    assert b["unassigned_days"] == 4
    # P2 from 12 to 18 = 7
    assert b["tenure_days_at_end"] == 7
    # no delivered visit: E8 cancelled (unavailable), E9 cancelled (young person), E10 planned
    assert b["engagements"]["delivered"] == 0 and b["engagements"]["total"] == 3
    assert b["delivery_rate"] == 0            # 0 / 2
    assert b["delivered_by_assigned_share"] is None   # 0 / 0
    assert b["longest_gap_days"] == 14        # the whole period
    assert b["consultations"] == {"total": 1, "before_decision": 1, "after_decision": 0}
    assert b["before_decision_rate"] == 1

    c = s["100003"]   # only a consultation
    assert c["assigned_officer_at_end"] is None
    assert (c["officer_changes"], c["distinct_officers"], c["unassigned_days"],
            c["tenure_days_at_end"]) == (0, 0, 14, 0)
    assert c["delivery_rate"] is None and c["longest_gap_days"] == 14
    assert c["consultations"]["total"] == 1


def test_young_people(rstore):
    r = force_report(rstore)
    # with a session starting in P: YP1 (E3 E4 E11 E12), YP2 (E9 E10); YP3/YP4 only consulted
    assert [y["ref"] for y in r["young_people"]] == ["YP1", "YP2"]
    y = by(r["young_people"], "ref")
    one = y["YP1"]
    assert one["sessions"] == {"total": 4, "delivered": 3, "planned": 0,
                               "cancelled": {**zeros(REASONS), "abstraction": 1}}
    assert one["broken_arrangements"] == 1
    # delivered: E4 P1, E11 P2, E12 P1 -> P1 has 2 of 3
    assert one["same_officer_share"] == pytest.approx(2 / 3)
    # dates 14, 15, 16; sequence 04, 14, 15, 16, 19: 14-4-1 = 9, 0, 0, 19-16-1 = 2 -> 9
    assert one["longest_gap_days"] == 9
    assert one["delivery_rate"] == pytest.approx(3 / 4)
    two = y["YP2"]
    assert two["sessions"]["planned"] == 1 and two["sessions"]["cancelled"]["young_person"] == 1
    assert two["broken_arrangements"] == 0      # young person's own cancellation is not broken
    assert two["same_officer_share"] is None    # none delivered
    assert two["longest_gap_days"] == 14


def test_consultations(rstore):
    c = force_report(rstore)["consultations"]
    # C1..C5 in P (C6 after TO); before: C1 C3 C4 C5; after: C2
    assert (c["total"], c["before_decision"], c["after_decision"]) == (5, 4, 1)
    assert c["before_decision_rate"] == pytest.approx(4 / 5)
    assert c["by_proposed"] == {"suspension": 2, "permanent_exclusion": 3, "managed_move": 0,
                                "off_site_direction": 0, "alternative_provision": 0,
                                "internal_measures": 0, "undecided": 0}
    assert c["by_outcome"] == {"pending": 1, "no_exclusion": 1, "internal_measures": 0, "suspension": 2,
                               "permanent_exclusion": 1, "managed_move": 0, "off_site_direction": 0,
                               "alternative_provision": 0, "withdrawn": 0}
    # C1 PA OW DA; C2 DB; C3 VA; C4 PA; C5 PA DB -> PA 3, OW 1, DA 1, DB 2, VA 1
    assert {k: v for k, v in c["by_reason"].items() if v} == {"PA": 3, "OW": 1, "DA": 1, "DB": 2, "VA": 1}
    assert len(c["by_reason"]) == 16
    # before + pex + not pending: C1 (suspension: avoided), C4 (pex) -> 1/2; C3 pending left out
    assert c["pex_avoided_rate"] == pytest.approx(1 / 2)
    # young people YP1 (W1), YP3 (none), YP2 (NS), YP4 (B2): 2 of 4 recorded
    assert c["ethnicity_recorded_rate"] == pytest.approx(2 / 4)
    assert c["ethnicity_missing"] == {"not_asked": 0, "declined": 1, "not_known": 0, "unspecified": 1}
    g = c["by_ethnic_group"]
    # white: C1 (suspension), C5; black: C4 (pex); not stated: C2 (after, suspension), C3
    assert g["white"] == {"total": 2, "after_decision": 0, "suspension": 1, "permanent_exclusion": 0}
    assert g["black"] == {"total": 1, "after_decision": 0, "suspension": 0, "permanent_exclusion": 1}
    assert g["not_stated"] == {"total": 2, "after_decision": 1, "suspension": 1, "permanent_exclusion": 0}
    assert g["mixed"] == g["asian"] == g["other"] == {"total": 0, "after_decision": 0, "suspension": 0,
                                                      "permanent_exclusion": 0}
    # R1 (outcome 22), R2 in P; R3 after TO
    ref = c["referrals"]
    assert ref["total"] == 2 and ref["outcome22"] == 1
    assert ref["by_partner"]["youth_justice"] == 1 and ref["by_partner"]["camhs"] == 1
    assert len(ref["by_partner"]) == 10


def test_officer_figures_agree_with_report(rstore):
    r = force_report(rstore)
    direct = officer_figures(rstore.db, ["P1", "P2", "P4", "S1"], FROM, TO, as_of=AS_OF)
    # P4 is not in post in P; S1 is a sergeant
    assert [o["collar_number"] for o in direct] == ["P1", "P2"]
    o = by(r["officers"], "collar_number")
    assert direct == [o["P1"], o["P2"]]


def test_sergeant_scope_is_their_team(rstore):
    r = build_report(rstore, load_actor(rstore.db, "S1"), FROM, TO, as_of=AS_OF)
    assert r["scope"] == {"level": "team", "key": "T-A"}
    # the sergeant is in the team but not listed
    assert [o["collar_number"] for o in r["officers"]] == ["P1", "P2"]
    assert [t["ref"] for t in r["teams"]] == ["T-A"]
    # force = the team's sums: 15 pattern days
    assert r["force"]["pattern_days"] == 15
    # schools touched by P1/P2: 100001, 100002 (not 100003: P3's consultation)
    assert [s["urn"] for s in r["schools"]] == ["100001", "100002"]
    # consultations logged by P1 (C1 C2 C5) and P2 (C3) = 4; referral R1 (of C1) only
    assert r["consultations"]["total"] == 4
    assert r["consultations"]["referrals"]["total"] == 1


def test_slo_scope_is_own(rstore):
    r = build_report(rstore, load_actor(rstore.db, "P2"), FROM, TO, as_of=AS_OF)
    assert r["scope"] == {"level": "officer", "key": "P2"}
    assert [o["collar_number"] for o in r["officers"]] == ["P2"]
    assert r["force"]["pattern_days"] == 5
    # only C3 is P2's
    assert r["consultations"]["total"] == 1
