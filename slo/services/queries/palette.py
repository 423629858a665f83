"""The command palette's search (ctrl+p): schools and young people by name, within the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass

from slo.models.enums import label, year_label
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import like_pattern, school_filter, view_scope, young_person_filter


@dataclass
class SearchHit:
    kind: str  # school | young_person
    key: str
    name: str
    detail: str


def search(store: Store, actor: Actor, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Schools and young people whose name (or URN, ref) contains ``text``; its ``%`` and ``_`` are letters."""
    text = (text or "").strip()
    if not text or view_scope(actor) is None:
        return []
    db = store.db
    like = like_pattern(text)
    sql, params = school_filter(actor)
    hits = [
        SearchHit("school", r[0], r[1], f"{label(r[2])} school, URN {r[0]}")
        for r in db.execute(
            f"SELECT s.urn, s.name, s.phase FROM schools s WHERE {sql} AND (s.name LIKE ? ESCAPE '\\' "
            "OR s.urn LIKE ? ESCAPE '\\') ORDER BY s.name COLLATE NOCASE LIMIT ?",
            [*params, like, like, limit],
        ).fetchall()
    ]
    ysql, yparams = young_person_filter(actor)
    hits += [
        SearchHit("young_person", r[0], f"{r[1]} {r[2]}",
                  f"Young person {r[0]}" + (f", {year_label(r[3])}" if r[3] is not None else ""))
        for r in db.execute(
            f"SELECT y.ref, y.given_name, y.family_name, y.year_group FROM young_people y WHERE {ysql} AND "
            "(y.given_name || ' ' || y.family_name LIKE ? ESCAPE '\\' OR y.ref LIKE ? ESCAPE '\\') "
            "ORDER BY y.family_name COLLATE NOCASE, y.given_name COLLATE NOCASE LIMIT ?",
            [*yparams, like, like, limit],
        ).fetchall()
    ]
    return hits
