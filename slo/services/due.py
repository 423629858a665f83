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
* ``handover_note`` (schools liaison officers) - a school handed to them whose handover note
  they have not read yet, due on the handover day.
* ``challenge_result`` (sergeants) - the team's challenged abstractions still awaiting
  their result (upheld or withdrawn), due 5 working days (Monday to Friday, bank holidays
  excepted) after the challenge was made, overdue after that.

Scope: an SLO (and an inspector, evaluator) sees items of their own
consultations; a sergeant their team's consultations too (oversight) plus the
team's reviews; an admin their own plus retention reviews (a hook, empty for
now). Items carry refs and school URNs; :func:`due_items` with ``names=True`` (the desk and
``slo due``'s text, read by the person whose list it is) also gives the school's name and the
young person's. The json output keeps refs only (docs/spec/cli.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from slo.models.enums import label
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import schooldays
from .actors import Actor

if TYPE_CHECKING:
    from sqlite_utils import Database

#: consultations pending this many school days after consultation need an outcome
OUTCOME_DUE_SCHOOL_DAYS = 10
#: past follow-ups stay on the list (overdue) this many days
OVERDUE_LOOKBACK_DAYS = 28
#: pending outcomes stay on the list (overdue) for consultations this recent
OUTCOME_LOOKBACK_DAYS = 365
#: an abstraction should be reviewed within this many days after it ends
REVIEW_DUE_DAYS = 5
MAX_DAYS = 366

#: what each kind of item asks, in words (the desk and ``slo due``'s text)
WHAT = {
    "follow_up": "Follow up",
    "outcome_missing": "Record the outcome",
    "provision_day6": "Full-time provision from day 6",
    "governors_review": "Governors' review by day 15",
    "suspension_cap": "Suspension days in the year",
    "abstraction_review": "Review the abstraction",
    "challenge_result": "Record the challenge's result",
    "handover_note": "Read the handover note",
    "retention_review": "Retention review",
}

#: kinds whose title only repeats what :attr:`DueItem.what` says
PLAIN_TITLES = ("follow_up", "outcome_missing")

KINDS = ("follow_up", "outcome_missing", "provision_day6", "governors_review", "suspension_cap",
         "abstraction_review", "challenge_result", "handover_note")


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
    #: the young person the item is about (a ref), if any
    young_person: str | None = None
    #: filled by ``due_items(..., names=True)`` only: for the person whose list it is
    school_name: str | None = None
    young_person_name: str | None = None

    @property
    def what(self) -> str:
        """What to do, in words (``Record the outcome``)."""
        return WHAT.get(self.kind, label(self.kind))

    @property
    def about(self) -> str:
        """Who and where, by name when known (``Alex Morgan at Northgate Academy``), else by ref."""
        who = self.young_person_name or self.young_person
        where = self.school_name or (f"school {self.school}" if self.school else None)
        if self.kind in ("abstraction_review", "challenge_result"):
            return f"{self.officer}'s abstraction"
        return " at ".join(p for p in (who, where) if p) or self.ref

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
            "young_person": self.young_person,
        }


def team_members(db: Database, team: str | None) -> list[str]:
    if team is None:
        return []
    rows = db.execute("SELECT collar_number FROM officers WHERE team = ? ORDER BY collar_number", [team])
    return [r[0] for r in rows]


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
        f"SELECT ref, school, officer, follow_up_on, young_person FROM consultations "
        f"WHERE officer IN ({_in(officers)}) AND follow_up_on BETWEEN ? AND ?",
        [*officers, since.isoformat(), last.isoformat()],
    ).fetchall()
    out = []
    for ref, school, officer, follow, young_person in rows:
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
                           "", school, False, overdue, officer, young_person))
    return out


def _outcomes_missing(db: Database, officers: list[str], first: date, last: date) -> list[DueItem]:
    since = first - timedelta(days=OUTCOME_LOOKBACK_DAYS)
    rows = db.execute(
        f"SELECT ref, school, officer, consulted_on, young_person FROM consultations "
        f"WHERE officer IN ({_in(officers)}) AND outcome = 'pending' AND consulted_on BETWEEN ? AND ?",
        [*officers, since.isoformat(), last.isoformat()],
    ).fetchall()
    cals = schooldays._Calendars(db)
    out = []
    for ref, school, officer, consulted, young_person in rows:
        due, prov = cals.school(school).school_days_after(date.fromisoformat(consulted), OUTCOME_DUE_SCHOOL_DAYS)
        if due > last:
            continue
        out.append(DueItem(
            "outcome_missing", ref, due, f"Record the outcome of consultation {ref}",
            f"consulted {consulted}; still pending after {OUTCOME_DUE_SCHOOL_DAYS} school days",
            school, prov, due < first, officer, young_person,
        ))
    return out


def _deadlines(db: Database, officers: list[str], first: date, last: date) -> list[DueItem]:
    out = []
    for exc, d in schooldays.deadlines_between(db, officers, first, last):
        detail = f"{exc.outcome.replace('_', ' ')} from {exc.start.isoformat()}"
        if d.provisional:
            detail += "; provisional (no term dates for the school's local authority)"
        out.append(DueItem(d.kind, d.ref, d.due_on, d.title, detail, exc.school, d.provisional, False, exc.officer,
                           exc.young_person))
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


