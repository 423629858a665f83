"""Handing a school from one officer to the next, in one step, without losing its open work.

:func:`plan_handover` says what a handover of ``school`` to ``incoming`` on ``day`` would do (an
admin looks before saving); :func:`hand_over` does it, in **one transaction**:

* the outgoing officer's assignment (the one covering the day before ``day``, or ``day`` itself)
  ends on the day before ``day``; the incoming officer's starts on ``day`` (open-ended). Refused
  when the school has no officer to hand over from, when the incoming officer is not a schools
  liaison officer in post on ``day``, is the outgoing one, or when the school already has an
  assignment starting after the outgoing one;
* each planned engagement of the outgoing officer at the school from ``day`` on moves to the
  incoming officer (the head teacher's calendar shows the change: its SEQUENCE goes up), except
  those listed in ``cancel``, which are cancelled with ``cancel_reason`` (default
  ``officer_unavailable``). One that would clash for the incoming officer (another planned
  engagement of theirs at that time, an absence or abstraction that day, not one of their working
  days) is refused unless it is cancelled: :func:`plan_handover` marks them;
* a ``handovers`` row records it (school, both officers, the day, how many moved and cancelled, who
  made it and when): the **handover note** for the incoming officer is read from it
  (:mod:`slo.services.queries.handover`), and the audit log has the handover as one ``create`` row
  with counts beside the rows of each record it changed.

Permission ``manage`` (admins). Nothing here names a child in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from slo.models import Assignment, Engagement
from slo.models.enums import WEEKDAY_INDEX, CancelReason, EngagementStatus
from slo.models.rules import Problem, ValidationFailed
from slo.store.db import Store

from . import audit, permissions, records
from .actors import Actor
from .errors import Conflict, NotFound, PermissionDenied

if TYPE_CHECKING:
    from sqlite_utils import Database


def dict_rows(cursor: object) -> list[dict]:
    """Every row of a cursor as a dict by column name."""
    cols = [c[0] for c in cursor.description]  # type: ignore[attr-defined]
    return [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]  # type: ignore[attr-defined]


@dataclass
class ToMove:
    """One planned engagement of the outgoing officer at the school from the handover day."""

    ref: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    title: str
    one_to_one: bool
    #: why it cannot move as it is (it clashes for the incoming officer); None: it can
    clash: str | None = None


@dataclass
class HandoverPlan:
    school: str
    school_name: str
    outgoing: str
    outgoing_name: str
    incoming: str
    incoming_name: str
    day: date
    #: the outgoing assignment's start, and its end before the handover (None: open-ended)
    outgoing_start: date
    outgoing_end: date | None
    engagements: list[ToMove] = field(default_factory=list)

    @property
    def clashes(self) -> list[ToMove]:
        return [e for e in self.engagements if e.clash]


@dataclass
class HandoverResult:
    id: int
    plan: HandoverPlan
    moved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def _officer(db: Database, collar: str) -> dict:
    rows = dict_rows(db.execute(
        "SELECT collar_number, name, role, start_date, end_date, working_days FROM officers WHERE collar_number = ?",
        [collar]))
    if not rows:
        raise NotFound(f"no officer with collar number {collar!r}")
    return rows[0]


def _clash(db: Database, incoming: dict, e: dict) -> str | None:
    """Why engagement ``e`` cannot simply become the incoming officer's (None: it can)."""
    import json

    collar = incoming["collar_number"]
    start, end = e["starts_at"], e["ends_at"]
    day = start[:10]
    working = {WEEKDAY_INDEX[d] for d in json.loads(incoming["working_days"] or "[]")} or set(range(5))
    if date.fromisoformat(day).weekday() not in working:
        return f"{date.fromisoformat(day):%A} is not one of {collar}'s working days"
    if incoming["end_date"] and day > incoming["end_date"]:
        return f"{collar}'s last day is {incoming['end_date']}"
    row = db.execute("SELECT kind FROM absences WHERE officer = ? AND date_from <= ? AND date_to >= ? LIMIT 1",
                     [collar, day, day]).fetchone()
    if row:
        return f"{collar} is absent that day ({row[0].replace('_', ' ')})"
    row = db.execute("SELECT ref FROM abstractions WHERE officer = ? AND date_from <= ? AND date_to >= ? LIMIT 1",
                     [collar, day, day]).fetchone()
    if row:
        return f"{collar} is abstracted that day ({row[0]})"
    row = db.execute(
        "SELECT ref, starts_at, ends_at FROM engagements WHERE officer = ? AND status = 'planned' "
        "AND starts_at < ? AND ends_at > ? ORDER BY starts_at LIMIT 1", [collar, end, start]).fetchone()
    if row:
        return f"{collar} has {row[0]} then ({row[1][11:16]}-{row[2][11:16]})"
    return None


