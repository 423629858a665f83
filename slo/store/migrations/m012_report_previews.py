"""Migration m012: the reports preview kept between openings (docs/performance.md, issue 20).

``data_version`` is one row, ``n``, that every insert, update and deletion in the tables the
continuity report counts from adds one to (a trigger per table and operation, so no way of
writing, the desk's, an import's or a hand-made one, can change the figures without it).

``report_previews`` keeps the last figures the desk's reports screen showed for a scope and
period (:mod:`slo.reports.previews`): what ``data_version`` was when they were counted, the day
they were counted to, the definitions' version, when they were made, and the figures as JSON.
Figures of officers, teams and the force, and counts of schools and young people: no child's
name or ref.

Shipped once it is on main; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

#: the tables the continuity report reads (slo/reports), as they were when this migration was made
COUNTED = ("teams", "officers", "schools", "assignments", "young_people", "abstractions", "engagements",
           "absences", "consultations", "referrals", "term_dates")


@migrations()
def m012_report_previews(db: Database) -> None:
    """The data version, its triggers, and the kept previews."""
    db.execute("CREATE TABLE IF NOT EXISTS data_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
               "n INTEGER NOT NULL)")
    db.execute("INSERT OR IGNORE INTO data_version (id, n) VALUES (1, 0)")
    for table in COUNTED:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS data_version_{table}_{operation.lower()} "
                f"AFTER {operation} ON [{table}] BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END"
            )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS report_previews (
            scope TEXT NOT NULL,
            date_from TEXT NOT NULL,
            date_to TEXT NOT NULL,
            counted_to TEXT NOT NULL,
            data_version INTEGER NOT NULL,
            definitions TEXT NOT NULL,
            made_at TEXT NOT NULL,
            figures TEXT NOT NULL,
            PRIMARY KEY (scope, date_from, date_to)
        )
        """
    )
