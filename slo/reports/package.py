"""The evaluation dataset as a documented data package (Frictionless Data Package, tabular):

    README.md            what the dataset is, what was suppressed and why, how to load it
    datapackage.json     one resource per CSV, each with a Table Schema: every field's name, type,
                         description in words, and "c" declared as a missing value (the suppression marker)
    officers.csv, teams.csv, force.csv, schools.csv, young_people.csv, consultations.csv, months.csv

One CSV per section of the evaluation dataset; nested objects become dotted columns
(``engagements.cancelled.abstraction``). Only the evaluation dataset is packaged: it is the one
that may leave the force."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from slo.models.enums import coded, label
from slo.services.files import atomic_file

from .definitions import DEFINITIONS
from .evaluation import SUPPRESSED
from .render import flatten

#: the sections packaged, each with what one row is
SECTIONS: list[tuple[str, str]] = [
    ("officers", "One row per schools liaison officer in post in the period, keyed by pseudonym."),
    ("teams", "One row per team with a listed officer, keyed by pseudonym: sums over its officers."),
    ("force", "One row: sums over every listed officer of the force."),
    ("schools", "One row per school with an assignment, an engagement or a consultation in the period, by URN."),
    ("young_people", "One row per young person with a 1:1 session in the period, keyed by pseudonym."),
    ("consultations", "One row: the force's consultations before exclusion and referrals in the period."),
    ("months", "One row per calendar month of the period: engagements starting in it, by status."),
]
MISSING = ["", SUPPRESSED]
_SENTENCES = {d.key: d.sentence for d in DEFINITIONS}
_SUPPRESSED_NOTE = ' "c" marks a count from 1 to 9 (or one more count that would give it away), suppressed.'
_DAY_KEYS = {"pattern_days", "absence_days", "rostered_days", "abstracted_days"}


# ---------------------------------------------------------------- fields

def _describe(section: str, name: str) -> str:
    """A field's description in words, from its dotted name."""
    parts = name.split(".")
    leaf = parts[-1]
    subject = {"officers": "The officer", "teams": "The team", "force": "The force", "schools": "The school",
               "young_people": "The young person"}.get(section, "")
    if name == "pseudonym":
        what = {"officers": "collar number", "teams": "team reference", "young_people": "reference"}[section]
        return (f"{subject}'s pseudonym: HMAC-SHA-256 of the {what} with a secret kept by the force, as 64 hex "
                "characters. The same in every dataset from the same database; it cannot be reversed without "
                "the secret.")
    if name == "urn":
        return "The school's Unique Reference Number in Get Information About Schools (public)."
    if name == "assigned_officer_at_end":
        return ("Always empty in the evaluation dataset: the head teachers' calendars name each school's officer, "
                "so an officer's pseudonym beside a URN would reverse it.")
    if name == "month":
        return "The calendar month (YYYY-MM)."
    if parts[0] == "abstracted_days_by_category":
        return f"Days taken off schools work for {label(leaf).lower()} (half days count 0.5)."
    if parts[0] in ("engagements", "sessions"):
        things = "1:1 sessions" if parts[0] == "sessions" else "engagements"
        if parts[1:2] == ["cancelled"]:
            return f"{things.capitalize()} starting in the period cancelled for: {label(leaf).lower()}."
        return {"total": f"{things.capitalize()} starting in the period.",
                "delivered": f"{things.capitalize()} starting in the period that were delivered.",
                "planned": f"{things.capitalize()} starting in the period still planned."}[leaf]
    if section == "schools" and parts[0] == "consultations":
        return {"total": "Consultations at the school in the period.",
                "before_decision": "Consultations at the school in which it came to police before deciding.",
                "after_decision": "Consultations at the school in which it came after deciding."}[leaf] \
            + _SUPPRESSED_NOTE
    if section == "schools" and name == "before_decision_rate":
        return _SENTENCES["before_decision_rate"] + ' "c" when any of the school\'s consultation counts is "c".'
    if section == "consultations":
        return _describe_consultations(parts)
    if section == "months":
        return {"delivered": "Engagements starting in the month that were delivered.",
                "cancelled": "Engagements starting in the month that were cancelled (any reason).",
                "planned": "Engagements starting in the month still planned."}[leaf]
    if name in _SENTENCES:
        return _SENTENCES[name]
    raise KeyError(f"no description for {section}.{name}")