def _plan(db: Database, urn: str, incoming_collar: str, day: date) -> HandoverPlan:
    school = db.execute("SELECT name FROM schools WHERE urn = ?", [urn]).fetchone()
    if school is None:
        raise NotFound(f"no school with URN {urn!r}")
    incoming = _officer(db, incoming_collar)
    if incoming["role"] != "slo":
        raise ValidationFailed([Problem("handovers", urn, "incoming",
                                        f"{incoming_collar} is a {incoming['role']}, not a schools liaison officer")])
    if day.isoformat() < incoming["start_date"] or (incoming["end_date"] and day.isoformat() > incoming["end_date"]):
        raise ValidationFailed([Problem("handovers", urn, "incoming",
                                        f"{incoming_collar} is not in post on {day}")])
    before = (day - timedelta(days=1)).isoformat()
    row = db.execute(
        "SELECT officer, start_date, end_date FROM assignments WHERE school = ? AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY start_date DESC LIMIT 1",
        [urn, day.isoformat(), before]).fetchone()
    if row is None:
        raise Conflict(f"school {urn} has no officer on {before} or {day} to hand over from: assign one instead")
    outgoing, start, end = row
    if outgoing == incoming_collar:
        raise ValidationFailed([Problem("handovers", urn, "incoming", f"{incoming_collar} already has the school")])
    if start >= day.isoformat():
        raise Conflict(f"{outgoing}'s assignment to school {urn} starts on {start}: a handover on {day} would "
                       "leave them no day; change that assignment instead")
    later = db.execute("SELECT officer, start_date FROM assignments WHERE school = ? AND start_date > ? "
                       "ORDER BY start_date LIMIT 1", [urn, start]).fetchone()
    if later:
        raise Conflict(f"school {urn} already has an assignment of {later[0]} from {later[1]}; nothing was changed")
    out_name = db.execute("SELECT name FROM officers WHERE collar_number = ?", [outgoing]).fetchone()
    plan = HandoverPlan(urn, school[0], outgoing, out_name[0] if out_name else "", incoming_collar,
                        incoming["name"], day, date.fromisoformat(start), date.fromisoformat(end) if end else None)
    for e in dict_rows(db.execute(
        "SELECT ref, starts_at, ends_at, kind, title, young_person FROM engagements WHERE school = ? AND officer = ? "
        "AND status = 'planned' AND starts_at >= ? ORDER BY starts_at, ref", [urn, outgoing, day.isoformat()])):
        plan.engagements.append(ToMove(
            e["ref"], datetime.fromisoformat(e["starts_at"]), datetime.fromisoformat(e["ends_at"]), e["kind"],
            e["title"], e["young_person"] is not None or e["kind"] == "one_to_one", _clash(db, incoming, e)))
    return plan


def plan_handover(store: Store, actor: Actor, urn: str, incoming: str, day: date) -> HandoverPlan:
    """What :func:`hand_over` would do (nothing is written but a refusal's audit row)."""
    permissions.require(store.db, actor, permissions.MANAGE, what=f"school {urn}")
    return _plan(store.db, urn, incoming, day)


