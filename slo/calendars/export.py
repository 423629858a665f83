"""Exporting the head teachers' calendars, incrementally.

For every school in the actor's scope with engagements to show (from twelve
months ago onwards) there is one file ``<exports>/calendars/<URN>-<slug>.ics``.

A run works in three steps:

1. **What changed**: triggers (migration m003) keep ``calendar_changes``, a
   version per school that rises on any change its calendar may show (its
   engagements, its name or uniform policy, an officer's name, the names of its
   young people, which the name guard reads). ``calendar_files`` remembers, per
   school, the version its file was built from, the file's path, size and
   SHA-256, and the earliest start in it. A school is skipped without being
   built when its version is unchanged, no event has slid out of the
   twelve-month window, and its file is on disk with the stored size. A run
   with nothing changed reads two small tables, stats the files and returns.
2. **Build** the other schools in chunks: one query for the chunk's events,
   build and serialise with :mod:`slo.calendars.ics` (icalendar), hash. A
   file whose bytes equal the stored hash is not rewritten (only its state
   row is updated).
3. **Write**: each changed file goes to a temporary file in the same folder;
   the state rows and one audit row per file (operation ``disclosure``: school,
   events, sha256, audit head hash) are committed in one transaction; then
   each temporary file is moved into place with ``os.replace`` (atomic).

A run holds an exclusive lock on the calendars folder (``flock`` on the folder
itself) from start to end, so two runs never write the same folder at once, and
any temporary file found there by a run holding the lock was left by a run that
died: every run removes them. Modes are explicit, whatever the umask: the folder
is 0700 and every calendar 0600 (owner only: the exporting account, which is also
the account the calendar service runs as, ``slo calendars serve``).

DTSTAMP is derived from ``engagements.updated_at`` (a fixed stamp when the
record has none), so an unchanged engagement always serialises to the same
bytes and reruns stay quiet.

A school whose engagements all lie outside the window gets no file; if it had
one, the file is rewritten empty (so subscribed calendars drop the events)
rather than left to go stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from slo.models.enums import ONE_TO_ONE_TITLE
from slo.services import audit, permissions
from slo.services.actors import Actor
from slo.services.errors import Conflict, NotFound, PermissionDenied
from slo.services.privacy import NameMatcher

from .ics import CalEvent, render_calendar, sanitise
from .paths import SAFE_NAME, calendar_name, calendars_dir

#: bump when the rendering changes, so every file is rebuilt once
FORMAT_VERSION = "slo-ics/2"  # 2: built and serialised by icalendar
#: engagements that started this many months ago or later are shown
WINDOW_MONTHS = 12
#: schools built (and committed) per transaction
CHUNK = 200
#: DTSTAMP of an engagement whose record carries no updated_at (e.g. imported from a bundle)
UNKNOWN_STAMP = datetime(2000, 1, 1)
#: a calendar file: read and written by the owner only (the exporting and serving account)
FILE_MODE = 0o600
#: the calendars folder (and any export folder this run creates)
FOLDER_MODE = 0o700
#: how long a run waits for another run on the same folder to finish
LOCK_WAIT_SECONDS = 900.0

_KIND_LABEL = {
    "visit": "visit",
    "assembly": "assembly",
    "lesson": "lesson",
    "one_to_one": "1:1 session",
    "drop_in": "drop-in",
    "meeting": "meeting",
    "case_conference": "case conference",
    "parent_meeting": "parent meeting",
    "other": "engagement",
}


@dataclass
class CalendarExportResult:
    written: list[Path]
    unchanged: int
    events: int
    seconds: float
    #: schools considered (in scope, with something to show or a file already written)
    schools: int = 0
    removed: list[Path] = field(default_factory=list)


def window_start(today: date) -> date:
    """Twelve months before ``today`` (29 February falls back to the 28th)."""
    year, month = today.year, today.month - WINDOW_MONTHS
    while month < 1:
        month += 12
        year -= 1
    day = today.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


# ---------------------------------------------------------------- scope


def _current_assignment(db, urn: str, today: date) -> str | None:
    row = db.execute(
        "SELECT officer FROM assignments WHERE school = ? AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY start_date DESC LIMIT 1",
        [urn, today.isoformat(), today.isoformat()],
    ).fetchone()
    return row[0] if row else None


def scope_schools(db, actor: Actor, today: date) -> set[str] | None:
    """The URNs ``actor`` may export calendars for (``None`` = every school).

    An SLO: the schools assigned to them today. A sergeant: the schools
    assigned today to officers of their team. Inspector, admin, system: all.
    """
    scope = permissions.PERMISSIONS.get((actor.role, permissions.EXPORT_CALENDARS))
    if scope is None:
        permissions.require(db, actor, permissions.EXPORT_CALENDARS, what="any school's calendar")
    if scope == permissions.ANY:
        return None
    day = today.isoformat()
    if scope == permissions.TEAM and actor.team is not None:
        rows = db.execute(
            "SELECT DISTINCT school FROM assignments WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?) "
            "AND (officer = ? OR officer IN (SELECT collar_number FROM officers WHERE team = ?))",
            [day, day, actor.collar, actor.team],
        )
    else:
        rows = db.execute(
            "SELECT DISTINCT school FROM assignments WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?) "
            "AND officer = ?",
            [day, day, actor.collar],
        )
    return {r[0] for r in rows}


def _require_school(db, actor: Actor, urn: str, today: date) -> None:
    if db.execute("SELECT 1 FROM schools WHERE urn = ?", [urn]).fetchone() is None:
        raise NotFound(f"no school with URN {urn!r}")
    allowed = scope_schools(db, actor, today)
    if allowed is not None and urn not in allowed:
        officer = _current_assignment(db, urn, today)
        target = f"school {urn}" + (f" (assigned to {officer})" if officer else " (no officer assigned)")
        permissions.log_refusal(db, actor, permissions.EXPORT_CALENDARS, target)
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not export calendars for {target}")


# ---------------------------------------------------------------- what changed


@dataclass
class _SchoolState:
    urn: str
    name: str
    policy: str
    fingerprint: str


@dataclass
class _Stored:
    path: str  # "" when the school has no file (nothing to show)
    fingerprint: str
    content_hash: str
    size: int
    first_start: str | None


def _versions(db, only: set[str] | None) -> dict[str, str]:
    """``{urn: fingerprint}`` for every school whose calendar has ever had something to show."""
    rows = db.execute("SELECT urn, version FROM calendar_changes").fetchall()
    return {urn: f"{FORMAT_VERSION}:{version}" for urn, version in rows if only is None or urn in only}


def _stored(db) -> dict[str, _Stored]:
    return {
        r[0]: _Stored(*r[1:])
        for r in db.execute("SELECT urn, path, fingerprint, content_hash, size, first_start FROM calendar_files")
    }


def _schools(db, urns: list[str], fingerprints: dict[str, str]) -> dict[str, _SchoolState]:
    out = {}
    for i in range(0, len(urns), 500):
        part = urns[i : i + 500]
        for urn, name, policy in db.execute(
            f"SELECT urn, name, uniform_policy FROM schools WHERE urn IN ({_placeholders(len(part))})", part
        ):
            out[urn] = _SchoolState(urn, name, policy, fingerprints[urn])
    return out


# ---------------------------------------------------------------- building


def names_a_young_person(text: str, guard: NameMatcher) -> bool:
    """True when ``text`` may name any young person of the database (whole words, any case or accents)."""
    return guard.names_anyone(text)


def _placeholders(n: int) -> str:
    return ",".join("?" * n)


def build_events(db, urns: list[str], cutoff: str, schools: dict[str, _SchoolState],
                 guard: NameMatcher | None = None) -> dict[str, list[CalEvent]]:
    """The events of each school in ``urns`` (from ``cutoff`` onwards), ready to render.

    ``guard`` finds the names of every young person in the database (built here when
    not given; an export run builds it once for all its chunks): a title that may name
    any of them, at this school or any other, is replaced by a neutral one.
    """
    marks = _placeholders(len(urns))
    if guard is None:
        guard = NameMatcher.of_database(db)
    out: dict[str, list[CalEvent]] = {u: [] for u in urns}
    cursor = db.execute(
        "SELECT e.school, e.ref, e.kind, e.young_person, e.title, e.starts_at, e.ends_at, e.status, "
        "e.sequence, e.updated_at, e.officer, o.name "
        "FROM engagements e LEFT JOIN officers o ON o.collar_number = e.officer "
        f"WHERE e.school IN ({marks}) AND e.starts_at >= ? ORDER BY e.school, e.starts_at, e.ref",
        [*urns, cutoff],
    )
    parse = datetime.fromisoformat
    for urn, ref, kind, young_person, title, starts, ends, status, seq, updated, collar, officer_name in cursor:
        school = schools[urn]
        if kind == "one_to_one" or young_person is not None:
            summary = ONE_TO_ONE_TITLE
        else:
            summary = sanitise(title)  # check what will be written, not what is stored
            if names_a_young_person(summary, guard):
                summary = f"Liaison officer: {_KIND_LABEL.get(kind, 'engagement')}"
        lines = [f"Schools liaison officer: {officer_name or collar} (collar number {collar})"]
        if school.policy == "plain_clothes_only":
            lines.append("Plain clothes: the school asks the officer to visit out of uniform")
        out[urn].append(
            CalEvent(
                ref=ref,
                starts_at=parse(starts),
                ends_at=parse(ends),
                sequence=seq or 0,
                summary=summary,
                location=school.name,
                description=tuple(lines),
                cancelled=status == "cancelled",
                stamp=parse(updated) if updated else UNKNOWN_STAMP,
            )
        )
    return out


def calendar_title(school_name: str) -> str:
    return f"Police schools liaison: {school_name}"


# ---------------------------------------------------------------- writing


def _write_temp(folder: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".ics")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def prepare_folder(folder: Path) -> Path:
    """``folder`` made ready: created if missing (with any missing parent) and set to 0700, whatever the umask."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            part.mkdir(mode=FOLDER_MODE)
        os.chmod(part, FOLDER_MODE)  # mkdir's mode passes through the umask; set it exactly
    if not folder.resolve().is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    if stat.S_IMODE(folder.stat().st_mode) != FOLDER_MODE:
        os.chmod(folder, FOLDER_MODE)
    return folder


