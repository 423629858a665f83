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
    for line in POLICY.strip().splitlines()[1:]:
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
        # PC1000 covers 100000 (with YP-0001), their teammate PC1002 covers 100002 (YP-T), and PC1001 of
        # the other team covers 100001 (YP-O); 100003 has nobody assigned
        "schools": [
            {"urn": "100002", "name": "Northside High", "phase": "secondary"},
            {"urn": "100003", "name": "Unassigned Primary", "phase": "primary"},
        ],
        "assignments": [{"officer": "PC1002", "school": "100002", "start_date": "2025-09-01"}],
        "young_people": [
            {"ref": "YP-T", "given_name": "Team", "family_name": "Child", "school": "100002"},
            {"ref": "YP-O", "given_name": "Other", "family_name": "Child", "school": "100001"},
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
        records.save(matrix_store, evaluator,
                     Absence(officer="E1", date_from="2027-01-04", date_to="2027-01-04", kind="rest_day"))
    with pytest.raises(PermissionDenied):
        records.view(matrix_store, evaluator, "young_people", "YP-0001")


def test_unknown_role_is_refused_everything(matrix_store):
    ghost = Actor("X9", "visitor")
    for action in {a for a, *_ in _policy()}:
        assert P.allowed(matrix_store.db, ghost, action, "PC1000") is False


# --------------------------------------------------------------------------- every entity, by its owner rule
# Whose records: PC1000's (the SLO acting), PC1002's (PC1000's teammate) and PC1001's (the other team).
# For records that belong to a young person, the young person looked after by that officer. Each record
# is built from the entity's declared owner rule (facts.owner), so a new entity is covered by adding a line.

ENTITY_WRITE = """
entity          slo     sergeant  inspector  admin   evaluator
teams           . . .   . . .     . . .      x x x   . . .
officers        . . .   . . .     . . .      x x x   . . .
schools         . . .   . . .     . . .      x x x   . . .
assignments     . . .   . . .     . . .      x x x   . . .
young_people    x . .   x x .     . . .      x x x   . . .
engagements     x . .   x x .     . . .      x x x   . . .
absences        x . .   x x .     . . .      x x x   . . .
abstractions    x . .   x x .     . . .      x x x   . . .
consultations   x . .   x x .     . . .      x x x   . . .
referrals       x . .   x x .     . . .      x x x   . . .
"""

ENTITY_VIEW = """
entity          slo     sergeant  inspector  admin   evaluator
teams           x x x   x x x     x x x      x x x   . . .
officers        x x x   x x x     x x x      x x x   . . .
schools         x x x   x x x     x x x      x x x   . . .
assignments     x x .   x x .     x x x      x x x   . . .
young_people    x x .   x x .     x x x      x x x   . . .
engagements     x x .   x x .     x x x      x x x   . . .
absences        x x .   x x .     x x x      x x x   . . .
abstractions    x x .   x x .     x x x      x x x   . . .
consultations   x x .   x x .     x x x      x x x   . . .
referrals       x x .   x x .     x x x      x x x   . . .
"""

WHOSE = ["PC1000", "PC1002", "PC1001"]
SCHOOL_OF = {"PC1000": "100000", "PC1002": "100002", "PC1001": "100001"}
YOUNG_PERSON_OF = {"PC1000": "YP-0001", "PC1002": "YP-T", "PC1001": "YP-O"}


def _entity_policy(table: str):
    for line in table.strip().splitlines()[1:]:
        entity, *marks = line.split()
        for r, role in enumerate(ROLES):
            for o, whose in enumerate(WHOSE):
                yield entity, role, whose, marks[r * 3 + o] == "x"


def _record_of(entity: str, officer: str):
    """A record of ``entity`` belonging to ``officer``, made through the entity's declared owner rule."""
    import copy

    from helpers.bundles import SMALL_BUNDLE

    from slo.models import ENTITY_MODELS

    model = ENTITY_MODELS[entity]
    owner = model.facts.owner
    data = copy.deepcopy(SMALL_BUNDLE[entity][0])
    if owner.officer:
        data[owner.officer] = officer
    elif owner.young_person in model.facts.key:  # the young person themselves: their ref and school
        data[owner.young_person] = YOUNG_PERSON_OF[officer]
        data["school"] = SCHOOL_OF[officer]
    elif owner.young_person:
        data[owner.young_person] = YOUNG_PERSON_OF[officer]
        data["consultation"] = None
    return model.model_validate(data)


def _decision(check) -> bool:
    try:
        check()
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("entity,role,whose,expected", list(_entity_policy(ENTITY_WRITE)))
def test_every_entity_write_follows_its_owner_rule(matrix_store, entity, role, whose, expected):
    actor = load_actor(matrix_store.db, ACTOR_FOR_ROLE[role])
    record = _record_of(entity, whose)
    assert _decision(lambda: P.require_write(matrix_store.db, actor, record)) is expected


@pytest.mark.parametrize("entity,role,whose,expected", list(_entity_policy(ENTITY_VIEW)))
def test_every_entity_view_follows_its_owner_rule(matrix_store, entity, role, whose, expected):
    actor = load_actor(matrix_store.db, ACTOR_FOR_ROLE[role])
    record = _record_of(entity, whose)
    assert _decision(lambda: P.require_view(matrix_store.db, actor, record)) is expected


# --------------------------------------------------------------------------- deny by default


def _stray_model():
    """An entity whose model declares no owner (as a new entity would if its author forgot)."""
    from typing import ClassVar

    from slo.models.entities import Record
    from slo.models.facts import EntityFacts

    class Stray(Record):
        facts: ClassVar[EntityFacts] = EntityFacts("strays")
        ref: str

    return Stray


@pytest.mark.parametrize("collar", ["PC1000", "S100", "A1"])
def test_a_model_without_an_owner_is_refused_to_everyone(matrix_store, collar):
    stray = _stray_model()(ref="X-1")
    actor = load_actor(matrix_store.db, collar)
    before = _refusals(matrix_store)
    with pytest.raises(PermissionDenied, match="no owner is declared for strays"):
        records.save(matrix_store, actor, stray)
    with pytest.raises(PermissionDenied, match="no owner is declared"):
        P.require_view(matrix_store.db, actor, stray)
    assert _refusals(matrix_store) == before + 2
    from slo.services.actors import SYSTEM

    with pytest.raises(PermissionDenied):
        P.require_write(matrix_store.db, SYSTEM, stray)


# --------------------------------------------------------------------------- young people (issue 18 item 6)
# Each of these was allowed before: records.save found no owner for young_people, and no owner meant yes.


def _young_person(store, ref: str = "YP-0001", **changes):
    person = records.get(store.db, "young_people", ref)
    return person.model_validate({**person.model_dump(), **changes})


def _stored_school(store, ref: str) -> str | None:
    return store.db.execute("SELECT school FROM young_people WHERE ref = ?", [ref]).fetchone()[0]


@pytest.mark.parametrize("collar", ["PC1001", "PC1002", "S200", "I1", "E1"])
def test_only_the_young_persons_officers_edit_them(matrix_store, collar):
    """YP-0001 is at PC1000's school: not PC1001's (other team), not PC1002's (a teammate: SLOs write
    their own only), not the other team's sergeant's, nor an inspector's or an evaluator's."""
    before = _refusals(matrix_store)
    with pytest.raises(PermissionDenied, match=f"{collar} .* may not change young_people YP-0001"):
        records.save(matrix_store, load_actor(matrix_store.db, collar), _young_person(matrix_store, family_name="X"))
    assert records.get(matrix_store.db, "young_people", "YP-0001").family_name == "Morgan"
    assert _refusals(matrix_store) == before + 1


@pytest.mark.parametrize("collar", ["PC1000", "S100", "A1"])
def test_the_young_persons_officer_their_sergeant_and_an_admin_edit_them(matrix_store, collar):
    assert records.save(matrix_store, load_actor(matrix_store.db, collar),
                        _young_person(matrix_store, family_name=f"By {collar}")) == "update"


@pytest.mark.parametrize("collar,school", [
    ("PC1000", "100001"),  # the other team's school
    ("PC1000", "100002"),  # a teammate's school: not PC1000's caseload
    ("PC1000", "100003"),  # nobody's school
    ("S100", "100001"),    # a sergeant: not outside the team
    ("S100", "100003"),
])
def test_moving_a_child_to_a_school_outside_your_caseload_is_refused(matrix_store, collar, school):
    with pytest.raises(PermissionDenied, match=f"may not move young_people YP-0001 to school {school}"):
        records.save(matrix_store, load_actor(matrix_store.db, collar), _young_person(matrix_store, school=school))
    assert _stored_school(matrix_store, "YP-0001") == "100000"


@pytest.mark.parametrize("collar,school", [("S100", "100002"), ("A1", "100001"), ("A1", "100003")])
def test_a_sergeant_moves_within_the_team_and_an_admin_anywhere(matrix_store, collar, school):
    assert records.save(matrix_store, load_actor(matrix_store.db, collar),
                        _young_person(matrix_store, school=school)) == "update"
    assert _stored_school(matrix_store, "YP-0001") == school


def test_a_young_person_moved_away_is_no_longer_yours_unless_you_worked_with_them(matrix_store):
    """YP-T moves from PC1002's school to PC1000's (by their sergeant): PC1000 may now edit them, PC1002 not.
    PC1000 keeps YP-0001 after an admin moves them away, because of their 1:1 session and consultation."""
    def as_(collar: str):
        return load_actor(matrix_store.db, collar)

    records.save(matrix_store, as_("S100"), _young_person(matrix_store, "YP-T", school="100000"))
    records.save(matrix_store, as_("PC1000"), _young_person(matrix_store, "YP-T", sen="none"))
    with pytest.raises(PermissionDenied):
        records.save(matrix_store, as_("PC1002"), _young_person(matrix_store, "YP-T", sen="none"))
    records.save(matrix_store, load_actor(matrix_store.db, "A1"), _young_person(matrix_store, school="100001"))
    assert records.save(matrix_store, load_actor(matrix_store.db, "PC1000"),
                        _young_person(matrix_store, year_group=10)) == "update"
    with pytest.raises(PermissionDenied, match="to school 100000"):  # but not move them back
        records.save(matrix_store, load_actor(matrix_store.db, "PC1001"), _young_person(matrix_store, school="100000"))


def test_an_ended_assignment_no_longer_gives_the_child_to_the_officer(matrix_store):
    """Editing needs the school in your caseload today; seeing them is allowed for schools you covered."""
    from slo.models import Assignment

    admin = load_actor(matrix_store.db, "A1")
    records.save(matrix_store, admin, Assignment(officer="PC1002", school="100002", start_date="2025-09-01",
                                                 end_date="2025-12-31"))
    slo = load_actor(matrix_store.db, "PC1002")
    with pytest.raises(PermissionDenied):
        records.save(matrix_store, slo, _young_person(matrix_store, "YP-T", sen="none"))
    assert records.view(matrix_store, slo, "young_people", "YP-T").ref == "YP-T"


def test_adding_young_people(matrix_store):
    from slo.models import YoungPerson

    def new(ref: str, school: str | None) -> YoungPerson:
        return YoungPerson(ref=ref, given_name="New", family_name="Pupil", school=school)

    slo = load_actor(matrix_store.db, "PC1000")
    assert records.save(matrix_store, slo, new("YP-N1", "100000")) == "create"
    with pytest.raises(PermissionDenied, match="to school 100001"):
        records.save(matrix_store, slo, new("YP-N2", "100001"))
    with pytest.raises(PermissionDenied, match="without a school"):
        records.save(matrix_store, slo, new("YP-N3", None))
    assert records.save(matrix_store, load_actor(matrix_store.db, "A1"), new("YP-N3", None)) == "create"
    assert matrix_store.db.execute("SELECT count(*) FROM young_people WHERE ref IN ('YP-N2')").fetchone()[0] == 0


@pytest.mark.parametrize("collar,expected", [("PC1000", True), ("PC1002", True), ("S100", True),
                                             ("PC1001", False), ("S200", False), ("E1", False)])
def test_seeing_a_young_person(matrix_store, collar, expected):
    """records.view (which the young person form and screen read through) follows the team rule."""
    actor = load_actor(matrix_store.db, collar)
    assert _decision(lambda: records.view(matrix_store, actor, "young_people", "YP-0001")) is expected
    assert _decision(lambda: records.view(matrix_store, actor, "referrals", "REF-1")) is expected


def test_a_referral_belongs_to_its_young_persons_officers(matrix_store):
    referral = records.get(matrix_store.db, "referrals", "REF-1")
    changed = referral.model_validate({**referral.model_dump(), "status": "completed"})
    for collar in ("PC1001", "PC1002", "S200"):
        with pytest.raises(PermissionDenied):
            records.save(matrix_store, load_actor(matrix_store.db, collar), changed)
    assert records.save(matrix_store, load_actor(matrix_store.db, "PC1000"), changed) == "update"


def test_a_colleagues_record_cannot_be_taken_over(matrix_store):
    """Saving another officer's engagement under your own collar number replaced it before."""
    engagement = records.get(matrix_store.db, "engagements", "ENG-1")
    taken = engagement.model_validate({**engagement.model_dump(), "officer": "PC1001", "school": "100001"})
    with pytest.raises(PermissionDenied, match="PC1001 .* may not change engagements ENG-1"):
        records.save(matrix_store, load_actor(matrix_store.db, "PC1001"), taken)
    assert records.get(matrix_store.db, "engagements", "ENG-1").officer == "PC1000"


def test_a_session_with_a_child_you_may_not_see_is_refused(matrix_store):
    """A 1:1 session would otherwise make PC1001 one of YP-0001's officers (and so able to edit them)."""
    session = Engagement(ref="ENG-X", officer="PC1001", school="100001", young_person="YP-0001", kind="one_to_one",
                         title="Liaison officer: 1:1 session", starts_at=datetime(2027, 2, 1, 9),
                         ends_at=datetime(2027, 2, 1, 10), status="planned")
    with pytest.raises(PermissionDenied, match="names young person YP-0001, whom they may not see"):
        records.save(matrix_store, load_actor(matrix_store.db, "PC1001"), session)
    own = session.model_validate({**session.model_dump(), "young_person": "YP-O"})
    assert records.save(matrix_store, load_actor(matrix_store.db, "PC1001"), own) == "create"


def test_a_role_that_may_not_write_learns_nothing_from_a_refusal(matrix_store):
    """An evaluator naming a school that does not exist is refused, not told that it does not exist."""
    from slo.models import YoungPerson

    with pytest.raises(PermissionDenied, match="E1 \\(evaluator\\) may not change young_people YP-Z"):
        records.save(matrix_store, load_actor(matrix_store.db, "E1"),
                     YoungPerson(ref="YP-Z", given_name="A", family_name="B", school="999999"))
