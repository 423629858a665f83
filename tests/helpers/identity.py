"""Binding the account that runs the tests to officers, as `slo access grant` would.

A test account bound to several officers is what issue 14 allows for ("a trainer, a
test account"): ``--user`` then picks among them. Real databases refuse a ``--user``
that names an officer not bound to the account running ``slo``, so tests that drive
the CLI on a database they built with the services bind the test account first.
"""

from __future__ import annotations

from slo.services import audit
from slo.services.identity import Principal, current_account


def bind_current_account(store, collars: list[str] | None = None) -> list[str]:
    """Bind this process's account to ``collars`` (default: every officer); returns them."""
    return bind_account(store, current_account().name, collars)


def bind_account(store, name: str, collars: list[str] | None = None) -> list[str]:
    """Bind the operating-system account ``name`` to ``collars`` (default: every officer); returns them."""
    principal = Principal("unix", name)
    with store.write() as db:
        if collars is None:
            collars = [r[0] for r in db.execute("SELECT collar_number FROM officers ORDER BY collar_number")]
        for collar in collars:
            db.execute(
                "INSERT OR IGNORE INTO access (kind, principal, officer, granted_by, granted_at) "
                "VALUES (?, ?, ?, 'tests', ?)",
                [principal.kind, principal.name, collar, audit.now_local().isoformat(timespec="seconds")],
            )
            audit.record(db, "tests", "grant", "access", collar, {"principal": str(principal)})
    return collars
