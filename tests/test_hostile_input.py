"""Hostile input at every way in, and the same values at every way out.

Ways in: bundle import (every field of every entity), the GIAS CSV import, the
term dates CSV, ``slo abstraction add`` options, and the services the desk's
forms call (``records.save``, ``consultations.log_consultation``,
``abstractions.record_abstraction``). Each must either refuse clearly (an error
whose ``str()`` is one line without control characters, or exit 1 with one
line on standard error and no traceback) having written NOTHING (every table's
row count, audit included, unchanged), or store the cleaned value: the text
the models' cleaners make of it, with no control character (a newline only in
multi-line fields), and cleaning it again changes nothing.

Ways out: the head teachers' calendars (parsed with icalendar: exactly the
expected events and properties), the continuity report as csv (no cell a
spreadsheet would run), md and html (no live markup), and the sergeants'
digest (no line added or split).

Every database is a copy of a template file made once per module, so an
example costs milliseconds.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
import shutil
import typing
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from helpers.identity import bind_current_account
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from slo.models import ENTITY_MODELS, Consultation, School, ValidationFailed, YoungPerson
from slo.models.entities import Absence, Engagement
from slo.models.text import clean_line, clean_multiline
from slo.services import bundle, gias, records
from slo.services.actors import load_actor
from slo.services.errors import ServiceError
from slo.store.db import open_store
from slo.store.rows import key_columns

# the tests tally what they reached into module-level counters that the last test reads: under
# pytest-xdist the whole module runs in one process, in order (scripts/test.sh uses --dist loadgroup)
pytestmark = pytest.mark.xdist_group("hostile_input")


def _load_small_bundle() -> dict:
    """SMALL_BUNDLE, the shared test bundle."""
    from helpers.bundles import SMALL_BUNDLE

    return SMALL_BUNDLE


SMALL_BUNDLE = _load_small_bundle()

# --------------------------------------------------------------------------- hostile text

#: pieces that have broken terminals, markup, calendars, spreadsheets, SQL and paths somewhere
HOSTILE = [
    "\x1b]0;pwned\x07", "\x1b[2J", "\x1b[31m", "\x1b]52;c;cHduZWQ=\x07", "\x9b2J", "\x00", "\r", "\n", "\r\n",
    "\t", "\x0b", "\x0c", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\ud800", "\udcff",
    "\u200b", "e\u0301", "\u00a0", "😀", " ", "  ",
    "\\", "\\n", "\\,", ";", ",", ":", '"', "'", "%", "_",
    "[@click=app.quit]x[/]", "[link=http://x]y[/link]", "[b]Bold[/b]", "[/]", "[red on white]", "[", "]",
    "=cmd|' /C calc'!A0", "=", "+1", "-1", "@SUM(1)", "=HYPERLINK(\"http://x\")",
    "x\r\nBEGIN:VEVENT", "\r\nEND:VCALENDAR\r\n", "BEGIN:VEVENT", "SUMMARY:x",
    "../../x", "/etc/passwd", "..\\..\\x", "~",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&amp;", "&",
    "x'); DROP TABLE schools; --", "' OR '1'='1", "# heading", "*", "`", "|",
]

#: any unicode text (controls included), with the hostile pieces made likely
hostile_text = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from(HOSTILE)), max_size=8
).map("".join)

#: hostile text that still cleans to something (for values a record needs)
def _non_empty(value: str) -> str:
    return value if clean_line(value) else value + "x"


hostile_line = hostile_text.map(_non_empty)
#: a hostile value that starts like a spreadsheet formula or markup (so the output rules are exercised)
hostile_start = st.tuples(
    st.sampled_from(["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", "[@click=app.quit]",
                     "<script>", "\x1b]0;pwned\x07", "", "x"]),
    hostile_text,
).map(lambda p: _non_empty(p[0] + p[1]))

#: characters no stored or exported text may hold (a newline is checked separately)
CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)

#: the only fields in which a newline may be stored


def _multiline_fields() -> set[str]:
    """Fields whose type is ``Multiline`` (line breaks kept), read from the models themselves."""
    from slo.models.entities import ENTITY_MODELS
    from slo.models.types import Multiline

    return {
        name
        for model in ENTITY_MODELS.values()
        for name, info in model.model_fields.items()
        if info.annotation == Multiline or Multiline in typing.get_args(info.annotation)
    }


MULTILINE = _multiline_fields()

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_one_line(message: str) -> None:
    """A refusal a person can read: one line, no control character."""
    assert message.strip(), "empty error message"
    assert "\n" not in message and "\r" not in message, repr(message)
    assert not CONTROL.search(message), repr(message)
    assert "Traceback" not in message


def assert_clean(value: str, multiline: bool) -> None:
    """A stored value: no control character, a newline only where allowed, cleaning is idempotent."""
    assert not CONTROL.search(value), repr(value)
    if multiline:
        assert clean_multiline(value) == value, repr(value)
    else:
        assert "\n" not in value, repr(value)
        assert clean_line(value) == value, repr(value)


def strings(value, path=()):
    """Every string in a nested structure, with where it was."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, path + (i,))


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """Two database files made once: ``empty`` (migrated) and ``loaded`` (SMALL_BUNDLE)."""
    folder = tmp_path_factory.mktemp("templates")
    paths = {"empty": folder / "empty.db", "loaded": folder / "loaded.db"}
    store = open_store(paths["empty"])
    store.close()
    store = open_store(paths["loaded"])
    bundle.import_bundle(store, copy.deepcopy(SMALL_BUNDLE), None)
    bind_current_account(store)  # the account running the tests may act as any officer (a test account)
    store.close()
    for path in paths.values():
        assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    return paths


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("scratch")


