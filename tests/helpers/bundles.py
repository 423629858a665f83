"""Test data shared by test modules (import it as ``from helpers.bundles import SMALL_BUNDLE``;
``from conftest import ...`` is ambiguous once tests/tui/conftest.py exists)."""

SMALL_BUNDLE = {
    "format": "slo-bundle/1",
    "teams": [
        {"ref": "NHT-North", "name": "North neighbourhood team", "sergeant": "S100"},
        {"ref": "NHT-South", "name": "South neighbourhood team", "sergeant": "S200"},
    ],
    "officers": [
        {"collar_number": "S100", "name": "Sgt Priya Shah", "role": "sergeant", "team": "NHT-North",
         "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2020-01-01", "end_date": None},
        {"collar_number": "S200", "name": "Sgt Tom Reed", "role": "sergeant", "team": "NHT-South",
         "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2020-01-01", "end_date": None},
        {"collar_number": "A1", "name": "Admin User", "role": "admin", "team": None,
         "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2020-01-01", "end_date": None},
        {"collar_number": "PC1000", "name": "PC Sam Okafor", "role": "slo", "team": "NHT-North",
         "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2021-09-01", "end_date": None},
        {"collar_number": "PC1001", "name": "PC Jo Hart", "role": "slo", "team": "NHT-South",
         "working_days": ["tue", "wed", "thu", "fri", "sat"], "start_date": "2022-01-01", "end_date": None},
    ],
    "schools": [
        {"urn": "100000", "name": "Northgate Academy", "phase": "secondary", "local_authority": "Camden",
         "postcode": "NW1 1AA", "head_teacher": "Ms A Head", "head_teacher_email": "head@northgate.example",
         "uniform_policy": "uniform_welcome"},
        {"urn": "100001", "name": "Southfield Primary", "phase": "primary", "local_authority": "Camden",
         "postcode": None, "head_teacher": None, "head_teacher_email": None,
         "uniform_policy": "plain_clothes_only"},
    ],
    "assignments": [
        {"officer": "PC1000", "school": "100000", "start_date": "2025-09-01", "end_date": None},
        {"officer": "PC1001", "school": "100001", "start_date": "2025-09-01", "end_date": None},
    ],
    "young_people": [
        {"ref": "YP-0001", "given_name": "Alex", "family_name": "Morgan", "date_of_birth": "2012-03-04",
         "school": "100000", "year_group": 9, "sex": "male", "ethnicity": "W1",
         "ethnicity_missing_reason": None, "sen": "sen_support", "fsm": "yes"},
    ],
    "engagements": [
        {"ref": "ENG-1", "officer": "PC1000", "school": "100000", "young_person": None, "kind": "visit",
         "title": "Drop-in at lunch", "starts_at": "2026-01-05T09:00", "ends_at": "2026-01-05T10:00",
         "status": "delivered", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-2", "officer": "PC1000", "school": "100000", "young_person": "YP-0001", "kind": "one_to_one",
         "title": "Liaison officer: 1:1 session",
         "starts_at": "2026-01-06T11:00", "ends_at": "2026-01-06T11:30",
         "status": "cancelled", "cancel_reason": "abstraction", "abstraction": "ABS-1",
         "notes": "Talk about\nfootball"},
    ],
    "absences": [
        {"officer": "PC1000", "date_from": "2026-02-16", "date_to": "2026-02-20", "kind": "annual_leave"},
    ],
    "abstractions": [
        {"ref": "ABS-1", "officer": "PC1000", "date_from": "2026-01-06", "date_to": "2026-01-06",
         "portion": "full", "category": "public_order", "requested_by": "Duty inspector",
         "reason": "Football match", "review_status": "pending", "reviewed_by": None,
         "reviewed_at": None, "review_note": None, "challenged_to": None, "resolved_on": None,
         "resolution_note": None},
    ],
    "consultations": [
        {"ref": "CON-1", "young_person": "YP-0001", "school": "100000", "officer": "PC1000",
         "consulted_on": "2026-01-07", "consulted_by": "Deputy head", "timing": "before_decision",
         "proposed": "permanent_exclusion", "reasons": ["PA", "OW", "DA"], "suspension_days": None,
         "risk_factors": ["weapon_carrying"], "advice": "Refer to YJS", "outcome": "suspension",
         "outcome_on": "2026-01-08", "follow_up_on": "2026-01-20"},
    ],
    "referrals": [
        {"ref": "REF-1", "young_person": "YP-0001", "consultation": "CON-1", "partner": "youth_justice",
         "made_on": "2026-01-09", "status": "accepted", "outcome22": True},
    ],
}
