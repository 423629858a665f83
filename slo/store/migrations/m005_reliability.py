"""Migration m005: reserved; fill in before it ships (then never edit it again)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m005_reliability(db: Database) -> None:
    """No change yet."""
