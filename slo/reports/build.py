"""``build_report``: the continuity report for the actor's scope, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from slo.services import audit, permissions
from slo.services.errors import PermissionDenied, ServiceError

from . import figures
from .definitions import DEFINITIONS_VERSION, NOTES
from .evaluation import ensure_secret, pseudonym, suppress_consultations

OFFICER, TEAM, FORCE = "officer", "team", "force"


class ReportError(ServiceError):
    pass


def default_scope(actor) -> str:
    grant = permissions.PERMISSIONS.get((actor.role, permissions.REPORT)) or permissions.PERMISSIONS.get(
        (actor.role, permissions.REPORT_EVALUATION)
    )
    return {permissions.OWN: OFFICER, permissions.TEAM: TEAM}.get(grant, FORCE)


def resolve_scope(db, actor, scope: str | None, action: str) -> tuple[str, str | None, list[str] | None]:
    """(level, key, collars or None for the whole force), after checking the actor may have it.

    ``scope`` is ``officer``, ``team``, ``force``, ``team:REF`` or ``officer:COLLAR``."""
    grant = permissions.PERMISSIONS.get((actor.role, action))
    scope = scope or default_scope(actor)
    level, _, key = scope.partition(":")
    if level not in (OFFICER, TEAM, FORCE):
        raise ReportError(f"unknown report scope {scope!r}: use officer, team, force, team:REF or officer:COLLAR")
    if level == OFFICER:
        key = key or actor.collar
        exists = db.execute("SELECT 1 FROM officers WHERE collar_number = ?", [key]).fetchone()
        if not exists:
            raise ReportError(f"no officer with collar number {key!r}")
        permissions.require(db, actor, action, key, what=f"officer {key}")
        return OFFICER, key, [key]
    if level == TEAM:
        key = key or actor.team
        if not key:
            raise ReportError(f"{actor.collar} is not in a team: choose another scope")
        if not db.execute("SELECT 1 FROM teams WHERE ref = ?", [key]).fetchone():
            raise ReportError(f"no team {key!r}")
        if grant is None or (grant != permissions.ANY and not (grant == permissions.TEAM and key == actor.team)):
            permissions.log_refusal(db, actor, action, f"team {key}")
            raise PermissionDenied(f"{actor.collar} ({actor.role}) may not report on team {key}")
        collars = [r[0] for r in db.execute("SELECT collar_number FROM officers WHERE team = ? ORDER BY 1", [key])]
        return TEAM, key, collars
    if grant != permissions.ANY:
        permissions.log_refusal(db, actor, action, "the whole force")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not report on the whole force")
    return FORCE, None, None


def compute(db, date_from: date, date_to: date, collars: list[str] | None) -> dict[str, Any]:
    """Every section of metrics.md for the officers ``collars`` (None: the whole force)."""
    whole = collars is None
    # the whole force: one pass over the period's engagements feeds every section
    facts = figures.Facts.load(db, date_from, date_to) if whole else None
    officers = figures._officer_figures(db, collars, date_from, date_to, facts)
    listed = [o["collar_number"] for o in officers]
    if whole:
        urns = figures.school_keys_whole(db, date_from, date_to, facts)
        refs = sorted(facts.by_young_person)
    else:
        urns = figures.school_keys(db, date_from, date_to, collars)
        refs = figures.young_person_keys(db, date_from, date_to, collars)
    return {
        "officers": officers,
        "teams": figures.team_figures(db, officers),
        "force": figures.sum_entries(officers),
        "schools": figures.school_figures(db, urns, date_from, date_to, restrict=not whole, facts=facts),
        "young_people": figures.young_person_figures(db, refs, date_from, date_to, restrict=not whole,
                                                     facts=facts),
        "consultations": figures.consultation_figures(db, date_from, date_to, collars),
        "months": figures.month_figures(db, date_from, date_to, collars, facts),
        "_listed": listed,
    }


def build_report(store, actor, date_from: date, date_to: date, *, evaluation: bool = False,
                 scope: str | None = None, recipient: str | None = None, audit_format: str | None = None,
                 audited: bool = True) -> dict:
    """The metrics.md JSON object for ``actor``'s scope (default by role), audited.

    A named report is audited as an ``export``; an evaluation dataset as a ``disclosure`` (with
    ``recipient`` and the audit head hash in the detail). An evaluator may only get ``evaluation``.

    ``audited=False`` is for a caller that audits the disclosure itself when (and only if) the
    report actually leaves the app, e.g. the scheduler, which rewrites a file only when its bytes
    change; the report then carries no ``audit_record`` but ``_audit_detail`` (pop it before rendering).
    """
    if date_to < date_from:
        raise ReportError(f"the period ends ({date_to}) before it starts ({date_from})")
    db = store.db
    action = permissions.REPORT_EVALUATION if evaluation else permissions.REPORT
    if (actor.role, action) not in permissions.PERMISSIONS:
        what = "produce the evaluation dataset" if evaluation else (
            "run a named continuity report (an evaluator may only get --evaluation)"
            if actor.role == "evaluator" else "run the continuity report")
        permissions.log_refusal(db, actor, action, "the continuity report")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not {what}")
    level, key, collars = resolve_scope(db, actor, scope, action)
    secret = ensure_secret(store) if evaluation else None

    data = compute(db, date_from, date_to, collars)
    generated_at = audit.now_local().isoformat(timespec="seconds")
    report: dict[str, Any] = {
        "definitions_version": DEFINITIONS_VERSION,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "generated_at": generated_at,
        "scope": {"level": level, "key": key},
        "evaluation": evaluation,
        "notes": list(NOTES),
    }
    consultations = data["consultations"]
    if evaluation:
        assert secret is not None
        p = lambda k: pseudonym(secret, k) if k is not None else None  # noqa: E731
        if key is not None:
            report["scope"]["key"] = p(key)
        report["officers"] = sorted(
            ({"pseudonym": p(o["collar_number"]), **{k: v for k, v in o.items() if k != "collar_number"}}
             for o in data["officers"]), key=lambda o: o["pseudonym"])
        report["teams"] = sorted(
            ({"pseudonym": p(t["ref"]), **{k: v for k, v in t.items() if k != "ref"}} for t in data["teams"]),
            key=lambda t: t["pseudonym"])
        report["force"] = data["force"]
        report["schools"] = [{**s, "assigned_officer_at_end": p(s["assigned_officer_at_end"])}
                             for s in data["schools"]]
        report["young_people"] = sorted(
            ({"pseudonym": p(y["ref"]), **{k: v for k, v in y.items() if k != "ref"}} for y in data["young_people"]),
            key=lambda y: y["pseudonym"])
        consultations = suppress_consultations(consultations)
    else:
        names = dict(db.execute(
            "SELECT urn, name FROM schools WHERE urn IN (SELECT value FROM json_each(?))",
            [figures._json_list(s["urn"] for s in data["schools"])],
        ).fetchall())
        report["officers"] = data["officers"]
        report["teams"] = data["teams"]
        report["force"] = data["force"]
        report["schools"] = [{"urn": s["urn"], "name": names.get(s["urn"]), **{k: v for k, v in s.items() if k != "urn"}}
                             for s in data["schools"]]
        report["young_people"] = data["young_people"]
    report["consultations"] = {k: v for k, v in consultations.items() if not k.startswith("_")}
    report["months"] = data["months"]

    detail = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
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