def fresh_path(templates, scratch, kind: str = "loaded") -> Path:
    folder = scratch / uuid.uuid4().hex
    folder.mkdir()
    path = folder / "slo.db"
    shutil.copyfile(templates[kind], path)
    return path


def fresh(templates, scratch, kind: str = "loaded"):
    return open_store(fresh_path(templates, scratch, kind))


def snapshot(store) -> dict[str, int]:
    """Row counts of every table (records, audit, term dates, meta ...): 'nothing written' means equal."""
    db = store.db
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: db.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0] for n in names}


def rename(data: dict, entity: str, index: int, new: str) -> None:
    """Change a single-column natural key and every reference to it."""
    (key,) = key_columns(entity)
    old = data[entity][index][key]
    data[entity][index][key] = new
    for source, model in ENTITY_MODELS.items():
        for ref in model.facts.references:
            if ref.entity == entity:
                for record in data.get(source, []):
                    if record.get(ref.field) == old:
                        record[ref.field] = new


def record_with_key(exported: dict, entity: str, key: str) -> dict:
    model = ENTITY_MODELS[entity]
    return next(r for r in exported[entity] if model.model_validate(r).key() == key)


# --------------------------------------------------------------------------- 1. bundle import

#: (entity, field) for every field of every entity of the small bundle
BUNDLE_FIELDS = [(entity, field) for entity in ENTITY_MODELS for field in SMALL_BUNDLE[entity][0]]
#: single-line free text and refs (cleaned by clean_line); collar numbers and URNs are patterns, not cleaned
LINE_FIELDS = {"ref", "name", "local_authority", "postcode", "head_teacher", "head_teacher_email", "given_name",
               "family_name", "title", "requested_by", "consulted_by", "team", "young_person", "abstraction",
               "consultation"}
COUNTS = {"bundle": 0, "bundle_stored": 0}


@settings(max_examples=250, **SETTINGS)
@given(target=st.sampled_from(BUNDLE_FIELDS), text=hostile_text, as_list=st.booleans())
def test_bundle_import_any_field(templates, scratch, target, text, as_list):
    entity, field = target
    COUNTS["bundle"] += 1
    data = copy.deepcopy(SMALL_BUNDLE)
    original = data[entity][0][field]
    value = [text] if (as_list or isinstance(original, list)) and not isinstance(original, str) else text
    keys = key_columns(entity)
    if keys == (field,):
        rename(data, entity, 0, value)
    else:
        data[entity][0][field] = value
    store = fresh(templates, scratch, "empty")
    try:
        before = snapshot(store)
        try:
            bundle.import_bundle(store, data, None)
        except (ValidationFailed, ServiceError) as exc:
            assert_one_line(str(exc))
            assert snapshot(store) == before
            return
        exported = bundle.export_bundle(store, load_actor(store.db, "A1"))
    finally:
        store.close()
    COUNTS["bundle_stored"] += 1
    model = ENTITY_MODELS[entity]
    record = model.model_validate(data[entity][0])
    stored = record_with_key(exported, entity, record.key())
    assert stored == record.to_bundle()  # what was stored is what the model made of the input
    if field in LINE_FIELDS:
        assert stored[field] == clean_line(text)
    elif field in MULTILINE:
        assert stored[field] == clean_multiline(text)
    for where, s in strings(exported):
        assert_clean(s, multiline=len(where) == 3 and where[2] in MULTILINE)


# --------------------------------------------------------------------------- 2. the same values at every way out

