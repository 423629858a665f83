"""The scheduled jobs. Each takes ``(store, exports, fire_time)`` and returns a one-line summary.

Every job is idempotent: its output depends only on the database and on the
*scheduled* time it stands for (``fire_time``), never on the wall clock, and a
file is rewritten only when its bytes change. Running a job twice for the same
fire time therefore writes the same files and nothing new. Jobs act as the
``system`` actor in the audit log.

Nothing here names a child: digests carry refs, counts and school names only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from slo.services import audit
from slo.services.actors import SYSTEM
from slo.services.files import json_chunks, write_chunks_if_changed, write_if_changed
from slo.store.db import Store


def release_memory() -> None:
    """Collect garbage and hand freed memory back to the system (glibc's ``malloc_trim``), so what
    one job (or one step of a job) built does not stay resident through the next."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    cron: dict  # CronTrigger fields (Europe/London)
    run: Callable[[Store, Path, datetime], str]


def safe_name(text: str) -> str:
    """A file-name-safe slug (letters, digits, '-'), never empty, never a path."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]
    return slug or "unnamed"


# ---------------------------------------------------------------- calendars (nightly 05:30)


def refresh_calendars(store: Store, exports: Path, fire_time: datetime) -> str:
    from slo.calendars import export_calendars

    result = export_calendars(store, SYSTEM, exports)
    return f"{len(result.written)} calendar file(s) written, {result.unchanged} unchanged"


# ---------------------------------------------------------------- sergeant's digest (Monday 07:00)


def _week_before(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def team_digest_text(db, team: str, team_name: str, day: date) -> str:
    """The Monday digest of one team: pending reviews, last week's abstractions and what they cancelled."""
    from slo.reports.render import md_escape as md  # stored text is data: no HTML, links or images

    start, end = _week_before(day)
    lines = [
        f"# Abstractions digest: {md(team_name)}",
        "",
        f"Week of {start.isoformat()} to {end.isoformat()}; prepared for {day.isoformat()}.",
        "",
        "## Awaiting your review",
        "",
    ]
    pending = db.execute(
        "SELECT a.ref, a.officer, o.name, a.date_from, a.date_to, a.portion, a.category, a.requested_by "
        "FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "WHERE o.team = ? AND a.review_status = 'pending' AND a.date_from <= ? "
        "ORDER BY a.date_from, a.ref",
        [team, day.isoformat()],
    ).fetchall()
    if not pending:
        lines.append("Nothing awaits review.")
    for ref, collar, name, d1, d2, portion, category, requested in pending:
        span = d1 if d1 == d2 else f"{d1} to {d2}"
        lines.append(
            f"- {md(ref)}: {md(name)} ({md(collar)}), {span}, {portion} day, {category.replace('_', ' ')}, "
            f"requested by {md(requested)}"
        )
    lines += ["", "## Last week's abstractions and what they cancelled", ""]
    rows = db.execute(
        "SELECT a.ref, a.officer, o.name, a.date_from, a.date_to, a.portion, a.category, a.review_status "
        "FROM abstractions a JOIN officers o ON o.collar_number = a.officer "
        "WHERE o.team = ? AND a.date_from <= ? AND a.date_to >= ? ORDER BY a.date_from, a.ref",
        [team, end.isoformat(), start.isoformat()],
    ).fetchall()
    if not rows:
        lines.append("No abstractions last week.")
    for ref, collar, name, d1, d2, portion, category, status in rows:
        span = d1 if d1 == d2 else f"{d1} to {d2}"
        lines.append(f"- {md(ref)}: {md(name)} ({md(collar)}), {span}, {portion} day, "
                     f"{category.replace('_', ' ')} ({status})")
        cancelled = db.execute(
            "SELECT e.ref, e.starts_at, s.name, e.kind, e.young_person IS NOT NULL "
            "FROM engagements e JOIN schools s ON s.urn = e.school "
            "WHERE e.abstraction = ? ORDER BY e.starts_at, e.ref",
            [ref],
        ).fetchall()
        if not cancelled:
            lines.append("  - cancelled nothing")
        for eref, starts, school, kind, one_to_one in cancelled:
            what = "a young person's 1:1 session" if one_to_one or kind == "one_to_one" else kind.replace("_", " ")
            lines.append(f"  - cancelled {md(eref)}: {what} at {md(school)}, {starts.replace('T', ' ')}")
    return "\n".join(lines) + "\n"


def team_digests(store: Store, exports: Path, fire_time: datetime) -> str:
    db = store.db
    day = fire_time.date()
    written = 0
    teams = db.execute("SELECT ref, name FROM teams ORDER BY ref").fetchall()
    for ref, name in teams:
        text = team_digest_text(db, ref, name, day)
        path = exports / "digests" / f"{safe_name(ref)}-{day.isoformat()}.md"
        if write_if_changed(path, text.encode("utf-8")):
            written += 1
            with store.write() as wdb:
                audit.record(wdb, SYSTEM.collar, audit.EXPORT, "digest", path.name, {"team": ref})
    return f"{written} of {len(teams)} team digest(s) written"


# ---------------------------------------------------------------- monthly report (1st, 06:00)


def previous_month(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def academic_year_start(day: date) -> date:
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def monthly_reports(store: Store, exports: Path, fire_time: datetime) -> str:
    """Last month's continuity report (json, html) and the evaluation dataset for the year to date.

    Memory (a national database): each file is streamed to disk while it is hashed
    (:func:`write_chunks_if_changed`; rendering a whole report as one string took 130 MB more
    than the report), and the month's report is freed, and its memory handed back, before the
    year's is built.
    """
    from slo.reports import build_report
    from slo.reports.html import html_chunks

    first, last = previous_month(fire_time.date())
    stamp = fire_time.isoformat(timespec="seconds")
    folder = exports / "reports"
    written = []
    report = build_report(store, SYSTEM, first, last, audited=False, as_of=fire_time.date())
    report.pop("_audit_detail", None)
    report["generated_at"] = stamp  # the scheduled time: reruns produce the same bytes
    month = first.strftime("%Y-%m")
    for fmt, chunks in (("json", json_chunks(report)), ("html", html_chunks(report))):
        path = folder / f"continuity-{month}.{fmt}"
        if write_chunks_if_changed(path, chunks):
            written.append(path.name)
    del report, chunks  # free the month's report before building the year's
    release_memory()
    ay_start = academic_year_start(last)
    evaluation = build_report(store, SYSTEM, ay_start, last, evaluation=True, audited=False,
                              as_of=fire_time.date())
    disclosure = evaluation.pop("_audit_detail")
    evaluation["generated_at"] = stamp
    path = folder / f"evaluation-{ay_start.isoformat()}-to-{last.isoformat()}.json"
    named = [name for name in written]
    changed = write_chunks_if_changed(path, json_chunks(evaluation))
    del evaluation
    if changed:
        written.append(path.name)
        with store.write() as db:
            disclosure["audit_head"] = audit.last_hash(db)
            disclosure["file"] = path.name
            disclosure["recipient"] = "evaluation folder (scheduled)"
            audit.record(db, SYSTEM.collar, audit.DISCLOSURE, "report", "continuity_evaluation", disclosure)
    if named:
        with store.write() as db:
            audit.record(
                db, SYSTEM.collar, audit.EXPORT, "report", "continuity",
                {"files": named, "month": month, "audit_head": audit.last_hash(db)},
            )
    return f"{len(written)} report file(s) written for {month}"


# ---------------------------------------------------------------- admin digest (daily 06:00)


def admin_digest(store: Store, exports: Path, fire_time: datetime) -> str:
    from slo.services.retention import reviews_due

    db = store.db
    day = fire_time.date()
    horizon = day + timedelta(days=7)
    lines = [f"# Daily digest for administrators: {day.isoformat()}", "", "## Retention reviews due", ""]
    reviews = reviews_due(db, day)
    if not reviews:
        lines.append("None.")
    from slo.reports.render import md_escape as md  # stored text is data: no HTML, links or images

    for review in reviews:
        last = review.last_record.isoformat() if review.last_record else "no record"
        lines.append(f"- {md(review.ref)}: review due {review.review_on.isoformat()} (last record {last})")
    lines += ["", f"## Consultation follow-ups due by {horizon.isoformat()}", ""]
    follow = db.execute(
        "SELECT c.ref, c.follow_up_on, c.officer, s.name FROM consultations c "
        "JOIN schools s ON s.urn = c.school WHERE c.follow_up_on >= ? AND c.follow_up_on <= ? "
        "ORDER BY c.follow_up_on, c.ref",
        [day.isoformat(), horizon.isoformat()],
    ).fetchall()
    if not follow:
        lines.append("None.")
    for ref, on, officer, school in follow:
        lines.append(f"- {on}: {md(ref)} ({md(officer)}, {md(school)})")
    text = "\n".join(lines) + "\n"
    path = exports / "digests" / f"admin-{day.isoformat()}.md"
    written = write_if_changed(path, text.encode("utf-8"))
    if written:
        with store.write() as wdb:
            audit.record(wdb, SYSTEM.collar, audit.EXPORT, "digest", path.name,
                         {"reviews": len(reviews), "follow_ups": len(follow)})
    return f"admin digest {'written' if written else 'unchanged'}: {len(reviews)} review(s), {len(follow)} follow-up(s)"


# ---------------------------------------------------------------- reports previews (daily 05:45)


def report_previews(store: Store, exports: Path, fire_time: datetime) -> str:
    """Count, and keep for the desk's reports screen, this term's figures for the force and for each
    team as of the fire day (the period the screen opens on): the first person to open it that day
    sees them at once (:mod:`slo.reports.previews`). A preview already current (nothing counted from
    changed since it was kept) is not counted again. Writes no file.

    Last term and the academic year are counted, and kept, when someone first opens them: the
    force's academic year takes 140 MB more to count (national demo, March), which on top of what
    the calendars job leaves resident would take ``scheduler --once`` over 200 MB."""
    from slo.reports.overview import kept_preview, period_choices, report_preview

    day = fire_time.date()
    made_at = fire_time.isoformat(sep=" ", timespec="seconds")
    _label, t_from, t_to = period_choices(day)["this_term"]
    teams = [row[0] for row in store.conn.execute("SELECT ref FROM teams ORDER BY ref")]
    wanted = [("force", t_from, t_to)] + [(f"team:{team}", t_from, t_to) for team in teams]
    counted = current = 0
    for scope, a, b in wanted:
        if a > day:
            continue  # a period not begun has no figures yet
        kept = kept_preview(store, SYSTEM, a, b, scope, as_of=day)
        if kept is not None and kept.current:
            current += 1
            continue
        report_preview(store, SYSTEM, a, b, scope, as_of=day, made_at=made_at)
        counted += 1
        if scope == "force":
            release_memory()  # the force's figures (about 1 MB of JSON nationally) before the next
    return f"{counted} report preview(s) counted, {current} already current"


# ---------------------------------------------------------------- leavers lose access (daily 00:30)


def revoke_leavers(store: Store, exports: Path, fire_time: datetime) -> str:
    """Officers whose end_date has passed lose every binding and their keys' authorized_keys lines."""
    from slo.services.identity import revoke_leavers as revoke

    return revoke(store, fire_time.date())


JOBS: list[Job] = [
    Job("calendars", "refresh every school's calendar (incremental)", {"hour": 5, "minute": 30}, refresh_calendars),
    Job("report_previews", "this term's figures of the reports screen for the force and each team",
        {"hour": 5, "minute": 45}, report_previews),
    Job("admin_digest", "retention reviews and follow-ups due", {"hour": 6, "minute": 0}, admin_digest),
    Job("monthly_report", "last month's continuity report and the evaluation dataset",
        {"day": 1, "hour": 6, "minute": 0}, monthly_reports),
    Job("team_digest", "each team's abstractions digest for its sergeant",
        {"day_of_week": "mon", "hour": 7, "minute": 0}, team_digests),
    Job("access_leavers", "leavers lose their access and SSH keys", {"hour": 0, "minute": 30}, revoke_leavers),
]
