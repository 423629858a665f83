"""Adversarial input: files and values chosen to break SLO Desk, each family with generated variants.

Issue 18's findings, one section per family: files that are not SLO Desk
databases (item 2), deep nesting and over-long values in a bundle (3, 4),
special files as input (5), huge numbers and absurd dates (13), term dates far
from today and gaps of years (14), special files as output (15), and damaged
GIAS extracts and bundles (19). Every probe is bounded: nothing here reads or
builds gigabytes to prove a point. Memory is measured in a child process with
an address-space limit, and refusals of endless input are shown to come before
the input is read whole (a stream that never ends must still be refused).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo.cli.main import main
from slo.store.db import StoreError, open_store

SQLITE_HEADER = b"SQLite format 3\x00"
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def one_error_line(err: str) -> str:
    """The single ``slo: error:`` line a refusal prints (and nothing that looks like a traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1 and lines[0].startswith("slo: error: "), err
    return lines[0]


# --------------------------------------------------------------------------- 2. not a database


def _sqlite_file_of_another_program(path: Path, tables: list[str]) -> None:
    conn = sqlite3.connect(path)
    for i, name in enumerate(tables):
        conn.execute(f'CREATE TABLE "{name.replace(chr(34), "")}_{i}" (x)')
    conn.commit()
    conn.close()


not_a_database = st.one_of(
    st.just(b""),
    st.binary(min_size=1, max_size=300),
    st.binary(max_size=200).map(lambda b: SQLITE_HEADER + b),  # the header alone does not make a database
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@settings(max_examples=40, **SETTINGS)
@given(body=not_a_database)
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("db") / "slo.db"
    path.write_bytes(body)
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == body
    assert sorted(p.name for p in path.parent.iterdir()) == ["slo.db"]


@settings(max_examples=10, **SETTINGS)
@given(tables=st.lists(st.text(alphabet="abcdefghij_", min_size=1, max_size=8), max_size=3))
def test_another_programs_sqlite_database_is_refused_unchanged(tmp_path_factory, tables):
    path = tmp_path_factory.mktemp("db") / "other.db"
    _sqlite_file_of_another_program(path, tables)
    body = path.read_bytes()
    with pytest.raises(StoreError, match="not an SLO Desk"):
        open_store(path)
    assert path.read_bytes() == body


@pytest.mark.parametrize("command", [["check"], ["due"], ["import", "BUNDLE"], ["backup", "OUT"]])
def test_cli_refuses_an_empty_database_file_for_every_command(tmp_path, bundle_file, capsys, command):
    """``slo check`` used to say ``ok (0 rows)`` on a 0-byte file after silently building a schema in it."""
    db = tmp_path / "slo.db"
    db.write_bytes(b"")
    argv = [str(bundle_file) if a == "BUNDLE" else str(tmp_path / "out.db") if a == "OUT" else a for a in command]
    assert main(["--db", str(db), "--user", "A1", *argv]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert str(db) in line and "empty file" in line
    assert db.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"slo.db", bundle_file.name}
    )


def test_import_into_a_new_path_still_creates_the_database(tmp_path, bundle_file, capsys):
    db = tmp_path / "new" / "slo.db"
    assert main(["--db", str(db), "import", str(bundle_file)]) == 0
    assert main(["--db", str(db), "check"]) == 0
    assert (os.stat(db).st_mode & 0o777) == 0o600 and (os.stat(db.parent).st_mode & 0o777) == 0o700


def test_concurrent_first_opens_share_one_whole_database(tmp_path):
    """Creation is whole or nothing: eight first opens at once all get the same, complete database."""
    path = tmp_path / "slo.db"
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def first_open() -> None:
        barrier.wait()
        try:
            store = open_store(path)
            store.db.execute("SELECT count(*) FROM officers").fetchone()
            store.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_open) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("slo.db")] == []


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_database_path_that_is_not_a_regular_file_is_refused(tmp_path, capsys, kind):
    path = {"fifo": tmp_path / "fifo.db", "folder": tmp_path, "device": Path("/dev/zero")}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    assert main(["--db", str(path), "check"]) == 1  # a FIFO would block opening it for reading
    assert str(path) in one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- helpers for bundles

ROOT = Path(__file__).resolve().parent.parent


def run_bounded(code: str, *, address_space: int = 2 << 30, cpu_seconds: int = 60) -> tuple[int, str, float]:
    """Run Python ``code`` in a child limited to ``address_space`` bytes, ``cpu_seconds`` of CPU and
    twice that of wall-clock time.

    Returns (exit status, standard error, peak resident memory in MB, from ``os.wait4``). A child
    that would need gigabytes fails fast with MemoryError instead of taking the machine down.
    """
    import resource
    import subprocess
    import sys
    import tempfile

    def limits() -> None:
        import signal

        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        signal.alarm(2 * cpu_seconds)  # kept across exec: a child blocked on a FIFO is ended too

    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=limits)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return proc.returncode, text, usage.ru_maxrss / 1024


def cli_import(db: Path, path: Path, capsys) -> tuple[int, str]:
    """``slo import`` as the bootstrap actor; returns (exit code, standard error)."""
    capsys.readouterr()
    code = main(["--db", str(db), "import", str(path)])
    return code, capsys.readouterr().err


def assert_nothing_imported(db: Path) -> None:
    """A refused first import leaves no database behind ("a command that fails changes nothing")."""
    assert not db.exists(), "a refused import into a new path left a database"


def fresh_bundle() -> dict:
    """A deep copy of the shared small bundle (a fixture is shared by every example of a test)."""
    import copy

    from helpers.bundles import SMALL_BUNDLE

    return copy.deepcopy(SMALL_BUNDLE)


