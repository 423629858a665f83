"""What the desk and `slo scheduler` read and write about job runs (table ``jobs``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slo.store.db import Store


@dataclass(frozen=True)
class JobStatus:
    name: str
    last_fire_time: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_summary: str | None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def job_status(db) -> list[JobStatus]:
    """Every job that has ever run (or failed), by name."""
    rows = db.execute(
        "SELECT name, last_fire_time, last_success_at, last_attempt_at, last_status, last_error, last_summary "
        "FROM jobs ORDER BY name"
    ).fetchall()
    return [
        JobStatus(r[0], _dt(r[1]), _dt(r[2]), _dt(r[3]), r[4], r[5], r[6]) for r in rows
    ]


def desk_job_status(store: Store) -> tuple[list[JobStatus], dict[str, dict[str, Any]]]:
    """What the desk's jobs line shows: every job's last runs, and each job's schedule (name -> cron)."""
    from .jobs import JOBS

    return job_status(store.db), {job.name: job.cron for job in JOBS}


def record_success(db, name: str, fire_time: datetime, finished: datetime, duration: float, summary: str) -> None:
    db.execute(
        "INSERT INTO jobs (name, last_fire_time, last_success_at, last_attempt_at, last_status, last_error, "
        "last_duration, last_summary) VALUES (?, ?, ?, ?, 'ok', NULL, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET last_fire_time = excluded.last_fire_time, "
        "last_success_at = excluded.last_success_at, last_attempt_at = excluded.last_attempt_at, "
        "last_status = 'ok', last_error = NULL, last_duration = excluded.last_duration, "
        "last_summary = excluded.last_summary",
        [name, fire_time.isoformat(timespec="seconds"), finished.isoformat(timespec="seconds"),
         finished.isoformat(timespec="seconds"), duration, summary],
    )


def record_failure(db, name: str, attempted: datetime, error: str) -> None:
    db.execute(
        "INSERT INTO jobs (name, last_attempt_at, last_status, last_error) VALUES (?, ?, 'failed', ?) "
        "ON CONFLICT(name) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, "
        "last_status = 'failed', last_error = excluded.last_error",
        [name, attempted.isoformat(timespec="seconds"), error[:500]],
    )


def last_fire_time(db, name: str) -> datetime | None:
    row = db.execute("SELECT last_fire_time FROM jobs WHERE name = ?", [name]).fetchone()
    return _dt(row[0]) if row else None
