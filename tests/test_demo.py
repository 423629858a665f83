"""Demo data (`slo demo`, `slo --demo`): valid, deterministic, plausible, replaced safely.

Every database here is a real SQLite file built by the real generator; validity
is proven by exporting a bundle and importing it into an empty database, which
runs every model and cross-record rule.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import types
from datetime import date, timedelta
from pathlib import Path

import pytest

from slo.cli.context import Context
from slo.cli.main import main
from slo.services import audit
from slo.services.actors import load_actor
from slo.services.bundle import dump, export_bundle, import_bundle
from slo.store.db import open_store

DFE = Path(__file__).resolve().parent / "data" / "dfe"  # copied from the DfE (tests/data/README.md)

TODAY = date(2026, 3, 11)


def build(path: Path, *extra: str) -> int:
    return main(["--db", str(path), "demo", "--today", TODAY.isoformat(), *extra])


def export_text(path: Path) -> str:
    store = open_store(path, create=False)
    try:
        return dump(export_bundle(store, load_actor(store.db, "A1")))
    finally:
        store.close()


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The small demo, built once through the CLI (read-only for the tests below)."""
    path = tmp_path_factory.mktemp("demo") / "db" / "slo.db"
    assert build(path) == 0
    return path


def test_cli_demo_is_valid_and_round_trips(demo_db, tmp_path):
    first = export_text(demo_db)
    data = json.loads(first)
    assert data["engagements"] and data["consultations"] and data["referrals"]
    empty = open_store(tmp_path / "empty.db")
    try:
        result = import_bundle(empty, data, None)  # every model and cross-record rule
        assert result.warnings == []
        assert sum(result.created.values()) == sum(len(data[e]) for e in data if e != "format")
        again = dump(export_bundle(empty, load_actor(empty.db, "A1")))
    finally:
        empty.close()
    assert again == first


def test_same_seed_and_day_give_identical_records(demo_db, tmp_path):
    other = tmp_path / "again.db"
    assert build(other) == 0
    assert export_text(other) == export_text(demo_db)


def test_different_seeds_differ(demo_db, tmp_path):
    other = tmp_path / "seed2.db"
    assert build(other, "--seed", "2") == 0
    a, b = json.loads(export_text(demo_db)), json.loads(export_text(other))
    assert a["engagements"] != b["engagements"]
    assert a["young_people"] != b["young_people"]
    # the fixed cast is there whatever the seed
    for bundle in (a, b):
        assert {"S100", "S200", "A1", "PC1000"} <= {o["collar_number"] for o in bundle["officers"]}


def test_today_anchors_the_dates(tmp_path):
    later = tmp_path / "later.db"
    assert main(["--db", str(later), "demo", "--today", "2026-11-04"]) == 0
    first, last = query(later, "SELECT min(starts_at), max(starts_at) FROM engagements")[0]
    assert first >= "2025-11-05" and "2026-11-04" < last <= "2026-12-31"


def test_roles_teams_and_caseload(demo_db):
    roles = dict(query(demo_db, "SELECT collar_number, role FROM officers"))
    assert roles["S100"] == roles["S200"] == "sergeant"
    assert roles["A1"] == "admin" and roles["PC1000"] == "slo"
    assert "inspector" in roles.values() and "evaluator" in roles.values()
    assert 5 <= list(roles.values()).count("slo") <= 8
    teams = dict(query(demo_db, "SELECT ref, sergeant FROM teams"))
    assert teams == {"NHT-North": "S100", "NHT-South": "S200"}
    assert query(demo_db, "SELECT team FROM officers WHERE collar_number = 'PC1000'") == [("NHT-North",)]
    current = query(
        demo_db,
        "SELECT count(DISTINCT school) FROM assignments WHERE officer = 'PC1000' "
        "AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
        (TODAY.isoformat(), TODAY.isoformat()),
    )[0][0]
    assert 18 <= current <= 25


