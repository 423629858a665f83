"""Bundle import and export (``shared/spec/bundle.md``, format ``slo-bundle/1``).

Import is all or nothing: every record is validated by its model, then the
whole result (database plus bundle) is checked for unique keys, references and
overlaps, and only then written, with one audit row per created or replaced
record, in one ``BEGIN IMMEDIATE`` transaction. Import never deletes.

Export writes every record with every field (absent optional values as
``null``), sections in the spec's order and records sorted by natural key, so
export -> import into an empty database -> export gives the same document.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError
from sqlite_utils import Database

from slo.models.entities import ENTITY_MODELS, ENTITY_ORDER, WRITE_ORDER, Record
from slo.models.rules import (
    OVERLAP_RULES,
    Problem,
    ValidationFailed,
    check_overlaps,
    check_references,
    check_unique,
    spans_of,
)
from slo.store.db import Store
from slo.store.rows import KEY_COLUMNS, bundle_row, from_row, to_row

from . import audit, permissions
from .records import CALENDAR_FIELDS, get_row
from .actors import BOOTSTRAP, Actor

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
    if isinstance(item, dict):
        parts = [item.get(c) for c in KEY_COLUMNS[entity]]
        if all(isinstance(p, str) and p for p in parts):
            return "/".join(parts)
    return f"#{index + 1}"


def _describe(err: dict[str, Any]) -> tuple[str | None, str]:
    loc = [str(p) for p in err.get("loc", ())]
    field_name = ".".join(loc) if loc else None
    msg = err.get("msg", "invalid")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err.get("type") == "extra_forbidden":
        msg = "unknown field (not in bundle format 1)"
    elif err.get("type") == "missing":
        msg = "is required"
    return field_name, msg


def parse(data: Any) -> dict[str, list[Record]]:
    """Validate a bundle document into models, or raise :class:`ValidationFailed` with every problem."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise ValidationFailed([Problem("bundle", "-", None, "expected a JSON object")])
    if data.get("format") != FORMAT:
        raise ValidationFailed(
            [Problem("bundle", "-", "format", f"expected {FORMAT!r}, found {data.get('format')!r}")]
        )
    for name in data:
        if name != "format" and name not in ENTITY_MODELS:
            problems.append(Problem("bundle", "-", name, "unknown section (not in bundle format 1)"))
    records: dict[str, list[Record]] = {}
    for entity in ENTITY_ORDER:
        items = data.get(entity, [])
        if items is None:
            items = []
        if not isinstance(items, list):
            problems.append(Problem("bundle", "-", entity, "expected a list of records"))
            continue
        model = ENTITY_MODELS[entity]
        parsed = []
        for index, item in enumerate(items):
            key = _raw_key(entity, item, index)
            if not isinstance(item, dict):
                problems.append(Problem(entity, key, None, "expected an object"))
                continue
            try:
                parsed.append(model.model_validate(item))
            except ValidationError as exc:
                for err in exc.errors():
                    fname, msg = _describe(err)
                    problems.append(Problem(entity, key, fname, msg))
        problems.extend(check_unique(entity, parsed))
        records[entity] = parsed
    if problems:
        raise ValidationFailed(problems)
    return records


