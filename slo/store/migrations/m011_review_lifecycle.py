"""Migration m011: the review lifecycle of abstractions, and handovers (docs/abstractions.md, docs/desk.md).

``abstractions`` gains the bundle's optional fields of a challenge and its result:
``challenged_to`` (to whom the challenge went), ``resolved_on`` (when it was upheld or
withdrawn) and ``resolution_note`` (what was decided, and why). ``review_status`` is text,
so its new words (``upheld``, ``withdrawn``) need no change of the column.

``handovers`` holds one row per school handed from one officer to another in the desk
(:mod:`slo.services.handover`): the school, who handed it over and who took it, the first day of
the incoming officer's assignment, what happened to the planned engagements (moved, cancelled),
who made it and when, and when the incoming officer first read the note. The note itself is not
stored: it is read from the school's records each time it is shown (so erasing a young person
leaves no copy of their name in it). No personal data here: keys, dates and counts.

Shipped once it is on main; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m011_review_lifecycle(db: Database) -> None:
    """Columns for a challenge's addressee and result; the ``handovers`` table."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(abstractions)").fetchall()}
    for name in ("challenged_to", "resolved_on", "resolution_note"):
        if name not in columns:
            db.execute(f"ALTER TABLE abstractions ADD COLUMN [{name}] TEXT")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS handovers (
            id INTEGER PRIMARY KEY,
            school TEXT NOT NULL REFERENCES schools(urn),
            from_officer TEXT REFERENCES officers(collar_number),
            to_officer TEXT NOT NULL REFERENCES officers(collar_number),
            handover_on TEXT NOT NULL,
            moved INTEGER NOT NULL DEFAULT 0,
            cancelled INTEGER NOT NULL DEFAULT 0,
            made_by TEXT NOT NULL,
            made_at TEXT NOT NULL,
            read_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS handovers_to ON handovers(to_officer, handover_on)")
    db.execute("CREATE INDEX IF NOT EXISTS handovers_school ON handovers(school, handover_on)")
