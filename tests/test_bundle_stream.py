"""The streaming bundle writer gives exactly the canonical text, whatever the size, and is audited."""

from __future__ import annotations

import io
import json

from slo.cli.main import main
from slo.services.actors import load_actor
from slo.services.bundle import dump, export_bundle, import_bundle, write_bundle


def test_stream_equals_canonical_dump(loaded_store):
    admin = load_actor(loaded_store.db, "A1")
    buf = io.StringIO()
    counts = write_bundle(loaded_store, admin, buf)
    assert buf.getvalue() == dump(export_bundle(loaded_store, admin))
    assert counts["engagements"] == 2 and counts["referrals"] == 1
    audited = loaded_store.db.execute(
        "SELECT count(*) FROM audit WHERE operation = 'export' AND entity = 'bundle'"
    ).fetchone()[0]
    assert audited == 2


def test_stream_with_empty_sections(store, small_bundle):
    minimal = {"format": "slo-bundle/1", "officers": small_bundle["officers"][2:3]}
    minimal["officers"][0]["team"] = None
    import_bundle(store, minimal, None)
    admin = load_actor(store.db, "A1")
    buf = io.StringIO()
    write_bundle(store, admin, buf)
    text = buf.getvalue()
    assert text == dump(export_bundle(store, admin))
    assert json.loads(text)["engagements"] == []


def test_cli_export_does_not_block_a_writer_and_leaves_no_temp(loaded_store, tmp_path, capsys):
    out = tmp_path / "out" / "bundle.json"
    assert main(["--db", str(loaded_store.path), "--user", "A1", "export", "bundle", str(out)]) == 0
    assert json.loads(out.read_text())["format"] == "slo-bundle/1"
    assert [p.name for p in out.parent.iterdir()] == ["bundle.json"]
    assert (out.stat().st_mode & 0o777) == 0o600
