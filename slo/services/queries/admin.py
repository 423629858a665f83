"""The admin's screens: officers (``officers.py``), every school with its officer (``schools.py``) and
each school's assignments. Permission ``manage`` (admins); nothing here is personal data about a child.

Every school is listed, including those with **no officer** today (flagged), so none is hidden
behind the caseload's "every school with an officer".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from slo.services import permissions
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import MAX_ROWS, like_pattern


def _require(store: Store, actor: Actor, what: str) -> None:
    permissions.require(store.db, actor, permissions.MANAGE, what=what)


@dataclass
class OfficerLine:
    collar: str
    name: str
    role: str
    team: str | None
    working_days: str
    start_date: str
    end_date: str | None
    #: schools assigned to them today
    schools: int
    #: active access bindings (SSH keys, accounts)
    access: int

    def status(self, today: date) -> str:
        if self.end_date is None:
            return "in post"
        return f"left {self.end_date}" if self.end_date < today.isoformat() else f"leaving {self.end_date}"


def officers(store: Store, actor: Actor, *, today: date, text: str = "") -> list[OfficerLine]:
    """Every officer, by role then collar number; ``text`` filters by collar, name or team."""
    _require(store, actor, "officers")
    db = store.db
    has_access = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'access'").fetchone() is not None
    access = ("(SELECT COUNT(*) FROM access x WHERE x.officer = o.collar_number AND x.revoked_at IS NULL)"
              if has_access else "0")
    sql = (f"SELECT o.collar_number, o.name, o.role, o.team, o.working_days, o.start_date, o.end_date, "
           "(SELECT COUNT(*) FROM assignments a WHERE a.officer = o.collar_number AND a.start_date <= :d "
           f"AND (a.end_date IS NULL OR a.end_date >= :d)), {access} FROM officers o")
    params: dict[str, object] = {"d": today.isoformat()}
    if text.strip():
        sql += (" WHERE o.collar_number LIKE :t ESCAPE '\\' OR o.name LIKE :t ESCAPE '\\' "
                "OR COALESCE(o.team, '') LIKE :t ESCAPE '\\'")
        params["t"] = like_pattern(text.strip())
    sql += (" ORDER BY CASE o.role WHEN 'slo' THEN 0 WHEN 'sergeant' THEN 1 ELSE 2 END, o.collar_number "
            f"LIMIT {MAX_ROWS}")
    out = []
    for collar, name, role, team, days, start, end, schools, n_access in db.execute(sql, params).fetchall():
        day_words = ", ".join(d.capitalize() for d in json.loads(days or "[]"))
        out.append(OfficerLine(collar, name, role, team, day_words, start, end, schools, n_access))
    return out


@dataclass
class SchoolLine:
    urn: str
    name: str
    phase: str
    local_authority: str | None
    uniform_policy: str
    officer: str | None
    officer_name: str | None
    since: str | None
    #: the current assignment's last day, when it ends (a leaver)
    until: str | None

    @property
    def flag(self) -> str:
        """``⚠ NO OFFICER`` for a school nobody has today; ``ends DATE`` for one whose officer leaves."""
        if self.officer is None:
            return "⚠ NO OFFICER"
        return f"until {self.until}" if self.until else ""


@dataclass
class SchoolsList:
    lines: list[SchoolLine]
    #: schools in the database, and of them without an officer today (whatever the filter)
    total: int
    unassigned: int


def schools(store: Store, actor: Actor, *, today: date, text: str = "", unassigned_only: bool = False
            ) -> SchoolsList:
    """Every school with today's officer (or none: flagged), by name; ``text`` filters by name, URN,
    local authority or officer; ``unassigned_only`` keeps the schools with no officer today."""
    _require(store, actor, "schools")
    db = store.db
    d = today.isoformat()
    current = ("SELECT a.school, a.officer, a.start_date, a.end_date FROM assignments a WHERE a.start_date <= :d "
               "AND (a.end_date IS NULL OR a.end_date >= :d)")
    sql = (f"SELECT s.urn, s.name, s.phase, s.local_authority, s.uniform_policy, c.officer, o.name, c.start_date, "
           f"c.end_date FROM schools s LEFT JOIN ({current}) c ON c.school = s.urn "
           "LEFT JOIN officers o ON o.collar_number = c.officer WHERE 1")
    params: dict[str, object] = {"d": d}
    if text.strip():
        sql += (" AND (s.name LIKE :t ESCAPE '\\' OR s.urn LIKE :t ESCAPE '\\' OR COALESCE(s.local_authority, '') "
                "LIKE :t ESCAPE '\\' OR COALESCE(c.officer, '') LIKE :t ESCAPE '\\' OR COALESCE(o.name, '') "
                "LIKE :t ESCAPE '\\')")
        params["t"] = like_pattern(text.strip())
    if unassigned_only:
        sql += " AND c.officer IS NULL"
    sql += f" ORDER BY s.name COLLATE NOCASE, s.urn LIMIT {MAX_ROWS}"
    lines = [SchoolLine(*r) for r in db.execute(sql, params).fetchall()]
    total = int(db.execute("SELECT COUNT(*) FROM schools").fetchone()[0])
    unassigned = int(db.execute(f"SELECT COUNT(*) FROM schools s WHERE s.urn NOT IN (SELECT school FROM ({current}))",
                                {"d": d}).fetchone()[0])
    return SchoolsList(lines, total, unassigned)


@dataclass
class AssignmentLine:
    officer: str
    officer_name: str
    start_date: str
    end_date: str | None

    @property
    def key(self) -> str:
        return f"{self.start_date}"


def school_assignments(store: Store, actor: Actor, urn: str) -> list[AssignmentLine]:
    """Who had school ``urn`` when, newest first."""
    _require(store, actor, f"school {urn}")
    rows = store.db.execute(
        "SELECT a.officer, COALESCE(o.name, ''), a.start_date, a.end_date FROM assignments a "
        "LEFT JOIN officers o ON o.collar_number = a.officer WHERE a.school = ? ORDER BY a.start_date DESC",
        [urn]).fetchall()
    return [AssignmentLine(*r) for r in rows]