def _describe_consultations(parts: list[str]) -> str:
    head, leaf = parts[0], parts[-1]
    if head == "by_proposed":
        return f"Consultations in which the school proposed: {label(leaf).lower()}." + _SUPPRESSED_NOTE
    if head == "by_outcome":
        return f"Consultations whose outcome was: {label(leaf).lower()}." + _SUPPRESSED_NOTE
    if head == "by_reason":
        return (f"Consultations giving DfE exclusion reason {coded(leaf)} (one with several reasons counts under "
                "each)." + _SUPPRESSED_NOTE)
    if head == "ethnicity_missing":
        return (f"Young people consulted about with no ethnicity recorded, reason: {label(leaf).lower()}."
                + _SUPPRESSED_NOTE)
    if head == "by_ethnic_group":
        group = label(parts[1])
        return {"total": f"Consultations about young people of the {group} group.",
                "after_decision": f"Consultations after the decision about young people of the {group} group.",
                "suspension": f"Consultations ending in suspension, young people of the {group} group.",
                "permanent_exclusion": f"Consultations ending in permanent exclusion, young people of the {group} "
                                       "group."}[leaf] + _SUPPRESSED_NOTE
    if head == "referrals":
        if parts[1:2] == ["by_partner"]:
            return f"Referrals made in the period to: {label(leaf)}."
        return {"total": "Referrals to partners made in the period.",
                "outcome22": "Referrals made in the period recorded as outcome 22 (diversion, education or "
                             "intervention; no further action)."}[leaf]
    extra = {
        "total": "Consultations before exclusion in the period (not suppressed).",
        "before_decision": "Consultations in which the school came to police before deciding.",
        "after_decision": "Consultations in which the school came after deciding.",
        "pex_avoided_count": "The numerator of pex_avoided_rate." + _SUPPRESSED_NOTE,
        "pex_decided_count": "The denominator of pex_avoided_rate: consultations before the decision proposing "
                             "a permanent exclusion, outcome known." + _SUPPRESSED_NOTE,
        "ethnicity_recorded_count": "The numerator of ethnicity_recorded_rate." + _SUPPRESSED_NOTE,
        "young_people_consulted": "The denominator of ethnicity_recorded_rate: distinct young people consulted "
                                  "about." + _SUPPRESSED_NOTE,
    }
    if head in extra:
        return extra[head]
    sentence = _SENTENCES[head]
    if head in ("pex_avoided_rate", "ethnicity_recorded_rate"):
        sentence += ' "c" when its numerator, denominator or their difference is from 1 to 9.'
    return sentence


def _type(name: str) -> dict[str, Any]:
    leaf = name.split(".")[-1]
    if name in ("pseudonym",):
        return {"type": "string", "constraints": {"required": True, "unique": True, "pattern": "[0-9a-f]{64}"}}
    if name == "urn":
        return {"type": "string", "constraints": {"required": True, "unique": True, "pattern": "[0-9]{6,7}"}}
    if name == "assigned_officer_at_end":
        return {"type": "string"}
    if name == "month":
        return {"type": "yearmonth", "constraints": {"required": True, "unique": True}}
    if leaf.endswith("_rate") or leaf.endswith("_share"):
        return {"type": "number", "constraints": {"minimum": 0, "maximum": 1}}
    if leaf in _DAY_KEYS or name.startswith("abstracted_days_by_category."):
        return {"type": "number", "constraints": {"minimum": 0}}
    return {"type": "integer", "constraints": {"minimum": 0}}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


# ---------------------------------------------------------------- the package

def _rows(report: dict[str, Any], section: str) -> list[dict[str, Any]]:
    value = report[section]
    return [flatten(r) for r in value] if isinstance(value, list) else [flatten(value)]


def _columns(report: dict[str, Any], section: str, rows: list[dict[str, Any]]) -> list[str]:
    if rows:
        return list(rows[0])
    # an empty section still gets its header: the columns of an empty entry of that shape
    from .figures import empty_engagements

    if section in ("officers", "teams"):
        return list(flatten({"pseudonym": "", **report["force"]}))
    if section == "schools":
        return list(flatten({"urn": "", "assigned_officer_at_end": None, "officer_changes": 0,
                             "distinct_officers": 0, "unassigned_days": 0, "tenure_days_at_end": 0,
                             "engagements": empty_engagements(), "delivery_rate": None,
                             "abstraction_cancellation_rate": None, "delivered_by_assigned_share": None,
                             "longest_gap_days": 0, "consultations": {"total": 0, "before_decision": 0,
                                                                      "after_decision": 0},
                             "before_decision_rate": None}))
    if section == "young_people":
        return list(flatten({"pseudonym": "", "sessions": empty_engagements(), "delivery_rate": None,
                             "abstraction_cancellation_rate": None, "broken_arrangements": 0,
                             "same_officer_share": None, "longest_gap_days": 0}))
    return ["month", "delivered", "cancelled", "planned"]


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def _resource(section: str, what: str, columns: list[str]) -> dict[str, Any]:
    fields = []
    for name in columns:
        fields.append({"name": name, "title": name.replace("_", " ").replace(".", ": "),
                       "description": _describe(section, name), **_type(name)})
    schema: dict[str, Any] = {"fields": fields, "missingValues": MISSING}
    key = next((k for k in ("pseudonym", "urn", "month") if k in columns), None)
    if key:
        schema["primaryKey"] = [key]
    return {"name": section.replace("_", "-"), "path": f"{section}.csv", "profile": "tabular-data-resource",
            "title": section.replace("_", " ").capitalize(), "description": what, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}