def test_assignment_history(demo_db):
    # a school that changed officer during the year, ending with PC1000
    changed = query(
        demo_db,
        "SELECT a.school FROM assignments a JOIN assignments b ON a.school = b.school "
        "AND date(a.end_date, '+1 day') = b.start_date AND a.officer != b.officer WHERE b.officer = 'PC1000'",
    )
    assert changed
    adjacent_same = query(
        demo_db,
        "SELECT a.school FROM assignments a JOIN assignments b ON a.school = b.school "
        "AND date(a.end_date, '+1 day') = b.start_date AND a.officer = b.officer",
    )
    assert adjacent_same
    unassigned = query(
        demo_db,
        "SELECT count(*) FROM schools WHERE urn NOT IN "
        "(SELECT school FROM assignments WHERE end_date IS NULL OR end_date >= ?)",
        (TODAY.isoformat(),),
    )[0][0]
    assert unassigned >= 3


def test_engagements_past_and_future(demo_db):
    today = TODAY.isoformat()
    statuses = dict(
        query(demo_db, "SELECT status, count(*) FROM engagements WHERE officer = 'PC1000' GROUP BY status")
    )
    assert statuses["delivered"] > 100
    planned = query(
        demo_db,
        "SELECT min(starts_at), max(starts_at) FROM engagements WHERE officer = 'PC1000' AND status = 'planned'",
    )[0]
    assert planned[0] >= today  # nothing in the past is still planned
    assert planned[1] >= (TODAY + timedelta(days=21)).isoformat()  # a few weeks ahead
    reasons = {r for (r,) in query(
        demo_db, "SELECT DISTINCT cancel_reason FROM engagements WHERE status = 'cancelled'")}
    assert reasons == {"abstraction", "officer_unavailable", "school", "young_person", "other"}
    kinds = {k for (k,) in query(demo_db, "SELECT DISTINCT kind FROM engagements")}
    assert {"visit", "assembly", "lesson", "one_to_one"} <= kinds
    assert query(
        demo_db, "SELECT count(*) FROM engagements WHERE kind = 'one_to_one' AND young_person IS NULL") == [(0,)]
    # every full-day abstraction cancels the officer's engagements on its days, linked
    unlinked = query(
        demo_db,
        "SELECT count(*) FROM engagements e JOIN abstractions a ON a.officer = e.officer "
        "AND date(e.starts_at) BETWEEN a.date_from AND a.date_to AND a.portion = 'full' "
        "WHERE e.abstraction IS NOT a.ref OR e.cancel_reason IS NOT 'abstraction'",
    )
    assert unlinked == [(0,)]
    assert query(demo_db, "SELECT count(*) FROM engagements WHERE abstraction IS NOT NULL")[0][0] > 20


def test_abstractions_and_reviews(demo_db):
    status = dict(query(demo_db, "SELECT review_status, count(*) FROM abstractions GROUP BY 1"))
    assert status["accepted"] > status["challenged"] > 0 and status["pending"] > 0
    pending_north = query(
        demo_db,
        "SELECT count(*) FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "WHERE o.team = 'NHT-North' AND a.review_status = 'pending' AND a.date_to BETWEEN ? AND ?",
        ((TODAY - timedelta(days=14)).isoformat(), TODAY.isoformat()),
    )[0][0]
    assert pending_north > 0  # recent abstractions awaiting S100's review
    wrong_reviewer = query(
        demo_db,
        "SELECT count(*) FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "JOIN teams t ON t.ref = o.team WHERE a.reviewed_by IS NOT NULL AND a.reviewed_by != t.sergeant",
    )
    assert wrong_reviewer == [(0,)]
    assert {p for (p,) in query(demo_db, "SELECT DISTINCT portion FROM abstractions")} == {"full", "half"}
    assert len(query(demo_db, "SELECT DISTINCT category FROM abstractions")) >= 6
    kinds = {k for (k,) in query(demo_db, "SELECT DISTINCT kind FROM absences")}
    assert {"annual_leave", "sickness", "rest_day"} <= kinds
    # absences and abstractions of one officer never share a day either
    clash = query(
        demo_db,
        "SELECT count(*) FROM absences b JOIN abstractions a ON a.officer = b.officer "
        "AND a.date_from <= b.date_to AND b.date_from <= a.date_to",
    )
    assert clash == [(0,)]


