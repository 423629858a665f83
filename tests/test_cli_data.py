"""`slo import` and `slo export bundle` through slo.cli.main.main: exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from helpers.identity import bind_current_account

from slo.cli.main import main
from slo.models import ENTITY_MODELS
from slo.store.db import open_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("slo: error: ")
    return lines[0]


def table_counts(db_path: Path) -> dict[str, int]:
    s = open_store(db_path, create=False)
    try:
        return {t: s.db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in [*ENTITY_MODELS, "audit"]}
    finally:
        s.close()


def test_import_into_a_new_database_then_export(capsys, db_path, bundle_file, small_bundle, tmp_path):
    code, out, err = run(capsys, "--db", str(db_path), "import", str(bundle_file))
    assert code == 0 and out == ""
    assert err.startswith(f"imported {bundle_file}: ") and "officers: 5 added" in err
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    target = tmp_path / "out" / "export.json"
    code, out, err = run(capsys, "--db", str(db_path), "--user", "A1", "export", "bundle", str(target))
    assert code == 0 and out == ""
    assert err.startswith(f"wrote {target}: ") and "5 officers" in err
    exported = json.loads(target.read_text(encoding="utf-8"))
    for entity in ENTITY_MODELS:
        assert len(exported[entity]) == len(small_bundle[entity])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(target.parent.glob(".*.tmp"))


def test_export_to_stdout_is_the_exact_bundle(capsys, db_path, bundle_file, tmp_path):
    assert run(capsys, "--db", str(db_path), "import", str(bundle_file))[0] == 0
    code, out, err = run(capsys, "--db", str(db_path), "--user", "A1", "export", "bundle", "-")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["format"] == "slo-bundle/1"
    # the same bundle into a second database exports identically
    other = tmp_path / "second" / "slo.db"
    again = tmp_path / "again.json"
    again.write_text(out, encoding="utf-8")
    assert run(capsys, "--db", str(other), "import", str(again))[0] == 0
    code, out2, _ = run(capsys, "--db", str(other), "--user", "A1", "export", "bundle", "-")
    assert code == 0 and out2 == out


def test_environment_variables_give_db_and_user(capsys, monkeypatch, db_path, bundle_file):
    monkeypatch.setenv("SLO_DB", str(db_path))
    assert run(capsys, "import", str(bundle_file))[0] == 0
    monkeypatch.setenv("SLO_USER", "A1")
    code, out, _ = run(capsys, "export", "bundle", "-")
    assert code == 0 and json.loads(out)["schools"]


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda b: b["officers"][3].update(role="constable"), "officers PC1000, field role"),
        (lambda b: b["engagements"][0].update(officer="PC9999"), "engagements ENG-1, field officer"),
        (lambda b: b["schools"].append(dict(b["schools"][0])), "schools 100000: appears twice"),
    ],
)
def test_invalid_bundle_exit_1_one_line_nothing_written(capsys, db_path, tmp_path, small_bundle, mutate, words):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(small_bundle), encoding="utf-8")
    mutate(small_bundle)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(small_bundle), encoding="utf-8")
    # into a new database: refused, and no empty database is left behind
    code, out, err = run(capsys, "--db", str(db_path), "import", str(path))
    assert code == 1 and out == ""
    assert words in one_line_error(err)
    assert not db_path.exists()
    # into an existing database: refused, and nothing written
    assert run(capsys, "--db", str(db_path), "import", str(good))[0] == 0
    before = table_counts(db_path)
    code, out, err = run(capsys, "--db", str(db_path), "--user", "A1", "import", str(path))
    assert code == 1 and out == ""
    assert words in one_line_error(err)
    assert table_counts(db_path) == before


def test_import_over_existing_needs_admin(capsys, db_path, bundle_file):
    assert run(capsys, "--db", str(db_path), "import", str(bundle_file))[0] == 0
    store = open_store(db_path)
    bind_current_account(store)  # the creator (bound to A1) is now a test account bound to every officer
    store.close()
    before = table_counts(db_path)
    code, _, err = run(capsys, "--db", str(db_path), "import", str(bundle_file))
    assert code == 1 and "needs --user" in one_line_error(err)
    code, _, err = run(capsys, "--db", str(db_path), "--user", "PC1000", "import", str(bundle_file))
    assert code == 1 and "may not import" in one_line_error(err)
    code, _, err = run(capsys, "--db", str(db_path), "--user", "ZZ9", "import", str(bundle_file))
    assert code == 1 and "not 'ZZ9'" in one_line_error(err)
    after = table_counts(db_path)
    assert {t: after[t] for t in ENTITY_MODELS} == {t: before[t] for t in ENTITY_MODELS}
    code, _, err = run(capsys, "--db", str(db_path), "--user", "A1", "import", str(bundle_file))
    assert code == 0 and "unchanged" in err


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "file not found"),
        (b"{not json", "is not valid JSON (line 1"),
        (b"\xff\xfe{}", "is not UTF-8"),
        (b"[]", "expected a JSON object"),
        (b'{"format": "csv"}', "expected 'slo-bundle/1'"),
    ],
)
def test_unreadable_bundle_files_exit_1(capsys, db_path, tmp_path, content, words):
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "--db", str(db_path), "import", str(path))
    assert code == 1 and out == ""
    assert words in one_line_error(err)
    assert not db_path.exists()  # a file that cannot be read does not even create the database


def test_export_errors_exit_1(capsys, db_path, bundle_file, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "none.db"), "--user", "A1", "export", "bundle", "-")
    assert code == 1 and "no database at" in one_line_error(err)
    assert run(capsys, "--db", str(db_path), "import", str(bundle_file))[0] == 0
    store = open_store(db_path)
    bind_current_account(store)  # the creator (bound to A1) is now a test account bound to every officer
    store.close()
    code, _, err = run(capsys, "--db", str(db_path), "export", "bundle", "-")
    assert code == 1 and "needs a user" in one_line_error(err)
    code, out, err = run(capsys, "--db", str(db_path), "--user", "PC1000", "export", "bundle", "-")
    assert code == 1 and out == "" and "may not export" in one_line_error(err)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--db", str(db_path), "--user", "A1", "export", "bundle", str(blocker / "out.json"))
    assert code == 1
    one_line_error(err)


@pytest.mark.parametrize(
    "argv",
    [
        ["import"],
        ["import", "a.json", "b.json"],
        ["export"],
        ["export", "bundle"],
        ["export", "nonsense", "x"],
        ["--no-such-option", "import", "x"],
    ],
)
def test_usage_errors_exit_2(capsys, db_path, argv):
    code, out, err = run(capsys, "--db", str(db_path), *argv)
    assert code == 2 and out == ""
    assert "usage" in err and "Traceback" not in err
    assert not db_path.exists()


def test_slo_user_is_ignored_for_the_first_import(capsys, monkeypatch, db_path, bundle_file):
    """cli.md: import into an empty database needs no user; a user set in the environment must not block it."""
    monkeypatch.setenv("SLO_USER", "A1")
    code, _, err = run(capsys, "--db", str(db_path), "import", str(bundle_file))
    assert code == 0, err
    s = open_store(db_path, create=False)
    try:
        actors = {r[0] for r in s.db.execute("SELECT DISTINCT actor FROM audit")}
    finally:
        s.close()
    assert actors == {"bootstrap"}


def test_a_stray_pydantic_error_is_one_line_exit_1(capsys, monkeypatch, db_path, bundle_file):
    """A command that builds a model from bad arguments still ends with one line, not a traceback."""
    from slo.cli import cmd_data
    from slo.models import School

    def broken(ctx, args):
        School.model_validate({"urn": "12", "name": "X\x1b[2J", "phase": "nursery"})

    monkeypatch.setattr(cmd_data, "run_import", broken)
    code, out, err = run(capsys, "--db", str(db_path), "import", str(bundle_file))
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert "schools, field urn: '12' should be a 6-digit URN (and 1 more problem)" in line


def test_other_value_errors_are_not_swallowed(capsys, monkeypatch, db_path, bundle_file):
    """Only user errors become messages: a programming error still raises (and fails loudly)."""
    from slo.cli import cmd_data

    def broken(ctx, args):
        raise ValueError("a bug")

    monkeypatch.setattr(cmd_data, "run_import", broken)
    with pytest.raises(ValueError, match="a bug"):
        main(["--db", str(db_path), "import", str(bundle_file)])


def test_arguments_that_are_not_utf8_are_refused_in_one_line(capsys, db_path):
    from slo.cli.main import main

    bad = b"PC\xff".decode("utf-8", "surrogateescape")  # what Python makes of undecodable argv bytes
    assert main(["--db", str(db_path), "--user", bad, "due"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "slo: error: argument 4 is not valid UTF-8 text; retype it"
    assert not db_path.exists()


def test_global_options_may_follow_the_command(tmp_path, capsys):
    from slo.cli.main import main

    db = tmp_path / "after.db"
    assert main(["demo", "--db", str(db), "--today", "2026-11-27"]) == 0
    assert db.exists()
    capsys.readouterr()
    assert main(["due", "--db", str(db), "--user", "PC1000", "--on", "2026-11-27", "--format", "json"]) == 0
    assert capsys.readouterr().out.startswith("[")
    # a value before the command is kept when none follows it
    assert main(["--db", str(db), "--user", "PC1000", "due", "--on", "2026-11-27"]) == 0


def test_labels_read_as_people_write_them():
    from slo.models.enums import label

    assert label("slo") == "SLO" and label("camhs") == "CAMHS" and label("post16") == "Post-16"
    assert label("plain_clothes_only") == "Plain clothes only"
