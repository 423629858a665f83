"""Retention review and erasure of a young person's personal data.

Each young person has a review date: by default ``RETENTION_YEARS`` (6) years
after the last record about them (a session, a consultation or its outcome, a
referral), configurable with the ``retention_years`` key of the ``meta`` table;
``young_people.review_on``, when set, overrides it (an admin who reviewed the
record and decided to keep it sets the next review date).

Erasing a young person (:func:`erase_young_person`) removes their personal data
everywhere, in one transaction:

* their consultations and referrals are deleted;
* their 1:1 sessions stay as the officer's anonymous work record (the school's
  calendar and the officer's workload figures need them) but lose the link to
  the young person and their private notes;
* free text of other records (engagement titles and notes, consultation advice
  and "consulted by", abstraction reasons, requesters and review notes) has
  their ref and names replaced by ``[erased]``: the ref and the full name
  everywhere; the given name and the family name alone in texts connected to
  them (the schools they were known at, the officers who worked with them);
  see :func:`_matchers` and :mod:`slo.services.privacy` for the rules (whole
  words, any case and accents; everyday words such as "Will" only capitalised);
* every engagement whose title or notes changed gets a higher calendar
  sequence, so the calendars that carried the child can be rewritten (the CLI
  does it at once: ``ErasureResult.calendar_schools``);
* their history (:mod:`slo.services.history`: the earlier versions of records) goes too: the
  history of their own records is deleted, and earlier values elsewhere are redacted by the same
  rules as the free text;
* the young person's row is deleted;
* one ``erase`` audit row is written, holding the ref and counts only.

The result also lists the copies made since the young person's first record
that may still hold their data (backups, bundle exports, reports, calendars:
:func:`earlier_copies`, read from the audit log), so whoever erases can deal
with them.

Then the database is ``VACUUM``-ed (with ``secure_delete`` on, and the WAL
truncated) so the name is gone from the file, not just unlinked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from slo.store.db import Store

from . import audit, history, permissions
from .actors import Actor
from .errors import NotFound
from .privacy import COMMON_WORDS, NameMatcher, fold

if TYPE_CHECKING:
    from sqlite_utils import Database

RETENTION_YEARS = 6

_LAST_RECORD_SQL = """
SELECT yp.ref,
       max(coalesce(e.last, ''), coalesce(c.last, ''), coalesce(r.last, '')) AS last_record,
       yp.review_on
FROM young_people yp
LEFT JOIN (SELECT young_person, max(substr(starts_at, 1, 10)) AS last FROM engagements
           WHERE young_person IS NOT NULL GROUP BY young_person) e ON e.young_person = yp.ref
LEFT JOIN (SELECT young_person, max(max(consulted_on, coalesce(outcome_on, ''))) AS last FROM consultations
           GROUP BY young_person) c ON c.young_person = yp.ref
LEFT JOIN (SELECT young_person, max(made_on) AS last FROM referrals GROUP BY young_person) r
       ON r.young_person = yp.ref