def hand_over(
    store: Store, actor: Actor, urn: str, incoming: str, day: date, *, cancel: list[str] | None = None,
    cancel_reason: str = CancelReason.OFFICER_UNAVAILABLE.value, now: datetime | None = None,
) -> HandoverResult:
    """Hand school ``urn`` to ``incoming`` from ``day`` (see the module notes); one transaction."""
    permissions.require(store.db, actor, permissions.MANAGE, what=f"school {urn}")
    try:
        reason = CancelReason(cancel_reason)
    except ValueError:
        raise ValidationFailed([Problem("handovers", urn, "cancel_reason",
                                        f"{cancel_reason!r} is not a cancel reason")]) from None
    wanted = set(cancel or [])
    stamp = (now or audit.now_local()).isoformat(timespec="seconds")
    with store.write() as db:
        plan = _plan(db, urn, incoming, day)
        known = {e.ref for e in plan.engagements}
        unknown = sorted(wanted - known)
        if unknown:
            raise Conflict(f"engagement {unknown[0]} is not a planned engagement of {plan.outgoing} at school {urn} "
                           f"from {day}; nothing was changed")
        clashing = [e for e in plan.engagements if e.clash and e.ref not in wanted]
        if clashing:
            e = clashing[0]
            raise Conflict(f"engagement {e.ref} ({e.starts_at:%Y-%m-%d %H:%M}) cannot move to {incoming}: {e.clash}; "
                           "cancel it or move it by hand; nothing was changed")
        old = Assignment(officer=plan.outgoing, school=urn, start_date=plan.outgoing_start, end_date=plan.outgoing_end)
        records.write_record(db, actor, Assignment.model_validate(
            {**old.model_dump(), "end_date": day - timedelta(days=1)}), source="handover")
        records.write_record(db, actor, Assignment(officer=incoming, school=urn, start_date=day), source="handover")
        result = HandoverResult(0, plan)
        for e in plan.engagements:
            current = records.get(db, "engagements", e.ref)
            assert isinstance(current, Engagement)
            changed: dict[str, object]
            if e.ref in wanted:
                changed = {"status": EngagementStatus.CANCELLED, "cancel_reason": reason, "abstraction": None}
                result.cancelled.append(e.ref)
            else:
                changed = {"officer": incoming}
                result.moved.append(e.ref)
            records.write_record(db, actor, Engagement.model_validate({**current.model_dump(), **changed}),
                                 source="handover")
        cursor = db.execute(
            "INSERT INTO handovers (school, from_officer, to_officer, handover_on, moved, cancelled, made_by, made_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [urn, plan.outgoing, incoming, day.isoformat(), len(result.moved), len(result.cancelled), actor.collar,
             stamp])
        result.id = int(cursor.lastrowid or 0)
        audit.record(db, actor.collar, audit.CREATE, "handovers", str(result.id), {
            "school": urn, "from": plan.outgoing, "to": incoming, "on": day.isoformat(),
            "moved": len(result.moved), "cancelled": len(result.cancelled), "source": "handover"})
    return result




# ---------------------------------------------------------------- the handover note


@dataclass
class NoteConsultation:
    ref: str
    young_person: str
    consulted_on: str
    timing: str
    proposed: str
    follow_up_on: str | None


@dataclass
class NoteDeadline:
    due_on: date
    title: str
    young_person: str
    provisional: bool


@dataclass
class NoteSession:
    ref: str
    starts_at: str
    kind: str
    title: str
    young_person: str | None


@dataclass
class NotePerson:
    ref: str
    name: str
    year_group: int | None
    last_seen: str
    how: str


@dataclass
class HandoverNote:
    """What the incoming officer needs to know about the school they take (read now from its records)."""

    id: int
    school: str
    school_name: str
    phase: str
    local_authority: str | None
    head_teacher: str | None
    head_teacher_email: str | None
    uniform_policy: str
    outgoing: str
    outgoing_name: str
    incoming: str
    incoming_name: str
    day: date
    made_by: str
    made_at: str
    moved: int
    cancelled: int
    read_at: str | None
    #: the first day of "the last term" the young people were seen in (the previous term's start)
    seen_since: date
    consultations: list[NoteConsultation] = field(default_factory=list)
    deadlines: list[NoteDeadline] = field(default_factory=list)
    sessions: list[NoteSession] = field(default_factory=list)
    young_people: list[NotePerson] = field(default_factory=list)


def may_read_note(db: Database, actor: Actor, outgoing: str | None, incoming: str) -> bool:
    """Admins, the two officers, and the sergeant (or an inspector) who may see either's records."""
    if actor.role in ("admin", "system"):
        return True
    if actor.collar in (outgoing, incoming):
        return True
    return actor.role in ("sergeant", "inspector") and any(
        permissions.allowed(db, actor, permissions.VIEW, o) for o in (outgoing, incoming) if o)


