"""Presenting a report: json, md, html (one self-contained file, inline CSS and SVG) and csv
(one file per section, in a folder or a .zip). User text is escaped for each format; csv cells are
made safe against formula injection."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from slo.services.files import write_atomic

from .definitions import DEFINITIONS
from .evaluation import SUPPRESSED

FORMATS = ("json", "csv", "md", "html")
SECTIONS = ["officers", "teams", "force", "schools", "young_people", "consultations", "months"]


# ---------------------------------------------------------------- shared

def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects to dotted columns: ``engagements.cancelled.abstraction``."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, name + "."))
        elif isinstance(v, list):
            out[name] = "; ".join(str(x) for x in v)
        else:
            out[name] = v
    return out


def key_of(row: dict[str, Any]) -> str:
    for k in ("collar_number", "ref", "urn", "pseudonym", "month"):
        if k in row:
            return k
    return ""


def pct(value: Any) -> str:
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value * 100:.1f}%"


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def section_rows(report: dict[str, Any], section: str) -> list[dict[str, Any]]:
    value = report.get(section)
    if value is None:
        return []
    if isinstance(value, list):
        return [flatten(r) for r in value]
    return [flatten(value)]


def meta_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {"key": "definitions_version", "value": report["definitions_version"]},
        {"key": "period.from", "value": report["period"]["from"]},
        {"key": "period.to", "value": report["period"]["to"]},
        {"key": "generated_at", "value": report["generated_at"]},
        {"key": "scope.level", "value": report["scope"]["level"]},
        {"key": "scope.key", "value": report["scope"]["key"]},
        {"key": "evaluation", "value": report["evaluation"]},
        {"key": "audit_record", "value": report.get("audit_record")},
    ]
    rows += [{"key": f"note.{i + 1}", "value": n} for i, n in enumerate(report.get("notes", []))]
    return rows


# ---------------------------------------------------------------- json

def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- csv

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A csv cell that a spreadsheet reads as text: a leading = + - @ TAB or CR gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if text.startswith(_DANGEROUS):
        return "'" + text
    return text


def csv_text(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(c) for c in columns])
    for r in rows:
        w.writerow([safe_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def csv_files(report: dict[str, Any]) -> dict[str, str]:
    """File name -> csv text: ``report.csv`` (definitions version, period, notes) and one per section."""
    files = {"report.csv": csv_text(meta_rows(report))}
    for section in SECTIONS:
        if section in report:
            files[f"{section}.csv"] = csv_text(section_rows(report, section))
    return files


def csv_zip(report: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in csv_files(report).items():
            z.writestr(name, text.encode("utf-8-sig"))
    return buf.getvalue()


def write_csv(report: dict[str, Any], out: Path) -> Path:
    """A folder of csv files, or a .zip when ``out`` ends in .zip."""
    out = Path(out)
    if out.suffix.lower() == ".zip":
        _write_bytes(out, csv_zip(report))
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, text in csv_files(report).items():
        _write_bytes(out / name, text.encode("utf-8-sig"))
    return out


# ---------------------------------------------------------------- markdown

def md_escape(text: Any) -> str:
    s = fmt(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#!~":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\r", " ").replace("\n", " ")


def _table_md(headers: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(md_escape(c) for c in r) + " |")
    return lines


def _officer_id(row: dict[str, Any]) -> str:
    return row.get("collar_number") or row.get("ref") or row.get("pseudonym", "")[:12]


def _people_tables(report: dict[str, Any]):
    """(title, headers, rows) for every table both md and html show."""
    off_h = ["officer", "pattern days", "absence days", "rostered days", "abstracted days", "abstraction rate",
             "unavailability rate", "pending review", "engagements", "delivered", "cancelled", "delivery rate",
             "abstraction cancellation rate"]

    def off_row(key: str, o: dict[str, Any]) -> list[Any]:
        e = o["engagements"]
        return [key, o["pattern_days"], o["absence_days"], o["rostered_days"], o["abstracted_days"],
                pct(o["abstraction_rate"]), pct(o["unavailability_rate"]), o["pending_review"], e["total"],
                e["delivered"], sum(e["cancelled"].values()), pct(o["delivery_rate"]),
                pct(o["abstraction_cancellation_rate"])]

    tables = []
    tables.append(("Force", off_h, [off_row("all listed officers", report["force"])]))
    tables.append(("Teams", ["team"] + off_h[1:], [off_row(_officer_id(t), t)[0:1] + off_row("", t)[1:]
                                                  for t in report["teams"]]))
    tables.append(("Officers", off_h, [off_row(_officer_id(o), o) for o in report["officers"]]))
    cats = list(report["force"]["abstracted_days_by_category"])
    tables.append(("Abstracted days by category", ["officer"] + cats,
                   [[_officer_id(o)] + [o["abstracted_days_by_category"][c] for c in cats]
                    for o in report["officers"]]))
    named = any("name" in s for s in report["schools"])
    sch_h = ["URN"] + (["school"] if named else []) + [
        "assigned officer at end", "officer changes", "distinct officers", "unassigned days", "tenure days at end",
        "engagements", "delivered", "delivery rate", "abstraction cancellation rate", "delivered by assigned",
        "longest gap days", "consultations", "before decision", "after decision", "before decision rate"]
    sch_rows = []
    for s in report["schools"]:
        e = s["engagements"]
        c = s["consultations"]
        officer = s["assigned_officer_at_end"]
        if officer and len(officer) == 64:
            officer = officer[:12]
        sch_rows.append([s["urn"]] + ([s.get("name")] if named else []) + [
            officer, s["officer_changes"], s["distinct_officers"], s["unassigned_days"], s["tenure_days_at_end"],
            e["total"], e["delivered"], pct(s["delivery_rate"]), pct(s["abstraction_cancellation_rate"]),
            pct(s["delivered_by_assigned_share"]), s["longest_gap_days"], c["total"], c["before_decision"],
            c["after_decision"], pct(s["before_decision_rate"])])
    tables.append(("Schools", sch_h, sch_rows))
    yp_h = ["young person", "sessions", "delivered", "planned", "cancelled", "broken arrangements",
            "delivery rate", "same officer share", "longest gap days"]
    tables.append(("Young people", yp_h, [
        [_officer_id(y), y["sessions"]["total"], y["sessions"]["delivered"], y["sessions"]["planned"],
         sum(y["sessions"]["cancelled"].values()), y["broken_arrangements"], pct(y["delivery_rate"]),
         pct(y["same_officer_share"]), y["longest_gap_days"]] for y in report["young_people"]]))
    c = report["consultations"]
    tables.append(("Consultations", ["total", "before decision", "after decision", "before decision rate",
                                     "permanent exclusion avoided rate", "ethnicity recorded rate",
                                     "referrals", "outcome 22"],
                   [[c["total"], c["before_decision"], c["after_decision"], pct(c["before_decision_rate"]),
                     pct(c["pex_avoided_rate"]), pct(c["ethnicity_recorded_rate"]), c["referrals"]["total"],
                     c["referrals"]["outcome22"]]]))
    for key, title in (("by_proposed", "Consultations by what was proposed"),
                       ("by_outcome", "Consultations by outcome"),
                       ("by_reason", "Consultations by DfE reason (a consultation counts under each reason)"),
                       ("ethnicity_missing", "Young people without an ethnicity code, by reason")):
        tables.append((title, ["key", "count"], [[k, v] for k, v in c[key].items()]))
    groups = c["by_ethnic_group"]
    measures = list(next(iter(groups.values())).keys())
    tables.append(("Consultations by ethnic group", ["group"] + measures,
                   [[g] + [groups[g][m] for m in measures] for g in groups]))
    tables.append(("Referrals by partner", ["partner", "count"],
                   [[k, v] for k, v in c["referrals"]["by_partner"].items()]))
    tables.append(("Engagements by month", ["month", "delivered", "cancelled", "planned"],
                   [[m["month"], m["delivered"], m["cancelled"], m["planned"]] for m in report.get("months", [])]))
    return tables


def _heading(report: dict[str, Any]) -> tuple[str, list[str]]:
    kind = "Evaluation dataset" if report["evaluation"] else "Continuity report"
    scope = report["scope"]
    scope_text = scope["level"] + (f" {scope['key']}" if scope.get("key") else "")
    lines = [f"Period {report['period']['from']} to {report['period']['to']}",
             f"Scope: {scope_text}",
             f"Definitions version {report['definitions_version']}",
             f"Generated {report['generated_at']}"]
    return kind, lines


def to_md(report: dict[str, Any]) -> str:
    kind, head = _heading(report)
    out = [f"# {kind}", ""] + [f"- {md_escape(h)}" for h in head] + [""]
    for title, headers, rows in _people_tables(report):
        out += [f"## {md_escape(title)}", ""] + _table_md(headers, rows) + [""]
    out += ["## Definitions (version " + md_escape(report["definitions_version"]) + ")", ""]
    out += [f"- **{md_escape(d.key)}**: {md_escape(d.sentence)}" for d in DEFINITIONS]
    out += ["", "## Notes on reading the definitions", ""]
    out += [f"- {md_escape(n)}" for n in report.get("notes", [])]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- html

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:2em;color:#1b1b1b;max-width:78em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.85em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:right}th{background:#eef2f7}
td:first-child,th:first-child{text-align:left}
.meta{color:#444}.chart{margin:.5em 0 1em 0}.legend span{margin-right:1em}
.note{font-size:.85em;color:#333}dl dt{font-weight:bold;margin-top:.4em}dl dd{margin-left:1.5em}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
"""

