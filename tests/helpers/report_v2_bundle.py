"""The hand-made bundle of the definitions-version-2 report tests (tests/test_report_v2.py, and the
readable report and data package tests that build on it): every expected number there is worked
out by hand from this bundle.

P asked: FROM Mon 2026-03-02 .. TO Sun 2026-03-29; AS_OF Wed 2026-03-18, so END = 18 and P = 02..18.
  week 1: Mon 02 Tue 03 Wed 04 Thu 05 Fri 06 Sat 07 Sun 08
  week 2: Mon 09 Tue 10 Wed 11 Thu 12 Fri 13 Sat 14 Sun 15
  week 3: Mon 16 Tue 17 Wed 18 | Thu 19 Fri 20 Sat 21 Sun 22 (after AS_OF)
  week 4: Mon 23 .. Sun 29 (after AS_OF)
Mon-Fri days in P: 5 + 5 + 3 = 13. Days in P: 17.
"""

from __future__ import annotations

import copy
from datetime import date

from helpers.identity import bind_current_account
from helpers.report_bundle import _abs as _abs1
from helpers.report_bundle import _con, _eng, _officer, _school, _yp
from slo.services.bundle import import_bundle

FROM, TO, AS_OF = date(2026, 3, 2), date(2026, 3, 29), date(2026, 3, 18)
TUE_SAT = ["tue", "wed", "thu", "fri", "sat"]


def _abs(*args, **kw):
    """An abstraction as test_report_figures makes them, reviewed (if at all) by this bundle's sergeant."""
    a = _abs1(*args)
    return {**a, "reviewed_by": "SG" if a["reviewed_by"] else None, **kw}


def _absence(officer, a, b, kind):
    return {"officer": officer, "date_from": a, "date_to": b, "kind": kind}


