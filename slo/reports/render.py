"""Presenting a report: json, md and html (the readable report of ``readable``; html in ``html``),
csv (one file per section, in a folder or a .zip) and the evaluation data package (``package``).
User text is escaped for each format; csv cells are made safe against formula injection."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from slo.services.files import create_private_dir, write_atomic

from .html import html_chunks, to_html

FORMATS = ("json", "csv", "md", "html", "package")
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
        {"key": "period.counted_to", "value": report["period"].get("counted_to")},
        {"key": "as_of", "value": report.get("as_of")},
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
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
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
    create_private_dir(out)  # 0700 at any umask, like every folder SLO Desk makes for police records
    for name, text in csv_files(report).items():
        _write_bytes(out / name, text.encode("utf-8-sig"))
    return out


# ---------------------------------------------------------------- markdown

def md_escape(text: Any) -> str:
    s = fmt(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#!~":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\r", " ").replace("\n", " ")


def _table_md(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    yield "| " + " | ".join(md_escape(h) for h in headers) + " |"
    yield "|" + "|".join("---" for _ in headers) + "|"
    for r in rows:
        yield "| " + " | ".join(md_escape(c) for c in r) + " |"


def md_chunks(report: dict[str, Any]) -> Iterator[str]:
    """The markdown report line by line: the same summary, tables and definitions as the html."""
    from . import readable

    yield f"# {md_escape(readable.title(report))}\n\n"
    yield "".join(f"- {md_escape(line)}\n" for line in readable.meta_lines(report)) + "\n"
    yield "## Summary\n\n"
    for p in readable.summary(report):
        yield f"**{md_escape(p.heading)}.** {md_escape(p.text)}\n\n"
    if report.get("evaluation"):
        yield (md_escape("c stands for a count from 1 to 9 about children (and for one more count where the hidden "
                         "one could be worked out from a total), so that no child can be identified.") + "\n\n")
    yield "## Tables\n\n"
    for table in readable.tables(report):
        yield f"### {md_escape(table.title)}\n\n"
        if table.intro:
            yield md_escape(table.intro) + "\n\n"
        for line in _table_md(table.headers, table.rows):
            yield line + "\n"
        yield "\n"
    yield f"## Definitions (version {md_escape(report['definitions_version'])})\n\n"
    yield "| Figure | What it means | Formula |\n|---|---|---|\n"
    for name, sentence, formula in readable.definition_rows():
        # the formula is the product's own text (no user data): a code span, unescaped
        yield f"| {md_escape(name)} | {md_escape(sentence)} | `{formula.replace('`', '')}` |\n"
    yield "\n## Notes on reading the definitions\n\n"
    yield "".join(f"- {md_escape(n)}\n" for n in report.get("notes", []))


def to_md(report: dict[str, Any]) -> str:
    return "".join(md_chunks(report))


# ---------------------------------------------------------------- entry points

def render(report: dict[str, Any], fmt_name: str) -> str | bytes:
    """json | md | html as text; csv and package as the bytes of a .zip."""
    if fmt_name == "json":
        return to_json(report)
    if fmt_name == "md":
        return to_md(report)
    if fmt_name == "html":
        return to_html(report)
    if fmt_name == "csv":
        return csv_zip(report)
    if fmt_name == "package":
        from .package import package_zip

        return package_zip(report)
    raise ValueError(f"unknown report format {fmt_name!r}: use one of {', '.join(FORMATS)}")


def _write_bytes(path: Path, data: bytes) -> None:
    """Atomic write (temporary file and rename), owner-only mode: reports hold police records."""
    write_atomic(path, data)


def write_report(report: dict[str, Any], fmt_name: str, out: Path) -> Path:
    """Write the report to ``out`` (csv: a folder of files, or a .zip if ``out`` ends in .zip; md and
    html are streamed to the file piece by piece)."""
    out = Path(out)
    if fmt_name == "csv":
        return write_csv(report, out)
    if fmt_name == "package":
        from .package import write_package

        return write_package(report, out)
    if fmt_name in ("md", "html"):
        from slo.services.files import atomic_file

        chunks = md_chunks(report) if fmt_name == "md" else html_chunks(report)
        with atomic_file(out) as f:
            for chunk in chunks:
                f.write(chunk)
        return out
    data = render(report, fmt_name)
    _write_bytes(out, data.encode("utf-8") if isinstance(data, str) else data)
    return out