def _challenges(db: Database, actor: Actor, first: date, last: date) -> list[DueItem]:
    """The team's challenges awaiting a result, once 5 working days have passed since each was made."""
    from .abstractions import CHALLENGE_DUE_WORKING_DAYS, working_days_after

    members = [m for m in team_members(db, actor.team) if m != actor.collar]
    if not members:
        return []
    rows = db.execute(
        f"SELECT ref, officer, date_from, date_to, challenged_to, requested_by, reviewed_at FROM abstractions "
        f"WHERE review_status = 'challenged' AND officer IN ({_in(members)}) AND reviewed_at IS NOT NULL",
        members,
    ).fetchall()
    out = []
    for ref, officer, date_from, date_to, challenged_to, requested_by, reviewed_at in rows:
        made = date.fromisoformat(reviewed_at[:10])
        due = working_days_after(made, CHALLENGE_DUE_WORKING_DAYS)
        if due > last:
            continue
        span = date_from if date_from == date_to else f"{date_from} to {date_to}"
        out.append(DueItem(
            "challenge_result", ref, due, f"Record the result of the challenge of abstraction {ref} of {officer}",
            f"challenged {made.isoformat()} to {challenged_to or requested_by}; {span}; upheld or withdrawn?",
            None, False, due < first, officer,
        ))
    return out


def _handovers(db: Database, actor: Actor, first: date, last: date) -> list[DueItem]:
    """Schools handed to the officer whose handover note they have not read yet, due on the handover day."""
    rows = db.execute(
        "SELECT h.id, h.school, h.from_officer, h.handover_on FROM handovers h WHERE h.to_officer = ? "
        "AND h.read_at IS NULL AND h.handover_on <= ? ORDER BY h.handover_on, h.id",
        [actor.collar, last.isoformat()],
    ).fetchall()
    out = []
    for handover_id, school, outgoing, on in rows:
        due = date.fromisoformat(on)
        out.append(DueItem(
            "handover_note", str(handover_id), due, f"Read the handover note of school {school}",
            f"handed over by {outgoing or 'nobody'} from {on}; N opens the handover notes",
            school, False, due < first, actor.collar,
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
                young_person=review.ref,
            )
        )
    return items


#: extra item sources by role (other parts may register here)
EXTRA_SOURCES: dict[str, list[Callable[[Database, Actor, date, date], list[DueItem]]]] = {
    "slo": [_handovers],
    "sergeant": [_reviews, _challenges],
    "admin": [_retention_reviews],
}


def due_items(store: Store, actor: Actor, on: date, days: int = 7, *, names: bool = False) -> list[DueItem]:
    """What needs doing for ``actor`` from ``on`` over ``days`` days (plus overdue items),
    sorted by (due_on, kind, ref).

    ``names``: also the schools' and the young people's names (for the person whose list it is:
    the items are their own, or their team's for a sergeant)."""
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
    if names:
        items = with_names(db, items)
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.ref))


def with_names(db: Database, items: list[DueItem]) -> list[DueItem]:
    """``items`` with their schools' and young people's names (one query each)."""
    from dataclasses import replace

    urns = sorted({i.school for i in items if i.school})
    refs = sorted({i.young_person for i in items if i.young_person})
    schools = dict(db.execute(
        f"SELECT urn, name FROM schools WHERE urn IN ({_in(urns)})", urns).fetchall()) if urns else {}
    people = {r: f"{g} {f}" for r, g, f in db.execute(
        f"SELECT ref, given_name, family_name FROM young_people WHERE ref IN ({_in(refs)})", refs).fetchall()
    } if refs else {}
    return [replace(i, school_name=schools.get(i.school or ""), young_person_name=people.get(i.young_person or ""))
            for i in items]


def render_text(items: list[DueItem], actor: Actor, on: date, days: int) -> str:
    """For people: overdue first, then grouped by day; each item by name (``due_items(names=True)``)
    with its ref, so it can be found in the desk."""
    last = on + timedelta(days=days - 1)
    head = f"Due for {actor.collar} from {on.isoformat()} to {last.isoformat()} ({days} day{'s' if days != 1 else ''})"
    if not items:
        return head + "\n\nNothing due."
    lines = [head]
    what_width = max(len(i.what) for i in items)

    def line(i: DueItem, with_date: bool) -> str:
        flags = []
        if i.provisional:
            flags.append("provisional")
        tag = f" [{', '.join(flags)}]" if flags else ""
        when = f"{i.due_on.strftime('%a %d %b %Y')}  " if with_date else ""
        text = f"  {when}{i.what:<{what_width}}  {i.about} ({i.ref}){tag}"
        said = [i.title] if i.kind not in PLAIN_TITLES else []
        said += [i.detail] if i.detail else []
        if said:
            text += "\n      " + "; ".join(said)
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
