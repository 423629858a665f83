"""The evaluation dataset: pseudonyms (HMAC-SHA-256 with a secret kept in the database) and
small-number suppression (metrics.md, "The evaluation dataset")."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

SECRET_KEY = "evaluation_pseudonym_secret"
SUPPRESSED = "c"
#: the sections whose counts are suppressed (metrics.md)
SUPPRESSED_SECTIONS = ["by_ethnic_group", "ethnicity_missing", "by_reason", "by_outcome", "by_proposed"]


def _read_secret(db: Database) -> bytes | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchone()
    return bytes.fromhex(row[0]) if row else None


def ensure_secret(store) -> bytes:
    """The database's pseudonym secret; created once (``secrets.token_bytes(32)``) inside a write
    transaction when missing. Never printed, never part of any output."""
    secret = _read_secret(store.db)
    if secret is not None:
        return secret
    with store.write() as db:
        secret = _read_secret(db)  # another process may have created it meanwhile
        if secret is None:
            secret = secrets.token_bytes(32)
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [SECRET_KEY, secret.hex()])
    return secret


def pseudonym(secret: bytes, key: str) -> str:
    """HMAC-SHA-256 of ``key`` (a young person's ref, a collar number, a team ref) as hex."""
    return hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()


def small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9


def suppress_breakdown(counts: dict[str, Any]) -> dict[str, Any]:
    """Primary rule: every count 1..9 -> "c". Secondary: if the breakdown then holds exactly one
    "c", its next-smallest non-zero count becomes "c" too (the first in the breakdown's own key
    order when several are equally small). Zeros stay 0: when no other non-zero count is left,
    nothing more is hidden (the lone "c" then equals a total that is itself 1..9)."""
    out = {k: (SUPPRESSED if small(v) else v) for k, v in counts.items()}
    if sum(1 for v in out.values() if v == SUPPRESSED) == 1:
        others = [(v, i, k) for i, (k, v) in enumerate(out.items()) if v != SUPPRESSED and v]
        if others:
            out[min(others)[2]] = SUPPRESSED
    return out


def suppress_school(school: dict[str, Any]) -> dict[str, Any]:
    """A school's ``consultations`` in the evaluation dataset: ``total``, ``before_decision`` and
    ``after_decision`` 1..9 become "c", the secondary rule applies to the pair before/after, and
    ``before_decision_rate`` becomes "c" when any of the three is."""
    c = school["consultations"]
    pair = suppress_breakdown({"before_decision": c["before_decision"], "after_decision": c["after_decision"]})
    out = {"total": SUPPRESSED if small(c["total"]) else c["total"], **pair}
    school = dict(school)
    school["consultations"] = out
    if SUPPRESSED in out.values():
        school["before_decision_rate"] = SUPPRESSED
    return school


def suppress_consultations(c: dict[str, Any]) -> dict[str, Any]:
    """Apply the rule to the listed breakdowns of ``consultations`` and to the rates that hang on them:
    ``pex_avoided_rate`` and ``ethnicity_recorded_rate`` become "c" when their numerator, their
    denominator or the difference of the two (the complementary count) is 1..9."""
    c = dict(c)
    for key in ("by_reason", "by_outcome", "by_proposed", "ethnicity_missing"):
        c[key] = suppress_breakdown(c[key])
    groups = c["by_ethnic_group"]
    measures = next(iter(groups.values())).keys()
    new_groups: dict[str, dict[str, Any]] = {g: {} for g in groups}
    # each measure across the groups is a breakdown (it adds up to a total shown elsewhere)
    for m in measures:
        col = suppress_breakdown({g: groups[g][m] for g in groups})
        for g in groups:
            new_groups[g][m] = col[g]
    c["by_ethnic_group"] = new_groups
    # rates whose numerator or denominator is a suppressed count become "c", and so do the counts
    # behind them (with the rate hidden, two counts of 10 or more would still give the small difference)
    for rate_key, num_key, den_key in (("pex_avoided_rate", "pex_avoided_count", "pex_decided_count"),
                                       ("ethnicity_recorded_rate", "ethnicity_recorded_count",
                                        "young_people_consulted")):
        num, den = c[num_key], c[den_key]
        if small(num) or small(den) or small(den - num):
            c[rate_key] = c[num_key] = c[den_key] = SUPPRESSED
    return c
