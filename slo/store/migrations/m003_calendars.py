"""Migration m003: reserved; fill in before it ships (then never edit it again)."""

from __future__ import annotations

from sqlite_utils import Database

from . import migrations


@migrations()
def m003_calendars(db: Database) -> None:
    """No change yet."""
