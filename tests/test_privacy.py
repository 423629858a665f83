"""One name matcher for the calendar guard, the forms' warning and erasure (issue 18, items 10 and 11).

Names are found as whole words, whatever their case or accents, among every young person in the
database; erasure redacts the given name and short family names too, rewrites the calendars that
carried the child and says which earlier copies may still hold their data. Real SQLite files, the
real CLI, and the real .ics files parsed with icalendar.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slo.cli.main import main
from slo.models import Consultation, Engagement, YoungPerson
from slo.services.actors import BOOTSTRAP
from slo.services.privacy import COMMON_WORDS, NameMatcher, fold, fold_word, names_in_text
from slo.services.records import save

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _yp(store, ref, given_name, family, school=None):
    save(store, BOOTSTRAP, YoungPerson(ref=ref, given_name=given_name, family_name=family, school=school))


def _engagement(store, ref, title, *, school="100000", officer="PC1000", notes=None, day="2026-12-10"):
    save(store, BOOTSTRAP, Engagement(
        ref=ref, officer=officer, school=school, young_person=None, kind="meeting", title=title,
        starts_at=f"{day}T10:00", ends_at=f"{day}T11:00", status="planned", notes=notes))


# ---------------------------------------------------------------- the matcher


def test_whole_words_any_case_any_accents():
    m = NameMatcher.of_people([("A", "Finley", "Patel"), ("B", "Zoë", "Brontë"), ("C", "Priya", "Kaur-Singh"),
                               ("D", "Siobhán", "O'Neill"), ("E", "Rileyx", "Jones")])
    assert m.refs("Meeting with head about Finley Patel (other school)") == {"A"}
    assert m.refs("Parent meeting re Zoe Bronte") == {"B"}
    assert m.refs("ZOË") == {"B"} and m.refs("brontë's mum") == {"B"}
    assert m.refs("see kaur singh") == {"C"} and m.refs("see Kaur-Singh") == {"C"} and m.refs("KaurSingh") == {"C"}
    assert m.refs("see Kaur") == set()  # one word of a two-word name is not the name
    assert m.refs("O'Neill") == {"D"} and m.refs("ONeill") == {"D"} and m.refs("siobhan") == {"D"}
    assert m.refs("Assembly (Rileyx asked questions)") == {"E"}
    assert m.refs("Alexander and Finleys and Patelson") == set()
    assert m.redact("Chat with FINLEY, then Patel's teacher") == ("Chat with [erased], then [erased]'s teacher", 2)


def test_common_words_count_only_when_capitalised_and_short_names_from_two_letters():
    m = NameMatcher.of_people([("W", "Will", "Smith"), ("H", "Hope", "Ng"), ("L", "Al", "Li"), ("X", "J", "Q")])
    assert m.refs("we will visit; hope and resilience; smith's forge") == set()
    assert m.refs("Will visit") == {"W"} and m.refs("HOPE") == {"H"} and m.refs("Mr Smith") == {"W"}
    assert m.refs("will smith") == {"W"}  # the full name counts in any case
    assert m.refs("ng") == {"H"} and m.refs("Al and li") == {"L"}
    assert m.refs("j q") == {"X"} and m.refs("J") == set()  # one letter alone is never a name


names = st.text(st.characters(whitelist_categories=["Lu", "Ll"], max_codepoint=0x17F), min_size=2, max_size=10)


def _variants(name: str) -> st.SearchStrategy[str]:
    no_accents = "".join(c for c in unicodedata.normalize("NFKD", name) if c.isalnum())  # as people type it
    return st.sampled_from([name, name.upper(), name.lower(), name.capitalize(), no_accents, no_accents.upper(),
                            unicodedata.normalize("NFD", name)])


@settings(max_examples=200, **SETTINGS)
@given(data=st.data(), given_name=names, family=names)
def test_any_spelling_of_a_name_is_found_and_nothing_around_it(data, given_name, family):
    assume(fold(given_name) not in COMMON_WORDS and fold(family) not in COMMON_WORDS)
    around = {"meeting", "with", "re", "about", "the", "trip", "s", "mum", "then"}  # the words put around it
    assume(not {fold_word(w) for n in (given_name, family) for w in n.split()} & around)
    m = NameMatcher.of_people([("R", given_name, family)])
    spelled = data.draw(_variants(data.draw(st.sampled_from([given_name, family]))), label="spelled")
    before = data.draw(st.sampled_from(["", "Meeting with ", "(", "re: "]), label="before")
    after = data.draw(st.sampled_from(["", " about the trip", "'s mum", ")", ", then"]), label="after")
    text = before + spelled + after
    assert m.refs(text) == {"R"}, text
    redacted, n = m.redact(text)
    assert n == 1 and redacted == unicodedata.normalize("NFC", before) + "[erased]" + after
    # glued to more letters it is another word, not the name
    glued = data.draw(st.sampled_from(["zz", "ette", "son"]), label="glued")
    assume(fold(spelled + glued) not in (fold(given_name), fold(family)))
    assert m.refs(before + spelled + glued + after) == set()


# ---------------------------------------------------------------- the forms' warning (every young person)


def test_names_in_text_checks_every_young_person_of_the_database(loaded_store):
    db = loaded_store.db
    # YP-0001 Alex Morgan is at 100000, assigned to PC1000; PC1001 has nothing to do with them
    assert names_in_text(db, "PC1000", "Chat with Alex about football") == ["YP-0001"]
    assert names_in_text(db, "PC1001", "MORGAN family meeting") == ["YP-0001"]
    assert names_in_text(db, "PC1001", "morgan.") == ["YP-0001"]
    assert names_in_text(db, "PC1000", "Alexander visits") == []
    assert names_in_text(db, "PC1000", "Morganite display") == []
    assert names_in_text(db, "PC1000", "") == []
    assert names_in_text(db, "PC1000", "School visit") == []


def test_names_in_text_sees_new_young_people_and_accents(loaded_store):
    _yp(loaded_store, "YP-0003", "Zoë", "Brontë", "100001")
    _yp(loaded_store, "YP-0004", "Priya", "Kaur-Singh", None)
    assert names_in_text(loaded_store.db, "PC1000", "Parent meeting re Zoe Bronte") == ["YP-0003"]
    assert names_in_text(loaded_store.db, "PC1000", "see kaur-singh") == ["YP-0004"]
    assert names_in_text(loaded_store.db, "PC1000", "see Kaur") == []


# ---------------------------------------------------------------- the calendar guard (item 11)


def _summaries(exports: Path) -> list[str]:
    out = []
    for path in sorted((exports / "calendars").glob("*.ics")):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        out += [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")]
    return out


@pytest.mark.parametrize("title, stored", [
    ("Meeting with head about Finley Patel (other school)", ("Finley", "Patel", "100001")),
    ("Parent meeting re Zoe Bronte", ("Zoë", "Brontë", None)),
    ("Catch up: RILEYX's attendance", ("Rileyx", "Jones", "100001")),
])
def test_a_title_naming_any_young_person_never_reaches_a_calendar(loaded_store, tmp_path, title, stored):
    _yp(loaded_store, "YP-0100", *stored)
    _engagement(loaded_store, "ENG-100", title)  # at 100000: the child is at another school, or none
    assert main(["--db", str(loaded_store.path), "--exports", str(tmp_path), "--user", "A1",
                 "export", "calendars"]) == 0
    summaries = _summaries(tmp_path)
    assert "Liaison officer: meeting" in summaries
    assert title not in summaries
    raw = b"".join(p.read_bytes() for p in (tmp_path / "calendars").glob("*.ics"))
    for word in (stored[0], stored[1], fold(stored[0]), fold(stored[1])):
        assert word.encode() not in raw and word.upper().encode() not in raw


@settings(max_examples=25, **SETTINGS)
@given(data=st.data(), given_name=names, family=names)
def test_the_guard_catches_generated_spellings_in_real_calendar_files(loaded_store, tmp_path_factory, data,
                                                                      given_name, family):
    assume(fold(given_name) not in COMMON_WORDS and fold(family) not in COMMON_WORDS)
    assume(len(fold(given_name)) >= 2 and len(fold(family)) >= 2)
    exports = tmp_path_factory.mktemp("guard")
    ref = f"YP-G{abs(hash((given_name, family))) % 10**8}"
    _yp(loaded_store, ref, given_name, family, data.draw(st.sampled_from(["100000", "100001", None])))
    spelled = data.draw(_variants(data.draw(st.sampled_from([given_name, family]))), label="spelled")
    title = f"Talk with {spelled} about the trip"
    eng = f"ENG-G{abs(hash(title)) % 10**8}"
    _engagement(loaded_store, eng, title, school="100000")
    from slo.calendars import export_calendars
    from slo.services.actors import load_actor

    export_calendars(loaded_store, load_actor(loaded_store.db, "A1"), exports)
    summaries = _summaries(exports)
    assert "Liaison officer: meeting" in summaries and title not in summaries


def test_titles_that_name_nobody_are_kept(loaded_store, tmp_path):
    _yp(loaded_store, "YP-0005", "Hope", "Will", "100000")
    kept = ["Assembly on hope and resilience", "We will visit Alexander House", "Morganite display"]
    for i, title in enumerate(kept):
        _engagement(loaded_store, f"ENG-K{i}", title, day=f"2026-12-1{i}")
    assert main(["--db", str(loaded_store.path), "--exports", str(tmp_path), "--user", "A1",
                 "export", "calendars"]) == 0
    assert set(kept) <= set(_summaries(tmp_path))


# ---------------------------------------------------------------- erasure (item 10)


def _file_bytes(path: Path) -> bytes:
    return b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal") if Path(str(path) + s).exists())


def test_erasure_leaves_no_name_behind_and_rewrites_the_calendar(loaded_store, tmp_path, capsys):
    db = str(loaded_store.path)
    with loaded_store.write() as w:
        w.execute("UPDATE young_people SET given_name = 'Rileyx' WHERE ref = 'YP-0001'")
    _engagement(loaded_store, "ENG-R", "Assembly (Rileyx asked questions)")
    _engagement(loaded_store, "ENG-S", "Visit", notes="rileyx and MORGAN's mum came", day="2026-12-11")
    _engagement(loaded_store, "ENG-O", "Assembly (Rileyx asked questions)", school="100001", officer="PC1001",
                day="2026-12-12")  # another school, another officer: another Rileyx, not this child
    exports = tmp_path / "exports"
    # a calendar published with the title before the guard knew better (written as by an older version)
    assert main(["--db", db, "--exports", str(exports), "--user", "A1", "export", "calendars"]) == 0
    cal = next((exports / "calendars").glob("100000-*.ics"))
    cal.write_bytes(cal.read_bytes().replace(b"SUMMARY:Liaison officer: meeting", b"SUMMARY:Assembly (Rileyx asked"))
    assert main(["--db", db, "--user", "A1", "backup", str(tmp_path / "b.db")]) == 0
    assert main(["--db", db, "--user", "A1", "export", "bundle", str(tmp_path / "x.json")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "--exports", str(exports), "--user", "A1", "erase", "YP-0001", "--yes"]) == 0
    err = capsys.readouterr().err
    conn = sqlite3.connect(db)
    titles = dict(conn.execute("SELECT ref, coalesce(title, '') || '|' || coalesce(notes, '') FROM engagements"))
    assert titles["ENG-R"] == "Assembly ([erased] asked questions)|"
    assert titles["ENG-S"] == "Visit|[erased] and [erased]'s mum came"
    assert titles["ENG-O"] == "Assembly (Rileyx asked questions)|"  # not connected to the child: kept
    # the calendar that carried the child was rewritten at once, and shows no trace of them
    assert "rewrote 1 calendar that carried YP-0001" in err
    text = cal.read_bytes()
    assert b"Rileyx" not in text and b"Morgan" not in text
    assert "[erased]" in str(icalendar.Calendar.from_ical(text).walk("VEVENT")[0].get("SUMMARY")) or any(
        "[erased]" in s for s in _summaries(exports))
    # the erasure names the earlier copies that may still hold the data
    assert "copies made before this erasure may still hold YP-0001's data" in err
    assert f"1 backup: {tmp_path / 'b.db'}" in err and f"1 bundle export: {tmp_path / 'x.json'}" in err
    assert "1 calendar: school 100000" in err
    # the database file holds no trace of the child's names either
    data = _file_bytes(loaded_store.path)
    assert data.count(b"Rileyx") == 1  # only ENG-O, the other school's own title
    assert b"Morgan" not in data
    assert main(["--db", db, "check"]) == 0


@settings(max_examples=20, **SETTINGS)
@given(data=st.data(), given_name=names, family=names)
def test_erasure_redacts_any_spelling_in_connected_texts(loaded_store, tmp_path_factory, data, given_name, family):
    assume(fold(given_name) not in COMMON_WORDS and fold(family) not in COMMON_WORDS)
    assume(len(fold(given_name)) >= 2 and len(fold(family)) >= 3 and fold(given_name) != fold(family))
    assume(not {fold(given_name), fold(family)} & {"erased", "visit", "the", "trip", "mum", "with"})
    ref = f"YP-E{abs(hash((given_name, family))) % 10**8}"
    _yp(loaded_store, ref, given_name, family, "100000")
    spelled = [data.draw(_variants(n), label="spelled") for n in (given_name, family)]
    eng = f"ENG-E{abs(hash(ref)) % 10**8}"
    _engagement(loaded_store, eng, f"Visit with {spelled[0]}", notes=f"{spelled[1]}'s mum, {spelled[0]} {spelled[1]}")
    from slo.services import retention
    from slo.services.actors import load_actor

    result = retention.erase_young_person(loaded_store, load_actor(loaded_store.db, "A1"), ref, vacuum=False)
    assert result.texts_redacted == 2
    title, notes = loaded_store.db.execute("SELECT title, notes FROM engagements WHERE ref = ?", [eng]).fetchone()
    assert title == "Visit with [erased]"
    assert notes == "[erased]'s mum, [erased]"
    assert NameMatcher.of_people([(ref, given_name, family)]).refs(title + " " + notes) == set()


def test_erasure_keeps_everyday_words_and_other_peoples_names(loaded_store):
    _yp(loaded_store, "YP-0007", "Will", "Green", "100000")
    _engagement(loaded_store, "ENG-W", "Assembly", notes="we will visit the green; Will said hi; Alexander came")
    save(loaded_store, BOOTSTRAP, Consultation(
        ref="CON-W", young_person="YP-0001", school="100000", officer="PC1000", consulted_on="2026-03-02",
        timing="before_decision", proposed="suspension", reasons=["DB"], advice="Spoke to Will Green's carer"))
    from slo.services import retention
    from slo.services.actors import load_actor

    result = retention.erase_young_person(loaded_store, load_actor(loaded_store.db, "A1"), "YP-0007", vacuum=False)
    assert result.texts_redacted == 2
    notes = loaded_store.db.execute("SELECT notes FROM engagements WHERE ref = 'ENG-W'").fetchone()[0]
    assert notes == "we will visit the green; [erased] said hi; Alexander came"
    advice = loaded_store.db.execute("SELECT advice FROM consultations WHERE ref = 'CON-W'").fetchone()[0]
    assert advice == "Spoke to [erased]'s carer"


def test_erase_with_nothing_copied_says_so(loaded_store, capsys):
    _yp(loaded_store, "YP-0009", "Nadia", "Osei", None)
    with loaded_store.write() as w:  # as if recorded after every export so far
        w.execute("UPDATE audit SET at = at WHERE 0")
    assert main(["--db", str(loaded_store.path), "--user", "A1", "erase", "YP-0009", "--yes"]) == 0
    err = capsys.readouterr().err
    assert "erased YP-0009: 0 consultations and 0 referrals deleted, 0 sessions anonymised, 0 texts redacted" in err
    assert "no backup, bundle export, report or calendar was made while YP-0009 was recorded" in err
    row = json.loads(sqlite3.connect(loaded_store.path).execute(
        "SELECT detail FROM audit WHERE operation = 'erase'").fetchone()[0])
    assert row["earlier_copies"] == 0 and "Nadia" not in json.dumps(row)


def test_erasure_reaches_the_earlier_versions_of_records(loaded_store):
    """A title corrected after naming the child keeps its old version in the history: erased there too."""
    with loaded_store.write() as w:
        w.execute("UPDATE young_people SET given_name = 'Rileyx' WHERE ref = 'YP-0001'")
    from slo.services import history

    _engagement(loaded_store, "ENG-H", "Assembly")
    _engagement(loaded_store, "ENG-H2", "Visit", school="100001", officer="PC1001")
    with loaded_store.write() as w:  # each was corrected: the old title is in its history
        history.record_change(w, "PC1000", "engagements", "ENG-H", {"title": "Assembly (Rileyx asked questions)"},
                              {"title": "Assembly"}, source="desk")
        history.record_change(w, "PC1001", "engagements", "ENG-H2", {"title": "Visit (Rileyx Morgan)"},
                              {"title": "Visit"}, source="desk")
    before = " ".join(str(r) for r in loaded_store.db.execute("SELECT * FROM history"))
    assert "Rileyx" in before
    from slo.services import retention
    from slo.services.actors import load_actor

    retention.erase_young_person(loaded_store, load_actor(loaded_store.db, "A1"), "YP-0001", vacuum=True)
    after = " ".join(str(r) for r in loaded_store.db.execute("SELECT * FROM history"))
    assert "Rileyx" not in after and "Morgan" not in after and "YP-0001" not in after
    assert "Assembly ([erased] asked questions)" in after and "Visit ([erased])" in after
    assert b"Rileyx" not in _file_bytes(loaded_store.path)
