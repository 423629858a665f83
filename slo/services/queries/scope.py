"""Who may see what on the desk, as SQL conditions and checks every read model shares.

Scope, from :mod:`slo.services.permissions`:

* an SLO sees their own caseload and may view the schools and young people of
  their team;
* a sergeant sees the team;
* an admin or inspector sees everything;
* a role without the ``view`` permission (evaluator) sees nothing.

Every list is bounded (``LIMIT``) so no screen ever loads a whole table.
User text only ever reaches SQL as a bound parameter.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from slo.services import permissions
from slo.services.actors import Actor
from slo.services.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from sqlite_utils import Database

    from slo.store.db import Store

#: the most rows any desk view loads at once
MAX_ROWS = 2000

#: caseload scopes: the actor's own schools, their team's, everyone's
OWN, TEAM, ALL = "own", "team", "all"


def view_scope(actor: Actor) -> str | None:
    """The widest scope in which ``actor`` may view records (own/team/any), or None."""
    return permissions.PERMISSIONS.get((actor.role, permissions.VIEW))


def refuse(db: Database, actor: Actor, target: str) -> NoReturn:
    """Audit the refusal and raise :class:`PermissionDenied` naming ``target``."""
    permissions.log_refusal(db, actor, permissions.VIEW, target)
    raise PermissionDenied(f"{actor.collar} ({actor.role}) may not see {target}")


def require_view(db: Database, actor: Actor, target: str) -> str:
    """The actor's view scope; refused (and audited) when they may view nothing."""
    scope = view_scope(actor)
    if scope is None:
        refuse(db, actor, target)
    return scope


def officers_in_scope(store: Store, actor: Actor, scope: str) -> list[str] | None:
    """Collar numbers a caseload in ``scope`` covers (None = every officer).

    Read through ``store.conn`` (plain sqlite3: the desk's first screen is read before
    sqlite-utils is imported); a refusal is audited through ``store.db``.
    """
    # store.db (sqlite-utils) only for a refusal: require_view audits it
    granted = view_scope(actor) or require_view(store.db, actor, "caseloads")
    if scope == OWN:
        return [actor.collar]
    if scope == ALL:
        if granted != permissions.ANY:
            refuse(store.db, actor, "every officer's caseload")
        return None
    if scope == TEAM:
        if actor.team is None:
            return [actor.collar]
        rows = store.conn.execute(
            "SELECT collar_number FROM officers WHERE team = ? ORDER BY collar_number", [actor.team]
        ).fetchall()
        return sorted({r[0] for r in rows} | {actor.collar})
    raise ValueError(f"unknown scope {scope!r}")


#: the acting officer and their team's officers (parameters: collar, team)
TEAM_OFFICERS = "(SELECT collar_number FROM officers WHERE collar_number = ? OR (team IS NOT NULL AND team = ?))"


def school_filter(actor: Actor, alias: str = "s") -> tuple[str, list[Any]]:
    """SQL condition (and parameters) selecting the schools ``actor`` may view.

    A school any of whose assignments (past or present) was to the actor or an officer of
    their team. The officers come first, then their assignments by the ``assignments_officer``
    index (joining every assignment to its officer read all 20,000 of a national database).
    """
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    return (
        f"{alias}.urn IN (SELECT a.school FROM assignments a WHERE a.officer IN {TEAM_OFFICERS})",
        [actor.collar, actor.team],
    )


def young_person_filter(actor: Actor, alias: str = "y") -> tuple[str, list[Any]]:
    """SQL condition selecting the young people ``actor`` may view (for lists and searches).

    Known at a school the actor may view, or in a consultation or an engagement of the
    actor or their team (:func:`young_person_visible` states the same rule for one person).
    """
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    school_sql, school_params = school_filter(actor, "_s")
    sql = (
        f"({alias}.school IN (SELECT _s.urn FROM schools _s WHERE {school_sql})"
        f" OR {alias}.ref IN (SELECT young_person FROM consultations WHERE officer IN {TEAM_OFFICERS})"
        f" OR {alias}.ref IN (SELECT young_person FROM engagements WHERE young_person IS NOT NULL"
        f" AND officer IN {TEAM_OFFICERS}))"
    )
    return sql, school_params + [actor.collar, actor.team, actor.collar, actor.team]


def young_person_visible(actor: Actor, alias: str = "y") -> tuple[str, list[Any]]:
    """:func:`young_person_filter`'s rule for one row ``alias``: lookups by its school and its ref
    (the list form gathers every engagement of the team first: about 6 ms on a national database)."""
    scope = view_scope(actor)
    if scope == permissions.ANY:
        return "1", []
    if scope is None:
        return "0", []
    sql = (
        f"(EXISTS (SELECT 1 FROM assignments a WHERE a.school = {alias}.school AND a.officer IN {TEAM_OFFICERS})"
        f" OR EXISTS (SELECT 1 FROM consultations c WHERE c.young_person = {alias}.ref"
        f" AND c.officer IN {TEAM_OFFICERS})"
        f" OR EXISTS (SELECT 1 FROM engagements e WHERE e.young_person = {alias}.ref"
        f" AND e.officer IN {TEAM_OFFICERS}))"
    )
    return sql, [actor.collar, actor.team] * 3


def require_school(db: Database, actor: Actor, urn: str) -> None:
    """:class:`NotFound` or a refusal (audited) unless ``actor`` may view school ``urn``."""
    sql, params = school_filter(actor)
    if db.execute("SELECT 1 FROM schools WHERE urn = ?", [urn]).fetchone() is None:
        raise NotFound(f"no school with URN {urn!r}")
    if db.execute(f"SELECT 1 FROM schools s WHERE s.urn = ? AND {sql}", [urn, *params]).fetchone() is None:
        refuse(db, actor, f"school {urn}")


def require_young_person(db: Database, actor: Actor, ref: str) -> None:
    """:class:`NotFound` or a refusal (audited) unless ``actor`` may view young person ``ref``."""
    sql, params = young_person_visible(actor)
    if db.execute("SELECT 1 FROM young_people WHERE ref = ?", [ref]).fetchone() is None:
        raise NotFound(f"no young person {ref!r}")
    if db.execute(f"SELECT 1 FROM young_people y WHERE y.ref = ? AND {sql}", [ref, *params]).fetchone() is None:
        refuse(db, actor, f"young person {ref}")


def escape_like(text: str) -> str:
    """The user's text with LIKE's wildcards made letters (use with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE wildcards in the user's text escaped (use with ESCAPE '\\')."""
    return f"%{escape_like(text)}%"


def week_start(on: date) -> date:
    """The Monday of ``on``'s week."""
    return on - timedelta(days=on.weekday())


def dict_rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Every row of ``cursor`` as a dict by column name."""
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]
