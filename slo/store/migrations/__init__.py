"""The database schema, built by numbered migrations (sqlite-utils' ``Migrations``).

Each module ``mNNN_name.py`` registers one or more functions with
``@migrations()``; they are applied in the order the modules are imported
below, each in a savepoint of one ``BEGIN IMMEDIATE`` transaction (see
``Store.migrate``). Never edit a migration that has shipped: add the next one, and
add one to :data:`slo.store.schema.SCHEMA_VERSION` (the stamp of a database that has
them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils.migrations import Migrations

from slo.store.schema import MIGRATION_SET

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations(MIGRATION_SET)

# Registration order is application order.
from . import m001_initial  # noqa: E402,F401
from . import m002_school_days  # noqa: E402,F401
from . import m003_calendars  # noqa: E402,F401
from . import m004_jobs  # noqa: E402,F401
from . import m005_reliability  # noqa: E402,F401
from . import m006_abstractions  # noqa: E402,F401
from . import m007_performance  # noqa: E402,F401
from . import m008_identity  # noqa: E402,F401
from . import m009_calendar_links  # noqa: E402,F401
from . import m010_history  # noqa: E402,F401
from . import m011_review_lifecycle  # noqa: E402,F401
from . import m012_report_previews  # noqa: E402,F401


def apply(db: Database) -> None:
    """Apply every pending migration."""
    migrations.apply(db)
