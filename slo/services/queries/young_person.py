"""The young person screen: a personal record. Reading it writes a ``view`` row to the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slo.models.enums import ETHNICITY_LABELS, ONE_TO_ONE_TITLE, coded, label
from slo.services.actors import Actor
from slo.store.db import Store

from .scope import MAX_ROWS, require_young_person

if TYPE_CHECKING:
    from slo.models import YoungPerson


@dataclass
class ChronologyItem:
    on: str  # ISO date or date-time, sorts as text
    kind: str  # session, consultation, outcome, referral
    ref: str
    summary: str
    consultation: str | None = None  # the consultation this line is about, if any


@dataclass
class DeadlineLine:
    kind: str
    ref: str
    due_on: str
    provisional: bool
    title: str


@dataclass
class YoungPersonDetail:
    person: YoungPerson
    school_name: str | None
    chronology: list[ChronologyItem]
    deadlines: list[DeadlineLine]

    @property
    def ethnicity_text(self) -> str:
        ethnicity, reason = self.person.ethnicity, self.person.ethnicity_missing_reason
        return ethnicity_text(ethnicity.value if ethnicity else None, reason.value if reason else None)


def ethnicity_text(code: str | None, reason: str | None) -> str:
    """The ethnicity with its source, or why it is missing."""
    why = f" (reason: {label(str(reason))})" if reason else ""
    if not code:
        return "Not recorded" + (why or " (no reason recorded)")
    text = f"{code} {ETHNICITY_LABELS.get(str(code), '')} (self-defined, 18+1 code)"
    if str(code) == "NS":
        text += why or " (no reason recorded)"
    return text


#: the chronology's order within one day, newest first: an outcome after its consultation...
_DAY_ORDER = {"outcome": 0, "referral": 1, "consultation": 2, "session": 3}


def young_person(
    store: Store, actor: Actor, ref: str, *, limit: int = MAX_ROWS, audit_view: bool = True
) -> YoungPersonDetail:
    """Open a young person's record: checks scope, writes the ``view`` audit row, builds the chronology.

    ``audit_view=False`` only to refresh a record the same person has open on screen
    (its opening was audited already).
    """
    # the pydantic models and the school-day calendar: not needed for the desk's first screen
    from slo.models import YoungPerson
    from slo.services import records
    from slo.services.schooldays import deadlines_for_young_person

    db = store.db
    require_young_person(db, actor, ref)
    person = records.view(store, actor, "young_people", ref) if audit_view else records.get(db, "young_people", ref)
    assert isinstance(person, YoungPerson)
    school_name = None
    if person.school:
        row = db.execute("SELECT name FROM schools WHERE urn = ?", [person.school]).fetchone()
        school_name = row[0] if row else None
    items: list[ChronologyItem] = []
    for r in db.execute(
        "SELECT e.ref, e.starts_at, e.kind, e.title, e.status, e.cancel_reason, COALESCE(s.name, e.school) "
        "FROM engagements e LEFT JOIN schools s ON s.urn = e.school WHERE e.young_person = ? "
        "ORDER BY e.starts_at DESC LIMIT ?",
        [ref, limit],
    ):
        status = r[4] + (f" ({label(r[5])})" if r[5] else "")
        # a title that only says the kind (or a 1:1's as the school's calendar shows it) is not said twice:
        # "1:1 session: Liaison officer: 1:1 session", "Assembly: Assembly"
        kind = label(r[2])
        said_twice = r[3].casefold() in (kind.casefold(), ONE_TO_ONE_TITLE.casefold())
        what = kind if said_twice else f"{kind}: {r[3]}"
        items.append(ChronologyItem(r[1], "session", r[0], f"{what} at {r[6]} - {status}"))
    for r in db.execute(
        "SELECT ref, consulted_on, proposed, reasons, outcome, outcome_on, suspension_days FROM consultations "
        "WHERE young_person = ? ORDER BY consulted_on DESC LIMIT ?",
        [ref, limit],
    ):
        reasons = ", ".join(coded(code) for code in (json.loads(r[3]) if r[3] else []))
        summary = f"Proposed {label(r[2])} ({reasons}); outcome {label(r[4])}"
        items.append(ChronologyItem(r[1], "consultation", r[0], summary, r[0]))
        if r[4] != "pending" and r[5]:
            days = f", {r[6]:g} days" if r[6] else ""
            items.append(ChronologyItem(r[5], "outcome", r[0], f"Outcome: {label(r[4])}{days}", r[0]))
    for r in db.execute(
        "SELECT ref, made_on, partner, status, outcome22, consultation FROM referrals WHERE young_person = ? "
        "ORDER BY made_on DESC LIMIT ?",
        [ref, limit],
    ):
        o22 = " - outcome 22" if r[4] else ""
        items.append(ChronologyItem(r[1], "referral", r[0], f"Referral to {label(r[2])}: {label(r[3])}{o22}", r[5]))
    items.sort(key=lambda i: (i.on[:10], i.on, -_DAY_ORDER.get(i.kind, 9), i.ref), reverse=True)
    deadlines = [
        DeadlineLine(d.kind, d.ref, d.due_on.isoformat(), bool(d.provisional), d.title)
        for d in deadlines_for_young_person(db, ref)
    ]
    return YoungPersonDetail(person, school_name, items[:limit], deadlines)