def test_consultations_and_referrals(demo_db):
    timing = dict(query(demo_db, "SELECT timing, count(*) FROM consultations GROUP BY 1"))
    assert timing["after_decision"] > timing["before_decision"] > 0
    outcomes = {o for (o,) in query(demo_db, "SELECT DISTINCT outcome FROM consultations")}
    assert {"pending", "suspension", "permanent_exclusion"} <= outcomes
    sizes = {n for (n,) in query(demo_db, "SELECT json_array_length(reasons) FROM consultations")}
    assert sizes == {1, 2, 3}
    recent = query(
        demo_db,
        "SELECT count(*) FROM consultations WHERE officer = 'PC1000' AND consulted_on > ?",
        ((TODAY - timedelta(days=7)).isoformat(),),
    )[0][0]
    assert recent >= 1
    follow_ups = query(
        demo_db,
        "SELECT count(*) FROM consultations WHERE officer = 'PC1000' AND follow_up_on BETWEEN ? AND ?",
        (TODAY.isoformat(), (TODAY + timedelta(days=7)).isoformat()),
    )[0][0]
    assert follow_ups >= 1
    assert query(
        demo_db, "SELECT count(*) FROM consultations WHERE outcome != 'pending' AND outcome_on IS NULL") == [(0,)]
    assert query(demo_db, "SELECT count(*) FROM consultations WHERE consulted_on > ?", (TODAY.isoformat(),)) == [(0,)]
    partners = {p for (p,) in query(demo_db, "SELECT DISTINCT partner FROM referrals")}
    assert len(partners) >= 5
    assert query(demo_db, "SELECT count(*) FROM referrals WHERE outcome22 = 1")[0][0] >= 1
    assert query(demo_db, "SELECT count(*) FROM referrals WHERE consultation IS NULL")[0][0] >= 1


def test_young_people_and_awkward_text(demo_db):
    eth = query(demo_db, "SELECT ethnicity, ethnicity_missing_reason FROM young_people")
    assert any(e not in (None, "NS") for e, _ in eth)
    assert any(e in (None, "NS") and r is not None for e, r in eth)
    assert any(e in (None, "NS") and r is None for e, r in eth)
    assert len({r for (r,) in query(demo_db, "SELECT sen FROM young_people")}) >= 3
    assert {r for (r,) in query(demo_db, "SELECT fsm FROM young_people")} >= {"yes", "no"}
    assert {r for (r,) in query(demo_db, "SELECT sex FROM young_people")} >= {"female", "male"}
    assert len({r for (r,) in query(demo_db, "SELECT year_group FROM young_people")}) >= 8
    names = [n for (n,) in query(demo_db, "SELECT name FROM schools")]
    assert "St Mary's C of E [VA] Primary" in names
    assert any("&" in n for n in names)
    notes = [n for (n,) in query(demo_db, "SELECT notes FROM engagements WHERE notes IS NOT NULL")]
    assert any("[" in n for n in notes) and any("'" in n for n in notes)
    policies = dict(query(demo_db, "SELECT uniform_policy, count(*) FROM schools GROUP BY 1"))
    assert policies.get("plain_clothes_only", 0) >= 1 and policies.get("no_visits", 0) >= 1
    assert query(
        demo_db,
        "SELECT count(*) FROM engagements e JOIN schools s ON s.urn = e.school WHERE s.uniform_policy = 'no_visits'",
    ) == [(0,)]


def test_audit_has_one_row_per_table(demo_db):
    rows = query(demo_db, "SELECT actor, operation, entity, key, detail FROM audit WHERE actor = 'demo'")
    by_entity = {entity: json.loads(detail) for _a, _o, entity, _k, detail in rows}
    assert len(rows) == 11 and {op for _a, op, *_ in rows} == {"create"}
    assert by_entity["term_dates"]["count"] == query(demo_db, "SELECT count(*) FROM term_dates")[0][0]
    # the demo's own rows come first; then what the services did (the history: reviews, a handover)
    seqs = [(actor, seq) for actor, seq in query(demo_db, "SELECT actor, rowid FROM audit ORDER BY rowid")]
    demo_rows = [seq for actor, seq in seqs if actor == "demo"]
    assert max(demo_rows) < min(seq for actor, seq in seqs if actor in ("S100", "S200", "A1"))
    assert by_entity["engagements"]["source"] == "demo"
    assert by_entity["engagements"]["count"] == query(demo_db, "SELECT count(*) FROM engagements")[0][0]
    assert by_entity["young_people"]["count"] == query(demo_db, "SELECT count(*) FROM young_people")[0][0]
    store = open_store(demo_db, create=False)
    try:
        assert audit.verify_chain(store.db).ok
    finally:
        store.close()