"""


@dataclass(frozen=True)
class RetentionReview:
    ref: str
    last_record: date | None
    review_on: date


def retention_years(db: Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'retention_years'").fetchone()
    return int(row[0]) if row else RETENTION_YEARS


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _subtract_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _last_record(db: Database, ref: str) -> date | None:
    row = db.execute(
        "SELECT max(coalesce((SELECT max(substr(starts_at, 1, 10)) FROM engagements WHERE young_person = :r), ''),"
        " coalesce((SELECT max(max(consulted_on, coalesce(outcome_on, ''))) FROM consultations"
        " WHERE young_person = :r), ''),"
        " coalesce((SELECT max(made_on) FROM referrals WHERE young_person = :r), ''))",
        {"r": ref},
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def reviews_due(db: Database, on: date, days: int = 0) -> list[RetentionReview]:
    """Young people whose retention review falls on or before ``on + days`` (overdue included).

    The review date is ``review_on`` when set, else the last record plus the retention years.
    A young person is a candidate only if nothing about them is newer than the horizon minus
    those years: index seeks per young person, not an aggregate over every engagement (the
    admin's caseload header asks this on every return to the home screen).
    """
    years = retention_years(db)
    horizon = date.fromordinal(on.toordinal() + days)
    # one day of slack for 29 February; the exact rule is applied below
    cutoff = date.fromordinal(_subtract_years(horizon, years).toordinal() + 1).isoformat()
    candidates = db.execute(
        """
        SELECT yp.ref, yp.review_on FROM young_people yp
        WHERE (yp.review_on IS NOT NULL AND yp.review_on <= :horizon)
           OR (yp.review_on IS NULL
               AND NOT EXISTS (SELECT 1 FROM engagements e WHERE e.young_person = yp.ref
                               AND e.starts_at >= :after)
               AND NOT EXISTS (SELECT 1 FROM consultations c WHERE c.young_person = yp.ref
                               AND (c.consulted_on >= :after OR c.outcome_on >= :after))
               AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.young_person = yp.ref AND r.made_on >= :after)
               AND (EXISTS (SELECT 1 FROM engagements e WHERE e.young_person = yp.ref)
                    OR EXISTS (SELECT 1 FROM consultations c WHERE c.young_person = yp.ref)
                    OR EXISTS (SELECT 1 FROM referrals r WHERE r.young_person = yp.ref)))
        """,
        {"horizon": horizon.isoformat(),
         "after": date.fromordinal(date.fromisoformat(cutoff).toordinal() + 1).isoformat()},
    ).fetchall()
    out = []
    for ref, review_on in candidates:
        last = _last_record(db, ref)
        if review_on:
            due = date.fromisoformat(review_on)
        elif last is not None:
            due = _add_years(last, years)
        else:
            continue
        if due <= horizon:
            out.append(RetentionReview(ref, last, due))
    out.sort(key=lambda r: (r.review_on, r.ref))
    return out


@dataclass(frozen=True)
class EarlierCopy:
    """A copy made before an erasure that may still hold the erased young person's data."""

    kind: str  # "backup", "bundle export", "continuity report", "evaluation dataset", "calendar"
    at: str
    actor: str
    where: str | None  # a path, "standard output", a school's URN for a calendar, or None


@dataclass
class ErasureResult:
    ref: str
    consultations: int
    referrals: int
    sessions_anonymised: int
    texts_redacted: int
    #: schools whose calendar may have shown the young person (their sessions, or a redacted title)
    calendar_schools: list[str] = field(default_factory=list)
    #: copies made since the young person's first record that may still hold their data
    earlier_copies: list[EarlierCopy] = field(default_factory=list)


def free_text() -> list[tuple[str, str, str, str | None]]:
    """Free text that may mention a young person: (table, key column, text column, column of its school).

    Read from each model's ``facts.personal_text``; a record without a school is tied to its officer.
    """
    from slo.models.entities import ENTITY_MODELS

    out: list[tuple[str, str, str, str | None]] = []
    for entity, model in ENTITY_MODELS.items():
        for col in model.facts.personal_text:
            (key_col,) = model.facts.key  # the entities with free text are keyed by ref
            out.append((entity, key_col, col, "school" if "school" in model.model_fields else None))
    return out

REDACTED = "[erased]"


def _matchers(db: Database, ref: str, given: str, family: str) -> tuple[NameMatcher, NameMatcher]:
    """(everywhere, near): what is redacted in every text, and in texts connected to the young person.

    Everywhere: the ref, the full name in either order (``Alex Morgan``, ``Morgan, Alex``), and the
    family name alone when it has three letters or more and is not an everyday word. Near (texts of
    the schools they were known at, of their own records, and of the officers who worked with them):
    also the given name alone and the family name alone, of any length from two letters (an everyday
    word such as ``Will`` or ``Hope`` only when written with a capital letter). See
    :mod:`slo.services.privacy` for how words are matched.
    """
    folded_family = fold(family)
    family_everywhere = len(folded_family) >= 3 and folded_family not in COMMON_WORDS
    everywhere = NameMatcher()
    everywhere.add_words(ref, ref)
    everywhere.add_person(ref, given, family, alone=False, family_alone=family_everywhere)
    near = NameMatcher()
    near.add_words(ref, ref)
    near.add_person(ref, given, family, alone=True)
    return everywhere, near


