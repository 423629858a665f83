"""Migration m003: the state of the head teachers' calendar files.

``calendar_files`` has one row per school whose ``.ics`` file has been
written: where it is, the fingerprint of the data it was built from (so an
unchanged school is skipped without being rebuilt), the SHA-256 and size of
the bytes written (so a file deleted or altered on disk is rewritten), the
number of events, and when it was last written. Never edit this once shipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database


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


CHANGE_TRIGGERS = """
CREATE TABLE calendar_changes (
    urn TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TRIGGER calendar_engagement_insert AFTER INSERT ON engagements
BEGIN
    INSERT INTO calendar_changes (urn, version) VALUES (NEW.school, 1)
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_engagement_update
AFTER UPDATE OF school, officer, young_person, kind, title, starts_at, ends_at, status, sequence, updated_at
ON engagements
BEGIN
    INSERT INTO calendar_changes (urn, version) VALUES (NEW.school, 1)
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
    INSERT INTO calendar_changes (urn, version) SELECT OLD.school, 1 WHERE OLD.school IS NOT NEW.school
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_engagement_delete AFTER DELETE ON engagements
BEGIN
    INSERT INTO calendar_changes (urn, version) VALUES (OLD.school, 1)
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_school_update AFTER UPDATE OF name, uniform_policy ON schools
BEGIN
    INSERT INTO calendar_changes (urn, version) VALUES (NEW.urn, 1)
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_officer_update AFTER UPDATE OF name ON officers
BEGIN
    INSERT INTO calendar_changes (urn, version)
        SELECT DISTINCT school, 1 FROM engagements WHERE officer = NEW.collar_number
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_young_person_insert AFTER INSERT ON young_people WHEN NEW.school IS NOT NULL
BEGIN
    INSERT INTO calendar_changes (urn, version) VALUES (NEW.school, 1)
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_young_person_update AFTER UPDATE OF given_name, family_name, school ON young_people
BEGIN
    INSERT INTO calendar_changes (urn, version)
        SELECT NEW.school, 1 WHERE NEW.school IS NOT NULL
        UNION SELECT OLD.school, 1 WHERE OLD.school IS NOT NULL
        UNION SELECT school, 1 FROM engagements WHERE young_person = NEW.ref
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER calendar_young_person_delete AFTER DELETE ON young_people
BEGIN
    INSERT INTO calendar_changes (urn, version)
        SELECT OLD.school, 1 WHERE OLD.school IS NOT NULL
        UNION SELECT school, 1 FROM engagements WHERE young_person = OLD.ref
        ON CONFLICT (urn) DO UPDATE SET version = version + 1;
END;
"""


@migrations()
def m003_calendar_changes(db: Database) -> None:
    """A change counter per school, kept by triggers, so a quiet export run reads 20,000 small rows
    instead of aggregating every engagement.

    ``calendar_changes.version`` rises whenever anything a school's calendar shows may have changed:
    its engagements (insert, delete, an update of any shown column, SEQUENCE or updated_at), the
    school's name or uniform policy, an officer's name, the names of young people at the school or
    linked to its engagements (the export's name guard reads them). Triggers catch every writer
    (services, bundle import, erasure). ``calendar_files.first_start`` (the earliest start in the
    file) tells when an event has slid out of the twelve-month window.
    """
    db.execute("ALTER TABLE calendar_files ADD COLUMN first_start TEXT")
    for statement in CHANGE_TRIGGERS.split(";\n\n"):
        statement = statement.strip().rstrip(";")  # a trigger keeps the ";" of its inner statements
        if statement:
            db.execute(statement)
    db.execute(
        "INSERT INTO calendar_changes (urn, version) SELECT DISTINCT school, 1 FROM engagements WHERE true"
    )