def test_replace_swaps_the_file_and_removes_a_stale_wal(tmp_path):
    path = tmp_path / "slo.db"
    assert build(path, "--seed", "5") == 0
    old = export_text(path)
    Path(f"{path}-wal").write_bytes(b"stale write-ahead log from the old database")
    Path(f"{path}-shm").write_bytes(b"stale")
    assert build(path, "--seed", "6") == 0
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.read_bytes() != b"stale write-ahead log from the old database"
    assert export_text(path) != old
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".slo.db.")]
    assert leftovers == []
    assert (path.stat().st_mode & 0o077) == 0


def test_failed_build_keeps_the_old_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "slo.db"
    assert build(path, "--seed", "5") == 0
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("slo.services.demo.generate", broken)
    assert build(path, "--seed", "6") == 1
    assert "disk I/O error" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".slo.db.")] == []


def test_ensure_demo_creates_only_when_missing(tmp_path):
    from slo.cli.cmd_demo import ensure_demo

    ctx = Context(db_path=tmp_path / "db" / "demo.db", exports=tmp_path / "exports", user=None)
    ensure_demo(ctx)
    assert ctx.db_path.exists()
    assert query(ctx.db_path, "SELECT role FROM officers WHERE collar_number = 'PC1000'") == [("slo",)]
    stamp = ctx.db_path.stat().st_mtime_ns, ctx.db_path.read_bytes()
    ensure_demo(ctx)
    assert (ctx.db_path.stat().st_mtime_ns, ctx.db_path.read_bytes()) == stamp

    # an existing database of someone else's is never replaced
    mine = tmp_path / "mine.db"
    store = open_store(mine)
    store.close()
    before = mine.read_bytes()
    ensure_demo(Context(db_path=mine, exports=tmp_path, user=None))
    assert mine.read_bytes() == before
    assert query(mine, "SELECT count(*) FROM officers") == [(0,)]