BLUE, ORANGE, GREY, RED = "#2b6cb0", "#dd6b20", "#a0aec0", "#c53030"


def esc(value: Any) -> str:
    return html.escape(fmt(value), quote=True)


def _svg_hbars(items: list[tuple[str, float | None]], title: str, *, width: int = 640) -> str:
    """Horizontal bars of rates (0..1); labels escaped."""
    bar_h, label_w = 16, 150
    h = bar_h * len(items) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>']
    top = max([v for _k, v in items if isinstance(v, (int, float))] + [0.0])
    scale_max = max(top, 0.05)
    for i, (label, value) in enumerate(items):
        y = 5 + i * bar_h
        parts.append(f'<text x="{label_w - 4}" y="{y + 12}" font-size="11" text-anchor="end">{esc(label)}</text>')
        if isinstance(value, (int, float)):
            w = (width - label_w - 60) * value / scale_max
            parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{BLUE}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{esc(pct(value))}</text>')
        else:
            parts.append(f'<text x="{label_w + 4}" y="{y + 12}" font-size="11" fill="#666">{esc(pct(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_stacked(items: list[tuple[str, list[Any]]], colours: list[str], title: str, *,
                 width: int = 640) -> str:
    """Horizontal stacked bars of counts; a suppressed "c" is drawn as nothing and labelled."""
    bar_h, label_w = 16, 150
    h = bar_h * len(items) + 30
    totals = [sum(v for v in vals if isinstance(v, (int, float))) for _l, vals in items]
    top = max(totals + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>']
    for i, (label, vals) in enumerate(items):
        y = 5 + i * bar_h
        parts.append(f'<text x="{label_w - 4}" y="{y + 12}" font-size="11" text-anchor="end">{esc(label)}</text>')
        x = float(label_w)
        for v, colour in zip(vals, colours):
            if isinstance(v, (int, float)) and v:
                w = (width - label_w - 80) * v / top
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{colour}"/>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 12}" font-size="11">{esc(" / ".join(fmt(v) for v in vals))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(pairs: list[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i class="swatch" style="background:{c}"></i>{esc(t)}</span>' for t, c in pairs) + "</div>"


MAX_BARS = 60


def charts_html(report: dict[str, Any]) -> str:
    out = []
    officers = [(_officer_id(o), o["abstraction_rate"]) for o in report["officers"]]
    shown = sorted(officers, key=lambda kv: -(kv[1] or 0))[:MAX_BARS]
    caption = "Abstraction rate by officer" + (
        f" (the {MAX_BARS} highest of {len(officers)})" if len(officers) > MAX_BARS else "")
    out.append(f"<h2>{esc(caption)}</h2>")
    out.append('<div class="chart">' + _svg_hbars(shown or [("none", None)], caption) + "</div>")

    schools = [s for s in report["schools"] if isinstance(s["consultations"]["total"], int)
               and s["consultations"]["total"]]
    schools.sort(key=lambda s: (-s["consultations"]["total"], s["urn"]))
    caption = "Consultations before and after the decision, by school" + (
        f" (the {MAX_BARS} schools with most of {len(schools)})" if len(schools) > MAX_BARS else "")
    items = [((s.get("name") or s["urn"])[:24], [s["consultations"]["before_decision"],
                                                s["consultations"]["after_decision"]]) for s in schools[:MAX_BARS]]
    out.append(f"<h2>{esc(caption)}</h2>")
    out.append(_legend([("before decision", BLUE), ("after decision", ORANGE)]))
    out.append('<div class="chart">' + _svg_stacked(items or [("none", [0, 0])], [BLUE, ORANGE], caption) + "</div>")

    months = report.get("months", [])
    caption = "Delivered and cancelled engagements by month"
    out.append(f"<h2>{esc(caption)}</h2>")
    out.append(_legend([("delivered", BLUE), ("cancelled", RED)]))
    items = [(m["month"], [m["delivered"], m["cancelled"]]) for m in months]
    out.append('<div class="chart">' + _svg_stacked(items or [("none", [0, 0])], [BLUE, RED], caption) + "</div>")
    return "\n".join(out)


def _table_html(headers: list[str], rows: Iterable[list[Any]]) -> str:
    parts = ["<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    for r in rows:
        parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def to_html(report: dict[str, Any]) -> str:
    kind, head = _heading(report)
    body = [f"<h1>{esc(kind)}</h1>", '<p class="meta">' + "<br>".join(esc(h) for h in head) + "</p>"]
    body.append(charts_html(report))
    for title, headers, rows in _people_tables(report):
        body.append(f"<h2>{esc(title)}</h2>")
        body.append(_table_html(headers, rows))
    body.append(f"<h2>Definitions (version {esc(report['definitions_version'])})</h2><dl>")
    body += [f"<dt>{esc(d.key)}</dt><dd>{esc(d.sentence)}</dd>" for d in DEFINITIONS]
    body.append("</dl><h2>Notes on reading the definitions</h2><ul class=\"note\">")
    body += [f"<li>{esc(n)}</li>" for n in report.get("notes", [])]
    body.append("</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>{esc(kind)} {esc(report['period']['from'])} to {esc(report['period']['to'])}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# ---------------------------------------------------------------- entry points

def render(report: dict[str, Any], fmt_name: str) -> str | bytes:
    """json | md | html as text; csv as the bytes of a .zip of one file per section."""
    if fmt_name == "json":
        return to_json(report)
    if fmt_name == "md":
        return to_md(report)
    if fmt_name == "html":
        return to_html(report)
    if fmt_name == "csv":
        return csv_zip(report)
    raise ValueError(f"unknown report format {fmt_name!r}: use one of {', '.join(FORMATS)}")


def _write_bytes(path: Path, data: bytes) -> None:
    """Atomic write (temporary file and rename), owner-only mode: reports hold police records."""
    write_atomic(path, data)


def write_report(report: dict[str, Any], fmt_name: str, out: Path) -> Path:
    """Write the report to ``out`` (csv: a folder of files, or a .zip if ``out`` ends in .zip)."""
    out = Path(out)
    if fmt_name == "csv":
        return write_csv(report, out)
    data = render(report, fmt_name)
    _write_bytes(out, data.encode("utf-8") if isinstance(data, str) else data)
    return out
