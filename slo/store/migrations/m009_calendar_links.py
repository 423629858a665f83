"""Migration m009: the head teachers' calendar subscription links (docs/calendars.md).

``calendar_links`` holds one row per link ever issued. Only the SHA-256 of each
link's random token is stored, never the token itself, so a copy of the database
cannot be turned into working links. At most one link per school is active (not
revoked) at a time: a partial unique index says so. ``disclosed_on`` is the day
(Europe/London) on which the calendar service last audited a fetch through that
link, so a calendar client that polls all day long leaves one audit row a day.

``calendar_settings`` holds the service's settings that an admin stores in the
database (today only ``base_url``, the public address the links start with).

Shipped once it is on main; never edit it again (add a later migration instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m009_calendar_links(db: Database) -> None:
    """Subscription links per school (hashed tokens) and the calendar service's settings."""
    db.execute(
        """
        CREATE TABLE calendar_links (
            token_hash TEXT PRIMARY KEY,
            school TEXT NOT NULL REFERENCES schools(urn) ON DELETE CASCADE,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            revoked_at TEXT,
            revoked_by TEXT,
            revoked_because TEXT,
            disclosed_on TEXT
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX calendar_links_active ON calendar_links(school) WHERE revoked_at IS NULL")
    db.execute("CREATE INDEX calendar_links_school ON calendar_links(school, disclosed_on)")
    db.execute("CREATE TABLE calendar_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