def descriptor(report: dict[str, Any], resources: list[dict[str, Any]]) -> dict[str, Any]:
    period = report["period"]
    return {
        "profile": "tabular-data-package",
        "name": f"slo-continuity-evaluation-{period['from']}-to-{period.get('counted_to') or period['to']}",
        "title": "Schools liaison continuity: evaluation dataset",
        "description": ("Pseudonymised figures of the schools liaison officers of one police force: days taken off "
                        "schools work (abstraction) and absence, engagements delivered and cancelled, continuity of "
                        "schools and young people, and consultations before exclusion. Definitions version "
                        f"{report['definitions_version']}; counts from 1 to 9 about children are suppressed as c."),
        "version": str(report["definitions_version"]),
        "created": report["generated_at"],
        "keywords": ["police", "schools liaison", "exclusion", "abstraction", "continuity"],
        "resources": resources,
        # added properties (allowed by the Data Package specification)
        "definitions_version": report["definitions_version"],
        "period": period,
        "suppression": ("Counts from 1 to 9 in consultations.by_ethnic_group, ethnicity_missing, by_reason, "
                        "by_outcome, by_proposed and in each school's consultations are \"c\"; where a breakdown "
                        "would then have exactly one \"c\", its next-smallest non-zero count is \"c\" too; rates on "
                        "a suppressed count are \"c\"; zeros stay 0."),
    }


def readme(report: dict[str, Any]) -> str:
    period = report["period"]
    counted = period.get("counted_to") or period["to"]
    files = "\n".join(f"- `{s}.csv`: {what}" for s, what in SECTIONS)
    return f"""# Schools liaison continuity: evaluation dataset

What this is: the figures of one police force's schools liaison officers (SLOs) from {period['from']} to
{counted} (the period asked for ran to {period['to']}; later days had not happened and count nothing), as
defined by the continuity metrics, definitions version {report['definitions_version']}. Produced
{report['generated_at']}. It covers the whole force: days officers were taken off schools work (abstraction)
and absent, engagements delivered and cancelled, how long schools and young people kept the same officer,
and consultations before a pupil's exclusion, with their outcomes and referrals.

{files}

`datapackage.json` describes every file and column in words (a Frictionless Data Package: each CSV has a
Table Schema with the type and description of each field). The definitions of every figure are in words
with their formulas in the continuity report's definitions (version {report['definitions_version']}).

## What was left out or hidden, and why

- No names, dates of birth, notes, police advice or free text. Young people, officers and teams appear
  only as pseudonyms (HMAC-SHA-256 with a secret the force keeps): the same child has the same pseudonym
  in every dataset from the same force, and nobody can reverse it without the secret.
- Schools keep their URN (public), but no officer is shown beside a school: the head teachers' calendars
  name each school's officer, which would reverse the officer's pseudonym.
- Small numbers about children are suppressed, as in official statistics: in the consultation breakdowns
  (by ethnic group, missing ethnicity, reason, outcome, what was proposed) and in each school's
  consultation counts, every count from 1 to 9 is shown as `c`. Where a breakdown would then have exactly
  one `c`, which could be worked out from a total, its next-smallest non-zero count is `c` too. A rate
  on a suppressed count is `c`. Zeros stay 0. An empty cell means there was nothing to divide by.

## Loading it

Python (pandas), treating `c` as missing:

```python
import pandas as pd
officers = pd.read_csv("officers.csv", na_values=["c"])
schools = pd.read_csv("schools.csv", na_values=["c"], dtype={{"urn": str}})
```

or with the schema: `frictionless validate datapackage.json`, and
`frictionless.Package("datapackage.json").get_resource("schools").to_pandas()`.

R:

```r
officers <- read.csv("officers.csv", na.strings = c("", "c"))
schools <- read.csv("schools.csv", na.strings = c("", "c"), colClasses = c(urn = "character"))
```

Column names with dots (`engagements.cancelled.abstraction`) are nested figures; R's `read.csv` keeps the
dots, pandas keeps them as they are.
"""


def package_files(report: dict[str, Any]) -> dict[str, bytes]:
    """File name -> bytes of every file of the package."""
    if not report.get("evaluation"):
        raise ValueError("only the evaluation dataset is packaged")
    files: dict[str, bytes] = {}
    resources = []
    for section, what in SECTIONS:
        rows = _rows(report, section)
        columns = _columns(report, section, rows)
        files[f"{section}.csv"] = _csv(columns, rows)
        resources.append(_resource(section, what, columns))
    files["datapackage.json"] = (json.dumps(descriptor(report, resources), indent=2, ensure_ascii=False)
                                 + "\n").encode("utf-8")
    files["README.md"] = readme(report).encode("utf-8")
    return files


def package_zip(report: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in package_files(report).items():
            z.writestr(name, data)
    return buf.getvalue()


def write_package(report: dict[str, Any], out: Path) -> Path:
    with atomic_file(out, binary=True) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in package_files(report).items():
            z.writestr(name, data)
    return out