def _connections(db: Database, ref: str, school: str | None) -> tuple[set[str], set[str]]:
    """The schools a young person was known at, and the officers who worked with them."""
    schools = {school} if school else set()
    officers: set[str] = set()
    for table in ("engagements", "consultations"):
        for urn, officer in db.execute(f"SELECT DISTINCT school, officer FROM [{table}] WHERE young_person = ?", [ref]):
            schools.add(urn)
            officers.add(officer)
    if schools:
        marks = ",".join("?" * len(schools))
        officers.update(r[0] for r in db.execute(
            f"SELECT DISTINCT officer FROM assignments WHERE school IN ({marks})", sorted(schools)))
    return schools, officers


def _redact_free_text(db: Database, ref: str, everywhere: NameMatcher, near: NameMatcher, schools: set[str],
                      officers: set[str]) -> tuple[int, set[str]]:
    """Replace the young person's ref and names in every free text; (texts changed, schools of changed titles).

    An engagement whose title or notes change gets a higher calendar ``sequence`` and a new
    ``updated_at``, so the head teacher's calendar replaces the event at its next refresh.
    """
    stamp = audit.now_local().isoformat(timespec="seconds")
    changed = 0
    title_schools: set[str] = set()
    for table, key_col, col, school_col in free_text():
        owner = school_col or "officer"
        cursor = db.execute(
            f"SELECT [{key_col}], [{col}], [{owner}] FROM [{table}] WHERE [{col}] IS NOT NULL AND [{col}] != ''")
        updates = []
        for key, text, where in cursor.fetchall():
            connected = where in (schools if school_col else officers)
            new, n = (near if connected else everywhere).redact(text, REDACTED)
            if n:
                updates.append((new, key))
                if table == "engagements" and col == "title":
                    title_schools.add(where)
        for new, key in updates:
            if table == "engagements":
                db.execute(f"UPDATE engagements SET [{col}] = ?, sequence = sequence + 1, updated_at = ? "
                           "WHERE ref = ?", [new, stamp, key])
            else:
                db.execute(f"UPDATE [{table}] SET [{col}] = ? WHERE [{key_col}] = ?", [new, key])
        changed += len(updates)
    return changed, title_schools


def _history_redactor(db: Database, ref: str, everywhere: NameMatcher, near: NameMatcher, schools: set[str],
                      officers: set[str]) -> Callable[[str, str, str], str]:
    """``redact(entity, key, text)`` for :func:`history.erase_young_person`, with the rules of free text.

    A history row is connected to the young person as its record is (an engagement or consultation at
    one of their schools, an abstraction of one of their officers); the history of a record that no
    longer exists is treated as connected (when in doubt, erase).
    """
    connected: dict[tuple[str, str], bool] = {}

    def owner(entity: str, key: str) -> tuple[bool, str | None]:
        """(whether the record is one that connects to people, its school or officer if it still exists)"""
        if entity == "engagements":
            row = db.execute("SELECT school FROM engagements WHERE ref = ?", [key]).fetchone()
        elif entity == "consultations":
            row = db.execute("SELECT school FROM consultations WHERE ref = ?", [key]).fetchone()
        elif entity == "abstractions":
            row = db.execute("SELECT officer FROM abstractions WHERE ref = ?", [key]).fetchone()
        else:
            return False, None
        return True, (row[0] if row else None)

    def redact(entity: str, key: str, text: str) -> str:
        if (entity, key) not in connected:
            kind, value = owner(entity, key)
            owners = officers if entity == "abstractions" else schools
            connected[(entity, key)] = kind and (value is None or value in owners)
        return (near if connected[(entity, key)] else everywhere).redact(text, REDACTED)[0]

    return redact


#: the disclosures of the audit log that copy a young person's data out of the database
_COPY_KINDS = {
    ("export", "backup"): "backup",
    ("export", "bundle"): "bundle export",
    ("export", "report"): "continuity report",
    ("disclosure", "report"): "evaluation dataset",
}