CAL_PROPS = {"VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME", "X-WR-TIMEZONE",
             "REFRESH-INTERVAL", "X-PUBLISHED-TTL"}
EVENT_PROPS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"}
DANGEROUS_CELL = ("=", "+", "-", "@", "\t", "\r")
LIVE_TAGS = {"script", "iframe", "object", "embed", "a", "img", "link", "form", "input", "base", "meta-refresh"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def _hostile_world(values: dict) -> dict:
    """SMALL_BUNDLE with hostile text in the fields that travel to calendars, reports and digests."""
    data = copy.deepcopy(SMALL_BUNDLE)
    data["teams"][0]["name"] = values["team_name"]
    rename(data, "teams", 0, values["team_ref"])
    data["officers"][3]["name"] = values["officer_name"]  # PC1000
    data["schools"][0]["name"] = values["school_name"]
    data["schools"][0]["head_teacher"] = values["head_teacher"]
    data["schools"][0]["local_authority"] = values["local_authority"]
    data["engagements"][0]["title"] = values["title"]
    data["engagements"][1]["notes"] = values["notes"]
    rename(data, "engagements", 0, values["eng_ref"])
    rename(data, "young_people", 0, values["yp_ref"])
    data["young_people"][0]["given_name"] = values["given_name"]
    data["abstractions"][0]["requested_by"] = values["requested_by"]
    data["abstractions"][0]["reason"] = values["reason"]
    data["consultations"][0]["consulted_by"] = values["consulted_by"]
    data["consultations"][0]["advice"] = values["advice"]
    return data


world_values = st.fixed_dictionaries({
    "team_name": hostile_start,
    "team_ref": hostile_start.map(lambda v: v[:40]).map(_non_empty),
    "officer_name": hostile_start,
    "school_name": hostile_start,
    "head_teacher": hostile_line,
    "local_authority": hostile_line,
    "title": hostile_start,
    "notes": hostile_text,
    "eng_ref": hostile_start.map(lambda v: v[:40]).map(_non_empty),
    "yp_ref": hostile_start.map(lambda v: v[:40]).map(_non_empty),
    "given_name": hostile_line,
    "requested_by": hostile_start,
    "reason": hostile_text,
    "consulted_by": hostile_line,
    "advice": hostile_text,
})

DIGEST_DAY = date(2026, 1, 12)  # the Monday after ABS-1 (Tuesday 6 January)


@pytest.fixture(scope="module")
def baseline_digest(templates, scratch):
    from slo.scheduler.jobs import team_digest_text

    store = fresh(templates, scratch)
    try:
        return team_digest_text(store.db, "NHT-North", "North neighbourhood team", DIGEST_DAY)
    finally:
        store.close()


def _check_calendars(exports: Path, result, cleaned: dict) -> int:
    from slo.calendars.export import ONE_TO_ONE_TITLE, calendar_title
    from slo.calendars.ics import calendar_label, sanitise, uid_for

    folder = (exports / "calendars").resolve()
    events_seen = 0
    for path in result.written:
        assert path.resolve().parent == folder
        raw = path.read_bytes()
        assert b"\x1b" not in raw and b"\x00" not in raw and b"\\\\" not in raw
        text = raw.decode("utf-8")
        assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
        unfolded = text.replace("\r\n ", "").split("\r\n")
        cal = icalendar.Calendar.from_ical(raw)
        n = len(cal.walk("VEVENT"))
        # no text opened or closed a component: the BEGIN/END lines are exactly the file's own
        assert [ln for ln in unfolded if re.match("(BEGIN|END):V(CALENDAR|EVENT)", ln)] == (
            ["BEGIN:VCALENDAR"] + ["BEGIN:VEVENT", "END:VEVENT"] * n + ["END:VCALENDAR"])
        assert set(cal.keys()) == CAL_PROPS
        assert [c.name for c in cal.subcomponents].count("VCALENDAR") == 0
        events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        if path.name.startswith("100000"):
            assert set(events) == {uid_for(cleaned["eng_ref"]), "ENG-2@slo-desk"}
            assert str(cal["X-WR-CALNAME"]) == calendar_label(calendar_title(cleaned["school_name"]))
            one = events[uid_for(cleaned["eng_ref"])]
            title = sanitise(cleaned["title"]) or "Police schools liaison"
            assert str(one["SUMMARY"]) in {title, "Liaison officer: visit"}
            assert str(events["ENG-2@slo-desk"]["SUMMARY"]) == ONE_TO_ONE_TITLE
            for ev in events.values():
                assert str(ev["LOCATION"]) == sanitise(cleaned["school_name"])
                assert sanitise(cleaned["officer_name"]) in str(ev["DESCRIPTION"])
        else:
            assert not events or all(str(e["LOCATION"]) for e in events.values())
        for ev in events.values():
            events_seen += 1
            assert set(ev.keys()) == EVENT_PROPS
            for name in ("SUMMARY", "LOCATION", "DESCRIPTION", "UID"):
                value = str(ev[name])
                assert "\\" not in value and not CONTROL.search(value), (name, value)
                assert name == "DESCRIPTION" or "\n" not in value
    return events_seen


def _check_report(report: dict, cleaned: dict) -> None:
    from slo.reports.render import csv_files, md_escape, render

    files = csv_files(report)
    cells = []
    for name, text in files.items():
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not cell.startswith(DANGEROUS_CELL), (name, cell)
                assert not CONTROL.search(cell.replace("\t", "").replace("\r", "")) or cell.startswith("'")
                cells.append(cell)
    for key in ("school_name", "team_ref", "yp_ref"):
        value = cleaned[key]
        shown = "'" + value if value.startswith(DANGEROUS_CELL) else value
        assert any(shown == c or shown in c.split("; ") for c in cells), (key, value)

    md = render(report, "md")
    assert not re.search(r"(?<!\\)[<>]", md)  # every angle bracket escaped: no raw <script> or <img>
    assert not CONTROL.search(md.replace("\n", ""))
    assert md_escape(cleaned["school_name"]) in md

    page = render(report, "html")
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in LIVE_TAGS, tag
        assert not any(a.lower().startswith("on") for a, _ in attrs), (tag, attrs)
    assert cleaned["school_name"] in "".join(parser.text)
    assert html.escape(cleaned["school_name"], quote=True) in page


def _check_digest(text: str, baseline: str, cleaned: dict) -> None:
    from slo.reports.render import md_escape

    assert not CONTROL.search(text)
    assert not re.search(r"(?<!\\)[<>\[\]]", text)  # markdown: no raw HTML, no link or image syntax
    lines, base = text.split("\n"), baseline.split("\n")
    assert len(lines) == len(base)  # no value added or split a line
    assert lines[0] == f"# Abstractions digest: {md_escape(cleaned['team_name'])}"
    assert sum(ln.startswith("#") for ln in lines) == sum(ln.startswith("#") for ln in base)
    assert (
        f"- ABS-1: {md_escape(cleaned['officer_name'])} (PC1000), 2026-01-06, full day, public order, "
        f"requested by {md_escape(cleaned['requested_by'])}"
    ) in lines
    assert any(ln.startswith("  - cancelled ENG-2: a young person's 1:1 session at ")
               and ln.endswith(f" at {md_escape(cleaned['school_name'])}, 2026-01-06 11:00") for ln in lines)


WORLD = {"examples": 0, "imported": 0, "events": 0}


@settings(max_examples=40, **SETTINGS)
@given(values=world_values)
def test_hostile_values_come_out_safe_everywhere(templates, scratch, baseline_digest, values):
    from slo.calendars import export_calendars
    from slo.reports import build_report
    from slo.scheduler.jobs import team_digest_text

    WORLD["examples"] += 1
    cleaned = {k: (clean_multiline(v) if k in MULTILINE else clean_line(v)) for k, v in values.items()}
    assume(len({cleaned["team_ref"], "NHT-South"}) == 2)
    data = _hostile_world(values)
    folder = scratch / uuid.uuid4().hex
    folder.mkdir()
    store = open_store(folder / "slo.db")
    try:
        try:
            bundle.import_bundle(store, data, None)
        except ValidationFailed as exc:  # e.g. a ref over 64 characters: refused cleanly, nothing written
            assert_one_line(str(exc))
            assert sum(snapshot(store)[t] for t in [*ENTITY_MODELS, "audit"]) == 0
            return
        WORLD["imported"] += 1
        admin = load_actor(store.db, "A1")
        exports = folder / "exports"
        result = export_calendars(store, admin, exports, today=date(2026, 1, 10))
        WORLD["events"] += _check_calendars(exports, result, cleaned)
        report = build_report(store, admin, date(2025, 9, 1), date(2026, 8, 31))
        _check_report(report, cleaned)
        digest = team_digest_text(store.db, cleaned["team_ref"], cleaned["team_name"], DIGEST_DAY)
        _check_digest(digest, baseline_digest, cleaned)
    finally:
        store.close()


# --------------------------------------------------------------------------- 3. GIAS CSV

GIAS = {"rows": 0, "added": 0, "skipped": 0, "raw": 0, "raw_refused": 0}


def _gias_file(path: Path, cells: dict[str, str], encoding: str) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(gias.REQUIRED_COLUMNS)
    writer.writerow([cells.get(c, "") for c in gias.REQUIRED_COLUMNS])
    path.write_bytes(buf.getvalue().encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace"))


def _check_stored_schools(store) -> None:
    for row in store.db.execute("SELECT * FROM schools").fetchall():
        for value in row:
            if isinstance(value, str):
                assert_clean(value, multiline=False)


@settings(max_examples=120, **SETTINGS)
@given(
    name=hostile_text, la=hostile_text, postcode=hostile_text, title=hostile_text, first=hostile_text,
    last=hostile_text, status=st.sampled_from(["Open", "Closed", "Open\x1b[2J", "=1"]),
    urn=st.one_of(st.just("123456"), hostile_text), encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_gias_hostile_cells(templates, scratch, name, la, postcode, title, first, last, status, urn, encoding):
    store = fresh(templates, scratch)
    path = scratch / f"{uuid.uuid4().hex}.csv"
    cells = {gias.URN: urn, gias.NAME: name, gias.LA: la, gias.POSTCODE: postcode, gias.TYPE: "Academy converter",
             gias.STATUS: status, gias.PHASE: "Secondary", gias.HEAD_TITLE: title, gias.HEAD_FIRST: first,
             gias.HEAD_LAST: last}
    _gias_file(path, cells, encoding)
    try:
        before = snapshot(store)
        try:
            result = gias.import_gias(store, load_actor(store.db, "A1"), path)
        except ValidationFailed as exc:  # the whole file refused (e.g. neither UTF-8 nor Windows-1252)
            assert_one_line(str(exc))
            assert snapshot(store) == before
            return
        GIAS["rows"] += 1
        for line in [result.summary(), *result.report_lines(), *(str(s) for s in result.skipped)]:
            assert_one_line(line)
        after = snapshot(store)
        if result.added:
            GIAS["added"] += 1
            (added,) = result.added
            school = records.get(store.db, "schools", added)
            text, _ = gias.decode(path.read_bytes())  # the cells as the file holds them after encoding
            written = list(csv.reader(io.StringIO(text, newline="")))[1]
            assert school.name == clean_line(written[gias.REQUIRED_COLUMNS.index(gias.NAME)])
            assert after["schools"] == before["schools"] + 1
        else:
            GIAS["skipped"] += 1
            assert after["schools"] == before["schools"]  # a refused row writes no school
            assert after["audit"] == before["audit"] + 1  # only the import's own summary row
        _check_stored_schools(store)
    finally:
        store.close()


@settings(max_examples=80, **SETTINGS)
@given(body=st.one_of(hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200)))
def test_gias_hostile_file(templates, scratch, body):
    """Arbitrary bytes after a real header: refused as a whole, or rows used / skipped; never a crash."""
    store = fresh(templates, scratch)
    path = scratch / f"{uuid.uuid4().hex}.csv"
    path.write_bytes(",".join(f'"{c}"' for c in gias.REQUIRED_COLUMNS).encode() + b"\r\n" + body)
    GIAS["raw"] += 1
    try:
        before = snapshot(store)
        try:
            result = gias.import_gias(store, load_actor(store.db, "A1"), path)
        except ValidationFailed as exc:
            GIAS["raw_refused"] += 1
            assert_one_line(str(exc))
            assert snapshot(store) == before
            return
        for line in [result.summary(), *result.report_lines(), *(str(s) for s in result.skipped)]:
            assert_one_line(line)
        _check_stored_schools(store)
    finally:
        store.close()


# --------------------------------------------------------------------------- 4. term dates CSV

TERMS = {"stored": 0, "refused": 0}


@settings(max_examples=120, **SETTINGS)
@given(
    la=hostile_text,
    start=st.one_of(st.just("2026-01-05"), hostile_text),
    raw=st.one_of(st.none(), st.binary(max_size=120), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    quoted=st.booleans(),
)
def test_term_dates_hostile(templates, scratch, la, start, raw, quoted):
    from slo.services.schooldays import import_term_dates, list_terms

    store = fresh(templates, scratch)
    path = scratch / f"{uuid.uuid4().hex}.csv"
    if raw is None:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
        writer.writerow(["local_authority", "term_start", "term_end"])
        writer.writerow([la, start, "2026-02-13"])
        path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(b"local_authority,term_start,term_end\n" + raw)
    try:
        before = snapshot(store)
        try:
            n = import_term_dates(store, load_actor(store.db, "A1"), path)
        except (ValidationFailed, ServiceError) as exc:
            TERMS["refused"] += 1
            assert_one_line(str(exc))
            for problem in getattr(exc, "problems", []):
                assert_one_line(str(problem))
            assert snapshot(store) == before
            return
        TERMS["stored"] += 1
        terms = list_terms(store.db)
        assert len(terms) == n
        for t in terms:
            assert_clean(t.local_authority, multiline=False)
            assert t.local_authority
        if raw is None:
            assert [t.local_authority for t in terms] == [clean_line(la)]
    finally:
        store.close()


# --------------------------------------------------------------------------- 5. CLI options

CLI = {"ok": 0, "refused": 0, "files_ok": 0, "files_refused": 0}


@settings(max_examples=60, **SETTINGS)
@given(
    requested_by=st.one_of(hostile_line, hostile_text), reason=st.one_of(st.none(), hostile_text),
    cancel=st.lists(hostile_text, max_size=1), portion=st.sampled_from(["full", "half"]),
    officer=st.one_of(st.just("PC1000"), st.sampled_from(["PC1000\x1b[2J", "[@click=app.quit]x[/]", "../../x",
                                                          "PC1000'); DROP TABLE abstractions; --", "PC9999"])),
)
def test_cli_abstraction_add_hostile_options(templates, scratch, capsys, requested_by, reason, cancel, portion,
                                             officer):
    from slo.cli.main import main

    path = fresh_path(templates, scratch)
    argv = ["--db", str(path), "--exports", str(path.parent / "exports"), "--user", "PC1000",
            "abstraction", "add", f"--officer={officer}", "--from", "2026-03-02", "--to", "2026-03-03",
            f"--portion={portion}", "--category=court", f"--requested-by={requested_by}"]
    if reason is not None:
        argv.append(f"--reason={reason}")
    argv += [f"--cancel={c}" for c in cancel]
    store = open_store(path)
    before = snapshot(store)
    store.close()
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    store = open_store(path)
    try:
        for line in err.splitlines():
            assert not CONTROL.search(line), repr(line)
        assert "Traceback" not in err
        if code == 1:
            CLI["refused"] += 1
            assert err.count("\n") == 1 and err.startswith("slo: error: "), repr(err)
            assert_one_line(err.rstrip("\n"))
            assert out == ""
            assert snapshot(store) == before
            return
        assert code == 0, (code, err)
        CLI["ok"] += 1
        ref = out.splitlines()[0]
        stored = records.get(store.db, "abstractions", ref)
        assert stored.requested_by == clean_line(requested_by)
        assert stored.reason == (None if reason is None else clean_multiline(reason))
        assert_clean(stored.requested_by, multiline=False)
        if stored.reason is not None:
            assert_clean(stored.reason, multiline=True)
        for line in out.splitlines():
            assert not CONTROL.search(line)
    finally:
        store.close()


GIAS_HEADER = ",".join(f'"{c}"' for c in gias.REQUIRED_COLUMNS).encode() + b"\r\n"
TERMS_HEADER = b"local_authority,term_start,term_end\n"
hostile_bytes = st.one_of(st.binary(max_size=200), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
FILE_BODIES = {
    "import": st.one_of(
        hostile_bytes,
        world_values.map(lambda v: json.dumps(_hostile_world(v)).encode()),
        hostile_text.map(lambda t: json.dumps(dict(SMALL_BUNDLE, schools=[dict(SMALL_BUNDLE["schools"][0], urn=t)],
                                                   assignments=[])).encode()),
    ),
    "import-gias": st.one_of(hostile_bytes, hostile_bytes.map(lambda b: GIAS_HEADER + b)),
    "terms": st.one_of(
        hostile_bytes,
        hostile_bytes.map(lambda b: TERMS_HEADER + b),
        hostile_text.map(lambda t: TERMS_HEADER + f'"{t}",2026-01-05,2026-02-13\n'.encode("utf-8", "surrogatepass")),
    ),
}


@pytest.mark.parametrize("command", sorted(FILE_BODIES))
@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_cli_hostile_files(templates, scratch, capsys, command, data):
    """``slo import``, ``slo schools import-gias`` and ``slo terms import`` on hostile files: no traceback, and
    a refusal (exit 1) is one clean ``slo: error:`` line (terms also list the bad rows first) with nothing written."""
    from slo.cli.main import main

    body = data.draw(FILE_BODIES[command])
    path = fresh_path(templates, scratch)
    file = path.parent / "input"
    file.write_bytes(body)
    argv = ["--db", str(path), "--user", "A1"] + {
        "import": ["import", str(file)],
        "import-gias": ["schools", "import-gias", str(file)],
        "terms": ["terms", "import", str(file)],
    }[command]
    store = open_store(path)
    before = snapshot(store)
    store.close()
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    for line in (out + err).splitlines():
        assert not CONTROL.search(line), repr(line)
    store = open_store(path)
    try:
        if code == 1:
            CLI["files_refused"] += 1
            lines = err.splitlines()
            assert lines and lines[-1].startswith("slo: error: "), err
            if command != "terms":
                assert len(lines) == 1, err
            after = snapshot(store)
            assert after == before, (before, after)
        else:
            assert code == 0, (code, err)
            CLI["files_ok"] += 1
            for table in ("schools", "term_dates"):
                for row in store.db.execute(f"SELECT * FROM [{table}]").fetchall():
                    for value in row:
                        if isinstance(value, str):
                            assert_clean(value, multiline=False)
    finally:
        store.close()


# --------------------------------------------------------------------------- 6. the services the desk's forms call

SERVICES = {"save_school": 0, "save_young_person": 0, "save_engagement": 0, "consultation": 0, "abstraction": 0,
            "refused": 0, "model_refused": 0}


def _audit_rows_since(store, mark: int) -> list[tuple]:
    return store.db.execute("SELECT actor, operation, entity, key, detail FROM audit WHERE id > ?", [mark]).fetchall()


def _audit_mark(store) -> int:
    return store.db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


def _call_service(store, build, call, kind: str):
    """Build the model (a form would show pydantic's refusal) and call the service; returns the saved model."""
    try:
        model = build()
    except (ValidationError, ValidationFailed):
        SERVICES["model_refused"] += 1
        return None
    before, mark = snapshot(store), _audit_mark(store)
    try:
        call(model)
    except (ValidationFailed, ServiceError) as exc:
        SERVICES["refused"] += 1
        assert_one_line(str(exc))
        assert snapshot(store) == before
        return None
    SERVICES[kind] += 1
    allowed = set(type(model).model_fields) | {"desk", "cli", "abstraction", "exclusion_start"}
    for _actor, _operation, entity, key, detail in _audit_rows_since(store, mark):
        assert not CONTROL.search(key or "") and not CONTROL.search(detail or "")
        # the audit holds keys, counts and field names, never the text itself
        for _, s in strings(json.loads(detail) if detail else None):
            assert s in allowed, (entity, detail)
    return model


def _optional(value: str) -> str | None:
    """What a form sends for an optional field: None when the box holds nothing but blanks."""
    return value if clean_line(value) else None


@pytest.mark.parametrize("which", ["school", "young_person", "engagement", "consultation", "abstraction"])
@settings(max_examples=40, **SETTINGS)
@given(a=st.one_of(hostile_line, hostile_text), b=hostile_text, c=hostile_text,
       dangling=st.sampled_from([False, False, True]))
def test_form_services_hostile_text(templates, scratch, which, a, b, c, dangling):
    """``dangling``: a reference field also gets hostile text (the service, not the model, refuses it)."""
    from slo.services.abstractions import make_abstraction, record_abstraction
    from slo.services.consultations import log_consultation

    store = fresh(templates, scratch)
    admin, officer = load_actor(store.db, "A1"), load_actor(store.db, "PC1000")
    ref_text = _non_empty(c[:40])  # refs hold at most 64 characters
    try:
        if which == "school":
            data = dict(SMALL_BUNDLE["schools"][1], name=a, head_teacher=_optional(b), local_authority=_optional(c),
                        postcode=_optional(a + b))
            saved = _call_service(store, lambda: School.model_validate(data),
                                  lambda m: records.save(store, admin, m), "save_school")
            if saved:
                stored = records.get(store.db, "schools", "100001")
                assert stored.name == clean_line(a)
                assert stored.head_teacher == (clean_line(b) or None)
                assert stored.local_authority == (clean_line(c) or None)
                for v in (stored.name, stored.head_teacher, stored.local_authority, stored.postcode):
                    assert v is None or assert_clean(v, multiline=False) is None
        elif which == "young_person":
            data = dict(SMALL_BUNDLE["young_people"][0], ref=ref_text, given_name=_non_empty(a),
                        family_name=_non_empty(b),
                        school=None if dangling else "100000")
            if dangling:
                data["school"] = "999999"  # no such school
            saved = _call_service(store, lambda: YoungPerson.model_validate(data),
                                  lambda m: records.save(store, officer, m), "save_young_person")
            if saved:
                stored = records.get(store.db, "young_people", clean_line(ref_text))
                assert (stored.ref, stored.given_name, stored.family_name) == (
                    clean_line(ref_text), clean_line(_non_empty(a)), clean_line(_non_empty(b)))
                for v in (stored.ref, stored.given_name, stored.family_name):
                    assert_clean(v, multiline=False)
        elif which == "engagement":
            data = dict(SMALL_BUNDLE["engagements"][0], ref=ref_text, title=a, notes=b, status="planned",
                        starts_at="2026-03-04T09:00", ends_at="2026-03-04T10:00",
                        young_person=ref_text if dangling else None)
            saved = _call_service(store, lambda: Engagement.model_validate(data),
                                  lambda m: records.save(store, officer, m), "save_engagement")
            if saved:
                stored = records.get(store.db, "engagements", clean_line(ref_text))
                assert stored.title == clean_line(a) and stored.notes == clean_multiline(b)
                assert_clean(stored.title, multiline=False)
                assert_clean(stored.notes, multiline=True)
        elif which == "consultation":
            data = dict(SMALL_BUNDLE["consultations"][0], ref=ref_text, consulted_by=_optional(a), advice=b,
                        outcome="pending", outcome_on=None, young_person=ref_text if dangling else "YP-0001")
            saved = _call_service(store, lambda: Consultation.model_validate(data),
                                  lambda m: log_consultation(store, officer, m), "consultation")
            if saved:
                stored = records.get(store.db, "consultations", clean_line(ref_text))
                assert stored.consulted_by == (clean_line(a) or None) and stored.advice == clean_multiline(b)
                assert_clean(stored.advice, multiline=True)
        else:
            values = {"officer": "PC1000", "date_from": "2026-03-02", "date_to": "2026-03-02", "portion": "half",
                      "category": "court", "requested_by": a, "reason": b}
            if c.strip():
                values["ref"] = c
            cancel = [ref_text] if dangling else []  # a hostile ref to cancel: refused by the service
            saved = _call_service(store, lambda: make_abstraction(values),
                                  lambda m: record_abstraction(store, officer, m, cancel=cancel), "abstraction")
            if saved:
                (row,) = store.db.execute(
                    "SELECT ref, requested_by, reason FROM abstractions WHERE date_from = '2026-03-02'").fetchall()
                assert row[1:] == (clean_line(a), clean_multiline(b))
                assert_clean(row[0], multiline=False)
                assert_clean(row[1], multiline=False)
                assert_clean(row[2], multiline=True)
    finally:
        store.close()


def test_absence_and_review_notes_are_cleaned(templates, scratch):
    """The two remaining form services with free text: a review note, and an absence (no text, hostile kind)."""
    from slo.services.abstractions import review_abstraction

    store = fresh(templates, scratch)
    try:
        sergeant = load_actor(store.db, "S100")
        note = "Not\x1b]0;pwned\x07 needed\r\n[@click=app.quit]x[/]\x00 =cmd|' /C calc'!A0"
        reviewed = review_abstraction(store, sergeant, "ABS-1", accept=False, note=note)
        assert reviewed.review_note == clean_multiline(note)
        stored = records.get(store.db, "abstractions", "ABS-1")
        assert stored.review_note == "Not]0;pwned needed\n[@click=app.quit]x[/] =cmd|' /C calc'!A0"
        with pytest.raises(ValidationError):
            Absence.model_validate(dict(SMALL_BUNDLE["absences"][0], kind="annual_leave\x1b[2J"))
    finally:
        store.close()


@pytest.mark.slow  # with the quick subset's few examples, a path may see one outcome only
def test_zz_every_path_reached_both_outcomes():
    """How many examples reached each path (printed with -s); each path that ran saw both outcomes."""
    print(json.dumps({"bundle": COUNTS, "world": WORLD, "gias": GIAS, "terms": TERMS, "cli": CLI,
                      "services": SERVICES}))
    if COUNTS["bundle"]:
        assert 0 < COUNTS["bundle_stored"] < COUNTS["bundle"]
    if WORLD["examples"]:
        assert WORLD["imported"] and WORLD["events"]
    if GIAS["rows"]:
        assert GIAS["added"] and GIAS["skipped"]
    if TERMS["stored"] + TERMS["refused"]:
        assert TERMS["stored"] and TERMS["refused"]
    if CLI["ok"] + CLI["refused"]:
        assert CLI["ok"] and CLI["refused"]
    if CLI["files_ok"] + CLI["files_refused"]:
        assert CLI["files_ok"] and CLI["files_refused"]
    if SERVICES["refused"]:
        assert all(SERVICES[k] for k in ("save_school", "save_young_person", "save_engagement", "consultation",
                                         "abstraction", "model_refused"))
