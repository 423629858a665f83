"""What needs doing: ``slo due`` and the desk's "due" list.

For the acting user, over the window ``on`` .. ``on + days - 1`` (inclusive):

* ``follow_up`` - a consultation's ``follow_up_on`` falls in the window. A
  follow-up already past is shown as **overdue** (``overdue=True``) for up to
  :data:`OVERDUE_LOOKBACK_DAYS` days unless the consultation has been changed
  (any create/update audit row other than a bundle import) on or after the
  follow-up day: touching the record is how an officer shows they followed up.
* ``outcome_missing`` - a consultation still ``pending`` 10 school days after
  ``consulted_on``; due on that 10th school day. Once due it stays (overdue)
  until an outcome is recorded, for consultations of the last 365 days.
* ``provision_day6``, ``governors_review``, ``suspension_cap`` - exclusion
  deadlines due in the window (:mod:`slo.services.schooldays`); never overdue
  (they have no "done" state).
* ``abstraction_review`` (sergeants) - the team's abstractions awaiting review
  (not the sergeant's own: they may not review themselves); due 5 days after
  the abstraction ends, overdue after that while still pending.

Scope: an SLO (and an inspector, evaluator) sees items of their own
consultations; a sergeant their team's consultations too (oversight) plus the
team's reviews; an admin their own plus retention reviews (a hook, empty for
now). Items carry refs and school URNs only, never a child's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import schooldays
from .actors import Actor

#: consultations pending this many school days after consultation need an outcome
OUTCOME_DUE_SCHOOL_DAYS = 10
#: past follow-ups stay on the list (overdue) this many days
OVERDUE_LOOKBACK_DAYS = 28
#: pending outcomes stay on the list (overdue) for consultations this recent
OUTCOME_LOOKBACK_DAYS = 365
#: an abstraction should be reviewed within this many days after it ends
REVIEW_DUE_DAYS = 5
MAX_DAYS = 366

KINDS = ("follow_up", "outcome_missing", "provision_day6", "governors_review", "suspension_cap",
         "abstraction_review")


@dataclass(frozen=True)
class DueItem:
    kind: str
    ref: str
    due_on: date
    title: str
    detail: str = ""
    school: str | None = None
    provisional: bool = False
    overdue: bool = False
    officer: str | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "due_on": self.due_on.isoformat(),
            "title": self.title,
            "detail": self.detail,
            "school": self.school,
            "officer": self.officer,
            "provisional": self.provisional,
            "overdue": self.overdue,
        }


def team_members(db: Database, team: str | None) -> list[str]:
    if team is None:
        return []
    return [r[0] for r in db.execute("SELECT collar_number FROM officers WHERE team = ? ORDER BY collar_number", [team])]


def consultation_officers(db: Database, actor: Actor) -> list[str]:
    """Whose consultations the actor's list covers."""
    if actor.role == "sergeant":
        return sorted(set(team_members(db, actor.team)) | {actor.collar})
    return [actor.collar]


def _in(officers: list[str]) -> str:
    return ", ".join("?" for _ in officers)


def _follow_ups(db: Database, officers: list[str], first: date, last: date) -> list[DueItem]:
    since = first - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    rows = db.execute(
        f"SELECT ref, school, officer, follow_up_on FROM consultations WHERE officer IN ({_in(officers)}) "
        "AND follow_up_on BETWEEN ? AND ?",
        [*officers, since.isoformat(), last.isoformat()],
    ).fetchall()
    out = []
    for ref, school, officer, follow in rows:
        due = date.fromisoformat(follow)
        overdue = due < first
        if overdue:
            touched = db.execute(
                "SELECT 1 FROM audit WHERE entity = 'consultations' AND key = ? "
                "AND operation IN ('create', 'update') AND substr(at, 1, 10) >= ? "
                "AND (detail IS NULL OR detail NOT LIKE '%\"source\":\"import\"%') LIMIT 1",
                [ref, follow],
            ).fetchone()
            if touched:
                continue
        out.append(DueItem("follow_up", ref, due, f"Follow up consultation {ref}",
                           f"school {school}", school, False, overdue, officer))
    return out


def _outcomes_missing(db: Database, officers: list[str], first: date, last: date) -> list[DueItem]:
    since = first - timedelta(days=OUTCOME_LOOKBACK_DAYS)
    rows = db.execute(
        f"SELECT ref, school, officer, consulted_on FROM consultations WHERE officer IN ({_in(officers)}) "
        "AND outcome = 'pending' AND consulted_on BETWEEN ? AND ?",
        [*officers, since.isoformat(), last.isoformat()],
    ).fetchall()
    cals = schooldays._Calendars(db)
    out = []
    for ref, school, officer, consulted in rows:
        due, prov = cals.school(school).school_days_after(date.fromisoformat(consulted), OUTCOME_DUE_SCHOOL_DAYS)
        if due > last:
            continue
        out.append(DueItem(
            "outcome_missing", ref, due, f"Record the outcome of consultation {ref}",
            f"consulted {consulted}; still pending after {OUTCOME_DUE_SCHOOL_DAYS} school days; school {school}",
            school, prov, due < first, officer,
        ))
    return out


