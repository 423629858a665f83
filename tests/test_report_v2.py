"""What definitions version 2 changed, on a hand-made bundle (tests/helpers/report_v2_bundle.py) whose every
figure is worked out by hand in the comments: the period counted to AS_OF (days, absences, abstractions,
engagements, assignments, consultations and referrals after it count nothing; a FROM after AS_OF is
refused), only schools liaison officers listed (a sergeant's days, absences, abstractions and engagements
are in no team or force sum), officers joining, leaving before and leaving after AS_OF, half days, and
the desk's figures counted to today.

The period P (days of the week, what falls after AS_OF) is drawn in the helper's docstring.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers.report_v2_bundle import AS_OF, FROM, TO, load_v2

from slo.cli.main import main
from slo.reports import build_report, officer_figures
from slo.reports.build import ReportError
from slo.reports.figures import weekly_abstraction_rates
from slo.reports.overview import officer_overview, report_preview, team_overview
from slo.services.actors import load_actor

CATS = ["call_handling", "response", "neighbourhood_patrol", "public_order", "mutual_aid", "custody",
        "investigation_support", "training", "court", "other"]
REASONS = ["abstraction", "officer_unavailable", "school", "young_person", "other"]


@pytest.fixture
def v2store(store):
    return load_v2(store)


def report(store, who="AD", **kw):
    kw.setdefault("as_of", AS_OF)
    return build_report(store, load_actor(store.db, who), FROM, TO, **kw)


def by(rows, key):
    return {r[key]: r for r in rows}


def zeros(keys):
    return {k: 0 for k in keys}


# ---------------------------------------------------------------- the period

def test_period_is_counted_to_as_of(v2store):
    r = report(v2store)
    assert r["definitions_version"] == "2"
    assert r["period"] == {"from": "2026-03-02", "to": "2026-03-29", "counted_to": "2026-03-18"}
    # AS_OF after TO: counted to TO
    late = report(v2store, as_of=date(2026, 5, 1))
    assert late["period"]["counted_to"] == "2026-03-29"
    # AS_OF on FROM: one day
    first = report(v2store, as_of=FROM)
    assert first["period"]["counted_to"] == "2026-03-02"
    # Mon 02: Q1, Q2, Q5 work (1 day each); SG's training course is a sergeant's
    assert first["force"]["pattern_days"] == 3 and first["force"]["absence_days"] == 0


def test_from_after_as_of_is_refused(v2store):
    before = v2store.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    with pytest.raises(ReportError, match="2026-03-02.*2026-03-01"):
        report(v2store, as_of=date(2026, 3, 1))
    assert v2store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == before


def test_cli_as_of_and_refusal(v2store, capsys):
    base = ["--db", str(v2store.path), "--user", "AD", "report", "continuity", "--from", "2026-03-02",
            "--to", "2026-03-29"]
    assert main([*base, "--as-of", "2026-03-18"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"]["counted_to"] == "2026-03-18" and out["force"]["pattern_days"] == 39
    assert main([*base, "--as-of", "2026-03-01"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("slo: error: the period starts (2026-03-02) after")
    assert "Traceback" not in err
    # default AS_OF is today: a period that starts in a year's time has not happened
    next_year = date.today().replace(year=date.today().year + 1, month=1, day=1).isoformat()
    assert main([*base[:6], "--from", next_year, "--to", next_year]) == 1
    assert "after the day it is counted to" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main([*base, "--as-of", "18/03/2026"])
    err = capsys.readouterr().err
    assert usage.value.code == 2 and "argument --as-of:" in err and "'18/03/2026'" in err
    # a day far outside the calendar is a usage error too, never a traceback
    with pytest.raises(SystemExit) as far:
        main([*base, "--as-of", "9999-12-31"])
    assert far.value.code == 2 and "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------- officers

def test_officers_are_slos_in_post_to_as_of(v2store):
    r = report(v2store)
    # SG (sergeant) and AD (admin) are not listed; Q4 joins on Mon 23, after AS_OF
    assert [o["collar_number"] for o in r["officers"]] == ["Q1", "Q2", "Q3", "Q5"]
    o = by(r["officers"], "collar_number")

    q1 = o["Q1"]
    # 13 Mon-Fri days; sick Thu 05 + Fri 06 = 2 (leave Thu 19/Fri 20 is after AS_OF); rostered 11
    assert (q1["pattern_days"], q1["absence_days"], q1["rostered_days"]) == (13, 2, 11)
    # AQ1a half Mon 09, Tue 10, Wed 11 = 1.5; AQ1b full Tue 17, Wed 18 = 2 (Thu 19, Fri 20 after AS_OF);
    # AQ1c Sat 07 not a working day = 0; AQ1d Fri 06 is a sick day = 0; AQ1e after AS_OF = 0 -> 3.5
    assert q1["abstracted_days"] == 3.5
    assert q1["abstracted_days_by_category"] == {**zeros(CATS), "call_handling": 1.5, "public_order": 2}
    assert q1["abstraction_rate"] == pytest.approx(3.5 / 11)
    assert q1["unavailability_rate"] == pytest.approx(2 / 13)
    # pending and overlapping P (02..18): AQ1b, AQ1c; AQ1a accepted, AQ1d challenged, AQ1e after AS_OF
    assert q1["pending_review"] == 2
    # E3 delivered, E5 cancelled (abstraction), E6 planned on AS_OF; E7, E8, E12 after AS_OF
    assert q1["engagements"] == {"total": 3, "delivered": 1, "planned": 1,
                                 "cancelled": {**zeros(REASONS), "abstraction": 1}}
    assert q1["delivery_rate"] == pytest.approx(1 / 2)
    assert q1["abstraction_cancellation_rate"] == pytest.approx(1 / 2)

    q2 = o["Q2"]
    # leaves Wed 11: week 1 (5) + Mon 09, Tue 10, Wed 11 = 8; AQ2 Tue 10, Wed 11 = 2 (12, 13 not in post)
    assert (q2["pattern_days"], q2["absence_days"], q2["rostered_days"], q2["abstracted_days"]) == (8, 0, 8, 2)
    assert q2["abstraction_rate"] == pytest.approx(2 / 8) and q2["pending_review"] == 1
    assert q2["engagements"]["total"] == 2 and q2["delivery_rate"] == pytest.approx(1 / 2)

    q3 = o["Q3"]
    # joins Thu 12, Tue-Sat: Thu 12, Fri 13, Sat 14, Tue 17, Wed 18 = 5; leave Sat 14 = 1; rostered 4;
    # AQ3 half Wed 18 = 0.5
    assert (q3["pattern_days"], q3["absence_days"], q3["rostered_days"], q3["abstracted_days"]) == (5, 1, 4, 0.5)
    assert q3["abstraction_rate"] == pytest.approx(0.5 / 4) and q3["unavailability_rate"] == pytest.approx(1 / 5)
    assert q3["abstracted_days_by_category"]["training"] == 0.5
    assert q3["engagements"]["cancelled"]["officer_unavailable"] == 1 and q3["abstraction_cancellation_rate"] == 0

    q5 = o["Q5"]
    # leaves Fri 20, after AS_OF: 13 days to AS_OF; nothing else
    assert (q5["pattern_days"], q5["rostered_days"], q5["abstracted_days"]) == (13, 13, 0)
    assert q5["abstraction_rate"] == 0 and q5["delivery_rate"] is None


def test_sergeants_days_are_in_no_team_or_force_sum(v2store):
    r = report(v2store)
    t = by(r["teams"], "ref")
    one = t["T1"]
    # Q1 + Q2 only (SG's 10 days, 5 days on a course and 2 abstracted days are not counted):
    # pattern 13 + 8 = 21, absence 2, rostered 19, abstracted 3.5 + 2 = 5.5, pending 2 + 1 = 3
    assert (one["pattern_days"], one["absence_days"], one["rostered_days"], one["abstracted_days"],
            one["pending_review"]) == (21, 2, 19, 5.5, 3)
    assert one["abstraction_rate"] == pytest.approx(5.5 / 19)
    assert one["unavailability_rate"] == pytest.approx(2 / 21)
    assert one["abstracted_days_by_category"] == {**zeros(CATS), "call_handling": 1.5, "public_order": 2,
                                                  "mutual_aid": 2}
    # Q1 3 + Q2 2 engagements (SG's E4 is not counted): delivered E1, E3; planned E6; cancelled E2, E5
    assert one["engagements"] == {"total": 5, "delivered": 2, "planned": 1,
                                  "cancelled": {**zeros(REASONS), "abstraction": 2}}
    assert one["delivery_rate"] == pytest.approx(2 / 4)
    two = t["T2"]
    # Q3 + Q5: pattern 5 + 13 = 18, absence 1, rostered 17, abstracted 0.5, pending 1 (AQ3)
    assert (two["pattern_days"], two["absence_days"], two["rostered_days"], two["abstracted_days"],
            two["pending_review"]) == (18, 1, 17, 0.5, 1)
    f = r["force"]
    # 21 + 18 = 39, absence 3, rostered 36, abstracted 6, pending 4
    assert (f["pattern_days"], f["absence_days"], f["rostered_days"], f["abstracted_days"],
            f["pending_review"]) == (39, 3, 36, 6, 4)
    assert f["abstraction_rate"] == pytest.approx(6 / 36)
    assert f["unavailability_rate"] == pytest.approx(3 / 39)
    # 5 + 2 = 7 engagements; delivered E1 E3 E9; planned E6; cancelled E2 E5 (abstraction), E10 (unavailable)
    assert f["engagements"] == {"total": 7, "delivered": 3, "planned": 1,
                                "cancelled": {**zeros(REASONS), "abstraction": 2, "officer_unavailable": 1}}
    assert f["delivery_rate"] == pytest.approx(3 / 6)
    assert f["abstraction_cancellation_rate"] == pytest.approx(2 / 6)
    # the sergeant's own team report lists the team's SLOs only
    mine = report(v2store, "SG")
    assert mine["scope"] == {"level": "team", "key": "T1"}
    assert [o["collar_number"] for o in mine["officers"]] == ["Q1", "Q2"]
    assert mine["force"]["pattern_days"] == 21


# ---------------------------------------------------------------- schools

def test_schools_counted_to_as_of(v2store):
    r = report(v2store)
    # 200004's only record is an engagement after AS_OF: not listed; 200003 has a consultation in P
    assert [s["urn"] for s in r["schools"]] == ["200001", "200002", "200003"]
    s = by(r["schools"], "urn")

    a = s["200001"]
    # on END (Wed 18) Q1 is assigned (Q5 only from Sat 21)
    assert a["assigned_officer_at_end"] == "Q1"
    # starts in P: Q1 on Thu 12 (Q2's ended Wed 11 but Q1 is another officer) = 1; Q5's Sat 21 is after END
    assert a["officer_changes"] == 1
    assert a["distinct_officers"] == 2 and a["unassigned_days"] == 0
    # Q1 from Thu 12 to Wed 18 = 7
    assert a["tenure_days_at_end"] == 7
    # E1..E6 (E4 the sergeant's counts: a school's engagements are all of them); E7, E8 after AS_OF
    assert a["engagements"] == {"total": 6, "delivered": 3, "planned": 1,
                                "cancelled": {**zeros(REASONS), "abstraction": 2}}
    assert a["delivery_rate"] == pytest.approx(3 / 5)
    assert a["abstraction_cancellation_rate"] == pytest.approx(2 / 5)
    # E1 by Q2 on 03 (assigned), E3 by Q1 on 13 (assigned), E4 by SG (never assigned) -> 2 of 3
    assert a["delivered_by_assigned_share"] == pytest.approx(2 / 3)
    # delivered 03, 13, 16; sequence 01, 03, 13, 16, 19 (END + 1): 1, 9, 2, 2 -> 9
    assert a["longest_gap_days"] == 9
    # K1 on Mon 16 (before); K2 on Thu 19 is after AS_OF
    assert a["consultations"] == {"total": 1, "before_decision": 1, "after_decision": 0}
    assert a["before_decision_rate"] == 1

    b = s["200002"]
    # Q3 from Thu 12: 02..11 unassigned = 10 days; tenure 12..18 = 7; one change
    assert (b["assigned_officer_at_end"], b["officer_changes"], b["distinct_officers"], b["unassigned_days"],
            b["tenure_days_at_end"]) == ("Q3", 1, 1, 10, 7)
    # E9 delivered, E10 cancelled (unavailable); E11 after AS_OF
    assert b["engagements"]["total"] == 2 and b["delivery_rate"] == pytest.approx(1 / 2)
    assert b["abstraction_cancellation_rate"] == 0 and b["delivered_by_assigned_share"] == 1
    # delivered 12; sequence 01, 12, 19: 10, 6 -> 10
    assert b["longest_gap_days"] == 10
    assert b["consultations"] == {"total": 1, "before_decision": 0, "after_decision": 1}
    assert b["before_decision_rate"] == 0

    c = s["200003"]
    # Q4's assignment starts Mon 23, after END: no officer in P
    assert (c["assigned_officer_at_end"], c["officer_changes"], c["distinct_officers"], c["unassigned_days"],
            c["tenure_days_at_end"], c["longest_gap_days"]) == (None, 0, 0, 17, 0, 17)
    assert c["delivery_rate"] is None and c["consultations"]["total"] == 1


def test_assigned_officer_at_end_is_on_to_when_as_of_is_later(v2store):
    s = by(report(v2store, as_of=date(2026, 6, 1))["schools"], "urn")
    # on TO (Sun 29) Q5 is assigned to 200001, from Sat 21: 9 days; Q4 at 200003 from Mon 23: 7 days
    assert (s["200001"]["assigned_officer_at_end"], s["200001"]["tenure_days_at_end"]) == ("Q5", 9)
    assert (s["200003"]["assigned_officer_at_end"], s["200003"]["tenure_days_at_end"]) == ("Q4", 7)
    # Q1 (12th) and Q5 (21st) start in P: 2 changes; 200004 is listed now (E12)
    assert s["200001"]["officer_changes"] == 2 and "200004" in s


# ---------------------------------------------------------------- young people, consultations, months

def test_young_people_counted_to_as_of(v2store):
    r = report(v2store)
    # Y2's only session (E8) is after AS_OF: not listed
    assert [y["ref"] for y in r["young_people"]] == ["Y1", "Y3"]
    y = by(r["young_people"], "ref")
    # Y1: E2 (abstraction), E3 delivered by Q1, E5 (abstraction)
    assert y["Y1"]["sessions"] == {"total": 3, "delivered": 1, "planned": 0,
                                   "cancelled": {**zeros(REASONS), "abstraction": 2}}
    assert y["Y1"]["broken_arrangements"] == 2 and y["Y1"]["same_officer_share"] == 1
    # delivered 13; sequence 01, 13, 19: 11, 5 -> 11
    assert y["Y1"]["longest_gap_days"] == 11
    # Y3: E9 delivered, E10 cancelled (officer unavailable): broken 1; gap 01, 12, 19 -> 10
    assert (y["Y3"]["broken_arrangements"], y["Y3"]["longest_gap_days"]) == (1, 10)


def test_consultations_counted_to_as_of(v2store):
    c = report(v2store)["consultations"]
    # K1, K3, K4 (K2 on Thu 19 after AS_OF): before K1 K4, after K3
    assert (c["total"], c["before_decision"], c["after_decision"]) == (3, 2, 1)
    assert c["by_proposed"]["permanent_exclusion"] == 2 and c["by_proposed"]["suspension"] == 1
    assert {k: v for k, v in c["by_outcome"].items() if v} == {"suspension": 1, "pending": 1, "no_exclusion": 1}
    assert {k: v for k, v in c["by_reason"].items() if v} == {"PA": 1, "DB": 1, "VA": 1, "PP": 1}
    # before, proposing pex, outcome known: K1 (suspension), K4 (no exclusion): both avoided
    assert c["pex_avoided_rate"] == 1
    # Y1 W1, Y3 NS (declined), Y4 none: 1 of 3
    assert c["ethnicity_recorded_rate"] == pytest.approx(1 / 3)
    assert c["ethnicity_missing"] == {"not_asked": 0, "declined": 1, "not_known": 0, "unspecified": 1}
    assert c["by_ethnic_group"]["white"] == {"total": 1, "after_decision": 0, "suspension": 1,
                                             "permanent_exclusion": 0}
    assert c["by_ethnic_group"]["not_stated"] == {"total": 2, "after_decision": 1, "suspension": 0,
                                                  "permanent_exclusion": 0}
    # RF1 on Mon 16; RF2 on Fri 20 is after AS_OF
    assert c["referrals"]["total"] == 1 and c["referrals"]["outcome22"] == 1


def test_months_end_at_as_of(v2store):
    r = report(v2store)
    # March to the 18th: delivered E1 E3 E4 E9; cancelled E2 E5 E10; planned E6 (the force counts E4 too)
    assert r["months"] == [{"month": "2026-03", "delivered": 4, "cancelled": 3, "planned": 1}]
    longer = build_report(v2store, load_actor(v2store.db, "AD"), date(2026, 2, 1), date(2026, 6, 30),
                          as_of=date(2026, 4, 2))
    assert [m["month"] for m in longer["months"]] == ["2026-02", "2026-03", "2026-04"]


def test_evaluation_schools(v2store):
    r = report(v2store, evaluation=True)
    s = by(r["schools"], "urn")
    assert {x["assigned_officer_at_end"] for x in r["schools"]} == {None}
    # 200001: 1 = 1 + 0 -> c, c, 0; 200002: 1 = 0 + 1 -> c, 0, c
    assert s["200001"]["consultations"] == {"total": "c", "before_decision": "c", "after_decision": 0}
    assert s["200002"]["consultations"] == {"total": "c", "before_decision": 0, "after_decision": "c"}
    assert s["200001"]["before_decision_rate"] == "c" == s["200002"]["before_decision_rate"]
    # figures that are not suppressed stay
    assert s["200001"]["tenure_days_at_end"] == 7 and s["200001"]["engagements"]["total"] == 6
    assert r["period"]["counted_to"] == "2026-03-18"


# ---------------------------------------------------------------- the desk's figures

def test_desk_figures_are_counted_to_today(v2store):
    db = v2store.db
    sergeant = load_actor(db, "SG")
    # the team screen's "academic year to date" with today = AS_OF, and a period running past today
    ov = team_overview(db, sergeant, "T1", date(2025, 9, 1), date(2026, 8, 31), as_of=AS_OF, weeks=3)
    assert [o.collar for o in ov.officers] == ["Q1", "Q2"]
    assert ov.date_to == AS_OF
    whole = by(report(v2store, "SG", scope="team:T1")["officers"], "collar_number")
    # Sep 1 .. Mar 18 differs from the report of March only, but the week of AS_OF is counted to AS_OF
    assert ov.total["abstracted_days"] >= whole["Q1"]["abstracted_days"]
    assert ov.officers[0].schools_affected == 1           # Q1: E5 at 200001 (E7/E12 after AS_OF)
    # weekly: weeks of Mon 02, 09, 16; the last counted Mon 16 .. Wed 18 only
    weeks = weekly_abstraction_rates(db, ["Q1", "Q2"], AS_OF, 3, as_of=AS_OF)
    assert [w["week"] for w in weeks] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    # week of 16: Q1 Mon 16, Tue 17, Wed 18 = 3 rostered (Q2 gone); AQ1b Tue 17, Wed 18 = 2
    assert (weeks[-1]["rostered_days"], weeks[-1]["abstracted_days"]) == (3, 2)
    # week of 09: Q1 5 + Q2 3 (Mon-Wed) = 8; AQ1a 1.5 + AQ2 2 = 3.5
    assert (weeks[1]["rostered_days"], weeks[1]["abstracted_days"]) == (8, 3.5)
    # a week that has not started is left out
    assert len(weekly_abstraction_rates(db, ["Q1"], date(2026, 3, 25), 2, as_of=AS_OF)) == 1
    one = officer_overview(db, sergeant, "Q1", FROM, TO, as_of=AS_OF)
    assert one.figures == whole["Q1"] == officer_figures(db, ["Q1"], FROM, TO, as_of=AS_OF)[0]
    # the abstractions listed overlap the counted period: not AQ1e (Mon 23)
    assert sorted(a.ref for a in one.abstractions) == ["AQ1a", "AQ1b", "AQ1c", "AQ1d"]
    # a sergeant has no figures of their own
    assert officer_overview(db, sergeant, "SG", FROM, TO, as_of=AS_OF).figures is None
    preview = report_preview(v2store, sergeant, FROM, TO, as_of=AS_OF)
    assert preview["period"]["counted_to"] == "2026-03-18"
    assert preview["officers"] == mine_officers(v2store)
    # the preview counts the schools and young people the report lists, without their entries
    full = report(v2store, "SG")
    assert preview["schools"] is None and preview["young_people"] is None
    assert preview["counts"] == {"schools": len(full["schools"]), "young_people": len(full["young_people"])}
    assert preview["counts"]["schools"] > 0 and preview["counts"]["young_people"] > 0
    assert officer_figures(db, ["Q1"], date(2026, 3, 19), TO, as_of=AS_OF) == []


def mine_officers(store):
    return report(store, "SG")["officers"]


# ---------------------------------------------------------------- no collar number learnt from a refusal

@pytest.mark.parametrize("who,existing,missing", [
    ("Q3", "officer:Q1", "officer:NOBODY"),     # an SLO asking for another officer
    ("SG", "officer:Q3", "officer:NOBODY"),     # a sergeant asking outside the team
    ("SG", "team:T2", "team:NOTEAM"),
    ("Q3", "team:T1", "team:NOTEAM"),
])
def test_refusals_do_not_say_what_exists(v2store, capsys, who, existing, missing):
    base = ["--db", str(v2store.path), "--user", who, "report", "continuity", "--from", "2026-03-02",
            "--to", "2026-03-29", "--as-of", "2026-03-18", "--scope"]
    assert main([*base, existing]) == 1
    one = capsys.readouterr().err
    assert main([*base, missing]) == 1
    two = capsys.readouterr().err
    # the same line, but for the key typed
    assert one.replace(existing.split(":")[1], "KEY") == two.replace(missing.split(":")[1], "KEY"), (one, two)
    # the audit log holds no text typed that matched nothing
    targets = [json.loads(d)["target"] for (d,) in v2store.db.execute(
        "SELECT detail FROM audit WHERE operation = 'refused'")]
    assert not [t for t in targets if "NOBODY" in t or "NOTEAM" in t]


def test_evaluator_learns_nothing_from_scopes(v2store, capsys):
    base = ["--db", str(v2store.path), "--user", "EVA", "report", "continuity", "--from", "2026-03-02",
            "--to", "2026-03-29", "--as-of", "2026-03-18", "--evaluation", "--scope"]
    lines = []
    for scope in ("officer:Q1", "officer:NOBODY", "team:T1", "team:NOTEAM"):
        assert main([*base, scope]) == 1
        lines.append(capsys.readouterr().err.replace(scope, "SCOPE"))
    assert len(set(lines)) == 1, lines
