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