def earlier_copies(db: Database, ref: str, calendar_schools: set[str]) -> list[EarlierCopy]:
    """Backups, bundle exports, reports and calendars made since the young person's first record.

    Read from the audit log: every backup and bundle export (its start row says where it went), every
    continuity report and evaluation dataset (pseudonymised, but it counts them), and the calendar
    files published for ``calendar_schools``. Oldest first.
    """
    first = db.execute("SELECT min(at) FROM audit WHERE entity = 'young_people' AND key = ?", [ref]).fetchone()[0]
    since = first or ""
    out: list[EarlierCopy] = []
    rows = db.execute(
        "SELECT at, actor, operation, entity, key, detail FROM audit "
        "WHERE entity IN ('backup', 'bundle', 'report') AND operation IN ('export', 'disclosure') AND at >= ? "
        "ORDER BY id", [since]).fetchall()
    for at, actor, operation, entity, key, detail_text in rows:
        kind = _COPY_KINDS.get((operation, entity))
        if kind is None:
            continue
        try:
            detail = json.loads(detail_text) if detail_text else {}
        except ValueError:
            detail = {}
        if detail.get("state", "started") != "started":
            continue  # the end row of a disclosure whose start row is listed already
        where = detail.get("to") or detail.get("file") or (None if entity != "report" else key)
        out.append(EarlierCopy(kind, at, actor, str(where) if where else None))
    if calendar_schools:
        marks = ",".join("?" * len(calendar_schools))
        for at, actor, key in db.execute(
            f"SELECT max(at), actor, key FROM audit WHERE entity = 'calendar' AND key IN ({marks}) AND at >= ? "
            "GROUP BY key ORDER BY key", [*sorted(calendar_schools), since]):
            out.append(EarlierCopy("calendar", at, actor, f"school {key}"))
    return out


def erase_young_person(store: Store, actor: Actor, ref: str, *, vacuum: bool = True) -> ErasureResult:
    """Erase every personal datum about one young person (see module docstring)."""
    permissions.require(store.db, actor, permissions.ERASE, what=f"young person {ref}")
    with store.write() as db:
        row = db.execute(
            "SELECT given_name, family_name, school FROM young_people WHERE ref = ?", [ref]
        ).fetchone()
        if row is None:
            raise NotFound(f"no young person {ref!r}")
        given, family, school = row
        everywhere, near = _matchers(db, ref, given, family)
        schools, officers = _connections(db, ref, school)
        redacted, title_schools = _redact_free_text(db, ref, everywhere, near, schools, officers)
        history_rows = history.erase_young_person(
            db, ref, _history_redactor(db, ref, everywhere, near, schools, officers),
            dropped_fields={"engagements": ("young_person", "notes")},
        )
        session_schools = {r[0] for r in db.execute(
            "SELECT DISTINCT school FROM engagements WHERE young_person = ?", [ref])}
        calendar_schools = title_schools | session_schools
        copies = earlier_copies(db, ref, calendar_schools)
        referrals = db.execute("DELETE FROM referrals WHERE young_person = ?", [ref]).rowcount
        # referrals of others linked to this young person's consultations lose the link
        db.execute(
            "UPDATE referrals SET consultation = NULL WHERE consultation IN "
            "(SELECT ref FROM consultations WHERE young_person = ?)",
            [ref],
        )
        consultations = db.execute("DELETE FROM consultations WHERE young_person = ?", [ref]).rowcount
        sessions = db.execute(
            "UPDATE engagements SET young_person = NULL, notes = NULL, sequence = sequence + 1, updated_at = ? "
            "WHERE young_person = ?",
            [audit.now_local().isoformat(timespec="seconds"), ref],
        ).rowcount
        db.execute("DELETE FROM young_people WHERE ref = ?", [ref])
        audit.record(
            db,
            actor.collar,
            audit.ERASE,
            "young_people",
            ref,
            {
                "consultations": consultations,
                "referrals": referrals,
                "sessions_anonymised": sessions,
                "texts_redacted": redacted,
                "history_rows": history_rows,
                "calendar_schools": len(calendar_schools),
                "earlier_copies": len(copies),
            },
        )
    if vacuum:
        compact(store)
    return ErasureResult(ref, consultations, referrals, sessions, redacted, sorted(calendar_schools), copies)


def compact(store: Store) -> None:
    """Rewrite the file so deleted data is gone from it (VACUUM, then truncate the WAL)."""
    conn = store.db.conn
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