def bundle_text(small_bundle: dict) -> str:
    import json

    return json.dumps(small_bundle, indent=1)


# --------------------------------------------------------------------------- 3. deep nesting


def _nested(depth: int, kind: str) -> str:
    if kind == "[":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


#: where the deep value goes: a section's list, a record's field, a whole section, the format
NEST_PLACES = {
    "in a section": lambda deep: '{"format": "slo-bundle/1", "young_people": [' + deep + "]}",
    "in a field": lambda deep: '{"format": "slo-bundle/1", "schools": [{"urn": "100000", "name": ' + deep + "}]}",
    "as a section": lambda deep: '{"format": "slo-bundle/1", "teams": ' + deep + "}",
    "as the format": lambda deep: '{"format": ' + deep + "}",
    "as the document": lambda deep: deep,
}


@settings(max_examples=60, **SETTINGS)
@given(depth=st.integers(9, 3000), kind=st.sampled_from(["[", "{"]), place=st.sampled_from(sorted(NEST_PLACES)))
def test_deep_nesting_is_refused_in_one_line(tmp_path_factory, capsys, depth, kind, place):
    folder = tmp_path_factory.mktemp("nest")
    path = folder / "deep.json"
    path.write_text(NEST_PLACES[place](_nested(depth, kind)), encoding="utf-8")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1
    line = one_error_line(err)
    if place != "as the document":  # a bare list is refused as "expected a JSON object" first
        assert "nests deeper than 8 levels" in line, line
    assert_nothing_imported(folder / "slo.db")


def test_nesting_of_a_valid_bundle_is_accepted(tmp_path, small_bundle, capsys):
    """The limit leaves room: four levels (document, section, record, list field) import as before."""
    path = tmp_path / "b.json"
    path.write_text(bundle_text(small_bundle), encoding="utf-8")
    assert cli_import(tmp_path / "slo.db", path, capsys)[0] == 0


def test_100000_nested_brackets_are_refused_with_a_small_memory_peak(tmp_path):
    """The issue's file: 200 KB of ``[`` inside young_people took 23.9 GB. Now: refused, a small peak."""
    path = tmp_path / "deep.json"
    path.write_text(NEST_PLACES["in a section"](_nested(100_000, "[")), encoding="utf-8")
    code, err, peak_mb = run_bounded(
        "import sys; from slo.cli.main import main; "
        f"sys.exit(main(['--db', {str(tmp_path / 'slo.db')!r}, 'import', {str(path)!r}]))"
    )
    assert code == 1 and "nests deeper than 8 levels" in err and "Traceback" not in err, err
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"


# --------------------------------------------------------------------------- 4. over-long values


class EndlessStream:
    """A binary file that is ``head`` followed by ``filler`` for ever; counts the bytes it gave."""

    def __init__(self, head: bytes, filler: bytes):
        self.head, self.filler, self.given, self._at = head, filler, 0, 0

    def read(self, size: int = -1) -> bytes:
        size = 1 << 16 if size is None or size < 0 else size
        out = bytearray()
        while len(out) < size:
            if self.head:
                piece, self.head = self.head[: size - len(out)], self.head[size - len(out) :]
            else:  # the filler continues where the last read stopped (escapes are never cut)
                piece = self.filler[self._at :][: size - len(out)]
                self._at = (self._at + len(piece)) % len(self.filler)
            out += piece
        self.given += len(out)
        return bytes(out)

    def seek(self, offset: int) -> None:
        raise AssertionError("the parser seeks only after a byte-order mark check, at offset 0")


#: an over-long value in each place one can be: a string field, a key, a number, spaces between values
LONG_VALUES = {
    "string": (b'{"format": "slo-bundle/1", "schools": [{"urn": "100000", "name": "', b"a"),
    "escaped string": (b'{"format": "slo-bundle/1", "schools": [{"name": "', b'\\"\\\\\\u00e9'),
    "key": (b'{"format": "slo-bundle/1", "schools": [{"', b"k"),
    "number": (b'{"format": "slo-bundle/1", "young_people": [{"year_group": 1', b"0"),
    "spaces": (b'{"format": "slo-bundle/1", "schools": [', b" \r\n\t"),
    "utf-8": (b'{"format": "slo-bundle/1", "teams": [{"ref": "', "é😀".encode()),
}


@settings(max_examples=30, **SETTINGS)
@given(kind=st.sampled_from(sorted(LONG_VALUES)), bom=st.booleans())
def test_an_endless_value_is_refused_after_reading_about_a_megabyte(kind, bom):
    """Refused before the input is read whole: the stream never ends, and the refusal still comes,
    having read at most the limit plus two buffers (so no value costs quadratic time)."""
    from slo.models.rules import ValidationFailed
    from slo.services.bundle import MAX_VALUE_BYTES, _events_from_stream

    head, filler = LONG_VALUES[kind]
    stream = EndlessStream((b"\xef\xbb\xbf" if bom else b"") + head, filler)
    stream.seek = lambda offset: setattr(stream, "head", head)  # type: ignore[method-assign]
    with pytest.raises(ValidationFailed) as info:
        for _event in _events_from_stream(stream, "endless.json"):  # type: ignore[arg-type]
            pass
    assert "has a value longer than 1,048,576 bytes" in str(info.value)
    assert stream.given <= MAX_VALUE_BYTES + 3 * (1 << 16)


@settings(max_examples=15, **SETTINGS)
@given(extra=st.integers(1, 300_000), field=st.sampled_from(["name", "notes", "ref"]))
def test_a_long_string_in_a_file_is_refused_before_it_is_parsed(tmp_path_factory, capsys, extra, field):
    folder = tmp_path_factory.mktemp("long")
    path = folder / "long.json"
    value = "x" * ((1 << 20) + extra)
    path.write_text('{"format": "slo-bundle/1", "engagements": [{"' + field + '": "' + value + '"}]}', encoding="utf-8")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1 and "has a value longer than 1,048,576 bytes" in one_error_line(err)
    assert_nothing_imported(folder / "slo.db")


