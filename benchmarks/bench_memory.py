"""Peak memory of every command at national scale (target: under 200 MB each), with wall times.

    python benchmarks/bench_memory.py --db bench/national.db [--only due check ...] [--skip demo import]

Each command runs as a child process (the installed ``slo`` beside this interpreter) on a
copy of the national database, so that writes (audit rows, abstractions, calendar state,
scheduler runs) never touch the original. Peak resident set size is the child's own
``ru_maxrss`` from ``os.wait4`` (kilobytes on Linux), not the benchmark's. The desk runs in a
pseudo-terminal of 120x36: it is started, left until its caseload is on screen, and quit with
ctrl+q. ``slo import`` loads the bundle that ``slo export bundle`` wrote into an empty database.

The academic year of the reports is the demo's (built on 2026-03-11 by bench_demo.py):
2025-09-01 to 2026-08-31. The scheduler runs ``--once`` on a second copy, at a fixed time.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from dbcopy import copy_database

LIMIT_MB = 200.0
YEAR = ("2025-09-01", "2026-08-31")


@dataclass
class Result:
    name: str
    argv: list[str]
    seconds: float = 0.0
    peak_mb: float = 0.0
    code: int | None = None
    note: str = ""
    tail: list[str] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.peak_mb >= LIMIT_MB

    def row(self) -> dict:
        return {"command": self.name, "argv": self.argv, "seconds": round(self.seconds, 2),
                "peak_mb": round(self.peak_mb, 1), "exit": self.code, "over_limit": self.over, "note": self.note}


def slo_command() -> list[str]:
    beside = Path(sys.executable).parent / "slo"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "slo"]




def run(name: str, argv: list[str], cwd: Path, env: dict, timeout: float) -> Result:
    """Run ``argv``; wall time and the child's peak RSS (os.wait4)."""
    result = Result(name, argv)
    out = cwd / f"{name.replace(' ', '_').replace('/', '_')}.out"
    with open(out, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                result.note = f"killed after {timeout:.0f} s"
                break
            time.sleep(0.02)
        result.seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    result.code = proc.returncode
    result.peak_mb = usage.ru_maxrss / 1024
    result.tail = out.read_text(errors="replace").splitlines()[-3:]
    return result


_ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def run_desk(argv: list[str], cwd: Path, env: dict, marker: str, timeout: float) -> Result:
    """The desk in a 120x36 pseudo-terminal: until ``marker`` is on screen, then ctrl+q."""
    result = Result("desk start (caseload on screen, ctrl+q)", argv)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    screen = b""
    seen = False
    deadline = started + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen = (screen + _ANSI.sub(b"", chunk))[-200_000:]
            if not seen and marker.encode() in screen:
                seen = True
                result.note = f"caseload on screen after {time.perf_counter() - started:.2f} s"
                time.sleep(0.5)  # let the header and the rest of the first screen load
                os.write(fd, b"\x11")  # ctrl+q
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        result.note = f"killed after {timeout:.0f} s" + ("" if seen else " (caseload never seen)")
        done, status, usage = os.wait4(pid, 0)
    if not done:
        done, status, usage = os.wait4(pid, 0)
    os.close(fd)
    result.seconds = time.perf_counter() - started
    result.code = os.waitstatus_to_exitcode(status)
    result.peak_mb = usage.ru_maxrss / 1024
    if not seen:
        result.note = result.note or "caseload never seen"
    return result


def first_school(db: Path, collar: str) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    row = conn.execute(
        "SELECT s.name FROM assignments a JOIN schools s ON s.urn = a.school "
        "WHERE a.officer = ? AND a.end_date IS NULL ORDER BY s.name COLLATE NOCASE, s.urn LIMIT 1", [collar]
    ).fetchone()
    conn.close()
    return row[0][:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench/national.db")
    parser.add_argument("--only", nargs="*", help="run only commands whose name contains one of these words")
    parser.add_argument("--skip", nargs="*", default=[], help="skip commands whose name contains one of these words")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per command, seconds")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (copies, outputs)")
    args = parser.parse_args()
    source = Path(args.db).resolve()
    if not source.exists():
        sys.exit(f"no database at {source}: build it with 'python benchmarks/bench_demo.py'")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="slo-bench-memory-"))
    slo = slo_command()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLO_")}
    env["TERM"] = env.get("TERM") or "xterm-256color"
    try:
        db = copy_database(source, work / "national.db")
        sched_db = copy_database(source, work / "scheduler.db")
        exports = work / "exports"
        g = ["--db", str(db), "--exports", str(exports)]
        a, b = YEAR
        plan: list[tuple[str, list[str]]] = [
            ("due", [*slo, *g, "--user", "PC1000", "due", "--on", "2026-03-11"]),
            ("check", [*slo, *g, "check"]),
            ("backup", [*slo, *g, "--user", "A1", "backup", str(work / "backup.db")]),
            ("export calendars", [*slo, *g, "--user", "A1", "export", "calendars"]),
            ("report continuity json (year)", [*slo, *g, "--user", "A1", "report", "continuity", "--from", a, "--to", b,
                                               "--format", "json", "--out", str(work / "report.json")]),
            ("report continuity html (year)", [*slo, *g, "--user", "A1", "report", "continuity", "--from", a, "--to", b,
                                               "--format", "html", "--out", str(work / "report.html")]),
            ("report continuity --evaluation (year)", [*slo, *g, "--user", "A1", "report", "continuity", "--from", a,
                                                       "--to", b, "--evaluation", "--recipient", "benchmark",
                                                       "--out", str(work / "evaluation.json")]),
            ("export bundle", [*slo, *g, "--user", "A1", "export", "bundle", str(work / "bundle.json")]),
            ("abstraction add", [*slo, *g, "--user", "S100", "abstraction", "add", "--officer", "PC1001",
                                 "--from", "2026-03-16", "--to", "2026-03-17", "--portion", "full",
                                 "--category", "public_order", "--requested-by", "Benchmark"]),
            ("scheduler --once (copy)", [*slo, "--db", str(sched_db), "--exports", str(work / "sched-exports"),
                                         "scheduler", "--once", "--now", "2026-03-11T07:00"]),
            ("import (exported bundle, empty db)", [*slo, "--db", str(work / "imported.db"), "import",
                                                    str(work / "bundle.json")]),
            ("demo --scale national", [*slo, "--db", str(work / "demo.db"), "demo", "--scale", "national",
                                       "--today", "2026-03-11"]),
        ]

        def wanted(name: str) -> bool:
            if args.only and not any(w in name for w in args.only):
                return False
            return not any(w in name for w in args.skip)

        results: list[Result] = []
        print(f"{'command':42} {'wall s':>8} {'peak MB':>8}  exit  (limit {LIMIT_MB:g} MB)", flush=True)

        def show(r: Result) -> None:
            flag = "OVER" if r.over else "ok"
            print(f"{r.name:42} {r.seconds:8.1f} {r.peak_mb:8.1f}  {r.code!s:>4}  {flag} {r.note}", flush=True)
            if r.code not in (0, None):
                for line in r.tail:
                    print(f"{'':42}   | {line[:150]}")

        if wanted("desk"):
            r = run_desk([*slo, *g, "--user", "PC1000"], work, env, first_school(db, "PC1000"), 60)
            results.append(r)
            show(r)
        for name, argv in plan:
            if not wanted(name):
                continue
            if name.startswith("import") and not (work / "bundle.json").exists():
                results.append(Result(name, argv, note="skipped: no exported bundle (run 'export bundle' too)"))
                show(results[-1])
                continue
            r = run(name, argv, work, env, args.timeout)
            results.append(r)
            show(r)
        over = [r for r in results if r.over or r.code not in (0, None)]
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(f"{len(results)} commands, {sum(r.over for r in results)} over {LIMIT_MB:g} MB, "
              f"{sum(r.code not in (0, None) for r in results)} failed")
        if args.json:
            Path(args.json).write_text(json.dumps({"limit_mb": LIMIT_MB, "rows": [r.row() for r in results]}, indent=2))
        return 1 if over else 0
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
