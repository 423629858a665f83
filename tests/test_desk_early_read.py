"""The desk's home caseload read early (while Textual loads) is the same read, taken once."""

from __future__ import annotations

from datetime import date

from slo.services import desk
from slo.services.actors import load_actor

ON = date(2026, 1, 7)


def test_early_home_caseload_is_the_caseload_and_is_taken_once(loaded_store):
    actor = load_actor(loaded_store.db, "PC1000")
    desk.start_home_caseload(loaded_store, actor, ON)
    early = desk.take_home_caseload(loaded_store, actor, ON, desk.OWN)
    assert early is not None
    assert early.wait() == desk.caseload(loaded_store.db, actor, ON, scope=desk.OWN)
    assert early.ready()
    assert desk.take_home_caseload(loaded_store, actor, ON, desk.OWN) is None


def test_early_read_is_only_for_that_scope_and_day(loaded_store):
    actor = load_actor(loaded_store.db, "PC1000")
    desk.start_home_caseload(loaded_store, actor, ON)
    assert desk.take_home_caseload(loaded_store, actor, ON, desk.TEAM) is None
    assert desk.take_home_caseload(loaded_store, actor, date(2026, 1, 8), desk.OWN) is None
    assert desk.take_home_caseload(loaded_store, actor, ON, desk.OWN) is not None


def test_sergeant_home_is_not_a_caseload_so_nothing_is_read_early(loaded_store):
    sergeant = next(
        load_actor(loaded_store.db, r[0])
        for r in loaded_store.db.execute("SELECT collar_number FROM officers WHERE role = 'sergeant'")
    )
    desk.start_home_caseload(loaded_store, sergeant, ON)
    for scope in (desk.OWN, desk.TEAM, desk.ALL):
        assert desk.take_home_caseload(loaded_store, sergeant, ON, scope) is None


def test_a_failed_early_read_raises_for_whoever_waits(loaded_store):
    early = desk.EarlyRead(lambda: 1 / 0)
    try:
        early.wait()
    except ZeroDivisionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the error was swallowed")
    assert not early.ready()