def test_the_longest_valid_field_fits_even_fully_escaped(tmp_path, small_bundle, capsys):
    """20,000 characters of notes (the model's maximum), every one written as a surrogate pair escape."""
    small_bundle["engagements"][0]["notes"] = "😀" * 20000
    path = tmp_path / "b.json"
    path.write_text(__import__("json").dumps(small_bundle, ensure_ascii=True), encoding="utf-8")
    assert path.stat().st_size > 240_000
    assert cli_import(tmp_path / "slo.db", path, capsys)[0] == 0


# --------------------------------------------------------------------------- 13. huge numbers in a bundle

NUMBER_FIELDS = [("young_people", "year_group"), ("consultations", "suspension_days"), ("referrals", "outcome22"),
                 ("schools", "name"), ("engagements", "starts_at")]


@settings(max_examples=40, **SETTINGS)
@given(digits=st.integers(16, 6000), negative=st.booleans(), place=st.sampled_from(NUMBER_FIELDS),
       fraction=st.sampled_from(["", ".5", "e3"]))
def test_a_huge_number_in_any_field_is_refused_in_one_line(tmp_path_factory, capsys, digits, negative,
                                                          place, fraction):
    small_bundle = fresh_bundle()
    """A 5000-digit integer gave a traceback (Python refuses to convert more than 4,300 digits)."""
    folder = tmp_path_factory.mktemp("num")
    entity, field = place
    marker = "HUGE-NUMBER-HERE"
    small_bundle[entity][0][field] = marker
    number = ("-" if negative else "") + "9" * digits + fraction
    path = folder / "huge.json"
    path.write_text(bundle_text(small_bundle).replace(f'"{marker}"', number), encoding="utf-8")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1
    line = one_error_line(err)
    if fraction == "" or digits > 310:  # a float below 1e308 is an ordinary (wrong) value for the model
        assert "number" in line, line
    assert_nothing_imported(folder / "slo.db")


@settings(max_examples=30, **SETTINGS)
@given(digits=st.integers(16, 6000))
def test_a_huge_number_in_a_parsed_document_is_refused(tmp_path_factory, digits):
    """The in-memory reader (``bundle.load_file``) refuses the same numbers with one line."""
    from slo.models.rules import ValidationFailed
    from slo.services import bundle

    path = tmp_path_factory.mktemp("num") / "huge.json"
    path.write_text('{"format": "slo-bundle/1", "young_people": [{"year_group": %s}]}' % ("7" * digits))
    with pytest.raises(ValidationFailed) as info:
        bundle.load_file(path)
    assert "number of more than 15 digits" in str(info.value) and "\n" not in str(info.value)


# --------------------------------------------------------------------------- 19. two bundles in a file, duplicate keys

after_the_bundle = st.one_of(
    st.just("BUNDLE"),  # the same bundle again: the issue's example
    st.sampled_from(["{}", "[]", "null", "1", '"x"', "{", "}", ",", "x", '{"format": "slo-bundle/1"}']),
    st.text(min_size=1, max_size=20).filter(lambda t: t.strip() != ""),
)


@settings(max_examples=40, **SETTINGS)
@given(tail=after_the_bundle, gap=st.sampled_from(["", "\n", " \r\n\t"]))
def test_anything_after_the_bundle_refuses_the_whole_file(tmp_path_factory, capsys, tail, gap):
    small_bundle = fresh_bundle()
    """Two bundles pasted into one file imported only the first; now nothing is imported."""
    folder = tmp_path_factory.mktemp("two")
    text = bundle_text(small_bundle)
    path = folder / "two.json"
    path.write_text(text + gap + (text if tail == "BUNDLE" else tail), encoding="utf-8", errors="surrogatepass")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1
    line = one_error_line(err)
    assert "more than one JSON document" in line or "not valid JSON" in line or "not UTF-8" in line, line
    assert_nothing_imported(folder / "slo.db")


def test_spaces_after_the_bundle_are_fine(tmp_path, small_bundle, capsys):
    path = tmp_path / "b.json"
    path.write_text(bundle_text(small_bundle) + "\n\n  \t\r\n", encoding="utf-8")
    assert cli_import(tmp_path / "slo.db", path, capsys)[0] == 0


@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_a_key_twice_in_one_object_is_refused(tmp_path_factory, capsys, data):
    small_bundle = fresh_bundle()
    """JSON allows a repeated key and most readers keep the last one silently: a bundle may not."""
    folder = tmp_path_factory.mktemp("dup")
    where = data.draw(st.sampled_from(["record", "section", "format"]))
    text = bundle_text(small_bundle)
    if where == "section":
        entity = data.draw(st.sampled_from(sorted(k for k in small_bundle if k != "format")))
        doubled = text.rstrip().removesuffix("}") + f', "{entity}": []}}'
    elif where == "format":
        doubled = text.replace('"format": "slo-bundle/1"', '"format": "slo-bundle/1", "format": "slo-bundle/1"', 1)
    else:
        import json

        entity = data.draw(st.sampled_from(sorted(k for k in small_bundle if k != "format" and small_bundle[k])))
        index = data.draw(st.integers(0, len(small_bundle[entity]) - 1))
        record = small_bundle[entity][index]
        field = data.draw(st.sampled_from(sorted(record)))
        again = data.draw(st.sampled_from([record[field], None, "other", 3]))
        pairs = [*record.items(), (field, again)]
        pairs = data.draw(st.permutations(pairs))
        by_hand = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in pairs) + "}"
        small_bundle[entity][index] = "DUPLICATE-HERE"
        doubled = bundle_text(small_bundle).replace('"DUPLICATE-HERE"', by_hand)
    path = folder / "dup.json"
    path.write_text(doubled, encoding="utf-8")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1
    line = one_error_line(err)
    assert "twice" in line, line
    assert_nothing_imported(folder / "slo.db")


