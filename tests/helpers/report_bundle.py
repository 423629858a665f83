"""The hand-made bundle of the continuity-figure tests (tests/test_report_figures.py and
tests/test_report_v2.py): every expected number there is worked out by hand from this bundle
(the arithmetic is in the comments), never copied from the code's output.

Period P = Mon 2026-01-05 .. Sun 2026-01-18 (14 days).
  Mon 05, Tue 06, Wed 07, Thu 08, Fri 09, Sat 10, Sun 11,
  Mon 12, Tue 13, Wed 14, Thu 15, Fri 16, Sat 17, Sun 18.
Mon-Fri officers have 10 working days in P.
"""

from __future__ import annotations

from datetime import date

FROM, TO = date(2026, 1, 5), date(2026, 1, 18)
MF = ["mon", "tue", "wed", "thu", "fri"]


def _officer(collar, role, team, start, end=None, days=MF):
    return {"collar_number": collar, "name": f"Name of {collar}", "role": role, "team": team,
            "working_days": days, "start_date": start, "end_date": end}


def _school(urn, name):
    return {"urn": urn, "name": name, "phase": "secondary", "local_authority": "Camden", "postcode": None,
            "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"}


def _yp(ref, school, ethnicity, reason):
    return {"ref": ref, "given_name": f"Given{ref[-1]}", "family_name": f"Family{ref[-1]}",
            "date_of_birth": "2012-01-01", "school": school, "year_group": 9, "sex": "unknown",
            "ethnicity": ethnicity, "ethnicity_missing_reason": reason, "sen": "unknown", "fsm": "unknown"}


def _eng(ref, officer, school, starts, status, reason=None, yp=None, kind="visit", abstraction=None):
    hh = int(starts[11:13])
    return {"ref": ref, "officer": officer, "school": school, "young_person": yp,
            "kind": "one_to_one" if yp else kind, "title": "Visit", "starts_at": starts,
            "ends_at": starts[:11] + f"{hh + 1:02d}" + starts[13:], "status": status, "cancel_reason": reason,
            "abstraction": abstraction, "notes": "private note about the pupil"}


def _abs(ref, officer, a, b, portion, category, status="pending"):
    reviewed = status != "pending"
    return {"ref": ref, "officer": officer, "date_from": a, "date_to": b, "portion": portion,
            "category": category, "requested_by": "Duty inspector", "reason": "free text reason",
            "review_status": status, "reviewed_by": "S1" if reviewed else None,
            "reviewed_at": "2026-01-14T09:00" if reviewed else None, "review_note": None}


def _con(ref, yp, school, officer, on, timing, proposed, reasons, outcome, outcome_on=None):
    return {"ref": ref, "young_person": yp, "school": school, "officer": officer, "consulted_on": on,
            "consulted_by": "Deputy head", "timing": timing, "proposed": proposed, "reasons": reasons,
            "suspension_days": None, "risk_factors": None, "advice": "advice text", "outcome": outcome,
            "outcome_on": outcome_on, "follow_up_on": None}


