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
    assert audited == 3  # the stream's start and end rows, and the in-memory export's row


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


# --- streaming import: the file reader sees exactly what the dict reader sees ----------------

from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from slo.models.rules import ValidationFailed  # noqa: E402
from slo.services.bundle import _events_from_dict, _events_from_file, import_bundle_file  # noqa: E402

json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=20) | st.floats(
    allow_nan=False, allow_infinity=False, width=32
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(
    st.sampled_from(["format", "teams", "officers", "schools", "engagements", "odd"]) | st.text(max_size=6),
    json_values,
    max_size=5,
) | json_values


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents)
def test_file_events_equal_dict_events(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("ev") / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert list(_events_from_file(Path(path))) == list(_events_from_dict(doc))


def test_file_import_equals_dict_import(tmp_path, small_bundle):
    from slo.store.db import open_store

    path = tmp_path / "b.json"
    path.write_text("\ufeff" + json.dumps(small_bundle), encoding="utf-8")  # with a byte-order mark
    a, b = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    ra = import_bundle_file(a, path, None)
    rb = import_bundle(b, small_bundle, None)
    assert ra.summary() == rb.summary()
    admin_a, admin_b = load_actor(a.db, "A1"), load_actor(b.db, "A1")
    assert export_bundle(a, admin_a) == export_bundle(b, admin_b)


def test_file_import_refuses_like_dict_import(tmp_path, small_bundle, store):
    small_bundle["engagements"][0]["officer"] = "PC9999"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(small_bundle), encoding="utf-8")
    try:
        import_bundle_file(store, path, None)
    except ValidationFailed as exc:
        message = str(exc)
    assert "engagements ENG-1, field officer" in message and "'PC9999'" in message
    assert store.db.execute("SELECT count(*) FROM officers").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0
