"""The scheduled jobs in one compact line: when each last ran, and whether it failed or is late.

    jobs: calendars 05:30 ok · digest Mon 07:00 ok · admin digest 06:00 ok · report 06:00 FAILED

Read from the ``jobs`` table (:func:`slo.scheduler.state.desk_job_status`) in a thread worker, on
mount, on :meth:`JobStatusLine.reload` and every few minutes. The jobs themselves never run in
the desk: ``slo scheduler`` runs them in its own process and writes that table. Hovering the
line shows each job's summary or error (plain text, never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from slo.services.errors import DATABASE_ERRORS
from slo.tui.desk import desk_of
from slo.tui.messages import JobStatusRead

if TYPE_CHECKING:
    from slo.scheduler.state import JobStatus

#: short names, in the order shown (others follow, by name)
SHORT = {"calendars": "calendars", "team_digest": "digest", "admin_digest": "admin digest",
         "monthly_report": "report"}
#: a job is late when the run it should have made this long ago is missing
GRACE = timedelta(hours=2)
REFRESH_SECONDS = 300.0


def previous_fire(cron: dict[str, Any], now: datetime) -> datetime | None:
    """The last time at or before ``now`` a job with this cron (hour, minute; day or day_of_week) fires.

    Only the simple shapes the desk's jobs use; None for anything else (never "late" then).
    """
    if set(cron) - {"hour", "minute", "day", "day_of_week"}:
        return None
    try:
        at = time(int(cron.get("hour", 0)), int(cron.get("minute", 0)))
        wanted_day = int(cron["day"]) if "day" in cron else None
    except (TypeError, ValueError):
        return None
    weekday = str(cron.get("day_of_week", "")).lower() or None
    for back in range(0, 63):
        day = now.date() - timedelta(days=back)
        if wanted_day is not None and day.day != wanted_day:
            continue
        if weekday is not None and day.strftime("%a").lower() != weekday:
            continue
        moment = datetime.combine(day, at)
        if moment <= now:
            return moment
    return None


def when_text(moment: datetime | None, now: datetime) -> str:
    """``05:30`` today, ``Mon 07:00`` within the week, ``01 Nov`` before (``01 Nov 2025`` another year)."""
    if moment is None:
        return "never"
    days = (now.date() - moment.date()).days
    if days == 0:
        return f"{moment:%H:%M}"
    if 0 < days < 7:
        return f"{moment:%a %H:%M}"
    return f"{moment:%d %b}" if moment.year == now.year else f"{moment:%d %b %Y}"


def _order(name: str) -> tuple[int, str]:
    names = list(SHORT)
    return (names.index(name), name) if name in names else (len(names), name)


def job_status_text(
    jobs: Sequence[JobStatus], now: datetime, schedules: dict[str, dict[str, Any]] | None = None
) -> Text:
    """The line for ``jobs`` (:class:`slo.scheduler.state.JobStatus`); ``schedules``: name -> cron."""
    schedules = schedules or {}
    out = Text("jobs: ", style="dim")
    if not jobs:
        out.append("the scheduler has not run yet (slo scheduler)", style="dim")
        return out
    for i, job in enumerate(sorted(jobs, key=lambda j: _order(j.name))):
        if i:
            out.append(" · ", style="dim")
        name = SHORT.get(job.name, job.name.replace("_", " "))
        if job.last_status == "failed":
            out.append(f"{name} {when_text(job.last_attempt_at, now)} ")
            out.append("FAILED", style="bold red")
            continue
        out.append(f"{name} {when_text(job.last_success_at or job.last_attempt_at, now)} ")
        due = previous_fire(schedules[job.name], now - GRACE) if job.name in schedules else None
        if due is not None and (job.last_fire_time is None or job.last_fire_time < due):
            out.append("LATE", style="bold yellow")
        else:
            out.append("ok", style="green")
    return out


def job_status_details(jobs: Sequence[JobStatus]) -> Text:
    """Each job's last summary or error (the tooltip)."""
    out = Text()
    for i, job in enumerate(sorted(jobs, key=lambda j: _order(j.name))):
        if i:
            out.append("\n")
        out.append(f"{job.name}: ", style="bold")
        if job.last_status == "failed":
            out.append(f"failed at {job.last_attempt_at:%Y-%m-%d %H:%M}: {job.last_error or ''}")
            if job.last_success_at:
                out.append(f" (last ok {job.last_success_at:%Y-%m-%d %H:%M})")
        else:
            out.append(f"ok at {job.last_success_at:%Y-%m-%d %H:%M}" if job.last_success_at else "ok")
            if job.last_summary:
                out.append(f": {job.last_summary}")
    return out


class JobStatusLine(Static):
    """One line: the scheduled jobs' last runs. Hidden while no job has run, except for an admin."""

    DEFAULT_CSS = """
    JobStatusLine { height: auto; padding: 0 1; }
    JobStatusLine.-empty { display: none; }
    """

    def __init__(self, *, load_on_mount: bool = True, **kwargs: Any) -> None:
        """``load_on_mount=False``: the screen calls :meth:`reload` when it is ready (after its first paint)."""
        super().__init__(Text(""), classes="-empty", **kwargs)
        self.load_on_mount = load_on_mount

    def on_mount(self) -> None:
        if self.load_on_mount:
            self.reload()
        self.set_interval(REFRESH_SECONDS, self.reload)

    def reload(self) -> None:
        store = desk_of(self.app).store

        def read() -> None:
            from slo.scheduler.state import desk_job_status

            try:
                jobs, schedules = desk_job_status(store)
                self.post_message(JobStatusRead(jobs, schedules))
            except DATABASE_ERRORS as exc:
                self.post_message(JobStatusRead(None, {}, f"jobs: not readable ({exc})"))

        self.run_worker(read, thread=True, group="job-status", exclusive=True, exit_on_error=False)

    def on_job_status_read(self, message: JobStatusRead) -> None:
        if message.jobs is None:
            self.update(Text(message.error or "jobs: not readable", style="dim"))
            self.set_class(False, "-empty")
            return
        desk = desk_of(self.app)
        admin = desk.actor is not None and desk.actor.role == "admin"
        self.update(job_status_text(message.jobs, desk.now(), message.schedules))
        self.tooltip = job_status_details(message.jobs) if message.jobs else None
        self.set_class(not message.jobs and not admin, "-empty")


__all__ = ["JobStatusLine", "job_status_details", "job_status_text", "previous_fire", "when_text"]
