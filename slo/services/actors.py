"""Who is acting: an officer from the database, or the ``system`` actor of scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import NotFound

if TYPE_CHECKING:

    from slo.store.db import Reads


@dataclass(frozen=True)
class Actor:
    collar: str
    role: str
    team: str | None = None
    name: str = ""

    @property
    def is_system(self) -> bool:
        return self.role == "system"

    def __str__(self) -> str:
        return self.collar


SYSTEM = Actor("system", "system", None, "Scheduled jobs")
#: the actor of `slo import` into an empty database and of `slo demo` (no officer exists yet)
BOOTSTRAP = Actor("bootstrap", "system", None, "First import")


def load_actor(db: Reads, collar: str) -> Actor:
    """The officer with this collar number, or :class:`NotFound` with a clear message."""
    row = db.execute(
        "SELECT collar_number, role, team, name FROM officers WHERE collar_number = ?", [collar]
    ).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {collar!r} in this database")
    return Actor(row[0], row[1], row[2], row[3])


def list_officers(db: Reads) -> list[Actor]:
    rows = db.execute(
        "SELECT collar_number, role, team, name FROM officers ORDER BY role, collar_number"
    ).fetchall()
    return [Actor(*r) for r in rows]