@contextmanager
def folder_lock(folder: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` itself; wait up to ``wait`` seconds for another run.

    The lock is the kernel's: it is released when the process ends, however it ends, so a
    killed run never leaves a stale lock behind. Raises :class:`Conflict` after ``wait``.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Conflict(
                        f"another calendar export is still writing to {folder}; try again when it has finished"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove every temporary file in ``folder``. Call holding :func:`folder_lock`.

    A run writes its temporary files only while it holds the lock and renames or removes
    them before it lets go, so any found by the holder were left by a run that died.
    """
    removed = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".tmp-") and entry.name.endswith(".ics"):
                try:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
                except FileNotFoundError:
                    pass
    return removed


def _file_matches(path: Path | str, size: int | None) -> bool:
    """True when the file at ``path`` has ``size`` bytes; a file with another mode is set to FILE_MODE."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size != size:
        return False
    if stat.S_IMODE(st.st_mode) != FILE_MODE:
        os.chmod(path, FILE_MODE)  # written by an earlier version with 0640, or changed by hand
    return True


def export_calendars(
    store,
    actor: Actor,
    exports: Path,
    *,
    school: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> CalendarExportResult:
    """Write or refresh the head teachers' calendars under ``<exports>/calendars/``.

    ``school`` limits the run to one URN. ``progress(done, total)`` is called
    as changed schools are built. ``today`` fixes the window (tests).
    Raises :class:`PermissionDenied` / :class:`NotFound` for users' mistakes.
    """
    started = time.perf_counter()
    db = store.db
    today = today or audit.now_local().date()
    cutoff = window_start(today).isoformat()
    if school is not None:
        _require_school(db, actor, school, today)
        only: set[str] | None = {school}
    else:
        only = scope_schools(db, actor, today)

    exports = Path(os.path.abspath(exports))  # state rows hold absolute paths, whatever the working folder
    folder = prepare_folder(calendars_dir(exports))
    with folder_lock(folder):
        remove_leftovers(folder)
        return _export_locked(store, actor, folder, only, cutoff, school, progress, started)


def _export_locked(
    store,
    actor: Actor,
    folder: Path,
    only: set[str] | None,
    cutoff: str,
    school: str | None,
    progress: Callable[[int, int], None] | None,
    started: float,
) -> CalendarExportResult:
    """The run itself (steps 1-3 of the module's docstring), holding the folder's lock."""
    db = store.db
    fingerprints = _versions(db, only)
    stored = _stored(db)
    folder_text = str(folder)
    todo: list[str] = []
    unchanged = 0
    for urn in sorted(fingerprints):
        old = stored.get(urn)
        if (
            old is not None
            and old.fingerprint == fingerprints[urn]
            and (old.first_start is None or old.first_start >= cutoff)
            and (old.path == "" or (os.path.dirname(old.path) == folder_text and _file_matches(old.path, old.size)))
        ):
            unchanged += 1 if old.path else 0  # a school with nothing to show has no file to count
            continue
        todo.append(urn)

    result = CalendarExportResult(written=[], unchanged=unchanged, events=0, seconds=0.0,
                                  schools=len(fingerprints))
    total = len(todo)
    if progress:
        progress(0, total)
    done = 0
    guard = NameMatcher.of_database(db) if todo else None  # every young person, once per run
    for start in range(0, total, CHUNK):
        chunk = todo[start : start + CHUNK]
        states = _schools(db, chunk, fingerprints)
        chunk = [u for u in chunk if u in states]
        events = build_events(db, chunk, cutoff, states, guard)
        temps: list[tuple[Path, Path, str | None]] = []  # (temp, final, old path to remove)
        state_rows: list[tuple[str, str, str, str, int, int, str | None]] = []
        disclosures: list[tuple[str | None, dict[str, object] | None]] = []
        try:
            for urn in chunk:
                st = states[urn]
                evs = events[urn]
                old = stored.get(urn)
                had_file = old is not None and old.path != ""
                old_path = old.path if old is not None else ""
                first = min((e.starts_at for e in evs), default=None)
                first_start = first.isoformat(timespec="minutes") if first else None
                if not evs and not had_file:
                    # nothing to show and never shown: no file, just remember that
                    state_rows.append((urn, "", st.fingerprint, "", 0, 0, None))
                    done += 1
                    if progress:
                        progress(done, total)
                    continue
                data = render_calendar(calendar_title(st.name), evs)
                digest = hashlib.sha256(data).hexdigest()
                path = folder / calendar_name(urn, st.name)
                if path.parent != folder or not SAFE_NAME.fullmatch(path.name):  # cannot happen; never write outside
                    raise ValueError(f"calendar path for school {urn!r} would leave the export folder")
                n = len(evs)
                same = (old is not None and had_file and old.content_hash == digest and old.path == str(path)
                        and _file_matches(path, old.size))
                state_rows.append((urn, str(path), st.fingerprint, digest, len(data), n, first_start))
                if same:
                    result.unchanged += 1
                else:
                    replaced = old_path if had_file and old_path != str(path) else None
                    temps.append((_write_temp(folder, data), path, replaced))
                    disclosures.append(
                        (urn, {"events": n, "sha256": digest, "file": path.name, "bytes": len(data)})
                    )
                    result.events += n
                done += 1
                if progress:
                    progress(done, total)
            stamp = audit.now_local().isoformat(timespec="seconds")
            with store.write() as wdb:
                wdb.conn.executemany(
                    "INSERT INTO calendar_files (urn, path, fingerprint, content_hash, size, events, first_start, "
                    "written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (urn) DO UPDATE SET path = excluded.path, "
                    "fingerprint = excluded.fingerprint, content_hash = excluded.content_hash, "
                    "size = excluded.size, events = excluded.events, first_start = excluded.first_start, "
                    "written_at = CASE WHEN calendar_files.content_hash = excluded.content_hash "
                    "THEN calendar_files.written_at ELSE excluded.written_at END",
                    [(*row, stamp) for row in state_rows],
                )
                if disclosures:
                    head = audit.last_hash(wdb)
                    audit.record_many(wdb, actor.collar, audit.DISCLOSURE, "calendar",
                                      [(urn, {**(detail or {}), "audit_head": head}) for urn, detail in disclosures])
        except BaseException:
            for tmp, _final, _old in temps:
                tmp.unlink(missing_ok=True)
            # a signal (SIGTERM) can land between a temporary file's creation and its entry in
            # ``temps``: the run holds the folder's lock, so every temporary file in it is this run's
            remove_leftovers(folder)
            raise
        for tmp, final, renamed_from in temps:
            os.replace(tmp, final)
            result.written.append(final)
            if renamed_from:
                old_file = Path(renamed_from)
                # a school renamed: its old file would go stale; remove it (only inside our folder)
                if old_file.resolve().parent == folder.resolve() and old_file.exists():
                    old_file.unlink()
                    result.removed.append(old_file)
    # A run that wrote nothing disclosed nothing: no audit row (a quiet nightly run leaves no trace).
    if result.written or result.removed:
        with store.write() as wdb:
            audit.record(
                wdb,
                actor.collar,
                audit.EXPORT,
                "calendars",
                school,
                {"written": len(result.written), "unchanged": result.unchanged, "events": result.events},
            )
    result.seconds = time.perf_counter() - started
    return result
