"""What a database opened by this SLO Desk must have, readable without importing the
migrations (or sqlite-utils, which they need).

A database with every migration of :mod:`slo.store.migrations` applied carries
:data:`SCHEMA_VERSION` in ``PRAGMA user_version``: opening it checks that one number
(:meth:`slo.store.db.Store.migrate`) instead of importing the migrations to ask which
are pending. A migration that has shipped is never edited, and each new one is a new
module, so the number of modules says which schema a database has. Add one to
:data:`SCHEMA_VERSION` with each new migration module (``tests/test_store.py`` fails
until the two agree).
"""

from __future__ import annotations

#: sqlite-utils' migration set of SLO Desk (the ``migration_set`` of ``_sqlite_migrations``)
MIGRATION_SET = "slo"

#: ``PRAGMA user_version`` of a database with every migration applied: the number of
#: migration modules (m001 ... m012)
SCHEMA_VERSION = 12
