"""Migration 004: the scheduler's record of each job's runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


@migrations()
def m004_jobs(db: Database) -> None:
    """``jobs``: one row per scheduled job: the last scheduled time that ran, and how it went."""
    db.execute(
        """
        CREATE TABLE jobs (
            name TEXT PRIMARY KEY,
            last_fire_time TEXT,      -- the scheduled time (Europe/London) of the last successful run
            last_success_at TEXT,     -- wall-clock time that run finished
            last_attempt_at TEXT,
            last_status TEXT,         -- ok | failed
            last_error TEXT,
            last_duration REAL,
            last_summary TEXT
        )
        """
    )
