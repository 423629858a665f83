"""The desk's home caseload read early (while Textual loads) is the same read, taken once."""

from __future__ import annotations

from datetime import date

from slo.services.actors import load_actor
from slo.services.queries.caseload import caseload
from slo.services.queries.home import EarlyRead, start_home_caseload, take_home_caseload
from slo.services.queries.scope import ALL, OWN, TEAM

ON = date(2026, 1, 7)


def test_early_home_caseload_is_the_caseload_and_is_taken_once(loaded_store):
    actor = load_actor(loaded_store.db, "PC1000")
    start_home_caseload(loaded_store, actor, ON)
    early = take_home_caseload(loaded_store, actor, ON, OWN)
    assert early is not None
    assert early.wait() == caseload(loaded_store, actor, ON, scope=OWN)
    assert early.ready()
    assert take_home_caseload(loaded_store, actor, ON, OWN) is None


def test_early_read_is_only_for_that_scope_and_day(loaded_store):
    actor = load_actor(loaded_store.db, "PC1000")
    start_home_caseload(loaded_store, actor, ON)
    assert take_home_caseload(loaded_store, actor, ON, TEAM) is None
    assert take_home_caseload(loaded_store, actor, date(2026, 1, 8), OWN) is None
    assert take_home_caseload(loaded_store, actor, ON, OWN) is not None


def test_sergeant_home_is_not_a_caseload_so_nothing_is_read_early(loaded_store):
    sergeant = next(
        load_actor(loaded_store.db, r[0])
        for r in loaded_store.db.execute("SELECT collar_number FROM officers WHERE role = 'sergeant'")
    )
    start_home_caseload(loaded_store, sergeant, ON)
    for scope in (OWN, TEAM, ALL):
        assert take_home_caseload(loaded_store, sergeant, ON, scope) is None


def test_a_failed_early_read_raises_for_whoever_waits(loaded_store):
    early = EarlyRead(lambda: 1 / 0)
    try:
        early.wait()
    except ZeroDivisionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the error was swallowed")
    assert not early.ready()
