"""Bundle import and export (``docs/spec/bundle.md``, format ``slo-bundle/1``).

Import is all or nothing and streams: records are read one at a time (a file with
ijson, so a national bundle needs ~110 MB, not gigabytes), validated by their model,
checked for duplicate keys, and written inside one ``BEGIN IMMEDIATE`` transaction
with foreign keys deferred. Then the *whole result* (database plus bundle) is checked
in SQL: references (``PRAGMA foreign_key_check``, each problem named by entity, key
and field), roles (team sergeants, reviewers) and overlaps (for the owners the bundle
touched). Any problem rolls everything back. One audit row per created or replaced
record; identical records count as unchanged and are not rewritten. Import never deletes.

Export writes every record with every field (absent optional values as ``null``),
sections in the spec's order and records sorted by natural key, streamed from one
read snapshot, so export -> import into an empty database -> export gives the same
document, byte for byte (checked at national scale: 780,000 records).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from pydantic import ValidationError

from slo.models.entities import ENTITY_MODELS, ENTITY_ORDER, WRITE_ORDER, Abstraction, Engagement
from slo.models.refusals import problems_from
from slo.models.rules import Problem, Span, ValidationFailed, check_overlaps
from slo.store.db import Store
from slo.store.rows import bundle_row, key_columns, to_row

from . import audit, permissions
from .actors import BOOTSTRAP, Actor
from .files import open_input
from .records import get_row

if TYPE_CHECKING:
    from sqlite_utils import Database

FORMAT = "slo-bundle/1"

Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    replaced: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for entity in ENTITY_ORDER:
            c, r, u = self.created.get(entity, 0), self.replaced.get(entity, 0), self.unchanged.get(entity, 0)
            if c or r or u:
                bits = [f"{c} added"] if c else []
                if r:
                    bits.append(f"{r} replaced")
                if u:
                    bits.append(f"{u} unchanged")
                parts.append(f"{entity}: {', '.join(bits)}")
        return "; ".join(parts) or "nothing to import"


def _raw_key(entity: str, item: Any, index: int) -> str:
    """The record's key as the bundle gives it (before validation), else its place in the section."""
    if isinstance(item, dict):
        parts = [item.get(c) for c in key_columns(entity)]
        if all(isinstance(p, str) and p for p in parts):
            return "/".join(str(p) for p in parts)
    return f"#{index + 1}"


#: the deepest nesting a bundle may have. A valid one nests 4 levels (the document, a section, a
#: record, a list such as ``working_days``); deeper values are refused by the parser with one line,
#: before anything is built, so 100,000 nested ``[`` cost kilobytes, not gigabytes.
MAX_DEPTH = 8
#: the most JSON text one value may take (bytes between two unescaped quotes). The longest field
#: (20,000 characters of notes) needs at most 240 KB even with every character escaped; a longer run
#: is refused as it is read, so a 200 MB string costs one megabyte and no quadratic re-scan.
MAX_VALUE_BYTES = 1 << 20
#: integers in a bundle are small (year groups, half-days): more digits than this is refused
MAX_INTEGER_DIGITS = 15


def _refusal(path: str | Path, message: str) -> ValidationFailed:
    return ValidationFailed([Problem("bundle", str(path), None, message)])


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _HugeNumber(Exception):
    pass


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _HugeNumber()
    return int(text)


