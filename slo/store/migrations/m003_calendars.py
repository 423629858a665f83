"""Migration m003: the state of the head teachers' calendar files.

``calendar_files`` has one row per school whose ``.ics`` file has been
written: where it is, the fingerprint of the data it was built from (so an
unchanged school is skipped without being rebuilt), the SHA-256 and size of
the bytes written (so a file deleted or altered on disk is rewritten), the
number of events, and when it was last written. Never edit this once shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from . import migrations


@migrations()
def m003_calendars(db: Database) -> None:
    """Per-school state of the calendar export."""
    db.execute(
        """
        CREATE TABLE calendar_files (
            urn TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            size INTEGER NOT NULL,
            events INTEGER NOT NULL,
            written_at TEXT NOT NULL
        )
        """
    )
