"""The team screen's abstractions (and the officer screen's, for one officer): every abstraction of
the period with its review state, the challenge and its result, filterable; one abstraction's notes,
what it still cancels and its history.

The figures beside them (rates, days by category and by who asked) are the continuity report's and
come from :mod:`slo.reports.overview`. An abstraction removed by a withdrawal (none of its days had
happened) is no longer a record: it is listed from its history (its last values), marked removed,
so a challenge never vanishes from the screen.

Who may see them: whoever may see the officer's continuity figures (permission ``report``: the
officer themselves, their sergeant, an admin or inspector). The notes are the sergeant's and the
officer's working text; they are shown here and never written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from slo.models.enums import label
from slo.services import history, permissions
from slo.services.abstractions import CHALLENGE_DUE_WORKING_DAYS, working_days_after
from slo.services.actors import Actor
from slo.services.errors import NotFound, PermissionDenied
from slo.store.db import Store

from .scope import MAX_ROWS, dict_rows

if TYPE_CHECKING:
    from sqlite_utils import Database

#: the review states a list can be narrowed to: key -> words; ``open`` is what awaits the sergeant
STATUS_FILTERS: dict[str, str] = {
    "all": "every state",
    "open": "awaiting you (pending or challenged)",
    "pending": "pending",
    "challenged": "challenged",
    "upheld": "upheld",
    "withdrawn": "withdrawn",
    "accepted": "accepted",
}

#: list order: what awaits the sergeant first
_RANK = {"pending": 0, "challenged": 1, "upheld": 2, "withdrawn": 3, "accepted": 4}

_FIELDS = ("ref", "officer", "date_from", "date_to", "portion", "category", "requested_by", "reason",
           "review_status", "reviewed_by", "reviewed_at", "review_note", "challenged_to", "resolved_on",
           "resolution_note")


@dataclass
class ReviewLine:
    """One abstraction as the team and officer screens list it."""

    ref: str
    officer: str
    officer_name: str
    date_from: str
    date_to: str
    portion: str
    category: str
    requested_by: str
    status: str
    challenged_to: str | None
    reviewed_by: str | None
    reviewed_at: str | None
    resolved_on: str | None
    #: sessions it cancels now (0 once removed)
    cancelled: int
    #: it was removed (withdrawn before any of its days had happened): listed from its history
    removed: bool = False
    #: a challenge awaiting its result: when it is due on the sergeant's list
    due_on: date | None = None
    overdue: bool = False

    @property
    def span(self) -> str:
        return self.date_from if self.date_from == self.date_to else f"{self.date_from} to {self.date_to}"

    @property
    def state_words(self) -> str:
        """``Challenged (to Response inspector)``, ``Withdrawn, removed``, ``Pending``..."""
        words = label(self.status)
        if self.status == "challenged" and self.challenged_to:
            words += f" (to {self.challenged_to})"
        if self.removed:
            words += ", removed"
        return words


@dataclass
class HistoryLine:
    """One change of an abstraction, in words."""

    at: str
    actor: str
    what: str


@dataclass
class CancelledSession:
    ref: str
    starts_at: str
    school_name: str
    kind: str
    one_to_one: bool


@dataclass
class AbstractionDetail:
    line: ReviewLine
    reason: str | None
    review_note: str | None
    resolution_note: str | None
    cancelled: list[CancelledSession] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)


# ---------------------------------------------------------------- who may see


def _require(db: Database, actor: Actor, officer: str, what: str) -> None:
    permissions.require(db, actor, permissions.REPORT, officer, what=what)


def _team_members(db: Database, actor: Actor, team: str) -> dict[str, str]:
    """Collar -> name of the team's officers, once the actor may look at the team."""
    grant = permissions.PERMISSIONS.get((actor.role, permissions.REPORT))
    if grant != permissions.ANY and not (grant == permissions.TEAM and team == actor.team):
        permissions.log_refusal(db, actor, permissions.REPORT, f"team {team}")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not see the abstractions of team {team}")
    return dict(db.execute("SELECT collar_number, name FROM officers WHERE team = ?", [team]).fetchall())


# ---------------------------------------------------------------- lists


