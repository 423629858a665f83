"""`slo schools import-gias`: the DfE GIAS establishment extract, as downloaded.

Real samples of the two extracts are in tests/data/gias (copied from GIAS;
tests/data/README.md); the fixtures under tests/data/ (written by
tests/data/make_gias_fixtures.py) cover Windows-1252 / UTF-8-with-BOM text and
a 130-column extract whose columns are in another order.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from slo.cli.main import main
from slo.models import ValidationFailed
from slo.services import gias
from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied

SHARED_GIAS = Path(__file__).parent / "data" / "gias"
STATE_FUNDED = SHARED_GIAS / "edubaseallstatefunded_sample.csv"
ACADEMIES = SHARED_GIAS / "edubaseallacademiesandfree_sample.csv"
DATA = Path(__file__).parent / "data"
CP1252 = DATA / "gias_cp1252.csv"
UTF8_BOM = DATA / "gias_utf8_bom.csv"
WIDE = DATA / "gias_wide.csv"


def schools(db) -> dict[str, dict]:
    cur = db.execute("SELECT * FROM schools ORDER BY urn")
    cols = [c[0] for c in cur.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in cur}


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def audit_rows(db, after_id: int = 0) -> list[dict]:
    cur = db.execute("SELECT * FROM audit WHERE id > ? ORDER BY id", [after_id])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


def max_audit(db) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


def csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("cp1252"), newline="")))


def line_of(path: Path, encoding: str, starts_with: str) -> int:
    """The 1-based physical line on which a record starting with ``starts_with`` begins."""
    lines = path.read_bytes().decode(encoding).split("\r\n")
    return next(i for i, line in enumerate(lines, 1) if line.startswith(starts_with))


@pytest.fixture
def admin(loaded_store):
    return load_actor(loaded_store.db, "A1")


# --- the real samples ---------------------------------------------------------------------


def test_real_samples_are_what_the_import_expects():
    data = STATE_FUNDED.read_bytes()
    assert b"\r\n" in data and data.startswith(b'"URN",')
    assert len(csv_rows(STATE_FUNDED)[0]) == 33
    assert len(csv_rows(ACADEMIES)[0]) == 34


def test_state_funded_sample_into_a_database(loaded_store, admin):
    db = loaded_store.db
    before = schools(db)
    assignments_before = db.execute("SELECT * FROM assignments ORDER BY id").fetchall()
    rows = csv_rows(STATE_FUNDED)
    result = gias.import_gias(loaded_store, admin, STATE_FUNDED)
    after = schools(db)
    urns = {r["URN"] for r in rows}
    assert set(result.added) == urns - set(before)
    assert set(result.updated) == urns & set(before)  # 100000 was "Northgate Academy"
    assert result.skipped == [] and result.closed_skipped == 0
    assert set(after) == set(before) | urns
    for r in rows:
        assert after[r["URN"]]["name"] == r["EstablishmentName"]
        assert after[r["URN"]]["local_authority"] == r["LA (name)"]
        assert after[r["URN"]]["postcode"] == r["Postcode"]
    # the school already in the database keeps what was set locally
    assert after["100000"]["uniform_policy"] == before["100000"]["uniform_policy"]
    assert after["100000"]["head_teacher_email"] == "head@northgate.example"
    assert after["100000"]["head_teacher"] == "Miss Alexandra Allan"
    # messy head names: empty title, job titles never used as salutations
    assert after["100013"]["head_teacher"] == "Ruby Nasser"
    assert after["100007"]["head_teacher"] == "Mr John Hayes"
    # phases
    assert after["100006"]["phase"] == "alternative_provision"  # Pupil referral unit
    assert after["100005"]["phase"] == "other"  # Nursery
    assert after["100008"]["phase"] == "primary"
    # assignments are never touched
    assert db.execute("SELECT * FROM assignments ORDER BY id").fetchall() == assignments_before


def test_academies_sample_phases_and_titles(loaded_store, admin):
    gias.import_gias(loaded_store, admin, ACADEMIES)
    after = schools(loaded_store.db)
    rows = {r["URN"]: r for r in csv_rows(ACADEMIES)}
    assert set(rows) <= set(after)
    assert after["134314"]["phase"] == "all_through"
    assert after["105135"]["phase"] == "secondary"
    assert after["130908"]["head_teacher"] == "Mrs R Coning"  # initials kept
    assert rows["134311"]["HeadTitle (name)"] == "Principal"
    assert after["134311"]["head_teacher"] == "Emma Robinson"  # job title dropped


def test_importing_the_same_file_twice_changes_nothing(loaded_store, admin):
    gias.import_gias(loaded_store, admin, STATE_FUNDED)
    db = loaded_store.db
    snapshot, mark = schools(db), max_audit(db)
    again = gias.import_gias(loaded_store, admin, STATE_FUNDED)
    assert again.added == [] and again.updated == []
    assert again.unchanged == len(csv_rows(STATE_FUNDED))
    assert schools(db) == snapshot
    new_audit = audit_rows(db, mark)
    assert [(r["operation"], r["entity"]) for r in new_audit] == [("import", "gias")]


def test_every_created_and_updated_school_is_audited_without_personal_data(loaded_store, admin):
    db = loaded_store.db
    mark = max_audit(db)
    result = gias.import_gias(loaded_store, admin, STATE_FUNDED)
    rows = audit_rows(db, mark)
    created = {r["key"] for r in rows if r["operation"] == "create" and r["entity"] == "schools"}
    updated = {r["key"] for r in rows if r["operation"] == "update" and r["entity"] == "schools"}
    assert created == set(result.added) and updated == set(result.updated)
    assert all(r["actor"] == "A1" for r in rows)
    update_detail = json.loads(next(r["detail"] for r in rows if r["operation"] == "update"))
    assert update_detail["source"] == "gias"
    assert set(update_detail["fields"]) == {"name", "head_teacher", "postcode", "local_authority", "phase"}
    texts = " ".join(r["detail"] or "" for r in rows)
    assert "Allan" not in texts and "Alexandra" not in texts
    from slo.services.audit import verify_chain

    assert verify_chain(db).ok


# --- encodings and wide extracts ----------------------------------------------------------


def test_cp1252_fixture_is_really_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        CP1252.read_bytes().decode("utf-8")
    assert UTF8_BOM.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("path, encoding", [(CP1252, "windows-1252"), (UTF8_BOM, "utf-8"), (WIDE, "windows-1252")])
def test_windows_1252_utf8_bom_and_130_columns_give_the_same_schools(loaded_store, admin, path, encoding):
    result = gias.import_gias(loaded_store, admin, path)
    assert result.encoding == encoding
    after = schools(loaded_store.db)
    assert after["100100"]["name"] == "École Saint-Benoît"
    assert after["100100"]["head_teacher"] == "Zoë O’Brien"  # "Headteacher" is not a salutation
    assert not any(name.startswith("\ufeff") for name in after)


def test_the_three_fixtures_import_identically(tmp_path):
    from slo.store.db import open_store

    results = []
    for path in (CP1252, UTF8_BOM, WIDE):
        s = open_store(tmp_path / path.stem / "slo.db")
        try:
            r = gias.import_gias(s, gias_system_actor(), path)
            results.append((schools(s.db), sorted(r.added), [str(x) for x in r.skipped], r.closed_skipped))
        finally:
            s.close()
    assert results[0] == results[1] == results[2]
    assert len(results[0][0]) >= 10


def gias_system_actor():
    from slo.services.actors import SYSTEM

    return SYSTEM


def test_wide_fixture_has_130_columns_in_another_order():
    header = next(csv.reader(io.StringIO(WIDE.read_bytes().decode("cp1252"))))
    assert len(header) == 130
    assert header.index("URN") != 0
    assert set(gias.REQUIRED_COLUMNS) <= set(header)


# --- the row rules ------------------------------------------------------------------------


def test_fixture_rules_phases_closed_bad_rows_and_line_numbers(loaded_store, admin):
    db = loaded_store.db
    before = schools(db)
    result = gias.import_gias(loaded_store, admin, CP1252)
    after = schools(db)
    phases = {urn: after[urn]["phase"] for urn in after}
    assert phases["100006"] == "alternative_provision"
    assert phases["100100"] == "secondary"  # Middle deemed secondary
    assert phases["100101"] == "special"  # Community special school beats the phase column
    assert phases["100102"] == "post16"
    assert phases["100103"] == "all_through"
    assert phases["100106"] == "alternative_provision"
    assert phases["100107"] == "primary"  # Middle deemed primary
    assert phases["100108"] == "other"  # Nursery
    # titles and "Not applicable"
    assert after["100102"]["head_teacher"] == "Dr Ann Lee"
    assert after["100101"]["head_teacher"] == "R Patel"
    assert after["100103"]["head_teacher"] is None
    assert after["100108"]["local_authority"] is None
    # a quoted field over two lines did not break the row
    assert after["100102"]["postcode"] == "NW1 1AA"
    # closed: skipped unless already known; a known one is refreshed and kept
    assert "100104" not in after and result.closed_skipped == 1
    assert result.closed_kept == ["100001"]
    assert after["100001"]["name"] == "Southfield Primary School"
    assert after["100001"]["uniform_policy"] == before["100001"]["uniform_policy"] == "plain_clothes_only"
    # unusable rows, each with the physical line it starts on
    by_reason = {s.urn: s for s in result.skipped}
    assert set(by_reason) == {"12345", "100105", "100107"}
    assert by_reason["12345"].line == line_of(CP1252, "cp1252", '"12345"')
    assert by_reason["12345"].reason == "urn: '12345' should be a 6-digit URN"
    assert by_reason["100105"].line == line_of(CP1252, "cp1252", '"100105"')
    assert by_reason["100105"].reason == "name: is empty"
    first_vale = line_of(CP1252, "cp1252", '"100107"')
    assert by_reason["100107"].line > first_vale
    assert f"first on line {first_vale}" in by_reason["100107"].reason
    assert after["100107"]["name"] == "Vale Middle School"
    assert "12345" not in after and "100105" not in after


def test_a_bad_row_for_a_known_school_leaves_it_alone(loaded_store, admin, tmp_path):
    text = CP1252.read_bytes().decode("cp1252")
    header = text.split("\r\n")[0]
    cols = next(csv.reader([header]))
    values = {c: "" for c in cols}
    values.update({"URN": "100000", "EstablishmentName": "", "TypeOfEstablishment (name)": "Academy",
                   "EstablishmentStatus (name)": "Open", "PhaseOfEducation (name)": "Secondary"})
    path = tmp_path / "one.csv"
    path.write_bytes((header + "\r\n" + ",".join(f'"{values[c]}"' for c in cols) + "\r\n").encode("cp1252"))
    before = schools(loaded_store.db)
    result = gias.import_gias(loaded_store, admin, path)
    assert [(s.line, s.urn) for s in result.skipped] == [(2, "100000")]
    assert schools(loaded_store.db) == before


def test_short_rows_and_blank_lines(loaded_store, admin, tmp_path):
    header = STATE_FUNDED.read_bytes().decode("cp1252").split("\r\n")[0]
    good = STATE_FUNDED.read_bytes().decode("cp1252").split("\r\n")[2]  # URN 100005
    path = tmp_path / "short.csv"
    path.write_bytes("\r\n".join([header, '100999,"201","Camden"', "", good, ""]).encode("cp1252"))
    result = gias.import_gias(loaded_store, admin, path)
    assert [(s.line, s.urn) for s in result.skipped] == [(2, "100999")]
    assert "3 fields" in result.skipped[0].reason and "33" in result.skipped[0].reason
    assert result.added == ["100005"]


def test_missing_columns_refuse_the_whole_file_and_write_nothing(loaded_store, admin, tmp_path):
    rows = list(csv.reader(io.StringIO(STATE_FUNDED.read_bytes().decode("cp1252"), newline="")))
    drop = rows[0].index("PhaseOfEducation (name)")
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([r[:drop] + r[drop + 1 :] for r in rows])
    path = tmp_path / "no_phase.csv"
    path.write_bytes(out.getvalue().encode("cp1252"))
    db = loaded_store.db
    before, audits = schools(db), count(db, "audit")
    with pytest.raises(ValidationFailed) as info:
        gias.import_gias(loaded_store, admin, path)
    assert "PhaseOfEducation (name)" in str(info.value) and "no_phase.csv" in str(info.value)
    assert schools(db) == before and count(db, "audit") == audits


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b'"URN","Name"\r\n"100000","X"\r\n', "missing column"),
        ('"URN"\r\n"\u00e9"'.encode("cp1252") + b"\x81", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_unreadable_files_are_refused(loaded_store, admin, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as info:
        gias.import_gias(loaded_store, admin, path)
    assert words in str(info.value)


def test_needs_permission_manage(loaded_store):
    db = loaded_store.db
    officer = load_actor(db, "PC1000")
    before = schools(db)
    mark = max_audit(db)
    with pytest.raises(PermissionDenied):
        gias.import_gias(loaded_store, officer, STATE_FUNDED)
    assert schools(db) == before
    assert [(r["operation"], r["actor"]) for r in audit_rows(db, mark)] == [("refused", "PC1000")]


@pytest.mark.parametrize(
    "title, first, last, expected",
    [
        ("Miss", "Alexandra", "Allan", "Miss Alexandra Allan"),
        ("", "Ruby", "Nasser", "Ruby Nasser"),
        ("Headteacher", "Zoë", "O’Brien", "Zoë O’Brien"),
        ("Executive Head", "John", "Hayes", "John Hayes"),
        ("Not applicable", "Jo", "Bloggs", "Jo Bloggs"),
        ("mrs.", "R", "Coning", "Mrs R Coning"),
        ("Dr", "", "Lee", "Dr Lee"),
        ("Mr", "", "", None),
        ("Mr", "Not applicable", "Not applicable", None),
        ("Ms", " Sally\tHill ", "/ Ms Natalie  Stevenson", "Ms Sally Hill / Ms Natalie Stevenson"),
        ("Mr", "A\x1b]0;pwned\x07", "B", "Mr A]0;pwned B"),
    ],
)
def test_head_teacher_names(title, first, last, expected):
    assert gias.head_teacher(title, first, last) == expected


@pytest.mark.parametrize(
    "type_name, phase_name, expected",
    [
        ("Community special school", "Primary", "special"),
        ("Academy special converter", "Secondary", "special"),
        ("Non-maintained special school", "Not applicable", "special"),
        ("Pupil referral unit", "Not applicable", "alternative_provision"),
        ("Free schools alternative provision", "Secondary", "alternative_provision"),
        ("Community school", "Primary", "primary"),
        ("Foundation school", "Middle deemed primary", "primary"),
        ("Academy converter", "Secondary", "secondary"),
        ("Foundation school", "Middle deemed secondary", "secondary"),
        ("Academy sponsor led", "All-through", "all_through"),
        ("Further education", "16 plus", "post16"),
        ("Local authority nursery school", "Nursery", "other"),
        ("Academy converter", "Not applicable", "other"),
        ("", "", "other"),
    ],
)
def test_phase_rules(type_name, phase_name, expected):
    assert gias.phase_of(type_name, phase_name).value == expected


def test_decode_prefers_utf8_then_cp1252():
    assert gias.decode("É’".encode("utf-8-sig")) == ("É’", "utf-8")
    assert gias.decode("É’".encode()) == ("É’", "utf-8")
    assert gias.decode("Zoë O’Brien".encode("cp1252")) == ("Zoë O’Brien", "windows-1252")
    assert gias.decode(b"plain") == ("plain", "ascii")
    # a UTF-8 byte-order mark in front of Windows-1252 bytes is dropped, not read as "ï»¿"
    assert gias.decode(b"\xef\xbb\xbf" + "Zoë".encode("cp1252")) == ("Zoë", "windows-1252")
    with pytest.raises(ValueError, match="0x8d"):
        gias.decode(b"abc\x8d")


# --- the command --------------------------------------------------------------------------


def cli(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), *args])


def test_cli_import_gias_prints_a_summary_on_stderr(loaded_store, db_path, capsys):
    capsys.readouterr()
    rc = cli(db_path, "--user", "A1", "schools", "import-gias", str(CP1252))
    out, errtext = capsys.readouterr()
    assert rc == 0 and out == ""
    first = errtext.splitlines()[0]
    assert "windows-1252" in first
    assert "added" in first and "updated" in first and "unchanged" in first and "skipped" in first
    line = line_of(CP1252, "cp1252", '"12345"')
    assert f"skipped line {line} (URN 12345)" in errtext
    assert "100001" in errtext  # closed but kept


@pytest.mark.parametrize(
    "args, words",
    [
        (["--user", "PC1000"], "may not manage"),
        ([], "needs a user"),
        (["--user", "NOBODY"], "not 'NOBODY'"),
    ],
)
def test_cli_refusals_exit_1_with_one_line(loaded_store, db_path, capsys, args, words):
    capsys.readouterr()
    before = schools(loaded_store.db)
    rc = cli(db_path, *args, "schools", "import-gias", str(CP1252))
    _, errtext = capsys.readouterr()
    assert rc == 1
    assert len(errtext.strip().splitlines()) == 1 and words in errtext
    assert "Traceback" not in errtext
    assert schools(loaded_store.db) == before


def test_cli_bad_file_exit_1(loaded_store, db_path, capsys, tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert cli(db_path, "--user", "A1", "schools", "import-gias", str(path)) == 1
    assert cli(db_path, "--user", "A1", "schools", "import-gias", str(tmp_path / "missing.csv")) == 1
    errtext = capsys.readouterr().err
    lines = errtext.strip().splitlines()
    assert len(lines) == 2 and "missing column" in lines[0] and "file not found" in lines[1]


def test_cli_usage_error_exit_2(loaded_store, db_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli(db_path, "--user", "A1", "schools", "import-gias")
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err
