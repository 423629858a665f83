"""Properties of the continuity report over small generated bundles imported into a real database:
rates in [0, 1] or null; team and force sums equal the sums of their officers; the evaluation
dataset never holds a name, ref or collar number of the bundle, never a count 1-9 in the suppressed
sections (each school's consultations included) and exactly one "c" in a breakdown only when every
other count of it is 0; only schools liaison officers are listed; a report counted to AS_OF inside
the period is the report of FROM..AS_OF."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo.reports import build_report
from slo.reports.evaluation import SUPPRESSED
from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.store.db import open_store

BASE = date(2026, 1, 5)   # a Monday
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CATEGORIES = ["call_handling", "response", "public_order", "mutual_aid", "training"]
REASONS = ["PP", "PA", "VP", "VA", "OW", "BU", "DA", "DB"]
ETHNICITIES = [None, "NS", "W1", "M2", "A1", "B2", "O9"]
MISSING = [None, "not_asked", "declined", "not_known"]
PROPOSED = ["suspension", "permanent_exclusion", "managed_move", "undecided"]
OUTCOMES = ["pending", "no_exclusion", "suspension", "permanent_exclusion", "withdrawn"]
STATUSES = [("planned", None), ("delivered", None), ("cancelled", "abstraction"),
            ("cancelled", "officer_unavailable"), ("cancelled", "school"), ("cancelled", "young_person")]


def d(n: int) -> str:
    return (BASE + timedelta(days=n)).isoformat()


@st.composite
def bundles(draw):
    n_officers = draw(st.integers(1, 5))
    teams = [{"ref": f"TEAM-{t}", "name": f"Team name {t}", "sergeant": None} for t in range(2)]
    officers = [{"collar_number": "ADM9", "name": "Admin Person", "role": "admin", "team": None,
                 "working_days": ["mon", "tue", "wed", "thu", "fri"], "start_date": "2020-01-01", "end_date": None}]
    for i in range(n_officers):
        start = draw(st.integers(-30, 20))
        end = draw(st.one_of(st.none(), st.integers(start, 60)))
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True))
        role = draw(st.sampled_from(["slo", "slo", "slo", "sergeant"]))
        officers.append({"collar_number": f"QC{i}", "name": f"Officer Name{i}", "role": role,
                         "team": draw(st.sampled_from([None, "TEAM-0", "TEAM-1"])), "working_days": days,
                         "start_date": d(start), "end_date": None if end is None else d(end)})
    collars = [o["collar_number"] for o in officers[1:]]
    schools = [{"urn": f"90000{s}", "name": f"School Name{s}", "phase": "primary", "local_authority": None,
                "postcode": None, "head_teacher": None, "head_teacher_email": None,
                "uniform_policy": "uniform_welcome"} for s in range(3)]
    assignments = []
    for s in range(3):
        cursor = draw(st.integers(-20, 10))
        for _ in range(draw(st.integers(0, 2))):
            length = draw(st.integers(0, 15))
            assignments.append({"officer": draw(st.sampled_from(collars)), "school": f"90000{s}",
                                "start_date": d(cursor), "end_date": d(cursor + length)})
            cursor += length + draw(st.integers(1, 5))
    n_yp = draw(st.integers(1, 4))
    young = [{"ref": f"KID-{y}", "given_name": f"Given{y}x", "family_name": f"Family{y}x",
              "date_of_birth": "2011-02-03", "school": "900000", "year_group": 8, "sex": "unknown",
              "ethnicity": (eth := draw(st.sampled_from(ETHNICITIES))),
              "ethnicity_missing_reason": draw(st.sampled_from(MISSING)) if eth in (None, "NS") else None,
              "sen": "unknown", "fsm": "unknown"} for y in range(n_yp)]
    absences, abstractions = [], []
    for c in collars:
        cursor = draw(st.integers(-5, 5))
        for _ in range(draw(st.integers(0, 2))):
            length = draw(st.integers(0, 4))
            absences.append({"officer": c, "date_from": d(cursor), "date_to": d(cursor + length),
                             "kind": "annual_leave"})
            cursor += length + draw(st.integers(1, 6))
        cursor = draw(st.integers(-5, 5))
        for k in range(draw(st.integers(0, 3))):
            length = draw(st.integers(0, 3))
            abstractions.append({"ref": f"ABX-{c}-{k}", "officer": c, "date_from": d(cursor),
                                 "date_to": d(cursor + length), "portion": draw(st.sampled_from(["full", "half"])),
                                 "category": draw(st.sampled_from(CATEGORIES)), "requested_by": "Requester Text",
                                 "reason": "Reason Text", "review_status": draw(st.sampled_from(
                                     ["pending", "accepted"])),
                                 "reviewed_by": None, "reviewed_at": None, "review_note": None})
            cursor += length + draw(st.integers(1, 5))
    for a in abstractions:
        if a["review_status"] == "accepted":
            a["review_status"] = "pending"
    engagements = []
    for k in range(draw(st.integers(0, 12))):
        status, reason = draw(st.sampled_from(STATUSES))
        yp = draw(st.one_of(st.none(), st.sampled_from([y["ref"] for y in young])))
        day, hour = draw(st.integers(-3, 30)), draw(st.integers(8, 15))
        engagements.append({"ref": f"ENX-{k}", "officer": draw(st.sampled_from(collars)),
                            "school": draw(st.sampled_from([s["urn"] for s in schools])), "young_person": yp,
                            "kind": "one_to_one" if yp else "visit", "title": "Visit",
                            "starts_at": f"{d(day)}T{hour:02d}:00", "ends_at": f"{d(day)}T{hour:02d}:45",
                            "status": status, "cancel_reason": reason, "abstraction": None, "notes": "Note Text"})
    consultations = []
    for k in range(draw(st.integers(0, 25))):
        outcome = draw(st.sampled_from(OUTCOMES))
        consultations.append({
            "ref": f"CNX-{k}", "young_person": draw(st.sampled_from([y["ref"] for y in young])),
            "school": draw(st.sampled_from([s["urn"] for s in schools])), "officer": draw(st.sampled_from(collars)),
            "consulted_on": d(draw(st.integers(-3, 30))), "consulted_by": "Contact Text",
            "timing": draw(st.sampled_from(["before_decision", "after_decision"])),
            "proposed": draw(st.sampled_from(PROPOSED)),
            "reasons": draw(st.lists(st.sampled_from(REASONS), min_size=1, max_size=3, unique=True)),
            "suspension_days": None, "risk_factors": None, "advice": "Advice Text", "outcome": outcome,
            "outcome_on": None if outcome == "pending" else d(31), "follow_up_on": None})
    referrals = [{"ref": f"RFX-{k}", "young_person": draw(st.sampled_from([y["ref"] for y in young])),
                  "consultation": None, "partner": "mentoring", "made_on": d(draw(st.integers(-3, 30))),
                  "status": "completed", "outcome22": draw(st.booleans())} for k in range(draw(st.integers(0, 3)))]
    return {"format": "slo-bundle/1", "teams": teams, "officers": officers, "schools": schools,
            "assignments": assignments, "young_people": young, "engagements": engagements, "absences": absences,
            "abstractions": abstractions, "consultations": consultations, "referrals": referrals}


PERIOD = (BASE, BASE + timedelta(days=27))
AS_OF = date(2026, 6, 1)
DAY_KEYS = ["pattern_days", "absence_days", "rostered_days", "abstracted_days", "pending_review"]


def load(bundle):
    folder = Path(tempfile.mkdtemp(prefix="slo-prop-"))
    store = open_store(folder / "p.db")
    import_bundle(store, bundle, None)
    return store


def rates_of(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith("_rate") or k.endswith("_share"):
                yield f"{path}.{k}", v
            else:
                yield from rates_of(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from rates_of(v, f"{path}[{i}]")


def eng_counts(e):
    return [e["total"], e["delivered"], e["planned"], *e["cancelled"].values()]


def total_of(entries):
    sums = [sum(e[k] for e in entries) for k in DAY_KEYS]
    eng = [sum(x) for x in zip(*[eng_counts(e["engagements"]) for e in entries], strict=True)] if entries else None
    return sums, eng


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(bundles())
def test_rates_and_sums(bundle):
    store = load(bundle)
    try:
        r = build_report(store, load_actor(store.db, "ADM9"), *PERIOD, as_of=AS_OF)
        slos = {o["collar_number"] for o in bundle["officers"] if o["role"] == "slo"}
        assert {o["collar_number"] for o in r["officers"]} <= slos
        for path, value in rates_of(r):
            assert value is None or 0 <= value <= 1, (path, value)
        team_of = {o["collar_number"]: o["team"] for o in bundle["officers"]}
        for t in r["teams"]:
            members = [o for o in r["officers"] if team_of[o["collar_number"]] == t["ref"]]
            sums, eng = total_of(members)
            assert [t[k] for k in DAY_KEYS] == sums
            assert eng_counts(t["engagements"]) == eng
        sums, eng = total_of(r["officers"])
        assert [r["force"][k] for k in DAY_KEYS] == sums
        if eng:
            assert eng_counts(r["force"]["engagements"]) == eng
        # a team's report (figures by SQL per key) agrees with the force report (one pass) entry by entry
        team = build_report(store, load_actor(store.db, "ADM9"), *PERIOD, scope="team:TEAM-0", as_of=AS_OF)
        for section, key in (("officers", "collar_number"), ("schools", "urn"), ("young_people", "ref")):
            whole = {e[key]: e for e in r[section]}
            for e in team[section]:
                assert e == whole[e[key]], (section, e[key])
        for o in r["officers"]:
            assert o["rostered_days"] == o["pattern_days"] - o["absence_days"] >= 0
            assert 0 <= o["abstracted_days"] <= o["rostered_days"]
            assert sum(o["abstracted_days_by_category"].values()) == o["abstracted_days"]
    finally:
        store.close()
        shutil.rmtree(store.path.parent, ignore_errors=True)


def breakdowns(c):
    for key in ("by_reason", "by_outcome", "by_proposed", "ethnicity_missing"):
        yield key, c[key]
    groups = c["by_ethnic_group"]
    for m in ("total", "after_decision", "suspension", "permanent_exclusion"):
        yield f"by_ethnic_group.{m}", {g: groups[g][m] for g in groups}


@SETTINGS
@given(bundles())
def test_evaluation_never_leaks_or_shows_small_numbers(bundle):
    store = load(bundle)
    try:
        r = build_report(store, load_actor(store.db, "ADM9"), *PERIOD, evaluation=True, as_of=AS_OF)
        text = json.dumps(r)
        secrets_ = []
        for section in ("teams", "officers", "young_people", "engagements", "abstractions", "consultations",
                        "referrals"):
            for rec in bundle[section]:
                for k in ("ref", "collar_number", "name", "given_name", "family_name"):
                    if rec.get(k):
                        secrets_.append(rec[k])
        secrets_ += [s["name"] for s in bundle["schools"]]
        secrets_ += ["2011-02-03", "Note Text", "Advice Text", "Reason Text", "Contact Text", "Requester Text"]
        for s in secrets_:
            assert s not in text, s
        pairs = [(f"school {s['urn']}", {k: s["consultations"][k] for k in ("before_decision", "after_decision")})
                 for s in r["schools"]]
        for name, counts in [*breakdowns(r["consultations"]), *pairs]:
            for v in counts.values():
                assert v == SUPPRESSED or not (1 <= v <= 9), (name, counts)
            if sum(v == SUPPRESSED for v in counts.values()) == 1:
                assert all(v in (0, SUPPRESSED) for v in counts.values()), (name, counts)
        for s in r["schools"]:
            assert s["assigned_officer_at_end"] is None
            assert s["consultations"]["total"] == SUPPRESSED or not 1 <= s["consultations"]["total"] <= 9
            if SUPPRESSED in s["consultations"].values():
                assert s["before_decision_rate"] == SUPPRESSED
    finally:
        store.close()
        shutil.rmtree(store.path.parent, ignore_errors=True)


@SETTINGS
@given(bundles(), st.integers(0, 27))
def test_counted_to_as_of_is_the_shorter_period(bundle, cut):
    """With AS_OF inside P, every section equals the report of FROM..AS_OF asked for in the past."""
    store = load(bundle)
    try:
        admin = load_actor(store.db, "ADM9")
        as_of = BASE + timedelta(days=cut)
        cut_short = build_report(store, admin, PERIOD[0], PERIOD[1], as_of=as_of)
        asked = build_report(store, admin, PERIOD[0], as_of, as_of=AS_OF)
        assert cut_short["period"] == {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat(),
                                       "counted_to": as_of.isoformat()}
        for section in ("officers", "teams", "force", "schools", "young_people", "consultations", "months"):
            assert cut_short[section] == asked[section], section
    finally:
        store.close()
        shutil.rmtree(store.path.parent, ignore_errors=True)