def read_note(db: Database, handover_id: int) -> HandoverNote:
    """The note of handover ``handover_id``, from the school's records as they are now (no permission
    check and no audit here: :func:`slo.services.queries.handover.handover_note` does both)."""
    from .schooldays import deadlines_between, term_of

    rows = dict_rows(db.execute(
        "SELECT h.*, s.name AS school_name, s.phase, s.local_authority, s.head_teacher, s.head_teacher_email, "
        "s.uniform_policy, fo.name AS outgoing_name, t.name AS incoming_name FROM handovers h "
        "JOIN schools s ON s.urn = h.school LEFT JOIN officers fo ON fo.collar_number = h.from_officer "
        "LEFT JOIN officers t ON t.collar_number = h.to_officer WHERE h.id = ?", [handover_id]))
    if not rows:
        raise NotFound(f"no handover {handover_id}")
    h = rows[0]
    day = date.fromisoformat(h["handover_on"])
    this_term = term_of(day)[0]
    since = term_of(this_term - timedelta(days=1))[0]
    note = HandoverNote(
        h["id"], h["school"], h["school_name"], h["phase"], h["local_authority"], h["head_teacher"],
        h["head_teacher_email"], h["uniform_policy"] or "uniform_welcome", h["from_officer"] or "",
        h["outgoing_name"] or "", h["to_officer"], h["incoming_name"] or "", day, h["made_by"], h["made_at"],
        h["moved"], h["cancelled"], h["read_at"], since)
    urn = h["school"]
    names = "y.given_name || ' ' || y.family_name"
    for r in dict_rows(db.execute(
        f"SELECT c.ref, {names} AS name, c.consulted_on, c.timing, c.proposed, c.follow_up_on FROM consultations c "
        "JOIN young_people y ON y.ref = c.young_person WHERE c.school = ? AND c.outcome = 'pending' "
        "ORDER BY c.consulted_on, c.ref LIMIT 200", [urn])):
        note.consultations.append(NoteConsultation(r["ref"], r["name"], r["consulted_on"], r["timing"],
                                                   r["proposed"], r["follow_up_on"]))
    people = dict(db.execute(f"SELECT y.ref, {names} FROM young_people y WHERE y.ref IN "
                             "(SELECT young_person FROM consultations WHERE school = ?)", [urn]).fetchall())
    for exc, d in sorted(deadlines_between(db, None, day, day + timedelta(days=120)),
                         key=lambda pair: (pair[1].due_on, pair[1].kind, pair[1].ref)):
        if exc.school == urn:
            note.deadlines.append(NoteDeadline(d.due_on, d.title, people.get(exc.young_person, exc.young_person),
                                               d.provisional))
    for r in dict_rows(db.execute(
        f"SELECT e.ref, e.starts_at, e.kind, e.title, CASE WHEN y.ref IS NULL THEN NULL ELSE {names} END AS name "
        "FROM engagements e LEFT JOIN young_people y ON y.ref = e.young_person WHERE e.school = ? "
        "AND e.status = 'planned' AND e.starts_at >= ? ORDER BY e.starts_at, e.ref LIMIT 200",
        [urn, day.isoformat()])):
        note.sessions.append(NoteSession(r["ref"], r["starts_at"], r["kind"], r["title"], r["name"]))
    for r in dict_rows(db.execute(
        f"SELECT y.ref, {names} AS name, y.year_group, max(seen.day) AS last_seen, group_concat(DISTINCT seen.how) "
        "AS how FROM (SELECT young_person, substr(starts_at, 1, 10) AS day, 'sessions' AS how FROM engagements "
        "WHERE school = ? AND status = 'delivered' AND young_person IS NOT NULL AND starts_at >= ? AND starts_at < ? "
        "UNION ALL SELECT young_person, consulted_on, 'a consultation' FROM consultations WHERE school = ? "
        "AND consulted_on >= ? AND consulted_on < ?) seen JOIN young_people y ON y.ref = seen.young_person "
        "GROUP BY y.ref ORDER BY y.family_name, y.given_name, y.ref LIMIT 500",
        [urn, since.isoformat(), day.isoformat(), urn, since.isoformat(), day.isoformat()])):
        how = " and ".join(sorted((r["how"] or "").split(",")))
        note.young_people.append(NotePerson(r["ref"], r["name"], r["year_group"], r["last_seen"], how))
    return note


_MD_SPECIAL = "\\`*_[]<>|#"


