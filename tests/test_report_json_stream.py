"""`slo report continuity --format json` writes exactly render(report, "json"), piece by piece."""

from __future__ import annotations

import io
import json
import stat
from contextlib import redirect_stdout
from datetime import date

from slo.cli.cmd_report import _write_json
from slo.reports import build_report, render
from slo.services.actors import SYSTEM


def test_streamed_json_is_the_rendered_json(loaded_store, tmp_path):
    report = build_report(loaded_store, SYSTEM, date(2025, 9, 1), date(2026, 8, 31))
    report["notes"] = list(report.get("notes", [])) + ["Zoë – “quoted” \\u00e9 ñ \\n line", "x" * 70000]
    want = render(report, "json")
    out = tmp_path / "sub" / "report.json"
    assert _write_json(report, out) == 0
    assert out.read_bytes() == want.encode("utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert _write_json(report, None) == 0
    assert buffer.getvalue() == want
    json.loads(buffer.getvalue())
