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


def test_the_desk_reaches_its_first_screen_without_importing_sqlite_utils(loaded_store):
    """The way to the first screen reads through plain sqlite3 (about 50 ms of imports saved at
    every start): who you are, whether the database is a demo, and the home caseload."""
    import json
    import subprocess
    import sys

    from slo.services import identity

    db = loaded_store.db
    admin = load_actor(db, db.execute("SELECT collar_number FROM officers WHERE role = 'admin' LIMIT 1").fetchone()[0])
    identity.grant_unix(loaded_store, admin, "PC1000", identity.current_account().name)
    loaded_store.close()
    script = f"""
import json, sys
import slo.tui.app
from slo.services.queries.home import take_home_caseload

def run_desk(store, actor, exports, today=None, *, principal=None, demo=False):
    from slo.services.audit import now_local
    early = take_home_caseload(store, actor, now_local().date(), "own")
    rows = early.wait() if early is not None else None
    print(json.dumps({{"actor": actor.collar, "rows": None if rows is None else len(rows),
                      "sqlite_utils": sorted(m for m in sys.modules if m.startswith("sqlite_utils"))}}))
    return 0

slo.tui.app.run_desk = run_desk
from slo.cli.main import main
sys.exit(main(["--db", {str(loaded_store.path)!r}, "--user", "PC1000"]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["actor"] == "PC1000"
    assert seen["rows"] and seen["rows"] > 0
    assert seen["sqlite_utils"] == []


def test_a_caseload_refused_is_audited_and_names_what_was_asked(loaded_store):
    """The caseload reads through store.conn; a refusal still goes through the audited refusal."""
    import pytest

    from slo.services.actors import Actor
    from slo.services.errors import PermissionDenied

    def refusals() -> int:
        return loaded_store.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]

    before = refusals()
    with pytest.raises(PermissionDenied, match="EV9 \\(evaluator\\) may not see caseloads"):
        caseload(loaded_store, Actor("EV9", "evaluator"), ON)
    with pytest.raises(PermissionDenied, match="PC1000 \\(slo\\) may not see every officer's caseload"):
        caseload(loaded_store, load_actor(loaded_store.db, "PC1000"), ON, scope=ALL)
    assert refusals() == before + 2