def load_file(path: str | Path) -> Any:
    """Read a bundle file as JSON, with a clear error for bad JSON or encoding.

    The same refusals as the streaming reader: not a regular file, a key twice in
    one object, nesting deeper than :data:`MAX_DEPTH` (Python's parser would
    overflow its stack), an integer of more than :data:`MAX_INTEGER_DIGITS` digits.
    """
    with open_input(path, "bundle") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refusal(path, "is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_small_int)
    except json.JSONDecodeError as exc:
        raise _refusal(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except _DuplicateKey as exc:
        raise _refusal(path, f"has the key {exc.key!r} twice in one object") from None
    except RecursionError:
        raise _refusal(path, f"nests deeper than {MAX_DEPTH} levels (a bundle needs 4)") from None
    except _HugeNumber:
        raise _refusal(path, f"holds a number of more than {MAX_INTEGER_DIGITS} digits (no field takes one)") from None


class _Stop(Exception):
    """The bundle's format is wrong: nothing else is worth reading."""


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class _TooLong(Exception):
    """A value (or a run of text between values) longer than :data:`MAX_VALUE_BYTES`."""

    def __init__(self, offset: int):
        super().__init__(offset)
        self.offset = offset


class _GuardedReader:
    """A binary file for ijson that refuses an over-long value as soon as it is read.

    yajl re-scans a token that spans its buffers from the token's start each
    time, so one long string takes quadratic time (80 MB: 49 s). This counts
    the bytes since the last quote that is not escaped (a string, a number or
    spaces must end before :data:`MAX_VALUE_BYTES`) and raises :class:`_TooLong`
    at once, having read at most one buffer past the limit. A quote after a
    backslash is taken as escaped even when the backslash is itself escaped:
    that can only delay the reset, never miss a long value.
    """

    #: a quote preceded by an odd number of backslashes: an escaped quote, inside a string
    _ESCAPED_QUOTE = re.compile(rb'(?<!\\)(?:\\\\)*\\"')

    def __init__(self, raw: BinaryIO, limit: int = MAX_VALUE_BYTES):
        self.raw = raw
        self.limit = limit
        self.offset = 0
        self.run = 0
        self._backslash = False
        #: whether the bytes read so far end inside a string (unescaped quotes counted exactly)
        self.in_string = False
        self._odd_backslashes = False

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson asks for nothing to learn whether the file is binary
        chunk = self.raw.read(size if size > 0 else 1 << 16)
        if chunk:
            self._scan(chunk)
        return chunk

    def _scan(self, chunk: bytes) -> None:
        first = self._quote(chunk, forward=True)
        if first < 0:
            self.run += len(chunk)
        elif self.run + first > self.limit:  # the value that ends in this chunk was already too long
            raise _TooLong(self.offset - self.run)
        else:
            self.run = len(chunk) - self._quote(chunk, forward=False) - 1
        self._backslash = chunk.endswith(b"\\")
        self.offset += len(chunk)
        if self.run > self.limit:
            raise _TooLong(self.offset - self.run)
        self._count_quotes(chunk)

    def _count_quotes(self, chunk: bytes) -> None:
        """Keep :attr:`in_string` exact: yajl does not report a string left open at the end of the
        input (``{...} "abc``), so the reader must know whether the input ended inside one."""
        text = (b"\\" if self._odd_backslashes else b"") + chunk
        quotes = text.count(b'"')
        if b'\\"' in text:  # rare in real data: only then look for the escaped ones
            quotes -= len(self._ESCAPED_QUOTE.findall(text))
        self.in_string ^= bool(quotes % 2)
        trailing = len(text) - len(text.rstrip(b"\\"))
        self._odd_backslashes = bool(trailing % 2)

    def _quote(self, chunk: bytes, *, forward: bool) -> int:
        """The position of the first (or last) quote in ``chunk`` not after a backslash; -1 if none."""
        pos = chunk.find(b'"') if forward else chunk.rfind(b'"')
        while pos >= 0 and (chunk[pos - 1] == 0x5C if pos > 0 else self._backslash):
            pos = chunk.find(b'"', pos + 1) if forward else chunk.rfind(b'"', 0, pos)
        return pos


def _events_from_dict(data: Any) -> Iterator[tuple]:
    """The bundle document as a stream of events (see :func:`_events_from_file`)."""
    if not isinstance(data, dict):
        yield ("not_object",)
        return
    for name, value in data.items():
        if name == "format":
            yield ("format", value)
        elif not isinstance(value, list):
            yield ("section", name, value is None, value)
        else:
            yield ("section", name, True, None)
            for index, item in enumerate(value):
                yield ("item", name, index, item)


def _depth_checked(parser: Iterator[tuple[str, Any]], path: Path) -> Iterator[tuple[str, Any]]:
    """ijson's basic events, refusing nesting deeper than :data:`MAX_DEPTH` and over-long integers."""
    depth = 0
    for event, value in parser:
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refusal(path, f"nests deeper than {MAX_DEPTH} levels (a bundle needs 4)")
        elif event in ("end_map", "end_array"):
            depth -= 1
        elif event == "number" and isinstance(value, int) and abs(value) >= 10**MAX_INTEGER_DIGITS:
            raise _refusal(path, f"holds a number of more than {MAX_INTEGER_DIGITS} digits (no field takes one)")
        yield event, value


def _build(events: Iterator[tuple[str, Any]], event: str) -> Any:
    """The container that ``event`` (``start_map``/``start_array``) opened, built from the following
    events. A key that appears twice in one object raises :class:`_DuplicateKey`."""
    root: Any = {} if event == "start_map" else []
    stack: list[Any] = [root]
    key: str | None = None
    for ev, val in events:
        top = stack[-1]
        if ev == "map_key":
            if val in top:
                raise _DuplicateKey(val)
            key = val
            continue
        if ev in ("end_map", "end_array"):
            stack.pop()
            if not stack:
                return root
            continue
        value: Any = {} if ev == "start_map" else [] if ev == "start_array" else val
        if isinstance(top, dict):
            top[key] = value
        else:
            top.append(value)
        if ev in ("start_map", "start_array"):
            stack.append(value)
    return root


def _events_from_file(path: Path) -> Iterator[tuple]:
    """Stream a bundle file with ijson: ``("format", v)``, ``("section", name, is_list, value)``,
    ``("item", section, index, record)``. Memory stays flat whatever the file's size.

    Refused as they are read (:class:`ValidationFailed`, one line): nesting deeper
    than :data:`MAX_DEPTH`, a value longer than :data:`MAX_VALUE_BYTES`, an integer
    of more than :data:`MAX_INTEGER_DIGITS` digits, a key twice in one object (a
    section, or a field of a record), and anything after the document's closing
    brace (two bundles pasted into one file).
    """
    with open_input(path, "bundle") as f:
        yield from _events_from_stream(f, path)


def _events_from_stream(raw: BinaryIO, path: str | Path) -> Iterator[tuple]:
    """:func:`_events_from_file` on an open binary stream (``path`` names it in refusals)."""
    import ijson

    if raw.read(3) != b"\xef\xbb\xbf":  # a UTF-8 byte-order mark is tolerated
        raw.seek(0)
    guarded = _GuardedReader(raw)
    events = _depth_checked(ijson.basic_parse(guarded, use_float=True), Path(path))
    try:
        first = next(events, None)
        if first is None:
            raise _refusal(path, "is empty")
        if first[0] != "start_map":
            yield ("not_object",)
            return
        yield from _sections(events, Path(path))
        try:
            extra = next(events, None)
        except ijson.JSONError:
            extra = ("garbage", None)
        if extra is not None or guarded.in_string:  # yajl ignores a string left open at the very end
            raise _refusal(
                path,
                "holds more than one JSON document (something follows the bundle's closing brace); "
                "import one bundle per file",
            )
    except _TooLong as exc:
        raise _refusal(
            path, f"has a value longer than {MAX_VALUE_BYTES:,} bytes (from byte {exc.offset:,}); no field takes one"
        ) from None


def _sections(events: Iterator[tuple[str, Any]], path: Path) -> Iterator[tuple]:
    """The events of the top-level map, up to and including its end."""
    # Every value is consumed whole below, so this loop only sees the top-level map's keys,
    # the start of each value, and the map's end.
    section: str | None = None
    seen: set[str] = set()
    for event, value in events:
        if event == "map_key":
            if value in seen:
                raise _refusal(path, f"has the section {value!r} twice (each section may appear once)")
            seen.add(value)
            section = value
            continue
        if event == "end_map":
            return
        try:
            if event != "start_array" or section == "format":
                whole = _build(events, event) if event in ("start_map", "start_array") else value
                if section == "format":
                    yield ("format", whole)
                else:
                    yield ("section", section, whole is None, whole)
                continue
            yield ("section", section, True, None)
            index = 0
            for item_event, item_value in events:
                if item_event == "end_array":  # items are consumed whole: this is the section's end
                    break
                if item_event in ("start_map", "start_array"):
                    item_value = _build(events, item_event)
                yield ("item", section, index, item_value)
                index += 1
        except _DuplicateKey as exc:
            where = f"{section} record {index + 1}" if event == "start_array" and section != "format" else section
            raise _refusal(path, f"{where} has the key {exc.key!r} twice in one object") from None


class _Importer:
    """One streaming import inside one BEGIN IMMEDIATE transaction (see :func:`import_bundle`)."""

    CHUNK = 2000

    def __init__(self, db: Database, actor: Actor, progress: Progress | None):
        self.db = db
        self.actor = actor
        self.progress = progress
        self.problems: list[Problem] = []
        self.result = ImportResult()
        # keys read from the bundle, kept for the entities the whole-result checks name records of:
        # those with a no-overlap rule or a role rule, and the officers such rules name
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.tracked = {"officers"} | {
            e for e, m in ENTITY_MODELS.items() if m.facts.overlap or any(r.role for r in m.facts.references)
        }
        self.owners: dict[str, set[str]] = defaultdict(set)
        self.was_empty = {
            e: db.execute(f"SELECT 1 FROM [{e}] LIMIT 1").fetchone() is None for e in ENTITY_MODELS
        }
        self.pending: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.sql = {e: self._upsert_sql(e) for e in ENTITY_MODELS}
        self.done = 0
        db.execute("CREATE TEMP TABLE IF NOT EXISTS _import_keys (entity TEXT, key TEXT, PRIMARY KEY (entity, key))")
        db.execute("DELETE FROM _import_keys")

    @staticmethod
    def _upsert_sql(entity: str) -> str:
        key_cols = key_columns(entity)
        cols = list(ENTITY_MODELS[entity].model_fields)
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in key_cols)
        return (
            f"INSERT INTO [{entity}] ({', '.join(f'[{c}]' for c in cols)}) "
            f"VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT ({', '.join(key_cols)}) DO UPDATE SET {updates}"
        )

    def add(self, entity: str, index: int, item: Any) -> None:
        key = _raw_key(entity, item, index)
        if not isinstance(item, dict):
            self.problems.append(Problem(entity, key, None, "expected an object"))
            return
        try:
            record = ENTITY_MODELS[entity].model_validate(item)
        except ValidationError as exc:  # each problem names the field and the value given
            self.problems.extend(problems_from(exc, entity, key))
            return
        key = record.key()
        try:
            self.db.execute("INSERT INTO _import_keys (entity, key) VALUES (?, ?)", [entity, key])
        except sqlite3.IntegrityError:
            self.problems.append(Problem(entity, key, None, "appears twice in the bundle"))
            return
        if entity in self.tracked:
            self.seen[entity].add(key)
        overlap = record.facts.overlap
        if overlap is not None:
            self.owners[entity].add(getattr(record, overlap.owner))
        if isinstance(record, (Engagement, Abstraction)):  # see warnings()
            self.owners["warn_officers"].add(record.officer)
        if self.problems:
            return  # keep validating to report every problem, but write nothing more
        self.pending[entity].append((key, to_row(record)))
        if len(self.pending[entity]) >= self.CHUNK:
            self.flush(entity)

    def flush(self, entity: str) -> None:
        batch = self.pending.pop(entity, [])
        if not batch:
            return
        db = self.db
        calendar_fields = ENTITY_MODELS[entity].facts.calendar_fields
        created, replaced, bumped, rows = [], [], [], []
        for key, row in batch:
            old = None if self.was_empty[entity] else get_row(db, entity, key)
            if old is None:
                created.append(key)
            else:
                if bundle_row(entity, old) == bundle_row(entity, row):
                    self.result.unchanged[entity] += 1
                    continue
                replaced.append(key)
                if any(old.get(f) != row.get(f) for f in calendar_fields):
                    bumped.append(key)
            rows.append(row)
        if rows:
            db.conn.executemany(self.sql[entity], rows)
        if bumped:  # only tables with calendar fields keep a sequence; they are keyed by ref
            db.conn.executemany(f"UPDATE [{entity}] SET sequence = sequence + 1 WHERE ref = ?", [(k,) for k in bumped])
        if created:
            audit.record_many(db, self.actor.collar, audit.CREATE, entity, [(k, {"source": "import"}) for k in created])
        if replaced:
            audit.record_many(
                db, self.actor.collar, audit.UPDATE, entity, [(k, {"source": "import"}) for k in replaced]
            )
        self.result.created[entity] += len(created)
        self.result.replaced[entity] += len(replaced)
        self.done += len(batch)
        if self.progress:
            self.progress(entity, self.done, 0)

    def flush_all(self) -> None:
        for entity in WRITE_ORDER:
            self.flush(entity)

    # -- checks of the result as a whole (database plus bundle), in SQL -----------------------

    def check_whole(self) -> list[Problem]:
        db = self.db
        problems: list[Problem] = []
        for table, rowid, parent, fkid in db.execute("PRAGMA foreign_key_check").fetchall():
            column = next(
                (r[3] for r in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall() if r[0] == fkid), None
            )
            model = ENTITY_MODELS.get(table)
            if column is None or model is None:
                problems.append(Problem(table, f"row {rowid}", None, f"refers to a missing {parent} record"))
                continue
            row = db.execute(
                f"SELECT {', '.join(f'[{c}]' for c in model.facts.key)}, [{column}] FROM [{table}] WHERE rowid = ?",
                [rowid],
            ).fetchone()
            key = "/".join(str(v) for v in row[:-1])
            problems.append(Problem(table, key, column, f"names {parent} {row[-1]!r}, which does not exist"))
            if len(problems) >= 50:
                break
        if problems:
            return problems
        problems.extend(self._check_roles())
        problems.extend(self._check_overlaps())
        return problems

    def _check_roles(self) -> list[Problem]:
        """Every reference with a role rule (``Reference.role``) that the result breaks.

        A record of the bundle naming an officer without the role is reported on that record.
        A rule the named officer must keep while named (``while_named``: a team's sergeant) is
        checked over the whole table, and reported on the officer when only the officer came in
        the bundle (a sergeant imported as an SLO); other rules only for the bundle's records.
        """
        db, seen = self.db, self.seen
        problems: list[Problem] = []
        for entity, model in ENTITY_MODELS.items():
            facts = model.facts
            key_sql = " || '/' || ".join(f"r.[{c}]" for c in facts.key)
            for ref in facts.references:
                if ref.role is None:
                    continue
                sql = (
                    f"SELECT {key_sql}, r.[{ref.field}], o.role FROM [{entity}] r "
                    f"JOIN officers o ON o.collar_number = r.[{ref.field}] WHERE o.role <> ?"
                )
                params: list[Any] = [ref.role]
                if not ref.while_named:
                    sql += f" AND {key_sql} IN (SELECT key FROM _import_keys WHERE entity = ?)"
                    params.append(entity)
                for key, officer, role in db.execute(sql + " ORDER BY 1", params).fetchall():
                    if key in seen[entity]:
                        problems.append(Problem(
                            entity, key, ref.field, f"officer {officer!r} has role {role!r}; expected {ref.role!r}"
                        ))
                    elif officer in seen["officers"]:
                        problems.append(
                            Problem("officers", officer, "role", f"is {ref.named_as} {key}; expected {ref.role!r}")
                        )
        return problems

    def _check_overlaps(self) -> list[Problem]:
        """The no-overlap rules (``facts.overlap``), over every record of the owners the bundle touched."""
        problems: list[Problem] = []
        for entity, model in ENTITY_MODELS.items():
            overlap = model.facts.overlap
            if overlap is None:
                continue
            owners = sorted(self.owners.get(entity, ()))
            spans: list[Span] = []
            key_sql = " || '/' || ".join(f"[{c}]" for c in model.facts.key)
            for start in range(0, len(owners), 500):
                chunk = owners[start : start + 500]
                for owner, d1, d2, key in self.db.execute(
                    f"SELECT [{overlap.owner}], [{overlap.start}], [{overlap.end}], {key_sql} FROM [{entity}] "
                    f"WHERE [{overlap.owner}] IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    spans.append(Span(owner, date.fromisoformat(d1), date.fromisoformat(d2) if d2 else None, key))
            problems.extend(check_overlaps(entity, overlap, spans, self.seen[entity]))
        return problems

    def warnings(self) -> list[str]:
        """Valid but odd data: worth a word, never a refusal."""
        officers = sorted(self.owners.get("warn_officers", ()))
        out = []
        for start in range(0, len(officers), 500):
            chunk = officers[start : start + 500]
            for eref, aref in self.db.execute(
                "SELECT e.ref, a.ref FROM engagements e JOIN abstractions a ON a.officer = e.officer "
                "AND a.portion = 'full' AND substr(e.starts_at, 1, 10) BETWEEN a.date_from AND a.date_to "
                f"WHERE e.status = 'delivered' AND e.officer IN ({','.join('?' * len(chunk))}) "
                "ORDER BY e.ref LIMIT 50",
                chunk,
            ):
                out.append(f"engagements {eref}: delivered on a full day of abstraction {aref}")
        return out


def _run_import(store: Store, events: Iterable[tuple], actor: Actor | None, progress: Progress | None) -> ImportResult:
    db = store.db
    empty = db.execute("SELECT count(*) FROM officers").fetchone()[0] == 0
    if actor is None:
        if not empty:
            raise permissions.PermissionDenied(
                "importing into a database that already holds officers needs --user (an admin)"
            )
        actor = BOOTSTRAP
    else:
        permissions.require(db, actor, permissions.IMPORT, what="this database")
    with store.write() as db:
        db.execute("PRAGMA defer_foreign_keys = ON")
        importer = _Importer(db, actor, progress)
        fmt: Any = _MISSING
        try:
            for event in events:
                kind = event[0]
                if kind == "not_object":
                    raise ValidationFailed([Problem("bundle", "-", None, "expected a JSON object")])
                if kind == "format":
                    fmt = event[1]
                    if fmt != FORMAT:
                        raise _Stop()
                elif kind == "section":
                    _, name, is_list, value = event
                    if name not in ENTITY_MODELS:
                        importer.problems.append(
                            Problem("bundle", "-", name, "unknown section (not in bundle format 1)")
                        )
                    elif not is_list:
                        importer.problems.append(Problem("bundle", "-", name, "expected a list of records"))
                else:
                    _, section, index, item = event
                    if section in ENTITY_MODELS:
                        importer.add(section, index, item)
        except _Stop:
            pass
        if fmt != FORMAT:
            found = None if fmt is _MISSING else fmt
            raise ValidationFailed([Problem("bundle", "-", "format", f"expected {FORMAT!r}, found {found!r}")])
        if importer.problems:
            raise ValidationFailed(importer.problems)
        importer.flush_all()
        problems = importer.check_whole()
        if problems:
            raise ValidationFailed(problems)
        result = importer.result
        result.warnings = importer.warnings()
        audit.record(
            db,
            actor.collar,
            audit.IMPORT,
            "bundle",
            None,
            {"created": sum(result.created.values()), "replaced": sum(result.replaced.values())},
        )
        db.execute("DELETE FROM _import_keys")
    return result


_MISSING = object()


def import_bundle(
    store: Store,
    data: Any,
    actor: Actor | None,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Load a bundle document (a parsed dict), all or nothing. ``actor`` may be None only for
    an empty database (the first import)."""
    return _run_import(store, _events_from_dict(data), actor, progress)


def import_bundle_file(
    store: Store,
    path: str | Path,
    actor: Actor | None,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Load a bundle file, streaming it (memory stays flat for a national bundle); all or nothing."""
    import ijson

    path = Path(path)
    open_input(path, "bundle").close()  # refuse a missing or special file before anything else
    try:
        return _run_import(store, _events_from_file(path), actor, progress)
    except ijson.JSONError as exc:
        text = str(exc).splitlines()[0][:200] if str(exc) else "malformed"
        # yajl names no position: for a file of ordinary size, ask the json module where it is
        if "overflow" not in text and path.stat().st_size <= 64 * 1024 * 1024:
            load_file(path)  # raises ValidationFailed naming line and column (or bad encoding)
        if "overflow" in text:
            text += ": a number larger than any field takes"
        raise _refusal(path, f"is not valid JSON ({text})") from None
    except UnicodeDecodeError:
        raise _refusal(path, "is not UTF-8 text") from None


def _section_rows(db: Database, entity: str) -> Iterator[dict[str, Any]]:
    """Every record of ``entity`` as its bundle dict, sorted by natural key."""
    order = ", ".join(f"[{c}]" for c in key_columns(entity))
    cursor = db.execute(f"SELECT * FROM [{entity}] ORDER BY {order}")
    cols = [c[0] for c in cursor.description]
    for values in cursor:
        yield bundle_row(entity, dict(zip(cols, values, strict=True)))


def _audit_export(store: Store, actor: Actor, counts: dict[str, int]) -> None:
    with store.write() as db:
        audit.record(
            db,
            actor.collar,
            audit.EXPORT,
            "bundle",
            None,
            {"counts": counts, "named": True, "audit_head": audit.last_hash(db)},
        )


def write_bundle(
    store: Store, actor: Actor, stream: IO[str], *, progress: Progress | None = None, to: str = "a stream"
) -> dict[str, int]:
    """Stream every record as a bundle to ``stream`` (a text file); returns counts per section.

    Memory stays flat whatever the size of the database: records are read from
    one consistent snapshot (a read transaction; writers are not blocked) and
    written one at a time, byte for byte as :func:`dump` would write them. The
    export is a named disclosure, audited before the first byte goes out
    (``to`` says where: a file's path, or standard output) and again when it
    ends, with how it ended and the records written (:func:`audit.disclosure`):
    a reader that closes the pipe early still leaves both rows.
    """
    db = store.db
    permissions.require(db, actor, permissions.EXPORT_BUNDLE, what="this database")
    counts: dict[str, int] = {}
    with audit.disclosure(store, actor.collar, audit.EXPORT, "bundle", None, {"named": True, "to": to}) as done:
        done.detail["counts"] = counts  # filled in as sections are written: partial if cut short
        db.conn.execute("BEGIN")  # a read snapshot (WAL): a consistent export without blocking writers
        try:
            stream.write('{\n  "format": ' + json.dumps(FORMAT))
            for entity in ENTITY_ORDER:
                stream.write(f',\n  "{entity}": [')
                n = 0
                for record in _section_rows(db, entity):
                    text = json.dumps(record, indent=2, ensure_ascii=False).replace("\n", "\n    ")
                    stream.write(("\n    " if n == 0 else ",\n    ") + text)
                    n += 1
                    counts[entity] = n
                    if progress and n % 20000 == 0:
                        progress(entity, n, n)
                stream.write("\n  ]" if n else "]")
                counts[entity] = n
                if progress:
                    progress(entity, n, n)
            stream.write("\n}\n")
            stream.flush()  # a closed pipe shows here, not after the end row says "completed"
        finally:
            if db.conn.in_transaction:
                db.conn.execute("COMMIT")
    return counts


def export_bundle(store: Store, actor: Actor, *, progress: Progress | None = None) -> dict[str, Any]:
    """Every record as a bundle document in memory (a named export: audited as a disclosure).

    For large databases use :func:`write_bundle`, which streams.
    """
    db = store.db
    permissions.require(db, actor, permissions.EXPORT_BUNDLE, what="this database")
    out: dict[str, Any] = {"format": FORMAT}
    counts = {}
    db.conn.execute("BEGIN")
    try:
        for entity in ENTITY_ORDER:
            out[entity] = list(_section_rows(db, entity))
            counts[entity] = len(out[entity])
            if progress:
                progress(entity, len(out[entity]), len(out[entity]))
    finally:
        db.conn.execute("COMMIT")
    _audit_export(store, actor, counts)
    return out


def dump(bundle: dict[str, Any]) -> str:
    """The canonical text of a bundle (UTF-8 JSON, two-space indent, trailing newline)."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
