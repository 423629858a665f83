"""What the forms' pickers offer: officers, schools, young people, a pupil's consultations.

Each returns :class:`Option` rows (the value stored, what a person reads, a code typed
exactly); the desk turns them into its picker's choices. Searches are bounded and treat
the user's ``%`` and ``_`` as letters. Young people are offered only within the actor's
view (their team's schools, consultations and sessions): names are personal data, so a
picker never lists the whole force to an SLO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slo.models.enums import year_label
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import escape_like, like_pattern, young_person_visible

#: the most suggestions a search returns
MAX_OPTIONS = 30


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    code: str = ""


def officer_may_pick(actor: Actor) -> bool:
    """Sergeants and admins write for other officers, so their forms ask which officer."""
    return actor.role in ("sergeant", "admin", "system")


def officer_options(store: Store, actor: Actor) -> list[Option]:
    """Officers whose records ``actor`` may write (sergeant: their team; admin: everyone), by name."""
    rows = store.db.execute(
        "SELECT collar_number, name, team FROM officers WHERE role IN ('slo', 'sergeant') ORDER BY name"
    ).fetchall()
    return [
        Option(collar, name, code=collar)
        for collar, name, team in rows
        if not (actor.role == "sergeant" and team != actor.team and collar != actor.collar)
    ]


def school_options(store: Store, officer: str | None, text: str) -> list[Option]:
    """Schools by (part of) name or URN; ``officer``'s assigned schools first."""
    like = like_pattern(text.strip())
    rows = store.db.execute(
        "SELECT s.urn, s.name, "
        "EXISTS (SELECT 1 FROM assignments a WHERE a.school = s.urn AND a.officer = ?) AS mine "
        "FROM schools s WHERE s.name LIKE ? ESCAPE '\\' OR s.urn LIKE ? ESCAPE '\\' "
        f"ORDER BY mine DESC, s.name LIMIT {MAX_OPTIONS}",
        [officer, like, like],
    ).fetchall()
    return [Option(urn, name, code=urn) for urn, name, _mine in rows]


def _pupil_label(given: str, family: str, year: int | None, school_name: str | None) -> str:
    extra = ", ".join(p for p in (year_label(year) if year is not None else "", school_name or "") if p)
    return f"{given} {family}" + (f" ({extra})" if extra else "")


def young_person_options(
    store: Store, actor: Actor | None, text: str, *, school: str | None = None, prefer_school: str | None = None
) -> list[Option]:
    """Young people ``actor`` may see whose names start with each word of ``text`` (or whose ref
    contains it); only pupils of ``school`` when given; pupils of ``prefer_school`` first.
    No actor: nothing."""
    words = text.split()
    if not words:
        return []
    visible_params: list[Any]
    if actor is None:
        visible, visible_params = "0", []
    else:
        visible, visible_params = young_person_visible(actor)
    sql = (
        "SELECT y.ref, y.given_name, y.family_name, y.year_group, s.name FROM young_people y "
        f"LEFT JOIN schools s ON s.urn = y.school WHERE {visible}"
    )
    params: list[Any] = list(visible_params)
    for word in words:
        w = escape_like(word)
        sql += (" AND (y.given_name LIKE ? ESCAPE '\\' OR y.family_name LIKE ? ESCAPE '\\'"
                " OR y.ref LIKE ? ESCAPE '\\')")
        params += [f"{w}%", f"{w}%", f"%{w}%"]
    if school:
        sql += " AND y.school = ?"
        params.append(school)
    sql += " ORDER BY "
    if prefer_school:
        sql += "(y.school IS ?) DESC, "
        params.append(prefer_school)
    sql += f"y.family_name, y.given_name LIMIT {MAX_OPTIONS}"
    return [
        Option(ref, _pupil_label(given, family, year, school_name), code=ref)
        for ref, given, family, year, school_name in store.db.execute(sql, params).fetchall()
    ]


def consultation_options(store: Store, young_person: str | None) -> list[Option]:
    """A young person's consultations, newest first (a referral may name one)."""
    if not young_person:
        return []
    rows = store.db.execute(
        "SELECT ref, consulted_on, proposed FROM consultations WHERE young_person = ? ORDER BY consulted_on DESC",
        [young_person],
    ).fetchall()
    return [Option(ref, f"{on} {proposed.replace('_', ' ')}", code=ref) for ref, on, proposed in rows]


@dataclass(frozen=True)
class PupilSummary:
    """A young person as a form shows them once picked."""

    ref: str
    label: str
    school: str | None
    ethnicity: str | None
    ethnicity_missing_reason: str | None

    @property
    def ethnicity_missing(self) -> bool:
        """Neither a code nor a reason recorded: the consultation form offers to ask."""
        return not self.ethnicity and not self.ethnicity_missing_reason


@dataclass(frozen=True)
class SchoolSummary:
    urn: str
    label: str
    uniform_policy: str


def describe_young_person(store: Store, actor: Actor, ref: str | None) -> PupilSummary | None:
    """The young person ``ref`` as a form shows them (name, year, school), or None: also when
    ``actor`` may not see them (a ref typed or passed in names no one they cannot see)."""
    if not ref:
        return None
    visible, params = young_person_visible(actor)
    row = store.db.execute(
        "SELECT y.ref, y.given_name, y.family_name, y.school, y.ethnicity, y.ethnicity_missing_reason, "
        "y.year_group, s.name FROM young_people y LEFT JOIN schools s ON s.urn = y.school "
        f"WHERE y.ref = ? AND {visible}",
        [ref, *params],
    ).fetchone()
    if row is None:
        return None
    ref, given, family, school, ethnicity, reason, year, school_name = row
    return PupilSummary(ref, _pupil_label(given, family, year, school_name), school, ethnicity, reason)


def describe_school(store: Store, urn: str | None) -> SchoolSummary | None:
    if not urn:
        return None
    row = store.db.execute("SELECT urn, name, uniform_policy FROM schools WHERE urn = ?", [urn]).fetchone()
    return SchoolSummary(*row) if row else None