# --------------------------------------------------------------------------- 13. absurd dates on the command line

#: every command-line date, as (argv before the date, argv after it); A1 is an admin, PC1000 an SLO
DATE_OPTIONS = {
    "due --on": (["--user", "PC1000", "due", "--on"], []),
    "retention --on": (["--user", "A1", "retention", "--on"], ["--days", "5"]),
    "report --from": (["--user", "A1", "report", "continuity", "--from"], ["--to", "2026-12-31"]),
    "report --to": (["--user", "A1", "report", "continuity", "--from", "2026-01-01", "--to"], []),
    "abstraction add --from": (["--user", "S100", "abstraction", "add", "--officer", "PC1000", "--from"],
                               ["--to", "2026-01-05", "--portion", "full", "--category", "court",
                                "--requested-by", "Inspector"]),
    "abstraction add --to": (["--user", "S100", "abstraction", "add", "--officer", "PC1000", "--from",
                              "2026-01-05", "--to"],
                             ["--portion", "full", "--category", "court", "--requested-by", "Inspector"]),
    "demo --today": (["demo", "--today"], []),
}

far_dates = st.one_of(
    st.sampled_from(["9999-12-30", "9999-12-31", "0001-01-01", "0001-01-02", "1899-12-31", "2101-01-01"]),
    st.dates(max_value=date(1899, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=date(2101, 1, 1)).map(lambda d: d.isoformat()),
)


@settings(max_examples=60, **SETTINGS)
@given(option=st.sampled_from(sorted(DATE_OPTIONS)), day=far_dates)
def test_a_date_outside_the_accepted_range_is_a_one_line_usage_error(tmp_path_factory, capsys, option, day):
    """``due --on 9999-12-30``, ``retention --on 9999-12-31 --days 5``, ``report --from 0001-01-01`` ... ended
    in tracebacks; every command now refuses with the same words, before touching the database."""
    folder = tmp_path_factory.mktemp("dates")
    before, after = DATE_OPTIONS[option]
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--db", str(folder / "slo.db"), *before, day, *after])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"'{day}' is outside the dates SLO Desk accepts (1900-01-01 to 2100-12-31)" in err, err
    assert not (folder / "slo.db").exists()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "slo.db"
    assert main(["--db", str(path), "demo", "--today", "2026-11-27"]) == 0
    return path


@settings(max_examples=30, **SETTINGS)
@given(option=st.sampled_from(sorted(k for k in DATE_OPTIONS if not k.startswith("demo"))),
       day=st.sampled_from(["1900-01-01", "1900-01-02", "2100-12-30", "2100-12-31"]))
def test_the_edges_of_the_range_run_without_a_traceback(demo_db, tmp_path_factory, capsys, option, day):
    """At the first and last accepted days every command runs (or refuses in one line): a year's window,
    a review six years on and the academic year all stay inside Python's calendar."""
    import shutil

    db = tmp_path_factory.mktemp("edge") / "slo.db"
    shutil.copy(demo_db, db)
    before, after = DATE_OPTIONS[option]
    if option == "due --on":
        after = ["--days", "366"]
    if option == "retention --on":
        after = ["--days", "3660"]
    if option.startswith("report"):  # a span the right way round
        before = [a if a != "2026-01-01" else "1900-01-01" for a in before]
        after = [a if a != "2026-12-31" else "2100-12-31" for a in after]
    if option.startswith("abstraction"):
        before = [a if a != "2026-01-05" else day for a in before]
        after = [a if a != "2026-01-05" else day for a in after]
    capsys.readouterr()
    code = main(["--db", str(db), *before, day, *after])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 0 or (code == 1 and len(err.strip().splitlines()) == 1), err


@settings(max_examples=20, **SETTINGS)
@given(days=st.one_of(st.integers(3661, 10**6).map(str), st.integers(4301, 6000).map(lambda n: "9" * n),
                      st.just("-1"), st.sampled_from(["1e3", "x", "", "٣"])),
       command=st.sampled_from(["due", "retention"]))
def test_day_counts_are_bounded_whole_numbers(tmp_path_factory, capsys, days, command):
    """``retention --days`` took any int (``--days 10**9`` overflowed the calendar); a 5000-digit count
    could not even be converted. Both commands now say what they take, as usage errors."""
    folder = tmp_path_factory.mktemp("days")
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--db", str(folder / "slo.db"), "--user", "A1", command, "--days", days])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "argument --days" in err, err


def test_the_abstraction_categories_are_the_models():
    from slo.cli.cmd_abstraction import CATEGORIES, PORTIONS
    from slo.models.enums import AbstractionCategory, Portion

    assert [c.value for c in AbstractionCategory] == CATEGORIES
    assert [p.value for p in Portion] == PORTIONS


@settings(max_examples=30, **SETTINGS)
@given(day=far_dates, field=st.sampled_from([("officers", "start_date"), ("consultations", "consulted_on"),
                                             ("consultations", "outcome_on"), ("engagements", "starts_at"),
                                             ("young_people", "date_of_birth"), ("abstractions", "date_to")]))
def test_a_bundle_date_outside_the_range_is_refused(tmp_path_factory, capsys, day, field):
    """The same rule for imports: a consultation decided on 9999-12-30 used to be stored, then crash ``slo due``."""
    small_bundle = fresh_bundle()
    entity, name = field
    small_bundle[entity][0][name] = day + ("T09:00" if name == "starts_at" else "")
    folder = tmp_path_factory.mktemp("bdates")
    path = folder / "b.json"
    path.write_text(bundle_text(small_bundle), encoding="utf-8")
    code, err = cli_import(folder / "slo.db", path, capsys)
    assert code == 1 and "Traceback" not in err
    assert name in err and "outside the dates SLO Desk accepts" in err, err
    assert_nothing_imported(folder / "slo.db")


# --------------------------------------------------------------------------- 5. special files as input


@pytest.fixture(scope="module")
def admin_db(tmp_path_factory) -> Path:
    """A database holding the small bundle (A1 is its admin), made once for the module."""
    import json

    from helpers.bundles import SMALL_BUNDLE

    folder = tmp_path_factory.mktemp("admin")
    (folder / "b.json").write_text(json.dumps(SMALL_BUNDLE), encoding="utf-8")
    assert main(["--db", str(folder / "slo.db"), "import", str(folder / "b.json")]) == 0
    from helpers.identity import bind_current_account

    from slo.store.db import open_store

    store = open_store(folder / "slo.db")
    bind_current_account(store)  # the creator (bound to A1) is a test account bound to every officer
    store.close()
    return folder / "slo.db"


def copy_of(db: Path, folder: Path) -> Path:
    import shutil

    out = folder / "slo.db"
    shutil.copy(db, out)
    return out


SPECIAL_IMPORTS = {
    "terms": ["terms", "import"],
    "gias": ["schools", "import-gias"],
    "bundle": ["import"],
}


@pytest.mark.parametrize("command", sorted(SPECIAL_IMPORTS))
@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "/dev/null", "folder"])
def test_imports_refuse_special_files_quickly_and_in_little_memory(admin_db, tmp_path, command, special):
    """``import-gias /dev/zero`` and ``terms import /dev/zero`` ended in MemoryError; a FIFO with no writer
    hung. In a child limited to 1 GB and 20 s: refused with one line, before reading anything."""
    db = copy_of(admin_db, tmp_path)
    if special == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    elif special == "folder":
        path = tmp_path
    else:
        path = Path(special)
    argv = ["--db", str(db), "--user", "A1", *SPECIAL_IMPORTS[command], str(path)]
    code, err, peak_mb = run_bounded(
        f"import sys; from slo.cli.main import main; sys.exit(main({argv!r}))", address_space=1 << 30, cpu_seconds=10
    )
    assert code == 1, (code, err)
    lines = err.strip().splitlines()
    assert "Traceback" not in err and lines[-1].startswith("slo: error: "), err
    assert ("not a regular file" in lines[-1] or "is a folder" in lines[-1]) and str(path) in lines[-1], err
    assert peak_mb < 200


