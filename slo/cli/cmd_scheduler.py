"""`slo scheduler [--once]`: run the scheduled jobs (see slo/scheduler/runner.py)."""

from __future__ import annotations

import logging
import sys
from datetime import datetime

from slo.services.errors import ServiceError

from .context import Context


def register(groups) -> None:
    p = groups["root"].add_parser(
        "scheduler", help="run the scheduled jobs (calendars, digests, reports); --once runs what is due and exits"
    )
    p.add_argument("--once", action="store_true", help="run every job that is due now, then exit")
    p.add_argument("--now", metavar="YYYY-MM-DDTHH:MM", help=argparse_suppress())
    p.set_defaults(func=run)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def run(ctx: Context, args) -> int:
    from slo.scheduler import runner

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    store = ctx.store()
    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            raise ServiceError(f"--now {args.now!r}: use YYYY-MM-DDTHH:MM") from None
    with runner.SchedulerLock(store.path):
        if args.once:
            results, stopped = runner.run_once(store, ctx.exports, now)
            if stopped:
                return 1
            if not results:
                logging.getLogger("slo.scheduler").info("nothing is due")
            return 0 if all(r.ok for r in results) else 1
        return runner.run_daemon(store, ctx.exports)
