"""Use cases with the acting user: permissions, audit, validation against the database (no Textual).

Front ends (the CLI, the desk) hold a :class:`Store`, opened once, and hand it with the
acting :class:`~slo.services.actors.Actor` to these functions; they never look inside it.
Read models for the desk's screens are in :mod:`slo.services.queries`.
"""

from slo.store.db import Store

__all__ = ["Store"]
