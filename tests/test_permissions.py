"""Roles x actions x ownership, tested as a matrix, plus refusals through real use cases.

The expected policy is written out here independently of ``slo.services.permissions``
(a readable matrix), so a change to the table that nobody meant shows up as a failure.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from slo.models import Absence, Engagement, School
from slo.services import permissions as P
from slo.services import records
from slo.services.actors import Actor, load_actor
from slo.services.errors import PermissionDenied

# role:           own   team  other  (an x means allowed on records of that ownership)
POLICY = """
action              slo     sergeant  inspector  admin   evaluator
view                x x .   x x .     x x x      x x x   . . .
write               x . .   x x .     . . .      x x x   . . .
review_abstraction  . . .   x x .     . . .      . . .   . . .
import              . . .   . . .     . . .      x x x   . . .
manage              . . .   . . .     . . .      x x x   . . .
export_bundle       . . .   . . .     . . .      x x x   . . .
export_calendars    x . .   x x .     x x x      x x x   . . .
report              x . .   x x .     x x x      x x x   . . .
report_evaluation   . . .   x x .     x x x      x x x   x x x
view_audit          . . .   . . .     . . .      x x x   . . .
erase               . . .   . . .     . . .      x x x   . . .
"""

ROLES = ["slo", "sergeant", "inspector", "admin", "evaluator"]
OWNERSHIP = {"own": "PC1000", "team": "PC1002", "other": "PC1001"}


def _policy():
    lines = [l for l in POLICY.strip().splitlines()[1:]]
    for line in lines:
        cells = line.split()
        action, marks = cells[0], cells[1:]
        for r, role in enumerate(ROLES):
            for o, owner in enumerate(["own", "team", "other"]):
                yield action, role, owner, marks[r * 3 + o] == "x"


@pytest.fixture
def matrix_store(loaded_store, small_bundle):
    from slo.services.bundle import import_bundle

    extra = {
        "format": "slo-bundle/1",
        "officers": [
            {"collar_number": "PC1002", "name": "PC North Two", "role": "slo", "team": "NHT-North",
             "start_date": "2022-01-01"},
            {"collar_number": "I1", "name": "Insp One", "role": "inspector", "team": "NHT-North",
             "start_date": "2020-01-01"},
            {"collar_number": "E1", "name": "Eval One", "role": "evaluator", "start_date": "2020-01-01"},
        ],
    }
    import_bundle(loaded_store, extra, load_actor(loaded_store.db, "A1"))
    return loaded_store


ACTOR_FOR_ROLE = {"slo": "PC1000", "sergeant": "S100", "inspector": "I1", "admin": "A1", "evaluator": "E1"}


@pytest.mark.parametrize("action,role,owner,expected", list(_policy()))
def test_permission_matrix(matrix_store, action, role, owner, expected):
    actor = load_actor(matrix_store.db, ACTOR_FOR_ROLE[role])
    officer = OWNERSHIP[owner]
    if role in ("sergeant",) and owner == "own":
        officer = actor.collar
    if role in ("inspector", "admin", "evaluator") and owner == "own":
        officer = actor.collar
    assert P.allowed(matrix_store.db, actor, action, officer) is expected


def _visit(officer: str) -> Engagement:
    return Engagement(
        ref=f"PERM-{officer}", officer=officer, school="100000", kind="visit", title="Visit",
        starts_at=datetime(2027, 2, 1, 9), ends_at=datetime(2027, 2, 1, 10), status="planned",
    )


def _refusals(store) -> int:
    return store.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]


def test_slo_writes_only_own_caseload_and_refusal_is_logged(matrix_store):
    slo = load_actor(matrix_store.db, "PC1000")
    assert records.save(matrix_store, slo, _visit("PC1000")) == "create"
    before = _refusals(matrix_store)
    with pytest.raises(PermissionDenied, match="PC1000 \\(slo\\) may not change"):
        records.save(matrix_store, slo, _visit("PC1001"))
    assert _refusals(matrix_store) == before + 1
    assert matrix_store.db.execute("SELECT count(*) FROM engagements WHERE ref = 'PERM-PC1001'").fetchone()[0] == 0


def test_sergeant_writes_team_not_other_team(matrix_store):
    sergeant = load_actor(matrix_store.db, "S100")
    assert records.save(matrix_store, sergeant, _visit("PC1002")) == "create"
    with pytest.raises(PermissionDenied):
        records.save(matrix_store, sergeant, _visit("PC1001"))


def test_only_admin_manages_schools(matrix_store):
    school = School(urn="100009", name="New School", phase="primary")
    for collar in ("PC1000", "S100", "I1", "E1"):
        with pytest.raises(PermissionDenied):
            records.save(matrix_store, load_actor(matrix_store.db, collar), school)
    assert records.save(matrix_store, load_actor(matrix_store.db, "A1"), school) == "create"


def test_evaluator_cannot_write_or_view(matrix_store):
    evaluator = load_actor(matrix_store.db, "E1")
    with pytest.raises(PermissionDenied):
        records.save(matrix_store, evaluator, Absence(officer="E1", date_from="2027-01-04", date_to="2027-01-04", kind="rest_day"))
    with pytest.raises(PermissionDenied):
        records.view(matrix_store, evaluator, "young_people", "YP-0001")


def test_unknown_role_is_refused_everything(matrix_store):
    ghost = Actor("X9", "visitor")
    for action in {a for a, *_ in _policy()}:
        assert P.allowed(matrix_store.db, ghost, action, "PC1000") is False