def load_file(path: str | Path) -> Any:
    """Read a bundle file as JSON, with a clear error for bad JSON or encoding."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationFailed([Problem("bundle", str(path), None, "file not found")]) from None
    except UnicodeDecodeError:
        raise ValidationFailed([Problem("bundle", str(path), None, "is not UTF-8 text")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            [Problem("bundle", str(path), None, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")]
        ) from None


def _existing_keys(db: Database, entity: str) -> set[str]:
    cols = KEY_COLUMNS[entity]
    joined = " || '/' || ".join(f"[{c}]" for c in cols)
    sql = f"SELECT {joined} FROM [{entity}]"
    return {r[0] for r in db.execute(sql)}


def _check_whole(db: Database, records: dict[str, list[Record]]) -> list[Problem]:
    """References, roles and overlaps over the database plus the bundle."""
    known = {}
    for entity in ("teams", "officers", "schools", "young_people", "abstractions", "consultations"):
        known[entity] = _existing_keys(db, entity) | {r.key() for r in records.get(entity, [])}
    roles = dict(db.execute("SELECT collar_number, role FROM officers").fetchall())
    for officer in records.get("officers", []):
        roles[officer.collar_number] = officer.role.value
    problems = check_references(records, known, roles)
    for entity, owner_field in OVERLAP_RULES.items():
        new = records.get(entity, [])
        if not new:
            continue
        owners = sorted({getattr(r, owner_field) for r in new})
        new_keys = {r.key() for r in new}
        existing: list[Record] = []
        for start in range(0, len(owners), 500):
            chunk = owners[start : start + 500]
            cursor = db.execute(
                f"SELECT * FROM [{entity}] WHERE [{owner_field}] IN ({','.join('?' * len(chunk))})", chunk
            )
            cols = [c[0] for c in cursor.description]
            for values in cursor:
                rec = from_row(entity, dict(zip(cols, values)))
                if rec.key() not in new_keys:
                    existing.append(rec)
        problems.extend(check_overlaps(entity, spans_of(entity, existing + new), new_keys))
    # Team sergeants already in the database must still be sergeants after the import
    if records.get("officers"):
        changed = {o.collar_number for o in records["officers"] if o.role.value != "sergeant"}
        if changed:
            bundle_teams = {t.ref for t in records.get("teams", [])}
            for ref, sergeant in db.execute("SELECT ref, sergeant FROM teams WHERE sergeant IS NOT NULL"):
                if sergeant in changed and ref not in bundle_teams:
                    problems.append(
                        Problem("officers", sergeant, "role", f"is the sergeant of team {ref}; expected 'sergeant'")
                    )
    return problems


def _warnings(db: Database, records: dict[str, list[Record]]) -> list[str]:
    """Valid but odd data: worth a word, never a refusal."""
    out = []
    full = defaultdict(list)
    for a in records.get("abstractions", []):
        if a.portion.value == "full":
            full[a.officer].append((a.date_from, a.date_to, a.ref))
    for e in records.get("engagements", []):
        if e.status.value == "delivered":
            for start, end, ref in full.get(e.officer, ()):
                if start <= e.starts_at.date() <= end:
                    out.append(f"engagements {e.ref}: delivered on a full day of abstraction {ref}")
    return out


def import_bundle(
    store: Store,
    data: Any,
    actor: Actor | None,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Load a bundle, all or nothing. ``actor`` may be None only for an empty database."""
    records = parse(data)
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
    result = ImportResult()
    total = sum(len(v) for v in records.values())
    done = 0
    with store.write() as db:
        problems = _check_whole(db, records)
        if problems:
            raise ValidationFailed(problems)
        result.warnings = _warnings(db, records)
        for entity in WRITE_ORDER:
            items = records.get(entity, [])
            if not items:
                continue
            existing = _existing_keys(db, entity)
            key_cols = KEY_COLUMNS[entity]
            rows = [to_row(r) for r in items]
            cols = list(ENTITY_MODELS[entity].model_fields)
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in key_cols)
            sql = (
                f"INSERT INTO [{entity}] ({', '.join(f'[{c}]' for c in cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)}) "
                f"ON CONFLICT ({', '.join(key_cols)}) DO UPDATE SET {updates}"
            )
            created, replaced = [], []
            # replaced rows whose content is identical count as unchanged (no audit noise)
            for chunk_start in range(0, len(items), 5000):
                chunk = items[chunk_start : chunk_start + 5000]
                chunk_rows = rows[chunk_start : chunk_start + 5000]
                write_rows = []
                bumped = []
                for rec, row in zip(chunk, chunk_rows):
                    key = rec.key()
                    if key in existing:
                        old = get_row(db, entity, key)
                        if old is not None and bundle_row(entity, old) == bundle_row(entity, row):
                            result.unchanged[entity] += 1
                            continue
                        replaced.append(key)
                        if entity == "engagements" and any(
                            old.get(f) != row.get(f) for f in CALENDAR_FIELDS
                        ):
                            bumped.append(key)
                    else:
                        created.append(key)
                    write_rows.append(row)
                if write_rows:
                    db.conn.executemany(sql, write_rows)
                if bumped:
                    db.conn.executemany(
                        "UPDATE engagements SET sequence = sequence + 1 WHERE ref = ?",
                        [(k,) for k in bumped],
                    )
                done += len(chunk)
                if progress:
                    progress(entity, done, total)
            if created:
                audit.record_many(db, actor.collar, audit.CREATE, entity, [(k, {"source": "import"}) for k in created])
            if replaced:
                audit.record_many(db, actor.collar, audit.UPDATE, entity, [(k, {"source": "import"}) for k in replaced])
            result.created[entity] += len(created)
            result.replaced[entity] += len(replaced)
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            table, rowid, parent, _ = fk[0]
            raise ValidationFailed([Problem(table, f"row {rowid}", None, f"refers to a missing {parent} record")])
        audit.record(
            db,
            actor.collar,
            audit.IMPORT,
            "bundle",
            None,
            {"created": sum(result.created.values()), "replaced": sum(result.replaced.values())},
        )
    return result


def _section_rows(db, entity: str):
    order = ", ".join(f"[{c}]" for c in KEY_COLUMNS[entity])
    cursor = db.execute(f"SELECT * FROM [{entity}] ORDER BY {order}")
    cols = [c[0] for c in cursor.description]
    for values in cursor:
        yield bundle_row(entity, dict(zip(cols, values)))


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


def write_bundle(store: Store, actor: Actor, stream, *, progress: Progress | None = None) -> dict[str, int]:
    """Stream every record as a bundle to ``stream`` (a text file); returns counts per section.

    Memory stays flat whatever the size of the database: records are read from
    one consistent snapshot (a read transaction; writers are not blocked) and
    written one at a time, byte for byte as :func:`dump` would write them. The
    export is audited (a named disclosure) after the last record is written; a
    caller writing to a file should make it visible only after this returns.
    """
    db = store.db
    permissions.require(db, actor, permissions.EXPORT_BUNDLE, what="this database")
    counts: dict[str, int] = {}
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
                if progress and n % 20000 == 0:
                    progress(entity, n, n)
            stream.write("\n  ]" if n else "]")
            counts[entity] = n
            if progress:
                progress(entity, n, n)
        stream.write("\n}\n")
    finally:
        db.conn.execute("COMMIT")
    _audit_export(store, actor, counts)
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
