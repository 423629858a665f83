"""``build_report``: the continuity report (metrics.md version 2) for the actor's scope, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from slo.services import audit, permissions
from slo.services.errors import PermissionDenied, ServiceError

from . import figures
from .definitions import DEFINITIONS_VERSION, NOTES
from .evaluation import ensure_secret, pseudonym, suppress_consultations, suppress_school

OFFICER, TEAM, FORCE = "officer", "team", "force"


class ReportError(ServiceError):
    pass


def default_scope(actor) -> str:
    grant = permissions.PERMISSIONS.get((actor.role, permissions.REPORT)) or permissions.PERMISSIONS.get(
        (actor.role, permissions.REPORT_EVALUATION)
    )
    if grant == permissions.OWN:
        return OFFICER
    return TEAM if grant == permissions.TEAM else FORCE


def _refuse(db, actor, action: str, what: str, audited_as: str) -> PermissionDenied:
    """Audit a refusal (``audited_as``: keys only, never text the user typed that matched nothing)
    and return the error to raise. The message is the same whether the record exists or not, so a
    refusal never tells anyone which collar numbers or teams exist."""
    permissions.log_refusal(db, actor, action, audited_as)
    return PermissionDenied(f"{actor.collar} ({actor.role}) may not report on {what}")


def resolve_scope(db, actor, scope: str | None, action: str) -> tuple[str, str | None, list[str] | None]:
    """(level, key, collars or None for the whole force), after checking the actor may have it.

    ``scope`` is ``officer``, ``team``, ``force``, ``team:REF`` or ``officer:COLLAR``. The permission
    is checked before the key is looked up: only an actor who may report on any officer (admin,
    inspector, system) is told that a collar number or team does not exist."""
    grant = permissions.PERMISSIONS.get((actor.role, action))
    scope = scope or default_scope(actor)
    level, _, key = scope.partition(":")
    if level not in (OFFICER, TEAM, FORCE):
        raise ReportError(f"unknown report scope {scope!r}: use officer, team, force, team:REF or officer:COLLAR")
    if level == OFFICER:
        key = key or actor.collar
        exists = db.execute("SELECT 1 FROM officers WHERE collar_number = ?", [key]).fetchone() is not None
        if not permissions.allowed(db, actor, action, key):
            raise _refuse(db, actor, action, f"officer {key}",
                          f"officer {key}" if exists else "an officer not in the database")
        if not exists:
            raise ReportError(f"no officer with collar number {key!r}")
        return OFFICER, key, [key]
    if level == TEAM:
        key = key or actor.team
        if not key:
            raise ReportError(f"{actor.collar} is not in a team: choose another scope")
        exists = db.execute("SELECT 1 FROM teams WHERE ref = ?", [key]).fetchone() is not None
        if grant is None or (grant != permissions.ANY and not (grant == permissions.TEAM and key == actor.team)):
            raise _refuse(db, actor, action, f"team {key}", f"team {key}" if exists else "a team not in the database")
        if not exists:
            raise ReportError(f"no team {key!r}")
        collars = [r[0] for r in db.execute("SELECT collar_number FROM officers WHERE team = ? ORDER BY 1", [key])]
        return TEAM, key, collars
    if grant != permissions.ANY:
        raise _refuse(db, actor, action, "the whole force", "the whole force")
    return FORCE, None, None


def compute(db, date_from: date, date_to: date, collars: list[str] | None, *, detail: bool = True) -> dict[str, Any]:
    """Every section of metrics.md for the officers ``collars`` (None: the whole force), over
    ``date_from..date_to``: the caller passes END (TO cut back to AS_OF) as ``date_to``.

    ``detail=False`` leaves out the entries of ``schools`` and ``young_people`` (None), for
    a caller that shows only how many there are (``_counts``): the desk's preview, for which
    the force's 19,420 schools' figures were 40% of the work (national demo)."""
    whole = collars is None
    # the whole force: one pass over the period's engagements feeds every section
    facts = figures.Facts.load(db, date_from, date_to) if whole else None
    requesters = figures.Requesters()
    officers = figures._officer_figures(db, collars, date_from, date_to, facts, by_requester=requesters)
    listed = [o["collar_number"] for o in officers]
    if facts is not None:
        urns = figures.school_keys_whole(db, date_from, date_to, facts)
        refs = sorted(facts.by_young_person)
    else:
        urns = figures.school_keys(db, date_from, date_to, collars)
        refs = figures.young_person_keys(db, date_from, date_to, collars)
    return {
        "officers": officers,
        "teams": figures.team_figures(db, officers),
        "force": figures.sum_entries(officers),
        "schools": figures.school_figures(db, urns, date_from, date_to, restrict=not whole, facts=facts)
        if detail else None,
        "young_people": figures.young_person_figures(db, refs, date_from, date_to, restrict=not whole,
                                                     facts=facts) if detail else None,
        # one entry per school and per young person in the sections above
        "_counts": {"schools": len(set(urns)), "young_people": len(set(refs))},
        "consultations": figures.consultation_figures(db, date_from, date_to, collars),
        "months": figures.month_figures(db, date_from, date_to, collars, facts),
        # an added key (docs/reports.md), not a metrics.md definition; never in the evaluation dataset
        "abstracted_days_by_requested_by": figures.by_requested_by(db, requesters, listed, date_from, date_to),
        "_listed": listed,
    }


def period_end(date_from: date, date_to: date, as_of: date | None) -> tuple[date, date]:
    """(AS_OF, END) of metrics.md version 2, refusing a period that makes no sense."""
    if date_to < date_from:
        raise ReportError(f"the period ends ({date_to}) before it starts ({date_from})")
    as_of = as_of or audit.now_local().date()
    try:
        return as_of, figures.counted_to(date_from, date_to, as_of)
    except ValueError as exc:
        raise ReportError(f"{exc}: nothing in it has happened yet (give --as-of or an earlier --from)") from None


def _check_evaluation(db, actor, scope: str | None) -> None:
    """The evaluation dataset is always the whole force (metrics.md version 2): no scope may be
    asked for it, and only a role that may see the whole force produces it. Nothing is looked up,
    so the refusal says nothing about which officers or teams exist."""
    if scope not in (None, FORCE):
        raise ReportError(f"the evaluation dataset is always for the whole force: leave out --scope {scope}")
    if permissions.PERMISSIONS.get((actor.role, permissions.REPORT_EVALUATION)) != permissions.ANY:
        raise _refuse(db, actor, permissions.REPORT_EVALUATION, "the whole force (the evaluation dataset is "
                      "always force-wide)", "the whole force")


def pseudonymise(report: dict[str, Any], data: dict[str, Any], secret: bytes) -> None:
    """The evaluation dataset's sections: officers, teams and young people keyed by pseudonym,
    schools without names or ``assigned_officer_at_end`` (null: the head teachers' calendars name
    each school's officer, so a URN beside a pseudonym would reverse it), counts suppressed."""
    def p(k: str) -> str:
        return pseudonym(secret, k)

    report["officers"] = sorted(
        ({"pseudonym": p(o["collar_number"]), **{k: v for k, v in o.items() if k != "collar_number"}}
         for o in data["officers"]), key=lambda o: o["pseudonym"])
    report["teams"] = sorted(
        ({"pseudonym": p(t["ref"]), **{k: v for k, v in t.items() if k != "ref"}} for t in data["teams"]),
        key=lambda t: t["pseudonym"])
    report["force"] = data["force"]
    report["schools"] = [suppress_school({**s, "assigned_officer_at_end": None}) for s in data["schools"]]
    report["young_people"] = sorted(
        ({"pseudonym": p(y["ref"]), **{k: v for k, v in y.items() if k != "ref"}} for y in data["young_people"]),
        key=lambda y: y["pseudonym"])
    report["consultations"] = suppress_consultations(data["consultations"])


def build_report(store, actor, date_from: date, date_to: date, *, evaluation: bool = False,
                 scope: str | None = None, recipient: str | None = None, audit_format: str | None = None,
                 audited: bool = True, as_of: date | None = None) -> dict:
    """The metrics.md (version 2) JSON object for ``actor``'s scope (default by role), audited.

    The figures are counted to ``as_of`` (default today) at the latest; a period starting after
    it is refused. The evaluation dataset is always the whole force.

    A named report is audited as an ``export``; an evaluation dataset as a ``disclosure`` (with
    ``recipient`` and the audit head hash in the detail). An evaluator may only get ``evaluation``.

    ``audited=False`` is for a caller that audits the disclosure itself when (and only if) the
    report actually leaves the app, e.g. the scheduler, which rewrites a file only when its bytes
    change; the report then carries no ``audit_record`` but ``_audit_detail`` (pop it before rendering).
    """
    as_of, end = period_end(date_from, date_to, as_of)
    db = store.db
    action = permissions.REPORT_EVALUATION if evaluation else permissions.REPORT
    if (actor.role, action) not in permissions.PERMISSIONS:
        what = "produce the evaluation dataset" if evaluation else (
            "run a named continuity report (an evaluator may only get --evaluation)"
            if actor.role == "evaluator" else "run the continuity report")
        permissions.log_refusal(db, actor, action, "the continuity report")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not {what}")
    if evaluation:
        _check_evaluation(db, actor, scope)
        level, key, collars = FORCE, None, None
    else:
        level, key, collars = resolve_scope(db, actor, scope, action)
    secret = ensure_secret(store) if evaluation else None

    data = compute(db, date_from, end, collars)
    generated_at = audit.now_local().isoformat(timespec="seconds")
    report: dict[str, Any] = {
        "definitions_version": DEFINITIONS_VERSION,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat(), "counted_to": end.isoformat()},
        "generated_at": generated_at,
        "as_of": as_of.isoformat(),
        "scope": {"level": level, "key": key},
        "evaluation": evaluation,
        "notes": list(NOTES),
    }
    if evaluation:
        assert secret is not None
        pseudonymise(report, data, secret)
    else:
        names = dict(db.execute(
            "SELECT urn, name FROM schools WHERE urn IN (SELECT value FROM json_each(?))",
            [figures._json_list(s["urn"] for s in data["schools"])],
        ).fetchall())
        report["officers"] = data["officers"]
        report["teams"] = data["teams"]
        report["force"] = data["force"]
        report["schools"] = [{"urn": s["urn"], "name": names.get(s["urn"]),
                              **{k: v for k, v in s.items() if k != "urn"}} for s in data["schools"]]
        report["young_people"] = data["young_people"]
        report["consultations"] = data["consultations"]
        # who asked for the officers is free text (a role or a person): the named report only
        report["abstracted_days_by_requested_by"] = data["abstracted_days_by_requested_by"]
    report["consultations"] = {k: v for k, v in report["consultations"].items() if not k.startswith("_")}
    report["months"] = data["months"]

    detail = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "counted_to": end.isoformat(),
        "scope": level if key is None else f"{level}:{key}",
        "evaluation": evaluation,
        "definitions_version": DEFINITIONS_VERSION,
        "officers": len(report["officers"]),
        "schools": len(report["schools"]),
        "young_people": len(report["young_people"]),
    }
    if audit_format:
        detail["format"] = audit_format
    if not audited:
        report["_audit_detail"] = detail
        return report
    with store.write() as wdb:
        if evaluation:
            detail["audit_head"] = audit.last_hash(wdb)
            if recipient:
                detail["recipient"] = recipient
            row = audit.record(wdb, actor.collar, audit.DISCLOSURE, "report", "continuity_evaluation", detail)
        else:
            row = audit.record(wdb, actor.collar, audit.EXPORT, "report", "continuity", detail)
    report["audit_record"] = row
    return report