def _line(row: dict[str, Any], names: dict[str, str], cancelled: int, removed: bool, today: date) -> ReviewLine:
    line = ReviewLine(
        row["ref"], row["officer"], names.get(row["officer"], ""), row["date_from"], row["date_to"], row["portion"],
        row["category"], row["requested_by"], row["review_status"] or "pending", row.get("challenged_to"),
        row.get("reviewed_by"), row.get("reviewed_at"), row.get("resolved_on"), cancelled, removed,
    )
    if line.status == "challenged" and line.reviewed_at:
        line.due_on = working_days_after(date.fromisoformat(line.reviewed_at[:10]), CHALLENGE_DUE_WORKING_DAYS)
        line.overdue = line.due_on < today
    return line


def _removed_rows(db: Database, officers: list[str], date_from: date, date_to: date) -> list[dict[str, Any]]:
    """The last values of the officers' abstractions that were removed and overlap the period."""
    rows = db.execute(
        "SELECT h.key, h.changes FROM history h WHERE h.entity = 'abstractions' AND h.operation = 'delete' "
        "AND json_extract(h.changes, '$.officer[0]') IN (SELECT value FROM json_each(?)) "
        "AND json_extract(h.changes, '$.date_from[0]') <= ? AND json_extract(h.changes, '$.date_to[0]') >= ? "
        "AND NOT EXISTS (SELECT 1 FROM abstractions a WHERE a.ref = h.key) "
        "AND h.id = (SELECT max(id) FROM history WHERE entity = 'abstractions' AND key = h.key) "
        f"ORDER BY h.id LIMIT {MAX_ROWS}",
        [json.dumps(officers), date_to.isoformat(), date_from.isoformat()],
    ).fetchall()
    out = []
    for key, changes in rows:
        last = {name: pair[0] for name, pair in json.loads(changes or "{}").items()}
        last["ref"] = key
        out.append({name: last.get(name) for name in _FIELDS})
    return out


def _lines(db: Database, names: dict[str, str], date_from: date, date_to: date, today: date, *,
           open_anyway: bool = False) -> list[ReviewLine]:
    """The officers' abstractions overlapping the period (and, ``open_anyway``, every pending or
    challenged one whatever its days), then the removed ones from their history."""
    officers = sorted(names)
    also = " OR a.review_status IN ('pending', 'challenged')" if open_anyway else ""
    # officer by officer (CROSS JOIN keeps that order; abstractions_officer): with ``a.officer IN (...)``
    # and the OR, SQLite chose its MULTI-INDEX OR over the dates and the review states of the whole
    # force, about 100,000 rows, to keep a team's 200 (560 ms -> 1.3 ms on the national demo)
    rows = dict_rows(db.execute(
        f"SELECT {', '.join('a.' + f for f in _FIELDS)}, (SELECT COUNT(*) FROM engagements e "
        "WHERE e.abstraction = a.ref AND e.status = 'cancelled') AS n "
        "FROM json_each(?) j CROSS JOIN abstractions a ON a.officer = j.value "
        f"WHERE (a.date_from <= ? AND a.date_to >= ?){also} "
        f"ORDER BY a.date_from, a.ref LIMIT {MAX_ROWS}",
        [json.dumps(officers), date_to.isoformat(), date_from.isoformat()],
    ))
    lines = [_line(r, names, r["n"], False, today) for r in rows]
    lines += [_line(r, names, 0, True, today) for r in _removed_rows(db, officers, date_from, date_to)]
    return lines


def _matches(line: ReviewLine, status: str, text: str) -> bool:
    if status == "open":
        if line.status not in ("pending", "challenged"):
            return False
    elif status != "all" and line.status != status:
        return False
    if not text:
        return True
    haystack = " ".join(str(v or "") for v in (
        line.ref, line.officer, line.officer_name, line.requested_by, line.challenged_to, label(line.category),
        label(line.status), line.date_from, line.date_to)).casefold()
    return all(word in haystack for word in text.casefold().split())


def _sorted(lines: list[ReviewLine]) -> list[ReviewLine]:
    return sorted(lines, key=lambda ln: (_RANK.get(ln.status, 9), ln.date_from, ln.ref))


