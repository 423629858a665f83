"""Import schools from a DfE "Get Information About Schools" (GIAS) establishment extract.

The file is the CSV that GIAS serves (``edubasealldata*.csv``,
``edubaseallstatefunded*.csv``, ``edubaseallacademiesandfree*.csv`` ...):
Windows-1252 text with CRLF line ends and quoted fields. A file that was opened
and saved again as UTF-8 (with or without a byte-order mark) is read too: the
bytes are decoded as strict UTF-8 first, then as Windows-1252.

Columns are matched by their header names, never by position (extracts have
from 33 to about 130 columns, in varying orders). The file is refused as a
whole when a column we need is missing (:data:`REQUIRED_COLUMNS`).

Each row is then either used or skipped with a reason and its line number:

* rows whose values do not make a valid :class:`~slo.models.School` (bad URN,
  no name) are skipped and reported;
* closed establishments (``EstablishmentStatus (name)`` = ``Closed``) are
  skipped unless the URN is already in the database (then its GIAS fields are
  refreshed like any other, because engagements and assignments refer to it,
  and the summary lists it so an admin can end its assignment);
* a URN seen twice in the file: the second row is skipped.

New URNs are added; existing ones are updated in the GIAS fields only (name,
phase, local authority, postcode, head teacher). ``uniform_policy`` and
``head_teacher_email`` are set locally and never touched; assignments are never
touched. Everything is written in one ``BEGIN IMMEDIATE`` transaction with one
audit row per created or updated school (``source: gias``; field names only)
plus one ``import``/``gias`` row with the counts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slo.models.entities import School
from slo.models.enums import Phase
from slo.models.refusals import problems_from
from slo.models.rules import Problem, ValidationFailed
from slo.models.text import clean_line
from slo.store.db import Store
from slo.store.rows import from_row, to_row

from . import audit, permissions
from .actors import Actor
from .files import read_input

# Header names as GIAS writes them.
URN = "URN"
NAME = "EstablishmentName"
LA = "LA (name)"
POSTCODE = "Postcode"
TYPE = "TypeOfEstablishment (name)"
STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
HEAD_TITLE = "HeadTitle (name)"
HEAD_FIRST = "HeadFirstName"
HEAD_LAST = "HeadLastName"

#: every column the import reads; a file without one of them is refused
REQUIRED_COLUMNS = (URN, NAME, LA, POSTCODE, TYPE, STATUS, PHASE, HEAD_TITLE, HEAD_FIRST, HEAD_LAST)

#: the School fields that come from GIAS (the others are kept as set locally)
GIAS_FIELDS = ("name", "phase", "local_authority", "postcode", "head_teacher")

#: values GIAS uses for "nothing here"
_EMPTY_WORDS = {"", "not applicable", "not recorded", "n/a", "na", "none", "unknown", "-"}

#: head titles that are salutations; anything else in that column ("Headteacher",
#: "Executive Head", "Principal", "Not applicable") is a job title and is dropped
SALUTATIONS = {
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "dr": "Dr",
    "prof": "Prof",
    "professor": "Professor",
    "sir": "Sir",
    "dame": "Dame",
    "lady": "Lady",
    "lord": "Lord",
    "rev": "Rev",
    "revd": "Revd",
    "reverend": "Reverend",
    "the reverend": "The Reverend",
    "rev dr": "Rev Dr",
    "father": "Father",
    "fr": "Fr",
    "sister": "Sister",
    "brother": "Brother",
    "canon": "Canon",
    "rabbi": "Rabbi",
}

CLOSED = "closed"


@dataclass(frozen=True)
class Skipped:
    """A row of the file that was not used, with the (first physical) line it starts on."""

    line: int
    urn: str | None
    reason: str

    def __str__(self) -> str:
        urn = f" (URN {self.urn})" if self.urn else ""
        return f"line {self.line}{urn}: {self.reason}"


@dataclass
class GiasResult:
    """What an import did. Lists hold URNs, except ``skipped``."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: URNs closed in GIAS but kept because they are in the database (refreshed or unchanged)
    closed_kept: list[str] = field(default_factory=list)
    #: closed establishments not in the database: counted, not listed one by one
    closed_skipped: int = 0
    #: rows that could not be used (invalid values, duplicates, malformed lines)
    skipped: list[Skipped] = field(default_factory=list)
    rows: int = 0
    encoding: str = ""

    def summary(self) -> str:
        """One line: the counts."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{self.closed_skipped + len(self.skipped)} skipped "
            f"({self.closed_skipped} closed and not in the database, {len(self.skipped)} unusable)"
        )

    def report_lines(self, limit: int = 20) -> list[str]:
        """Details for a person: unusable rows (up to ``limit``), closed schools kept."""
        lines = [f"skipped {s}" for s in self.skipped[:limit]]
        if len(self.skipped) > limit:
            lines.append(f"... and {len(self.skipped) - limit} more unusable row(s)")
        if self.closed_kept:
            shown = ", ".join(self.closed_kept[:limit])
            more = f" and {len(self.closed_kept) - limit} more" if len(self.closed_kept) > limit else ""
            lines.append(
                f"closed in GIAS but kept (already in the database; end their assignments if needed): "
                f"{shown}{more}"
            )
        return lines


#: the largest extract read: the full "all establishment data" download is about 60 MB
MAX_FILE_BYTES = 200_000_000
#: the most physical lines one row may span (a quoted value with line breaks); a quote left open
#: cannot swallow more than this, and re-reading after it stays linear
MAX_LINES_PER_ROW = 10

#: a valid UTF-8 sequence of two to four bytes (non-ASCII text written as UTF-8)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _refuse(path: Path, message: str) -> ValidationFailed:
    return ValidationFailed([Problem("gias", str(path), None, message)])


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding used: strict UTF-8 (BOM dropped), else Windows-1252.

    Windows-1252 leaves five bytes undefined; a file containing one is neither
    encoding and is refused with :class:`ValueError` naming the byte's offset.
    A file that is not UTF-8 as a whole but holds UTF-8 text too (a row pasted in
    from elsewhere, ``Café`` as the bytes ``C3 A9``) mixes the two: decoding it
    either way would store mojibake (``CafÃ©``), so it is refused naming a line
    of each.
    """
    try:
        text = data.decode("utf-8-sig")
        return text, ("ascii" if data.isascii() else "utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    # a UTF-8 byte-order mark in front of Windows-1252 text (a half-converted file) is not data
    body = data.removeprefix(b"\xef\xbb\xbf")
    skipped = len(data) - len(body)
    utf8 = _UTF8_SEQUENCE.search(body)
    if utf8 is not None:
        raise ValueError(
            f"mixes two encodings: line {_line_at(body, utf8.start())} is UTF-8 but line {_line_at(data, bad)} "
            "is not (Windows-1252?); save the file again in one encoding (as downloaded from GIAS, or all UTF-8)"
        )
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        offset = exc.start + skipped
        raise ValueError(
            f"is neither UTF-8 nor Windows-1252 text (byte 0x{data[offset]:02x} at offset {offset})"
        ) from None


def _value(text: str | None) -> str | None:
    """A GIAS cell cleaned of control characters and spare spaces; None for empty and "Not applicable"."""
    if text is None:
        return None
    cleaned = clean_line(text)
    return None if cleaned.lower() in _EMPTY_WORDS else cleaned


def salutation(title: str | None) -> str | None:
    """The salutation in GIAS's head-title column, or None for job titles and blanks."""
    cleaned = _value(title)
    if cleaned is None:
        return None
    key = re.sub(r"\.", "", cleaned).lower()
    key = re.sub(r"\s+", " ", key).strip()
    return SALUTATIONS.get(key)


def head_teacher(title: str | None, first: str | None, last: str | None) -> str | None:
    """The head teacher's name as GIAS gives it, with a salutation only when it is one.

    ``("Miss", "Alexandra", "Allan")`` -> ``"Miss Alexandra Allan"``;
    ``("Headteacher", "R", "Coning")`` -> ``"R Coning"``; no names -> None
    (a title alone names nobody).
    """
    names = [n for n in (_value(first), _value(last)) if n]
    if not names:
        return None
    parts = [salutation(title)] + names
    return " ".join(p for p in parts if p)


def phase_of(type_name: str | None, phase_name: str | None) -> Phase:
    """Our phase from GIAS's type of establishment and phase of education."""
    kind = (type_name or "").strip().lower()
    if "special" in kind:
        return Phase.SPECIAL
    if "pupil referral unit" in kind or "alternative provision" in kind:
        return Phase.ALTERNATIVE_PROVISION
    phase = re.sub(r"\s+", " ", (phase_name or "").strip().lower())
    return {
        "primary": Phase.PRIMARY,
        "middle deemed primary": Phase.PRIMARY,
        "secondary": Phase.SECONDARY,
        "middle deemed secondary": Phase.SECONDARY,
        "all-through": Phase.ALL_THROUGH,
        "all through": Phase.ALL_THROUGH,
        "16 plus": Phase.POST16,
    }.get(phase, Phase.OTHER)


@dataclass
class Row:
    """One usable data row: where it starts and its cells by header name."""

    line: int
    cells: dict[str, str]


class _Lines:
    """The physical lines of ``text`` (each ending in ``\\n``), for csv.reader, with a position that
    can be moved back and a budget of lines for the row being read."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.number = 1  # of the next line
        self.budget = MAX_LINES_PER_ROW

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.text) or self.budget <= 0:
            raise StopIteration
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end + 1
        line = self.text[self.pos : end]
        self.pos, self.number, self.budget = end, self.number + 1, self.budget - 1
        return line

    def restart_after(self, pos: int, number: int) -> None:
        """Go back to the line that starts at ``pos`` (line ``number``) and skip it."""
        self.pos, self.number, self.budget = pos, number, 1
        next(self, None)


@dataclass
class _Record:
    """One CSV record as read: where it starts, how many physical lines it took, cells or an error."""

    line: int
    lines: int
    cells: list[str] | None
    error: str | None
    pos: int


def _lone_cr_outside_quotes(record: str) -> bool:
    """``record`` (one record's raw text) has a CR that is not part of its line end and not inside
    a quoted value. Cheap for the usual record: the quote-aware walk runs only when a CR is there."""
    body = record[:-2] if record.endswith("\r\n") else record[:-1] if record.endswith("\n") else record
    if "\r" not in body:
        return False
    quoted = False
    for i, char in enumerate(body):
        if char == '"':
            quoted = not quoted
        elif char == "\r" and not quoted and body[i + 1 : i + 2] != "\n":
            return True
    return False


def _records(text: str, path: Path) -> Iterator[tuple[_Record, _Lines]]:
    """The file's records in strict CSV. A record that spans several lines because a quote was left
    open is the caller's to refuse: it calls ``lines.restart_after`` so the next line is read anew.

    A carriage return without a line feed outside a quoted value (old Mac line ends, or a damaged
    line) refuses the whole file with its line number, as docs/security.md says.
    """
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    while lines.pos < len(text):
        pos, number = lines.pos, lines.number
        lines.budget = MAX_LINES_PER_ROW
        cells: list[str] | None
        error: str | None
        try:
            cells = next(reader)
        except StopIteration:
            if lines.pos >= len(text) and lines.pos == pos:
                return
            cells, error = None, "unexpected end of data"
        except csv.Error as exc:
            cells, error = None, str(exc).split(" - ")[0]
            if "new-line character" in error:
                raise _refuse(
                    path,
                    f"line {lines.number - 1} has a carriage return (CR) without a line feed outside a quoted value: "
                    "its line ends are damaged; nothing was imported",
                ) from None
        else:
            error = None
            if _lone_cr_outside_quotes(text[pos : lines.pos]):  # csv takes "x\r\r\n" as a line end
                raise _refuse(
                    path,
                    f"line {number} has a carriage return (CR) without a line feed outside a quoted value: "
                    "its line ends are damaged; nothing was imported",
                )
        yield _Record(number, lines.number - number, cells, error, pos), lines
        if error is not None:
            if lines.number - number > 1 or lines.pos == pos:
                lines.restart_after(pos, number)
            reader = csv.reader(lines, strict=True)  # a fresh reader: no state left from the bad record


def read_rows(text: str, path: Path) -> Iterator[Row | Skipped]:
    """The file's data rows by header name; malformed rows come out as :class:`Skipped`.

    A row with a quote left open is skipped alone: the lines after it are read
    as rows of their own (it used to swallow the next row). Raises
    :class:`ValidationFailed` when the header lacks a required column or is
    unreadable, and for a carriage return without a line feed.
    """
    records = _records(text, path)
    first = next(records, None)
    if first is None:
        raise _refuse(path, "is empty (expected a GIAS establishment CSV with a header row)")
    head, _ = first
    if head.cells is None:
        raise _refuse(path, f"is not a readable CSV file (line {head.line}: {head.error})")
    header = head.cells
    names = [clean_line(h).lower() for h in header]
    index: dict[str, int] = {}
    for wanted in REQUIRED_COLUMNS:
        if wanted.lower() in names:
            index[wanted] = names.index(wanted.lower())
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        raise _refuse(
            path,
            "is not a GIAS establishment extract: missing column(s) "
            + ", ".join(repr(m) for m in missing),
        )
    width = len(header)
    for record, lines in records:
        cells = record.cells
        if cells is None:
            if record.lines > 1:
                yield Skipped(record.line, None, "has a quote that is never closed (the next lines are read as rows)")
            else:
                yield Skipped(record.line, None, f"is not valid CSV ({record.error})")
            continue
        if not cells or all(not c.strip() for c in cells):
            continue  # blank line
        if len(cells) != width:
            urn = _value(cells[index[URN]]) if len(cells) > index[URN] else None
            if record.lines > 1:  # most likely a quote left open that took in the following lines
                lines.restart_after(record.pos, record.line)
                yield Skipped(record.line, urn, "has a quote that is never closed (the next lines are read as rows)")
                continue
            yield Skipped(record.line, urn, f"has {len(cells)} fields; the header has {width}")
            continue
        yield Row(record.line, {name: cells[i] for name, i in index.items()})


def school_from_row(row: Row) -> School:
    """The School that a GIAS row describes (GIAS fields only; local fields at their defaults).

    Raises pydantic's ``ValidationError`` for values the model refuses.
    """
    c = row.cells
    return School.model_validate(
        {
            "urn": (c[URN] or "").strip(),
            "name": _value(c[NAME]) or "",
            "phase": phase_of(c[TYPE], c[PHASE]).value,
            "local_authority": _value(c[LA]),
            "postcode": _value(c[POSTCODE]),
            "head_teacher": head_teacher(c[HEAD_TITLE], c[HEAD_FIRST], c[HEAD_LAST]),
        }
    )


def _why(exc: ValidationError) -> str:
    """Why a row's school was refused: each field and what was wrong, naming the value given."""
    bits = []
    for problem in problems_from(exc, "schools"):
        bits.append(f"{problem.field or 'row'}: {problem.message}")
    return "; ".join(bits)


def import_gias(store: Store, actor: Actor, path: str | Path) -> GiasResult:
    """Add or update schools from the GIAS extract at ``path``; see the module docstring.

    Needs permission ``manage``. Raises :class:`ValidationFailed` (and changes
    nothing) for a file that cannot be read or lacks a required column.
    """
    path = Path(path)
    permissions.require(store.db, actor, permissions.MANAGE, what="this database")
    data = read_input(path, "gias", limit=MAX_FILE_BYTES)  # a regular file, at most MAX_FILE_BYTES
    try:
        text, encoding = decode(data)
    except ValueError as exc:
        raise _refuse(path, str(exc)) from None

    result = GiasResult(encoding=encoding)
    with store.write() as db:
        cursor = db.execute("SELECT * FROM schools")
        cols = [c[0] for c in cursor.description]
        rows = (from_row("schools", dict(zip(cols, v, strict=True))) for v in cursor)
        existing = {r.urn: r for r in rows if isinstance(r, School)}
        seen: dict[str, int] = {}
        writes: list[School] = []
        created: list[tuple[str | None, dict[str, Any] | None]] = []
        updated: list[tuple[str | None, dict[str, Any] | None]] = []
        for item in read_rows(text, path):
            if isinstance(item, Skipped):
                result.rows += 1
                result.skipped.append(item)
                continue
            result.rows += 1
            closed = (_value(item.cells[STATUS]) or "").lower() == CLOSED
            if closed and item.cells[URN].strip() not in existing:
                result.closed_skipped += 1  # decided before validating: most closed rows are never used
                continue
            try:
                school = school_from_row(item)
            except ValidationError as exc:
                urn = _value(item.cells[URN])
                result.skipped.append(Skipped(item.line, urn, _why(exc)))
                continue
            if school.urn in seen:
                result.skipped.append(
                    Skipped(item.line, school.urn, f"URN appears twice in the file (first on line {seen[school.urn]})")
                )
                continue
            seen[school.urn] = item.line
            old = existing.get(school.urn)
            if old is None:
                writes.append(school)
                result.added.append(school.urn)
                created.append((school.urn, {"fields": sorted(School.model_fields), "source": "gias"}))
                continue
            if closed:
                result.closed_kept.append(school.urn)
            new = old.model_copy(update={f: getattr(school, f) for f in GIAS_FIELDS})
            fields = [f for f in GIAS_FIELDS if getattr(old, f) != getattr(new, f)]
            if not fields:
                result.unchanged += 1
                continue
            writes.append(new)
            result.updated.append(school.urn)
            updated.append((school.urn, {"fields": fields, "source": "gias"}))
        if writes:
            cols = list(School.model_fields)
            db.conn.executemany(
                f"INSERT INTO schools ({', '.join(f'[{c}]' for c in cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)}) "
                "ON CONFLICT (urn) DO UPDATE SET "
                + ", ".join(f"[{c}] = excluded.[{c}]" for c in GIAS_FIELDS),
                [to_row(s) for s in writes],
            )
        if created:
            audit.record_many(db, actor.collar, audit.CREATE, "schools", created)
        if updated:
            audit.record_many(db, actor.collar, audit.UPDATE, "schools", updated)
        audit.record(
            db,
            actor.collar,
            audit.IMPORT,
            "gias",
            None,
            {
                "added": len(result.added),
                "updated": len(result.updated),
                "unchanged": result.unchanged,
                "skipped": result.closed_skipped + len(result.skipped),
                "rows": result.rows,
            },
        )
    return result
