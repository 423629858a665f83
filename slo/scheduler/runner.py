"""Running the jobs: catch-up, the single-scheduler lock, and the APScheduler daemon.

* **Catch-up.** For each job, the latest scheduled time at or before *now*
  (Europe/London) is its *fire time*. A job is due when it has never run, or
  when its last successful run stood for an earlier fire time. Several missed
  runs therefore coalesce into one (the latest), and on the very first start
  every job counts as due. ``slo scheduler --once`` runs what is due and exits;
  the daemon does the same at start, then follows the cron triggers with
  ``coalesce=True`` and a generous ``misfire_grace_time`` (a run missed while
  the machine slept still happens when it wakes).
* **One scheduler per database.** An exclusive ``flock`` on the database file itself
  (:class:`SchedulerLock`: whatever path, symlink or hard link names it), released by the
  kernel if the process dies; a second scheduler is refused.
* **Clean stop.** SIGTERM or ctrl+c stops the run at once, during the first catch-up too,
  and exits 0 (``--once``: 1, since not every due job ran); once the schedule runs, a job that
  is running finishes first.

All times are Europe/London; no job is scheduled between 01:00 and 02:00, so
clock-change nights neither skip nor double a run.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from slo.services.errors import ServiceError
from slo.store.db import Store

from . import state
from .jobs import JOBS, Job, release_memory

LONDON = ZoneInfo("Europe/London")
MISFIRE_GRACE_SECONDS = 12 * 3600
log = logging.getLogger("slo.scheduler")


class SchedulerLocked(ServiceError):
    pass


def london_now() -> datetime:
    return datetime.now(LONDON).replace(tzinfo=None, microsecond=0)


def trigger_for(job: Job):
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(timezone=LONDON, **job.cron)


def latest_fire_time(job: Job, now: datetime) -> datetime | None:
    """The latest scheduled time of ``job`` at or before ``now`` (naive Europe/London)."""
    trigger = trigger_for(job)
    aware_now = now.replace(tzinfo=LONDON)
    cursor = aware_now - timedelta(days=40)  # every job fires at least monthly
    previous = None
    latest = None
    while True:
        fire = trigger.get_next_fire_time(previous, cursor)
        if fire is None or fire > aware_now:
            break
        latest = fire
        previous = fire
        cursor = fire + timedelta(seconds=1)
    return latest.astimezone(LONDON).replace(tzinfo=None) if latest else None


@dataclass
class RunResult:
    job: str
    fire_time: datetime
    ok: bool
    summary: str


def due_jobs(store: Store, now: datetime) -> list[tuple[Job, datetime]]:
    """The jobs whose latest fire time has not yet run successfully."""
    out = []
    for job in JOBS:
        fire = latest_fire_time(job, now)
        if fire is None:
            continue
        last = state.last_fire_time(store.db, job.name)
        if last is None or fire > last:
            out.append((job, fire))
    return out


def run_job(store: Store, exports: Path, job: Job, fire_time: datetime) -> RunResult:
    """Run one job for one fire time and record how it went (never raises); its memory is freed after."""
    try:
        return _run_job(store, exports, job, fire_time)
    finally:
        release_memory()  # what this job built does not stay resident through the next


def _run_job(store: Store, exports: Path, job: Job, fire_time: datetime) -> RunResult:
    started = time.perf_counter()
    log.info("running %s for %s", job.name, fire_time.isoformat(timespec="minutes"))
    try:
        summary = job.run(store, exports, fire_time)
    except Exception as exc:  # a failing job is recorded and shown; the scheduler goes on
        message = f"{type(exc).__name__}: {exc}"
        log.error("%s failed: %s", job.name, message)
        with store.write() as db:
            state.record_failure(db, job.name, london_now(), message)
        return RunResult(job.name, fire_time, False, message)
    duration = time.perf_counter() - started
    with store.write() as db:
        state.record_success(db, job.name, fire_time, london_now(), duration, summary)
    log.info("%s done in %.2fs: %s", job.name, duration, summary)
    return RunResult(job.name, fire_time, True, summary)


def run_due(store: Store, exports: Path, now: datetime | None = None) -> list[RunResult]:
    """Run every job that is due at ``now`` (default: the current London time)."""
    now = now or london_now()
    return [run_job(store, exports, job, fire) for job, fire in due_jobs(store, now)]


#: file descriptors of database files this process has flocked: never closed while the process lives
_HELD: list[int] = []


def _lock_holder(fd: int) -> str:
    """The pid holding a flock on the file of ``fd``, from /proc/locks ("unknown" if it cannot be read)."""
    st = os.fstat(fd)
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == wanted and parts[4] != str(os.getpid()):
                    return parts[4]
    except OSError:
        pass
    return "unknown"


class SchedulerLock:
    """An exclusive lock on the database file itself, held for the life of the scheduler process.

    ``flock`` on the file, not on a lock file named after the path: a symlink, a hard link,
    ``./db/../db/slo.db`` or an absolute path all reach the same inode, so a second scheduler
    is refused however the database was named. (On Linux ``flock`` locks are independent of the
    POSIX locks SQLite takes, so they never interfere.) The kernel releases it if the process
    dies. The descriptor is never closed while the process runs: closing any descriptor of a
    database file drops every POSIX lock the process holds on it, SQLite's included; ``release``
    only unlocks it.
    """

    def __init__(self, db_path: Path):
        self.path = Path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)
        _HELD.append(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _lock_holder(fd)
            raise SchedulerLocked(
                f"another scheduler is already running on this database (pid {other}); "
                "run only one scheduler per database"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._fd = None

    def __enter__(self) -> SchedulerLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Stopped(BaseException):
    """SIGTERM or ctrl+c while jobs run outside APScheduler (the first catch-up, ``--once``).

    A ``BaseException``: ``run_job`` records a job's ordinary failures and goes on, but this one
    must stop the run. Every job is safe to interrupt: its writes are transactions that roll back,
    its files are written to temporaries that are removed (and cleaned by the next run if killed).
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signal = signal.Signals(signum).name


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT raise :class:`Stopped` in the main thread."""
    def raise_stopped(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, raise_stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_once(store: Store, exports: Path, now: datetime | None = None) -> tuple[list[RunResult], str | None]:
    """``slo scheduler --once``: what is due, stoppable by SIGTERM; (results, the signal that stopped it)."""
    results: list[RunResult] = []
    try:
        with stop_on_signals():
            now = now or london_now()
            for job, fire in due_jobs(store, now):
                results.append(run_job(store, exports, job, fire))
    except Stopped as stop:
        log.info("received %s; stopped after %d job(s)", stop.signal, len(results))
        return results, stop.signal
    return results, None


def run_daemon(store: Store, exports: Path) -> int:
    """Catch up, then run the jobs on their schedule until SIGTERM or ctrl+c. Returns 0.

    A signal during the catch-up stops it at once (before, it was swallowed and the daemon went
    on to start the schedule); once the schedule runs, it shuts APScheduler down (a job that is
    running finishes first).
    """
    from apscheduler.schedulers.blocking import BlockingScheduler

    def scheduled(job: Job) -> None:
        fire = latest_fire_time(job, london_now())
        last = state.last_fire_time(store.db, job.name)
        if fire is not None and (last is None or fire > last):
            run_job(store, exports, job, fire)

    scheduler = BlockingScheduler(
        timezone=LONDON,
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    for job in JOBS:
        scheduler.add_job(scheduled, trigger_for(job), args=[job], id=job.name, name=job.description)

    log.info("scheduler started for %s (pid %d)", store.path, os.getpid())
    _, stopped = run_once(store, exports)
    if stopped:
        log.info("scheduler stopped")
        return 0

    def stop(signum: int, frame: object) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in JOBS:
        nxt = trigger_for(job).get_next_fire_time(None, datetime.now(LONDON))
        log.info("next %s at %s", job.name, nxt.strftime("%Y-%m-%d %H:%M %Z") if nxt else "never")
    with suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler stopped")
    return 0