def team_abstractions(
    store: Store, actor: Actor, team: str, date_from: date, date_to: date, *, today: date,
    status: str = "all", text: str = "",
) -> list[ReviewLine]:
    """Every abstraction of ``team``'s officers overlapping the period (removed ones too) and every one
    still awaiting the sergeant (pending or challenged) whatever its days: those first, then by first
    day; narrowed to ``status`` (a key of :data:`STATUS_FILTERS`) and to rows holding every word of
    ``text`` (ref, officer, who asked...)."""
    if status not in STATUS_FILTERS:
        raise ValueError(f"unknown review state filter {status!r}")
    db = store.db
    names = _team_members(db, actor, team)
    lines = _lines(db, names, date_from, date_to, today, open_anyway=True)
    return _sorted([ln for ln in lines if _matches(ln, status, text)])


def officer_abstractions(
    store: Store, actor: Actor, collar: str, date_from: date, date_to: date, *, today: date,
) -> list[ReviewLine]:
    """One officer's abstractions overlapping the period (removed ones too), newest first."""
    db = store.db
    row = db.execute("SELECT name FROM officers WHERE collar_number = ?", [collar]).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {collar!r}")
    _require(db, actor, collar, f"officer {collar}'s abstractions")
    lines = _lines(db, {collar: row[0]}, date_from, date_to, today)
    return sorted(lines, key=lambda ln: (ln.date_from, ln.ref), reverse=True)


# ---------------------------------------------------------------- one abstraction


def _value_words(name: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if name in ("portion", "category", "review_status"):
        return label(str(value))
    if isinstance(value, str) and "T" in value and name.endswith("_at"):
        return value.replace("T", " ")[:16]
    return str(value)


#: how a change's source reads
_SOURCES = {"review": "review", "withdrawal": "withdrawal", "desk": "desk", "cli": "command line",
            "import": "import", "correction": "correction"}


def _history_lines(db: Database, ref: str) -> list[HistoryLine]:
    out = []
    for entry in history.history_of(db, "abstractions", ref):
        source = _SOURCES.get(entry.source, entry.source)
        if entry.operation == history.CREATE:
            what = f"recorded ({source})"
        elif entry.operation == history.DELETE and entry.reason:
            what = f"deleted as a mistake: {entry.reason} ({source})"
        elif entry.operation == history.DELETE:
            what = f"removed: none of its days was left ({source})"
        else:
            parts = [f"{label(c.field).lower()} {_value_words(c.field, c.old)} → {_value_words(c.field, c.new)}"
                     for c in entry.changes]
            what = f"{'; '.join(parts) or 'changed'} ({source})"
        out.append(HistoryLine(entry.at.replace("T", " ")[:16], entry.actor, what))
    return out


def abstraction_detail(store: Store, actor: Actor, ref: str, *, today: date) -> AbstractionDetail:
    """One abstraction (or the last values of a removed one): its notes, the sessions it cancels now
    and its history, oldest first."""
    db = store.db
    cur = db.execute(f"SELECT {', '.join(_FIELDS)} FROM abstractions WHERE ref = ?", [ref])
    found = dict_rows(cur)
    removed = False
    if found:
        row = found[0]
    else:
        gone = history.deleted(db, "abstractions", ref)
        if gone is None:
            raise NotFound(f"no abstraction {ref!r}")
        row = {c.field: c.old for c in gone.changes}
        row["ref"] = ref
        row = {name: row.get(name) for name in _FIELDS}
        removed = True
    _require(db, actor, row["officer"], f"abstraction {ref}")
    names = dict(db.execute("SELECT collar_number, name FROM officers WHERE collar_number = ?",
                            [row["officer"]]).fetchall())
    sessions = [
        CancelledSession(r[0], r[1], r[2], r[3], r[4] is not None or r[3] == "one_to_one")
        for r in db.execute(
            "SELECT e.ref, e.starts_at, COALESCE(s.name, e.school), e.kind, e.young_person FROM engagements e "
            "LEFT JOIN schools s ON s.urn = e.school WHERE e.abstraction = ? AND e.status = 'cancelled' "
            "ORDER BY e.starts_at", [ref]).fetchall()
    ]
    line = _line(row, names, len(sessions), removed, today)
    return AbstractionDetail(line, row.get("reason"), row.get("review_note"), row.get("resolution_note"),
                             sessions, _history_lines(db, ref))


def when(text: str) -> str:
    """``2026-03-04T09:00`` as ``Wed 04 Mar 09:00``."""
    return f"{datetime.fromisoformat(text):%a %d %b %H:%M}"
