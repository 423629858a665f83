"""The report's formats through the real command: json, csv (folder and zip, formula-safe), md, html
(self-contained, opened in headless Chromium)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

from slo.cli.main import main
from slo.reports.render import safe_cell

ARGS = ["report", "continuity", "--from", "2026-01-05", "--to", "2026-01-18"]


def run(store, user, *extra, capsys=None):
    code = main(["--db", str(store.path), "--user", user, *ARGS, *extra])
    return code


def test_json_to_stdout(rstore, capsys):
    assert run(rstore, "A1") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["definitions_version"] == "2"
    assert data["force"]["pattern_days"] == 18


def test_evaluator_named_report_refused(rstore, capsys):
    assert run(rstore, "EV") == 1
    err = capsys.readouterr().err
    assert err.startswith("slo: error:") and "evaluation" in err
    assert run(rstore, "EV", "--evaluation", "--recipient", "Uni") == 0
    out = capsys.readouterr().out
    assert "P1" not in json.loads(out)["officers"][0].values()


def test_csv_folder_and_zip_formula_safe(rstore, tmp_path, capsys):
    folder = tmp_path / "csv"
    assert run(rstore, "A1", "--format", "csv", "--out", str(folder)) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["consultations.csv", "force.csv", "months.csv", "officers.csv", "report.csv",
                     "schools.csv", "teams.csv", "young_people.csv"]
    with open(folder / "schools.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = {r["urn"]: r["name"] for r in rows}
    # the school called =HYPERLINK("x") comes back as text
    assert names["100003"] == '\'=HYPERLINK("x")'
    # nested objects flattened to columns
    assert "engagements.cancelled.abstraction" in rows[0]
    assert {r["urn"]: r["engagements.delivered"] for r in rows}["100001"] == "6"
    zpath = tmp_path / "r.zip"
    assert run(rstore, "A1", "--format", "csv", "--out", str(zpath)) == 0
    with zipfile.ZipFile(zpath) as z:
        text = z.read("schools.csv").decode("utf-8-sig")
    assert '\'=HYPERLINK(""x"")' in text


def test_safe_cell():
    for bad in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("Alpha") == "Alpha" and safe_cell(None) == "" and safe_cell(3) == "3"


def test_md_escapes_user_text(rstore, capsys):
    assert run(rstore, "A1", "--format", "md") == 0
    out = capsys.readouterr().out
    assert "Beta \\<b\\>School\\</b\\>" in out
    assert "## Definitions (version 2)" in out


def test_html_self_contained_escaped_and_renders(rstore, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert run(rstore, "A1", "--format", "html", "--out", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert "Beta &lt;b&gt;School&lt;/b&gt;" in html and "<b>School</b>" not in html
    assert html.count("<svg") == 4
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<link" not in html
    assert "Definitions (version 2)" in html
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    proc = subprocess.run(
        ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         f"--screenshot={shot}", "--window-size=1200,1600", "--enable-logging=stderr", "--v=0",
         out.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.exists(), proc.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Refused to" in line]
    assert console == [], console


def test_evaluation_html_and_csv_hold_no_refs(rstore, tmp_path):
    folder = tmp_path / "ev"
    assert main(["--db", str(rstore.path), "--user", "A1", *ARGS, "--evaluation", "--format", "csv",
                 "--out", str(folder)]) == 0
    assert main(["--db", str(rstore.path), "--user", "A1", *ARGS, "--evaluation", "--format", "html",
                 "--out", str(tmp_path / "ev.html")]) == 0
    texts = [p.read_text(encoding="utf-8-sig") for p in folder.iterdir()] + [
        (tmp_path / "ev.html").read_text(encoding="utf-8")]
    for text in texts:
        for leak in ["YP1", "YP2", "Alpha School", "HYPERLINK", "Name of", ",P1,", ">P1<", "T-A"]:
            assert leak not in text, leak
    reader = csv.DictReader(io.StringIO((folder / "consultations.csv").read_text(encoding="utf-8-sig")))
    row = next(reader)
    assert row["by_reason.PA"] == "c" and row["total"] == "5"
    assert Path(folder / "report.csv").read_text(encoding="utf-8-sig").count("definitions_version") == 1