def _deadlines(db: Database, officers: list[str], first: date, last: date) -> list[DueItem]:
    out = []
    for exc, d in schooldays.deadlines_between(db, officers, first, last):
        detail = f"{exc.outcome.replace('_', ' ')} from {exc.start.isoformat()}; school {exc.school}"
        if d.provisional:
            detail += "; provisional (no term dates for the school's local authority)"
        out.append(DueItem(d.kind, d.ref, d.due_on, d.title, detail, exc.school, d.provisional, False, exc.officer))
    return out


def _reviews(db: Database, actor: Actor, first: date, last: date) -> list[DueItem]:
    members = [m for m in team_members(db, actor.team) if m != actor.collar]
    if not members:
        return []
    latest_end = (last - timedelta(days=REVIEW_DUE_DAYS)).isoformat()
    rows = db.execute(
        f"SELECT ref, officer, date_from, date_to, portion, category FROM abstractions "
        f"WHERE review_status = 'pending' AND officer IN ({_in(members)}) AND date_to <= ?",
        [*members, latest_end],
    ).fetchall()
    out = []
    for ref, officer, date_from, date_to, portion, category in rows:
        due = date.fromisoformat(date_to) + timedelta(days=REVIEW_DUE_DAYS)
        out.append(DueItem(
            "abstraction_review", ref, due, f"Review abstraction {ref} of {officer}",
            f"{category.replace('_', ' ')}, {portion} day(s) {date_from} to {date_to}",
            None, False, due < first, officer,
        ))
    return out


def _retention_reviews(db: Database, actor: Actor, first: date, last: date) -> list[DueItem]:
    """Admins: young people whose retention review falls in the window (or is overdue).

    See :mod:`slo.services.retention` (6 years after the last record, or ``review_on``).
    Refs only: never a name.
    """
    from .retention import reviews_due

    items = []
    for review in reviews_due(db, first, (last - first).days):
        last_record = review.last_record.isoformat() if review.last_record else "none"
        items.append(
            DueItem(
                kind="retention_review",
                ref=review.ref,
                due_on=review.review_on,
                title="Retention review: keep (set a new review date) or erase",
                detail=f"last record {last_record}",
                overdue=review.review_on < first,
            )
        )
    return items


#: extra item sources by role (other parts may register here)
EXTRA_SOURCES: dict[str, list[Callable[[Database, Actor, date, date], list[DueItem]]]] = {
    "sergeant": [_reviews],
    "admin": [_retention_reviews],
}


def due_items(store: Store, actor: Actor, on: date, days: int = 7) -> list[DueItem]:
    """What needs doing for ``actor`` from ``on`` over ``days`` days (plus overdue items),
    sorted by (due_on, kind, ref)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed([Problem("due", "days", None, f"must be between 1 and {MAX_DAYS}")])
    db = store.db
    first, last = on, on + timedelta(days=days - 1)
    officers = consultation_officers(db, actor)
    items: list[DueItem] = []
    items += _follow_ups(db, officers, first, last)
    items += _outcomes_missing(db, officers, first, last)
    items += _deadlines(db, officers, first, last)
    for source in EXTRA_SOURCES.get(actor.role, []):
        items += source(db, actor, first, last)
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.ref))


def render_text(items: list[DueItem], actor: Actor, on: date, days: int) -> str:
    """For people: overdue first, then grouped by day."""
    last = on + timedelta(days=days - 1)
    head = f"Due for {actor.collar} from {on.isoformat()} to {last.isoformat()} ({days} day{'s' if days != 1 else ''})"
    if not items:
        return head + "\n\nNothing due."
    lines = [head]
    ref_width = max(len(i.ref) for i in items)

    def line(i: DueItem, with_date: bool) -> str:
        flags = []
        if i.provisional:
            flags.append("provisional")
        tag = f" [{', '.join(flags)}]" if flags else ""
        when = f"{i.due_on.isoformat()}  " if with_date else ""
        text = f"  {when}{i.kind:<18} {i.ref:<{ref_width}}  {i.title}{tag}"
        if i.detail:
            text += f"\n      {i.detail}"
        return text

    overdue = [i for i in items if i.overdue]
    if overdue:
        lines += ["", f"Overdue ({len(overdue)})"]
        lines += [line(i, True) for i in overdue]
    current_day = None
    for i in items:
        if i.overdue:
            continue
        if i.due_on != current_day:
            current_day = i.due_on
            lines += ["", i.due_on.strftime("%a %d %b %Y")]
        lines.append(line(i, False))
    return "\n".join(lines)
