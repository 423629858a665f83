"""The desk's scope filters (rewritten for speed) select exactly what the original statements did."""

from __future__ import annotations

from datetime import date

import pytest

from slo.services.actors import load_actor
from slo.services.demo import build_demo
from slo.services.queries import scope

#: the statements as first written (a join of every assignment to its officer; lists of refs)
ORIGINAL_SCHOOLS = (
    "SELECT s.urn FROM schools s WHERE s.urn IN (SELECT a.school FROM assignments a JOIN officers o "
    "ON o.collar_number = a.officer WHERE a.officer = ? OR (o.team IS NOT NULL AND o.team = ?))"
)
TEAM = "(SELECT collar_number FROM officers WHERE collar_number = ? OR (team IS NOT NULL AND team = ?))"
ORIGINAL_YOUNG_PEOPLE = (
    "SELECT y.ref FROM young_people y WHERE (y.school IN (SELECT _s.urn FROM schools _s WHERE _s.urn IN "
    "(SELECT a.school FROM assignments a JOIN officers o ON o.collar_number = a.officer WHERE a.officer = ? "
    "OR (o.team IS NOT NULL AND o.team = ?)))"
    f" OR y.ref IN (SELECT young_person FROM consultations WHERE officer IN {TEAM})"
    f" OR y.ref IN (SELECT young_person FROM engagements WHERE young_person IS NOT NULL AND officer IN {TEAM}))"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("scope") / "demo.db"
    build_demo(path, scale="small", seed=7, today=date(2026, 3, 11))
    from slo.store.db import open_store

    store = open_store(path)
    yield store
    store.close()


def test_school_and_young_person_filters_match_the_original_statements(demo):
    db = demo.db
    officers = [r[0] for r in db.execute("SELECT collar_number FROM officers WHERE role IN ('slo', 'sergeant')")]
    assert officers
    all_refs = [r[0] for r in db.execute("SELECT ref FROM young_people")]
    for collar in officers:
        actor = load_actor(db, collar)
        params = [actor.collar, actor.team]
        want_schools = {r[0] for r in db.execute(ORIGINAL_SCHOOLS, params)}
        sql, p = scope.school_filter(actor)
        assert {r[0] for r in db.execute(f"SELECT s.urn FROM schools s WHERE {sql}", p)} == want_schools
        want_people = {r[0] for r in db.execute(ORIGINAL_YOUNG_PEOPLE, params * 3)}
        sql, p = scope.young_person_filter(actor)
        assert {r[0] for r in db.execute(f"SELECT y.ref FROM young_people y WHERE {sql}", p)} == want_people
        sql, p = scope.young_person_visible(actor)
        one_by_one = {ref for ref in all_refs
                      if db.execute(f"SELECT 1 FROM young_people y WHERE y.ref = ? AND {sql}", [ref, *p]).fetchone()}
        assert one_by_one == want_people
        assert want_people  # the comparison is not vacuous
