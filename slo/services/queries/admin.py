"""The admin's screens: officers (``officers.py``), every school with its officer (``schools.py``) and
each school's assignments. Permission ``manage`` (admins); nothing here is personal data about a child.

Every school is listed, including those with **no officer** today (flagged), so none is hidden
behind the caseload's "every school with an officer".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from slo.models import Officer
from slo.services import permissions
from slo.services.actors import Actor
from slo.store.db import Store

from .pickers import Option
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


# ---------------------------------------------------------------- what the admin's forms read


@dataclass
class OfficerFormData:
    #: the officer being edited (None: a new one)
    officer: Officer | None
    teams: list[Option]
    #: the schools assigned to them today (URN, name), for the leaving form
    schools: list[tuple[str, str]]


def officer_form(store: Store, actor: Actor, collar: str | None, *, today: date) -> OfficerFormData:
    """The officer to edit (or none), the teams to choose from, and their schools today."""
    from slo.services import records

    _require(store, actor, f"officer {collar}" if collar else "officers")
    db = store.db
    officer = None
    schools: list[tuple[str, str]] = []
    if collar:
        record = records.get(db, "officers", collar)
        assert isinstance(record, Officer)
        officer = record
        schools = [(r[0], r[1]) for r in db.execute(
            "SELECT s.urn, s.name FROM assignments a JOIN schools s ON s.urn = a.school WHERE a.officer = ? "
            "AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?) ORDER BY s.name",
            [collar, today.isoformat(), today.isoformat()]).fetchall()]
    teams = [Option(ref, name, code=ref) for ref, name in db.execute("SELECT ref, name FROM teams ORDER BY name")]
    return OfficerFormData(officer, teams, schools)


def slo_options(store: Store, actor: Actor, on: date) -> list[Option]:
    """Schools liaison officers in post on ``on``, by name (who may take a school)."""
    _require(store, actor, "officers")
    rows = store.db.execute(
        "SELECT collar_number, name, team FROM officers WHERE role = 'slo' AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY name", [on.isoformat(), on.isoformat()]).fetchall()
    return [Option(collar, f"{name}" + (f" ({team})" if team else ""), code=collar) for collar, name, team in rows]


@dataclass
class SchoolFormData:
    urn: str
    name: str
    #: today's officer (collar, name, assignment start) or None
    current: tuple[str, str, str] | None
    officers: list[Option]


def school_form(store: Store, actor: Actor, urn: str, *, today: date) -> SchoolFormData:
    """The school an assignment or handover form is about, its officer today, and who may take it."""
    _require(store, actor, f"school {urn}")
    db = store.db
    row = db.execute("SELECT name FROM schools WHERE urn = ?", [urn]).fetchone()
    if row is None:
        from slo.services.errors import NotFound

        raise NotFound(f"no school with URN {urn!r}")
    current = db.execute(
        "SELECT a.officer, COALESCE(o.name, ''), a.start_date FROM assignments a LEFT JOIN officers o "
        "ON o.collar_number = a.officer WHERE a.school = ? AND a.start_date <= ? AND (a.end_date IS NULL "
        "OR a.end_date >= ?) ORDER BY a.start_date DESC LIMIT 1",
        [urn, today.isoformat(), today.isoformat()]).fetchone()
    now = (str(current[0]), str(current[1]), str(current[2])) if current else None
    return SchoolFormData(urn, row[0], now, slo_options(store, actor, today))
