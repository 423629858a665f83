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
* free text of other records (notes, advice, abstraction reasons and review
  notes) that mentions their ref or their name has it replaced by ``[erased]``;
* the young person's row is deleted;
* one ``erase`` audit row is written, holding the ref and counts only.

Then the database is ``VACUUM``-ed (with ``secure_delete`` on, and the WAL
truncated) so the name is gone from the file, not just unlinked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from slo.store.db import Store

from . import audit, permissions
from .actors import Actor
from .errors import NotFound

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


def retention_years(db) -> int:
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


def _last_record(db, ref: str) -> date | None:
    row = db.execute(
        "SELECT max(coalesce((SELECT max(substr(starts_at, 1, 10)) FROM engagements WHERE young_person = :r), ''),"
        " coalesce((SELECT max(max(consulted_on, coalesce(outcome_on, ''))) FROM consultations"
        " WHERE young_person = :r), ''),"
        " coalesce((SELECT max(made_on) FROM referrals WHERE young_person = :r), ''))",
        {"r": ref},
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def reviews_due(db, on: date, days: int = 0) -> list[RetentionReview]:
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
        {"horizon": horizon.isoformat(), "after": date.fromordinal(date.fromisoformat(cutoff).toordinal() + 1).isoformat()},
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


@dataclass
class ErasureResult:
    ref: str
    consultations: int
    referrals: int
    sessions_anonymised: int
    texts_redacted: int


_FREE_TEXT = [
    ("engagements", "ref", "notes"),
    ("engagements", "ref", "title"),
    ("consultations", "ref", "advice"),
    ("abstractions", "ref", "reason"),
    ("abstractions", "ref", "review_note"),
]


def erase_young_person(store: Store, actor: Actor, ref: str, *, vacuum: bool = True) -> ErasureResult:
    """Erase every personal datum about one young person (see module docstring)."""
    permissions.require(store.db, actor, permissions.ERASE, what=f"young person {ref}")
    with store.write() as db:
        row = db.execute(
            "SELECT given_name, family_name FROM young_people WHERE ref = ?", [ref]
        ).fetchone()
        if row is None:
            raise NotFound(f"no young person {ref!r}")
        given, family = row
        needles = [ref, f"{given} {family}", f"{family}, {given}"]
        if len(family) >= 3:
            needles.append(family)
        pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.I)
        redacted = 0
        for table, key_col, col in _FREE_TEXT:
            like_clauses = " OR ".join(f"[{col}] LIKE ?" for _ in needles)
            rows = db.execute(
                f"SELECT [{key_col}], [{col}] FROM [{table}] WHERE {like_clauses}",
                [f"%{n}%" for n in needles],
            ).fetchall()
            for key, text in rows:
                new = pattern.sub("[erased]", text)
                if new != text:
                    db.execute(f"UPDATE [{table}] SET [{col}] = ? WHERE [{key_col}] = ?", [new, key])
                    redacted += 1
        referrals = db.execute("DELETE FROM referrals WHERE young_person = ?", [ref]).rowcount
        # referrals of others linked to this young person's consultations lose the link
        db.execute(
            "UPDATE referrals SET consultation = NULL WHERE consultation IN "
            "(SELECT ref FROM consultations WHERE young_person = ?)",
            [ref],
        )
        consultations = db.execute("DELETE FROM consultations WHERE young_person = ?", [ref]).rowcount
        sessions = db.execute(
            "UPDATE engagements SET young_person = NULL, notes = NULL, sequence = sequence + 1 "
            "WHERE young_person = ?",
            [ref],
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
            },
        )
    if vacuum:
        compact(store)
    return ErasureResult(ref, consultations, referrals, sessions, redacted)


def compact(store: Store) -> None:
    """Rewrite the file so deleted data is gone from it (VACUUM, then truncate the WAL)."""
    conn = store.db.conn
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