def md(text: object) -> str:
    """User text for markdown: control characters dropped, markdown's characters escaped, one line."""
    import re

    value = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", "" if text is None else str(text))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in value).strip()


def note_markdown(note: HandoverNote) -> str:
    """The note as a markdown page to print (names of young people included: it is for the incoming officer)."""
    from slo.models.enums import label

    def when(text: str) -> str:
        return datetime.fromisoformat(text).strftime("%a %d %b %Y %H:%M")

    lines = [f"# Handover: {md(note.school_name)} ({note.school})", "",
             f"From **{md(note.outgoing_name)} ({md(note.outgoing)})** to **{md(note.incoming_name)} "
             f"({md(note.incoming)})** on {note.day:%A %d %B %Y}. Made by {md(note.made_by)} on "
             f"{note.made_at.replace('T', ' ')[:16]}: {note.moved} planned engagement(s) moved to the new officer, "
             f"{note.cancelled} cancelled.", "",
             "Confidential: this note names young people. Keep it as you keep their records.", "",
             "## The school", "",
             f"- Phase: {label(note.phase)}" + (f", {md(note.local_authority)}" if note.local_authority else ""),
             f"- Head teacher: {md(note.head_teacher) or 'not recorded'}"
             + (f" ({md(note.head_teacher_email)})" if note.head_teacher_email else ""),
             f"- Uniform policy: **{label(note.uniform_policy)}**", ""]
    lines += ["## Consultations awaiting an outcome", ""]
    if note.consultations:
        lines += ["| Consulted | Young person | Proposed | Timing | Follow-up | Ref |", "|---|---|---|---|---|---|"]
        lines += [f"| {c.consulted_on} | {md(c.young_person)} | {label(c.proposed)} | {label(c.timing)} | "
                  f"{c.follow_up_on or '–'} | {md(c.ref)} |" for c in note.consultations]
    else:
        lines.append("None.")
    lines += ["", "## Deadlines", ""]
    if note.deadlines:
        lines += [f"- {d.due_on:%a %d %b %Y}: {md(d.title)} ({md(d.young_person)})"
                  + (" (provisional: no term dates)" if d.provisional else "") for d in note.deadlines]
    else:
        lines.append("None in the next four months.")
    lines += ["", "## Planned sessions from the handover day", ""]
    if note.sessions:
        lines += ["| When | Kind | Title | Young person |", "|---|---|---|---|"]
        lines += [f"| {when(s.starts_at)} | {label(s.kind)} | {md(s.title)} | {md(s.young_person) or '–'} |"
                  for s in note.sessions]
    else:
        lines.append("None.")
    lines += ["", f"## Young people seen since {note.seen_since:%d %B %Y}", ""]
    if note.young_people:
        lines += ["| Young person | Year | Last seen | Seen in |", "|---|---|---|---|"]
        lines += [f"| {md(p.name)} | {p.year_group if p.year_group is not None else '–'} | {p.last_seen} | "
                  f"{md(p.how)} |" for p in note.young_people]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def write_note(store: Store, actor: Actor, handover_id: int, path: str) -> str:
    """Print the note as markdown to ``path`` (owner-only, written whole: :mod:`slo.services.files`);
    audited as a disclosure (it names children) when it starts and when it ends. Returns the path."""
    from pathlib import Path

    from .files import write_atomic

    db = store.db
    row = db.execute("SELECT from_officer, to_officer, school FROM handovers WHERE id = ?",
                     [handover_id]).fetchone()
    if row is None:
        raise NotFound(f"no handover {handover_id}")
    if not may_read_note(db, actor, row[0], row[1]):
        permissions.log_refusal(db, actor, permissions.VIEW, f"handover {handover_id}")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not see handover {handover_id}")
    with audit.disclosure(store, actor.collar, audit.DISCLOSURE, "handovers", str(handover_id),
                          {"school": row[2], "format": "md"}) as done:
        note = read_note(db, handover_id)
        write_atomic(Path(path), note_markdown(note))
        done.detail.update(young_people=len(note.young_people), sessions=len(note.sessions))
    return path


__all__ = ["HandoverNote", "HandoverPlan", "HandoverResult", "ToMove", "hand_over", "may_read_note", "md",
           "note_markdown", "plan_handover", "read_note", "write_note"]
