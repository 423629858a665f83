"""Migration 001: the schema of bundle format 1.

Records are keyed by their natural keys (as in the bundle), so a bundle maps
onto tables without id translation. A few columns exist only in the database:
``engagements.sequence`` (the calendar SEQUENCE), ``engagements.rebooked_from``,
``engagements.updated_at``, ``consultations.exclusion_start``,
``young_people.review_on`` (retention). Lists (working days, reason codes,
risk factors) are stored as JSON arrays.

"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE teams (
    ref TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sergeant TEXT REFERENCES officers(collar_number) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE officers (
    collar_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    team TEXT REFERENCES teams(ref) DEFERRABLE INITIALLY DEFERRED,
    working_days TEXT NOT NULL DEFAULT '["mon","tue","wed","thu","fri"]',
    start_date TEXT NOT NULL,
    end_date TEXT
);
CREATE INDEX officers_team ON officers(team);

CREATE TABLE schools (
    urn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phase TEXT NOT NULL,
    local_authority TEXT,
    postcode TEXT,
    head_teacher TEXT,
    head_teacher_email TEXT,
    uniform_policy TEXT NOT NULL DEFAULT 'uniform_welcome'
);
CREATE INDEX schools_name ON schools(name COLLATE NOCASE);
CREATE INDEX schools_la ON schools(local_authority);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    school TEXT NOT NULL REFERENCES schools(urn),
    start_date TEXT NOT NULL,
    end_date TEXT,
    UNIQUE (school, start_date)
);
CREATE INDEX assignments_officer ON assignments(officer, start_date);

CREATE TABLE young_people (
    ref TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT,
    school TEXT REFERENCES schools(urn),
    year_group INTEGER,
    sex TEXT NOT NULL DEFAULT 'unknown',
    ethnicity TEXT,
    ethnicity_missing_reason TEXT,
    sen TEXT NOT NULL DEFAULT 'unknown',
    fsm TEXT NOT NULL DEFAULT 'unknown',
    review_on TEXT
);
CREATE INDEX young_people_school ON young_people(school);
CREATE INDEX young_people_name ON young_people(family_name COLLATE NOCASE, given_name COLLATE NOCASE);

CREATE TABLE abstractions (
    ref TEXT PRIMARY KEY,
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    portion TEXT NOT NULL,
    category TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason TEXT,
    review_status TEXT NOT NULL DEFAULT 'pending',
    reviewed_by TEXT REFERENCES officers(collar_number),
    reviewed_at TEXT,
    review_note TEXT
);
CREATE INDEX abstractions_officer ON abstractions(officer, date_from);
CREATE INDEX abstractions_dates ON abstractions(date_from, date_to);
CREATE INDEX abstractions_pending ON abstractions(review_status, officer);

CREATE TABLE engagements (
    ref TEXT PRIMARY KEY,
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    school TEXT NOT NULL REFERENCES schools(urn),
    young_person TEXT REFERENCES young_people(ref),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL,
    cancel_reason TEXT,
    abstraction TEXT REFERENCES abstractions(ref),
    notes TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    rebooked_from TEXT REFERENCES engagements(ref),
    updated_at TEXT
);
CREATE INDEX engagements_officer ON engagements(officer, starts_at);
CREATE INDEX engagements_school ON engagements(school, starts_at);
CREATE INDEX engagements_young_person ON engagements(young_person, starts_at);
CREATE INDEX engagements_abstraction ON engagements(abstraction);
CREATE INDEX engagements_starts ON engagements(starts_at);

CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (officer, date_from)
);

CREATE TABLE consultations (
    ref TEXT PRIMARY KEY,
    young_person TEXT NOT NULL REFERENCES young_people(ref),
    school TEXT NOT NULL REFERENCES schools(urn),
    officer TEXT NOT NULL REFERENCES officers(collar_number),
    consulted_on TEXT NOT NULL,
    consulted_by TEXT,
    timing TEXT NOT NULL,
    proposed TEXT NOT NULL,
    reasons TEXT NOT NULL,
    suspension_days REAL,
    risk_factors TEXT,
    advice TEXT,
    outcome TEXT NOT NULL DEFAULT 'pending',
    outcome_on TEXT,
    follow_up_on TEXT,
    exclusion_start TEXT
);
CREATE INDEX consultations_school ON consultations(school, consulted_on);
CREATE INDEX consultations_officer ON consultations(officer, consulted_on);
CREATE INDEX consultations_young_person ON consultations(young_person, consulted_on);
CREATE INDEX consultations_date ON consultations(consulted_on);
CREATE INDEX consultations_follow_up ON consultations(follow_up_on);

CREATE TABLE referrals (
    ref TEXT PRIMARY KEY,
    young_person TEXT NOT NULL REFERENCES young_people(ref),
    consultation TEXT REFERENCES consultations(ref),
    partner TEXT NOT NULL,
    made_on TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome22 INTEGER
);
CREATE INDEX referrals_young_person ON referrals(young_person);
CREATE INDEX referrals_consultation ON referrals(consultation);
CREATE INDEX referrals_made_on ON referrals(made_on);

-- Append-only, hash-chained audit log. ``detail`` never holds personal data
-- (names, notes): keys and field names only, so an erasure leaves nothing behind.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    operation TEXT NOT NULL,
    entity TEXT NOT NULL,
    key TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, key);
CREATE INDEX audit_actor ON audit(actor, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@migrations()
def m001_initial(db: Database) -> None:
    """The whole data dictionary of bundle format 1, plus meta and audit."""
    for statement in SCHEMA_V1.split(";\n"):
        statement = statement.strip()
        if statement:
            db.execute(statement)