BUNDLE = {
    "format": "slo-bundle/1",
    "teams": [
        {"ref": "T-A", "name": "Team A", "sergeant": "S1"},
        {"ref": "T-B", "name": "Team B", "sergeant": "S2"},
    ],
    "officers": [
        _officer("S1", "sergeant", "T-A", "2020-01-01"),
        _officer("S2", "sergeant", "T-B", "2020-01-01"),
        _officer("A1", "admin", None, "2020-01-01"),
        _officer("P1", "slo", "T-A", "2020-01-01"),
        # joins mid-period, works Tue-Sat (a pattern with a Saturday)
        _officer("P2", "slo", "T-A", "2026-01-12", days=["tue", "wed", "thu", "fri", "sat"]),
        # leaves on Wed 07
        _officer("P3", "slo", "T-B", "2020-01-01", end="2026-01-07"),
        # left before P: not listed
        _officer("P4", "slo", "T-B", "2020-01-01", end="2025-12-31"),
        # starts after P: not listed
        _officer("EV", "evaluator", None, "2026-02-01"),
    ],
    "schools": [
        _school("100001", "Alpha School"),
        _school("100002", "Beta <b>School</b>"),
        _school("100003", '=HYPERLINK("x")'),
        _school("100004", "Delta School"),
    ],
    "assignments": [
        # adjacent same-officer assignments: one unbroken run from 2025-09-01
        {"officer": "P1", "school": "100001", "start_date": "2025-09-01", "end_date": "2026-01-09"},
        {"officer": "P1", "school": "100001", "start_date": "2026-01-10", "end_date": None},
        {"officer": "P3", "school": "100002", "start_date": "2025-09-01", "end_date": "2026-01-07"},
        {"officer": "P2", "school": "100002", "start_date": "2026-01-12", "end_date": None},
        {"officer": "P4", "school": "100004", "start_date": "2025-09-01", "end_date": "2025-12-31"},
    ],
    "young_people": [
        _yp("YP1", "100001", "W1", None),
        _yp("YP2", "100002", "NS", "declined"),   # missing, with a reason
        _yp("YP3", "100001", None, None),         # missing, no reason
        _yp("YP4", "100003", "B2", None),
    ],
    "engagements": [
        _eng("E1", "P1", "100001", "2026-01-07T09:00", "delivered"),
        _eng("E2", "P1", "100001", "2026-01-07T13:00", "delivered", kind="lesson"),   # same day as E1
        _eng("E3", "P1", "100001", "2026-01-05T10:00", "cancelled", "abstraction", yp="YP1", abstraction="AB1"),
        _eng("E4", "P1", "100001", "2026-01-14T10:00", "delivered", yp="YP1"),
        _eng("E5", "P2", "100001", "2026-01-15T10:00", "delivered"),
        _eng("E6", "P1", "100001", "2026-01-16T09:00", "planned", kind="assembly"),
        _eng("E7", "P1", "100001", "2026-01-12T09:00", "cancelled", "school"),
        _eng("E8", "P3", "100002", "2026-01-06T09:00", "cancelled", "officer_unavailable"),
        _eng("E9", "P2", "100002", "2026-01-16T10:00", "cancelled", "young_person", yp="YP2"),
        _eng("E10", "P2", "100002", "2026-01-17T10:00", "planned", yp="YP2"),
        _eng("E11", "P2", "100001", "2026-01-15T14:00", "delivered", yp="YP1"),
        _eng("E12", "P1", "100001", "2026-01-16T11:00", "delivered", yp="YP1"),
        _eng("E13", "P1", "100001", "2026-01-19T09:00", "delivered"),            # after TO
        _eng("E14", "P1", "100001", "2026-01-02T09:00", "delivered"),            # before FROM
    ],
    "absences": [
        {"officer": "P1", "date_from": "2026-01-08", "date_to": "2026-01-09", "kind": "annual_leave"},
    ],
    "abstractions": [
        _abs("AB1", "P1", "2026-01-05", "2026-01-06", "full", "public_order"),
        _abs("AB2", "P1", "2026-01-12", "2026-01-13", "half", "call_handling", "accepted"),
        # Fri 09 is a leave day, Sat 10 not a working day: counts nothing
        _abs("AB3", "P1", "2026-01-09", "2026-01-10", "full", "response"),
        _abs("AB4", "P2", "2026-01-17", "2026-01-17", "half", "mutual_aid"),
        _abs("AB5", "P1", "2026-01-20", "2026-01-21", "full", "court"),             # after P
    ],
    "consultations": [
        _con("C1", "YP1", "100001", "P1", "2026-01-07", "before_decision", "permanent_exclusion",
             ["PA", "OW", "DA"], "suspension", "2026-01-08"),                     # three reasons
        _con("C2", "YP3", "100001", "P1", "2026-01-08", "after_decision", "suspension", ["DB"],
             "suspension", "2026-01-08"),
        _con("C3", "YP2", "100002", "P2", "2026-01-13", "before_decision", "permanent_exclusion", ["VA"], "pending"),
        _con("C4", "YP4", "100003", "P3", "2026-01-06", "before_decision", "permanent_exclusion", ["PA"],
             "permanent_exclusion", "2026-01-07"),
        _con("C5", "YP1", "100001", "P1", "2026-01-15", "before_decision", "suspension", ["PA", "DB"],
             "no_exclusion", "2026-01-16"),
        _con("C6", "YP1", "100001", "P1", "2026-01-20", "before_decision", "suspension", ["TH"], "pending"),
    ],
    "referrals": [
        {"ref": "R1", "young_person": "YP1", "consultation": "C1", "partner": "youth_justice",
         "made_on": "2026-01-09", "status": "completed", "outcome22": True},          # outcome 22
        {"ref": "R2", "young_person": "YP4", "consultation": "C4", "partner": "camhs",
         "made_on": "2026-01-10", "status": "made", "outcome22": None},
        {"ref": "R3", "young_person": "YP1", "consultation": None, "partner": "mentoring",
         "made_on": "2026-01-19", "status": "made", "outcome22": None},              # after TO
    ],
}

AS_OF = date(2026, 6, 1)   # after TO: END = TO
