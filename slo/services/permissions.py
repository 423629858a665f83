"""Roles and permissions: one table of role x action x ownership.

``PERMISSIONS[(role, action)]`` is the widest ownership scope in which that
role may perform that action:

* ``own``  - records of the acting officer's own caseload (their engagements,
  abstractions, absences, consultations; schools they are assigned to);
* ``team`` - records of any officer in the acting officer's team;
* ``any``  - every record.

A missing entry means "never". :func:`require` enforces it and raises
:class:`PermissionDenied` with a sentence a user understands. Screens and
commands never decide permissions themselves: they call this module.
"""

from __future__ import annotations

from sqlite_utils import Database

from . import audit
from .actors import Actor
from .errors import PermissionDenied

OWN, TEAM, ANY = "own", "team", "any"
_RANK = {OWN: 0, TEAM: 1, ANY: 2}

# action names
VIEW = "view"                      # see a record (caseload, school, young person)
WRITE = "write"                    # create or change caseload records
REVIEW_ABSTRACTION = "review_abstraction"
IMPORT = "import"                  # load a bundle
MANAGE = "manage"                  # officers, teams, schools, assignments, term dates
EXPORT_BUNDLE = "export_bundle"    # named export of everything
EXPORT_CALENDARS = "export_calendars"
CALENDAR_LINKS = "calendar_links"  # issue, rotate and revoke a school's calendar subscription link
REPORT = "report"                  # the continuity report with collar numbers and refs
REPORT_EVALUATION = "report_evaluation"
VIEW_AUDIT = "view_audit"
ERASE = "erase"
MANAGE_ACCESS = "manage_access"  # bind principals to officers (slo access)

PERMISSIONS: dict[tuple[str, str], str] = {
    ("slo", VIEW): TEAM,
    ("slo", WRITE): OWN,
    ("slo", EXPORT_CALENDARS): OWN,
    ("slo", CALENDAR_LINKS): OWN,
    ("slo", REPORT): OWN,
    ("sergeant", VIEW): TEAM,
    ("sergeant", WRITE): TEAM,
    ("sergeant", REVIEW_ABSTRACTION): TEAM,
    ("sergeant", EXPORT_CALENDARS): TEAM,
    ("sergeant", CALENDAR_LINKS): OWN,
    ("sergeant", REPORT): TEAM,
    ("sergeant", REPORT_EVALUATION): TEAM,
    ("inspector", VIEW): ANY,
    ("inspector", EXPORT_CALENDARS): ANY,
    ("inspector", REPORT): ANY,
    ("inspector", REPORT_EVALUATION): ANY,
    ("admin", VIEW): ANY,
    ("admin", WRITE): ANY,
    ("admin", IMPORT): ANY,
    ("admin", MANAGE): ANY,
    ("admin", EXPORT_BUNDLE): ANY,
    ("admin", EXPORT_CALENDARS): ANY,
    ("admin", CALENDAR_LINKS): ANY,
    ("admin", REPORT): ANY,
    ("admin", REPORT_EVALUATION): ANY,
    ("admin", VIEW_AUDIT): ANY,
    ("admin", ERASE): ANY,
    ("admin", MANAGE_ACCESS): ANY,
    ("evaluator", REPORT_EVALUATION): ANY,
    ("system", VIEW): ANY,
    ("system", WRITE): ANY,
    ("system", IMPORT): ANY,
    ("system", MANAGE): ANY,
    ("system", EXPORT_CALENDARS): ANY,
    ("system", REPORT): ANY,
    ("system", REPORT_EVALUATION): ANY,
}

_ACTION_WORDS = {
    VIEW: "see",
    WRITE: "change",
    REVIEW_ABSTRACTION: "review abstractions of",
    IMPORT: "import data into",
    MANAGE: "manage officers and schools in",
    EXPORT_BUNDLE: "export every record of",
    EXPORT_CALENDARS: "export calendars for",
    CALENDAR_LINKS: "manage the calendar link of",
    REPORT: "run the continuity report for",
    REPORT_EVALUATION: "produce the evaluation dataset for",
    VIEW_AUDIT: "read the audit log of",
    ERASE: "erase records from",
    MANAGE_ACCESS: "grant or revoke access to",
}


def team_of(db: Database, collar: str) -> str | None:
    row = db.execute("SELECT team FROM officers WHERE collar_number = ?", [collar]).fetchone()
    return row[0] if row else None


def ownership(db: Database, actor: Actor, officer: str | None) -> str:
    """How the record's officer relates to the actor: ``own``, ``team`` or ``any``."""
    if officer is None:
        return ANY
    if officer == actor.collar:
        return OWN
    if actor.team is not None and team_of(db, officer) == actor.team:
        return TEAM
    return ANY


def allowed(db: Database, actor: Actor, action: str, officer: str | None = None) -> bool:
    scope = PERMISSIONS.get((actor.role, action))
    if scope is None:
        return False
    if officer is None:
        # an action not about one officer's records: any grant covers it at the
        # actor's own scope (e.g. an SLO reporting on their own work)
        return True
    return _RANK[ownership(db, actor, officer)] <= _RANK[scope]


def require(db: Database, actor: Actor, action: str, officer: str | None = None, *, what: str = "") -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may do ``action`` on ``officer``'s records.

    The refusal is written to the audit log in its own short transaction, so it
    stays on the record although the action fails.
    """
    if allowed(db, actor, action, officer):
        return
    target = what or (f"officer {officer}'s records" if officer else "this database")
    message = (
        f"{actor.collar} ({actor.role}) may not {_ACTION_WORDS.get(action, action)} {target}"
    )
    log_refusal(db, actor, action, target)
    raise PermissionDenied(message)


def log_refusal(db: Database, actor: Actor, action: str, target: str) -> None:
    """Audit a refusal in its own transaction.

    Call :func:`require` *before* opening the write transaction of the action,
    so the refusal is committed although the action is not. (Inside an open
    transaction the row is written there and shares its fate.)
    """
    conn = db.conn
    # the target sentence may quote what the user typed: the log keeps only existing keys
    detail = {"target": audit.refusal_target(db, target)}
    if conn.in_transaction:
        audit.record(db, actor.collar, audit.REFUSED, "permission", action, detail)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        audit.record(db, actor.collar, audit.REFUSED, "permission", action, detail)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