def test_a_regular_file_over_the_limit_is_refused_before_it_is_read(admin_db, tmp_path, capsys):
    from slo.services.schooldays import TERMS_MAX_BYTES

    db = copy_of(admin_db, tmp_path)
    big = tmp_path / "terms.csv"
    with open(big, "wb") as f:
        f.truncate(TERMS_MAX_BYTES + 1)  # sparse: nothing is written to disk
    assert main(["--db", str(db), "--user", "A1", "terms", "import", str(big)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "is 4,000,001 bytes (4.0 MB); this import reads at most 4,000,000 bytes" in err.splitlines()[-1], err


# --------------------------------------------------------------------------- 14. term dates far from today, gaps

TODAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=60, **SETTINGS)
@given(today=TODAYS, years=st.integers(-8000, 8000).filter(lambda y: not -8 <= y <= 4), month=st.integers(1, 12),
       via=st.sampled_from(["import", "add"]))
def test_a_term_far_from_today_is_refused(admin_db, tmp_path_factory, today, years, month, via):
    """A typo'd term ten years ahead (2036 for 2026), or in 0001 or 9999, is refused; nothing is written."""
    from datetime import date, timedelta

    from slo.models.rules import ValidationFailed
    from slo.services import schooldays
    from slo.services.actors import load_actor

    year = min(max(today.year + years, 1), 9999)
    start = date(year, month, 1)
    end = min(start + timedelta(days=30), date(9999, 12, 31))
    folder = tmp_path_factory.mktemp("far")
    store = open_store(copy_of(admin_db, folder))
    try:
        admin = load_actor(store.db, "A1")
        with pytest.raises(ValidationFailed) as info:
            if via == "add":
                schooldays.add_term(store, admin, "Camden", start, end, today=today)
            else:
                path = folder / "t.csv"
                path.write_text(f"local_authority,term_start,term_end\nCamden,{start},{end}\n", encoding="utf-8")
                schooldays.import_term_dates(store, admin, path, today=today)
        message = str(info.value)
        assert "\n" not in message
        assert "too far" in message or "outside the dates SLO Desk accepts" in message, message
        assert store.db.execute("SELECT count(*) FROM term_dates").fetchone()[0] == 0
    finally:
        store.close()


@settings(max_examples=30, **SETTINGS)
@given(today=TODAYS, offset=st.integers(-6, 2))
def test_terms_near_today_are_accepted(admin_db, tmp_path_factory, today, offset):
    from datetime import date

    from slo.services import schooldays
    from slo.services.actors import load_actor

    first, _last = schooldays.academic_year(today)
    start = date(first.year + offset, 9, 3)
    folder = tmp_path_factory.mktemp("near")
    store = open_store(copy_of(admin_db, folder))
    try:
        schooldays.add_term(store, load_actor(store.db, "A1"), "Camden", start, date(start.year, 10, 23), today=today)
        assert store.db.execute("SELECT count(*) FROM term_dates").fetchone()[0] == 1
    finally:
        store.close()


def _a_year_of_terms(year: int) -> list[tuple]:
    from datetime import date

    return [(date(year, 9, 3), date(year, 10, 23)), (date(year, 11, 2), date(year, 12, 18)),
            (date(year + 1, 1, 5), date(year + 1, 2, 12)), (date(year + 1, 2, 22), date(year + 1, 3, 26)),
            (date(year + 1, 4, 12), date(year + 1, 5, 21)), (date(year + 1, 6, 1), date(year + 1, 7, 21))]


@settings(max_examples=80, **SETTINGS)
@given(year=st.integers(1990, 2080), gap_years=st.integers(1, 20), start_offset=st.integers(0, 400),
       nth=st.sampled_from([1, 6, 15]))
def test_a_gap_of_years_never_gives_a_confident_deadline(year, gap_years, start_offset, nth):
    """The issue's case: a year of terms and a stray term years later made the 6th school day after
    2026-12-14 come out in 2036, not provisional. Days in a gap longer than any holiday are not known."""
    from datetime import date, timedelta

    from slo.services.schooldays import SchoolCalendar

    later = date(year + 1 + gap_years, 1, 5)
    cal = SchoolCalendar("Camden", [*_a_year_of_terms(year), (later, later + timedelta(days=38))])
    start = date(year + 1, 7, 22) + timedelta(days=start_offset)  # after the year's last term
    if start >= later:
        return
    due, provisional = cal.nth_school_day(start, nth)
    assert provisional
    assert due - start <= timedelta(days=nth * 2 + 10), (start, due)


@settings(max_examples=40, **SETTINGS)
@given(year=st.integers(1990, 2080), day=st.integers(0, 320), nth=st.sampled_from([1, 6, 15]))
def test_ordinary_holidays_between_terms_stay_known(year, day, nth):
    """Half-terms, Christmas, Easter and the summer between two years of terms are holidays, not gaps."""
    from datetime import date, timedelta

    from slo.services.schooldays import SchoolCalendar

    cal = SchoolCalendar("Camden", _a_year_of_terms(year) + _a_year_of_terms(year + 1))
    start = date(year, 9, 3) + timedelta(days=day)
    due, provisional = cal.nth_school_day(start, nth)
    assert not provisional
    assert cal.is_school_day(due) and any(a <= due <= b for a, b in cal_terms(cal))


def cal_terms(cal) -> list[tuple]:
    return list(zip(cal._starts, cal._ends, strict=True))


def test_the_issues_typo_gives_a_provisional_deadline_days_away():
    from datetime import date

    from slo.services.schooldays import SchoolCalendar

    cal = SchoolCalendar("Camden", [*_a_year_of_terms(2026)[:2], (date(2036, 1, 5), date(2036, 2, 12))])
    due, provisional = cal.school_days_after(date(2026, 12, 14), 6)
    assert provisional and due < date(2027, 1, 1), due


def test_terms_stored_in_year_1_and_9999_do_not_crash_slo_due(admin_db, tmp_path, capsys):
    """Terms in 0001 and 9999 (stored before the rule) made every day between them a holiday: the
    deadline search ran off the end of the calendar. Now the gap is unknown and the deadline provisional."""
    import json

    from helpers.bundles import SMALL_BUNDLE

    db = copy_of(admin_db, tmp_path)
    store = open_store(db)
    try:
        la = store.db.execute("SELECT local_authority FROM schools WHERE urn = '100000'").fetchone()[0]
        with store.write() as w:
            w.execute("INSERT INTO term_dates VALUES (?, '0001-01-01', '0001-02-01'), (?, '9999-11-01', '9999-12-01')",
                      [la, la])
            consultation = dict(SMALL_BUNDLE["consultations"][0], ref="CON-X", outcome="permanent_exclusion",
                                outcome_on="2026-11-30")
        from slo.services.actors import load_actor
        from slo.services.bundle import import_bundle

        import_bundle(store, json.loads(json.dumps({"format": "slo-bundle/1", "consultations": [consultation]})),
                      load_actor(store.db, "A1"))
        from slo.services.schooldays import deadlines_for

        deadlines = deadlines_for(store.db, "CON-X")
        assert deadlines and all(d.provisional for d in deadlines)
    finally:
        store.close()
    capsys.readouterr()
    assert main(["--db", str(db), "--user", consultation["officer"], "due", "--on", "2026-11-30"]) == 0
    assert "Traceback" not in capsys.readouterr().err


# --------------------------------------------------------------------------- 19. damaged GIAS extracts


def gias_row(i: int, name: str = "") -> list[str]:
    """One establishment (columns in gias.REQUIRED_COLUMNS order); URN 200000 + i."""
    return [str(200000 + i), name or f"School Number {i}", "Camden", "NW1 1AA", "Community school", "Open",
            "Primary", "Mrs", "Ann", f"Head{i}"]


def gias_text(rows: list[list[str]], *, quote_all: bool = True) -> str:
    import csv
    import io

    from slo.services import gias

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(
        [list(gias.REQUIRED_COLUMNS), *rows]
    )
    return out.getvalue()


def gias_import(admin_db: Path, folder: Path, data: bytes):
    """(result or the refusal, the store's school URNs and names after, their count before)."""
    from slo.models.rules import ValidationFailed
    from slo.services import gias
    from slo.services.actors import load_actor

    path = folder / "extract.csv"
    path.write_bytes(data)
    store = open_store(copy_of(admin_db, folder))
    try:
        before = store.db.execute("SELECT count(*) FROM schools").fetchone()[0]
        try:
            outcome: object = gias.import_gias(store, load_actor(store.db, "A1"), path)
        except ValidationFailed as exc:
            outcome = exc
        schools = dict(store.db.execute("SELECT urn, name FROM schools").fetchall())
    finally:
        store.close()
    return outcome, schools, before


@settings(max_examples=40, **SETTINGS)
@given(n=st.integers(2, 12), data=st.data())
def test_a_quote_left_open_skips_its_row_only(admin_db, tmp_path_factory, n, data):
    """An unterminated quote used to swallow the next row (or rows) silently."""
    from slo.services.gias import GiasResult

    broken = data.draw(st.integers(0, n - 1))
    column = data.draw(st.integers(1, 9))
    lines = gias_text([gias_row(i) for i in range(n)]).split("\r\n")
    cells = gias_row(broken)
    lines[1 + broken] = ",".join(f'"{c}' if i == column else f'"{c}"' for i, c in enumerate(cells))  # never closed
    outcome, schools, _before = gias_import(admin_db, tmp_path_factory.mktemp("quote"), "\r\n".join(lines).encode())
    assert isinstance(outcome, GiasResult), outcome
    imported = {urn for urn in schools if urn.startswith("2")}
    assert imported == {str(200000 + i) for i in range(n) if i != broken}, (lines[1 + broken], outcome.skipped)
    assert [s.line for s in outcome.skipped] == [2 + broken]
    assert all(name == f"School Number {int(urn) - 200000}" for urn, name in schools.items() if urn in imported)


#: letters whose Windows-1252 bytes are all 0xC0 or more: text made of them and ASCII can never look
#: like UTF-8 (a UTF-8 sequence needs continuation bytes 0x80-0xBF)
ACCENTED = "éèêàâçôöüûñÉÈÀÇÖÜßæøå"
accented_name = st.text(alphabet=ACCENTED + "abc XYZ'-", min_size=1, max_size=12).map(
    lambda t: "Ecole " + t.strip() + "é")


@settings(max_examples=40, **SETTINGS)
@given(names=st.lists(accented_name, min_size=2, max_size=8), data=st.data())
def test_a_file_mixing_utf8_and_windows_1252_is_refused_not_stored_as_mojibake(admin_db, tmp_path_factory, names,
                                                                            data):
    """``Café School`` in UTF-8 inside a Windows-1252 file was stored as ``CafÃ© School``."""
    from slo.models.rules import ValidationFailed

    in_utf8 = data.draw(st.sets(st.integers(0, len(names) - 1), min_size=1, max_size=len(names) - 1))
    text = gias_text([gias_row(i, name) for i, name in enumerate(names)])
    lines = text.split("\r\n")
    body = b"\r\n".join(line.encode("utf-8" if i - 1 in in_utf8 else "cp1252") for i, line in enumerate(lines))
    outcome, schools, before = gias_import(admin_db, tmp_path_factory.mktemp("mixed"), body)
    assert isinstance(outcome, ValidationFailed), outcome
    message = str(outcome)
    assert "mixes two encodings" in message and f"line {min(in_utf8) + 2} is UTF-8" in message, message
    assert len(schools) == before and not any("Ã" in name for name in schools.values())


@settings(max_examples=25, **SETTINGS)
@given(names=st.lists(accented_name, min_size=1, max_size=8), encoding=st.sampled_from(["cp1252", "utf-8",
                                                                                        "utf-8-sig"]))
def test_a_file_in_one_encoding_keeps_its_accents(admin_db, tmp_path_factory, names, encoding):
    from slo.models.text import clean_line
    from slo.services.gias import GiasResult

    text = gias_text([gias_row(i, name) for i, name in enumerate(names)])
    outcome, schools, _before = gias_import(admin_db, tmp_path_factory.mktemp("one"), text.encode(encoding))
    assert isinstance(outcome, GiasResult), outcome
    assert [schools[str(200000 + i)] for i in range(len(names))] == [clean_line(n) for n in names]


@settings(max_examples=40, **SETTINGS)
@given(n=st.integers(1, 8), data=st.data())
def test_a_carriage_return_without_a_line_feed_refuses_the_file(admin_db, tmp_path_factory, n, data):
    """A lone CR in an unquoted value made a short row that was skipped; the docs say the file is refused."""
    from slo.models.rules import ValidationFailed

    row = data.draw(st.integers(0, n - 1))
    column = data.draw(st.integers(1, 9))
    cells = [gias_row(i) for i in range(n)]
    value = cells[row][column]
    at = data.draw(st.integers(0, len(value)))
    cells[row][column] = value[:at] + "\r" + value[at:]
    text = gias_text(cells, quote_all=False).replace(f'"{cells[row][column]}"', cells[row][column])
    outcome, schools, before = gias_import(admin_db, tmp_path_factory.mktemp("cr"), text.encode())
    assert isinstance(outcome, ValidationFailed), outcome
    assert f"line {row + 2} has a carriage return (CR) without a line feed" in str(outcome), str(outcome)
    assert len(schools) == before


@pytest.mark.parametrize("row", [0, 1])
def test_a_carriage_return_just_before_the_line_end_refuses_the_file(admin_db, tmp_path, row):
    """``Head0\\r\\r\\n``: Python's csv takes the lone CR as the row's end and the CRLF as a blank line
    (the generated variants above found it about one run in two)."""
    from slo.models.rules import ValidationFailed

    cells = [gias_row(0), gias_row(1)]
    cells[row][-1] += "\r"
    text = gias_text(cells, quote_all=False).replace(f'"{cells[row][-1]}"', cells[row][-1])  # unquoted
    outcome, schools, before = gias_import(admin_db, tmp_path, text.encode())
    assert isinstance(outcome, ValidationFailed), outcome
    assert f"line {row + 2} has a carriage return (CR) without a line feed" in str(outcome)
    assert len(schools) == before


def test_a_carriage_return_inside_a_quoted_value_is_only_a_line_break(admin_db, tmp_path):
    from slo.services.gias import GiasResult

    cells = [gias_row(0, "Twin\rSchools"), gias_row(1)]
    outcome, schools, _before = gias_import(admin_db, tmp_path, gias_text(cells).encode())
    assert isinstance(outcome, GiasResult) and schools["200000"] == "Twin Schools" and "200001" in schools


# --------------------------------------------------------------------------- 15. special files as output

#: commands that write a file named on the command line (OUT is replaced by the path)
OUTPUT_COMMANDS = {
    "export bundle": ["--user", "A1", "export", "bundle", "OUT"],
    "report json": ["--user", "A1", "report", "continuity", "--from", "2026-01-01", "--to", "2026-06-30",
                    "--out", "OUT"],
    "report md": ["--user", "A1", "report", "continuity", "--from", "2026-01-01", "--to", "2026-06-30",
                  "--format", "md", "--out", "OUT"],
    "report csv zip": ["--user", "A1", "report", "continuity", "--from", "2026-01-01", "--to", "2026-06-30",
                       "--format", "csv", "--out", "OUT.zip"],
}


def _special(kind: str, folder: Path, name: str) -> Path:
    """An output path ``folder/name`` of the given kind (never the real /dev/null: a link to it)."""
    import socket

    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_text("mine")
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "link to a device":
        path.symlink_to("/dev/null")
    elif kind == "link to a file":
        (folder / "real.json").write_text("old")
        path.symlink_to(folder / "real.json")
    elif kind == "link to a fifo":
        os.mkfifo(folder / "pipe")
        path.symlink_to(folder / "pipe")
    return path


def _fingerprint(path: Path) -> tuple:
    info = os.lstat(path)
    inside = sorted(p.name for p in path.iterdir()) if path.is_dir() and not path.is_symlink() else None
    return info.st_mode, info.st_ino, os.readlink(path) if path.is_symlink() else None, inside


@settings(max_examples=40, **SETTINGS)
@given(command=st.sampled_from(sorted(OUTPUT_COMMANDS)),
       kind=st.sampled_from(["fifo", "folder", "socket", "link to a device", "link to a file", "link to a fifo"]))
def test_an_output_path_that_is_not_a_regular_file_is_refused_and_kept(admin_db, tmp_path_factory, capsys, command,
                                                                     kind):
    """``slo export bundle /dev/null`` as root replaced /dev/null with a 0600 regular file."""
    folder = tmp_path_factory.mktemp("out")
    db = copy_of(admin_db, folder)
    work = folder / "w"
    work.mkdir()
    target = _special(kind, work, "out.json.zip" if command == "report csv zip" else "out.json")
    argv = [str(target) if a in ("OUT", "OUT.zip") else a for a in OUTPUT_COMMANDS[command]]
    before = {p.name: _fingerprint(p) for p in work.iterdir()}
    capsys.readouterr()
    assert main(["--db", str(db), *argv]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert str(target) in line and ".tmp" not in line, line
    assert {p.name: _fingerprint(p) for p in work.iterdir()} == before  # nothing replaced, no temporary left


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_a_missing_out_folder_is_made_owner_only(admin_db, tmp_path, capsys, umask):
    """A missing ``--out`` folder was made 0755 (0777 at umask 000); every level made is now 0700."""
    db = copy_of(admin_db, tmp_path)
    old = os.umask(umask)
    try:
        bundle_out = str(tmp_path / "a" / "b" / "x.json")
        assert main(["--db", str(db), *OUTPUT_COMMANDS["export bundle"][:-1], bundle_out]) == 0
        assert main(["--db", str(db), *OUTPUT_COMMANDS["report csv zip"][:-4], "--format", "csv", "--out",
                     str(tmp_path / "c" / "d")]) == 0
    finally:
        os.umask(old)
    for folder in ("a", "a/b", "c", "c/d"):
        assert (os.stat(tmp_path / folder).st_mode & 0o777) == 0o700, folder
    assert (os.stat(tmp_path / "a" / "b" / "x.json").st_mode & 0o777) == 0o600


def test_a_failed_write_names_the_path_given_not_a_temporary_file(admin_db, tmp_path, capsys):
    db = copy_of(admin_db, tmp_path)
    assert main(["--db", str(db), "--user", "A1", "export", "bundle", "/proc/slo-out.json"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "/proc/slo-out.json" in line and ".tmp" not in line, line


def test_a_file_in_the_way_of_an_out_folder_is_refused(admin_db, tmp_path, capsys):
    db = copy_of(admin_db, tmp_path)
    (tmp_path / "plain").write_text("mine")
    assert main(["--db", str(db), *OUTPUT_COMMANDS["export bundle"][:-1], str(tmp_path / "plain" / "x.json")]) == 1
    assert "is not a folder" in one_error_line(capsys.readouterr().err)
    assert (tmp_path / "plain").read_text() == "mine"


def test_write_if_changed_does_not_wait_on_a_fifo(tmp_path):
    """Digests and calendars are compared with what is on disk first: a FIFO there used to block for ever."""
    os.mkfifo(tmp_path / "digest.md")
    code, err, _peak = run_bounded(
        "from slo.services.files import write_if_changed; from slo.services.errors import ServiceError\n"
        f"try:\n    write_if_changed({str(tmp_path / 'digest.md')!r}, b'x')\n"
        "except ServiceError as exc:\n    print(exc, file=__import__('sys').stderr); raise SystemExit(3)\n",
        cpu_seconds=5,
    )
    assert code == 3 and "not a regular file" in err, (code, err)