BUNDLE = {
    "format": "slo-bundle/1",
    "teams": [{"ref": "T1", "name": "Team One", "sergeant": "SG"}, {"ref": "T2", "name": "Team Two", "sergeant": None}],
    "officers": [
        _officer("AD", "admin", None, "2020-01-01"),
        _officer("EVA", "evaluator", None, "2020-01-01"),
        _officer("SG", "sergeant", "T1", "2020-01-01"),
        _officer("Q1", "slo", "T1", "2020-01-01"),
        _officer("Q2", "slo", "T1", "2020-01-01", end="2026-03-11"),       # leaves Wed 11, inside P
        _officer("Q3", "slo", "T2", "2026-03-12", days=TUE_SAT),           # joins Thu 12, works Tue-Sat
        _officer("Q4", "slo", "T2", "2026-03-23"),                         # joins after AS_OF: not listed
        _officer("Q5", "slo", "T2", "2020-01-01", end="2026-03-20"),       # leaves Fri 20, after AS_OF
    ],
    "schools": [_school("200001", "Alder School"), _school("200002", "Birch School"),
                _school("200003", "Cedar School"), _school("200004", "Damson School")],
    "assignments": [
        {"officer": "Q2", "school": "200001", "start_date": "2025-09-01", "end_date": "2026-03-11"},
        {"officer": "Q1", "school": "200001", "start_date": "2026-03-12", "end_date": "2026-03-20"},
        {"officer": "Q5", "school": "200001", "start_date": "2026-03-21", "end_date": None},   # after AS_OF
        {"officer": "Q3", "school": "200002", "start_date": "2026-03-12", "end_date": None},
        {"officer": "Q4", "school": "200003", "start_date": "2026-03-23", "end_date": None},   # after AS_OF
    ],
    "young_people": [_yp("Y1", "200001", "W1", None), _yp("Y2", "200001", "A1", None),
                     _yp("Y3", "200002", "NS", "declined"), _yp("Y4", "200003", None, None)],
    "engagements": [
        _eng("E1", "Q2", "200001", "2026-03-03T09:00", "delivered"),
        _eng("E2", "Q2", "200001", "2026-03-10T10:00", "cancelled", "abstraction", yp="Y1", abstraction="AQ2"),
        _eng("E3", "Q1", "200001", "2026-03-13T10:00", "delivered", yp="Y1"),
        _eng("E4", "SG", "200001", "2026-03-16T15:00", "delivered", kind="meeting"),   # the sergeant's
        _eng("E5", "Q1", "200001", "2026-03-17T10:00", "cancelled", "abstraction", yp="Y1", abstraction="AQ1b"),
        _eng("E6", "Q1", "200001", "2026-03-18T14:00", "planned"),                      # on AS_OF
        _eng("E7", "Q1", "200001", "2026-03-19T09:00", "planned"),                      # after AS_OF
        _eng("E8", "Q1", "200001", "2026-03-24T10:00", "planned", yp="Y2"),             # after AS_OF
        _eng("E9", "Q3", "200002", "2026-03-12T10:00", "delivered", yp="Y3"),
        _eng("E10", "Q3", "200002", "2026-03-18T10:00", "cancelled", "officer_unavailable", yp="Y3"),
        _eng("E11", "Q3", "200002", "2026-03-21T10:00", "planned"),                     # after AS_OF
        _eng("E12", "Q1", "200004", "2026-03-23T09:00", "planned"),                     # after AS_OF
    ],
    "absences": [
        _absence("Q1", "2026-03-05", "2026-03-06", "sickness"),
        _absence("Q1", "2026-03-19", "2026-03-20", "annual_leave"),      # after AS_OF
        _absence("Q3", "2026-03-14", "2026-03-16", "annual_leave"),      # Sat 14 is Q3's; Sun, Mon are not
        _absence("SG", "2026-03-02", "2026-03-06", "training_course"),   # the sergeant's
    ],
    "abstractions": [
        _abs("AQ1a", "Q1", "2026-03-09", "2026-03-11", "half", "call_handling", "accepted"),
        _abs("AQ1b", "Q1", "2026-03-17", "2026-03-20", "full", "public_order"),
        _abs("AQ1c", "Q1", "2026-03-07", "2026-03-07", "half", "response"),        # Saturday: not Q1's day
        _abs("AQ1d", "Q1", "2026-03-06", "2026-03-06", "half", "custody", "challenged",
             review_note="Not needed"),                                                 # a sick day
        _abs("AQ1e", "Q1", "2026-03-23", "2026-03-24", "full", "court"),            # after AS_OF
        _abs("AQ2", "Q2", "2026-03-10", "2026-03-13", "full", "mutual_aid"),        # Q2 leaves on 11
        _abs("AQ3", "Q3", "2026-03-18", "2026-03-18", "half", "training"),
        _abs("ASG", "SG", "2026-03-09", "2026-03-10", "full", "public_order"),      # the sergeant's
    ],
    "consultations": [
        _con("K1", "Y1", "200001", "Q1", "2026-03-16", "before_decision", "permanent_exclusion", ["PA"],
             "suspension", "2026-03-17"),
        _con("K2", "Y1", "200001", "Q1", "2026-03-19", "after_decision", "suspension", ["TH"], "pending"),
        _con("K3", "Y3", "200002", "Q3", "2026-03-17", "after_decision", "suspension", ["DB", "VA"], "pending"),
        _con("K4", "Y4", "200003", "Q5", "2026-03-04", "before_decision", "permanent_exclusion", ["PP"],
             "no_exclusion", "2026-03-05"),
    ],
    "referrals": [
        {"ref": "RF1", "young_person": "Y1", "consultation": "K1", "partner": "youth_justice",
         "made_on": "2026-03-16", "status": "completed", "outcome22": True},
        {"ref": "RF2", "young_person": "Y3", "consultation": "K3", "partner": "camhs",
         "made_on": "2026-03-20", "status": "made", "outcome22": None},          # after AS_OF
    ],
}


def load_v2(store):
    """``store`` with this bundle imported, and the account running the tests bound to it."""
    import_bundle(store, copy.deepcopy(BUNDLE), None)
    bind_current_account(store)  # the account running the tests may act as any officer (a test account)
    return store