def test_slo_dash_dash_demo_opens_the_desk_on_the_demo_as_pc1000(tmp_path, monkeypatch):
    seen = {}

    def run_desk(store, actor, exports, **identity):
        seen["path"] = store.path
        seen["actor"] = actor.collar
        return 0

    fake = types.ModuleType("slo.tui.app")
    fake.run_desk = run_desk
    monkeypatch.setitem(sys.modules, "slo.tui.app", fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLO_DB", raising=False)
    monkeypatch.delenv("SLO_USER", raising=False)
    assert main(["--demo"]) == 0
    assert seen == {"path": Path("db/demo.db"), "actor": "PC1000"}
    assert (tmp_path / "db" / "demo.db").exists()


def test_force_scale(tmp_path, capsys):
    path = tmp_path / "force.db"
    assert build(path, "--scale", "force") == 0
    progress = capsys.readouterr().err
    assert "caseloads: 90/90 officers" in progress and "people and schools" in progress
    counts = dict(
        query(path, "SELECT 'officers', count(*) FROM officers UNION ALL SELECT 'schools', count(*) FROM schools")
    )
    assert 95 <= counts["officers"] <= 110 and counts["schools"] == 1000
    assert {"S100", "S200", "A1", "PC1000"} <= {c for (c,) in query(path, "SELECT collar_number FROM officers")}
    # the no-overlap rules, checked in SQL over the whole force
    for table, owner, start, end in (
        ("assignments", "school", "start_date", "end_date"),
        ("absences", "officer", "date_from", "date_to"),
        ("abstractions", "officer", "date_from", "date_to"),
    ):
        overlaps = query(
            path,
            f"SELECT count(*) FROM {table} a JOIN {table} b ON a.{owner} = b.{owner} AND a.rowid < b.rowid "
            f"AND a.{start} <= coalesce(b.{end}, '9999') AND b.{start} <= coalesce(a.{end}, '9999')",
        )
        assert overlaps == [(0,)], table
    assert query(path, "PRAGMA foreign_key_check") == []


def test_weights_match_their_source():
    from slo.services.demo.weights import WEIGHTS, derive

    folder = DFE
    derived = derive(folder / "exclusions_by_reason_201617.csv", folder / "exclusion_natcharacteristics_201617.csv")
    assert derived == WEIGHTS
    assert set(WEIGHTS["reasons_suspension"]) == {
        "PP", "PA", "VP", "VA", "OW", "BU", "RA", "LG", "DS", "SM", "DA", "DM", "TH", "DB", "MT", "PH"
    }


def test_school_calendar():
    from slo.services.demo.calendar import easter_sunday, is_school_day

    assert easter_sunday(2026) == date(2026, 4, 5) and easter_sunday(2025) == date(2025, 4, 20)
    assert not is_school_day(date(2025, 12, 25))
    assert not is_school_day(date(2026, 8, 10))
    assert not is_school_day(date(2026, 3, 14))  # a Saturday
    assert not is_school_day(date(2026, 4, 7))  # Easter holiday
    assert is_school_day(date(2026, 3, 11))


# --------------------------------------------------------------------------- coherence (issue 16 item 6)

#: the words of a school's name that say its phase, and the year groups each phase (or name) teaches
NAME_WORDS = {
    "primary": ("Primary", "Junior", "Infant"),
    "secondary": ("High School", "Secondary", "Academy", "Community College", "School"),
    "post16": ("Sixth Form", "College"),
    "alternative_provision": ("Pupil Referral", "Alternative Provision", "Tuition Centre", "[AP]"),
    "special": ("Special", "[SEMH]", "Learning Centre"),
    "all_through": ("All-Through", "[3-18]"),
}
OTHER_PHASES_WORDS = ("Primary", "Junior", "Infant", "High School", "Secondary", "Sixth Form", "Pupil Referral",
                      "Special", "[SEMH]", "All-Through", "[3-18]")


def years_for(phase: str, name: str) -> set[int]:
    if phase == "primary":
        return set(range(3, 7)) if "Junior" in name and "Infant" not in name else set(range(0, 7))
    return {"secondary": set(range(7, 14)), "post16": {12, 13, 14}, "alternative_provision": set(range(5, 12)),
            "special": set(range(0, 15)), "all_through": set(range(0, 14))}[phase]


def test_every_school_phase_matches_its_name(demo_db):
    schools = query(demo_db, "SELECT urn, name, phase FROM schools")
    assert {p for _u, _n, p in schools} >= {"primary", "secondary", "post16", "special"}
    for urn, name, phase in schools:
        assert any(word in name for word in NAME_WORDS[phase]), (urn, name, phase)
        # and no word of another phase: no "Primary" that is a secondary, no "High School" that is a primary
        others = [w for w in OTHER_PHASES_WORDS if w in name and w not in NAME_WORDS[phase]]
        assert others == [], (urn, name, phase)
    assert query(demo_db, "SELECT phase FROM schools WHERE name = 'St Mary''s C of E [VA] Primary'") == [("primary",)]


def test_every_pupil_year_fits_the_school(demo_db):
    rows = query(demo_db, "SELECT y.ref, y.year_group, s.name, s.phase FROM young_people y "
                          "JOIN schools s ON s.urn = y.school WHERE y.year_group IS NOT NULL")
    assert len(rows) > 200
    wrong = [(ref, year, name, phase) for ref, year, name, phase in rows if year not in years_for(phase, name)]
    assert wrong == []
    assert query(demo_db, "SELECT count(*) FROM young_people WHERE year_group = 0") == [(0,)]  # no "Year 0"
    juniors = [year for _r, year, name, phase in rows if phase == "primary" and "Junior" in name
               and "Infant" not in name]
    assert juniors and min(juniors) >= 3  # no Year 2 at a junior school
    # and the dates of birth agree with the year (born September to August of the cohort's year)
    born = query(demo_db, "SELECT year_group, min(date_of_birth), max(date_of_birth) FROM young_people "
                          "WHERE date_of_birth IS NOT NULL GROUP BY year_group")
    for year, first, last in born:
        cohort = 2025 - year - 5  # academic year 2025/26 holds TODAY
        assert f"{cohort}-09-01" <= first and last <= f"{cohort + 1}-08-31", year


def _person(name: str) -> str:
    """A name without its title or role: "Sgt Jo Kaur" and "Dr Jo Kaur (evaluator)" are both "Jo Kaur"."""
    words = name.split()
    if words[0] in ("PC", "Sgt", "Insp", "Dr", "Mr", "Mrs", "Ms", "Miss"):
        words = words[1:]
    if words[-1].startswith("("):
        words = words[:-1]
    return " ".join(words)


def test_every_person_has_a_name_of_their_own(demo_db):
    officers = [_person(n) for (n,) in query(demo_db, "SELECT name FROM officers")]
    heads = [_person(n) for (n,) in query(demo_db, "SELECT head_teacher FROM schools WHERE head_teacher IS NOT NULL")]
    pupils = [f"{g} {f}" for g, f in query(demo_db, "SELECT given_name, family_name FROM young_people")]
    assert len(officers) == 11 and len(heads) > 50 and len(pupils) > 250
    assert all(len(n.split()) >= 2 for n in officers + heads)  # a given name, not an initial
    everyone = officers + heads + pupils
    repeated = sorted({n for n in everyone if everyone.count(n) > 1})
    assert repeated == []
    evaluator = _person(query(demo_db, "SELECT name FROM officers WHERE collar_number = 'E1'")[0][0])
    assert officers.count(evaluator) == 1  # the evaluator shares a name with no officer


def test_names_stay_distinct_at_force_scale():
    from slo.services.demo.generator import SCALES, make_plan

    plan = make_plan(SCALES["force"], 1, TODAY)
    names = [_person(o.name) for o in plan.officers]
    assert len(names) == len(set(names)) == len(plan.officers) > 100


def test_each_authority_has_term_dates_for_the_whole_demo(demo_db):
    from slo.services.schooldays import SchoolCalendar, deadlines_between

    first, last = (date.fromisoformat(d[:10]) for d in query(
        demo_db, "SELECT min(starts_at), max(starts_at) FROM engagements")[0])
    authorities = [la for (la,) in query(demo_db, "SELECT DISTINCT local_authority FROM schools")]
    assert sorted(authorities) == ["Northshire", "Southshire"]
    store = open_store(demo_db, create=False)
    try:
        for la in authorities:
            calendar = SchoolCalendar.load(store.db, la)
            days = [first + timedelta(days=n) for n in range((last - first).days + 90)]
            assert [d for d in days if not calendar.known(d)] == [], la
            # the engagements fall on the authority's school days
            on = {date.fromisoformat(d) for (d,) in query(
                demo_db, "SELECT DISTINCT substr(e.starts_at, 1, 10) FROM engagements e JOIN schools s "
                         "ON s.urn = e.school WHERE s.local_authority = ?", (la,))}
            assert [d for d in on if not calendar.is_school_day(d)] == [], la
        deadlines = deadlines_between(store.db, None, first, last + timedelta(days=60))
    finally:
        store.close()
    assert len(deadlines) > 20
    assert [d.ref for _e, d in deadlines if d.provisional] == []  # no deadline is provisional


def test_challenges_upheld_and_withdrawn_in_the_history(demo_db):
    status = dict(query(demo_db, "SELECT review_status, count(*) FROM abstractions GROUP BY 1"))
    assert status.get("challenged", 0) >= 1 and status.get("upheld", 0) >= 1 and status.get("withdrawn", 0) >= 1
    # a challenge names to whom it went; a result names its day and follows its challenge
    assert query(demo_db, "SELECT count(*) FROM abstractions WHERE review_status IN ('challenged', 'upheld', "
                          "'withdrawn') AND (challenged_to IS NULL OR review_note IS NULL)") == [(0,)]
    assert query(demo_db, "SELECT count(*) FROM abstractions WHERE review_status IN ('upheld', 'withdrawn') "
                          "AND (resolved_on IS NULL OR resolved_on < substr(reviewed_at, 1, 10) "
                          "OR resolved_on > ?)", (TODAY.isoformat(),)) == [(0,)]
    # some challenges still await their result past the five working days (on the sergeant's due list)
    from slo.services.abstractions import challenge_due_on, get_abstraction

    store = open_store(demo_db, create=False)
    try:
        awaiting = [get_abstraction(store.db, ref) for (ref,) in store.db.execute(
            "SELECT ref FROM abstractions WHERE review_status = 'challenged'")]
    finally:
        store.close()
    assert any((challenge_due_on(a) or TODAY) < TODAY for a in awaiting)
    # a withdrawal gave sessions back: planned again, calendar entries un-cancelled (SEQUENCE raised)
    [(ref, officer, date_to)] = query(
        demo_db, "SELECT ref, officer, date_to FROM abstractions WHERE review_status = 'withdrawn'")
    assert officer == "PC1002" and date_to == TODAY.isoformat()  # cut back to today: back tomorrow
    given_back = query(demo_db, "SELECT e.ref, e.status, e.sequence, e.abstraction, e.starts_at FROM engagements e "
                                "WHERE e.ref IN (SELECT key FROM audit WHERE entity = 'engagements' "
                                "AND json_extract(detail, '$.source') = 'withdrawal')")
    assert len(given_back) >= 2
    assert all(status == "planned" and seq >= 2 and link is None for _r, status, seq, link, _s in given_back)
    assert any(starts[:10] > date_to for *_x, starts in given_back)
    # the one withdrawn from its first day is gone, its history kept
    removed = query(demo_db, "SELECT key FROM audit WHERE entity = 'abstractions' AND operation = 'delete'")
    assert len(removed) == 1
    assert query(demo_db, "SELECT count(*) FROM history WHERE entity = 'abstractions' AND key = ?",
                 (removed[0][0],))[0][0] >= 3


def test_one_handover_with_its_note(demo_db):
    [(hid, school, outgoing, incoming, day, moved, made_by, read_at)] = query(
        demo_db, "SELECT id, school, from_officer, to_officer, handover_on, moved, made_by, read_at FROM handovers")
    assert (outgoing, incoming, made_by, read_at) == ("PC1001", "PC1000", "A1", None)  # unread: on PC1000's list
    assert moved >= 1 and day == TODAY.isoformat()  # made early today
    spans = query(demo_db, "SELECT officer, start_date, end_date FROM assignments WHERE school = ? "
                           "ORDER BY start_date DESC LIMIT 2", (school,))
    assert spans[0] == ("PC1000", day, None)
    assert spans[1][0] == "PC1001" and spans[1][2] == (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    assert query(demo_db, "SELECT count(*) FROM engagements WHERE school = ? AND officer = 'PC1001' "
                          "AND status = 'planned' AND starts_at >= ?", (school, day)) == [(0,)]
    from slo.services.due import due_items
    from slo.services.handover import read_note

    store = open_store(demo_db, create=False)
    try:
        note = read_note(store.db, hid)
        # PC1000 finds it on opening the desk (the due list); S100 finds challenges awaiting a result
        pc1000 = [(i.kind, i.ref) for i in due_items(store, load_actor(store.db, "PC1000"), TODAY)]
        s100 = [i.kind for i in due_items(store, load_actor(store.db, "S100"), TODAY)]
    finally:
        store.close()
    assert note.incoming == "PC1000" and note.sessions and note.head_teacher
    assert all(not d.provisional for d in note.deadlines)
    assert ("handover_note", str(hid)) in pc1000
    assert "challenge_result" in s100


def test_terms_agree_with_the_demo_calendar():
    from slo.services.demo.calendar import is_school_day, terms

    spans = terms(date(2025, 11, 28), date(2027, 5, 1))
    assert spans[0][0] == date(2025, 9, 1) and spans[-1][1] == date(2027, 7, 21)
    assert all(a.weekday() < 5 and b.weekday() < 5 and a <= b for a, b in spans)
    assert all(b1 < a2 for (_a1, b1), (a2, _b2) in zip(spans, spans[1:], strict=False))
    day = spans[0][0]
    while day <= spans[-1][1]:
        inside = any(a <= day <= b for a, b in spans)
        assert not is_school_day(day) or inside, day
        day += timedelta(days=1)


def test_the_command_waits_for_the_early_caseload_read_before_it_closes_the_store(tmp_path, monkeypatch):
    """A desk that ends before its first screen took the caseload read early (here: at once) must not
    have its store closed under that read (a segmentation fault in SQLite, seen in CI)."""
    import threading

    from slo.services.queries import home

    started, release, finished = threading.Event(), threading.Event(), []
    real = home.caseload

    def slow_caseload(*args, **kwargs):
        started.set()
        assert release.wait(10)
        rows = real(*args, **kwargs)
        finished.append(len(rows))
        return rows

    def run_desk(store, actor, exports, **identity):
        assert started.wait(10)
        threading.Timer(0.2, release.set).start()  # the read ends after the desk has
        return 0

    monkeypatch.setattr(home, "caseload", slow_caseload)
    fake = types.ModuleType("slo.tui.app")
    fake.run_desk = run_desk
    monkeypatch.setitem(sys.modules, "slo.tui.app", fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLO_DB", raising=False)
    monkeypatch.delenv("SLO_USER", raising=False)
    assert main(["--demo"]) == 0
    assert finished and finished[0] > 0  # the read finished, on an open store, before main returned
