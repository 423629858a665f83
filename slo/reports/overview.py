"""What the desk's team, officer and reports screens show, computed with the same functions as the
continuity report (so the desk and the report agree). Plain data; nothing here imports Textual."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from slo.services import permissions
from slo.services.actors import Actor
from slo.services.errors import NotFound, PermissionDenied
from slo.store.db import Store

from . import figures, previews
from .build import compute, period_end, resolve_scope

if TYPE_CHECKING:
    from sqlite_utils import Database

# ---------------------------------------------------------------- periods

def term_of(on: date) -> tuple[date, date]:
    from slo.services.schooldays import term_of as _term_of

    return _term_of(on)


def academic_year(on: date) -> tuple[date, date]:
    first = on.year if on.month >= 9 else on.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def period_choices(today: date) -> dict[str, tuple[str, date, date]]:
    """Named periods for the reports screen: key -> (label, from, to)."""
    t_from, t_to = term_of(today)
    l_from, l_to = term_of(t_from - timedelta(days=1))
    y_from, y_to = academic_year(today)
    return {
        "this_term": ("This term", t_from, t_to),
        "last_term": ("Last term", l_from, l_to),
        "this_year": ("This academic year", y_from, y_to),
    }


def team_periods(today: date) -> list[tuple[str, date, date]]:
    """Periods for the team and officer screens (to today): term so far, last 4 weeks, year so far."""
    t_from, _ = term_of(today)
    y_from, _ = academic_year(today)
    return [
        ("This term to date", t_from, today),
        ("Last 4 weeks", today - timedelta(days=27), today),
        ("Academic year to date", y_from, today),
    ]


# ---------------------------------------------------------------- team

@dataclass
class PendingReview:
    ref: str
    officer: str
    officer_name: str
    date_from: str
    date_to: str
    portion: str
    category: str
    requested_by: str
    cancelled: int


@dataclass
class OfficerLine:
    collar: str
    name: str
    figures: dict[str, Any]
    schools_affected: int
    young_people_let_down: int


@dataclass
class TeamOverview:
    team: str
    team_name: str
    date_from: date
    date_to: date
    officers: list[OfficerLine]
    total: dict[str, Any]
    pending: list[PendingReview]
    weekly: list[dict[str, Any]] = field(default_factory=list)
    #: who took the team's officers (the report's added key ``abstracted_days_by_requested_by``)
    by_requested_by: list[dict[str, Any]] = field(default_factory=list)


def teams_for(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """Teams the actor may look at: their own (sergeant), every team (admin, inspector, system)."""
    grant = permissions.PERMISSIONS.get((actor.role, permissions.REPORT))
    if grant == permissions.ANY:
        return [tuple(r) for r in db.execute("SELECT ref, name FROM teams ORDER BY ref").fetchall()]
    if grant == permissions.TEAM and actor.team:
        row = db.execute("SELECT ref, name FROM teams WHERE ref = ?", [actor.team]).fetchone()
        return [tuple(row)] if row else []
    return []


def team_overview(db: Database, actor: Actor, team: str, date_from: date, date_to: date, *, as_of: date,
                  weeks: int = 26) -> TeamOverview:
    """The team's schools liaison officers in post in the period with their figures (counted to
    ``as_of`` at the latest, metrics.md version 2), the pending reviews, and the weekly abstraction
    rate for ``weeks`` weeks up to ``date_to``. ``date_to`` is the day counted to."""
    date_to = min(date_to, as_of)
    _level, key, collars = resolve_scope(db, actor, f"team:{team}", permissions.REPORT)
    name_row = db.execute("SELECT name FROM teams WHERE ref = ?", [team]).fetchone()
    names = dict(db.execute(
        "SELECT collar_number, name FROM officers WHERE team = ?", [team]).fetchall())
    requesters = figures.Requesters()
    entries = figures.officer_figures(db, collars or [], date_from, date_to, as_of=as_of, by_requester=requesters)
    listed = [e["collar_number"] for e in entries]
    impact = figures.officer_impact(db, listed, date_from, date_to, as_of=as_of)
    lines = [OfficerLine(e["collar_number"], names.get(e["collar_number"], ""), e,
                         impact[e["collar_number"]]["schools_affected"],
                         impact[e["collar_number"]]["young_people_let_down"]) for e in entries]
    pending = [
        PendingReview(*row) for row in db.execute(
            "SELECT a.ref, a.officer, o.name, a.date_from, a.date_to, a.portion, a.category, a.requested_by, "
            "(SELECT COUNT(*) FROM engagements e WHERE e.abstraction = a.ref AND e.status = 'cancelled') "
            "FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
            "WHERE a.review_status = 'pending' AND o.team = ? ORDER BY a.date_from, a.ref", [team]
        ).fetchall()
    ]
    weekly = figures.weekly_abstraction_rates(db, collars or [], date_to, weeks, as_of=as_of) if weeks else []
    return TeamOverview(team, name_row[0] if name_row else team, date_from, date_to, lines,
                        figures.sum_entries(entries), pending, weekly,
                        figures.by_requested_by(db, requesters, listed, date_from, date_to) if date_from <= as_of
                        else [])


# ---------------------------------------------------------------- one officer

@dataclass
class CancelledLine:
    ref: str
    starts_at: str
    school: str
    school_name: str
    kind: str
    one_to_one: bool


@dataclass
class AbstractionLine:
    ref: str
    date_from: str
    date_to: str
    portion: str
    category: str
    requested_by: str
    review_status: str
    cancelled: list[CancelledLine]


@dataclass
class OfficerOverview:
    collar: str
    name: str
    team: str | None
    date_from: date
    date_to: date
    figures: dict[str, Any] | None
    schools_affected: int
    young_people_let_down: int
    abstractions: list[AbstractionLine]


def team_screen(
    store: Store, actor: Actor, team: str | None, date_from: date, date_to: date, *, as_of: date,
    weeks: int = 26,
) -> tuple[list[tuple[str, str]], TeamOverview]:
    """What the desk's team screen shows: the teams ``actor`` may look at, and the overview of
    ``team`` (default: the actor's own team if they may look at it, else the first); ``weeks=0``
    leaves the weekly rates out (the desk reads them after, :func:`team_weekly`)."""
    teams = teams_for(store.db, actor)
    refs = [ref for ref, _name in teams]
    chosen = team or (actor.team if actor.team in refs else None) or (refs[0] if refs else None)
    if chosen is None:
        raise PermissionDenied(f"{actor.collar} ({actor.role}) has no team to look at")
    return teams, team_overview(store.db, actor, chosen, date_from, date_to, as_of=as_of, weeks=weeks)


def team_weekly(store: Store, actor: Actor, team: str, date_to: date, *, as_of: date,
                weeks: int = 26) -> list[dict[str, Any]]:
    """The team's weekly abstraction rate for ``weeks`` weeks up to ``date_to`` (the team screen's
    chart, as :func:`team_overview` computes it: 26 weeks of figures, most of that screen's work)."""
    _level, _key, collars = resolve_scope(store.db, actor, f"team:{team}", permissions.REPORT)
    return figures.weekly_abstraction_rates(store.db, collars or [], min(date_to, as_of), weeks, as_of=as_of)


def officer_screen(
    store: Store, actor: Actor, collar: str, date_from: date, date_to: date, *, as_of: date
) -> OfficerOverview:
    """What the desk's officer screen shows (:func:`officer_overview`)."""
    return officer_overview(store.db, actor, collar, date_from, date_to, as_of=as_of)


def officer_overview(
    db: Database, actor: Actor, collar: str, date_from: date, date_to: date, *, as_of: date
) -> OfficerOverview:
    """One officer's figures (None unless a schools liaison officer in post in the period), counted to
    ``as_of`` at the latest, and their abstractions overlapping the period with what each cancelled."""
    date_to = min(date_to, as_of)
    row = db.execute("SELECT name, team FROM officers WHERE collar_number = ?", [collar]).fetchone()
    if row is None:
        raise NotFound(f"no officer with collar number {collar!r}")
    permissions.require(db, actor, permissions.REPORT, collar, what=f"officer {collar}'s figures")
    entries = figures.officer_figures(db, [collar], date_from, date_to, as_of=as_of)
    impact = figures.officer_impact(db, [collar], date_from, date_to, as_of=as_of)[collar]
    cancelled: dict[str, list[CancelledLine]] = {}
    abstractions = []
    for a in db.execute(
        "SELECT ref, date_from, date_to, portion, category, requested_by, review_status FROM abstractions "
        "WHERE officer = ? AND date_to >= ? AND date_from <= ? ORDER BY date_from DESC",
        [collar, date_from.isoformat(), date_to.isoformat()],
    ).fetchall():
        ref, a_from, a_to, portion, category, requested_by, status = a
        abstractions.append(AbstractionLine(ref, a_from, a_to, portion, category, requested_by, status, []))
        cancelled[a[0]] = abstractions[-1].cancelled
    if cancelled:
        for ref, starts, school, name, kind, yp, abstraction in db.execute(
            "SELECT e.ref, e.starts_at, e.school, s.name, e.kind, e.young_person, e.abstraction FROM engagements e "
            "JOIN schools s ON s.urn = e.school WHERE e.abstraction IN (SELECT value FROM json_each(?)) "
            "AND e.status = 'cancelled' ORDER BY e.starts_at",
            [figures._json_list(cancelled)],
        ).fetchall():
            cancelled[abstraction].append(CancelledLine(ref, starts, school, name, kind, yp is not None))
    return OfficerOverview(collar, row[0], row[1], date_from, date_to, entries[0] if entries else None,
                           impact["schools_affected"], impact["young_people_let_down"], abstractions)


# ---------------------------------------------------------------- reports screen

def _preview_scope(store: Store, actor: Actor, date_from: date, date_to: date, scope: str | None,
                   as_of: date) -> tuple[str, str | None, list[str] | None, date]:
    action = permissions.REPORT
    if (actor.role, action) not in permissions.PERMISSIONS:
        raise PermissionDenied(
            f"{actor.collar} ({actor.role}) may see only the evaluation dataset: export it with e")
    _as_of, end = period_end(date_from, date_to, as_of)
    level, key, collars = resolve_scope(store.db, actor, scope, action)
    return level, key, collars, end


def kept_preview(store: Store, actor: Actor, date_from: date, date_to: date, scope: str | None = None, *,
                 as_of: date) -> previews.KeptPreview | None:
    """The figures :func:`report_preview` last kept for the actor's scope and the period (None if
    none), with whether they are still current; the same checks and refusals as
    :func:`report_preview`."""
    level, key, _collars, end = _preview_scope(store, actor, date_from, date_to, scope, as_of)
    return previews.kept(store, previews.scope_key(level, key), date_from, date_to, end)


def report_preview(store: Store, actor: Actor, date_from: date, date_to: date, scope: str | None = None, *,
                   as_of: date, made_at: str | None = None) -> dict[str, Any]:
    """The figures of the report for the actor's scope, counted to ``as_of`` at the latest (the
    ``period`` key says to which day), for looking at in the desk (not an export, so not audited
    as one), and kept for the next opening (:mod:`slo.reports.previews`). The schools' and young
    people's entries are left out (``counts`` says how many: all the screen shows of them). Raises
    PermissionDenied for an evaluator (named figures), ReportError for a period that starts after
    ``as_of``."""
    level, key, collars, end = _preview_scope(store, actor, date_from, date_to, scope, as_of)

    def count() -> dict[str, Any]:
        data = compute(store.db, date_from, end, collars, detail=False)  # how many schools, not each
        data["counts"] = data.pop("_counts")
        data["period"] = {"from": date_from.isoformat(), "to": date_to.isoformat(), "counted_to": end.isoformat()}
        data["scope"] = {"level": level, "key": key}
        data["consultations"] = {k: v for k, v in data["consultations"].items() if not k.startswith("_")}
        data.pop("_listed", None)
        return data

    return previews.count_and_keep(store, previews.scope_key(level, key), date_from, date_to, end, count,
                                   made_at=made_at)
