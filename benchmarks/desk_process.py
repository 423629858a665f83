"""Run ``slo`` (the real desk, in this process) on a fixed day, and profile it if asked.

    python benchmarks/desk_process.py --today 2026-03-11 -- --db bench/national.db --user PC1000
    python benchmarks/desk_process.py --today 2026-03-11 --profile profile.txt -- --db ... --user PC1000

``--today``: the desk's clock (``slo.services.audit.now_local``, the one clock every screen and
service asks) starts at 09:00 on that day and runs on from there, so that the demo database
(built for 2026-03-11) has its weeks, terms and caseloads full. Nothing else is changed: it is the
``slo`` command's own ``main``. (libfaketime would do it from outside, but it makes every clock
read a system call: a bare Textual app used 5x its CPU for a screen push under it.)

With ``--profile OUT``, ``SIGUSR1`` starts sampling the main thread (Textual's event loop, where screens are composed,
laid out and rendered), ``SIGUSR2`` stops it; every stretch between the two is added up, and the
total is written to ``OUT`` as pyinstrument's text tree when the desk exits. ``bench_terminal.py
--profile CHANGE`` sends the signals around each key of that change, so the profile holds only
the time from the key to its screen's content. Worker threads are not sampled: time the main
thread spends waiting for a worker shows as the event loop's idle time (``select``), and
``--threads`` adds a second, wall-clock profile of each worker thread's job.

pyinstrument is not a dependency of SLO Desk: ``pip install pyinstrument`` (benchmarks only).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date, datetime, time
from pathlib import Path
from typing import Any


def render(session: Any) -> str:
    """A session as text: Textual's frames shown too (where a screen change spends its time is mostly
    there), as a tree and as the functions that took the most time themselves."""
    from pyinstrument.renderers import ConsoleRenderer

    options = {"filter_threshold": 0.01}
    tree = ConsoleRenderer(show_all=True, unicode=True, processor_options=options, time="percent_of_total")
    flat = ConsoleRenderer(show_all=True, unicode=True, flat=True, processor_options=options,
                           time="percent_of_total")
    return tree.render(session) + "\n" + "\n".join(flat.render(session).splitlines()[:40]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", help="the desk's day (YYYY-MM-DD); the real date when not given")
    parser.add_argument("--profile", metavar="OUT", help="where the profile goes when the desk exits")
    parser.add_argument("--interval", type=float, default=0.0005, help="seconds between samples (0.5 ms)")
    parser.add_argument("--threads", action="store_true", help="also profile the worker threads' jobs")
    parser.add_argument("slo_args", nargs=argparse.REMAINDER, help="-- then the arguments of slo")
    args = parser.parse_args()
    rest = args.slo_args[1:] if args.slo_args[:1] == ["--"] else args.slo_args
    if args.today:
        set_day(date.fromisoformat(args.today))
    if args.profile:
        return run_profiled(args, rest)
    from slo.cli.main import main as slo_main

    return int(slo_main(rest) or 0)


def set_day(day: date) -> None:
    """The desk's clock from 09:00 on ``day``, running at the real pace."""
    from slo.services import audit

    real = audit.now_local
    offset = datetime.combine(day, time(9, 0)) - real()

    def now_local() -> datetime:
        return real() + offset

    audit.now_local = now_local


def run_profiled(args: argparse.Namespace, rest: list[str]) -> int:
    from pyinstrument import Profiler
    from pyinstrument.session import Session

    sessions: list[Session] = []
    worker_sessions: list[Session] = []
    state: dict[str, Any] = {"profiler": None, "on": False}
    lock = threading.Lock()

    def start(_signum: int, _frame: Any) -> None:
        if state["profiler"] is None:
            profiler = Profiler(interval=args.interval, async_mode="disabled")
            profiler.start()
            state["profiler"] = profiler
        state["on"] = True

    def stop(_signum: int, _frame: Any) -> None:
        profiler = state["profiler"]
        state["on"] = False
        if profiler is not None:
            state["profiler"] = None
            session = profiler.stop()
            if session is not None:
                sessions.append(session)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)

    if args.threads:
        # each thread worker's job under a profiler of its own while a stretch is being profiled
        from textual.dom import DOMNode

        run_worker = DOMNode.run_worker

        def profiled_run_worker(self: DOMNode, work: Any, *a: Any, **kw: Any) -> Any:
            if not (kw.get("thread") and callable(work)):
                return run_worker(self, work, *a, **kw)

            def job() -> Any:
                if not state["on"]:
                    return work()
                profiler = Profiler(interval=args.interval, async_mode="disabled")
                profiler.start()
                try:
                    return work()
                finally:
                    session = profiler.stop()
                    with lock:
                        worker_sessions.append(session)

            return run_worker(self, job, *a, **kw)

        DOMNode.run_worker = profiled_run_worker  # type: ignore[method-assign]

    from slo.cli.main import main as slo_main

    try:
        code = slo_main(rest)
    finally:
        out = Path(args.profile)
        parts = []
        for title, found in (("main thread", sessions), ("worker threads' jobs", worker_sessions)):
            if not found:
                continue
            total = found[0]
            for more in found[1:]:
                total = Session.combine(total, more)
            parts.append(f"--- {title}: {len(found)} stretches, {total.duration:.3f} s in all, "
                         f"{total.cpu_time:.3f} s of CPU\n{render(total)}")
        out.write_text("\n".join(parts) or "nothing was profiled\n")
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
