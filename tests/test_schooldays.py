"""School-day arithmetic, term dates (import, entry) and exclusion deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from slo.cli.main import main
from slo.models.rules import ValidationFailed
from slo.services import schooldays as S
from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied
from slo.services.schooldays import SchoolCalendar

#: Camden-like 2025-26 term dates, half-terms as separate rows
CAMDEN = [
    ("2025-09-03", "2025-10-24"), ("2025-11-03", "2025-12-19"),
    ("2026-01-05", "2026-02-13"), ("2026-02-23", "2026-03-27"),
    ("2026-04-13", "2026-05-22"), ("2026-06-01", "2026-07-21"),
]


def d(text: str) -> date:
    return date.fromisoformat(text)


def camden() -> SchoolCalendar:
    return SchoolCalendar("Camden", [(d(a), d(b)) for a, b in CAMDEN])


def write_csv(path, rows, header="local_authority,term_start,term_end"):
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------- arithmetic


def test_bank_holidays_england_and_wales_cached():
    eng = S.bank_holidays(2026, "ENG")
    assert d("2026-04-06") in eng  # Easter Monday
    assert d("2026-05-25") in eng  # late May (spring) bank holiday
    assert d("2026-04-07") not in eng
    assert S.bank_holidays(2026, "ENG") is eng  # cached per year
    assert d("2026-04-06") in S.bank_holidays(2026, "WLS")
    assert S.nation_of("Cardiff") == "WLS" and S.nation_of("camden") == "ENG" and S.nation_of(None) == "ENG"


def test_easter_without_term_dates_is_provisional():
    cal = SchoolCalendar(None)
    # Thu 2 Apr day 1; Good Friday and Easter Monday skipped
    assert cal.nth_school_day(d("2026-04-02"), 6) == (d("2026-04-13"), True)
    assert not cal.is_school_day(d("2026-04-06"))
    assert cal.is_school_day(d("2026-04-07"))


def test_exclusion_day_counts_as_day_one_only_if_school_day():
    cal = SchoolCalendar(None)
    assert cal.nth_school_day(d("2026-01-12"), 1) == (d("2026-01-12"), True)  # Monday
    assert cal.nth_school_day(d("2026-01-10"), 1)[0] == d("2026-01-12")       # Saturday
    assert cal.nth_school_day(d("2026-01-10"), 6)[0] == d("2026-01-19")


def test_half_term_with_and_without_term_dates():
    start = d("2026-02-11")  # Wednesday before the February half-term
    assert camden().nth_school_day(start, 6) == (d("2026-02-25"), False)
    assert SchoolCalendar(None).nth_school_day(start, 6) == (d("2026-02-18"), True)


def test_year_boundary_with_and_without_term_dates():
    start = d("2025-12-17")
    assert camden().nth_school_day(start, 6) == (d("2026-01-07"), False)
    # without terms: Christmas, Boxing Day and New Year's Day are skipped, the rest count
    assert SchoolCalendar(None).nth_school_day(start, 6) == (d("2025-12-24"), True)
    assert SchoolCalendar(None).nth_school_day(start, 15) == (d("2026-01-09"), True)
    assert camden().nth_school_day(start, 15) == (d("2026-01-20"), False)


def test_late_may_bank_holiday_inside_a_term():
    cal = SchoolCalendar("Testshire", [(d("2026-04-13"), d("2026-07-21"))])
    assert not cal.is_school_day(d("2026-05-25"))
    assert cal.nth_school_day(d("2026-05-21"), 6) == (d("2026-05-29"), False)


def test_outside_imported_range_is_provisional():
    cal = camden()
    assert cal.nth_school_day(d("2026-07-20"), 6) == (d("2026-07-27"), True)  # runs past the last term
    assert cal.nth_school_day(d("2026-09-07"), 1) == (d("2026-09-07"), True)
    assert cal.count_school_days(d("2026-02-16"), d("2026-02-20")) == (0, False)


def test_academic_year_and_terms():
    assert S.academic_year(d("2026-08-31")) == (d("2025-09-01"), d("2026-08-31"))
    assert S.academic_year(d("2026-09-01")) == (d("2026-09-01"), d("2027-08-31"))
    assert S.term_of(d("2026-04-06")) == (d("2026-01-01"), d("2026-04-06"))
    assert S.term_of(d("2026-04-07"))[0] == d("2026-04-07")
    assert S.term_of(d("2025-10-01")) == (d("2025-09-01"), d("2025-12-31"))


# --------------------------------------------------------------------- term dates


def test_import_term_dates_then_deadlines_use_them(loaded_store, tmp_path):
    admin = load_actor(loaded_store.db, "A1")
    csv_file = write_csv(tmp_path / "terms.csv", [("Camden", a, b) for a, b in CAMDEN])
    assert S.import_term_dates(loaded_store, admin, csv_file) == 6
    assert [(t.term_start, t.term_end) for t in S.list_terms(loaded_store.db, "camden")][0] == (
        d("2025-09-03"), d("2025-10-24"))
    # CON-1 (school in Camden) is a suspension from 2026-01-08 of unknown length
    [day6] = S.deadlines_for(loaded_store.db, "CON-1")
    assert day6.kind == "provision_day6" and day6.due_on == d("2026-01-15") and not day6.provisional
    audit = loaded_store.db.execute(
        "SELECT operation, key, detail FROM audit WHERE entity = 'term_dates'").fetchall()
    assert audit == [("import", "Camden", '{"rows":6}')]
    # re-import replaces same-start terms, adds nothing twice
    assert S.import_term_dates(loaded_store, admin, csv_file) == 6
    assert len(S.list_terms(loaded_store.db)) == 6


def test_bad_rows_refused_with_line_numbers_nothing_written(loaded_store, tmp_path):
    admin = load_actor(loaded_store.db, "A1")
    csv_file = write_csv(tmp_path / "bad.csv", [
        ("Camden", "2025-09-03", "2025-10-24"),      # line 2 fine
        ("Camden", "2025-13-01", "2025-12-19"),      # line 3 bad date
        ("Camden", "2026-01-05", "2026-01-01"),      # line 4 end before start
        ("Camden", "2025-10-20", "2025-10-31"),      # line 5 overlaps line 2
        ("", "2026-02-23", "2026-03-27"),            # line 6 empty authority
    ])
    with pytest.raises(ValidationFailed) as caught:
        S.import_term_dates(loaded_store, admin, csv_file)
    where = [p.key for p in caught.value.problems]
    assert where == ["line 3", "line 4", "line 5", "line 6"]
    assert loaded_store.db.execute("SELECT count(*) FROM term_dates").fetchone()[0] == 0


def test_bad_header_refused(loaded_store, tmp_path):
    admin = load_actor(loaded_store.db, "A1")
    f = write_csv(tmp_path / "h.csv", [("Camden", "2025-09-03", "2025-10-24")], header="la,start,end")
    with pytest.raises(ValidationFailed, match="line 1"):
        S.import_term_dates(loaded_store, admin, f)


def test_overlap_with_stored_terms_refused(loaded_store, tmp_path):
    admin = load_actor(loaded_store.db, "A1")
    S.add_term(loaded_store, admin, "Camden", d("2025-09-03"), d("2025-10-24"))
    f = write_csv(tmp_path / "o.csv", [("CAMDEN", "2025-10-01", "2025-10-30")])
    with pytest.raises(ValidationFailed, match="line 2.*overlaps existing term 2025-09-03"):
        S.import_term_dates(loaded_store, admin, f)
    with pytest.raises(ValidationFailed, match="overlaps"):
        S.add_term(loaded_store, admin, "Camden", d("2025-10-20"), d("2025-11-20"))
    S.delete_term(loaded_store, admin, "Camden", d("2025-09-03"))
    assert S.list_terms(loaded_store.db) == []


def test_only_admin_manages_term_dates(loaded_store, tmp_path):
    slo = load_actor(loaded_store.db, "PC1000")
    f = write_csv(tmp_path / "t.csv", [("Camden", "2025-09-03", "2025-10-24")])
    with pytest.raises(PermissionDenied):
        S.import_term_dates(loaded_store, slo, f)
    with pytest.raises(PermissionDenied):
        S.add_term(loaded_store, slo, "Camden", d("2025-09-03"), d("2025-10-24"))
    assert loaded_store.db.execute("SELECT count(*) FROM term_dates").fetchone()[0] == 0
    refused = loaded_store.db.execute(
        "SELECT count(*) FROM audit WHERE operation = 'refused' AND actor = 'PC1000'").fetchone()[0]
    assert refused == 2


def test_cli_terms_import_and_list(loaded_store, db_path, tmp_path, capsys):
    loaded_store.close()
    good = write_csv(tmp_path / "t.csv", [("Camden", a, b) for a, b in CAMDEN])
    assert main(["--db", str(db_path), "--user", "A1", "terms", "import", str(good)]) == 0
    assert "imported 6 term(s)" in capsys.readouterr().err
    assert main(["--db", str(db_path), "terms", "list", "--la", "Camden"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[:3] == ["Camden", "2025-09-03", "2025-10-24"] and len(out) == 6
    bad = write_csv(tmp_path / "b.csv", [("Camden", "2026-09-02", "not-a-date")])
    assert main(["--db", str(db_path), "--user", "A1", "terms", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "term_end" in err and "Traceback" not in err
    assert main(["--db", str(db_path), "--user", "PC1000", "terms", "import", str(good)]) == 1
    assert "may not" in capsys.readouterr().err


# --------------------------------------------------------------------- deadlines


def _suspension(ref, start, days, yp="YP-0001", outcome="suspension"):
    return {"ref": ref, "young_person": yp, "school": "100000", "officer": "PC1000",
            "consulted_on": start, "consulted_by": None, "timing": "after_decision",
            "proposed": outcome, "reasons": ["DB"], "suspension_days": days, "risk_factors": None,
            "advice": None, "outcome": outcome, "outcome_on": start, "follow_up_on": None}


@pytest.fixture
def suspended_store(store, small_bundle):
    from slo.services.bundle import import_bundle

    small_bundle["consultations"] = [
        _suspension("SUS-1", "2025-10-06", 15),
        _suspension("SUS-2", "2026-01-12", 10),
        _suspension("SUS-3", "2026-02-02", 6),    # spring term: 16 days -> governors
        _suspension("SUS-4", "2026-03-02", 10),   # year: 41 -> cap warning
        _suspension("SUS-5", "2026-09-14", 15),   # next academic year: starts again
    ]
    small_bundle["referrals"] = []
    import_bundle(store, small_bundle, None)
    return store


def test_governors_review_when_term_total_passes_15(suspended_store):
    db = suspended_store.db
    kinds = lambda ref: sorted(x.kind for x in S.deadlines_for(db, ref))  # noqa: E731
    assert kinds("SUS-1") == ["provision_day6"]  # 15 in autumn: not past 15
    assert kinds("SUS-2") == ["provision_day6"]
    assert kinds("SUS-3") == ["governors_review", "provision_day6"]
    gov = next(x for x in S.deadlines_for(db, "SUS-3") if x.kind == "governors_review")
    assert gov.due_on == d("2026-02-20") and gov.provisional  # no term dates: 15th weekday from Mon 2 Feb
    assert "16" in gov.title


def test_suspension_cap_across_one_year_not_two(suspended_store):
    from slo.services.consultations import suspension_days_in_year

    db = suspended_store.db
    assert suspension_days_in_year(db, "YP-0001", d("2026-06-01")) == 41
    assert suspension_days_in_year(db, "YP-0001", d("2026-09-01")) == 15
    cap = [x for x in S.deadlines_for(db, "SUS-4") if x.kind == "suspension_cap"]
    assert len(cap) == 1 and cap[0].due_on == d("2026-03-02") and "41" in cap[0].title
    assert not [x for x in S.deadlines_for(db, "SUS-3") if x.kind == "suspension_cap"]
    assert not [x for x in S.deadlines_for(db, "SUS-5") if x.kind == "suspension_cap"]
    every = S.deadlines_for_young_person(db, "YP-0001")
    assert every == sorted(every, key=lambda x: (x.due_on, x.kind, x.ref))
    assert {x.ref for x in every} >= {"SUS-1", "SUS-4", "SUS-5"}


def test_short_suspension_has_no_day6_and_permanent_exclusion_has_both(suspended_store, small_bundle):
    from slo.services.bundle import import_bundle

    bundle = {"format": "slo-bundle/1", "consultations": [
        _suspension("SUS-9", "2026-05-04", 3), _suspension("PX-1", "2026-05-21", None, outcome="permanent_exclusion")]}
    import_bundle(suspended_store, bundle, load_actor(suspended_store.db, "A1"))
    # 3 days: no 6th-day provision; but the year now totals 44 (Mon 4 May is a bank holiday)
    [cap] = S.deadlines_for(suspended_store.db, "SUS-9")
    assert (cap.kind, cap.due_on) == ("suspension_cap", d("2026-05-05")) and "44" in cap.title
    px = {x.kind: x.due_on for x in S.deadlines_for(suspended_store.db, "PX-1")}
    # Thu 21 May; Mon 25 May bank holiday skipped
    assert px == {"provision_day6": d("2026-05-29"), "governors_review": d("2026-06-11")}
