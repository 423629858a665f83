"""The evaluation dataset as a Frictionless data package (`--format package --out FILE.zip`): one CSV per
section, datapackage.json with a Table Schema per file (every field typed and described in words, "c"
declared as a missing value), a README; validated with the frictionless library, loaded with pandas,
the figures equal to the json dataset's, and the command's usage errors."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from frictionless import Package, validate
from helpers.report_v2_bundle import AS_OF, FROM, TO, load_v2

from slo.cli.main import main
from slo.reports import build_report
from slo.reports.package import SECTIONS, package_files
from slo.services.actors import load_actor


@pytest.fixture
def v2store(store):
    return load_v2(store)


BASE = ["report", "continuity", "--from", FROM.isoformat(), "--to", TO.isoformat(), "--as-of", AS_OF.isoformat()]


@pytest.fixture
def package(v2store, tmp_path):
    out = tmp_path / "evaluation.zip"
    assert main(["--db", str(v2store.path), "--user", "EVA", *BASE, "--evaluation", "--format", "package",
                 "--out", str(out)]) == 0
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(out) as z:
        names = sorted(z.namelist())
        z.extractall(folder)
    return folder, names


def test_files_and_descriptor(package):
    folder, names = package
    assert names == sorted(["README.md", "datapackage.json", *(f"{s}.csv" for s, _ in SECTIONS)])
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert d["profile"] == "tabular-data-package" and d["definitions_version"] == "2"
    assert d["period"] == {"from": "2026-03-02", "to": "2026-03-29", "counted_to": "2026-03-18"}
    assert [r["path"] for r in d["resources"]] == [f"{s}.csv" for s, _ in SECTIONS]
    for resource in d["resources"]:
        schema = resource["schema"]
        assert schema["missingValues"] == ["", "c"]
        header = next(csv.reader(io.StringIO((folder / resource["path"]).read_text(encoding="utf-8"))))
        assert [f["name"] for f in schema["fields"]] == header
        for f in schema["fields"]:
            # every field typed and described in words (a sentence, not the key again)
            assert f["type"] in ("string", "integer", "number", "yearmonth"), f
            assert len(f["description"]) > 25 and f["description"].endswith((".", '"c".', "is \"c\".")), f
            assert f["description"] != f["name"]
    fields = {f["name"]: f for r in d["resources"] for f in r["schema"]["fields"] if r["name"] == "consultations"}
    assert "PA Physical assault against an adult" in fields["by_reason.PA"]["description"]
    assert '"c" marks a count from 1 to 9' in fields["by_outcome.suspension"]["description"]


def test_validates_with_frictionless(package):
    folder, _ = package
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]
    # and frictionless reads "c" as missing, the numbers as numbers
    schools = Package(folder / "datapackage.json").get_resource("schools").read_rows()
    by_urn = {r["urn"]: r for r in schools}
    assert by_urn["200001"]["consultations.total"] is None          # "c"
    assert by_urn["200001"]["consultations.after_decision"] == 0
    assert by_urn["200001"]["tenure_days_at_end"] == 7


def test_validation_can_fail(package):
    folder, _ = package
    path = folder / "officers.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0][1] == "pattern_days"
    rows[1][1] = "thirteen"          # an integer field holding words
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    report = validate(folder / "datapackage.json")
    assert not report.valid
    assert ["type-error"] in report.flatten(["type"])


def test_loads_with_pandas_and_matches_the_json(package, v2store):
    folder, _ = package
    dataset = build_report(v2store, load_actor(v2store.db, "EVA"), FROM, TO, evaluation=True, as_of=AS_OF)
    officers = pd.read_csv(folder / "officers.csv", na_values=["c"])
    assert len(officers) == 4
    # Q1's row (by its pseudonym): 13 working days, 3.5 taken off, rate 3.5 / 11
    q1 = next(o for o in dataset["officers"] if o["pattern_days"] == 13 and o["absence_days"] == 2)
    row = officers.set_index("pseudonym").loc[q1["pseudonym"]]
    assert row["abstracted_days"] == 3.5 and row["abstraction_rate"] == pytest.approx(3.5 / 11)
    assert row["abstracted_days_by_category.call_handling"] == 1.5
    schools = pd.read_csv(folder / "schools.csv", na_values=["c"], dtype={"urn": str})
    assert list(schools["urn"]) == ["200001", "200002", "200003"]
    assert schools["assigned_officer_at_end"].isna().all()
    # suppressed counts are missing, zeros stay 0, rates on suppressed counts missing
    assert schools["consultations.total"].isna().all()
    assert list(schools["consultations.after_decision"])[0] == 0
    assert schools["before_decision_rate"].isna().all()
    consultations = pd.read_csv(folder / "consultations.csv", na_values=["c"])
    assert consultations.loc[0, "total"] == 3 and pd.isna(consultations.loc[0, "by_reason.PA"])
    assert consultations.loc[0, "by_reason.TH"] == 0
    months = pd.read_csv(folder / "months.csv")
    assert months.to_dict("records") == [{"month": "2026-03", "delivered": 4, "cancelled": 3, "planned": 1}]
    # every value of the json dataset is in the CSVs
    young = pd.read_csv(folder / "young_people.csv", na_values=["c"]).set_index("pseudonym")
    for y in dataset["young_people"]:
        assert young.loc[y["pseudonym"], "broken_arrangements"] == y["broken_arrangements"]


def test_readme_says_what_and_how(package):
    folder, _ = package
    text = (folder / "README.md").read_text(encoding="utf-8")
    for words in ("definitions version 2", "from 1 to 9", "next-smallest non-zero count", "pd.read_csv",
                  'na.strings = c("", "c")', "no officer is shown beside a school", "2026-03-18"):
        assert words in text, words


def test_holds_no_key_or_name(package):
    folder, _ = package
    text = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    for leak in ("Q1", "Y1", "SG", "T1,", "Alder School", "Given", "Family", "advice text", "Name of"):
        assert leak not in text, leak


def test_usage_errors(v2store, tmp_path, capsys):
    args = ["--db", str(v2store.path), "--user", "AD", *BASE, "--format", "package"]
    with pytest.raises(SystemExit) as named:
        main([*args, "--out", str(tmp_path / "p.zip")])
    assert named.value.code == 2 and "add --evaluation" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_out:
        main([*args, "--evaluation"])
    assert no_out.value.code == 2 and "--out FILE.zip" in capsys.readouterr().err
    assert not (tmp_path / "p.zip").exists()
    with pytest.raises(ValueError, match="only the evaluation dataset"):
        package_files(build_report(v2store, load_actor(v2store.db, "AD"), FROM, TO, as_of=AS_OF))


def test_empty_sections_keep_their_headers(v2store):
    # a period with no officer in post and no engagement: empty sections still have typed columns
    from datetime import date

    r = build_report(v2store, load_actor(v2store.db, "EVA"), date(2019, 1, 1), date(2019, 1, 31),
                     evaluation=True, as_of=AS_OF)
    files = package_files(r)
    assert files["officers.csv"].decode().startswith("pseudonym,pattern_days,")
    assert files["schools.csv"].decode().startswith("urn,assigned_officer_at_end,")
