"""Migration m006: indexes for the abstractions issue (rebooking, cancellations by status).

Shipped; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m006_abstractions(db: Database) -> None:
    """Index ``engagements.rebooked_from`` (is this engagement already rebooked?) and the
    officer's engagements by status and start (planned engagements in an abstraction's span)."""
    db.execute("CREATE INDEX IF NOT EXISTS engagements_rebooked_from ON engagements(rebooked_from)")
    db.execute("CREATE INDEX IF NOT EXISTS engagements_officer_status ON engagements(officer, status, starts_at)")
