"""Migration m002: term dates per local authority, for the school-day deadline clock.

One row per term (or half-term: any span of days the schools are open) of a
local authority, as imported from ``local_authority,term_start,term_end`` CSV
files or entered in the desk. Matching on the authority's name ignores case
(``schools.local_authority`` comes from GIAS, spelt as DfE spells it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m002_school_days(db: Database) -> None:
    """The ``term_dates`` table."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS term_dates (
            local_authority TEXT NOT NULL COLLATE NOCASE,
            term_start TEXT NOT NULL,
            term_end TEXT NOT NULL,
            PRIMARY KEY (local_authority, term_start)
        )
        """
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS term_dates_end ON term_dates(local_authority, term_end)"
    )
